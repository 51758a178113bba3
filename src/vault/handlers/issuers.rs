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
use crate::vault::ops;
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

/// PUT → 200 IssuerBundle (creates or replaces).
pub(crate) async fn put(
    State(vault): State<AppState>,
    ctx: Ctx,
    path: IssuerPath,
    KvJson(req): KvJson<IssuerRequest>,
) -> Result<Response, KvError> {
    let name = issuer_name(path)?;
    let mut store = vault.lock();
    let issuer = ops::put_issuer(&mut store, &name, req)?;
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
    let issuer = ops::patch_issuer(&mut store, &name, req)?;
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
    let issuer = ops::delete_issuer(&mut store, &name)?;
    Ok(json(StatusCode::OK, &bundle(&ctx, &issuer)))
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
