//! Certificates and CSRs: building the pending CSR from a policy, self-signing for the `Self`
//! issuer, reading the x5c chain of a merge and the PEM or PKCS#12 of an import.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};
use rcgen::string::Ia5String;
use rcgen::{
    CertificateParams, ExtendedKeyUsagePurpose, KeyPair, KeyUsagePurpose, OtherNameValue,
    PublicKeyData, SanType, SerialNumber,
};
use sha1::{Digest, Sha1};
use time::OffsetDateTime;
use x509_parser::prelude::{FromDer, X509Certificate};

use super::errors::KvError;
use super::model::{Sans, X509PropsOut};

/// The OID of the Microsoft UPN other-name (used for `sans.upns`).
const UPN_OID: [u64; 10] = [1, 3, 6, 1, 4, 1, 311, 20, 2, 3];

/// What the vault keeps of a pending key: enough to check a merged certificate against it.
#[derive(Debug, Clone)]
pub(crate) struct PublicKey {
    /// The subjectPublicKey bit string content (PKCS#1 for RSA, the point for EC).
    pub(crate) raw: Vec<u8>,
}

impl PublicKey {
    pub(crate) fn of(key: &KeyPair) -> Self {
        Self {
            raw: key.der_bytes().to_vec(),
        }
    }
}

/// A certificate read from DER, with the facts the vault stores about it.
#[derive(Debug, Clone)]
pub(crate) struct CertInfo {
    pub(crate) der: Vec<u8>,
    pub(crate) public_key: Vec<u8>,
    pub(crate) nbf: i64,
    pub(crate) exp: i64,
    /// The subject in `CN=…, O=…` form (the default policy subject of an import).
    pub(crate) subject_text: String,
    /// `(kty, key_size or curve)` of the certificate's key, when it is RSA or EC.
    pub(crate) key_type: Option<(&'static str, u32)>,
    subject: Vec<u8>,
    issuer: Vec<u8>,
}

impl CertInfo {
    pub(crate) fn parse(der: Vec<u8>) -> Option<Self> {
        let (rest, cert) = X509Certificate::from_der(&der).ok()?;
        if !rest.is_empty() {
            return None;
        }
        let info = CertInfo {
            public_key: cert.public_key().subject_public_key.data.to_vec(),
            nbf: cert.validity().not_before.timestamp(),
            exp: cert.validity().not_after.timestamp(),
            subject_text: cert.subject().to_string(),
            key_type: key_type(&cert),
            subject: cert.subject().as_raw().to_vec(),
            issuer: cert.issuer().as_raw().to_vec(),
            der: Vec::new(),
        };
        Some(CertInfo { der, ..info })
    }

