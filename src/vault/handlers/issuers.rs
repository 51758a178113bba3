//! `/certificates/issuers[/{name}]`: the issuers a create may name (FACTS §2, S20).

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use crate::vault::errors::KvError;
use crate::vault::http::{Ctx, KvJson, check_name, json};
use crate::vault::model::{
    CredentialsOut, IssuerBundleOut, IssuerItemOut, IssuerRequest, ListOut, OrgDetailsOut,
    PolicyAttributes,
};
use crate::vault::ops::unix_now;
use crate::vault::state::AppState;
use crate::vault::store::{IssuerEntry, key_of};

type IssuerPath = Result<Path<String>, PathRejection>;

fn issuer_name(path: IssuerPath) -> Result<String, KvError> {
    let Path(name) = path.map_err(|_| KvError::bad_parameter("The request URI is invalid."))?;
    check_name("issuer", &name)?;
    Ok(name)
}

/// The IssuerBundle the service returns: no `pwd`, `org_details.zip: 0` added.
fn bundle(ctx: &Ctx, i: &IssuerEntry) -> IssuerBundleOut {
    IssuerBundleOut {
        id: format!("{}/certificates/issuers/{}", ctx.base, i.name),
        provider: i.provider.clone(),
        credentials: i.account_id.as_ref().map(|a| CredentialsOut {
            account_id: Some(a.clone()),
        }),
        org_details: OrgDetailsOut {
            id: i.org_id.clone(),
            zip: 0,
            admin_details: i.admin_details.clone(),
        },
        attributes: PolicyAttributes {
            enabled: i.enabled,
            created: i.created,
            updated: i.updated,
        },
    }
}

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

/// PUT → 200 IssuerBundle (creates or replaces).
pub(crate) async fn put(
    State(vault): State<AppState>,
    ctx: Ctx,
    path: IssuerPath,
    KvJson(req): KvJson<IssuerRequest>,
) -> Result<Response, KvError> {
    let name = issuer_name(path)?;
    if req.provider.as_deref().is_none_or(str::is_empty) {
        return Err(KvError::bad_parameter("Property provider is required."));
    }
    let now = unix_now();
    let mut store = vault.lock();
    let issuer = store
        .issuers
        .entry(key_of(&name))
        .or_insert_with(|| IssuerEntry {
            name: name.clone(),
            provider: String::new(),
            account_id: None,
            org_id: None,
            admin_details: None,
            enabled: true,
            created: now,
            updated: now,
        });
    apply(issuer, req, true);
    Ok(json(StatusCode::OK, &bundle(&ctx, issuer)))
}

/// PATCH → 200 IssuerBundle (updates an existing issuer).
pub(crate) async fn patch(
    State(vault): State<AppState>,
    ctx: Ctx,
    path: IssuerPath,
    KvJson(req): KvJson<IssuerRequest>,
) -> Result<Response, KvError> {
    let name = issuer_name(path)?;
    let mut store = vault.lock();
    let issuer = store
        .issuers
        .get_mut(&key_of(&name))
        .ok_or_else(KvError::issuer_not_found)?;
    apply(issuer, req, false);
    Ok(json(StatusCode::OK, &bundle(&ctx, issuer)))
}

/// GET → 200 IssuerBundle or 404 CertificateIssuerNotFound.
pub(crate) async fn get(
    State(vault): State<AppState>,
    ctx: Ctx,
    path: IssuerPath,
) -> Result<Response, KvError> {
    let name = issuer_name(path)?;
    let store = vault.lock();
    store
        .issuers
        .get(&key_of(&name))
        .map(|i| json(StatusCode::OK, &bundle(&ctx, i)))
        .ok_or_else(KvError::issuer_not_found)
}

/// DELETE → 200 with the deleted IssuerBundle.
pub(crate) async fn delete(
    State(vault): State<AppState>,
    ctx: Ctx,
    path: IssuerPath,
) -> Result<Response, KvError> {
    let name = issuer_name(path)?;
    let mut store = vault.lock();
    store
        .issuers
        .remove(&key_of(&name))
        .map(|i| json(StatusCode::OK, &bundle(&ctx, &i)))
        .ok_or_else(KvError::issuer_not_found)
}

/// GET `/certificates/issuers` → `{value: [{id, provider}], nextLink: null}`.
pub(crate) async fn list(State(vault): State<AppState>, ctx: Ctx) -> Response {
    let store = vault.lock();
    let value = store
        .issuers
        .values()
        .map(|i| IssuerItemOut {
            id: format!("{}/certificates/issuers/{}", ctx.base, i.name),
            provider: i.provider.clone(),
        })
        .collect();
    json(
        StatusCode::OK,
        &ListOut {
            value,
            next_link: None,
        },
    )
}
