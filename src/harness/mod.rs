//! `kvconform run` from a typed [`RunConfig`]: load the suite, set up the run context
//! (`setup`), run every scenario as a libtest trial (`trials`), write the reports
//! (`reports`). The only user of libtest-mimic; scenarios run in parallel on one tokio
//! runtime with one HTTP client.

mod config;
pub mod dry_run;
mod interrupt;
mod reports;
mod setup;
mod slow;
mod trials;

pub use config::{Mode, Outputs, RunConfig, Selection, SnapshotPlan, TargetChoice, in_ci};

use std::io::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use libtest_mimic::Trial;
use tokio::runtime::Runtime;

use crate::diagnostic::{self, Diagnostic};
use crate::exit;
use crate::expectations::{self, Expectations, Known};
use crate::run::verdict::Judge;
use crate::run::{FanOut, RunContext};
use crate::scenario::{Scenario, ScenarioSet, Suite};
use trials::TrialConfig;

/// Why a run could not start (or its reports could not be written).
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// Bad flags, files or configuration (exit 2).
    #[error("{0}")]
    Usage(String),
    /// The harness could not run (exit 3).
    #[error("{0}")]
    Harness(String),
}

impl StartError {
    pub fn code(&self) -> u8 {
        match self {
            StartError::Usage(_) => exit::USAGE,
            StartError::Harness(_) => exit::HARNESS,
        }
    }
}

/// Runs (or lists, or dry-runs) the suite; returns the exit code.
pub fn run(config: &RunConfig, runtime: &Runtime) -> Result<u8, StartError> {
    let started = Instant::now();
    let suite = Suite::from_spec(&config.suite).map_err(|e| StartError::Usage(e.to_string()))?;
    let loaded = started.elapsed();
    let expectations = load_expectations(config, &suite.set)?;
    let (scenarios, broken) = select(suite.set, config);
    match config.mode {
        Mode::DryRun => {
            // One listing per api-version, as the run would run each. A scenario the dry
            // run cannot go through fails the real run too: exit 101.
            let mut stopped = false;
            for (i, version) in config.api_versions.iter().enumerate() {
                if i > 0 {
                    let _ = writeln!(std::io::stdout());
                }
                let dry = dry_run::DryRun::of(config, version);
                let listing = runtime.block_on(dry_run::render(&scenarios, &dry));
                let _ = write!(std::io::stdout(), "{}", listing.text);
                stopped |= !listing.stopped.is_empty();
            }
            Ok(if stopped { exit::FAILED } else { exit::SUCCESS })
        }
        Mode::List => {
            let libtest = trials::libtest_arguments(config);
            let _ = libtest_mimic::run(&libtest, trials::listed(&scenarios, &broken));
            Ok(exit::SUCCESS)
        }
        Mode::Run => {
            reports::prepare_outputs(config)?;
            let selected = Selected {
                scenarios,
                broken,
                expectations,
            };
            execute(config, runtime, selected, (started, loaded))
        }
    }
}

/// The scenarios a run executes, and the expectations that judge them.
struct Selected {
    scenarios: Vec<Scenario>,
    broken: Vec<(String, Diagnostic)>,
    expectations: Option<Expectations>,
}