    pub(crate) fn matches(&self, key: &PublicKey) -> bool {
        self.public_key == key.raw
    }
}

fn key_type(cert: &X509Certificate<'_>) -> Option<(&'static str, u32)> {
    use x509_parser::public_key::PublicKey as Parsed;
    let parsed = cert.public_key().parsed().ok()?;
    let bits = u32::try_from(parsed.key_size()).ok()?;
    match parsed {
        Parsed::RSA(_) => Some(("RSA", bits)),
        // x509-parser counts a P-521 point as 528 bits.
        Parsed::EC(_) => Some(("EC", if bits == 528 { 521 } else { bits })),
        _ => None,
    }
}

/// The certificate parameters a policy describes (subject, SANs, key usages, EKUs).
pub(crate) fn params_for(x509: &X509PropsOut) -> Result<CertificateParams, KvError> {
    let mut params = CertificateParams::default();
    params.distinguished_name =
        super::dn::parse(&x509.subject).map_err(|_| super::policy::invalid_subject())?;
    params.subject_alt_names = sans(x509.sans.as_ref())?;
    params.key_usages = x509
        .key_usage
        .iter()
        .map(|u| key_usage(u))
        .collect::<Result<_, _>>()?;
    params.extended_key_usages = x509.ekus.iter().map(|e| eku(e)).collect::<Result<_, _>>()?;
    Ok(params)
}

fn sans(sans: Option<&Sans>) -> Result<Vec<SanType>, KvError> {
    let Some(sans) = sans else {
        return Ok(Vec::new());
    };
    let bad = |_| KvError::bad_parameter("Property policy.x509_props.sans has invalid value.");
    let list = |l: &Option<Vec<String>>| l.clone().unwrap_or_default();
    let mut out = Vec::new();
    for dns in list(&sans.dns_names) {
        out.push(SanType::DnsName(Ia5String::try_from(dns).map_err(bad)?));
    }
    for email in list(&sans.emails) {
        out.push(SanType::Rfc822Name(
            Ia5String::try_from(email).map_err(bad)?,
        ));
    }
    for upn in list(&sans.upns) {
        out.push(SanType::OtherName((
            UPN_OID.to_vec(),
            OtherNameValue::Utf8String(upn),
        )));
    }
    Ok(out)
}

fn key_usage(name: &str) -> Result<KeyUsagePurpose, KvError> {
    Ok(match name {
        "digitalSignature" => KeyUsagePurpose::DigitalSignature,
        "nonRepudiation" => KeyUsagePurpose::ContentCommitment,
        "keyEncipherment" => KeyUsagePurpose::KeyEncipherment,
        "dataEncipherment" => KeyUsagePurpose::DataEncipherment,
        "keyAgreement" => KeyUsagePurpose::KeyAgreement,
        "keyCertSign" => KeyUsagePurpose::KeyCertSign,
        "cRLSign" => KeyUsagePurpose::CrlSign,
        "encipherOnly" => KeyUsagePurpose::EncipherOnly,
        "decipherOnly" => KeyUsagePurpose::DecipherOnly,
        other => {
            return Err(KvError::bad_parameter(format!(
                "Property policy.x509_props.key_usage has invalid value {other}."
            )));
        }
    })
}

fn eku(oid: &str) -> Result<ExtendedKeyUsagePurpose, KvError> {
    let arcs: Result<Vec<u64>, _> = oid.split('.').map(str::parse).collect();
    let arcs = arcs.ok().filter(|a| a.len() >= 2).ok_or_else(|| {
        KvError::bad_parameter(format!(
            "Property policy.x509_props.ekus has invalid value {oid}."
        ))
    })?;
    Ok(match arcs.as_slice() {
        [1, 3, 6, 1, 5, 5, 7, 3, 1] => ExtendedKeyUsagePurpose::ServerAuth,
        [1, 3, 6, 1, 5, 5, 7, 3, 2] => ExtendedKeyUsagePurpose::ClientAuth,
        [1, 3, 6, 1, 5, 5, 7, 3, 3] => ExtendedKeyUsagePurpose::CodeSigning,
        [1, 3, 6, 1, 5, 5, 7, 3, 4] => ExtendedKeyUsagePurpose::EmailProtection,
        [1, 3, 6, 1, 5, 5, 7, 3, 8] => ExtendedKeyUsagePurpose::TimeStamping,
        [1, 3, 6, 1, 5, 5, 7, 3, 9] => ExtendedKeyUsagePurpose::OcspSigning,
        _ => ExtendedKeyUsagePurpose::Other(arcs),
    })
}

/// A PKCS#10 CSR (DER) for the policy's subject, signed by the pending key.
pub(crate) fn csr(params: &CertificateParams, key: &KeyPair) -> Result<Vec<u8>, KvError> {
    let request = params
        .serialize_request(key)
        .map_err(|e| KvError::internal(format!("CSR generation failed: {e}")))?;
    Ok(request.der().to_vec())
}

/// The certificate the `Self` issuer produces: self-signed by the pending key, valid from ten
/// minutes ago (as Key Vault back-dates) for the policy's number of months.
pub(crate) fn self_signed(
    params: &CertificateParams,
    key: &KeyPair,
    validity_months: u32,
) -> Result<CertInfo, KvError> {
    let now = OffsetDateTime::now_utc();
    let mut params = params.clone();
    params.not_before = now - time::Duration::minutes(10);
    params.not_after = add_months(now, validity_months);
    params.serial_number = Some(SerialNumber::from_slice(&random_bytes::<16>()));
    let cert = params
        .self_signed(key)
        .map_err(|e| KvError::internal(format!("self-signing failed: {e}")))?;
    CertInfo::parse(cert.der().to_vec())
        .ok_or_else(|| KvError::internal("self-signed certificate does not parse"))
}

/// Calendar months, clamped to the last day of the target month.
pub(crate) fn add_months(t: OffsetDateTime, months: u32) -> OffsetDateTime {
    let total = t.month() as i64 - 1 + i64::from(months);
    let year = t.year() + i32::try_from(total / 12).unwrap_or(0);
    let month = time::Month::try_from(u8::try_from(total % 12 + 1).unwrap_or(1))
        .unwrap_or(time::Month::January);
    let day = t.day().min(month.length(year));
    time::Date::from_calendar_date(year, month, day)
        .map(|d| t.replace_date(d))
        .unwrap_or(t)
}

pub(crate) fn random_bytes<const N: usize>() -> [u8; N] {
    rand::random()
}

/// `x5t`: base64url SHA-1 of the DER certificate, unpadded (or padded, for a quirk).
pub(crate) fn thumbprint(der: &[u8], padded: bool) -> String {
    let digest = Sha1::digest(der);
    if padded {
        URL_SAFE.encode(digest)
    } else {
        URL_SAFE_NO_PAD.encode(digest)
    }
}

/// Reads a merge's x5c list. Each item is base64 DER, or base64 of the base64 text (what the
/// Python SDK sends, FACTS §9), or base64 of PEM text (possibly several certificates).
pub(crate) fn decode_x5c(items: &[String]) -> Result<Vec<CertInfo>, KvError> {
    let unparsable = || {
        KvError::bad_parameter("Unable to parse X5c certificate chain and locate leaf certificate")
    };
    if items.is_empty() {
        return Err(KvError::bad_parameter(
            "Property x5c has invalid value X5C must has at least one valid item",
        ));
    }
    let mut certs = Vec::new();
    for item in items {
        let bytes = decode_b64(item).ok_or_else(unparsable)?;
        certs.extend(certs_from_bytes(bytes).ok_or_else(unparsable)?);
    }
    Ok(certs)
}

fn decode_b64(text: &str) -> Option<Vec<u8>> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    STANDARD.decode(compact.as_bytes()).ok()
}

