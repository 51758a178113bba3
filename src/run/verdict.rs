//! What a scenario's results come to: its outcome from its step results while it runs
//! ([`settle`]), from its expectations entry when it ends ([`Judge`], [`expect`]), whether
//! that outcome fails the run ([`fails_run`]), how libtest shows it ([`shown`]) and the
//! run's exit code ([`exit_code`]). The runner, the libtest trials and the report writer all
//! ask here instead of each deciding. Outcomes decided before any step runs are set where
//! that is known: skipped (another api-version, a missing capability, Ctrl-C) in
//! `run::run_plan`, failed for a scenario file that does not load in the trials.

use std::sync::Arc;

use super::events::StepEnd;
use super::outcome::{Outcome, ScenarioReport, StepFailure};
use super::step::StepResult;
use crate::exit;
use crate::expectations::{Entry, Expectations, Expected};

/// What judges a finished scenario beyond its steps: the expectations (`--expectations`),
/// and whether its report names the api-version (a run over several).
#[derive(Clone, Debug, Default)]
pub struct Judge {
    pub expectations: Option<Arc<Expectations>>,
    pub name_version: bool,
}

impl Judge {
    /// The measured report becomes the run's: its expectations entry applied ([`expect`]),
    /// its api-version named when the run covers several.
    /// The name a scenario's trial has in this run (see [`ScenarioReport::trial_name`]).
    pub(crate) fn trial_name(&self, id: &str, api_version: &str) -> String {
        match self.name_version {
            true => format!("{api_version}::{id}"),
            false => id.to_string(),
        }
    }

    pub(crate) fn judge(&self, report: &mut ScenarioReport, api_version: &str) {
        if let Some(entry) = (self.expectations.as_ref()).and_then(|e| e.get(&report.id)) {
            expect(report, entry);
        }
        if self.name_version {
            report.api_version = Some(api_version.to_string());
        }
    }
}

/// Whether a failed step was refused by the target (some answer outside 2xx), the case in
/// which the runner checks for a lost precondition before calling it a failure.
pub(crate) fn refused(failures: &[StepFailure]) -> bool {
    failures
        .iter()
        .filter_map(|f| f.exchange.as_ref())
        .any(|e| !(200..300).contains(&e.response.status))
}

/// Records what a step's result makes of the scenario and says how the step ended; any end
/// but [`StepEnd::Ok`] stops the scenario there. `lost` is the lost precondition found for a
/// refused step, if any.
pub(crate) fn settle(
    report: &mut ScenarioReport,
    result: StepResult,
    lost: Option<String>,
    step: &str,
) -> StepEnd {
    match result {
        StepResult::Ok => StepEnd::Ok,
        StepResult::Failed(failures) => {
            if let Some(reason) = lost {
                report.outcome = Outcome::Inconclusive;
                report.reason = Some(reason);
                StepEnd::Inconclusive
            } else {
                report.outcome = Outcome::Failed;
                report.failures.extend(failures);
                StepEnd::Failed
            }
        }
        StepResult::Inconclusive(reason) => {
            report.outcome = Outcome::Inconclusive;
            report.reason = Some(reason);
            StepEnd::Inconclusive
        }
        StepResult::Interrupted => {
            report.outcome = Outcome::Skipped;
            report.reason = Some(format!("interrupted during step `{step}`"));
            StepEnd::Interrupted
        }
    }
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

/// The run's exit code from its outcomes: interrupted (Ctrl-C) before anything else, then
/// failed when any outcome fails the run ([`fails_run`]).
pub fn exit_code(
    outcomes: impl IntoIterator<Item = Outcome>,
    (strict, strict_xpass): (bool, bool),
    interrupted: bool,
) -> u8 {
    let mut outcomes = outcomes.into_iter();
    if interrupted {
        exit::INTERRUPTED
    } else if outcomes.any(|o| fails_run(o, strict, strict_xpass)) {
        exit::FAILED
    } else {
        exit::SUCCESS
    }
}

/// How a scenario's libtest line reads. It fails exactly when the outcome fails the run
/// ([`fails_run`]), so the line and the exit code agree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Shown {
    Pass,
    /// Fails the line, with the failures or the reason.
    Fail(String),
    /// Shown as ignored, with the outcome and its reason.
    Ignored(String),
}

