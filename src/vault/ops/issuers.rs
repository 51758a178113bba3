//! Issuer writes (`/certificates/issuers/{name}`, FACTS §2, S20).

use super::unix_now;
use crate::vault::errors::KvError;
use crate::vault::model::IssuerRequest;
use crate::vault::store::{IssuerEntry, Store, key_of};

/// Applies a request's fields to an issuer (PUT replaces them, PATCH only sets those given).
fn apply(i: &mut IssuerEntry, req: IssuerRequest, replace: bool) {
    if let Some(p) = req.provider {
        i.provider = p;
    }
    if replace || req.credentials.is_some() {
        i.account_id = req.credentials.and_then(|c| c.account_id);
    }
    if replace || req.org_details.is_some() {
        let org = req.org_details.unwrap_or_default();
        i.org_id = org.id;
        i.admin_details = org.admin_details;
    }
    if let Some(enabled) = req.attributes.and_then(|a| a.enabled) {
        i.enabled = enabled;
    }
    i.updated = unix_now();
}

/// PUT: creates or replaces the issuer; a provider is required.
pub(crate) fn put_issuer<'s>(
    store: &'s mut Store,
    name: &str,
    req: IssuerRequest,
) -> Result<&'s IssuerEntry, KvError> {
    if req.provider.as_deref().is_none_or(str::is_empty) {
        return Err(KvError::bad_parameter("Property provider is required."));
    }
    let now = unix_now();
    let issuer = store
        .issuers
        .entry(key_of(name))
        .or_insert_with(|| IssuerEntry {
            name: name.to_owned(),
            provider: String::new(),
            account_id: None,
            org_id: None,
            admin_details: None,
            enabled: true,
            created: now,
            updated: now,
        });
    apply(issuer, req, true);
    Ok(issuer)
}

/// PATCH: updates the fields given of an existing issuer.
pub(crate) fn patch_issuer<'s>(
    store: &'s mut Store,
    name: &str,
    req: IssuerRequest,
) -> Result<&'s IssuerEntry, KvError> {
    let issuer = store
        .issuers
        .get_mut(&key_of(name))
        .ok_or_else(KvError::issuer_not_found)?;
    apply(issuer, req, false);
    Ok(issuer)
}

/// DELETE: the issuer, as it was.
pub(crate) fn delete_issuer(store: &mut Store, name: &str) -> Result<IssuerEntry, KvError> {
    store
        .issuers
        .remove(&key_of(name))
        .ok_or_else(KvError::issuer_not_found)
}