/// Sets up the context, runs every trial through libtest, writes the reports.
fn execute(
    config: &RunConfig,
    runtime: &Runtime,
    selected: Selected,
    (started, loaded): (Instant, Duration),
) -> Result<u8, StartError> {
    let (mut ctx, _vault, stamp) = runtime.block_on(setup::prepare(config))?;
    let ready = started.elapsed();
    let expectations = selected.expectations.map(Arc::new);
    ctx.judge = Judge {
        expectations: expectations.clone(),
        name_version: config.api_versions.len() > 1,
    };
    let ctx = Arc::new(ctx);
    interrupt::install(runtime, &ctx);
    // One context per api-version, all on the same target: every version's trials run in
    // one libtest run, so the versions overlap like the scenarios do.
    let mut contexts = vec![ctx.clone()];
    for version in config.api_versions.iter().skip(1) {
        let other = ctx.for_api_version(version);
        contexts.push(Arc::new(other));
    }
    let collected = Arc::new(reports::Collected::default());
    let (sink, watching) = run_sink(config, &collected);
    let cases = (selected.scenarios.as_slice(), selected.broken);
    let all = all_trials(config, &contexts, runtime.handle(), cases, &sink);
    let _ = std::io::stdout().flush();
    let _ = libtest_mimic::run(&trials::libtest_arguments(config), all);
    drop(watching);
    if config.timings {
        let _ = write!(
            std::io::stdout(),
            "timings: load {:.1} ms, start-up (runtime, embedded vault, probe, schemas) {:.1} ms, scenarios {:.1} ms\n{}",
            loaded.as_secs_f64() * 1e3,
            (ready - loaded).as_secs_f64() * 1e3,
            (started.elapsed() - ready).as_secs_f64() * 1e3,
            collected.timings.render()
        );
    }
    let reports = collected.sorted();
    let code = reports::finish(config, &ctx, &reports, expectations.as_deref())?;
    reports::write_recording(config, &ctx, &reports, &stamp)?;
    Ok(code)
}

/// Where the run's events go: its reports and timings, and with `--slow-after` the watch
/// that names scenarios still running (its thread stops when the guard is dropped).
fn run_sink(
    config: &RunConfig,
    collected: &Arc<reports::Collected>,
) -> (trials::Sink, Option<slow::Watching>) {
    let Some(after) = config.slow_after else {
        return (collected.clone(), None);
    };
    let watch = Arc::new(slow::SlowWatch::new(after));
    let sink = Arc::new(FanOut(vec![collected.clone(), watch.clone()]));
    (sink, Some(slow::start(watch)))
}

/// Every scenario on every api-version's context, and the broken files, sorted by name.
fn all_trials(
    config: &RunConfig,
    contexts: &[Arc<RunContext>],
    handle: &tokio::runtime::Handle,
    (scenarios, broken): (&[Scenario], Vec<(String, Diagnostic)>),
    sink: &trials::Sink,
) -> Vec<Trial> {
    let trial_config = TrialConfig {
        oracle: config.oracle,
        strict: config.strict,
        strict_xpass: config.strict_xpass,
    };
    let mut all: Vec<Trial> = (contexts.iter())
        .flat_map(|ctx| {
            (scenarios.iter()).map(|s| trials::scenario_trial(s, ctx, handle, sink, &trial_config))
        })
        .collect();
    all.extend((broken.into_iter()).map(|(name, err)| trials::broken_trial(name, err, sink)));
    all.sort_by(|a, b| a.name().cmp(b.name()));
    all
}

/// Reads `--expectations` against every scenario of the directory (not only the selected
/// ones, so a filter never turns an entry into an error); expired entries warn.
fn load_expectations(
    config: &RunConfig,
    set: &ScenarioSet,
) -> Result<Option<Expectations>, StartError> {
    let Some(path) = &config.expectations else {
        return Ok(None);
    };
    let known: Vec<Known> = set
        .scenarios
        .iter()
        .map(|s| Known {
            id: s.full_id(),
            steps: s.steps.iter().map(|st| st.name.value.clone()).collect(),
        })
        .chain(set.broken.iter().map(|(name, _)| Known {
            id: name.clone(),
            steps: Vec::new(),
        }))
        .collect();
    let loaded = Expectations::load(path, &known, expectations::today())
        .map_err(|d| StartError::Usage(diagnostic::render_all(&d)))?;
    for warning in &loaded.warnings {
        let _ = writeln!(std::io::stderr(), "warning: {warning}");
    }
    Ok(Some(loaded))
}

/// The scenarios (and broken files) the FILTERs keep.
fn select(set: ScenarioSet, config: &RunConfig) -> (Vec<Scenario>, Vec<(String, Diagnostic)>) {
    let keep = |name: &str| config.selection.keeps(name);
    let scenarios = set
        .scenarios
        .into_iter()
        .filter(|s| keep(&s.full_id()))
        .collect();
    let broken = set
        .broken
        .into_iter()
        .filter(|(name, _)| keep(name))
        .collect();
    (scenarios, broken)
}
