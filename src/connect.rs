//! From the command line's connection flags to a [`Target`]: credential, TLS, timeout.
//! Shared by `run` and `sweep`.

use std::io::Write as _;
use std::sync::Arc;
use std::time::Duration;

use crate::cli::{AuthMode, ConnectArgs};
use crate::target::azure::AzureAuth;
use crate::target::{Credential, Target, TargetOptions};

/// The credential the flags ask for. `--token-env` alone means `--auth bearer`.
pub fn credential(args: &ConnectArgs) -> Result<Credential, String> {
    let mode = args.auth.unwrap_or(if args.token_env.is_some() {
        AuthMode::Bearer
    } else {
        AuthMode::None
    });
    match mode {
        AuthMode::None => Ok(Credential::None),
        AuthMode::Bearer => {
            let name = args
                .token_env
                .as_deref()
                .ok_or("--auth bearer needs --token-env NAME")?;
            let token = std::env::var(name).map_err(|_| {
                format!("environment variable {name} (from --token-env) is not set")
            })?;
            Ok(Credential::Static(token.into()))
        }
        AuthMode::Azure => {
            let auth = AzureAuth::from_environment().map_err(|e| e.to_string())?;
            Ok(Credential::Azure(Arc::new(auth)))
        }
    }
}

/// Builds the target; `--insecure` prints its warning here, once.
pub fn target(
    url: String,
    args: &ConnectArgs,
    credential: Credential,
    ca_pem: Option<String>,
) -> Result<Target, String> {
    if args.insecure {
        let _ = writeln!(
            std::io::stderr(),
            "warning: --insecure: TLS certificates are not verified"
        );
    }
    let options = TargetOptions {
        url,
        api_version: args.api_version.clone(),
        ca_cert: args.ca_cert.clone(),
        ca_pem,
        insecure: args.insecure,
        timeout: Duration::from_secs(args.request_timeout.max(1)),
        credential,
    };
    Target::new(&options).map_err(|e| e.to_string())
}
