//! `kvconform run`: the only user of libtest-mimic. Scenarios become trials named
//! `area::id`, run in parallel on one tokio runtime with one HTTP client; a broken scenario
//! file is one failing trial. Prints libtest's console lines plus the kvconform summary.

use std::io::Write as _;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use libtest_mimic::{Arguments, Completion, Failed, Trial};

use crate::check::schema::SchemaSet;
use crate::cli::RunArgs;
use crate::dry_run::{self, DryRun};
use crate::expectations::{self, Expectations, Known};
use crate::plan::{self, Oracle};
use crate::report::{self, JsonReport};
use crate::run::{self, FailureKind, Outcome, RunContext, RunOptions, ScenarioReport, StepFailure};
use crate::scenario::{self, Catalogue, Scenario, ScenarioSet};
use crate::snapshot::{SnapshotMode, SnapshotStore};
use crate::target::Credential;
use crate::{capabilities, connect, exit, vault};

/// The token the harness sends to the embedded vault, which demands one but accepts any.
const EMBEDDED_TOKEN: &str = "kvconform-embedded-dummy-token";

/// How long the embedded vault keeps Self and provider operations inProgress: long enough
/// for the probes that need an operation in progress (a guard GET, then the probe), short
/// enough to keep the whole suite well under a second.
const EMBEDDED_SELF_DELAY: Duration = Duration::from_millis(400);
const EMBEDDED_CANCEL_DELAY: Duration = Duration::from_millis(100);

/// Why a run could not start.
#[derive(Debug, thiserror::Error)]
enum StartError {
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Harness(String),
}

impl StartError {
    fn code(&self) -> ExitCode {
        match self {
            StartError::Usage(_) => ExitCode::from(exit::USAGE),
            StartError::Harness(_) => ExitCode::from(exit::HARNESS),
        }
    }
}

pub fn run(args: &RunArgs) -> ExitCode {
    match run_inner(args) {
        Ok(code) => code,
        Err(err) => {
            let _ = writeln!(std::io::stderr(), "error: {err}");
            err.code()
        }
    }
}

/// Loads the catalogue and every scenario under a directory.
pub fn load(dir: &std::path::Path) -> Result<(Catalogue, ScenarioSet), String> {
    let catalogue = Catalogue::load(&dir.join("rules.yaml")).map_err(|e| e.to_string())?;
    let set = scenario::load_dir(dir, &catalogue).map_err(|e| e.to_string())?;
    Ok((catalogue, set))
}

/// What each trial needs besides its scenario.
#[derive(Clone)]
struct TrialConfig {
    oracle: Oracle,
    expectations: Option<Arc<Expectations>>,
    strict_xpass: bool,
}

fn run_inner(args: &RunArgs) -> Result<ExitCode, StartError> {
    let started = Instant::now();
    let (_, set) = load(&args.dir.scenarios).map_err(StartError::Usage)?;
    let loaded = started.elapsed();
    let expectations = load_expectations(args, &set)?;
    let libtest = libtest_arguments(args);
    let (scenarios, broken) = select(set, args);
    if args.dry_run {
        let _ = write!(std::io::stdout(), "{}", dry_run_listing(args, &scenarios));
        return Ok(ExitCode::from(exit::SUCCESS));
    }
    if args.list {
        let trials = scenarios
            .iter()
            .map(|s| Trial::test(s.full_id(), || Ok(())))
            .chain(
                broken
                    .iter()
                    .map(|(name, _)| Trial::test(name.clone(), || Ok(()))),
            )
            .collect();
        let _ = libtest_mimic::run(&libtest, trials);
        return Ok(ExitCode::from(exit::SUCCESS));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| StartError::Harness(format!("cannot start the async runtime: {e}")))?;
    let (ctx, _vault) = runtime.block_on(prepare(args))?;
    let ready = started.elapsed();
    let ctx = Arc::new(ctx);
    install_interrupt(&runtime, &ctx);
    let reports = Arc::new(Mutex::new(Vec::new()));
    let config = TrialConfig {
        oracle: args.oracle,
        expectations: expectations.clone().map(Arc::new),
        strict_xpass: args.strict_xpass,
    };
    let mut trials: Vec<Trial> = scenarios
        .iter()
        .map(|s| scenario_trial(s, &ctx, runtime.handle(), &reports, &config))
        .collect();
    trials.extend(
        broken
            .into_iter()
            .map(|(name, err)| broken_trial(name, err, &reports)),
    );
    trials.sort_by(|a, b| a.name().cmp(b.name()));
    let _ = std::io::stdout().flush();
    let _ = libtest_mimic::run(&libtest, trials);
    if args.timings {
        let _ = write!(
            std::io::stdout(),
            "timings: load {:.1} ms, start-up (runtime, embedded vault, probe, schemas) {:.1} ms, scenarios {:.1} ms\n{}",
            loaded.as_secs_f64() * 1e3,
            (ready - loaded).as_secs_f64() * 1e3,
            (started.elapsed() - ready).as_secs_f64() * 1e3,
            ctx.timings.render()
        );
    }
    let mut reports = std::mem::take(&mut *reports.lock().unwrap_or_else(|e| e.into_inner()));
    reports.sort_by(|a, b| a.id.cmp(&b.id));
    finish(args, &ctx, &reports, expectations.as_ref())
}

