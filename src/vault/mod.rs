//! The reference vault: an emulator of the Key Vault certificates API that behaves like the
//! real service as recorded in `reference/real-vault/FACTS.md` (the doc where the service was
//! never observed), with fault-injection quirks.
//!
//! The main entry points are [`app`] (a `Router`, testable without a socket), [`start`] (serve
//! on a socket, embedded) and [`serve`] (the `kvconform serve` command). The vault imports
//! nothing from the harness: the two meet only over HTTP.
//!
//! Module map: `config` and `quirks` (what can be configured) → `routes` (auth → api-version →
//! handlers) → `handlers` (HTTP) → `ops` (the lifecycle rules) → `store` (data), with `keys`
//! (key pool), `crypto`/`dn`/`policy` (CSRs, certificates, policies), `render` (wire shapes),
//! `tls` and `serve`.

mod api_version;
mod auth;
mod config;
mod crypto;
mod dn;
mod errors;
mod handlers;
mod http;
mod keys;
mod layers;
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

pub use config::{DEFAULT_TENANT_ID, VaultConfig};
pub use quirks::{Quirk, UnknownQuirk};
pub use serve::{RunningVault, ServeArgs, serve, start};

/// The vault as an axum `Router` serving plain HTTP (URLs say `http://`).
pub fn app(config: VaultConfig) -> axum::Router {
    routes::router(config, "http")
}
