//! The App Service managed-identity endpoint, api-version 2019-08-01: `GET {IDENTITY_ENDPOINT}
//! ?api-version=2019-08-01&resource=R` with `X-IDENTITY-HEADER: {IDENTITY_HEADER}`, answered
//! with `{access_token, expires_on, resource, token_type, client_id}` (`expires_on` is a string
//! of unix seconds, as App Service sends it; MSAL and azure-identity read either form).
//!
//! Vault's choice (no recording of the real endpoint's errors): a missing or wrong header is
//! 401, a missing `resource` or another api-version is 400, each with the
//! `{statusCode, message}` body MSAL reports from App Service errors.

use std::collections::HashMap;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;

use super::{APP_SERVICE_API_VERSION, TokenBook, jwt};

/// Where the endpoint answers (the path App Service uses).
pub(super) const PATH: &str = "/msi/token";

/// How long a token lives (managed-identity tokens are long-lived; 24 h).
const LIFETIME_SECS: i64 = 24 * 3600;

#[derive(Clone)]
pub(super) struct Endpoint {
    pub(super) book: TokenBook,
    pub(super) tenant: String,
    pub(super) header: String,
}

pub(super) fn router(endpoint: Endpoint) -> Router {
    Router::new()
        .route(PATH, get(token))
        .fallback(|| async {
            error(
                StatusCode::NOT_FOUND,
                "Not found: the token endpoint is GET /msi/token.",
            )
        })
        .with_state(endpoint)
}

async fn token(
    State(e): State<Endpoint>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let sent = headers
        .get("x-identity-header")
        .and_then(|v| v.to_str().ok());
    if sent != Some(e.header.as_str()) {
        return error(
            StatusCode::UNAUTHORIZED,
            "The X-IDENTITY-HEADER header is missing or does not match IDENTITY_HEADER.",
        );
    }
    match query.get("api-version").map(String::as_str) {
        Some(APP_SERVICE_API_VERSION) => {}
        other => {
            return error(
                StatusCode::BAD_REQUEST,
                &format!(
                    "Unsupported api-version {}: this endpoint speaks {APP_SERVICE_API_VERSION}.",
                    other.unwrap_or("(none)")
                ),
            );
        }
    }
    let Some(resource) = query.get("resource").filter(|r| !r.trim().is_empty()) else {
        return error(
            StatusCode::BAD_REQUEST,
            "The resource parameter is required.",
        );
    };
    let client_id = query
        .get("client_id")
        .map_or(jwt::CLIENT_ID, String::as_str);
    let now = super::super::ops::unix_now();
    let expires_on = now + LIFETIME_SECS;
    let access_token = e.book.issue(&e.tenant, resource, now, expires_on);
    let body = json!({
        "access_token": access_token,
        "expires_on": expires_on.to_string(),
        "resource": resource,
        "token_type": "Bearer",
        "client_id": client_id,
    });
    (StatusCode::OK, axum::Json(body)).into_response()
}

fn error(status: StatusCode, message: &str) -> Response {
    let body = json!({"statusCode": status.as_u16(), "message": message});
    (status, axum::Json(body)).into_response()
}
