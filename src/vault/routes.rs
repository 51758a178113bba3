//! The route table: the Key Vault certificates API, wrapped in auth → api-version checking.

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};

use super::config::VaultConfig;
use super::handlers::{certs, issuers, pending};
use super::http::BODY_LIMIT;
use super::state::{AppState, Vault};
use super::{api_version, auth, identity, layers};

/// The vault as a router (no socket): `scheme` is what its URLs say (`http` or `https`).
pub(crate) fn router(config: VaultConfig, scheme: &'static str) -> Router {
    let arm = config
        .issued_tokens
        .clone()
        .map(|book| identity::arm_router(book, config.tenant_id.clone(), scheme));
    let state: AppState = Arc::new(Vault::new(config, scheme));
    let vault = Router::new()
        .route("/certificates", get(certs::list))
        .route("/certificates/", get(certs::list))
        .route("/certificates/issuers", get(issuers::list))
        .route(
            "/certificates/issuers/{name}",
            get(issuers::get)
                .put(issuers::put)
                .patch(issuers::patch)
                .delete(issuers::delete),
        )
        .route(
            "/certificates/{name}",
            get(certs::get_latest)
                .patch(certs::update)
                .delete(certs::delete),
        )
        .route(
            "/certificates/{name}/",
            get(certs::get_latest_slash).patch(certs::update),
        )
        .route("/certificates/{name}/create", post(pending::create))
        .route("/certificates/{name}/import", post(certs::import))
        .route(
            "/certificates/{name}/pending",
            get(pending::get)
                .patch(pending::update)
                .delete(pending::delete),
        )
        .route("/certificates/{name}/pending/merge", post(pending::merge))
        .route("/certificates/{name}/policy", get(certs::get_policy))
        .route("/certificates/{name}/versions", get(certs::versions))
        .route(
            "/certificates/{name}/{version}",
            get(certs::get_version).patch(certs::update),
        )
        .route("/certificates/{name}/{version}/", get(certs::get_version))
        .route("/deletedcertificates", get(certs::list_deleted))
        .route(
            "/deletedcertificates/{name}",
            get(certs::get_deleted).delete(certs::purge),
        )
        .route("/deletedcertificates/{name}/recover", post(certs::recover))
        .fallback(layers::not_found)
        .method_not_allowed_fallback(layers::method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        // Layers run outermost-last: response shaping (error quirks → content-type quirk →
        // headers, on the way out) → auth → api-version → route.
        .layer(from_fn_with_state(
            state.clone(),
            api_version::require_api_version,
        ))
        .layer(from_fn_with_state(state.clone(), auth::require_bearer))
        .layer(from_fn_with_state(state.clone(), layers::shape_response))
        .with_state(state);
    match arm {
        Some(arm) => identity::collapse_leading_slashes(arm.merge(vault)),
        None => vault,
    }
}
