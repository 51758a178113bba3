//! From the connection flags to a [`Target`]: credential, TLS, timeout. Shared by `run` and
//! `sweep`. The flags become a typed [`Connection`] once; the credential is only built when a
//! target is contacted (a dry run never reads a token).

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::cli::{AuthMode, ConnectArgs};
use crate::target::azure::AzureAuth;
use crate::target::{Credential, Target, TargetOptions, TransportError};

/// Why the connection flags give no target; every one is a usage error.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("--auth bearer needs --token-env NAME")]
    NoTokenEnv,
    #[error("environment variable {0} (from --token-env) is not set")]
    TokenUnset(String),
    /// The Azure environment, the CA certificate or the HTTP client.
    #[error(transparent)]
    Transport(#[from] TransportError),
}

/// How to reach and authenticate to a target, decided from the flags.
#[derive(Clone, Debug)]
pub struct Connection {
    pub api_version: String,
    pub ca_cert: Option<PathBuf>,
    pub insecure: bool,
    /// Per-request timeout (at least one second).
    pub request_timeout: Duration,
    /// `--token-env` alone means `--auth bearer`.
    pub auth: AuthMode,
    pub token_env: Option<String>,
}

impl From<&ConnectArgs> for Connection {
    fn from(args: &ConnectArgs) -> Connection {
        let implied = match args.token_env {
            Some(_) => AuthMode::Bearer,
            None => AuthMode::None,
        };
        Connection {
            api_version: args.api_version.clone(),
            ca_cert: args.ca_cert.clone(),
            insecure: args.insecure,
            request_timeout: Duration::from_secs(args.request_timeout.max(1)),
            auth: args.auth.unwrap_or(implied),
            token_env: args.token_env.clone(),
        }
    }
}

impl Connection {
    /// The credential the flags ask for (reads the token variable or the Azure environment).
    pub fn credential(&self) -> Result<Credential, ConnectError> {
        match self.auth {
            AuthMode::None => Ok(Credential::None),
            AuthMode::Bearer => {
                let name = self.token_env.as_deref().ok_or(ConnectError::NoTokenEnv)?;
                let token =
                    std::env::var(name).map_err(|_| ConnectError::TokenUnset(name.to_string()))?;
                Ok(Credential::Static(token.into()))
            }
            AuthMode::Azure => {
                let auth = AzureAuth::from_environment()?;
                Ok(Credential::Azure(Arc::new(auth)))
            }
        }
    }

    /// Builds the target; `--insecure` prints its warning here, once.
    pub fn target(
        &self,
        url: String,
        credential: Credential,
        ca_pem: Option<String>,
    ) -> Result<Target, ConnectError> {
        if self.insecure {
            let _ = writeln!(
                std::io::stderr(),
                "warning: --insecure: TLS certificates are not verified"
            );
        }
        let options = TargetOptions {
            url,
            api_version: self.api_version.clone(),
            ca_cert: self.ca_cert.clone(),
            ca_pem,
            insecure: self.insecure,
            timeout: self.request_timeout,
            credential,
        };
        Ok(Target::new(&options)?)
    }
}
