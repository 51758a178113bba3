//! The lifecycle rules as the real service runs them (FACTS §1–§10): every write to the store
//! goes through this module (pending operations here, certificates in `certs`, issuers in
//! `issuers`); handlers only read, or call these.
//!
//! Time-based transitions (`Self` completes, providers fail, cancellations land) are computed
//! lazily whenever an operation is read, from the instants stored in it: deterministic, and no
//! background task is needed.

use std::time::Instant;

use axum::http::StatusCode;

use super::config::VaultConfig;
use super::crypto::{self, CertInfo, PublicKey};
use super::errors::KvError;
use super::model::Tags;
use super::policy::Policy;
use super::quirks::{Quirk, Quirks};
use super::store::{CertEntry, CertVersion, IssuerKind, OpState, PendingOp, Store, key_of};

mod certs;
mod issuers;

pub(crate) use certs::{delete, import, purge, recover, update_version};
pub(crate) use issuers::{delete_issuer, patch_issuer, put_issuer};

/// The configuration the lifecycle rules depend on.
#[derive(Clone, Copy)]
pub(crate) struct Rules<'a> {
    pub(crate) config: &'a VaultConfig,
    pub(crate) quirks: &'a Quirks,
}

impl Rules<'_> {
    fn has(&self, quirk: Quirk) -> bool {
        self.quirks.has(quirk)
    }
}

/// Applies the transition that is due, if any. A requested cancellation always wins over
/// completion or failure: the PATCH was accepted, so its outcome is deterministic.
pub(crate) fn advance(entry: &mut CertEntry, now: Instant, rules: Rules<'_>) {
    let Some(op) = entry.pending.as_mut() else {
        return;
    };
    if op.state != OpState::InProgress || op.kind == IssuerKind::Manual {
        return;
    }
    let c = rules.config;
    if let Some(at) = op.cancel_requested_at {
        if now >= at + c.cancel_delay {
            op.state = OpState::Cancelled;
            // The fault: the cancelled request's certificate is issued all the same.
            let issued = op.issued.clone();
            let version = op.version.clone();
            if rules.has(Quirk::IssuedDespiteCancel)
                && let (Some(cert), Some(v)) = (issued, entry.version_mut(&version))
            {
                issue(v, cert, None, None, unix_now());
            }
        }
        return;
    }
    match op.kind {
        IssuerKind::SelfSigned
            if !rules.has(Quirk::SelfNeverCompletes) && now >= op.started + c.self_delay =>
        {
            let issued = op.issued.clone();
            let version = op.version.clone();
            op.state = OpState::Completed;
            if let (Some(cert), Some(v)) = (issued, entry.version_mut(&version)) {
                issue(v, cert, None, None, unix_now());
            }
        }
        IssuerKind::Provider { .. } if now >= op.started + c.provider_delay => {
            op.state = OpState::Failed;
        }
        _ => {}
    }
}

/// Fills a version with its certificate.
fn issue(v: &mut CertVersion, cert: CertInfo, enabled: Option<bool>, tags: Option<Tags>, now: i64) {
    v.nbf = cert.nbf;
    v.exp = cert.exp;
    v.cert = Some(cert);
    v.enabled = enabled.unwrap_or(v.enable_on_issue);
    v.updated = now;
    if tags.is_some() {
        v.tags = tags;
    }
}

pub(crate) fn unix_now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// The entry of `name`, with due transitions applied.
pub(crate) fn entry<'s>(
    store: &'s mut Store,
    name: &str,
    rules: Rules<'_>,
) -> Option<&'s mut CertEntry> {
    let entry = store.certs.get_mut(&key_of(name))?;
    advance(entry, Instant::now(), rules);
    Some(entry)
}

