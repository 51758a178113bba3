//! Request and response plumbing: the per-request context (base URL, api-version, query),
//! JSON bodies with Key Vault errors, and name validation.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::errors::{JSON_UTF8, KvError};
use super::state::AppState;

/// Largest request body accepted (an x5c chain or PEM import is a few KiB).
pub(crate) const BODY_LIMIT: usize = 1 << 20;

/// What every handler needs to know about the request it answers, and the vault answering it.
pub(crate) struct Ctx {
    pub(crate) vault: AppState,
    /// `scheme://host[:port]` from the `Host` header: ids and URLs are built on it.
    pub(crate) base: String,
    pub(crate) api_version: String,
    pub(crate) query: HashMap<String, String>,
}

impl Ctx {
    pub(crate) fn param(&self, key: &str) -> Option<&str> {
        self.query.get(key).map(String::as_str)
    }
}

/// The query string as a map; a malformed query is a 400.
pub(crate) fn query_of(uri: &axum::http::Uri) -> Result<HashMap<String, String>, KvError> {
    Query::<HashMap<String, String>>::try_from_uri(uri)
        .map(|Query(q)| q)
        .map_err(|_| KvError::bad_parameter("The request query string is malformed."))
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = KvError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, KvError> {
        let query = query_of(&parts.uri)?;
        let host = parts
            .headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .map(str::to_owned)
            .or_else(|| parts.uri.authority().map(|a| a.to_string()))
            .filter(|h| is_host(h))
            .unwrap_or_else(|| "localhost".into());
        Ok(Ctx {
            vault: state.clone(),
            base: format!("{}://{host}", state.scheme),
            api_version: query.get("api-version").cloned().unwrap_or_default(),
            query,
        })
    }
}

/// A plausible `host[:port]`: keeps header junk out of the URLs the vault hands out.
fn is_host(h: &str) -> bool {
    !h.is_empty()
        && h.len() <= 255
        && h.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']' | '_'))
}

/// A JSON request body; every failure is a Key Vault error (400, or 413 when too large).
pub(crate) struct KvJson<T>(pub(crate) T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for KvJson<T> {
    type Rejection = KvError;

    async fn from_request(req: Request, state: &S) -> Result<Self, KvError> {
        let bytes = Bytes::from_request(req, state).await.map_err(body_error)?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(KvError::bad_parameter("The request body is missing."));
        }
        serde_json::from_slice(&bytes)
            .map(KvJson)
            .map_err(|e| KvError::bad_parameter(format!("The request body is not valid: {e}")))
    }
}

fn body_error(rejection: BytesRejection) -> KvError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        KvError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "RequestBodyTooLarge",
            format!("The request body is larger than {BODY_LIMIT} bytes."),
        )
    } else {
        KvError::bad_parameter("The request body could not be read.")
    }
}

/// Key Vault object names: 1–127 of `[0-9a-zA-Z-]` (the spec's pattern).
pub(crate) fn check_name(kind: &str, name: &str) -> Result<(), KvError> {
    let ok = (1..=127).contains(&name.len())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(KvError::bad_parameter(format!(
            "The request URI contains an invalid name: {kind} names must be 1-127 characters of 0-9, a-z, A-Z and -."
        )))
    }
}

/// A JSON response with the service's content type.
pub(crate) fn json<T: Serialize>(status: StatusCode, body: &T) -> Response {
    match serde_json::to_string(body) {
        Ok(text) => {
            let mut response = (status, text).into_response();
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8));
            response
        }
        Err(e) => KvError::internal(format!("serialisation failed: {e}")).into_response(),
    }
}

/// Adds a header whose value the vault built itself (skipped if it is not a valid value).
pub(crate) fn with_header(mut response: Response, name: &'static str, value: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(value) {
        response.headers_mut().insert(name, v);
    }
    response
}