/// Reads `--expectations` against every scenario of the directory (not only the selected
/// ones, so a filter never turns an entry into an error); expired entries warn.
fn load_expectations(
    args: &RunArgs,
    set: &ScenarioSet,
) -> Result<Option<Expectations>, StartError> {
    let Some(path) = &args.expectations else {
        return Ok(None);
    };
    let known: Vec<Known> = set
        .scenarios
        .iter()
        .map(|s| Known {
            id: s.full_id(),
            steps: s.model.steps.iter().map(|st| st.name.clone()).collect(),
        })
        .chain(set.broken.iter().map(|(name, _)| Known {
            id: name.clone(),
            steps: Vec::new(),
        }))
        .collect();
    let loaded =
        Expectations::load(path, &known, expectations::today()).map_err(StartError::Usage)?;
    for warning in &loaded.warnings {
        let _ = writeln!(std::io::stderr(), "warning: {warning}");
    }
    Ok(Some(loaded))
}

fn dry_run_listing(args: &RunArgs, scenarios: &[Scenario]) -> String {
    let target = args
        .target
        .clone()
        .unwrap_or_else(|| "the embedded reference vault".into());
    let dry = DryRun {
        target: &target,
        api_version: &args.connect.api_version,
        oracle: args.oracle,
        options: run_options(args, "<run>".into(), false),
    };
    dry_run::render(scenarios, &dry)
}

fn finish(
    args: &RunArgs,
    ctx: &RunContext,
    reports: &[ScenarioReport],
    expectations: Option<&Expectations>,
) -> Result<ExitCode, StartError> {
    let oracle = oracle_name(args.oracle);
    let target = ctx.target.base().to_string();
    if let (Some(version), Some(set)) = (&ctx.options.target_version, expectations)
        && let Some(warning) = set.version_warning(version)
    {
        let _ = writeln!(std::io::stderr(), "warning: {warning}");
    }
    let summary = report::render_summary(reports, &target, oracle);
    let _ = write!(std::io::stdout(), "{summary}");
    let write_err = |flag: &str, path: &std::path::Path, e: std::io::Error| {
        StartError::Usage(format!("cannot write {flag} {}: {e}", path.display()))
    };
    if let Some(path) = &args.json {
        let json = JsonReport::new(&target, oracle, ctx.target.api_version(), reports)
            .with_target(&ctx.options);
        report::write_json(path, &json).map_err(|e| write_err("--json", path, e))?;
    }
    if let Some(path) = &args.junit {
        report::write_junit(path, reports, &target).map_err(|e| write_err("--junit", path, e))?;
    }
    if let Some(path) = &args.har {
        report::write_har(path, reports).map_err(|e| write_err("--har", path, e))?;
    }
    if let Some(path) = &args.write_expectations {
        let measured = expectations::Measured {
            version: ctx.options.target_version.clone(),
            date: expectations::iso_date(expectations::today()),
        };
        let text = expectations::propose(reports, &target, &measured, expectations);
        std::fs::write(path, text).map_err(|e| write_err("--write-expectations", path, e))?;
    }
    Ok(ExitCode::from(exit_code(args, ctx, reports)))
}

