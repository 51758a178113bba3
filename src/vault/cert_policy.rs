//! The policy of a certificate imported without one (or with parts left out): what the
//! certificate itself says, as the service derives it.
//!
//! From the certificate: the subject, the SANs (DNS names, e-mails, UPNs), the key usages, the
//! extended key usages, the basic constraints (`ca`), the key type and size or curve, and the
//! content type from the data (PEM → `application/x-pem-file`, PKCS#12 →
//! `application/x-pkcs12`; the CLI's import validator makes the same choice).
//!
//! Recorded (azure-cli `test_keyvault_certificate_import.yaml` @ 9227cdd, 2021-04-14, api 7.0,
//! service 1.2.236.0: a PEM import whose policy has no `x509_props`, of a self-signed CA with
//! basic constraints only, valid 3650 days): `subject` in the .NET form, most specific RDN first
//! with `S=` for the state (`O=Internet Widgits Pty Ltd, S=Some-State, C=AU` for a certificate
//! whose DER order is C, ST, O); `ekus: []` and `key_usage: []` without those extensions; no
//! `sans` without a SAN extension; `validity_months: 120` for 3650 days;
//! `basic_constraints.ca: true`.
//!
//! The vault's choices (not recorded): the validity in months rounded to the nearest (30 days
//! → 1, at least 1; 3650 days → 120 as recorded); the content type when the request gives
//! none (a recorded request always gave one); `exportable` true and `reuse_key` false;
//! issuer `Unknown`.

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
    /// The subject in the .NET `X500DistinguishedName` form the service shows.
    pub(crate) subject: Option<String>,
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
        subject: Some(dotnet_name(cert.subject())),
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

/// A name as .NET's `X500DistinguishedName.Name` writes it: RDNs most specific first, `, `
/// between them, ` + ` inside a multi-valued one, .NET's short names (`S` for the state),
/// `OID.n.n` for the rest, and values with special characters in double quotes.
fn dotnet_name(name: &x509_parser::x509::X509Name<'_>) -> String {
    let rdns: Vec<String> = name
        .iter()
        .map(|rdn| {
            rdn.iter()
                .map(|attr| {
                    let oid = attr.attr_type().to_id_string();
                    let value = attr
                        .as_str()
                        .map_or_else(|_| hex::encode(attr.attr_value().data), str::to_owned);
                    format!("{}={}", short_name(&oid), quoted(&value))
                })
                .collect::<Vec<_>>()
                .join(" + ")
        })
        .collect();
    rdns.into_iter().rev().collect::<Vec<_>>().join(", ")
}

fn short_name(oid: &str) -> String {
    let known = match oid {
        "2.5.4.3" => "CN",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "2.5.4.7" => "L",
        "2.5.4.8" => "S",
        "2.5.4.6" => "C",
        "1.2.840.113549.1.9.1" => "E",
        "0.9.2342.19200300.100.1.25" => "DC",
        "2.5.4.9" => "STREET",
        "2.5.4.5" => "SERIALNUMBER",
        "2.5.4.12" => "T",
        "2.5.4.42" => "G",
        "2.5.4.4" => "SN",
        "2.5.4.43" => "I",
        "2.5.4.17" => "PostalCode",
        "0.9.2342.19200300.100.1.1" => "UID",
        other => return format!("OID.{other}"),
    };
    known.to_owned()
}

fn quoted(value: &str) -> String {
    let special = value.starts_with(' ')
        || value.ends_with(' ')
        || value
            .chars()
            .any(|c| matches!(c, ',' | ';' | '=' | '+' | '"' | '<' | '>' | '#' | '\n'));
    if special {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}
