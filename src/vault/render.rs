//! Store → wire: operations, bundles and lists, with the URLs of the request's host.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::http::Ctx;
use super::model::{
    BundleOut, CertAttributesOut, CertItemOut, DeletedBundleOut, DeletedOut, IssuerName,
    OperationError, OperationOut, PendingRef,
};
use super::quirks::{Quirk, Quirks};
use super::store::{CertEntry, CertVersion, DeletedEntry, IssuerKind, OpState, PendingOp};

/// FACTS cross-cutting: status_details of an inProgress manual operation.
pub(crate) const DETAILS_MANUAL: &str =
    "Pending certificate created. Please Perform Merge to complete the request.";
/// FACTS cross-cutting: status_details of an inProgress `Self` or provider operation.
pub(crate) const DETAILS_PROVIDER: &str = "Pending certificate created. Certificate request is in progress. This may take some time based on the issuer provider. Please check again later.";

/// What a client sees of one operation, and whether `Retry-After` goes with it.
pub(crate) struct RenderedOp {
    pub(crate) body: OperationOut,
    pub(crate) retry_after: bool,
}

pub(crate) fn cert_url(ctx: &Ctx, name: &str) -> String {
    format!("{}/certificates/{name}", ctx.base)
}

pub(crate) fn pending_url(ctx: &Ctx, name: &str) -> String {
    format!("{}/certificates/{name}/pending", ctx.base)
}

/// The CertificateOperation body (FACTS §3), quirks applied.
pub(crate) fn operation(ctx: &Ctx, q: &Quirks, name: &str, op: &PendingOp) -> RenderedOp {
    let in_progress_details = match op.kind {
        IssuerKind::Manual => DETAILS_MANUAL,
        _ => DETAILS_PROVIDER,
    };
    let status_details = match op.state {
        OpState::InProgress => Some(in_progress_details),
        OpState::Completed | OpState::Cancelled if q.has(Quirk::StatusDetailsOnCompleted) => {
            Some(in_progress_details)
        }
        OpState::Failed if q.has(Quirk::FailedWithStatusDetails) => Some(""),
        _ => None,
    };
    let target = (op.state == OpState::Completed).then(|| {
        let url = cert_url(ctx, name);
        if q.has(Quirk::TargetWithQuery) {
            format!("{url}?api-version={}", ctx.api_version)
        } else {
            url
        }
    });
    let camel = q.has(Quirk::CamelCaseRequestId);
    let body = OperationOut {
        id: pending_url(ctx, name),
        issuer: IssuerName {
            name: op.issuer_name.clone(),
        },
        csr: op.csr.clone(),
        cancellation_requested: op.cancellation_requested,
        status: status_word(op.state, q),
        status_details,
        error: failure(op),
        target,
        request_id: (!camel).then(|| op.request_id.clone()),
        request_id_camel: camel.then(|| op.request_id.clone()),
    };
    let retry_after = if op.state == OpState::InProgress {
        !q.has(Quirk::NoRetryAfter)
    } else {
        q.has(Quirk::RetryAfterOnTerminal)
    };
    RenderedOp { body, retry_after }
}

fn status_word(state: OpState, q: &Quirks) -> &'static str {
    match state {
        OpState::InProgress if q.has(Quirk::PascalInProgress) => "InProgress",
        OpState::InProgress => "inProgress",
        OpState::Completed => "completed",
        OpState::Cancelled if q.has(Quirk::CanceledSpelling) => "canceled",
        OpState::Cancelled => "cancelled",
        OpState::Failed => "failed",
    }
}

/// FACTS §2: the DigiCert-with-fake-credentials failure, naming the stored provider.
fn failure(op: &PendingOp) -> Option<OperationError> {
    let IssuerKind::Provider { provider } = &op.kind else {
        return None;
    };
    (op.state == OpState::Failed).then(|| OperationError {
        code: "Request rejected".into(),
        message: format!(
            "The call to {provider} failed with Error code access_denied|access_denied_invalid_key and Message Access denied due to access_denied_invalid_key.. If you have any questions or concerns, please feel free to reach out to {provider} for support at support@digicert.com or 1-801-701-9600."
        ),
    })
}

/// Attributes of one version (FACTS §9: recoveryLevel and recoverableDays of a 2026 vault).
pub(crate) fn attributes(v: &CertVersion) -> CertAttributesOut {
    CertAttributesOut {
        enabled: v.enabled,
        nbf: Some(v.nbf),
        exp: Some(v.exp),
        created: v.created,
        updated: v.updated,
        recovery_level: "Recoverable+Purgeable",
        recoverable_days: 90,
    }
}

/// CertificateBundle of one version; `kid`, `sid`, `x5t` and `cer` only once issued (FACTS §7).
pub(crate) fn bundle(ctx: &Ctx, q: &Quirks, entry: &CertEntry, v: &CertVersion) -> BundleOut {
    let name = &entry.name;
    let issued = v.cert.as_ref();
    let versioned = |kind: &str| format!("{}/{kind}/{name}/{}", ctx.base, v.version);
    let linked = |kind: &str| {
        if q.has(Quirk::UnversionedKid) {
            format!("{}/{kind}/{name}", ctx.base)
        } else {
            versioned(kind)
        }
    };
    BundleOut {
        id: versioned("certificates"),
        kid: issued.map(|_| linked("keys")),
        sid: issued.map(|_| linked("secrets")),
        x5t: issued.map(|c| super::crypto::thumbprint(&c.der, q.has(Quirk::X5tPadded))),
        cer: issued.map(|c| STANDARD.encode(&c.der)),
        attributes: attributes(v),
        tags: v.tags.clone(),
        policy: entry
            .policy
            .render(format!("{}/policy", cert_url(ctx, name))),
        pending: entry.pending.as_ref().map(|_| PendingRef {
            id: pending_url(ctx, name),
        }),
    }
}

/// DeletedCertificateBundle of the latest version.
pub(crate) fn deleted_bundle(ctx: &Ctx, q: &Quirks, d: &DeletedEntry) -> Option<DeletedBundleOut> {
    let latest = d.entry.latest()?;
    Some(deleted(ctx, d, bundle(ctx, q, &d.entry, latest)))
}

/// `inner` (a bundle or a list item of `d`) with the recovery fields of `d`.
pub(crate) fn deleted<T>(ctx: &Ctx, d: &DeletedEntry, inner: T) -> DeletedOut<T> {
    DeletedOut {
        recovery_id: format!("{}/deletedcertificates/{}", ctx.base, d.entry.name),
        deleted_date: d.deleted_date,
        scheduled_purge_date: d.scheduled_purge_date,
        inner,
    }
}

/// A list item (FACTS §1: unversioned id, empty subject).
pub(crate) fn item(q: &Quirks, id: String, v: &CertVersion) -> CertItemOut {
    CertItemOut {
        id,
        x5t: v
            .cert
            .as_ref()
            .map(|c| super::crypto::thumbprint(&c.der, q.has(Quirk::X5tPadded))),
        attributes: attributes(v),
        tags: v.tags.clone(),
        subject: String::new(),
    }
}
