//! HTTP handlers, one module per resource: pending operations, certificates, issuers.

pub(crate) mod certs;
pub(crate) mod issuers;
pub(crate) mod pending;

use axum::extract::Path;
use axum::extract::rejection::PathRejection;

use super::errors::KvError;
use super::http::check_name;

/// The validated certificate name of a `/certificates/{name}/…` path.
pub(crate) fn cert_name(path: Result<Path<String>, PathRejection>) -> Result<String, KvError> {
    let Path(name) = path.map_err(|_| KvError::bad_parameter("The request URI is invalid."))?;
    check_name("certificate", &name)?;
    Ok(name)
}

fn join_error(e: tokio::task::JoinError) -> KvError {
    KvError::internal(format!("background task failed: {e}"))
}
