//! How to reach a target: URL, api-version, TLS trust, timeout and credential.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::TransportError;
use super::azure::AzureAuth;

/// Everything needed to build a [`super::Target`].
#[derive(Clone, Debug)]
pub struct TargetOptions {
    pub url: String,
    pub api_version: String,
    /// Extra CA certificate (PEM) to trust, e.g. the reference vault's `--ca-out`.
    pub ca_cert: Option<PathBuf>,
    /// CA certificate given as PEM text (the embedded vault hands it over in memory).
    pub ca_pem: Option<String>,
    /// Accept any server certificate.
    pub insecure: bool,
    pub timeout: Duration,
    pub credential: Credential,
}

/// Where the bearer token comes from. Its value never reaches a report.
#[derive(Clone, Default)]
pub enum Credential {
    /// Send no `Authorization` header.
    #[default]
    None,
    /// A fixed token (from an environment variable, or the embedded vault's dummy token).
    Static(Arc<str>),
    /// Azure AD through azure_identity, scope from the 401 challenge, token cached.
    Azure(Arc<AzureAuth>),
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credential::None => f.write_str("None"),
            Credential::Static(_) => f.write_str("Static([redacted])"),
            Credential::Azure(auth) => write!(f, "Azure({auth:?})"),
        }
    }
}

impl Credential {
    pub(crate) async fn token(&self) -> Result<Option<Arc<str>>, TransportError> {
        Ok(match self {
            Credential::None => None,
            Credential::Static(token) => Some(token.clone()),
            Credential::Azure(auth) => Some(auth.token().await?),
        })
    }

    /// The secret itself, for redaction checks; `None` when there is none (or when it is
    /// fetched at run time, as Azure AD tokens are).
    pub fn secret(&self) -> Option<&str> {
        match self {
            Credential::None | Credential::Azure(_) => None,
            Credential::Static(token) => Some(token),
        }
    }
}

impl TargetOptions {
    pub(crate) fn client(&self) -> Result<reqwest::Client, TransportError> {
        let mut builder = reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(self.timeout.min(Duration::from_secs(10)))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("kvconform/", env!("CARGO_PKG_VERSION")));
        let mut pems = Vec::new();
        if let Some(path) = &self.ca_cert {
            let pem = std::fs::read(path).map_err(|e| {
                TransportError::Other(format!("cannot read --ca-cert {}: {e}", path.display()))
            })?;
            pems.push(pem);
        }
        if let Some(pem) = &self.ca_pem {
            pems.push(pem.clone().into_bytes());
        }
        for pem in pems {
            let certs = reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|e| TransportError::Other(format!("invalid CA certificate: {e}")))?;
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        if self.insecure {
            builder = builder.danger_accept_invalid_certs(true);
        }
        builder
            .build()
            .map_err(|e| TransportError::Other(format!("cannot build the HTTP client: {e}")))
    }
}
