//! The Resource Manager answers a managed-identity `az login` reads, served on the vault's own
//! port when `--identity` is on (so a custom cloud's resource manager is the vault):
//!
//! - `GET /metadata/endpoints`: the cloud description `az cloud register
//!   --endpoint-resource-manager URL` fetches (no token, as on ARM). Every endpoint points at
//!   this server; `keyVaultDns` is `localhost:PORT`, which only resolves where `*.localhost`
//!   does, so the recipe overrides it with `--suffix-keyvault-dns :PORT` (vault name
//!   `localhost`).
//! - `GET /subscriptions`, `GET /subscriptions/{id}`, `GET /tenants`: one subscription in the
//!   vault's tenant, so `az login --identity` finds something to select.
//!
//! Every field is the vault's choice, shaped as the 2022-12-01 ARM models the CLI deserialises;
//! a request without a token the identity endpoint issued gets ARM's 401 shape.

use axum::Router;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

use super::TokenBook;

/// The one subscription (a fixed, obviously fake GUID).
pub(crate) const SUBSCRIPTION_ID: &str = "00000000-0000-0000-0000-00000000005b";

#[derive(Clone)]
struct Arm {
    book: TokenBook,
    tenant: String,
    scheme: &'static str,
}

/// `routes` behind a step that turns a leading `//` into `/` before routing: `az cloud register`
/// appends `/metadata/endpoints` to the resource manager URL as typed, and the URL is usually
/// typed with its trailing slash (`https://localhost:PORT/`).
pub(crate) fn collapse_leading_slashes(routes: Router) -> Router {
    Router::new()
        .fallback_service(routes)
        .layer(axum::middleware::map_request(collapse))
}

async fn collapse(mut request: Request) -> Request {
    let uri = request.uri();
    if uri.path().starts_with("//") {
        let trimmed = format!("/{}", uri.path().trim_start_matches('/'));
        let rebuilt = match uri.query() {
            Some(q) => format!("{trimmed}?{q}"),
            None => trimmed,
        };
        if let Ok(path) = rebuilt.parse::<axum::http::uri::PathAndQuery>() {
            let mut parts = uri.clone().into_parts();
            parts.path_and_query = Some(path);
            if let Ok(new) = Uri::from_parts(parts) {
                *request.uri_mut() = new;
            }
        }
    }
    request
}

/// The ARM routes (no fallback: the vault's router answers everything else).
pub(crate) fn router(book: TokenBook, tenant: String, scheme: &'static str) -> Router {
    Router::new()
        .route("/metadata/endpoints", get(metadata))
        .route("/subscriptions", get(subscriptions))
        .route("/subscriptions/{id}", get(subscription))
        .route("/tenants", get(tenants))
        .with_state(Arm {
            book,
            tenant,
            scheme,
        })
}

async fn metadata(State(arm): State<Arm>, headers: HeaderMap) -> Response {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let base = format!("{}://{host}/", arm.scheme);
    let port = host.rsplit_once(':').map_or("", |(_, p)| p);
    let kv_dns = if port.is_empty() {
        "localhost".to_owned()
    } else {
        format!("localhost:{port}")
    };
    let body = json!({
        "name": "kvconform",
        "portal": base,
        "resourceManager": base,
        "gallery": base,
        "graph": base,
        "microsoftGraphResourceId": base,
        "authentication": {
            "loginEndpoint": base,
            "audiences": ["https://management.core.windows.net/", "https://management.azure.com/"],
            "tenant": "common",
            "identityProvider": "AAD",
        },
        "suffixes": {
            "keyVaultDns": kv_dns,
            "storage": "localhost",
            "sqlServerHostname": "localhost",
        },
    });
    ok(&body)
}

async fn subscriptions(State(arm): State<Arm>, headers: HeaderMap) -> Response {
    if let Some(denied) = unauthorized(&arm, &headers) {
        return denied;
    }
    ok(&json!({"value": [subscription_body(&arm.tenant)]}))
}

async fn subscription(
    State(arm): State<Arm>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(denied) = unauthorized(&arm, &headers) {
        return denied;
    }
    if id.eq_ignore_ascii_case(SUBSCRIPTION_ID) {
        return ok(&subscription_body(&arm.tenant));
    }
    arm_error(
        StatusCode::NOT_FOUND,
        "SubscriptionNotFound",
        &format!("The subscription '{id}' could not be found."),
    )
}

async fn tenants(State(arm): State<Arm>, headers: HeaderMap) -> Response {
    if let Some(denied) = unauthorized(&arm, &headers) {
        return denied;
    }
    ok(&json!({"value": [{
        "id": format!("/tenants/{}", arm.tenant),
        "tenantId": arm.tenant,
        "tenantCategory": "Home",
        "displayName": "kvconform reference tenant",
        "defaultDomain": "kvconform.localhost",
        "domains": ["kvconform.localhost"],
        "tenantType": "AAD",
    }]}))
}

fn subscription_body(tenant: &str) -> Value {
    json!({
        "id": format!("/subscriptions/{SUBSCRIPTION_ID}"),
        "authorizationSource": "RoleBased",
        "managedByTenants": [],
        "subscriptionId": SUBSCRIPTION_ID,
        "tenantId": tenant,
        "displayName": "kvconform reference subscription",
        "state": "Enabled",
        "subscriptionPolicies": {
            "locationPlacementId": "Public_2014-09-01",
            "quotaId": "PayAsYouGo_2014-09-01",
            "spendingLimit": "Off",
        },
    })
}

/// `None` when the request carries a token the identity endpoint issued.
fn unauthorized(arm: &Arm, headers: &HeaderMap) -> Option<Response> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim());
    match token {
        Some(t) if arm.book.knows(t) => None,
        Some(_) => Some(arm_error(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            "The access token was not issued by this server's identity endpoint.",
        )),
        None => Some(arm_error(
            StatusCode::UNAUTHORIZED,
            "AuthenticationFailed",
            "Authentication failed. The 'Authorization' header is missing.",
        )),
    }
}

fn ok(body: &Value) -> Response {
    (StatusCode::OK, axum::Json(body)).into_response()
}

fn arm_error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({"error": {"code": code, "message": message}});
    (status, axum::Json(body)).into_response()
}
