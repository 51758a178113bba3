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
    /// `error.innererror.code`, which the service adds to some errors (a soft-deleted name).
    pub(crate) inner: Option<String>,
}

/// Attached to error responses so the quirk layer can re-render them without parsing JSON.
#[derive(Debug, Clone)]
pub(crate) struct ErrorInfo {
    pub(crate) code: String,
    pub(crate) message: String,
    pub(crate) inner: Option<String>,
}

#[derive(Serialize)]
pub(crate) struct ErrorBody<'a> {
    pub(crate) code: &'a str,
    pub(crate) message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) innererror: Option<InnerError<'a>>,
}

#[derive(Serialize)]
pub(crate) struct InnerError<'a> {
    pub(crate) code: &'a str,
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
            inner: None,
        }
    }

    /// The same error with `innererror: {"code": inner}`.
    pub(crate) fn with_inner(mut self, inner: &str) -> Self {
        self.inner = Some(inner.to_owned());
        self
    }

    /// Create or import under a name that is deleted but recoverable: 409 `Conflict` with
    /// inner code `ObjectIsDeletedButRecoverable`, the wording of real service logs quoted
    /// in pulumi/pulumi#14245 (import, 2023) and rcl-letsencrypt-auto-ssl/Lets-Encrypt-Auto#16
    /// (create, 2020).
    pub(crate) fn deleted_but_recoverable(name: &str) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "Conflict",
            format!(
                "Certificate {name} is currently in a deleted but recoverable state, and its name \
                 cannot be reused; in this state, the certificate can only be recovered or purged."
            ),
        )
        .with_inner("ObjectIsDeletedButRecoverable")
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
    pub(crate) fn body_json(code: &str, message: &str, inner: Option<&str>, flat: bool) -> String {
        let error = ErrorBody {
            code,
            message,
            innererror: inner.map(|code| InnerError { code }),
        };
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
        let body = Self::body_json(&self.code, &self.message, self.inner.as_deref(), false);
        let mut response = (self.status, body).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8));
        response.extensions_mut().insert(ErrorInfo {
            code: self.code,
            message: self.message,
            inner: self.inner,
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
        let body = KvError::body_json(&e.code, &e.message, None, false);
        assert_eq!(
            body,
            r#"{"error":{"code":"PendingCertificateNotFound","message":"Pending Certificate not found: livekvtestasyncCanceledDeletedCert63d23dcd"}}"#
        );
        assert_eq!(body.len(), 133);
    }

    #[test]
    fn cert_not_found_has_the_recorded_length() {
        let e = KvError::cert_not_found("cert-that-does-not-exist");
        assert_eq!(
            KvError::body_json(&e.code, &e.message, None, false).len(),
            336
        );
    }

    #[test]
    fn deleted_but_recoverable_has_the_logged_shape() {
        let e = KvError::deleted_but_recoverable("hotsqa");
        assert_eq!(
            KvError::body_json(&e.code, &e.message, e.inner.as_deref(), false),
            r#"{"error":{"code":"Conflict","message":"Certificate hotsqa is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the certificate can only be recovered or purged.","innererror":{"code":"ObjectIsDeletedButRecoverable"}}}"#
        );
    }
}
