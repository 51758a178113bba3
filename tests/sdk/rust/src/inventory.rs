//! What happens around the operations: import, list (with and without pending), delete and
//! purge.

use std::collections::BTreeSet;

use azure_security_keyvault_certificates::ResourceExt;
use azure_security_keyvault_certificates::models::{
    CertificateClientListCertificatePropertiesOptions, CertificatePolicy,
    ImportCertificateParameters, SecretProperties,
};
use futures_util::StreamExt;
use rcgen::{CertificateParams, DnType, KeyPair};

use crate::Res;
use crate::checks::{Checks, hex32, sha1_hex};
use crate::client::Env;

/// Imports a self-signed certificate and its PKCS#8 key as PEM text.
pub(crate) async fn import_pem(c: &mut Checks, e: &Env, name: &str) -> Res {
    let key = KeyPair::generate()?;
    let mut params = CertificateParams::new(vec![format!("{name}.example.com")])?;
    params.distinguished_name.push(DnType::CommonName, name);
    let cert = params.self_signed(&key)?;
    let der = cert.der().to_vec();
    let imported = e
        .client
        .import_certificate(
            name,
            ImportCertificateParameters {
                base64_encoded_certificate: Some(format!("{}{}", cert.pem(), key.serialize_pem())),
                certificate_policy: Some(CertificatePolicy {
                    secret_properties: Some(SecretProperties {
                        content_type: Some("application/x-pem-file".into()),
                    }),
                    ..Default::default()
                }),
                ..Default::default()
            }
            .try_into()?,
            None,
        )
        .await?
        .into_model()?;
    c.ok(
        "import: cer is the imported certificate",
        imported.cer.as_deref() == Some(der.as_slice()),
        imported.cer.as_ref().map(Vec::len),
    );
    c.equal(
        "import: enabled",
        imported.attributes.as_ref().and_then(|a| a.enabled),
        Some(true),
    );
    c.equal(
        "import: x5t",
        imported.x509_thumbprint.as_deref().map(hex::encode),
        Some(sha1_hex(&der)),
    );
    let version = imported.resource_id()?.version.unwrap_or_default();
    c.ok("import: versioned id", hex32(&version), &imported.id);
    c.equal(
        "import: policy content type",
        imported
            .policy
            .as_ref()
            .and_then(|p| p.secret_properties.as_ref())
            .and_then(|s| s.content_type.as_deref()),
        Some("application/x-pem-file"),
    );
    let got = e.client.get_certificate(name, None).await?.into_model()?;
    c.equal(
        "get imported: same version",
        got.resource_id()?.version,
        Some(version),
    );
    c.ok(
        "get imported: same cer",
        got.cer.as_deref() == Some(der.as_slice()),
        "differs",
    );
    Ok(())
}

pub(crate) async fn listed(e: &Env, include_pending: bool) -> Res<BTreeSet<String>> {
    let mut pager = e.client.list_certificate_properties(Some(
        CertificateClientListCertificatePropertiesOptions {
            include_pending: Some(include_pending),
            ..Default::default()
        },
    ))?;
    let mut names = BTreeSet::new();
    while let Some(item) = pager.next().await {
        names.insert(item?.resource_id()?.name);
    }
    Ok(names)
}

pub(crate) async fn list(c: &mut Checks, e: &Env, issued: &[&str], pending: &str) -> Res {
    let all = listed(e, true).await?;
    for n in issued {
        c.ok(
            &format!("list (includePending): has {n}"),
            all.contains(*n),
            "not listed",
        );
    }
    c.ok(
        &format!("list (includePending): has the pending {pending}"),
        all.contains(pending),
        "not listed",
    );
    let plain = listed(e, false).await?;
    for n in issued {
        c.ok(&format!("list: has {n}"), plain.contains(*n), "not listed");
    }
    c.ok(
        &format!("list: leaves out the pending {pending}"),
        !plain.contains(pending),
        "listed",
    );
    Ok(())
}

pub(crate) async fn delete_and_purge(c: &mut Checks, e: &Env, name: &str) -> Res {
    let deleted = e
        .client
        .delete_certificate(name, None)
        .await?
        .into_model()?;
    c.equal(
        "delete: recoveryId",
        deleted.recovery_id.clone(),
        Some(format!("{}/deletedcertificates/{name}", e.url)),
    );
    c.ok(
        "delete: deletedDate and scheduledPurgeDate",
        matches!((deleted.deleted_date, deleted.scheduled_purge_date), (Some(d), Some(p)) if p > d),
        (deleted.deleted_date, deleted.scheduled_purge_date),
    );
    let after = e.client.get_certificate(name, None).await;
    c.http_error("get after delete → 404", after.map(|r| r.status()), 404);

    // The service deletes in the background: wait (bounded) for the deleted certificate.
    let mut got = e.client.get_deleted_certificate(name, None).await;
    for _ in 0..50 {
        if got.is_ok() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        got = e.client.get_deleted_certificate(name, None).await;
    }
    let got = got?.into_model()?;
    c.equal(
        "get deleted: recoveryId",
        got.recovery_id,
        deleted.recovery_id,
    );
    let mut pager = e.client.list_deleted_certificate_properties(None)?;
    let mut found = false;
    while let Some(item) = pager.next().await {
        found |= item?.resource_id()?.name == name;
    }
    c.ok(&format!("list deleted: has {name}"), found, "not listed");

    let purged = e.client.purge_deleted_certificate(name, None).await?;
    c.equal("purge: 204", u16::from(purged.status()), 204);
    let mut after = e
        .client
        .get_deleted_certificate(name, None)
        .await
        .map(|r| r.status());
    for _ in 0..50 {
        if after.is_err() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        after = e
            .client
            .get_deleted_certificate(name, None)
            .await
            .map(|r| r.status());
    }
    c.http_error("get deleted after purge → 404", after, 404);
    Ok(())
}
