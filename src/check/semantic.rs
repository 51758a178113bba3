//! Checks across several values: the CSR is real and carries the policy subject; the merged
//! certificate has the CSR's key; `x5t` is the thumbprint of `cer`; ids agree with each other.

use serde_json::Value;

use crate::crypto;
use crate::scenario::Semantic;
use crate::target::Exchange;
use crate::template::{self, Vars};

pub(crate) struct Mismatch {
    pub expected: String,
    pub actual: String,
}

fn mismatch(expected: impl Into<String>, actual: impl Into<String>) -> Mismatch {
    Mismatch {
        expected: expected.into(),
        actual: actual.into(),
    }
}

pub(crate) fn name(semantic: &Semantic) -> &'static str {
    match semantic {
        Semantic::CsrMatches { .. } => "csr_matches",
        Semantic::CerKeyMatchesCsr { .. } => "cer_key_matches_csr",
        Semantic::X5tIsThumbprint => "x5t_is_thumbprint",
        Semantic::LocationMatchesRequestId => "location_matches_request_id",
        Semantic::IdsConsistent { .. } => "ids_consistent",
    }
}

fn text<'a>(body: &'a Value, pointer: &str) -> Result<&'a str, Mismatch> {
    body.pointer(pointer)
        .and_then(Value::as_str)
        .ok_or_else(|| mismatch(format!("a string at {pointer}"), "nothing"))
}

fn render(template_text: &str, vars: &Vars) -> Result<String, Mismatch> {
    template::render(template_text, vars).map_err(|e| mismatch("known variables", e.to_string()))
}

pub(crate) fn check(
    semantic: &Semantic,
    body: &Value,
    exchange: &Exchange,
    vars: &Vars,
) -> Result<(), Mismatch> {
    match semantic {
        Semantic::CsrMatches { subject, dns_names } => csr_matches(body, subject, dns_names, vars),
        Semantic::CerKeyMatchesCsr { csr } => cer_key_matches_csr(body, &render(csr, vars)?),
        Semantic::X5tIsThumbprint => x5t_is_thumbprint(body),
        Semantic::LocationMatchesRequestId => location_matches_request_id(body, exchange),
        Semantic::IdsConsistent { name } => ids_consistent(body, vars, &render(name, vars)?),
    }
}

/// `/csr` is a real PKCS#10 request with the policy's subject and every DNS name.
fn csr_matches(
    body: &Value,
    subject: &str,
    dns_names: &[String],
    vars: &Vars,
) -> Result<(), Mismatch> {
    let csr = crypto::parse_csr(text(body, "/csr")?)
        .map_err(|e| mismatch("a valid PKCS#10 request in /csr", e.to_string()))?;
    let subject = render(subject, vars)?;
    if !crypto::same_subject(&csr.subject, &subject) {
        return Err(mismatch(format!("CSR subject {subject:?}"), csr.subject));
    }
    for dns in dns_names {
        let dns = render(dns, vars)?;
        if !csr.dns_names.contains(&dns) {
            return Err(mismatch(
                format!("DNS SAN {dns:?} in the CSR"),
                format!("{:?}", csr.dns_names),
            ));
        }
    }
    Ok(())
}

/// The certificate in `/cer` carries the public key of this CSR.
fn cer_key_matches_csr(body: &Value, csr: &str) -> Result<(), Mismatch> {
    let csr = crypto::parse_csr(csr)
        .map_err(|e| mismatch("a valid CSR to compare with", e.to_string()))?;
    let cer = crypto::certificate_spki(text(body, "/cer")?)
        .map_err(|e| mismatch("an X.509 certificate in /cer", e.to_string()))?;
    if cer == csr.spki {
        Ok(())
    } else {
        Err(mismatch(
            "the CSR's public key in /cer",
            "a different public key",
        ))
    }
}

fn x5t_is_thumbprint(body: &Value) -> Result<(), Mismatch> {
    let expected = crypto::thumbprint(text(body, "/cer")?)
        .map_err(|e| mismatch("base64 DER in /cer", e.to_string()))?;
    let actual = text(body, "/x5t")?;
    if actual == expected {
        Ok(())
    } else {
        Err(mismatch(format!("x5t {expected:?} (SHA-1 of cer)"), actual))
    }
}

fn location_matches_request_id(body: &Value, exchange: &Exchange) -> Result<(), Mismatch> {
    let body_id = text(body, "/request_id")?;
    let location = exchange
        .response
        .header("location")
        .ok_or_else(|| mismatch("a Location header", "none"))?;
    let from_location = query_param(location, "request_id");
    if from_location.as_deref() == Some(body_id) {
        Ok(())
    } else {
        Err(mismatch(
            format!("request_id={body_id} in Location"),
            location.to_string(),
        ))
    }
}

fn ids_consistent(body: &Value, vars: &Vars, name: &str) -> Result<(), Mismatch> {
    let vault = vars.get("vault").map(template::as_text).unwrap_or_default();
    let cert = format!("{vault}/certificates/{name}");
    let expectations: [(&str, String, bool); 5] = [
        ("/id", cert.clone(), false),
        ("/kid", format!("{vault}/keys/{name}/"), true),
        ("/sid", format!("{vault}/secrets/{name}/"), true),
        ("/target", cert.clone(), false),
        ("/pending/id", format!("{cert}/pending"), false),
    ];
    for (pointer, expected, versioned) in expectations {
        let Some(actual) = body.pointer(pointer).and_then(Value::as_str) else {
            continue;
        };
        let ok = if versioned {
            actual.starts_with(&expected) && is_version(&actual[expected.len()..])
        } else if pointer == "/id" {
            actual == expected
                || actual == format!("{expected}/pending")
                || actual
                    .strip_prefix(&format!("{expected}/"))
                    .is_some_and(is_version)
        } else {
            actual == expected
        };
        if !ok {
            let shape = if versioned { "{version}" } else { "" };
            return Err(mismatch(format!("{pointer} = {expected}{shape}"), actual));
        }
    }
    Ok(())
}

fn is_version(segment: &str) -> bool {
    !segment.is_empty() && segment.chars().all(|c| c.is_ascii_alphanumeric())
}

/// A query parameter of a URL, percent-decoded.
pub(crate) fn query_param(url: &str, param: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    serde_urlencoded::from_str::<Vec<(String, String)>>(query)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == param)
        .map(|(_, v)| v)
}
