//! The libtest adapter: scenarios become libtest-mimic trials named `area::id`, each running
//! its plan on the shared runtime and pushing its report; a broken scenario file is one
//! failing trial; kvconform's outcomes map onto libtest's three.

use std::sync::{Arc, Mutex};

use libtest_mimic::{Arguments, Completion, Failed, Trial};

use crate::diagnostic::Diagnostic;
use crate::expectations::Expectations;
use crate::plan::{self, Oracle};
use crate::run::verdict::fails_run;
use crate::run::{self, Outcome, RunContext, ScenarioReport, StepFailure};
use crate::scenario::Scenario;

use super::config::{Mode, RunConfig};

/// Reports pushed by the trials as they finish (libtest runs them on its own threads).
pub type Reports = Arc<Mutex<Vec<ScenarioReport>>>;

/// What each trial needs besides its scenario.
#[derive(Clone)]
pub struct TrialConfig {
    pub oracle: Oracle,
    pub expectations: Option<Arc<Expectations>>,
    pub strict_xpass: bool,
    /// The run covers several api-versions: trials are named `VERSION::area::id`.
    pub several_versions: bool,
}

/// The libtest options kvconform passes through. Several FILTERs are applied before
/// libtest sees the trials (libtest takes one).
pub fn libtest_arguments(config: &RunConfig) -> Arguments {
    Arguments {
        test_threads: Some(config.jobs),
        skip: config.selection.skip.clone(),
        exact: config.selection.exact,
        quiet: config.quiet,
        list: config.mode == Mode::List,
        ..Arguments::default()
    }
}

/// `--list`: trials that do nothing, so libtest prints their names (after `--skip`).
pub fn listed(scenarios: &[Scenario], broken: &[(String, Diagnostic)]) -> Vec<Trial> {
    let names = scenarios
        .iter()
        .map(Scenario::full_id)
        .chain(broken.iter().map(|(name, _)| name.clone()));
    names.map(|name| Trial::test(name, || Ok(()))).collect()
}

pub fn scenario_trial(
    scenario: &Scenario,
    ctx: &Arc<RunContext>,
    handle: &tokio::runtime::Handle,
    reports: &Reports,
    config: &TrialConfig,
) -> Trial {
    let version = ctx.target.api_version().to_string();
    let scenario_id = scenario.full_id();
    let plan = plan::plan(scenario, config.oracle).for_version(&version);
    let ctx = ctx.clone();
    let handle = handle.clone();
    let reports = reports.clone();
    let config = config.clone();
    let name = match config.several_versions {
        true => format!("{version}::{}", scenario.full_id()),
        false => scenario.full_id(),
    };
    Trial::ignorable_test(name, move || {
        let mut report = match &plan {
            Ok(plan) => handle.block_on(run::run_plan(&ctx, plan)),
            Err(reason) => ScenarioReport {
                reason: Some(reason.clone()),
                ..ScenarioReport::empty(&scenario_id)
            },
        };
        if let Some(expectations) = &config.expectations {
            expectations.apply(&mut report);
        }
        if config.several_versions {
            report.api_version = Some(version.clone());
        }
        let result = verdict(&report, config.strict_xpass);
        push(&reports, report);
        result
    })
}

fn push(reports: &Reports, report: ScenarioReport) {
    reports
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(report);
}

/// Maps a kvconform outcome onto libtest's three: inconclusive, skipped and expected
/// failures show as ignored with their reason; an unexpected pass fails only with
/// `--strict-xpass`.
fn verdict(report: &ScenarioReport, strict_xpass: bool) -> Result<Completion, Failed> {
    let reason = report.reason.clone().unwrap_or_default();
    match report.outcome {
        Outcome::Passed => Ok(Completion::Completed),
        // Inconclusive stays ignored here even with --strict; the exit code counts it.
        Outcome::Xpass if fails_run(Outcome::Xpass, false, strict_xpass) => {
            Err(Failed::from(format!("xpass: {reason}")))
        }
        Outcome::Xpass => Ok(Completion::Completed),
        Outcome::Xfail => Ok(Completion::ignored_with(format!("xfail: {reason}"))),
        Outcome::Inconclusive => Ok(Completion::ignored_with(format!("inconclusive: {reason}"))),
        Outcome::Skipped => Ok(Completion::ignored_with(format!("skipped: {reason}"))),
        Outcome::Failed => Err(Failed::from(report.render_failures())),
    }
}

/// A scenario file that did not load: one failing trial whose report says why and where.
pub fn broken_trial(name: String, err: Diagnostic, reports: &Reports) -> Trial {
    let reports = reports.clone();
    let message = err.render();
    let what = format!("{} scenario file: {}", err.kind.as_str(), err.message);
    let report = ScenarioReport {
        outcome: Outcome::Failed,
        failures: vec![StepFailure::error("load", err.location, what)],
        ..ScenarioReport::empty(&name)
    };
    Trial::test(name, move || {
        push(&reports, report);
        Err(Failed::from(message))
    })
}
