//! Import (`POST /certificates/{name}/import`): reading the PEM or PKCS#12 value, and the
//! policy the imported certificate gets.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rcgen::KeyPair;

use super::cert_policy::{self, Format};
use super::crypto::{self, CertInfo, PublicKey};
use super::errors::KvError;
use super::model::{KeyPropsIn, PolicyIn};
use super::policy::{self, Policy};

/// The leaf of an imported PEM or PFX (the certificate that matches the private key), and
/// which of the two the value was.
pub(crate) fn read(value: &str, pwd: &str) -> Result<(CertInfo, Format), KvError> {
    let (chain, keys, format) = match pem_text(value) {
        Some(text) => {
            let (chain, keys) = read_pem(&text)?;
            (chain, keys, Format::Pem)
        }
        None => {
            let (chain, keys) = read_pfx(value, pwd)?;
            (chain, keys, Format::Pkcs12)
        }
    };
    let keys: Vec<_> = keys.iter().map(PublicKey::of).collect();
    let leaf = chain
        .iter()
        .find(|c| keys.iter().any(|k| c.matches(k)))
        .ok_or_else(|| {
            KvError::bad_parameter(
                "The public key of the end-entity certificate in the specified X.509 certificate content does not match the public part of the specified private key. Please check if certificate is valid.",
            )
        })?;
    Ok((leaf.clone(), format))
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

/// The request's policy with what it leaves out taken from the certificate (see
/// `cert_policy`): subject, SANs, key usages, EKUs, validity, key type, content type, and the
/// basic constraints (which a request cannot set).
pub(crate) fn policy(
    input: Option<&PolicyIn>,
    leaf: &CertInfo,
    format: Format,
) -> Result<Policy, KvError> {
    let facts = cert_policy::facts(&leaf.der);
    let mut p = input.cloned().unwrap_or_default();
    let mut x509 = p.x509_props.take().unwrap_or_default();
    if x509.subject.is_none() {
        x509.subject = Some(
            facts
                .subject
                .clone()
                .unwrap_or_else(|| leaf.subject_text.clone()),
        );
    }
    if x509.sans.is_none() {
        x509.sans = facts.sans;
    }
    x509.key_usage.get_or_insert(facts.key_usage);
    x509.ekus.get_or_insert(facts.ekus);
    x509.validity_months.get_or_insert(facts.validity_months);
    p.x509_props = Some(x509);
    let mut secret = p.secret_props.take().unwrap_or_default();
    secret
        .content_type
        .get_or_insert_with(|| format.content_type().to_owned());
    p.secret_props = Some(secret);
    if p.key_props.is_none()
        && let Some((kty, size)) = leaf.key_type
    {
        p.key_props = Some(KeyPropsIn {
            kty: Some(kty.to_owned()),
            key_size: Some(size),
            ..KeyPropsIn::default()
        });
    }
    let mut policy = policy::normalize(&p, super::ops::unix_now())?;
    policy.body.x509_props.basic_constraints.ca = facts.ca;
    Ok(policy)
}
