//! How one reference vault behaves: timings, auth, fault injection.

use std::time::Duration;

use super::identity::TokenBook;
use super::quirks::Quirk;

/// The tenant shown in the 401 challenge when none is configured (a fixed, obviously fake GUID).
pub const DEFAULT_TENANT_ID: &str = "00000000-0000-0000-0000-000000000000";

/// Everything that changes how the reference vault answers.
///
/// `Default` is tuned for the embedded harness run: auth required, short delays (50 ms) so that
/// `Self` and provider operations reach their terminal state quickly, and a small key pool.
#[derive(Clone, Debug)]
pub struct VaultConfig {
    /// Requests without `Authorization: Bearer …` get the real 401 challenge.
    pub require_auth: bool,
    /// If `Some`, only this bearer token is accepted; if `None`, any bearer token is.
    pub token: Option<String>,
    /// A `Self`-issuer operation becomes `completed` this long after create.
    pub self_delay: Duration,
    /// A provider-issuer operation becomes `failed` this long after create.
    pub provider_delay: Duration,
    /// A cancelled `Self`/provider operation becomes `cancelled` this long after the PATCH.
    pub cancel_delay: Duration,
    /// Fault injection: each quirk is one realistic deviation from the real service.
    pub quirks: Vec<Quirk>,
    /// The tenant in the `WWW-Authenticate` challenge (a GUID).
    pub tenant_id: String,
    /// How many RSA-2048 keys a background thread keeps ready; 0 = generate on demand only.
    pub key_pool: usize,
    /// `serve --identity`: the tokens its identity endpoint hands out. When set (and auth is
    /// required), the vault accepts these and `token`, nothing else; it also serves the
    /// Resource Manager answers a managed-identity `az login` needs.
    pub issued_tokens: Option<TokenBook>,
}

impl Default for VaultConfig {
    fn default() -> Self {
        Self {
            require_auth: true,
            token: None,
            self_delay: Duration::from_millis(50),
            provider_delay: Duration::from_millis(50),
            cancel_delay: Duration::from_millis(50),
            quirks: Vec::new(),
            tenant_id: DEFAULT_TENANT_ID.to_owned(),
            key_pool: 4,
            issued_tokens: None,
        }
    }
}