fn exit_code(args: &RunArgs, ctx: &RunContext, reports: &[ScenarioReport]) -> u8 {
    let any = |outcome| reports.iter().any(|r| r.outcome == outcome);
    if ctx.is_stopping() {
        exit::INTERRUPTED
    } else if any(Outcome::Failed)
        || (args.strict && any(Outcome::Inconclusive))
        || (args.strict_xpass && any(Outcome::Xpass))
    {
        exit::FAILED
    } else {
        exit::SUCCESS
    }
}

fn oracle_name(oracle: Oracle) -> &'static str {
    match oracle {
        Oracle::Service => "service",
        Oracle::Doc => "doc",
    }
}

/// The libtest options kvconform passes through. Several FILTERs are applied before
/// libtest sees the trials (libtest takes one).
fn libtest_arguments(args: &RunArgs) -> Arguments {
    Arguments {
        test_threads: Some(args.jobs.max(1)),
        skip: args.skip.clone(),
        exact: args.exact,
        quiet: args.quiet,
        list: args.list,
        ..Arguments::default()
    }
}

fn select(set: ScenarioSet, args: &RunArgs) -> (Vec<Scenario>, Vec<(String, scenario::LoadError)>) {
    let keep = |name: &str| {
        args.filters.is_empty()
            || args.filters.iter().any(|f| {
                if args.exact {
                    name == f
                } else {
                    name.contains(f.as_str())
                }
            })
    };
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

/// Builds the target (starting the embedded vault when none is given) and checks that it
/// answers at all, so "unreachable" is never reported as non-conformance.
async fn prepare(args: &RunArgs) -> Result<(RunContext, Option<vault::RunningVault>), StartError> {
    if args.target.is_some() && !args.vault_quirk.is_empty() {
        return Err(StartError::Usage(
            "--vault-quirk applies to the embedded vault only; drop --target".into(),
        ));
    }
    let (url, credential, embedded) = match &args.target {
        Some(url) => (
            url.clone(),
            connect::credential(&args.connect).map_err(StartError::Usage)?,
            None,
        ),
        None => {
            let running = start_embedded(args).await?;
            let url = running.url.clone();
            (
                url,
                Credential::Static(EMBEDDED_TOKEN.into()),
                Some(running),
            )
        }
    };
    let ca_pem = embedded.as_ref().and_then(|v| v.ca_pem.clone());
    let target =
        connect::target(url, &args.connect, credential, ca_pem).map_err(StartError::Usage)?;
    let listed = target.probe().await.map_err(|e| {
        StartError::Harness(format!("target unreachable, no scenario was run: {e}"))
    })?;
    capabilities::vault_found(listed).map_err(StartError::Harness)?;
    let schemas = SchemaSet::embedded()
        .map_err(|e| StartError::Harness(format!("cannot compile the response schemas: {e}")))?;
    let mut options = run_options(args, run::new_run_id(), embedded.is_some());
    if embedded.is_none() && !args.no_probe {
        let probed = capabilities::probe(&target, &options.run_prefix()).await;
        options.lacking = probed.lacking;
        options.target_version = probed.version.or(options.target_version);
    }
    Ok((
        RunContext::new(target, schemas, snapshot_store(args)?, options),
        embedded,
    ))
}

/// Snapshots hold the service contract: they are checked under the service oracle only.
fn snapshot_store(args: &RunArgs) -> Result<Option<SnapshotStore>, StartError> {
    if args.oracle != Oracle::Service {
        return Ok(None);
    }
    let mode = if args.update_snapshots {
        if std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false") {
            return Err(StartError::Usage(
                "--update-snapshots is refused in CI (CI is set)".into(),
            ));
        }
        SnapshotMode::Update
    } else {
        SnapshotMode::Compare
    };
    Ok(Some(SnapshotStore::new(args.snapshots.clone(), mode)))
}

