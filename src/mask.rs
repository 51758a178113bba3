//! Text with what varies from one scenario or run to the next masked (object names under the
//! run prefix, long hex ids, timestamps), so that the same failure in many scenarios, or the
//! same probe answer on two runs, reads the same. Used by the report's root causes and by the
//! capability probe's evidence.

/// Replaces what differs from one scenario to the next (object names under the run prefix,
/// long hex ids, the target's port, timestamps) and keeps the first 160 characters.
pub fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if let Some(len) = run_name_len(rest).or_else(|| hex_run_len(rest)) {
            out.push('…');
            rest = &rest[len..];
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    let digits_masked = mask_timestamps(&out);
    let cut: String = digits_masked.chars().take(160).collect();
    if cut.len() < digits_masked.len() {
        format!("{cut}…")
    } else {
        cut
    }
}

/// `kvc-<8 hex>-<slug>`: a name made for one scenario of one run, also regex-escaped
/// (`kvc\-<8 hex>\-<slug>`, as in an expected `Location` pattern) so that the same check
/// failing in several scenarios stays one finding.
fn run_name_len(text: &str) -> Option<usize> {
    let (dash, tail) = match text.strip_prefix("kvc-") {
        Some(tail) => ("-", tail),
        None => ("\\-", text.strip_prefix("kvc\\-")?),
    };
    let id = tail.get(..8)?;
    if !id.bytes().all(|b| b.is_ascii_hexdigit()) || !tail[8..].starts_with(dash) {
        return None;
    }
    let slug = &tail[8 + dash.len()..];
    let mut len = 0;
    while let Some(c) = slug[len..].bytes().next() {
        if c.is_ascii_alphanumeric() || c == b'-' {
            len += 1;
        } else if slug[len..].starts_with(dash) {
            len += dash.len();
        } else {
            break;
        }
    }
    Some(text.len() - slug.len() + len)
}

/// 16 or more hex digits in a row (request ids, versions, thumbprints).
fn hex_run_len(text: &str) -> Option<usize> {
    let n = text.bytes().take_while(u8::is_ascii_hexdigit).count();
    (n >= 16).then_some(n)
}

/// ISO timestamps such as `2026-12-01T11:36:56.171Z` become `<time>`.
fn mask_timestamps(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < text.len() {
        let looks = bytes.len() >= i + 19
            && bytes[i..i + 4].iter().all(u8::is_ascii_digit)
            && bytes[i + 4] == b'-'
            && bytes[i + 10] == b'T';
        if looks {
            let end = text[i..]
                .find(|c: char| !(c.is_ascii_digit() || "-:.TZ+".contains(c)))
                .map_or(text.len(), |n| i + n);
            out.push_str("<time>");
            i = end;
        } else {
            let c = text[i..].chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_specific_values_are_masked() {
        assert_eq!(
            normalise("id 0123456789abcdef0123 at 2026-12-01T11:36:56.171Z for kvc-deadbeef-x-y"),
            "id … at <time> for …"
        );
        assert_eq!(normalise("kvc-nothex!-x"), "kvc-nothex!-x");
        // The same name regex-escaped (an expected Location pattern): one finding, whatever
        // the scenario.
        assert_eq!(
            normalise(
                r"/^https://h/certificates/kvc\-0a1b2c3d\-create\-self\-issuer/pending\?x=1$/"
            ),
            r"/^https://h/certificates/…/pending\?x=1$/"
        );
        assert_eq!(normalise(r"kvc\-0a1b2c3d-x"), r"kvc\-0a1b2c3d-x");
    }
}
