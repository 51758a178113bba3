//! Real X.509 for scenarios: the crypto actions (sign a captured CSR with a throwaway CA, a
//! certificate for a foreign key, garbage `x5c`, a PEM bundle to import) and the parsing that
//! semantic checks rely on (CSR validity, public keys, thumbprints).

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SubjectPublicKeyInfo,
};
use serde_json::{Value, json};
use sha1::{Digest, Sha1};
use x509_parser::certification_request::X509CertificationRequest;
use x509_parser::prelude::{FromDer, X509Certificate};

/// A crypto helper failed; always a harness problem or an unusable value from the target.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("not base64: {0}")]
    Base64(String),
    #[error("not a PKCS#10 request: {0}")]
    Csr(String),
    #[error("the CSR signature does not verify")]
    CsrSignature,
    #[error("not an X.509 certificate: {0}")]
    Certificate(String),
    #[error("certificate generation failed: {0}")]
    Generate(String),
}

fn generate(err: rcgen::Error) -> CryptoError {
    CryptoError::Generate(err.to_string())
}

/// What a parsed CSR tells the checks.
#[derive(Debug, Clone, PartialEq)]
pub struct CsrInfo {
    /// The subject as RFC 4514-like text, e.g. `CN=a, O=b`.
    pub subject: String,
    pub dns_names: Vec<String>,
    /// DER of the SubjectPublicKeyInfo.
    pub spki: Vec<u8>,
}

/// Decodes standard base64 (the service's `csr` and `cer` form), tolerating whitespace.
pub fn decode_b64(text: &str) -> Result<Vec<u8>, CryptoError> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    STANDARD
        .decode(compact)
        .map_err(|e| CryptoError::Base64(e.to_string()))
}

/// Parses and verifies a base64 DER PKCS#10 request.
pub fn parse_csr(csr_b64: &str) -> Result<CsrInfo, CryptoError> {
    let der = decode_b64(csr_b64)?;
    let (_, csr) =
        X509CertificationRequest::from_der(&der).map_err(|e| CryptoError::Csr(e.to_string()))?;
    csr.verify_signature()
        .map_err(|_| CryptoError::CsrSignature)?;
    let info = &csr.certification_request_info;
    let mut dns_names = Vec::new();
    if let Some(extensions) = csr.requested_extensions() {
        for ext in extensions {
            if let x509_parser::extensions::ParsedExtension::SubjectAlternativeName(san) = ext {
                for name in &san.general_names {
                    if let x509_parser::extensions::GeneralName::DNSName(d) = name {
                        dns_names.push(d.to_string());
                    }
                }
            }
        }
    }
    Ok(CsrInfo {
        subject: info.subject.to_string(),
        dns_names,
        spki: info.subject_pki.raw.to_vec(),
    })
}

/// The SubjectPublicKeyInfo DER of a base64 DER certificate.
pub fn certificate_spki(cer_b64: &str) -> Result<Vec<u8>, CryptoError> {
    let der = decode_b64(cer_b64)?;
    let (_, cert) =
        X509Certificate::from_der(&der).map_err(|e| CryptoError::Certificate(e.to_string()))?;
    Ok(cert.public_key().raw.to_vec())
}

/// The Key Vault `x5t`: base64url (no padding) of the SHA-1 of the certificate DER.
pub fn thumbprint(cer_b64: &str) -> Result<String, CryptoError> {
    let der = decode_b64(cer_b64)?;
    Ok(URL_SAFE_NO_PAD.encode(Sha1::digest(&der)))
}

/// Compares two subjects written as `CN=a, O=b` or `CN=a,O=b` (attribute order kept).
pub fn same_subject(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.split(',')
            .map(|part| part.trim().replace(" = ", "="))
            .collect::<Vec<_>>()
    };
    norm(a) == norm(b)
}

fn throwaway_ca() -> Result<(Issuer<'static, KeyPair>, Vec<u8>), CryptoError> {
    let mut params = CertificateParams::new(Vec::<String>::new()).map_err(generate)?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, "kvconform throwaway CA");
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let key = KeyPair::generate().map_err(generate)?;
    let cert = params.self_signed(&key).map_err(generate)?;
    Ok((Issuer::new(params, key), cert.der().to_vec()))
}

fn leaf_params(subject: &str) -> Result<CertificateParams, CryptoError> {
    let mut params = CertificateParams::new(Vec::<String>::new()).map_err(generate)?;
    params.distinguished_name = distinguished_name(subject);
    Ok(params)
}

