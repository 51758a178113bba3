//! Parsing the policy subject (`CN=a, O=b, C=US`) into an X.500 distinguished name.
//!
//! Key Vault accepts the .NET `X500DistinguishedName` string form; this parser covers the
//! attribute names that form knows, `OID.1.2.3=` types, quoted values and backslash escapes.
//! Anything else is rejected the way the service rejects it (FACTS §11 notes, S10).

use rcgen::string::PrintableString;
use rcgen::{DistinguishedName, DnType, DnValue};

/// The subject string could not be read as a distinguished name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid X.500 distinguished name")]
pub(crate) struct InvalidDn;

/// Parses a subject string; an empty or blank string is the empty name.
pub(crate) fn parse(subject: &str) -> Result<DistinguishedName, InvalidDn> {
    let mut dn = DistinguishedName::new();
    if subject.trim().is_empty() {
        return Ok(dn);
    }
    for part in split_rdns(subject)? {
        let (key, value) = part.split_once('=').ok_or(InvalidDn)?;
        let ty = attribute_type(key.trim())?;
        let value = unquote(value.trim())?;
        if value.is_empty() {
            return Err(InvalidDn);
        }
        dn.push(ty.clone(), dn_value(&ty, value));
    }
    Ok(dn)
}

/// Splits at `,` or `;` outside quotes and escapes; keeps escapes for `unquote`.
fn split_rdns(s: &str) -> Result<Vec<String>, InvalidDn> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                current.push(c);
                current.push(chars.next().ok_or(InvalidDn)?);
            }
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            ',' | ';' if !quoted => parts.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    if quoted {
        return Err(InvalidDn);
    }
    parts.push(current);
    if parts.iter().any(|p| p.trim().is_empty()) {
        return Err(InvalidDn);
    }
    Ok(parts)
}

/// Removes surrounding quotes and resolves backslash escapes.
fn unquote(value: &str) -> Result<String, InvalidDn> {
    let inner = match value.strip_prefix('"') {
        Some(rest) => rest.strip_suffix('"').ok_or(InvalidDn)?,
        None => value,
    };
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            out.push(chars.next().ok_or(InvalidDn)?);
        } else if c == '"' {
            return Err(InvalidDn);
        } else {
            out.push(c);
        }
    }
    Ok(out)
}

fn attribute_type(key: &str) -> Result<DnType, InvalidDn> {
    let upper = key.to_ascii_uppercase();
    let custom = |oid: &[u64]| Ok(DnType::CustomDnType(oid.to_vec()));
    match upper.as_str() {
        "CN" => Ok(DnType::CommonName),
        "O" => Ok(DnType::OrganizationName),
        "OU" => Ok(DnType::OrganizationalUnitName),
        "L" => Ok(DnType::LocalityName),
        "S" | "ST" => Ok(DnType::StateOrProvinceName),
        "C" => Ok(DnType::CountryName),
        "E" | "EMAIL" | "EMAILADDRESS" => custom(&[1, 2, 840, 113549, 1, 9, 1]),
        "DC" => custom(&[0, 9, 2342, 19200300, 100, 1, 25]),
        "STREET" => custom(&[2, 5, 4, 9]),
        "SERIALNUMBER" => custom(&[2, 5, 4, 5]),
        "T" | "TITLE" => custom(&[2, 5, 4, 12]),
        "G" | "GN" | "GIVENNAME" => custom(&[2, 5, 4, 42]),
        "SN" => custom(&[2, 5, 4, 4]),
        "I" => custom(&[2, 5, 4, 43]),
        "POSTALCODE" => custom(&[2, 5, 4, 17]),
        "UID" => custom(&[0, 9, 2342, 19200300, 100, 1, 1]),
        _ => upper
            .strip_prefix("OID.")
            .map(parse_oid)
            .unwrap_or(Err(InvalidDn))
            .map(DnType::CustomDnType),
    }
}

fn parse_oid(s: &str) -> Result<Vec<u64>, InvalidDn> {
    let arcs: Result<Vec<u64>, _> = s.split('.').map(str::parse).collect();
    match arcs {
        Ok(arcs) if arcs.len() >= 2 => Ok(arcs),
        _ => Err(InvalidDn),
    }
}

/// Country codes are PrintableString in real certificates; everything else UTF-8.
fn dn_value(ty: &DnType, value: String) -> DnValue {
    if *ty == DnType::CountryName
        && let Ok(p) = PrintableString::try_from(value.as_str())
    {
        return DnValue::PrintableString(p);
    }
    DnValue::Utf8String(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn types(dn: &DistinguishedName) -> Vec<DnType> {
        dn.iter().map(|(t, _)| t.clone()).collect()
    }

    #[test]
    fn keeps_the_written_order() {
        let dn = parse("C=US, ST=WA, L=Redmond, O=TestO, OU=TestOU, CN=www.mytestdomain.com")
            .expect("valid");
        assert_eq!(
            types(&dn),
            vec![
                DnType::CountryName,
                DnType::StateOrProvinceName,
                DnType::LocalityName,
                DnType::OrganizationName,
                DnType::OrganizationalUnitName,
                DnType::CommonName,
            ]
        );
    }

    #[test]
    fn quotes_and_escapes() {
        let dn = parse(r#"CN="a, b", O=c\,d"#).expect("valid");
        assert_eq!(
            dn.get(&DnType::CommonName),
            Some(&DnValue::Utf8String("a, b".into()))
        );
        assert_eq!(
            dn.get(&DnType::OrganizationName),
            Some(&DnValue::Utf8String("c,d".into()))
        );
    }

    #[rstest]
    #[case("CN")]
    #[case("XX=1")]
    #[case("CN=a,,O=b")]
    #[case("CN=")]
    #[case("CN=\"open")]
    #[case("OID.1=x")]
    fn rejects(#[case] subject: &str) {
        assert_eq!(parse(subject).map(|_| ()), Err(InvalidDn));
    }

    #[test]
    fn blank_is_empty_and_oids_work() {
        assert_eq!(parse("  ").map(|d| types(&d).len()), Ok(0));
        let dn = parse("OID.2.5.4.9=Main St, E=a@b.c").expect("valid");
        assert_eq!(types(&dn).len(), 2);
    }
}
