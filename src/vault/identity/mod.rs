//! `kvconform serve --identity`: what a managed-identity login needs, with no Azure at all.
//!
//! - [`msi`]: the App Service token endpoint (`IDENTITY_ENDPOINT` + `IDENTITY_HEADER`, api
//!   2019-08-01), on its own plain-HTTP loopback port as on App Service. `az login --identity`
//!   (through MSAL) and the SDKs' `ManagedIdentityCredential` ask it for tokens.
//! - [`arm`]: the few Resource Manager answers `az login` and `az cloud register` read
//!   (`/metadata/endpoints`, `/subscriptions`, `/tenants`), served next to the vault on its port,
//!   so a custom cloud can point its resource manager at the vault.
//! - [`TokenBook`]: every token handed out; with `--require-auth` the vault accepts exactly
//!   these (and `--token`, when given), so a token the endpoint never issued is refused.
//!
//! Tokens are JWT-shaped (the CLI reads `tid` from the token without checking its signature);
//! the signature part is random bytes: only the book makes a token valid.

mod arm;
mod jwt;
mod msi;

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use axum_server::Handle;

use super::listen::{StopOnDrop, bind};

pub(crate) use arm::{collapse_leading_slashes, router as arm_router};
#[cfg(test)]
pub(crate) use jwt::claims_of;

/// The App Service api-version the endpoint speaks (the one MSAL and azure-identity send).
pub const APP_SERVICE_API_VERSION: &str = "2019-08-01";

/// Tokens handed out by the identity endpoint, shared with the vault that must accept them.
#[derive(Clone, Default)]
pub struct TokenBook {
    issued: Arc<Mutex<HashSet<String>>>,
}

impl std::fmt::Debug for TokenBook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenBook")
            .field("issued", &self.len())
            .finish()
    }
}

impl TokenBook {
    /// Mints a token for `resource` in `tenant`, valid until `expires_on` (unix seconds), and
    /// records it.
    pub fn issue(&self, tenant: &str, resource: &str, now: i64, expires_on: i64) -> String {
        let token = jwt::mint(&jwt::Claims {
            tenant,
            audience: resource,
            object_id: jwt::OBJECT_ID,
            client_id: jwt::CLIENT_ID,
            issued_at: now,
            expires_on,
        });
        self.lock().insert(token.clone());
        token
    }

    /// Whether this exact token was handed out.
    pub fn knows(&self, token: &str) -> bool {
        self.lock().contains(token)
    }

    /// How many tokens were handed out.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// No token handed out yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A set of strings cannot be left half-written: poisoning is ignored.
    fn lock(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.issued.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The identity endpoint serving on a socket; dropping it stops the server.
pub struct RunningIdentity {
    /// The full `IDENTITY_ENDPOINT`: `http://127.0.0.1:PORT/msi/token`.
    pub endpoint: String,
    /// The secret clients send as `X-IDENTITY-HEADER` (`IDENTITY_HEADER`).
    pub header: String,
    _server: StopOnDrop,
}

impl std::fmt::Debug for RunningIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningIdentity")
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

/// Binds `addr` and serves the App Service token endpoint (plain HTTP, as on App Service) for
/// `tenant`, recording every token in `book`. The header secret is random per start.
pub async fn start_identity(
    book: TokenBook,
    tenant: String,
    addr: SocketAddr,
) -> std::io::Result<RunningIdentity> {
    let header = hex::encode(super::crypto::random_bytes::<16>());
    let (listener, local) = bind(addr)?;
    let handle = Handle::new();
    let app = msi::router(msi::Endpoint {
        book,
        tenant,
        header: header.clone(),
    });
    let server = axum_server::from_tcp(listener)?.handle(handle.clone());
    tokio::spawn(server.serve(app.into_make_service()));
    Ok(RunningIdentity {
        endpoint: format!("http://{local}{}", msi::PATH),
        header,
        _server: StopOnDrop(handle),
    })
}
