//! The reference vault: an emulator of the Key Vault certificates API that behaves like the
//! real service as recorded in `reference/real-vault/FACTS.md` (the doc where the service was
//! never observed), with fault-injection quirks.
//!
//! The main entry points are [`app`] (a `Router`, testable without a socket), [`start`] (serve
//! on a socket, embedded) and [`serve`] (the `kvconform serve` command). The vault imports
//! nothing from the harness: the two meet only over HTTP.
//!
//! Module map: `config` and `quirks` (what can be configured) → `routes` (auth → api-version →
//! handlers) → `handlers` (HTTP) → `ops` (the lifecycle rules: every store write) → `store`
//! (data), with `keys` (key pool), `crypto`/`dn`/`policy` (CSRs, certificates, policies),
//! `import` (PEM/PKCS#12 readers, the imported policy), `render` (wire shapes), `tls`, and
//! `serve` with `identity`, both bound through `listen`.
//!
//! Choices where FACTS.md has no recording (each marked in the code where it is made):
//! - 409 on create/import while `inProgress` uses the doc's body (`Forbidden`); the 403 on
//!   merge with an issuer and the 404 for a non-matching `request_id` are the doc's too.
//! - `failed` operations have no `status_details` (the 2020 shape, S6).
//! - A cancellation requested while a `Self`/provider operation is in progress always wins:
//!   the operation becomes `cancelled` after `cancel_delay`, never `completed`/`failed`.
//!   A manual (`Unknown`) operation only gets the flag and stays `inProgress` (FACTS §7 INF).
//! - DELETE pending leaves the disabled certificate version behind (as FACTS §7 shows for a
//!   cancelled `Self` operation); DELETE of the certificate drops its pending operation.
//! - Merge on a terminal operation is 403 "Pending status must be in progress to allow merge."
//! - Deleting a certificate is immediate (the real service is eventually consistent), and its
//!   name is refused (409 `Conflict`) until it is recovered or purged.
//! - Import reads PEM (certificate + private key) or PKCS#12 (`pwd`, empty when absent); the
//!   format is told from the value, whatever `secret_props.contentType` says.
//! - What an import's policy leaves out comes from the certificate (`cert_policy`); the
//!   validity rounding and the empty key-usage/EKU lists are the vault's choice.
//! - `serve --identity` (`identity`): the App Service token endpoint's errors and every
//!   Resource Manager field are the vault's choice (nothing recorded).

mod api_version;
mod auth;
mod cert_policy;
mod config;
mod crypto;
mod dn;
mod errors;
mod handlers;
mod http;
mod identity;
mod import;
mod keys;
mod layers;
mod listen;
mod model;
mod ops;
mod policy;
mod quirks;
mod render;
mod routes;
mod serve;
mod state;
mod store;
mod tls;

#[cfg(test)]
mod tests;

pub use api_version::is_supported as speaks_api_version;
pub use config::{DEFAULT_TENANT_ID, VaultConfig};
pub use identity::{APP_SERVICE_API_VERSION, RunningIdentity, TokenBook, start_identity};
pub use quirks::{Quirk, UnknownQuirk};
pub use serve::{RunningVault, ServeArgs, serve, start};

/// The vault as an axum `Router` serving plain HTTP (URLs say `http://`).
pub fn app(config: VaultConfig) -> axum::Router {
    routes::router(config, "http")
}
