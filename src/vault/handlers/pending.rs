//! `/certificates/{name}/create` and `/certificates/{name}/pending[/merge]`.

use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::{Answer, RawPath, cert_name, join_error, named};
use crate::vault::crypto::{self, PublicKey};
use crate::vault::errors::KvError;
use crate::vault::http::{Ctx, KvJson, json, with_header};
use crate::vault::model::{CreateRequest, MergeRequest, UpdateOperationRequest};
use crate::vault::ops::{self, NewOp};
use crate::vault::policy::{self, Policy, SELF, UNKNOWN};
use crate::vault::quirks::{Quirk, Quirks};
use crate::vault::render::{self, RenderedOp};
use crate::vault::state::Vault;
use crate::vault::store::{CertEntry, IssuerKind, PendingOp};

/// The certificate name of a create or pending route; `lenient-names` also lets `_` through.
fn op_name(vault: &Vault, path: RawPath) -> Result<String, KvError> {
    named("certificate", path, vault.quirks.has(Quirk::LenientNames))
}

/// `response` with the header `name: value` when `add` (one place for the header quirks).
fn header_if(response: Response, add: bool, name: &'static str, value: &str) -> Response {
    if add {
        with_header(response, name, value)
    } else {
        response
    }
}

/// `response` with its `Location`, which `no-location` leaves out.
fn located(vault: &Vault, response: Response, url: &str) -> Response {
    let add = !vault.quirks.has(Quirk::NoLocation);
    header_if(response, add, "location", url)
}

/// An operation's body, with `Retry-After` when it says so.
fn op_response(status: StatusCode, rendered: RenderedOp) -> Response {
    let response = json(status, &rendered.body);
    header_if(response, rendered.retry_after, "retry-after", "10")
}

/// POST create → 202 with the new operation, `Location` and `Retry-After` (FACTS §1, §2).
pub(crate) async fn create(ctx: Ctx, path: RawPath, KvJson(req): KvJson<CreateRequest>) -> Answer {
    let vault = &ctx.vault;
    let name = op_name(vault, path)?;
    let policy = policy_for(vault, &name, &req)?;
    let kind = issuer_kind(vault, policy.issuer_name())?;
    let new = prepare(vault, policy, kind, &req).await?;
    let mut store = vault.lock();
    let entry = ops::start(&mut store, &name, new, vault.rules())?;
    let op = entry
        .pending
        .as_ref()
        .ok_or_else(|| KvError::internal("operation vanished"))?;
    let api_version = if vault.quirks.has(Quirk::LocationDefaultApiVersion) {
        crate::vault::api_version::LATEST
    } else {
        ctx.api_version.as_str()
    };
    let location = format!(
        "{}?api-version={api_version}&request_id={}",
        render::pending_url(&ctx, &entry.name),
        op.request_id
    );
    let rendered = render::operation(&ctx, &vault.quirks, &entry.name, op);
    drop(store);
    let response = op_response(StatusCode::ACCEPTED, rendered);
    Ok(located(vault, response, &location))
}

/// The request's policy, or the stored one when the request has none.
fn policy_for(vault: &Vault, name: &str, req: &CreateRequest) -> Result<Policy, KvError> {
    let overwrite = vault.quirks.has(Quirk::OverwriteOnCreate);
    let mut store = vault.lock();
    // Fail fast, before the slow key generation; `ops::start` checks again under the lock.
    ops::check_no_conflict(&mut store, name, vault.rules(), overwrite)?;
    match &req.policy {
        Some(p) => match policy::normalize(p, ops::unix_now()) {
            Err(e) if e == policy::invalid_subject() && vault.quirks.has(Quirk::LenientSubject) => {
                // The fault: an unreadable subject becomes a CN instead of a 400.
                let mut p = p.clone();
                let props = p.x509_props.get_or_insert_with(Default::default);
                let cn: String = props
                    .subject
                    .as_deref()
                    .unwrap_or_default()
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .collect();
                props.subject = Some(format!("CN={cn}x"));
                policy::normalize(&p, ops::unix_now())
            }
            other => other,
        },
        None => ops::entry(&mut store, name, vault.rules())
            .map(|e| e.policy.clone())
            .ok_or_else(|| {
                KvError::bad_parameter("A policy is required to create a new certificate.")
            }),
    }
}

/// `Unknown` → manual, `Self` → self-signed, anything else must be a stored issuer (S20).
fn issuer_kind(vault: &Vault, issuer: &str) -> Result<IssuerKind, KvError> {
    if issuer.eq_ignore_ascii_case(UNKNOWN) {
        return Ok(IssuerKind::Manual);
    }
    if issuer.eq_ignore_ascii_case(SELF) {
        return Ok(IssuerKind::SelfSigned);
    }
    let store = vault.lock();
    let stored = store.issuer(issuer).map(|i| IssuerKind::Provider {
        provider: i.provider.clone(),
    });
    match stored {
        None if vault.quirks.has(Quirk::UnknownIssuerManual) => Ok(IssuerKind::Manual),
        other => other.ok_or_else(KvError::issuer_not_found),
    }
}