/// Maps a kvconform outcome onto libtest's three: a failure fails with its rendered
/// failures; an inconclusive scenario (with `--strict`) or an unexpected pass (with
/// `--strict-xpass`) fails with its reason; otherwise inconclusive, skipped and expected
/// failures show as ignored with their reason, and an unexpected pass passes.
pub fn shown(report: &ScenarioReport, strict: bool, strict_xpass: bool) -> Shown {
    let labelled = |outcome: Outcome| {
        let reason = report.reason.as_deref().unwrap_or_default();
        format!("{}: {reason}", outcome.as_str())
    };
    match report.outcome {
        Outcome::Failed => Shown::Fail(report.render_failures()),
        Outcome::Passed => Shown::Pass,
        outcome if fails_run(outcome, strict, strict_xpass) => Shown::Fail(labelled(outcome)),
        Outcome::Xpass => Shown::Pass,
        outcome => Shown::Ignored(labelled(outcome)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Outcome; 6] = [
        Outcome::Passed,
        Outcome::Failed,
        Outcome::Inconclusive,
        Outcome::Xfail,
        Outcome::Xpass,
        Outcome::Skipped,
    ];

    fn report(outcome: Outcome) -> ScenarioReport {
        ScenarioReport {
            outcome,
            reason: Some("why".into()),
            ..ScenarioReport::empty("area::id")
        }
    }

    #[test]
    fn libtest_shows_each_outcome_under_each_flag() {
        let fail = |s: &str| Shown::Fail(s.into());
        let ignored = |s: &str| Shown::Ignored(s.into());
        // (outcome, plain, --strict, --strict-xpass)
        let table = [
            (Outcome::Passed, Shown::Pass, Shown::Pass, Shown::Pass),
            (Outcome::Failed, fail(""), fail(""), fail("")),
            (
                Outcome::Inconclusive,
                ignored("inconclusive: why"),
                fail("inconclusive: why"),
                ignored("inconclusive: why"),
            ),
            (
                Outcome::Xfail,
                ignored("xfail: why"),
                ignored("xfail: why"),
                ignored("xfail: why"),
            ),
            (Outcome::Xpass, Shown::Pass, Shown::Pass, fail("xpass: why")),
            (
                Outcome::Skipped,
                ignored("skipped: why"),
                ignored("skipped: why"),
                ignored("skipped: why"),
            ),
        ];
        for (outcome, plain, strict, strict_xpass) in table {
            let report = report(outcome);
            assert_eq!(shown(&report, false, false), plain, "{outcome:?}");
            assert_eq!(shown(&report, true, false), strict, "{outcome:?} --strict");
            assert_eq!(shown(&report, false, true), strict_xpass, "{outcome:?}");
        }
    }

    #[test]
    fn the_libtest_line_fails_exactly_when_the_run_fails() {
        for outcome in ALL {
            for (strict, strict_xpass) in
                [(false, false), (true, false), (false, true), (true, true)]
            {
                let line_fails = matches!(
                    shown(&report(outcome), strict, strict_xpass),
                    Shown::Fail(_)
                );
                assert_eq!(
                    line_fails,
                    fails_run(outcome, strict, strict_xpass),
                    "{outcome:?}"
                );
            }
        }
    }

    #[test]
    fn the_exit_code_is_interrupted_then_failed_then_success() {
        use Outcome::*;
        let plain = (false, false);
        assert_eq!(
            exit_code([Passed, Xfail, Skipped, Xpass], plain, false),
            exit::SUCCESS
        );
        assert_eq!(
            exit_code([Passed, Inconclusive], plain, false),
            exit::SUCCESS
        );
        assert_eq!(
            exit_code([Passed, Inconclusive], (true, false), false),
            exit::FAILED
        );
        assert_eq!(exit_code([Xpass], (false, true), false), exit::FAILED);
        assert_eq!(exit_code([Passed, Failed], plain, false), exit::FAILED);
        assert_eq!(exit_code([Failed], plain, true), exit::INTERRUPTED);
        assert_eq!(exit_code([], plain, false), exit::SUCCESS);
    }

    #[test]
    fn a_failure_shows_its_rendered_failures() {
        let check = crate::check::CheckFailure {
            pos: crate::scenario::Pos { line: 2, col: 3 },
            what: "status".into(),
            expected: "201".into(),
            actual: "500".into(),
        };
        let report = ScenarioReport::failing("area::id", Outcome::Failed, check);
        assert_eq!(
            shown(&report, false, false),
            Shown::Fail(report.render_failures())
        );
        assert!(report.render_failures().contains("expected 201, got 500"));
    }

    #[test]
    fn the_judge_applies_nothing_by_default_and_names_the_version_when_asked() {
        let mut measured = report(Outcome::Passed);
        Judge::default().judge(&mut measured, "2025-07-01");
        assert_eq!(measured.outcome, Outcome::Passed);
        assert_eq!(measured.api_version, None);
        let judge = Judge {
            name_version: true,
            ..Judge::default()
        };
        judge.judge(&mut measured, "2025-07-01");
        assert_eq!(measured.api_version.as_deref(), Some("2025-07-01"));
    }

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
