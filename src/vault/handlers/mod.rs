//! HTTP handlers, one module per resource: pending operations, certificates, issuers.
//! Every handler takes the request context ([`Ctx`], which holds the vault) and, on named
//! routes, the raw path (so that a body error is still reported before a name error).

pub(crate) mod certs;
pub(crate) mod issuers;
pub(crate) mod pending;

use axum::extract::Path;
use axum::extract::rejection::PathRejection;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;

use super::errors::KvError;
use super::http::{check_name, json};
use super::model::ListOut;

/// A route's path parameters as axum hands them over; checked in the handler.
pub(crate) type RawPath<T = String> = Result<Path<T>, PathRejection>;

/// What a handler that can fail answers.
pub(crate) type Answer = Result<Response, KvError>;

/// The parameters of a path; one axum cannot read is the service's 400.
fn params<T>(path: RawPath<T>) -> Result<T, KvError> {
    let Path(params) = path.map_err(|_| KvError::bad_parameter("The request URI is invalid."))?;
    Ok(params)
}

/// A `{name}` of `kind` (`certificate`, `issuer`), checked against the spec's pattern;
/// `allow_underscore` is the `lenient-names` quirk.
fn named(kind: &str, path: RawPath, allow_underscore: bool) -> Result<String, KvError> {
    let name = params(path)?;
    if allow_underscore {
        check_name(kind, &name.replace('_', "-"))?;
    } else {
        check_name(kind, &name)?;
    }
    Ok(name)
}

/// The validated certificate name of a `/certificates/{name}/…` path.
pub(crate) fn cert_name(path: RawPath) -> Result<String, KvError> {
    named("certificate", path, false)
}

/// 200 with a JSON body.
fn ok<T: Serialize>(body: &T) -> Response {
    json(StatusCode::OK, body)
}

/// 200 with a list: one page, as the vault never pages.
fn page<T: Serialize>(value: Vec<T>) -> Response {
    ok(&ListOut {
        value,
        next_link: None,
    })
}

fn join_error(e: tokio::task::JoinError) -> KvError {
    KvError::internal(format!("background task failed: {e}"))
}
