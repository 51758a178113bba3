//! Key Vault error bodies: every failure the vault reports is one `KvError`, rendered as
//! `{"error":{"code":…,"message":…}}` with `application/json; charset=utf-8`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// The JSON content type the real service sends on every body.
pub(crate) const JSON_UTF8: &str = "application/json; charset=utf-8";

/// Code of the 404 for a missing pending operation (kept apart: a quirk rewrites it).
pub(crate) const PENDING_NOT_FOUND: &str = "PendingCertificateNotFound";

/// One Key Vault error: HTTP status, `error.code` and `error.message`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{status} {code}: {message}")]
pub(crate) struct KvError {
    pub(crate) status: StatusCode,
    pub(crate) code: String,
    pub(crate) message: String,
}

/// Attached to error responses so the quirk layer can re-render them without parsing JSON.
#[derive(Debug, Clone)]
pub(crate) struct ErrorInfo {
    pub(crate) code: String,
    pub(crate) message: String,
}

#[derive(Serialize)]
pub(crate) struct ErrorBody<'a> {
    pub(crate) code: &'a str,
    pub(crate) message: &'a str,
}

#[derive(Serialize)]
struct Wrapped<'a> {
    error: ErrorBody<'a>,
}

impl KvError {
    pub(crate) fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            code: code.to_owned(),
            message: message.into(),
        }
    }

    pub(crate) fn bad_parameter(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BadParameter", message)
    }

    pub(crate) fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "Forbidden", message)
    }

    /// 2025+ wording ("Pending Certificate", capital C), FACTS §4.
    pub(crate) fn pending_not_found(name: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            PENDING_NOT_FOUND,
            format!("Pending Certificate not found: {name}"),
        )
    }

    /// The 2026 wording, FACTS §11 notes (S20).
    pub(crate) fn cert_not_found(name: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "CertificateNotFound",
            format!(
                "A certificate with (name/id) {name} was not found in this key vault. If you \
                 recently deleted this certificate you may be able to recover it using the correct \
                 recovery command. For help resolving this issue, please see \
                 https://go.microsoft.com/fwlink/?linkid=2125182"
            ),
        )
    }

    /// FACTS §4 (S14): what the service says for a missing deleted certificate.
    pub(crate) fn deleted_cert_not_found(name: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "CertificateNotFound",
            format!("Deleted Certificate not found: {name}"),
        )
    }

    /// FACTS §11 notes (S20).
    pub(crate) fn issuer_not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "CertificateIssuerNotFound",
            "Issuer not found",
        )
    }

    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "InternalError", message)
    }

    /// Renders the body in the real shape, or flat (`flat-error-body` quirk).
    pub(crate) fn body_json(code: &str, message: &str, flat: bool) -> String {
        let error = ErrorBody { code, message };
        let rendered = if flat {
            serde_json::to_string(&error)
        } else {
            serde_json::to_string(&Wrapped { error })
        };
        // Serialising two strings cannot fail; keep a valid body even if it did.
        rendered.unwrap_or_else(|_| String::from(r#"{"error":{"code":"InternalError"}}"#))
    }
}

impl IntoResponse for KvError {
    fn into_response(self) -> Response {
        let body = Self::body_json(&self.code, &self.message, false);
        let mut response = (self.status, body).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8));
        response.extensions_mut().insert(ErrorInfo {
            code: self.code,
            message: self.message,
        });
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pending_not_found_matches_the_2026_recording() {
        let e = KvError::pending_not_found("livekvtestasyncCanceledDeletedCert63d23dcd");
        let body = KvError::body_json(&e.code, &e.message, false);
        assert_eq!(
            body,
            r#"{"error":{"code":"PendingCertificateNotFound","message":"Pending Certificate not found: livekvtestasyncCanceledDeletedCert63d23dcd"}}"#
        );
        assert_eq!(body.len(), 133);
    }

    #[test]
    fn cert_not_found_has_the_recorded_length() {
        let e = KvError::cert_not_found("cert-that-does-not-exist");
        assert_eq!(KvError::body_json(&e.code, &e.message, false).len(), 336);
    }
}
