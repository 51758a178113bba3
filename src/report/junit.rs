//! `--junit FILE`: one test suite per area, one test case per scenario. A conformance
//! failure is `<failure>`, a harness error (the run could not judge) is `<error>`;
//! skipped, inconclusive and expected failures are `<skipped>` with their reason.

use std::collections::BTreeMap;
use std::path::Path;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use crate::run::{Outcome, ScenarioReport};

/// The JUnit XML of a run.
pub fn render_junit(reports: &[ScenarioReport], target: &str) -> String {
    let mut suites: BTreeMap<&str, TestSuite> = BTreeMap::new();
    for report in reports {
        let (area, _) = area_and_name(&report.id);
        let suite = suites.entry(area).or_insert_with(|| {
            let mut suite = TestSuite::new(area);
            suite.add_property(("target", target));
            suite
        });
        suite.add_test_case(test_case(report));
    }
    let mut junit = Report::new("kvconform");
    junit.add_test_suites(suites.into_values());
    junit
        .to_string()
        .unwrap_or_else(|e| format!("<!-- cannot render JUnit: {e} -->\n"))
}

pub fn write_junit(path: &Path, reports: &[ScenarioReport], target: &str) -> std::io::Result<()> {
    std::fs::write(path, render_junit(reports, target))
}

fn test_case(report: &ScenarioReport) -> TestCase {
    let reason = report.reason.clone().unwrap_or_default();
    let status = match report.outcome {
        Outcome::Passed => TestCaseStatus::success(),
        Outcome::Xpass => {
            let mut status = TestCaseStatus::success();
            status.set_message(format!("xpass: expected to fail ({reason}); promote it"));
            status
        }
        Outcome::Failed => {
            let kind = if report.has_harness_error() {
                NonSuccessKind::Error
            } else {
                NonSuccessKind::Failure
            };
            let mut status = TestCaseStatus::non_success(kind);
            let first = report.failures.first();
            status.set_message(first.map_or(reason, |f| f.message.clone()));
            status.set_type(match kind {
                NonSuccessKind::Error => "harness error",
                NonSuccessKind::Failure => "conformance",
            });
            status.set_description(report.render_failures());
            status
        }
        Outcome::Inconclusive | Outcome::Skipped | Outcome::Xfail => {
            let mut status = TestCaseStatus::skipped();
            status.set_message(format!("{}: {reason}", report.outcome.as_str()));
            status
        }
    };
    let (area, name) = area_and_name(&report.id);
    let mut case = TestCase::new(name, status);
    case.set_classname(area);
    case.set_time(report.duration);
    if report.outcome == Outcome::Xfail && !report.failures.is_empty() {
        case.set_system_out(report.render_failures());
    }
    case
}

/// A JUnit suite per area, a case per scenario: `area::id` split at its first `::`.
fn area_and_name(id: &str) -> (&str, &str) {
    id.split_once("::").unwrap_or(("kvconform", id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Location;
    use crate::run::{FailureKind, StepFailure};

    fn failure(kind: FailureKind) -> StepFailure {
        let at = Location::file("scenarios/create/x.yaml".as_ref());
        StepFailure {
            kind,
            ..StepFailure::error("create", at, "status: expected 202, got 409".into())
        }
    }

    #[test]
    fn failures_errors_and_skips_have_their_own_elements() {
        let mut failed = ScenarioReport::empty("create::conformance");
        failed.outcome = Outcome::Failed;
        failed.failures.push(failure(FailureKind::Conformance));
        let mut broken = ScenarioReport::empty("create::harness");
        broken.outcome = Outcome::Failed;
        broken.failures.push(failure(FailureKind::Error));
        let mut inconclusive = ScenarioReport::empty("get::guarded");
        inconclusive.outcome = Outcome::Inconclusive;
        inconclusive.reason = Some("precondition lost".into());
        let mut passed = ScenarioReport::empty("get::fine");
        passed.outcome = Outcome::Passed;
        let xml = render_junit(&[failed, broken, inconclusive, passed], "http://t");
        assert_eq!(xml.matches("<failure").count(), 1, "{xml}");
        assert_eq!(xml.matches("<error").count(), 1, "{xml}");
        assert!(
            xml.contains(r#"<skipped message="inconclusive: precondition lost"/>"#),
            "{xml}"
        );
        assert!(
            xml.contains(r#"<testsuite name="create" tests="2""#),
            "{xml}"
        );
    }
}