/// Refuses a create or import: the name is soft-deleted, or an operation is in progress
/// (409, the doc's body; FACTS §5: unverified on the real service).
pub(crate) fn check_no_conflict(
    store: &mut Store,
    name: &str,
    rules: Rules<'_>,
    overwrite: bool,
) -> Result<(), KvError> {
    if store.deleted.contains_key(&key_of(name)) {
        if !rules.has(Quirk::CreateOverDeleted) {
            return Err(KvError::deleted_but_recoverable(name));
        }
        store.deleted.remove(&key_of(name));
    }
    let busy = entry(store, name, rules)
        .and_then(|e| e.pending.as_ref())
        .is_some_and(|op| op.state == OpState::InProgress);
    if busy && !overwrite {
        let code = if rules.has(Quirk::ConflictCode) {
            "Conflict"
        } else {
            "Forbidden"
        };
        return Err(KvError::new(
            StatusCode::CONFLICT,
            code,
            "A new key vault certificate can not be created or imported while a pending key vault certificate's status is inProgress.",
        ));
    }
    Ok(())
}

/// What a create has prepared outside the lock: the new operation's material.
pub(crate) struct NewOp {
    pub(crate) request_id: String,
    pub(crate) version: String,
    pub(crate) issuer_name: String,
    pub(crate) kind: IssuerKind,
    /// The PKCS#10 request, base64 DER (encoded once: every GET of the operation sends it).
    pub(crate) csr: String,
    pub(crate) key: PublicKey,
    pub(crate) issued: Option<CertInfo>,
    pub(crate) policy: Policy,
    pub(crate) enable_on_issue: bool,
    pub(crate) tags: Option<Tags>,
}

/// Starts an operation: a new disabled version and a fresh `inProgress` operation that
/// replaces any terminal one (FACTS: a create after a terminal state overwrites).
pub(crate) fn start<'s>(
    store: &'s mut Store,
    name: &str,
    new: NewOp,
    rules: Rules<'_>,
) -> Result<&'s mut CertEntry, KvError> {
    let overwrite = rules.has(Quirk::OverwriteOnCreate);
    check_no_conflict(store, name, rules, overwrite)?;
    let now = unix_now();
    let validity = new.policy.body.x509_props.validity_months;
    let created = time::OffsetDateTime::from_unix_timestamp(now)
        .map_err(|e| KvError::internal(e.to_string()))?;
    let version = CertVersion {
        version: new.version.clone(),
        enabled: false,
        created: now,
        updated: now,
        nbf: now - 600,
        exp: crypto::add_months(created, validity).unix_timestamp(),
        cert: None,
        tags: new.tags,
        enable_on_issue: new.enable_on_issue,
    };
    let op = PendingOp {
        request_id: new.request_id,
        issuer_name: new.issuer_name,
        kind: new.kind,
        csr: new.csr,
        key: new.key,
        version: new.version,
        cancellation_requested: false,
        state: OpState::InProgress,
        started: Instant::now(),
        cancel_requested_at: None,
        issued: new.issued,
    };
    let entry = add_version(store, name, new.policy, version);
    entry.pending = Some(op);
    Ok(entry)
}

/// Adds `version` to the certificate `name` (made if new), whose policy becomes `policy`.
fn add_version<'s>(
    store: &'s mut Store,
    name: &str,
    policy: Policy,
    version: CertVersion,
) -> &'s mut CertEntry {
    let entry = store
        .certs
        .entry(key_of(name))
        .or_insert_with(|| CertEntry {
            name: name.to_owned(),
            versions: Vec::new(),
            policy: policy.clone(),
            pending: None,
        });
    entry.policy = policy;
    entry.versions.push(version);
    entry
}

/// The entry whose pending operation answers to `name` and the optional `request_id` filter
/// (the doc's filter, FACTS §10; a mismatch is the same 404 as no operation).
pub(crate) fn with_op<'s>(
    store: &'s mut Store,
    name: &str,
    request_id: Option<&str>,
    rules: Rules<'_>,
) -> Result<&'s mut CertEntry, KvError> {
    let ignore_filter = rules.has(Quirk::IgnoreRequestId);
    match entry(store, name, rules) {
        Some(e) => match &e.pending {
            Some(op) if ignore_filter || request_id.is_none_or(|r| r == op.request_id) => Ok(e),
            _ => Err(KvError::pending_not_found(name)),
        },
        None => Err(KvError::pending_not_found(name)),
    }
}

