//! Certificates: get, list, versions, policy, delete/recover/purge, import.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::{Answer, RawPath, cert_name, ok, page, params};
use crate::vault::errors::KvError;
use crate::vault::http::{Ctx, KvJson, check_name};
use crate::vault::import;
use crate::vault::model::{DeletedItemOut, ImportRequest, UpdateCertificateRequest};
use crate::vault::ops;
use crate::vault::quirks::Quirk;
use crate::vault::render;
use crate::vault::store::{CertEntry, CertVersion, Store};

/// The entry of `name` for a certificate read: 404 `CertificateNotFound` when there is none,
/// and, with `pending-certificate-not-found`, while nothing was issued yet.
fn readable<'s>(store: &'s mut Store, ctx: &Ctx, name: &str) -> Result<&'s mut CertEntry, KvError> {
    let hide_pending = ctx.vault.quirks.has(Quirk::PendingCertificateNotFound);
    ops::entry(store, name, ctx.vault.rules())
        .filter(|e| !hide_pending || e.latest_issued().is_some())
        .ok_or_else(|| KvError::cert_not_found(name))
}

/// 200 with the CertificateBundle of `v`; `missing` when there is no such version.
fn bundle(ctx: &Ctx, entry: &CertEntry, v: Option<&CertVersion>, missing: KvError) -> Answer {
    let v = v.ok_or(missing)?;
    Ok(ok(&render::bundle(ctx, &ctx.vault.quirks, entry, v)))
}

/// GET `/certificates/{name}`: the latest version, even a pending disabled one (FACTS §1).
pub(crate) async fn get_latest(ctx: Ctx, path: RawPath) -> Answer {
    let name = cert_name(path)?;
    let mut store = ctx.vault.lock();
    let entry = readable(&mut store, &ctx, &name)?;
    bundle(&ctx, entry, entry.latest(), KvError::cert_not_found(&name))
}

/// GET `/certificates/{name}/`, the form the Python SDK sends (FACTS §2, S4; S20).
pub(crate) async fn get_latest_slash(ctx: Ctx, path: RawPath) -> Answer {
    if ctx.vault.quirks.has(Quirk::NoTrailingSlash) {
        return Err(crate::vault::layers::not_found().await);
    }
    get_latest(ctx, path).await
}

/// GET `/certificates/{name}/{version}`.
pub(crate) async fn get_version(ctx: Ctx, path: RawPath<(String, String)>) -> Answer {
    let (name, version) = params(path)?;
    check_name("certificate", &name)?;
    let mut store = ctx.vault.lock();
    let not_found = || KvError::cert_not_found(&format!("{name}/{version}"));
    let entry = ops::entry(&mut store, &name, ctx.vault.rules()).ok_or_else(not_found)?;
    bundle(&ctx, entry, entry.version(&version), not_found())
}

/// PATCH `/certificates/{name}[/{version}]`: sets `enabled` and tags of one version (the
/// latest when no version is given).
pub(crate) async fn update(
    ctx: Ctx,
    path: RawPath<Vec<(String, String)>>,
    KvJson(req): KvJson<UpdateCertificateRequest>,
) -> Answer {
    let params = params(path)?;
    let param = |key: &str| {
        params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    };
    let name = param("name").unwrap_or_default();
    check_name("certificate", &name)?;
    let mut store = ctx.vault.lock();
    let not_found = || KvError::cert_not_found(&name);
    let entry = ops::entry(&mut store, &name, ctx.vault.rules()).ok_or_else(not_found)?;
    let enabled = req.attributes.and_then(|a| a.enabled);
    let version = param("version");
    let changed =
        ops::update_version(entry, version.as_deref(), enabled, req.tags).ok_or_else(not_found)?;
    bundle(&ctx, entry, entry.version(&changed), not_found())
}

/// GET `/certificates/{name}/policy`.
pub(crate) async fn get_policy(ctx: Ctx, path: RawPath) -> Answer {
    let name = cert_name(path)?;
    let mut store = ctx.vault.lock();
    let entry = readable(&mut store, &ctx, &name)?;
    let id = format!("{}/policy", render::cert_url(&ctx, &entry.name));
    Ok(ok(&entry.policy.render(id)))
}

