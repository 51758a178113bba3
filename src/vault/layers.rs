//! Response shaping shared by every route: the service's common headers, the error-body and
//! content-type quirks, and Key Vault errors for unknown routes and methods.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::errors::{ErrorInfo, JSON_UTF8, KvError, PENDING_NOT_FOUND};
use super::quirks::Quirk;
use super::state::{AppState, Vault};

/// Every response on its way out (outside auth): the error-body quirks, then the content-type
/// quirks, then the service's common headers.
pub(crate) async fn shape_response(
    State(vault): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let response = error_quirks(&vault, next.run(request).await);
    let response = content_type_quirk(&vault, response);
    common_headers(&vault, response)
}

/// Headers the real service sends on every response (FACTS §11 lists them on the 401),
/// added when absent.
fn common_headers(vault: &Vault, mut response: Response) -> Response {
    if vault.quirks.has(Quirk::BareChallenge) && response.status() == StatusCode::UNAUTHORIZED {
        return response;
    }
    let request_id = hex::encode(super::crypto::random_bytes::<16>());
    let headers = response.headers_mut();
    let fixed: [(&str, &str); 8] = [
        ("cache-control", "no-cache"),
        ("pragma", "no-cache"),
        ("expires", "-1"),
        ("x-content-type-options", "nosniff"),
        (
            "strict-transport-security",
            "max-age=31536000;includeSubDomains",
        ),
        ("x-ms-keyvault-service-version", "1.9.3070.1"),
        ("x-ms-keyvault-region", "kvconform-reference"),
        (
            "x-ms-keyvault-network-info",
            "conn_type=Ipv4;addr=127.0.0.1;act_addr_fam=InterNetwork;",
        ),
    ];
    for (name, value) in fixed {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    }
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        headers.entry("x-ms-request-id").or_insert(v);
    }
    response
}

/// Re-renders error bodies for `flat-error-body`, `wrong-not-found-code` and
/// `short-cert-not-found`.
fn error_quirks(vault: &Vault, response: Response) -> Response {
    let flat = vault.quirks.has(Quirk::FlatErrorBody);
    let wrong_code = vault.quirks.has(Quirk::WrongNotFoundCode);
    let Some(info) = response.extensions().get::<ErrorInfo>().cloned() else {
        return response;
    };
    let code = if wrong_code && info.code == PENDING_NOT_FOUND {
        "NotFound"
    } else {
        info.code.as_str()
    };
    let message = short_message(vault, &info.message);
    if !flat && code == info.code && message == info.message {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts
        .headers
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8));
    let body = KvError::body_json(code, &message, info.inner.as_deref(), flat);
    Response::from_parts(parts, Body::from(body))
}

/// `short-cert-not-found`: the 2026 "A certificate with (name/id) X was not found …" becomes
/// "Certificate not found: X".
fn short_message(vault: &Vault, message: &str) -> String {
    let name = message
        .strip_prefix("A certificate with (name/id) ")
        .and_then(|rest| rest.split_once(" was not found"))
        .map(|(name, _)| name);
    match name {
        Some(name) if vault.quirks.has(Quirk::ShortCertNotFound) => {
            format!("Certificate not found: {name}")
        }
        _ => message.to_owned(),
    }
}

/// Relabels every body as `text/plain` for `text-plain-content-type`, or drops the charset
/// for `json-without-charset`.
fn content_type_quirk(vault: &Vault, mut response: Response) -> Response {
    if vault.quirks.has(Quirk::TextPlainContentType) {
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
    } else if vault.quirks.has(Quirk::JsonWithoutCharset)
        && response.headers().get(header::CONTENT_TYPE)
            == Some(&HeaderValue::from_static(JSON_UTF8))
    {
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
    }
    response
}

/// Unknown route → 404 in the Key Vault error shape.
pub(crate) async fn not_found() -> KvError {
    KvError::new(
        StatusCode::NOT_FOUND,
        "NotFound",
        "The requested URI does not represent any resource on the server.",
    )
}

/// Known route, unsupported method → 405 in the Key Vault error shape.
pub(crate) async fn method_not_allowed(method: Method) -> Response {
    KvError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "MethodNotAllowed",
        format!("The requested resource does not support http method '{method}'."),
    )
    .into_response()
}
