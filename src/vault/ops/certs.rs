//! Certificate writes: import, attribute updates, soft delete, recover and purge.

use super::{Rules, add_version, check_no_conflict, entry, issue, unix_now};
use crate::vault::crypto::{self, CertInfo};
use crate::vault::errors::KvError;
use crate::vault::model::Tags;
use crate::vault::policy::Policy;
use crate::vault::quirks::Quirk;
use crate::vault::store::{CertEntry, CertVersion, DeletedEntry, Store, key_of};

/// Soft-deleted certificates are kept 90 days (recoverableDays).
const RETENTION_SECS: i64 = 90 * 24 * 3600;

/// Import (FACTS §5: refused with 409 while an operation is in progress): a new enabled
/// version holding the imported certificate. The pending operation is left as it is.
pub(crate) fn import<'s>(
    store: &'s mut Store,
    name: &str,
    policy: Policy,
    cert: CertInfo,
    enabled: Option<bool>,
    tags: Option<Tags>,
    rules: Rules<'_>,
) -> Result<&'s mut CertEntry, KvError> {
    check_no_conflict(store, name, rules, rules.has(Quirk::ImportIgnoresPending))?;
    let now = unix_now();
    let version = CertVersion {
        version: hex::encode(crypto::random_bytes::<16>()),
        enabled: false,
        created: now,
        updated: now,
        nbf: cert.nbf,
        exp: cert.exp,
        cert: None,
        tags: None,
        enable_on_issue: enabled.unwrap_or(true),
    };
    let entry = add_version(store, name, policy, version);
    if let Some(v) = entry.versions.last_mut() {
        issue(v, cert, None, tags, now);
    }
    Ok(entry)
}

/// PATCH `/certificates/{name}[/{version}]`: sets `enabled` and tags of one version (the
/// latest when `version` is `None`). Returns the version id it changed.
pub(crate) fn update_version(
    entry: &mut CertEntry,
    version: Option<&str>,
    enabled: Option<bool>,
    tags: Option<Tags>,
) -> Option<String> {
    let id = match version {
        Some(v) => entry.version(v)?.version.clone(),
        None => entry.latest()?.version.clone(),
    };
    let v = entry.version_mut(&id)?;
    if let Some(enabled) = enabled {
        v.enabled = enabled;
    }
    if tags.is_some() {
        v.tags = tags;
    }
    v.updated = unix_now();
    Some(id)
}

/// DELETE `/certificates/{name}`: the certificate moves to the deleted ones, and its pending
/// operation goes with it (the vault's choice: FACTS has no recording of it).
pub(crate) fn delete<'s>(
    store: &'s mut Store,
    name: &str,
    rules: Rules<'_>,
) -> Result<&'s DeletedEntry, KvError> {
    entry(store, name, rules);
    let mut cert = store
        .certs
        .remove(&key_of(name))
        .ok_or_else(|| KvError::cert_not_found(name))?;
    cert.pending = None;
    let now = unix_now();
    let deleted = DeletedEntry {
        entry: cert,
        deleted_date: now,
        scheduled_purge_date: now + RETENTION_SECS,
    };
    let key = key_of(name);
    store.deleted.insert(key.clone(), deleted);
    store
        .deleted
        .get(&key)
        .ok_or_else(|| KvError::internal("deleted entry vanished"))
}

/// The soft-deleted certificate `name`, out of the deleted ones (404 when there is none).
fn take_deleted(store: &mut Store, name: &str) -> Result<DeletedEntry, KvError> {
    store
        .deleted
        .remove(&key_of(name))
        .ok_or_else(|| KvError::deleted_cert_not_found(name))
}

/// DELETE `/deletedcertificates/{name}`: gone for good.
pub(crate) fn purge(store: &mut Store, name: &str) -> Result<(), KvError> {
    take_deleted(store, name).map(|_| ())
}

/// POST `/deletedcertificates/{name}/recover`: the certificate is back under its name.
pub(crate) fn recover<'s>(store: &'s mut Store, name: &str) -> Result<&'s CertEntry, KvError> {
    let deleted = take_deleted(store, name)?;
    Ok(store.certs.entry(key_of(name)).or_insert(deleted.entry))
}
