//! The libtest adapter: scenarios become libtest-mimic trials named `area::id`, each running
//! its plan on the shared runtime with the run's event sink; a broken scenario file is one
//! failing trial. What a line shows is decided in `run::verdict`; here it only becomes
//! libtest's types.

use std::sync::Arc;

use libtest_mimic::{Arguments, Completion, Failed, Trial};

use crate::diagnostic::Diagnostic;
use crate::plan::{self, Oracle};
use crate::run::verdict::{self, Shown};
use crate::run::{self, Event, EventSink, Outcome, RunContext, ScenarioReport, StepFailure};
use crate::scenario::Scenario;

use super::config::{Mode, RunConfig};

/// Where the trials send their events (libtest runs them on its own threads).
pub type Sink = Arc<dyn EventSink>;

/// What each trial needs besides its scenario.
#[derive(Clone)]
pub struct TrialConfig {
    pub oracle: Oracle,
    pub strict: bool,
    pub strict_xpass: bool,
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
    sink: &Sink,
    config: &TrialConfig,
) -> Trial {
    let plan = plan::plan(scenario, config.oracle);
    let (ctx, handle, sink) = (ctx.clone(), handle.clone(), sink.clone());
    let (strict, strict_xpass) = (config.strict, config.strict_xpass);
    let name = (ctx.judge).trial_name(&scenario.full_id(), ctx.target.api_version());
    Trial::ignorable_test(name, move || {
        let report = handle.block_on(run::run_plan(&ctx, &plan, &*sink));
        libtest(verdict::shown(&report, strict, strict_xpass))
    })
}

fn libtest(shown: Shown) -> Result<Completion, Failed> {
    match shown {
        Shown::Pass => Ok(Completion::Completed),
        Shown::Fail(message) => Err(Failed::from(message)),
        Shown::Ignored(message) => Ok(Completion::ignored_with(message)),
    }
}

/// A scenario file that did not load: one failing trial whose report says why and where.
pub fn broken_trial(name: String, err: Diagnostic, sink: &Sink) -> Trial {
    let sink = sink.clone();
    let message = err.render();
    let what = format!("{} scenario file: {}", err.kind.as_str(), err.message);
    let report = ScenarioReport {
        outcome: Outcome::Failed,
        failures: vec![StepFailure::error("load", err.location, what)],
        ..ScenarioReport::empty(&name)
    };
    Trial::test(name, move || {
        sink.emit(&Event::ScenarioFinished(&report));
        Err(Failed::from(message))
    })
}