/// GET `/certificates`: issued certificates; with `includePending=true` also those that only
/// have a pending version (FACTS §1, S1).
pub(crate) async fn list(ctx: Ctx) -> Response {
    let quirks = &ctx.vault.quirks;
    let include_pending = ctx
        .param("includePending")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let include_pending = if quirks.has(Quirk::PendingNeverListed) {
        false
    } else {
        include_pending || quirks.has(Quirk::PendingAlwaysListed)
    };
    let mut store = ctx.vault.lock();
    let mut names: Vec<String> = store.certs.keys().cloned().collect();
    names.sort();
    let mut value = Vec::new();
    for key in names {
        let Some(entry) = ops::entry(&mut store, &key, ctx.vault.rules()) else {
            continue;
        };
        let shown = if include_pending {
            entry.latest_issued().or(entry.latest())
        } else {
            entry.latest_issued()
        };
        if let Some(v) = shown {
            value.push(render::item(quirks, render::cert_url(&ctx, &entry.name), v));
        }
    }
    page(value)
}

/// GET `/certificates/{name}/versions`.
pub(crate) async fn versions(ctx: Ctx, path: RawPath) -> Answer {
    let name = cert_name(path)?;
    let mut store = ctx.vault.lock();
    let entry = readable(&mut store, &ctx, &name)?;
    let url = render::cert_url(&ctx, &entry.name);
    let value = entry
        .versions
        .iter()
        .map(|v| render::item(&ctx.vault.quirks, format!("{url}/{}", v.version), v))
        .collect();
    Ok(page(value))
}

/// DELETE `/certificates/{name}` → 200 DeletedCertificateBundle; the pending operation goes
/// with the certificate.
pub(crate) async fn delete(ctx: Ctx, path: RawPath) -> Answer {
    let name = cert_name(path)?;
    let mut store = ctx.vault.lock();
    let deleted = ops::delete(&mut store, &name, ctx.vault.rules())?;
    render::deleted_bundle(&ctx, &ctx.vault.quirks, deleted)
        .map(|b| ok(&b))
        .ok_or_else(|| KvError::cert_not_found(&name))
}

/// GET `/deletedcertificates/{name}`.
pub(crate) async fn get_deleted(ctx: Ctx, path: RawPath) -> Answer {
    let name = cert_name(path)?;
    let store = ctx.vault.lock();
    store
        .deleted_cert(&name)
        .and_then(|d| render::deleted_bundle(&ctx, &ctx.vault.quirks, d))
        .map(|b| ok(&b))
        .ok_or_else(|| KvError::deleted_cert_not_found(&name))
}

/// DELETE `/deletedcertificates/{name}` (purge) → 204.
pub(crate) async fn purge(ctx: Ctx, path: RawPath) -> Answer {
    let name = cert_name(path)?;
    ops::purge(&mut ctx.vault.lock(), &name)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// POST `/deletedcertificates/{name}/recover` → 200 CertificateBundle.
pub(crate) async fn recover(ctx: Ctx, path: RawPath) -> Answer {
    let name = cert_name(path)?;
    let mut store = ctx.vault.lock();
    let entry = ops::recover(&mut store, &name)?;
    bundle(&ctx, entry, entry.latest(), KvError::cert_not_found(&name))
}

/// GET `/deletedcertificates`.
pub(crate) async fn list_deleted(ctx: Ctx) -> Response {
    let store = ctx.vault.lock();
    let mut value: Vec<DeletedItemOut> = store
        .deleted
        .values()
        .filter_map(|d| {
            let v = d.entry.latest()?;
            let item = render::item(&ctx.vault.quirks, render::cert_url(&ctx, &d.entry.name), v);
            Some(render::deleted(&ctx, d, item))
        })
        .collect();
    value.sort_by(|a, b| a.recovery_id.cmp(&b.recovery_id));
    page(value)
}

/// POST `/certificates/{name}/import` → 200 CertificateBundle; 409 while an operation is in
/// progress (FACTS §5). The readers and the derived policy are in `vault/import.rs`.
pub(crate) async fn import(ctx: Ctx, path: RawPath, KvJson(req): KvJson<ImportRequest>) -> Answer {
    let name = cert_name(path)?;
    // PKCS#12 key derivation is thousands of hash rounds: off the async workers.
    let (value, pwd) = (req.value, req.pwd.unwrap_or_default());
    let (leaf, format) = tokio::task::spawn_blocking(move || import::read(&value, &pwd))
        .await
        .map_err(|_| KvError::internal("import reader stopped"))??;
    let policy = import::policy(req.policy.as_ref(), &leaf, format)?;
    let enabled = req.attributes.as_ref().and_then(|a| a.enabled);
    let mut store = ctx.vault.lock();
    let rules = ctx.vault.rules();
    let entry = ops::import(&mut store, &name, policy, leaf, enabled, req.tags, rules)?;
    let missing = KvError::internal("no version after import");
    bundle(&ctx, entry, entry.latest(), missing)
}
