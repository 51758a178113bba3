//! Certificates: get, list, versions, policy, delete/recover/purge, import.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::cert_name;
use crate::vault::errors::KvError;
use crate::vault::http::{Ctx, KvJson, check_name, json};
use crate::vault::import;
use crate::vault::model::{DeletedItemOut, ImportRequest, ListOut, UpdateCertificateRequest};
use crate::vault::ops;
use crate::vault::quirks::Quirk;
use crate::vault::render;
use crate::vault::state::AppState;
use crate::vault::store::key_of;

/// The entry of `name` for a certificate read: 404 `CertificateNotFound` when there is none,
/// and, with `pending-certificate-not-found`, while nothing was issued yet.
fn readable<'s>(
    store: &'s mut crate::vault::store::Store,
    vault: &AppState,
    name: &str,
) -> Result<&'s mut crate::vault::store::CertEntry, KvError> {
    let hide_pending = vault.quirks.has(Quirk::PendingCertificateNotFound);
    ops::entry(store, name, vault.rules())
        .filter(|e| !hide_pending || e.latest_issued().is_some())
        .ok_or_else(|| KvError::cert_not_found(name))
}

/// GET `/certificates/{name}`: the latest version, even a pending disabled one (FACTS §1).
pub(crate) async fn get_latest(
    State(vault): State<AppState>,
    ctx: Ctx,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, KvError> {
    let name = cert_name(path)?;
    let mut store = vault.lock();
    let entry = readable(&mut store, &vault, &name)?;
    let latest = entry
        .latest()
        .ok_or_else(|| KvError::cert_not_found(&name))?;
    Ok(json(
        StatusCode::OK,
        &render::bundle(&ctx, &vault.quirks, entry, latest),
    ))
}

/// GET `/certificates/{name}/`, the form the Python SDK sends (FACTS §2, S4; S20).
pub(crate) async fn get_latest_slash(
    state: State<AppState>,
    ctx: Ctx,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, KvError> {
    if state.quirks.has(Quirk::NoTrailingSlash) {
        return Err(crate::vault::layers::not_found().await);
    }
    get_latest(state, ctx, path).await
}

/// GET `/certificates/{name}/{version}`.
pub(crate) async fn get_version(
    State(vault): State<AppState>,
    ctx: Ctx,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Response, KvError> {
    let Path((name, version)) =
        path.map_err(|_| KvError::bad_parameter("The request URI is invalid."))?;
    check_name("certificate", &name)?;
    let mut store = vault.lock();
    let not_found = || KvError::cert_not_found(&format!("{name}/{version}"));
    let entry = ops::entry(&mut store, &name, vault.rules()).ok_or_else(not_found)?;
    let v = entry.version(&version).ok_or_else(not_found)?;
    Ok(json(
        StatusCode::OK,
        &render::bundle(&ctx, &vault.quirks, entry, v),
    ))
}

/// PATCH `/certificates/{name}[/{version}]`: sets `enabled` and tags of one version (the
/// latest when no version is given).
pub(crate) async fn update(
    State(vault): State<AppState>,
    ctx: Ctx,
    path: Result<Path<Vec<(String, String)>>, PathRejection>,
    KvJson(req): KvJson<UpdateCertificateRequest>,
) -> Result<Response, KvError> {
    let Path(params) = path.map_err(|_| KvError::bad_parameter("The request URI is invalid."))?;
    let param = |key: &str| {
        params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    };
    let name = param("name").unwrap_or_default();
    check_name("certificate", &name)?;
    let mut store = vault.lock();
    let not_found = || KvError::cert_not_found(&name);
    let entry = ops::entry(&mut store, &name, vault.rules()).ok_or_else(not_found)?;
    let enabled = req.attributes.and_then(|a| a.enabled);
    let version = param("version");
    let changed =
        ops::update_version(entry, version.as_deref(), enabled, req.tags).ok_or_else(not_found)?;
    let v = entry.version(&changed).ok_or_else(not_found)?;
    Ok(json(
        StatusCode::OK,
        &render::bundle(&ctx, &vault.quirks, entry, v),
    ))
}

/// GET `/certificates/{name}/policy`.
pub(crate) async fn get_policy(
    State(vault): State<AppState>,
    ctx: Ctx,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, KvError> {
    let name = cert_name(path)?;
    let mut store = vault.lock();
    let entry = readable(&mut store, &vault, &name)?;
    let id = format!("{}/policy", render::cert_url(&ctx, &entry.name));
    Ok(json(StatusCode::OK, &entry.policy.render(id)))
}

/// GET `/certificates`: issued certificates; with `includePending=true` also those that only
/// have a pending version (FACTS §1, S1).
pub(crate) async fn list(State(vault): State<AppState>, ctx: Ctx) -> Response {
    let include_pending = ctx
        .param("includePending")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let include_pending = if vault.quirks.has(Quirk::PendingNeverListed) {
        false
    } else {
        include_pending || vault.quirks.has(Quirk::PendingAlwaysListed)
    };
    let mut store = vault.lock();
    let rules = vault.rules();
    let mut names: Vec<String> = store.certs.keys().cloned().collect();
    names.sort();
    let mut value = Vec::new();
    for key in names {
        let Some(entry) = ops::entry(&mut store, &key, rules) else {
            continue;
        };
        let shown = if include_pending {
            entry.latest_issued().or(entry.latest())
        } else {
            entry.latest_issued()
        };
        if let Some(v) = shown {
            let id = render::cert_url(&ctx, &entry.name);
            value.push(render::item(&vault.quirks, id, v));
        }
    }
    json(
        StatusCode::OK,
        &ListOut {
            value,
            next_link: None,
        },
    )
}

/// GET `/certificates/{name}/versions`.
pub(crate) async fn versions(
    State(vault): State<AppState>,
    ctx: Ctx,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, KvError> {
    let name = cert_name(path)?;
    let mut store = vault.lock();
    let entry = readable(&mut store, &vault, &name)?;
    let value = entry
        .versions
        .iter()
        .map(|v| {
            let id = format!("{}/{}", render::cert_url(&ctx, &entry.name), v.version);
            render::item(&vault.quirks, id, v)
        })
        .collect();
    Ok(json(
        StatusCode::OK,
        &ListOut {
            value,
            next_link: None,
        },
    ))
}

/// DELETE `/certificates/{name}` → 200 DeletedCertificateBundle; the pending operation goes
/// with the certificate.
pub(crate) async fn delete(
    State(vault): State<AppState>,
    ctx: Ctx,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, KvError> {
    let name = cert_name(path)?;
    let mut store = vault.lock();
    let deleted = ops::delete(&mut store, &name, vault.rules())?;
    render::deleted_bundle(&ctx, &vault.quirks, deleted)
        .map(|b| json(StatusCode::OK, &b))
        .ok_or_else(|| KvError::cert_not_found(&name))
}

/// GET `/deletedcertificates/{name}`.
pub(crate) async fn get_deleted(
    State(vault): State<AppState>,
    ctx: Ctx,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, KvError> {
    let name = cert_name(path)?;
    let store = vault.lock();
    store
        .deleted
        .get(&key_of(&name))
        .and_then(|d| render::deleted_bundle(&ctx, &vault.quirks, d))
        .map(|b| json(StatusCode::OK, &b))
        .ok_or_else(|| KvError::deleted_cert_not_found(&name))
}

/// DELETE `/deletedcertificates/{name}` (purge) → 204.
pub(crate) async fn purge(
    State(vault): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, KvError> {
    let name = cert_name(path)?;
    let mut store = vault.lock();
    ops::purge(&mut store, &name)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// POST `/deletedcertificates/{name}/recover` → 200 CertificateBundle.
pub(crate) async fn recover(
    State(vault): State<AppState>,
    ctx: Ctx,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, KvError> {
    let name = cert_name(path)?;
    let mut store = vault.lock();
    let entry = ops::recover(&mut store, &name)?;
    let latest = entry
        .latest()
        .ok_or_else(|| KvError::cert_not_found(&name))?;
    Ok(json(
        StatusCode::OK,
        &render::bundle(&ctx, &vault.quirks, entry, latest),
    ))
}

/// GET `/deletedcertificates`.
pub(crate) async fn list_deleted(State(vault): State<AppState>, ctx: Ctx) -> Response {
    let store = vault.lock();
    let mut value: Vec<DeletedItemOut> = store
        .deleted
        .values()
        .filter_map(|d| {
            let v = d.entry.latest()?;
            let id = render::cert_url(&ctx, &d.entry.name);
            Some(DeletedItemOut {
                recovery_id: format!("{}/deletedcertificates/{}", ctx.base, d.entry.name),
                deleted_date: d.deleted_date,
                scheduled_purge_date: d.scheduled_purge_date,
                item: render::item(&vault.quirks, id, v),
            })
        })
        .collect();
    value.sort_by(|a, b| a.recovery_id.cmp(&b.recovery_id));
    json(
        StatusCode::OK,
        &ListOut {
            value,
            next_link: None,
        },
    )
}

/// POST `/certificates/{name}/import` → 200 CertificateBundle; 409 while an operation is in
/// progress (FACTS §5). The readers and the derived policy are in `vault/import.rs`.
pub(crate) async fn import(
    State(vault): State<AppState>,
    ctx: Ctx,
    path: Result<Path<String>, PathRejection>,
    KvJson(req): KvJson<ImportRequest>,
) -> Result<Response, KvError> {
    let name = cert_name(path)?;
    // PKCS#12 key derivation is thousands of hash rounds: off the async workers.
    let (value, pwd) = (req.value, req.pwd.unwrap_or_default());
    let (leaf, format) = tokio::task::spawn_blocking(move || import::read(&value, &pwd))
        .await
        .map_err(|_| KvError::internal("import reader stopped"))??;
    let policy = import::policy(req.policy.as_ref(), &leaf, format)?;
    let enabled = req.attributes.as_ref().and_then(|a| a.enabled);
    let mut store = vault.lock();
    let entry = ops::import(
        &mut store,
        &name,
        policy,
        leaf,
        enabled,
        req.tags,
        vault.rules(),
    )?;
    let latest = entry
        .latest()
        .ok_or_else(|| KvError::internal("no version after import"))?;
    Ok(json(
        StatusCode::OK,
        &render::bundle(&ctx, &vault.quirks, entry, latest),
    ))
}
