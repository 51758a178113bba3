//! Running the vault on a socket: `start` (embedded, for the harness and tests) and `serve`
//! (the `kvconform serve` command).

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use axum_server::Handle;
use axum_server::tls_rustls::RustlsConfig;
use tokio::task::JoinHandle;

use super::config::{DEFAULT_TENANT_ID, VaultConfig};
use super::identity::{RunningIdentity, TokenBook, start_identity};
use super::listen::{StopOnDrop, bind};
use super::quirks::Quirk;
use super::routes::router;
use super::tls;

/// How long a graceful shutdown waits for open connections.
const GRACE: Duration = Duration::from_secs(5);

/// A vault serving on a socket. Dropping it stops the server at once; `shutdown` lets
/// in-flight requests finish first.
pub struct RunningVault {
    /// `http://127.0.0.1:PORT` or `https://…`.
    pub url: String,
    /// The CA certificate (PEM) that signed the server certificate, when serving TLS.
    pub ca_pem: Option<String>,
    handle: StopOnDrop,
    task: JoinHandle<std::io::Result<()>>,
}

impl RunningVault {
    /// Stops accepting connections, waits (up to 5 s) for open ones, then returns.
    pub async fn shutdown(self) {
        self.handle.0.graceful_shutdown(Some(GRACE));
        // The server's own result no longer matters once we asked it to stop.
        let _ = self.task.await;
    }
}

impl std::fmt::Debug for RunningVault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningVault")
            .field("url", &self.url)
            .field("tls", &self.ca_pem.is_some())
            .finish_non_exhaustive()
    }
}

/// Binds `addr` (port 0 picks a free port) and serves the vault on the current tokio
/// runtime. Returns once the socket is bound, so the URL is usable immediately.
pub async fn start(
    config: VaultConfig,
    addr: SocketAddr,
    tls: bool,
) -> std::io::Result<RunningVault> {
    let (listener, local) = bind(addr)?;
    let handle = Handle::new();
    let scheme = if tls { "https" } else { "http" };
    let service = router(config, scheme).into_make_service();
    let (task, ca_pem) = if tls {
        let material = tls::generate().map_err(std::io::Error::other)?;
        let rustls = RustlsConfig::from_config(std::sync::Arc::new(tls::server_config(&material)?));
        let server = axum_server::from_tcp_rustls(listener, rustls)?.handle(handle.clone());
        (tokio::spawn(server.serve(service)), Some(material.ca_pem))
    } else {
        let server = axum_server::from_tcp(listener)?.handle(handle.clone());
        (tokio::spawn(server.serve(service)), None)
    };
    Ok(RunningVault {
        url: format!("{scheme}://{local}"),
        ca_pem,
        handle: StopOnDrop(handle),
        task,
    })
}

/// `kvconform serve`: the reference vault as a standalone server.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port; the banner shows the real one).
    #[arg(long, default_value = "127.0.0.1:8443")]
    pub addr: SocketAddr,
    /// Serve HTTPS with a throwaway CA generated at startup.
    #[arg(long)]
    pub tls: bool,
    /// Write the CA certificate (PEM) to FILE (with --tls).
    #[arg(long, value_name = "FILE", requires = "tls")]
    pub ca_out: Option<PathBuf>,
    /// Answer requests without `Authorization: Bearer …` with the real 401 challenge.
    #[arg(long)]
    pub require_auth: bool,
    /// Accept only this bearer token (implies --require-auth).
    #[arg(
        long,
        value_name = "T",
        env = "KVCONFORM_VAULT_TOKEN",
        hide_env_values = true
    )]
    pub token: Option<String>,
    /// Tenant GUID shown in the 401 challenge.
    #[arg(long, default_value = DEFAULT_TENANT_ID)]
    pub tenant_id: String,
    /// Milliseconds until a `Self`-issuer operation completes.
    #[arg(long, value_name = "MS", default_value_t = 2000)]
    pub self_delay: u64,
    /// Milliseconds until a provider-issuer operation fails.
    #[arg(long, value_name = "MS", default_value_t = 3000)]
    pub provider_delay: u64,
    /// Milliseconds from a cancellation request until the operation is `cancelled`.
    #[arg(long, value_name = "MS", default_value_t = 1000)]
    pub cancel_delay: u64,
    /// RSA-2048 keys kept pre-generated in the background (0 = generate on demand).
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub key_pool: usize,
    /// Inject a deviation from the real service (repeatable; see --list-quirks).
    #[arg(long = "quirk", value_name = "NAME")]
    pub quirks: Vec<Quirk>,
    /// Print every quirk with its description and exit.
    #[arg(long)]
    pub list_quirks: bool,
    /// Also serve a managed identity: the App Service token endpoint (IDENTITY_ENDPOINT +
    /// IDENTITY_HEADER, on --identity-addr) and the Resource Manager answers `az login
    /// --identity` needs (on the vault's port). The vault then accepts the tokens it hands out.
    /// The banner prints what to export.
    #[arg(long)]
    pub identity: bool,
    /// Address of the identity endpoint (plain HTTP, as on App Service; port 0 = a free port).
    #[arg(
        long,
        value_name = "ADDR",
        default_value = "127.0.0.1:0",
        requires = "identity"
    )]
    pub identity_addr: SocketAddr,
}

