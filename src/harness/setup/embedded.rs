//! The embedded reference vault as a run uses it: started in-process on 127.0.0.1:0 with
//! operation delays short enough for the whole suite to take well under a second, reached
//! with a dummy token, serving until the run drops it.

use std::time::Duration;

use crate::harness::StartError;
use crate::target::Credential;
use crate::vault::{self, Quirk, RunningVault};

/// The token the harness sends to the embedded vault, which demands one but accepts any.
const EMBEDDED_TOKEN: &str = "kvconform-embedded-dummy-token";

/// How long the embedded vault keeps Self and provider operations inProgress: long enough
/// for the probes that need an operation in progress (a guard GET, then the probe), short
/// enough to keep the whole suite well under a second.
const EMBEDDED_SELF_DELAY: Duration = Duration::from_millis(400);
const EMBEDDED_CANCEL_DELAY: Duration = Duration::from_millis(100);

/// A running embedded vault with these faults; it serves until dropped.
pub struct EmbeddedVault(RunningVault);

impl EmbeddedVault {
    pub async fn start(quirks: &[Quirk]) -> Result<EmbeddedVault, StartError> {
        let config = vault::VaultConfig {
            self_delay: EMBEDDED_SELF_DELAY,
            provider_delay: EMBEDDED_SELF_DELAY,
            cancel_delay: EMBEDDED_CANCEL_DELAY,
            quirks: quirks.to_vec(),
            ..vault::VaultConfig::default()
        };
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
        vault::start(config, addr, false)
            .await
            .map(EmbeddedVault)
            .map_err(|e| StartError::Harness(format!("cannot start the embedded vault: {e}")))
    }

    pub fn url(&self) -> &str {
        &self.0.url
    }

    /// The CA certificate to trust, when the vault serves TLS.
    pub fn ca_pem(&self) -> Option<String> {
        self.0.ca_pem.clone()
    }

    pub fn credential(&self) -> Credential {
        Credential::Static(EMBEDDED_TOKEN.into())
    }
}
