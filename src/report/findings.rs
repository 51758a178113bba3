//! Root causes: the same check failing the same way in many scenarios is one finding, listed
//! with the scenarios it affects. A scenario stops at its first failing step, and that step's
//! first failed check (status first) is its cause; the step's other failed checks are listed
//! with the finding as consequences. Failures the expectations file already knows (`xfail`)
//! are grouped too, so a peer's author reads a few causes instead of a wall of failures.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::run::{Outcome, ScenarioReport, StepFailure};

/// One root cause.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// What was checked (`status`, `json /status`, …), or `error` for a harness error.
    pub check: String,
    pub expected: String,
    /// What the target did, with run-specific names and ids replaced by `…`.
    pub actual: String,
    /// Scenario ids, sorted.
    pub scenarios: Vec<String>,
    /// How many of them are known deviations (`xfail`); the rest failed.
    pub xfail: usize,
    /// `file:line:col` of the first expectation that failed this way.
    pub example: String,
    /// The other checks of the same steps that failed with it (consequences), at most 3.
    pub along: Vec<String>,
}

impl Finding {
    /// One line: `status: expected 202, got 400`.
    pub fn headline(&self) -> String {
        Finding::line(&self.check, &self.expected, &self.actual)
    }

    fn line(check: &str, expected: &str, actual: &str) -> String {
        if expected.is_empty() {
            format!("{check}: {actual}")
        } else {
            format!("{check}: expected {expected}, got {actual}")
        }
    }
}

/// Groups failed and xfail scenarios by the (check, expected, actual) of their first
/// failure; the largest groups first.
pub fn findings(reports: &[ScenarioReport]) -> Vec<Finding> {
    let mut groups: BTreeMap<(String, String, String), Finding> = BTreeMap::new();
    for report in reports {
        if !matches!(report.outcome, Outcome::Failed | Outcome::Xfail) {
            continue;
        }
        let Some(first) = report.failures.first() else {
            continue;
        };
        let key = key_of(first);
        let finding = groups.entry(key.clone()).or_insert_with(|| Finding {
            check: key.0,
            expected: key.1,
            actual: key.2,
            scenarios: Vec::new(),
            xfail: 0,
            example: location(first),
            along: Vec::new(),
        });
        finding.scenarios.push(report.id.clone());
        if report.outcome == Outcome::Xfail {
            finding.xfail += 1;
        }
        for other in report.failures[1..].iter().filter(|f| f.step == first.step) {
            let (check, expected, actual) = key_of(other);
            let line = Finding::line(&check, &expected, &actual);
            if finding.along.len() < 3 && !finding.along.contains(&line) {
                finding.along.push(line);
            }
        }
    }
    let mut out: Vec<Finding> = groups.into_values().collect();
    for finding in &mut out {
        finding.scenarios.sort();
    }
    out.sort_by(|a, b| {
        b.scenarios
            .len()
            .cmp(&a.scenarios.len())
            .then_with(|| a.headline().cmp(&b.headline()))
    });
    out
}

fn key_of(failure: &StepFailure) -> (String, String, String) {
    match &failure.check {
        Some(check) => {
            let expected = normalise(&check.expected);
            let mut actual = normalise(&check.actual);
            // Two ids both masked as `"…"` would read as "expected …, got …": say they differ.
            if actual == expected && check.actual != check.expected {
                actual = format!("a different {actual}");
            }
            (check.what.clone(), expected, actual)
        }
        None => {
            let line = failure.message.lines().next().unwrap_or("");
            let (check, rest) = line.split_once(": ").unwrap_or(("error", line));
            (check.to_string(), String::new(), normalise(rest))
        }
    }
}

fn location(failure: &StepFailure) -> String {
    failure.location.short()
}

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
    use crate::check::CheckFailure;
    use crate::diagnostic::Pos;

    fn failed(
        id: &str,
        what: &str,
        expected: &str,
        actual: &str,
        outcome: Outcome,
    ) -> ScenarioReport {
        let check = CheckFailure {
            pos: Pos { line: 3, col: 9 },
            what: what.into(),
            expected: expected.into(),
            actual: actual.into(),
        };
        ScenarioReport::failing(id, outcome, check)
    }

    #[test]
    fn the_same_check_failing_the_same_way_is_one_finding() {
        let mut first = failed("a::one", "status", "202", "400", Outcome::Failed);
        let along = failed(
            "a::one",
            "json /csr",
            "any string",
            "nothing",
            Outcome::Failed,
        );
        first.failures.extend(along.failures);
        let reports = vec![
            first,
            failed("a::two", "status", "202", "400", Outcome::Xfail),
            failed("b::three", "status", "202", "400", Outcome::Xfail),
            failed(
                "c::four",
                "json /id",
                "\"…\"",
                "\"https://x/certificates/kvc-0a1b2c3d-c-four/pending\"",
                Outcome::Failed,
            ),
            failed("d::passed", "status", "202", "400", Outcome::Passed),
        ];
        let found = findings(&reports);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].headline(), "status: expected 202, got 400");
        assert_eq!(found[0].scenarios, ["a::one", "a::two", "b::three"]);
        assert_eq!(found[0].xfail, 2);
        assert_eq!(found[0].example, "scenarios/a::one.yaml:3:9");
        assert_eq!(
            found[0].along,
            ["json /csr: expected any string, got nothing"]
        );
        assert_eq!(found[1].actual, "\"https://x/certificates/…/pending\"");
    }

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

    #[test]
    fn two_masked_ids_that_differ_say_so() {
        let reports = vec![failed(
            "a::one",
            "json /request_id",
            "\"0123456789abcdef0123456789abcdef\"",
            "\"fedcba9876543210fedcba9876543210\"",
            Outcome::Failed,
        )];
        assert_eq!(
            findings(&reports)[0].headline(),
            "json /request_id: expected \"…\", got a different \"…\""
        );
    }
}