impl ServeArgs {
    /// The vault configuration these arguments describe.
    pub fn config(&self) -> VaultConfig {
        VaultConfig {
            require_auth: self.require_auth || self.token.is_some(),
            token: self.token.clone(),
            self_delay: Duration::from_millis(self.self_delay),
            provider_delay: Duration::from_millis(self.provider_delay),
            cancel_delay: Duration::from_millis(self.cancel_delay),
            quirks: self.quirks.clone(),
            tenant_id: self.tenant_id.clone(),
            key_pool: self.key_pool,
            issued_tokens: self.identity.then(TokenBook::default),
        }
    }
}

/// Exit codes of `serve`: 0 after a clean shutdown (SIGINT/SIGTERM) or `--list-quirks`,
/// 1 when the server cannot start (bind, TLS, `--ca-out`). Clap's own errors exit 2.
#[allow(clippy::print_stdout, clippy::print_stderr)]
pub async fn serve(args: ServeArgs) -> ExitCode {
    if args.list_quirks {
        for q in Quirk::ALL {
            println!("{:<28} {}", q.name(), q.description());
        }
        return ExitCode::SUCCESS;
    }
    let config = args.config();
    let book = config.issued_tokens.clone();
    let vault = match start(config, args.addr, args.tls).await {
        Ok(v) => v,
        Err(e) => {
            eprintln!("error: cannot serve on {}: {e}", args.addr);
            return ExitCode::FAILURE;
        }
    };
    let ca_path = match write_ca(&args, &vault) {
        Ok(p) => p,
        Err((path, e)) => {
            eprintln!("error: cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    };
    let identity = match book {
        Some(book) => {
            match start_identity(book, args.tenant_id.clone(), args.identity_addr).await {
                Ok(i) => Some(i),
                Err(e) => {
                    eprintln!(
                        "error: cannot serve the identity endpoint on {}: {e}",
                        args.identity_addr
                    );
                    return ExitCode::FAILURE;
                }
            }
        }
        None => None,
    };
    println!("listening on {}", vault.url);
    if let Some(identity) = &identity {
        print!(
            "{}",
            identity_banner(&vault.url, identity, ca_path.as_deref())
        );
    }
    // The banner is how scripts learn the port: make sure it is out before we block.
    let _ = std::io::stdout().flush();
    wait_for_signal().await;
    drop(identity);
    vault.shutdown().await;
    ExitCode::SUCCESS
}

/// Writes the CA where `--ca-out` says; with `--identity` and no `--ca-out`, into the temp
/// directory (clients need it in a file: REQUESTS_CA_BUNDLE). The path written, if any.
fn write_ca(
    args: &ServeArgs,
    vault: &RunningVault,
) -> Result<Option<PathBuf>, (PathBuf, std::io::Error)> {
    let Some(pem) = &vault.ca_pem else {
        return Ok(None);
    };
    let path = match (&args.ca_out, args.identity) {
        (Some(p), _) => p.clone(),
        (None, true) => {
            let port = vault.url.rsplit(':').next().unwrap_or("0");
            std::env::temp_dir().join(format!("kvconform-{port}-ca.pem"))
        }
        (None, false) => return Ok(None),
    };
    std::fs::write(&path, pem).map_err(|e| (path.clone(), e))?;
    Ok(Some(path))
}

/// The lines after `listening on …` with `--identity`: what to export, and the custom cloud.
/// Every line a shell can run as is; the comments say why.
pub(crate) fn identity_banner(
    vault_url: &str,
    identity: &RunningIdentity,
    ca: Option<&std::path::Path>,
) -> String {
    let port = vault_url.rsplit(':').next().unwrap_or("0");
    let mut out = format!(
        "export IDENTITY_ENDPOINT={}\nexport IDENTITY_HEADER={}\n",
        identity.endpoint, identity.header
    );
    match ca {
        Some(ca) => out.push_str(&format!(
            "export REQUESTS_CA_BUNDLE={0}  # Python clients (az); node: NODE_EXTRA_CA_CERTS={0}\n",
            ca.display()
        )),
        None => {
            out.push_str("# no CA: serve with --tls for the Azure CLI (its tokens need https)\n")
        }
    }
    out.push_str(&format!(
        "# Azure CLI: az cloud register -n kvconform --endpoint-resource-manager https://localhost:{port}/ --suffix-keyvault-dns :{port} && az cloud set -n kvconform && az login --identity\n"
    ));
    out.push_str(&format!(
        "# then: az keyvault certificate ... --vault-name localhost   (https://localhost:{port})\n"
    ));
    out
}

/// Resolves on SIGINT or SIGTERM.
async fn wait_for_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = ctrl_c => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = ctrl_c.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
