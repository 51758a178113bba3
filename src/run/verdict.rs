//! The one place that decides a scenario's outcome: from its step results while it runs
//! ([`settle`]), from its expectations entry afterwards ([`expect`]), and whether that
//! outcome fails the run ([`fails_run`]). The runner, `Expectations::apply`, the libtest
//! trials and the exit code all ask here instead of each deciding.

use super::outcome::{Outcome, ScenarioReport, StepFailure};
use super::step::StepResult;
use crate::expectations::{Entry, Expected};

/// Whether a failed step was refused by the target (some answer outside 2xx), the case in
/// which the runner checks for a lost precondition before calling it a failure.
pub(crate) fn refused(failures: &[StepFailure]) -> bool {
    failures
        .iter()
        .filter_map(|f| f.exchange.as_ref())
        .any(|e| !(200..300).contains(&e.response.status))
}

/// Records what a step's result makes of the scenario; true when the scenario stops there.
/// `lost` is the lost precondition found for a refused step, if any.
pub(crate) fn settle(
    report: &mut ScenarioReport,
    result: StepResult,
    lost: Option<String>,
    step: &str,
) -> bool {
    match result {
        StepResult::Ok => return false,
        StepResult::Failed(failures) => {
            if let Some(reason) = lost {
                report.outcome = Outcome::Inconclusive;
                report.reason = Some(reason);
            } else {
                report.outcome = Outcome::Failed;
                report.failures.extend(failures);
            }
        }
        StepResult::Inconclusive(reason) => {
            report.outcome = Outcome::Inconclusive;
            report.reason = Some(reason);
        }
        StepResult::Interrupted => {
            report.outcome = Outcome::Skipped;
            report.reason = Some(format!("interrupted during step `{step}`"));
        }
    }
    true
}

/// Turns the measured outcome into the expected one: a failure (at the expected step)
/// or an inconclusive run that was expected becomes xfail, a pass of an expected
/// deviation xpass; a mismatch keeps its outcome and says why in the reason.
pub(crate) fn expect(report: &mut ScenarioReport, entry: &Entry) {
    let why = describe(entry);
    match (report.outcome, entry.outcome) {
        (Outcome::Failed, Expected::Fail) => match &entry.step {
            Some(step) if !report.failures.iter().any(|f| &f.step == step) => {
                report.reason = Some(format!(
                    "expected to fail at step `{step}` ({why}), but failed elsewhere"
                ));
            }
            _ => {
                report.outcome = Outcome::Xfail;
                report.reason = Some(why);
            }
        },
        (Outcome::Inconclusive, Expected::Inconclusive) => {
            let was = report.reason.take().unwrap_or_default();
            report.outcome = Outcome::Xfail;
            report.reason = Some(format!("{why} [{was}]"));
        }
        (Outcome::Passed, expected) => {
            report.outcome = Outcome::Xpass;
            report.reason = Some(format!(
                "expected to {} ({why}) but passed: promote it by removing the expectation",
                expected.as_str()
            ));
        }
        (Outcome::Inconclusive, Expected::Fail) => {
            let was = report.reason.take().unwrap_or_default();
            report.reason = Some(format!("{was} (expected to fail: {why})"));
        }
        _ => {}
    }
}

fn describe(entry: &Entry) -> String {
    match &entry.issue {
        Some(issue) => format!("{} ({issue})", entry.reason),
        None => entry.reason.clone(),
    }
}

/// Whether an outcome fails the run: a failure always, an inconclusive scenario with
/// `--strict`, an unexpected pass with `--strict-xpass`.
pub fn fails_run(outcome: Outcome, strict: bool, strict_xpass: bool) -> bool {
    match outcome {
        Outcome::Failed => true,
        Outcome::Inconclusive => strict,
        Outcome::Xpass => strict_xpass,
        Outcome::Passed | Outcome::Xfail | Outcome::Skipped => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_failures_and_the_strict_cases_fail_the_run() {
        assert!(fails_run(Outcome::Failed, false, false));
        assert!(!fails_run(Outcome::Inconclusive, false, false));
        assert!(fails_run(Outcome::Inconclusive, true, false));
        assert!(!fails_run(Outcome::Xpass, false, false));
        assert!(fails_run(Outcome::Xpass, false, true));
        for outcome in [Outcome::Passed, Outcome::Xfail, Outcome::Skipped] {
            assert!(!fails_run(outcome, true, true));
        }
    }
}