/// Builds a DN from `CN=a, O=b` text; unknown attribute types are kept as CN-less text.
fn distinguished_name(subject: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    for part in subject.split(',') {
        let Some((key, value)) = part.split_once('=') else {
            continue;
        };
        let ty = match key.trim().to_ascii_uppercase().as_str() {
            "CN" => DnType::CommonName,
            "O" => DnType::OrganizationName,
            "OU" => DnType::OrganizationalUnitName,
            "C" => DnType::CountryName,
            "L" => DnType::LocalityName,
            "ST" | "S" => DnType::StateOrProvinceName,
            _ => continue,
        };
        dn.push(ty, value.trim());
    }
    dn
}

/// Signs the CSR's key with a fresh CA: `[leaf]` or `[leaf, ca]`, each base64 DER (or
/// base64 of that base64 text, as the Python SDK sends).
pub fn sign_csr(csr_b64: &str, chain: bool, double_base64: bool) -> Result<Value, CryptoError> {
    let csr = parse_csr(csr_b64)?;
    let (ca, ca_der) = throwaway_ca()?;
    let spki = SubjectPublicKeyInfo::from_der(&csr.spki).map_err(generate)?;
    let leaf = leaf_params(&csr.subject)?
        .signed_by(&spki, &ca)
        .map_err(generate)?;
    let mut ders = vec![leaf.der().to_vec()];
    if chain {
        ders.push(ca_der);
    }
    Ok(x5c(&ders, double_base64))
}

/// A certificate for a key nobody asked for: merging it must fail the key check.
pub fn foreign_cert(subject: &str) -> Result<Value, CryptoError> {
    let (ca, _) = throwaway_ca()?;
    let key = KeyPair::generate().map_err(generate)?;
    let leaf = leaf_params(subject)?
        .signed_by(&key, &ca)
        .map_err(generate)?;
    Ok(x5c(&[leaf.der().to_vec()], false))
}

/// Valid base64 that is not DER of anything.
pub fn garbage_x5c() -> Value {
    json!([STANDARD.encode(b"this is not an X.509 certificate, it is kvconform garbage")])
}

/// A self-signed certificate followed by its PKCS#8 private key, PEM (the import format).
pub fn self_signed_pem(subject: &str) -> Result<Value, CryptoError> {
    let key = KeyPair::generate().map_err(generate)?;
    let cert = leaf_params(subject)?.self_signed(&key).map_err(generate)?;
    Ok(Value::String(format!(
        "{}{}",
        cert.pem(),
        key.serialize_pem()
    )))
}

fn x5c(ders: &[Vec<u8>], double_base64: bool) -> Value {
    let items = ders.iter().map(|der| {
        let once = STANDARD.encode(der);
        if double_base64 {
            STANDARD.encode(once)
        } else {
            once
        }
    });
    Value::Array(items.map(Value::String).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rcgen::PublicKeyData as _;

    fn csr_for(subject: &str) -> (String, KeyPair) {
        let key = KeyPair::generate().unwrap();
        let params = leaf_params(subject).unwrap();
        let csr = params.serialize_request(&key).unwrap();
        (STANDARD.encode(csr.der()), key)
    }

    #[test]
    fn signed_csr_carries_the_csr_key() {
        let (csr, key) = csr_for("CN=kvc-test, O=Contoso");
        let info = parse_csr(&csr).unwrap();
        assert!(
            same_subject(&info.subject, "CN=kvc-test, O=Contoso"),
            "{}",
            info.subject
        );
        let x5c = sign_csr(&csr, true, false).unwrap();
        let leaf = x5c[0].as_str().unwrap();
        assert_eq!(x5c.as_array().unwrap().len(), 2);
        assert_eq!(
            certificate_spki(leaf).unwrap(),
            key.subject_public_key_info()
        );
    }

    #[test]
    fn foreign_and_garbage_certificates_do_not_match() {
        let (csr, _) = csr_for("CN=x");
        let foreign = foreign_cert("CN=x").unwrap();
        let spki = certificate_spki(foreign[0].as_str().unwrap()).unwrap();
        assert_ne!(spki, parse_csr(&csr).unwrap().spki);
        assert!(certificate_spki(garbage_x5c()[0].as_str().unwrap()).is_err());
    }

    #[test]
    fn double_base64_decodes_twice_to_der() {
        let (csr, _) = csr_for("CN=y");
        let x5c = sign_csr(&csr, false, true).unwrap();
        let once = String::from_utf8(decode_b64(x5c[0].as_str().unwrap()).unwrap()).unwrap();
        assert!(certificate_spki(&once).is_ok());
    }

    #[test]
    fn thumbprint_is_base64url_sha1() {
        let t = thumbprint(&STANDARD.encode(b"abc")).unwrap();
        assert_eq!(t, "qZk-NkcGgWq6PiVxeFDCbJzQ2J0");
    }
}
