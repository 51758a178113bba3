//! Import (`POST /certificates/{name}/import`): reading the PEM or PKCS#12 value, and the
//! policy the imported certificate gets.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rcgen::KeyPair;

use super::crypto::{self, CertInfo, PublicKey};
use super::errors::KvError;
use super::model::{KeyPropsIn, PolicyIn};
use super::policy::{self, Policy};

/// The leaf of an imported PEM or PFX: the certificate that matches the private key.
pub(crate) fn read(value: &str, pwd: &str) -> Result<CertInfo, KvError> {
    let (chain, keys) = match pem_text(value) {
        Some(text) => read_pem(&text)?,
        None => read_pfx(value, pwd)?,
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
pub(crate) fn policy(input: Option<&PolicyIn>, leaf: &CertInfo) -> Result<Policy, KvError> {
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
    policy::normalize(&p, super::ops::unix_now())
}