/// DER, base64-of-DER text, or PEM text: whichever the bytes are.
fn certs_from_bytes(bytes: Vec<u8>) -> Option<Vec<CertInfo>> {
    if bytes.starts_with(b"-----BEGIN") {
        return certs_from_pem(&bytes);
    }
    if let Some(cert) = CertInfo::parse(bytes.clone()) {
        return Some(vec![cert]);
    }
    let text = std::str::from_utf8(&bytes).ok()?;
    CertInfo::parse(decode_b64(text)?).map(|c| vec![c])
}

/// Every CERTIFICATE block of a PEM text (`None` if there is none or one is broken).
pub(crate) fn certs_from_pem(text: &[u8]) -> Option<Vec<CertInfo>> {
    let mut certs = Vec::new();
    for block in x509_parser::pem::Pem::iter_from_buffer(text) {
        let block = block.ok()?;
        if block.label == "CERTIFICATE" {
            certs.push(CertInfo::parse(block.contents)?);
        }
    }
    (!certs.is_empty()).then_some(certs)
}

/// The end-entity certificate: the one that signed no other certificate of the chain
/// (the first such one, which is the first item for a well-ordered chain).
pub(crate) fn leaf(chain: &[CertInfo]) -> Option<&CertInfo> {
    chain.iter().find(|candidate| {
        !chain
            .iter()
            .any(|other| !std::ptr::eq(*candidate, other) && other.issuer == candidate.subject)
    })
}

/// The private key of an imported PEM (PKCS#8, or PKCS#1/SEC1 which aws-lc also reads).
pub(crate) fn key_from_pem(text: &[u8]) -> Option<KeyPair> {
    x509_parser::pem::Pem::iter_from_buffer(text)
        .filter_map(Result::ok)
        .find(|b| b.label.ends_with("PRIVATE KEY"))
        .and_then(|b| KeyPair::try_from(b.contents.as_slice()).ok())
}

/// Why a PKCS#12 blob gave nothing.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum PfxError {
    /// The integrity MAC does not check out: the password is wrong.
    WrongPassword,
    /// Not PKCS#12, an unsupported algorithm, or undecryptable with the password.
    Unreadable,
}

