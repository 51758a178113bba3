//! Certificates: get, list, versions, policy, delete/recover/purge, import.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rcgen::KeyPair;

use super::cert_name;
use crate::vault::crypto::{self, CertInfo};
use crate::vault::errors::KvError;
use crate::vault::http::{Ctx, KvJson, check_name, json};
use crate::vault::model::{
    DeletedItemOut, ImportRequest, KeyPropsIn, ListOut, PolicyIn, UpdateCertificateRequest,
};
use crate::vault::ops;
use crate::vault::policy::{self, Policy};
use crate::vault::render;
use crate::vault::state::AppState;
use crate::vault::store::{DeletedEntry, key_of};

/// Soft-deleted certificates are kept 90 days (recoverableDays).
const RETENTION_SECS: i64 = 90 * 24 * 3600;

/// GET `/certificates/{name}`: the latest version, even a pending disabled one (FACTS §1).
pub(crate) async fn get_latest(
    State(vault): State<AppState>,
    ctx: Ctx,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, KvError> {
    let name = cert_name(path)?;
    let mut store = vault.lock();
    let entry = ops::entry(&mut store, &name, vault.rules())
        .ok_or_else(|| KvError::cert_not_found(&name))?;
    let latest = entry
        .latest()
        .ok_or_else(|| KvError::cert_not_found(&name))?;
    Ok(json(
        StatusCode::OK,
        &render::bundle(&ctx, &vault.quirks, entry, latest),
    ))
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
    let version = match param("version") {
        Some(v) => entry.version(&v).map(|x| x.version.clone()),
        None => entry.latest().map(|x| x.version.clone()),
    }
    .ok_or_else(not_found)?;
    let v = entry.version_mut(&version).ok_or_else(not_found)?;
    if let Some(enabled) = req.attributes.and_then(|a| a.enabled) {
        v.enabled = enabled;
    }
    if req.tags.is_some() {
        v.tags = req.tags;
    }
    v.updated = ops::unix_now();
    let v = entry.version(&version).ok_or_else(not_found)?;
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
    let entry = ops::entry(&mut store, &name, vault.rules())
        .ok_or_else(|| KvError::cert_not_found(&name))?;
    let id = format!("{}/policy", render::cert_url(&ctx, &entry.name));
    Ok(json(StatusCode::OK, &entry.policy.render(id)))
}

/// GET `/certificates`: issued certificates; with `includePending=true` also those that only
/// have a pending version (FACTS §1, S1).
pub(crate) async fn list(State(vault): State<AppState>, ctx: Ctx) -> Response {
    let include_pending = ctx
        .param("includePending")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
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
    let entry = ops::entry(&mut store, &name, vault.rules())
        .ok_or_else(|| KvError::cert_not_found(&name))?;
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
    ops::entry(&mut store, &name, vault.rules());
    let mut entry = store
        .certs
        .remove(&key_of(&name))
        .ok_or_else(|| KvError::cert_not_found(&name))?;
    entry.pending = None;
    let now = ops::unix_now();
    let deleted = DeletedEntry {
        entry,
        deleted_date: now,
        scheduled_purge_date: now + RETENTION_SECS,
    };
    let body = render::deleted_bundle(&ctx, &vault.quirks, &deleted);
    store.deleted.insert(key_of(&name), deleted);
    body.map(|b| json(StatusCode::OK, &b))
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
    store
        .deleted
        .remove(&key_of(&name))
        .map(|_| StatusCode::NO_CONTENT.into_response())
        .ok_or_else(|| KvError::deleted_cert_not_found(&name))
}

/// POST `/deletedcertificates/{name}/recover` → 200 CertificateBundle.
pub(crate) async fn recover(
    State(vault): State<AppState>,
    ctx: Ctx,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, KvError> {
    let name = cert_name(path)?;
    let mut store = vault.lock();
    let deleted = store
        .deleted
        .remove(&key_of(&name))
        .ok_or_else(|| KvError::deleted_cert_not_found(&name))?;
    let entry = store.certs.entry(key_of(&name)).or_insert(deleted.entry);
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
/// progress (FACTS §5). Reads PEM (certificate + private key), as text or base64 of the text,
/// or base64 of a PKCS#12 (PFX) blob decrypted with `pwd` (empty when absent).
pub(crate) async fn import(
    State(vault): State<AppState>,
    ctx: Ctx,
    path: Result<Path<String>, PathRejection>,
    KvJson(req): KvJson<ImportRequest>,
) -> Result<Response, KvError> {
    let name = cert_name(path)?;
    // PKCS#12 key derivation is thousands of hash rounds: off the async workers.
    let (value, pwd) = (req.value, req.pwd.unwrap_or_default());
    let leaf = tokio::task::spawn_blocking(move || read_import(&value, &pwd))
        .await
        .map_err(|_| KvError::internal("import reader stopped"))??;
    let policy = import_policy(req.policy.as_ref(), &leaf)?;
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

/// The leaf of an imported PEM or PFX: the certificate that matches the private key.
fn read_import(value: &str, pwd: &str) -> Result<CertInfo, KvError> {
    let (chain, keys) = match pem_text(value) {
        Some(text) => read_pem(&text)?,
        None => read_pfx(value, pwd)?,
    };
    let keys: Vec<_> = keys.iter().map(crypto::PublicKey::of).collect();
    let leaf = chain
        .iter()
        .find(|c| keys.iter().any(|k| c.matches(k)))
        .ok_or_else(|| {
            KvError::bad_parameter(
                "The public key of the end-entity certificate in the specified X.509 certificate content does not match the public part of the specified private key. Please check if certificate is valid.",
            )
        })?;
    Ok(leaf.clone())
}

/// The certificates and the private key of a PEM text.
fn read_pem(text: &[u8]) -> Result<(Vec<CertInfo>, Vec<KeyPair>), KvError> {
    let bad_pem = || {
        KvError::bad_parameter(
            "The specified PEM X.509 certificate content is in an unexpected format. Please check if certificate is in valid PEM format.",
        )
    };
    let chain = crypto::certs_from_pem(text).ok_or_else(bad_pem)?;
    let key = crypto::key_from_pem(text).ok_or_else(bad_pem)?;
    Ok((chain, vec![key]))
}

/// The certificates and private keys of a base64 PKCS#12 blob. INF: the service's wording
/// for a wrong password and for a PFX without a private key was never recorded.
fn read_pfx(value: &str, pwd: &str) -> Result<(Vec<CertInfo>, Vec<KeyPair>), KvError> {
    let unreadable = || {
        KvError::bad_parameter(
            "The specified PKCS#12 X.509 certificate content can not be read. Please check if certificate is in valid PKCS#12 format.",
        )
    };
    let compact: String = value.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let der = STANDARD.decode(compact).map_err(|_| unreadable())?;
    let (chain, keys) = crypto::from_pkcs12(&der, pwd).map_err(|e| match e {
        crypto::PfxError::WrongPassword => KvError::bad_parameter(
            "The specified PKCS#12 X.509 certificate content can not be read: the password is wrong.",
        ),
        crypto::PfxError::Unreadable => unreadable(),
    })?;
    if keys.is_empty() {
        return Err(KvError::bad_parameter(
            "The specified PKCS#12 X.509 certificate content has no private key. The certificate to import needs to contain the private key.",
        ));
    }
    if chain.is_empty() {
        return Err(unreadable());
    }
    Ok((chain, keys))
}

/// PEM text given directly or base64-encoded; `None` for anything else (PFX).
fn pem_text(value: &str) -> Option<Vec<u8>> {
    if value.trim_start().starts_with("-----BEGIN") {
        return Some(value.as_bytes().to_vec());
    }
    let compact: String = value.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let decoded = STANDARD.decode(compact).ok()?;
    decoded.starts_with(b"-----BEGIN").then_some(decoded)
}

/// The request's policy with what it leaves out taken from the certificate: its subject and
/// its key type.
fn import_policy(input: Option<&PolicyIn>, leaf: &CertInfo) -> Result<Policy, KvError> {
    let mut p = input.cloned().unwrap_or_default();
    let mut x509 = p.x509_props.take().unwrap_or_default();
    if x509.subject.is_none() {
        x509.subject = Some(leaf.subject_text.clone());
    }
    p.x509_props = Some(x509);
    if p.key_props.is_none()
        && let Some((kty, size)) = leaf.key_type
    {
        p.key_props = Some(KeyPropsIn {
            kty: Some(kty.to_owned()),
            key_size: Some(size),
            ..KeyPropsIn::default()
        });
    }
    policy::normalize(&p, ops::unix_now())
}