fn run_options(args: &RunArgs, run_id: String, embedded: bool) -> RunOptions {
    let default_poll = if embedded { 10 } else { 2000 };
    RunOptions {
        oracle: args.oracle,
        run_id,
        await_timeout: Duration::from_secs(args.await_timeout.unwrap_or(if embedded {
            10
        } else {
            120
        })),
        max_poll_interval: Duration::from_millis(args.max_poll_interval.unwrap_or(default_poll)),
        without: args.without.iter().map(|c| (*c).into()).collect(),
        lacking: Vec::new(),
        target_version: args.target_version.clone(),
    }
}

async fn start_embedded(args: &RunArgs) -> Result<vault::RunningVault, StartError> {
    let mut config = vault::VaultConfig {
        self_delay: EMBEDDED_SELF_DELAY,
        provider_delay: EMBEDDED_SELF_DELAY,
        cancel_delay: EMBEDDED_CANCEL_DELAY,
        ..vault::VaultConfig::default()
    };
    for name in &args.vault_quirk {
        let quirk = name.parse::<vault::Quirk>().map_err(|_| {
            StartError::Usage(format!(
                "unknown quirk `{name}` (see `kvconform serve --list-quirks`)"
            ))
        })?;
        config.quirks.push(quirk);
    }
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    vault::start(config, addr, false)
        .await
        .map_err(|e| StartError::Harness(format!("cannot start the embedded vault: {e}")))
}

/// First Ctrl-C: start nothing new and clean up; second: leave at once.
fn install_interrupt(runtime: &tokio::runtime::Runtime, ctx: &Arc<RunContext>) {
    let signal = ctx.stop_signal();
    runtime.spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            signal.stop();
            let _ = writeln!(
                std::io::stderr(),
                "interrupted: finishing cleanup (Ctrl-C again to quit now)"
            );
            if tokio::signal::ctrl_c().await.is_ok() {
                std::process::exit(130);
            }
        }
    });
}

fn scenario_trial(
    scenario: &Scenario,
    ctx: &Arc<RunContext>,
    handle: &tokio::runtime::Handle,
    reports: &Arc<Mutex<Vec<ScenarioReport>>>,
    config: &TrialConfig,
) -> Trial {
    let plan = plan::plan(scenario, config.oracle);
    let ctx = ctx.clone();
    let handle = handle.clone();
    let reports = reports.clone();
    let config = config.clone();
    Trial::ignorable_test(scenario.full_id(), move || {
        let mut report = handle.block_on(run::run_plan(&ctx, &plan));
        if let Some(expectations) = &config.expectations {
            expectations.apply(&mut report);
        }
        let result = verdict(&report, config.strict_xpass);
        reports
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(report);
        result
    })
}

/// Maps a kvconform outcome onto libtest's three: inconclusive, skipped and expected
/// failures show as ignored with their reason; an unexpected pass fails only with
/// `--strict-xpass`.
fn verdict(report: &ScenarioReport, strict_xpass: bool) -> Result<Completion, Failed> {
    let reason = report.reason.clone().unwrap_or_default();
    match report.outcome {
        Outcome::Passed => Ok(Completion::Completed),
        Outcome::Xpass if strict_xpass => Err(Failed::from(format!("xpass: {reason}"))),
        Outcome::Xpass => Ok(Completion::Completed),
        Outcome::Xfail => Ok(Completion::ignored_with(format!("xfail: {reason}"))),
        Outcome::Inconclusive => Ok(Completion::ignored_with(format!("inconclusive: {reason}"))),
        Outcome::Skipped => Ok(Completion::ignored_with(format!("skipped: {reason}"))),
        Outcome::Failed => Err(Failed::from(report.render_failures())),
    }
}

fn broken_trial(
    name: String,
    err: scenario::LoadError,
    reports: &Arc<Mutex<Vec<ScenarioReport>>>,
) -> Trial {
    let reports = reports.clone();
    let message = err.to_string();
    let report = ScenarioReport {
        outcome: Outcome::Failed,
        failures: vec![StepFailure {
            step: "load".into(),
            kind: FailureKind::Error,
            file: err.file.clone(),
            pos: err.pos,
            check: None,
            message: format!("invalid scenario file: {}", err.message),
            unverified: false,
            note: None,
            exchange: None,
        }],
        ..ScenarioReport::empty(&name)
    };
    Trial::test(name, move || {
        reports
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(report);
        Err(Failed::from(message))
    })
}
