//! Root causes: the same check failing the same way in many scenarios is one finding, listed
//! with the scenarios it affects. A scenario stops at its first failing step, and that step's
//! first failed check (status first) is its cause; the step's other failed checks are listed
//! with the finding as consequences. Failures the expectations file already knows (`xfail`)
//! are grouped too, so a peer's author reads a few causes instead of a wall of failures.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::mask::normalise;
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
