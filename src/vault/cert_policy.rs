//! The policy of a certificate imported without one (or with parts left out): what the
//! certificate itself says, as the service derives it.
//!
//! From the certificate: the subject, the SANs (DNS names, e-mails, UPNs), the key usages, the
//! extended key usages, the basic constraints (`ca`), the key type and size or curve, and the
//! content type from the data (PEM → `application/x-pem-file`, PKCS#12 →
//! `application/x-pkcs12`; the CLI's import validator makes the same choice).
//!
//! The vault's choices (no recording of an import without a policy, FACTS.md has none; each is
//! `unverified` until one is recorded): `validity_months` is the certificate's lifetime in
//! months rounded to the nearest (30 days → 1, at least 1); a certificate without a key-usage
//! or EKU extension gets an empty list (it allows nothing more); `exportable` true and
//! `reuse_key` false (the private key was handed over); issuer `Unknown`.

use x509_parser::extensions::GeneralName;
use x509_parser::prelude::{FromDer, X509Certificate};

use super::model::Sans;

/// The OID of the Microsoft UPN other-name.
const UPN_OID: &str = "1.3.6.1.4.1.311.20.2.3";
/// Seconds in an average month (365.25 / 12 days).
const MONTH_SECS: i64 = 2_629_800;

/// How the imported value was encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Pem,
    Pkcs12,
}

impl Format {
    pub(crate) fn content_type(self) -> &'static str {
        match self {
            Self::Pem => "application/x-pem-file",
            Self::Pkcs12 => "application/x-pkcs12",
        }
    }
}

/// What a certificate says that a policy can say too.
#[derive(Debug, Clone, Default)]
pub(crate) struct Facts {
    /// `None` when the certificate has no SAN extension (the policy then has no `sans`).
    pub(crate) sans: Option<Sans>,
    pub(crate) key_usage: Vec<String>,
    pub(crate) ekus: Vec<String>,
    pub(crate) validity_months: u32,
    pub(crate) ca: bool,
}

/// The facts of a DER certificate (an unreadable extension counts as absent).
pub(crate) fn facts(der: &[u8]) -> Facts {
    let Ok((_, cert)) = X509Certificate::from_der(der) else {
        return Facts::default();
    };
    let lifetime = cert.validity().not_after.timestamp() - cert.validity().not_before.timestamp();
    let months = (lifetime + MONTH_SECS / 2) / MONTH_SECS;
    Facts {
        sans: sans(&cert),
        key_usage: key_usage(&cert),
        ekus: ekus(&cert),
        validity_months: u32::try_from(months.max(1)).unwrap_or(u32::MAX),
        ca: cert
            .basic_constraints()
            .ok()
            .flatten()
            .is_some_and(|b| b.value.ca),
    }
}

fn sans(cert: &X509Certificate<'_>) -> Option<Sans> {
    let ext = cert.subject_alternative_name().ok().flatten()?;
    let (mut dns, mut emails, mut upns) = (Vec::new(), Vec::new(), Vec::new());
    for name in &ext.value.general_names {
        match name {
            GeneralName::DNSName(d) => dns.push((*d).to_owned()),
            GeneralName::RFC822Name(e) => emails.push((*e).to_owned()),
            GeneralName::OtherName(oid, value) if oid.to_id_string() == UPN_OID => {
                if let Some(upn) = utf8_in_explicit(value) {
                    upns.push(upn);
                }
            }
            _ => {}
        }
    }
    let some = |v: Vec<String>| (!v.is_empty()).then_some(v);
    Some(Sans {
        emails: some(emails),
        dns_names: some(dns),
        upns: some(upns),
    })
}

/// The UTF8String inside an other-name value (`[0] EXPLICIT UTF8String`, with or without the
/// `[0]` header, depending on how the parser hands it over).
fn utf8_in_explicit(value: &[u8]) -> Option<String> {
    let inner = match value.first() {
        Some(0xA0) => skip_header(value)?,
        _ => value,
    };
    match inner.first() {
        Some(0x0C) => String::from_utf8(skip_header(inner)?.to_vec()).ok(),
        _ => None,
    }
}

/// The content of one DER TLV (short or long length form).
fn skip_header(tlv: &[u8]) -> Option<&[u8]> {
    let first = *tlv.get(1)?;
    let (len, start) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let n = usize::from(first & 0x7F);
        let bytes = tlv.get(2..2 + n)?;
        (
            bytes
                .iter()
                .fold(0usize, |acc, b| (acc << 8) | usize::from(*b)),
            2 + n,
        )
    };
    tlv.get(start..start + len)
}

fn key_usage(cert: &X509Certificate<'_>) -> Vec<String> {
    let Some(ext) = cert.key_usage().ok().flatten() else {
        return Vec::new();
    };
    let ku = ext.value;
    [
        (ku.digital_signature(), "digitalSignature"),
        (ku.non_repudiation(), "nonRepudiation"),
        (ku.key_encipherment(), "keyEncipherment"),
        (ku.data_encipherment(), "dataEncipherment"),
        (ku.key_agreement(), "keyAgreement"),
        (ku.key_cert_sign(), "keyCertSign"),
        (ku.crl_sign(), "cRLSign"),
        (ku.encipher_only(), "encipherOnly"),
        (ku.decipher_only(), "decipherOnly"),
    ]
    .into_iter()
    .filter(|(set, _)| *set)
    .map(|(_, name)| name.to_owned())
    .collect()
}

fn ekus(cert: &X509Certificate<'_>) -> Vec<String> {
    let Some(ext) = cert.extended_key_usage().ok().flatten() else {
        return Vec::new();
    };
    let e = ext.value;
    let mut out: Vec<String> = [
        (e.server_auth, "1.3.6.1.5.5.7.3.1"),
        (e.client_auth, "1.3.6.1.5.5.7.3.2"),
        (e.code_signing, "1.3.6.1.5.5.7.3.3"),
        (e.email_protection, "1.3.6.1.5.5.7.3.4"),
        (e.time_stamping, "1.3.6.1.5.5.7.3.8"),
        (e.ocsp_signing, "1.3.6.1.5.5.7.3.9"),
        (e.any, "2.5.29.37.0"),
    ]
    .into_iter()
    .filter(|(set, _)| *set)
    .map(|(_, oid)| oid.to_owned())
    .collect();
    out.extend(e.other.iter().map(|o| o.to_id_string()));
    out
}
