//! `kvconform run`: the only user of libtest-mimic. Scenarios become trials named
//! `area::id`, run in parallel on one tokio runtime with one HTTP client; a broken scenario
//! file is one failing trial. Prints libtest's console lines plus the kvconform summary.

use std::io::Write as _;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use libtest_mimic::{Arguments, Completion, Failed, Trial};

use crate::check::schema::SchemaSet;
use crate::cli::{AuthMode, RunArgs};
use crate::exit;
use crate::plan::{self, Oracle};
use crate::report::{self, JsonReport};
use crate::run::{self, FailureKind, Outcome, RunContext, RunOptions, ScenarioReport, StepFailure};
use crate::scenario::{self, Catalogue, Scenario, ScenarioSet};
use crate::snapshot::{SnapshotMode, SnapshotStore};
use crate::target::{Credential, Target, TargetOptions};
use crate::vault;

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

fn run_inner(args: &RunArgs) -> Result<ExitCode, StartError> {
    let started = Instant::now();
    let (_, set) = load(&args.dir.scenarios).map_err(StartError::Usage)?;
    let loaded = started.elapsed();
    let libtest = libtest_arguments(args);
    let (scenarios, broken) = select(set, args);
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
    let mut trials: Vec<Trial> = scenarios
        .iter()
        .map(|s| scenario_trial(s, &ctx, runtime.handle(), &reports, args.oracle))
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
    finish(args, &ctx, &reports)
}

fn finish(
    args: &RunArgs,
    ctx: &RunContext,
    reports: &[ScenarioReport],
) -> Result<ExitCode, StartError> {
    let oracle = oracle_name(args.oracle);
    let target = ctx.target.base().to_string();
    let summary = report::render_summary(reports, &target, oracle);
    let _ = write!(std::io::stdout(), "{summary}");
    if let Some(path) = &args.json {
        let json = JsonReport::new(&target, oracle, ctx.target.api_version(), reports);
        report::write_json(path, &json).map_err(|e| {
            StartError::Usage(format!("cannot write --json {}: {e}", path.display()))
        })?;
    }
    let failed = reports.iter().any(|r| r.outcome == Outcome::Failed);
    let strict_fail = args.strict && reports.iter().any(|r| r.outcome == Outcome::Inconclusive);
    Ok(ExitCode::from(if failed || strict_fail {
        exit::FAILED
    } else {
        exit::SUCCESS
    }))
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
        Some(url) => (url.clone(), credential(args)?, None),
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
    if args.insecure {
        let _ = writeln!(
            std::io::stderr(),
            "warning: --insecure: TLS certificates are not verified"
        );
    }
    let options = TargetOptions {
        url,
        api_version: args.api_version.clone(),
        ca_cert: args.ca_cert.clone(),
        ca_pem: None,
        insecure: args.insecure,
        timeout: Duration::from_secs(args.request_timeout.max(1)),
        credential,
    };
    let target = Target::new(&options).map_err(|e| StartError::Usage(e.to_string()))?;
    target.probe().await.map_err(|e| {
        StartError::Harness(format!("target unreachable, no scenario was run: {e}"))
    })?;
    let schemas = SchemaSet::embedded()
        .map_err(|e| StartError::Harness(format!("cannot compile the response schemas: {e}")))?;
    let default_poll = if embedded.is_some() { 10 } else { 2000 };
    let options = RunOptions {
        oracle: args.oracle,
        run_id: run::new_run_id(),
        await_timeout: Duration::from_secs(args.await_timeout.unwrap_or(if embedded.is_some() {
            10
        } else {
            120
        })),
        max_poll_interval: Duration::from_millis(args.max_poll_interval.unwrap_or(default_poll)),
        without: args.without.iter().map(|c| (*c).into()).collect(),
    };
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

fn credential(args: &RunArgs) -> Result<Credential, StartError> {
    let mode = args.auth.unwrap_or(if args.token_env.is_some() {
        AuthMode::Bearer
    } else {
        AuthMode::None
    });
    match mode {
        AuthMode::None => Ok(Credential::None),
        AuthMode::Bearer => {
            let name = args
                .token_env
                .as_deref()
                .ok_or_else(|| StartError::Usage("--auth bearer needs --token-env NAME".into()))?;
            let token = std::env::var(name).map_err(|_| {
                StartError::Usage(format!(
                    "environment variable {name} (from --token-env) is not set"
                ))
            })?;
            Ok(Credential::Static(token.into()))
        }
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
    let flag = ctx.stop_flag();
    runtime.spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            flag.store(true, std::sync::atomic::Ordering::SeqCst);
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
    oracle: Oracle,
) -> Trial {
    let plan = plan::plan(scenario, oracle);
    let ctx = ctx.clone();
    let handle = handle.clone();
    let reports = reports.clone();
    Trial::ignorable_test(scenario.full_id(), move || {
        let report = handle.block_on(run::run_plan(&ctx, &plan));
        let result = verdict(&report);
        reports
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(report);
        result
    })
}

/// Maps a kvconform outcome onto libtest's three: inconclusive and skipped show as ignored
/// with their reason.
fn verdict(report: &ScenarioReport) -> Result<Completion, Failed> {
    let reason = report.reason.clone().unwrap_or_default();
    match report.outcome {
        Outcome::Passed | Outcome::Xfail => Ok(Completion::Completed),
        Outcome::Inconclusive => Ok(Completion::ignored_with(format!("inconclusive: {reason}"))),
        Outcome::Skipped => Ok(Completion::ignored_with(format!("skipped: {reason}"))),
        Outcome::Failed | Outcome::Xpass => Err(Failed::from(report.render_failures())),
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
