//! The 401 challenge (FACTS §11). Runs before api-version checking and routing, as on the
//! real service: SDKs send their first request without a token to learn the tenant.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::errors::KvError;
use super::http::with_header;
use super::quirks::Quirk;
use super::state::AppState;

/// The 2026 message (service 1.9.3070.1, api 2025-07-01).
const MISSING_TOKEN: &str = "AKV10000: Request is missing a Bearer, PoP, or MTLS_POP token.";

pub(crate) async fn require_bearer(
    State(vault): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let config = &vault.config;
    if !config.require_auth || vault.quirks.has(Quirk::NoAuthChallenge) {
        return next.run(request).await;
    }
    match bearer(request.headers()) {
        None => challenge(&config.tenant_id, MISSING_TOKEN),
        Some(token) if !accepted(config, token) => challenge(
            &config.tenant_id,
            "AKV10020: Invalid token: this vault accepts only its configured bearer token or one its identity endpoint issued.",
        ),
        Some(_) => next.run(request).await,
    }
}

/// Any token when neither `--token` nor `--identity` restricts them; otherwise the configured
/// token or one the identity endpoint issued.
fn accepted(config: &super::config::VaultConfig, token: &str) -> bool {
    match (&config.token, &config.issued_tokens) {
        (None, None) => true,
        (configured, book) => {
            configured.as_deref() == Some(token) || book.as_ref().is_some_and(|b| b.knows(token))
        }
    }
}

/// The token of an `Authorization: Bearer <token>` header (scheme case-insensitive).
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// 401 with `WWW-Authenticate: Bearer authorization="…/{tenant}", resource="https://vault.azure.net"`.
fn challenge(tenant: &str, message: &str) -> Response {
    let response = KvError::new(StatusCode::UNAUTHORIZED, "Unauthorized", message).into_response();
    let value = format!(
        r#"Bearer authorization="https://login.microsoftonline.com/{tenant}", resource="https://vault.azure.net""#
    );
    with_header(response, "www-authenticate", &value)
}