/// The certificates and private keys of a PKCS#12 blob, decrypted with `password`
/// (p12-keystore: PBES2/AES with an HMAC-SHA-2 MAC, and the legacy SHA-1 3DES/RC2-40 ones).
pub(crate) fn from_pkcs12(
    der: &[u8],
    password: &str,
) -> Result<(Vec<CertInfo>, Vec<KeyPair>), PfxError> {
    use p12_keystore::Pkcs12Archive;
    use p12_keystore::error::Error;
    let archive = Pkcs12Archive::from_pkcs12(der, password).map_err(|e| match e {
        Error::MacError(_) => PfxError::WrongPassword,
        _ => PfxError::Unreadable,
    })?;
    let certs = archive
        .certs
        .iter()
        .map(|bag| CertInfo::parse(bag.cert.as_der().to_vec()))
        .collect::<Option<Vec<_>>>()
        .ok_or(PfxError::Unreadable)?;
    let keys = archive
        .keys
        .iter()
        .map(|bag| KeyPair::try_from(bag.key.as_der()).map_err(|_| PfxError::Unreadable))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((certs, keys))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::vault::keys::{Curve, KeySpec, generate};
    use rcgen::{BasicConstraints, DnType, IsCa, Issuer};

    /// A throwaway CA that signs CSRs, as a harness would.
    pub(crate) fn sign_csr(csr_der: &[u8]) -> (Vec<u8>, Vec<u8>) {
        let ca_key = generate(KeySpec::Ec(Curve::P256)).expect("ca key");
        let mut ca = CertificateParams::new(Vec::<String>::new()).expect("params");
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name.push(DnType::CommonName, "test CA");
        let ca_cert = ca.self_signed(&ca_key).expect("ca cert");
        let issuer = Issuer::new(ca, ca_key);
        let params =
            rcgen::CertificateSigningRequestParams::from_der(&csr_der.into()).expect("csr");
        let leaf = params.signed_by(&issuer).expect("signed");
        (leaf.der().to_vec(), ca_cert.der().to_vec())
    }

    #[test]
    fn leaf_is_found_in_any_order_and_matches_its_key() {
        let key = generate(KeySpec::Ec(Curve::P256)).expect("key");
        let x509 = X509PropsOut {
            subject: "CN=leaf".into(),
            sans: None,
            ekus: vec![],
            key_usage: vec![],
            validity_months: 12,
            basic_constraints: crate::vault::model::BasicConstraints { ca: false },
        };
        let csr_der = csr(&params_for(&x509).expect("params"), &key).expect("csr");
        let (leaf_der, ca_der) = sign_csr(&csr_der);
        let items = [STANDARD.encode(&ca_der), STANDARD.encode(&leaf_der)];
        let chain = decode_x5c(&items).expect("chain");
        let found = leaf(&chain).expect("leaf");
        assert_eq!(found.der, leaf_der);
        assert!(found.matches(&PublicKey::of(&key)));
        // double-encoded, as the Python SDK sends it
        let double = STANDARD.encode(STANDARD.encode(&leaf_der));
        assert_eq!(decode_x5c(&[double]).expect("double")[0].der, leaf_der);
        assert!(decode_x5c(&["bm90IGEgY2VydA==".into()]).is_err());
        assert!(decode_x5c(&[]).is_err());
    }

    #[test]
    fn thumbprint_is_base64url_sha1() {
        assert_eq!(thumbprint(b"abc", false), "qZk-NkcGgWq6PiVxeFDCbJzQ2J0");
        assert_eq!(thumbprint(b"abc", true), "qZk-NkcGgWq6PiVxeFDCbJzQ2J0=");
    }

    #[test]
    fn months_are_calendar_months() {
        let at = |s| OffsetDateTime::from_unix_timestamp(s).expect("timestamp");
        // FACTS §1 (S1): created 2019-11-07 02:57:01, exp 50 months later.
        assert_eq!(add_months(at(1573095421), 50), at(1704596221));
        // 2024-01-31 + 1 month = 2024-02-29
        assert_eq!(add_months(at(1706659200), 1), at(1709164800));
    }
}