/// Key, CSR and (for `Self`) the certificate, made off the async executor.
async fn prepare(
    vault: &Vault,
    policy: Policy,
    kind: IssuerKind,
    req: &CreateRequest,
) -> Result<NewOp, KvError> {
    let params = crypto::params_for(&policy.body.x509_props)?;
    let key = vault
        .keys
        .take(policy.key)
        .await
        .map_err(|e| KvError::internal(e.to_string()))?;
    let validity = policy.body.x509_props.validity_months;
    let self_signed = kind == IssuerKind::SelfSigned;
    let (csr, public, issued) = tokio::task::spawn_blocking(move || {
        let csr = STANDARD.encode(crypto::csr(&params, &key)?);
        let issued = if self_signed {
            Some(crypto::self_signed(&params, &key, validity)?)
        } else {
            None
        };
        Ok::<_, KvError>((csr, PublicKey::of(&key), issued))
    })
    .await
    .map_err(join_error)??;
    Ok(NewOp {
        request_id: request_id(&vault.quirks),
        version: hex::encode(crypto::random_bytes::<16>()),
        issuer_name: policy.issuer_name().to_owned(),
        kind,
        csr,
        key: public,
        issued,
        enable_on_issue: req
            .attributes
            .as_ref()
            .and_then(|a| a.enabled)
            .unwrap_or(true),
        tags: req.tags.clone(),
        policy,
    })
}

/// 32 lowercase hex digits (FACTS cross-cutting), or a dashed UUID for the quirk.
fn request_id(quirks: &Quirks) -> String {
    let hex = hex::encode(crypto::random_bytes::<16>());
    if quirks.has(Quirk::DashedRequestId) {
        format!(
            "{}-{}-{}-{}-{}",
            &hex[..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..]
        )
    } else {
        hex
    }
}

/// The operation of `name` that the `request_id` filter lets through, after `act` (which
/// may take it out: DELETE echoes it), rendered under the lock; the caller serialises it
/// once the lock is released.
fn answer_op(
    ctx: &Ctx,
    name: &str,
    act: impl FnOnce(&mut CertEntry) -> Result<Option<PendingOp>, KvError>,
) -> Result<RenderedOp, KvError> {
    let mut store = ctx.vault.lock();
    let entry = ops::with_op(&mut store, name, ctx.param("request_id"), ctx.vault.rules())?;
    let taken = act(entry)?;
    let op = (taken.as_ref().or(entry.pending.as_ref()))
        .ok_or_else(|| KvError::pending_not_found(&entry.name))?;
    Ok(render::operation(ctx, &ctx.vault.quirks, &entry.name, op))
}

/// GET pending → 200, `Retry-After` while inProgress (FACTS §3); the request_id filter (§10).
pub(crate) async fn get(ctx: Ctx, path: RawPath) -> Answer {
    let name = op_name(&ctx.vault, path)?;
    let rendered = answer_op(&ctx, &name, |_| Ok(None))?;
    Ok(op_response(StatusCode::OK, rendered))
}

/// PATCH pending → 200 with the flag set, never `Retry-After` (FACTS §7).
pub(crate) async fn update(
    ctx: Ctx,
    path: RawPath,
    KvJson(req): KvJson<UpdateOperationRequest>,
) -> Answer {
    let name = cert_name(path)?;
    let rendered = answer_op(&ctx, &name, |entry| {
        ops::cancel(entry, req.cancellation_requested, ctx.vault.rules())?;
        Ok(None)
    })?;
    Ok(json(StatusCode::OK, &rendered.body))
}

/// DELETE pending → 200 echoing the operation as it was; the next GET is 404 (FACTS §8).
/// The certificate version the operation made stays behind, disabled, as after a cancelled
/// `Self` operation (FACTS §7, S3).
pub(crate) async fn delete(ctx: Ctx, path: RawPath) -> Answer {
    let name = op_name(&ctx.vault, path)?;
    let rendered = answer_op(&ctx, &name, |entry| Ok(ops::delete_op(entry)))?;
    Ok(json(StatusCode::OK, &rendered.body))
}

/// POST merge → 201 CertificateBundle with `Location` (FACTS §9).
pub(crate) async fn merge(ctx: Ctx, path: RawPath, KvJson(req): KvJson<MergeRequest>) -> Answer {
    let vault = &ctx.vault;
    let name = cert_name(path)?;
    let chain = crypto::decode_x5c(&req.x5c);
    let mut store = vault.lock();
    let entry = ops::entry(&mut store, &name, vault.rules())
        .ok_or_else(|| KvError::pending_not_found(&name))?;
    let enabled = req.attributes.as_ref().and_then(|a| a.enabled);
    let version = ops::merge(entry, chain, enabled, req.tags, vault.rules())?;
    let version = entry
        .version(&version)
        .ok_or_else(|| KvError::internal("no version after merge"))?;
    let body = render::bundle(&ctx, &vault.quirks, entry, version);
    let location = format!(
        "{}?api-version={}",
        render::cert_url(&ctx, &entry.name),
        ctx.api_version
    );
    drop(store);
    let status = if vault.quirks.has(Quirk::Merge200) {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok(located(vault, json(status, &body), &location))
}
