//! `/certificates/issuers[/{name}]`: the issuers a create may name (FACTS §2, S20).

use axum::response::Response;

use super::{Answer, RawPath, named, ok, page};
use crate::vault::errors::KvError;
use crate::vault::http::{Ctx, KvJson};
use crate::vault::model::{
    CredentialsOut, IssuerBundleOut, IssuerItemOut, IssuerRequest, OrgDetailsOut, PolicyAttributes,
};
use crate::vault::ops;
use crate::vault::store::{IssuerEntry, Store};

/// An issuer write of `ops` (PUT or PATCH).
type Write = for<'s> fn(&'s mut Store, &str, IssuerRequest) -> Result<&'s IssuerEntry, KvError>;

fn issuer_name(path: RawPath) -> Result<String, KvError> {
    named("issuer", path, false)
}

fn issuer_url(ctx: &Ctx, i: &IssuerEntry) -> String {
    format!("{}/certificates/issuers/{}", ctx.base, i.name)
}

/// 200 with the IssuerBundle the service returns: no `pwd`, `org_details.zip: 0` added.
fn bundle(ctx: &Ctx, i: &IssuerEntry) -> Response {
    ok(&IssuerBundleOut {
        id: issuer_url(ctx, i),
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
    })
}

/// PUT or PATCH: `write` applies the request; 200 with the issuer as it now is.
fn write(ctx: &Ctx, path: RawPath, req: IssuerRequest, write: Write) -> Answer {
    let name = issuer_name(path)?;
    let mut store = ctx.vault.lock();
    Ok(bundle(ctx, write(&mut store, &name, req)?))
}

/// PUT → 200 IssuerBundle (creates or replaces).
pub(crate) async fn put(ctx: Ctx, path: RawPath, KvJson(req): KvJson<IssuerRequest>) -> Answer {
    write(&ctx, path, req, ops::put_issuer)
}

/// PATCH → 200 IssuerBundle (updates an existing issuer).
pub(crate) async fn patch(ctx: Ctx, path: RawPath, KvJson(req): KvJson<IssuerRequest>) -> Answer {
    write(&ctx, path, req, ops::patch_issuer)
}

/// GET → 200 IssuerBundle or 404 CertificateIssuerNotFound.
pub(crate) async fn get(ctx: Ctx, path: RawPath) -> Answer {
    let name = issuer_name(path)?;
    let store = ctx.vault.lock();
    store
        .issuer(&name)
        .map(|i| bundle(&ctx, i))
        .ok_or_else(KvError::issuer_not_found)
}

/// DELETE → 200 with the deleted IssuerBundle.
pub(crate) async fn delete(ctx: Ctx, path: RawPath) -> Answer {
    let name = issuer_name(path)?;
    let issuer = ops::delete_issuer(&mut ctx.vault.lock(), &name)?;
    Ok(bundle(&ctx, &issuer))
}

/// GET `/certificates/issuers` → `{value: [{id, provider}], nextLink: null}`.
pub(crate) async fn list(ctx: Ctx) -> Response {
    let store = ctx.vault.lock();
    let value = store
        .issuers
        .values()
        .map(|i| IssuerItemOut {
            id: issuer_url(&ctx, i),
            provider: i.provider.clone(),
        })
        .collect();
    page(value)
}
