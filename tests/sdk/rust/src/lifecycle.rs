//! The certificate-operation lifecycle: 401 challenge, manual create → merge, Self create
//! polled to completion, cancel → delete operation, provider issuer → merge 403.

use azure_core::http::poller::PollerOptions;
use azure_core::time::Duration;
use azure_security_keyvault_certificates::ResourceExt;
use azure_security_keyvault_certificates::models::{
    AdministratorContact, CertificateClientCreateCertificateOptions, IssuerCredentials,
    MergeCertificateParameters, OrganizationDetails, SetIssuerParameters,
    UpdateCertificateOperationParameter,
};
use futures_util::StreamExt;

use crate::checks::{Checks, hex32, sha1_hex};
use crate::client::{Env, ThrowawayCa, create_params};
use crate::{DETAILS_MANUAL, Res};

pub(crate) async fn unauthenticated_request_is_challenged(c: &mut Checks, e: &Env) -> Res {
    let res = e
        .http
        .get(format!("{}/certificates?api-version=2025-07-01", e.url))
        .send()
        .await?;
    c.equal(
        "a request without a token gets 401",
        res.status().as_u16(),
        401,
    );
    let challenge = res
        .headers()
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    c.ok(
        "the 401 carries the Bearer challenge",
        challenge.starts_with(r#"Bearer authorization="https://login.microsoftonline.com/"#)
            && challenge.ends_with(r#", resource="https://vault.azure.net""#),
        challenge,
    );
    Ok(())
}

pub(crate) async fn manual_lifecycle(c: &mut Checks, e: &Env, ca: &ThrowawayCa, name: &str) -> Res {
    // The poller's first item is the POST …/create answer; a manual operation never completes
    // by itself, so the poller is dropped after it.
    let mut poller =
        e.client
            .begin_create_certificate(name, create_params("Unknown", name)?, None)?;
    let first = poller.next().await.ok_or("the poller yielded nothing")??;
    c.equal("manual create: 202", u16::from(first.status()), 202);
    drop(poller);
    let created = first.into_model()?;
    c.equal(
        "manual create: status",
        created.status.as_deref(),
        Some("inProgress"),
    );
    let request_id = created.request_id.clone().unwrap_or_default();
    c.ok(
        "manual create: request_id is 32 lowercase hex",
        hex32(&request_id),
        &request_id,
    );

    let op = e
        .client
        .get_certificate_operation(name, None)
        .await?
        .into_model()?;
    c.equal(
        "get operation: status",
        op.status.as_deref(),
        Some("inProgress"),
    );
    c.equal(
        "get operation: status_details",
        op.status_details.as_deref(),
        Some(DETAILS_MANUAL),
    );
    c.equal(
        "get operation: issuer",
        op.issuer_parameters
            .as_ref()
            .and_then(|i| i.name.as_deref()),
        Some("Unknown"),
    );
    c.equal(
        "get operation: cancellation_requested",
        op.cancellation_requested,
        Some(false),
    );
    c.equal(
        "get operation: same request_id",
        op.request_id.as_deref(),
        Some(request_id.as_str()),
    );
    c.equal(
        "get operation: id",
        op.id.clone(),
        Some(format!("{}/certificates/{name}/pending", e.url)),
    );
    let csr = op.csr.clone().unwrap_or_default();
    c.ok("get operation: csr present", !csr.is_empty(), csr.len());

    let disabled = e.client.get_certificate(name, None).await?.into_model()?;
    c.equal(
        "certificate made by create is disabled",
        disabled.attributes.as_ref().and_then(|a| a.enabled),
        Some(false),
    );
    c.ok(
        "certificate made by create has no cer",
        disabled.cer.as_ref().is_none_or(|b| b.is_empty()),
        disabled.cer.as_ref().map(Vec::len),
    );

    let mut again =
        e.client
            .begin_create_certificate(name, create_params("Unknown", name)?, None)?;
    let second = again.next().await.ok_or("the poller yielded nothing")?;
    if let Some(body) = c.http_error(
        "create again while in progress → 409",
        second.map(|r| r.status()),
        409,
    ) {
        c.ok(
            "409 message says why",
            body.contains("while a pending key vault certificate's status is inProgress"),
            &body,
        );
    }
    drop(again);

    let chain = ca.sign(&csr)?;
    let merged = e
        .client
        .merge_certificate(
            name,
            MergeCertificateParameters {
                x509_certificates: Some(chain.clone()),
                ..Default::default()
            }
            .try_into()?,
            None,
        )
        .await?
        .into_model()?;
    c.ok(
        "merge: certificate is the signed leaf",
        merged.cer.as_deref() == Some(chain[0].as_slice()),
        merged.cer.as_ref().map(Vec::len),
    );
    c.equal(
        "merge: certificate is enabled",
        merged.attributes.as_ref().and_then(|a| a.enabled),
        Some(true),
    );
    let version = merged.resource_id()?.version.unwrap_or_default();
    c.ok(
        "merge: versioned id",
        hex32(&version)
            && merged.id.as_deref()
                == Some(format!("{}/certificates/{name}/{version}", e.url).as_str()),
        &merged.id,
    );
    c.equal(
        "merge: kid",
        merged.kid.clone(),
        Some(format!("{}/keys/{name}/{version}", e.url)),
    );
    c.equal(
        "merge: sid",
        merged.sid.clone(),
        Some(format!("{}/secrets/{name}/{version}", e.url)),
    );
    c.equal(
        "merge: x5t is the SHA-1 of the leaf",
        merged.x509_thumbprint.as_deref().map(hex::encode),
        Some(sha1_hex(&chain[0])),
    );

    let done = e
        .client
        .get_certificate_operation(name, None)
        .await?
        .into_model()?;
    c.equal(
        "operation after merge: status",
        done.status.as_deref(),
        Some("completed"),
    );
    c.equal(
        "operation after merge: target",
        done.target.clone(),
        Some(format!("{}/certificates/{name}", e.url)),
    );
    c.ok(
        "operation after merge: no status_details",
        done.status_details.as_deref().is_none_or(str::is_empty),
        &done.status_details,
    );

    let latest = e.client.get_certificate(name, None).await?.into_model()?;
    c.equal(
        "get certificate after merge: same version",
        latest.resource_id()?.version,
        Some(version),
    );
    Ok(())
}

pub(crate) async fn self_issued_polled_to_completion(c: &mut Checks, e: &Env, name: &str) -> Res {
    let options = CertificateClientCreateCertificateOptions {
        method_options: PollerOptions {
            frequency: Duration::seconds(1),
            ..Default::default()
        },
    };
    let poller =
        e.client
            .begin_create_certificate(name, create_params("Self", name)?, Some(options))?;
    // Bounded: the vault's Retry-After (10 s, as the service sends) paces the poller.
    let cert = tokio::time::timeout(
        std::time::Duration::from_secs(40),
        std::future::IntoFuture::into_future(poller),
    )
    .await
    .map_err(|_| "the poller did not complete in 40 s")??
    .into_model()?;
    let pending = format!("/certificates/{name}/pending");
    c.ok(
        "Self create: the poller polled GET …/pending",
        e.rec.count("GET", &pending) >= 1,
        e.rec.count("GET", &pending),
    );
    c.equal(
        "Self create: the poller read the target with 200",
        e.rec.last("GET", &format!("/certificates/{name}")),
        200,
    );
    c.equal(
        "Self create: certificate is enabled",
        cert.attributes.as_ref().and_then(|a| a.enabled),
        Some(true),
    );
    let der = cert.cer.clone().unwrap_or_default();
    let (_, parsed) = x509_parser::parse_x509_certificate(&der)?;
    c.equal(
        "Self create: subject from the policy",
        parsed.subject().to_string(),
        format!("CN={name}"),
    );
    c.equal(
        "Self create: self-issued",
        parsed.issuer().to_string(),
        parsed.subject().to_string(),
    );
    let op = e
        .client
        .get_certificate_operation(name, None)
        .await?
        .into_model()?;
    c.equal(
        "Self create: operation completed",
        op.status.as_deref(),
        Some("completed"),
    );
    c.equal(
        "Self create: target",
        op.target.clone(),
        Some(format!("{}/certificates/{name}", e.url)),
    );
    Ok(())
}

pub(crate) async fn cancel_and_delete(c: &mut Checks, e: &Env, name: &str) -> Res {
    let mut poller =
        e.client
            .begin_create_certificate(name, create_params("Unknown", name)?, None)?;
    poller.next().await.ok_or("the poller yielded nothing")??;
    drop(poller);
    let cancelled = e
        .client
        .update_certificate_operation(
            name,
            UpdateCertificateOperationParameter {
                cancellation_requested: Some(true),
            }
            .try_into()?,
            None,
        )
        .await?
        .into_model()?;
    c.equal(
        "cancel: PATCH …/pending → 200",
        e.rec
            .last("PATCH", &format!("/certificates/{name}/pending")),
        200,
    );
    c.equal(
        "cancel: cancellation_requested",
        cancelled.cancellation_requested,
        Some(true),
    );
    c.equal(
        "cancel: a manual operation stays inProgress",
        cancelled.status.as_deref(),
        Some("inProgress"),
    );
    c.equal(
        "cancel: status_details unchanged",
        cancelled.status_details.as_deref(),
        Some(DETAILS_MANUAL),
    );

    let deleted = e
        .client
        .delete_certificate_operation(name, None)
        .await?
        .into_model()?;
    c.equal(
        "delete operation: echoes the operation",
        deleted.cancellation_requested,
        Some(true),
    );
    c.equal(
        "delete operation: echoes status_details",
        deleted.status_details.as_deref(),
        Some(DETAILS_MANUAL),
    );
    let after = e.client.get_certificate_operation(name, None).await;
    if let Some(body) = c.http_error(
        "get operation after delete → 404",
        after.map(|r| r.status()),
        404,
    ) {
        c.ok(
            "404 code",
            body.contains("\"PendingCertificateNotFound\""),
            &body,
        );
    }
    Ok(())
}

pub(crate) async fn provider_issuer_refuses_merge(
    c: &mut Checks,
    e: &Env,
    ca: &ThrowawayCa,
    name: &str,
    issuer: &str,
) -> Res {
    let stored = e
        .client
        .set_issuer(
            issuer,
            SetIssuerParameters {
                provider: Some("DigiCert".into()),
                credentials: Some(IssuerCredentials {
                    account_id: Some("fake-account".into()),
                    password: Some("fake-password".into()),
                }),
                organization_details: Some(OrganizationDetails {
                    id: Some("fake-org".into()),
                    admin_contacts: Some(vec![AdministratorContact {
                        first_name: Some("Ada".into()),
                        last_name: Some("Lovelace".into()),
                        email: Some("ada@example.com".into()),
                        phone: Some("555".into()),
                    }]),
                }),
                ..Default::default()
            }
            .try_into()?,
            None,
        )
        .await?
        .into_model()?;
    c.equal(
        "set issuer: provider",
        stored.provider.as_deref(),
        Some("DigiCert"),
    );
    let got = e.client.get_issuer(issuer, None).await?.into_model()?;
    c.equal(
        "get issuer: provider",
        got.provider.as_deref(),
        Some("DigiCert"),
    );
    c.equal(
        "get issuer: account id",
        got.credentials
            .as_ref()
            .and_then(|x| x.account_id.as_deref()),
        Some("fake-account"),
    );

    let mut poller = e
        .client
        .begin_create_certificate(name, create_params(issuer, name)?, None)?;
    poller.next().await.ok_or("the poller yielded nothing")??;
    drop(poller);
    let op = e
        .client
        .get_certificate_operation(name, None)
        .await?
        .into_model()?;
    c.equal(
        "provider create: issuer",
        op.issuer_parameters
            .as_ref()
            .and_then(|i| i.name.as_deref()),
        Some(issuer),
    );
    c.equal(
        "provider create: inProgress",
        op.status.as_deref(),
        Some("inProgress"),
    );

    let chain = ca.sign(op.csr.as_deref().unwrap_or_default())?;
    let merge = e
        .client
        .merge_certificate(
            name,
            MergeCertificateParameters {
                x509_certificates: Some(chain),
                ..Default::default()
            }
            .try_into()?,
            None,
        )
        .await;
    if let Some(body) = c.http_error(
        "merge on a provider-issuer operation in progress → 403",
        merge.map(|r| r.status()),
        403,
    ) {
        c.ok(
            "403 message names the issuer",
            body.contains(&format!("issuer : {issuer}")),
            &body,
        );
    }
    Ok(())
}