/// PATCH `{"cancellation_requested": true}` (FACTS §7).
pub(crate) fn cancel(
    entry: &mut CertEntry,
    requested: bool,
    rules: Rules<'_>,
) -> Result<(), KvError> {
    let Some(op) = entry.pending.as_mut() else {
        return Err(KvError::pending_not_found(&entry.name));
    };
    if op.state != OpState::InProgress && !rules.has(Quirk::LateCancelAllowed) {
        let message = "Pending status must be in progress to allow update.";
        return Err(if rules.has(Quirk::Cancel400) {
            KvError::bad_parameter(message)
        } else {
            KvError::forbidden(message)
        });
    }
    if !requested || op.cancellation_requested {
        return Ok(());
    }
    op.cancellation_requested = true;
    if op.state == OpState::InProgress {
        op.cancel_requested_at = Some(Instant::now());
        if rules.has(Quirk::CancelImmediately) {
            op.state = OpState::Cancelled;
        }
    }
    Ok(())
}

/// DELETE pending (FACTS §8): the operation goes; the certificate version it made stays
/// behind, disabled, as after a cancelled `Self` operation (FACTS §7, S3).
pub(crate) fn delete_op(entry: &mut CertEntry) -> Option<PendingOp> {
    entry.pending.take()
}

/// Merge (FACTS §6, §9): checks the operation, then the chain's leaf against the pending key.
/// `chain` was decoded before the lock; its error is reported only once the operation exists.
/// Returns the version that now holds the certificate.
pub(crate) fn merge(
    entry: &mut CertEntry,
    chain: Result<Vec<CertInfo>, KvError>,
    enabled: Option<bool>,
    tags: Option<Tags>,
    rules: Rules<'_>,
) -> Result<String, KvError> {
    let Some(op) = entry.pending.as_ref() else {
        return Err(KvError::pending_not_found(&entry.name));
    };
    check_mergeable(op, rules)?;
    let chain = chain?;
    let leaf = crypto::leaf(&chain).ok_or_else(|| {
        KvError::bad_parameter("Unable to parse X5c certificate chain and locate leaf certificate")
    })?;
    if !leaf.matches(&op.key) && !rules.has(Quirk::NoMergeKeyCheck) {
        return Err(KvError::bad_parameter(
            "The public key of the end-entity certificate in the specified X.509 certificate content does not match the public part of the specified private key. Please check if certificate is valid.",
        ));
    }
    let leaf = leaf.clone();
    let version = op.version.clone();
    if let Some(v) = entry.version_mut(&version) {
        issue(v, leaf, enabled, tags, unix_now());
    }
    if rules.has(Quirk::PendingGoneAfterMerge) {
        entry.pending = None;
    } else if let Some(op) = entry.pending.as_mut() {
        op.state = OpState::Completed;
    }
    Ok(version)
}

fn check_mergeable(op: &PendingOp, rules: Rules<'_>) -> Result<(), KvError> {
    if op.kind != IssuerKind::Manual
        && op.state == OpState::InProgress
        && !rules.has(Quirk::MergeWithIssuerAllowed)
    {
        // The doc's words, typo included (FACTS §6: never observed on the service).
        return Err(KvError::forbidden(format!(
            "Merge is forbidden on pending object created with issuer : {} while it is in progess.",
            op.issuer_name
        )));
    }
    if op.state != OpState::InProgress {
        // INF: the service's wording for a late PATCH, applied to a late merge.
        return Err(KvError::forbidden(
            "Pending status must be in progress to allow merge.",
        ));
    }
    Ok(())
}
