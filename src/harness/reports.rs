//! Collecting and writing a finished run: the reports gathered from the runner's events
//! ([`Collected`]), the console summary, the report files the flags ask for (`--json`,
//! `--junit`, `--har`, `--write-expectations`), and the exit code.

use std::io::Write as _;
use std::path::Path;
use std::sync::Mutex;

use crate::expectations::{self, Expectations};
use crate::plan::Oracle;
use crate::report::{self, JsonReport};
use crate::run::verdict;
use crate::run::{Event, EventSink, RunContext, ScenarioReport, Timings, UnverifiedAnswer};
use crate::snapshot::{self, Stamp};

use super::StartError;
use super::config::{RunConfig, TargetChoice};

/// Where a run's events go: its reports (for the summary and the report files) and where
/// its time went (`--timings`).
#[derive(Default)]
pub struct Collected {
    reports: Mutex<Vec<ScenarioReport>>,
    pub timings: Timings,
}

impl EventSink for Collected {
    fn emit(&self, event: &Event<'_>) {
        if let Event::ScenarioFinished(report) = event {
            let mut reports = self.reports.lock().unwrap_or_else(|e| e.into_inner());
            reports.push((*report).clone());
        }
        self.timings.emit(event);
    }
}

impl Collected {
    /// The reports so far, by scenario id.
    pub fn sorted(&self) -> Vec<ScenarioReport> {
        let mut reports = self.reports.lock().unwrap_or_else(|e| e.into_inner());
        let mut reports = std::mem::take(&mut *reports);
        reports.sort_by(|a, b| a.id.cmp(&b.id));
        reports
    }
}

/// Prints the summary, writes the requested files; returns the exit code of the run.
pub fn finish(
    config: &RunConfig,
    ctx: &RunContext,
    reports: &[ScenarioReport],
    expectations: Option<&Expectations>,
) -> Result<u8, StartError> {
    let oracle = oracle_name(config.oracle);
    let target = ctx.target.base().to_string();
    if let (Some(version), Some(set)) = (&ctx.options.target_version, expectations)
        && let Some(warning) = set.version_warning(version)
    {
        let _ = writeln!(std::io::stderr(), "warning: {warning}");
    }
    let groups = report::by_version(reports);
    let mut summary = String::new();
    if groups.is_empty() {
        summary = report::render_summary(reports, &target, oracle);
    } else {
        for (version, group) in &groups {
            let label = format!("{target}, api-version {version}");
            summary.push_str(&report::render_summary(group, &label, oracle));
        }
        summary.push_str(&report::render_versions(&groups));
    }
    let remote = !matches!(config.target, TargetChoice::Embedded { .. });
    summary.push_str(&report::render_unverified(reports, remote));
    let _ = write!(std::io::stdout(), "{summary}");
    write_files(config, ctx, reports, expectations)?;
    let outcomes = reports.iter().map(|r| r.outcome);
    let strictness = (config.strict, config.strict_xpass);
    Ok(verdict::exit_code(outcomes, strictness, ctx.is_stopping()))
}

/// Makes sure every report can be written before the run starts, so that a run of minutes
/// never ends in "cannot write" with its results lost: a missing parent folder is created
/// (CI's `--junit out/junit.xml`), and a path that cannot be opened for writing (a folder,
/// a read-only place) is a usage error now rather than after the run.
pub fn prepare_outputs(config: &RunConfig) -> Result<(), StartError> {
    for (flag, path) in config.outputs.files() {
        writable(path).map_err(|e| write_error(flag, path, e))?;
    }
    if let Some(dir) = &config.record {
        std::fs::create_dir_all(dir).map_err(|e| write_error("--record", dir, e))?;
    }
    Ok(())
}

/// Whether `path` can be written, its folder created first; the file itself is left as it
/// was: an earlier report stays whole, and a run that cannot start leaves no empty report
/// behind (a CI JUnit reader fails on one).
fn writable(path: &Path) -> std::io::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let existed = path.exists();
    let file = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)?;
    drop(file);
    if !existed {
        std::fs::remove_file(path)?;
    }
    Ok(())
}

fn write_error(flag: &str, path: &Path, e: std::io::Error) -> StartError {
    StartError::Usage(format!("cannot write {flag} {}: {e}", path.display()))
}

fn write_files(
    config: &RunConfig,
    ctx: &RunContext,
    reports: &[ScenarioReport],
    expectations: Option<&Expectations>,
) -> Result<(), StartError> {
    let target = ctx.target.base();
    let outputs = &config.outputs;
    if let Some(path) = &outputs.json {
        let oracle = oracle_name(config.oracle);
        let versions = config.api_versions.join(",");
        let json = JsonReport::new(target, oracle, &versions, reports).with_target(&ctx.options);
        report::write_json(path, &json).map_err(|e| write_error("--json", path, e))?;
    }
    if let Some(path) = &outputs.junit {
        report::write_junit(path, reports, target).map_err(|e| write_error("--junit", path, e))?;
    }
    if let Some(path) = &outputs.har {
        report::write_har(path, reports).map_err(|e| write_error("--har", path, e))?;
    }
    if let Some(path) = &outputs.write_expectations {
        let measured = report::Measured {
            version: ctx.options.target_version.clone(),
            date: expectations::iso_date(expectations::today()),
        };
        let text = report::propose(reports, target, &measured, expectations);
        std::fs::write(path, text).map_err(|e| write_error("--write-expectations", path, e))?;
    }
    Ok(())
}

fn oracle_name(oracle: Oracle) -> &'static str {
    match oracle {
        Oracle::Service => "service",
        Oracle::Doc => "doc",
    }
}

/// With `--record DIR`: what the target answered at every unverified step, with the
/// recording's stamp, in `DIR/unverified-answers.json` (the snapshots are already there).
pub fn write_recording(
    config: &RunConfig,
    ctx: &RunContext,
    reports: &[ScenarioReport],
    stamp: &Stamp,
) -> Result<(), StartError> {
    let Some(dir) = &config.record else {
        return Ok(());
    };
    let answers: Vec<&UnverifiedAnswer> =
        reports.iter().flat_map(|r| &r.unverified_answers).collect();
    let recording = serde_json::json!({
        "recorded": stamp,
        "api_version": ctx.target.api_version(),
        "oracle": oracle_name(config.oracle),
        "unverified_answers": answers,
    });
    let path = dir.join(UNVERIFIED_ANSWERS);
    let mut text = serde_json::to_string_pretty(&recording).unwrap_or_default();
    text.push('\n');
    snapshot::write_file(&path, &text)
        .map_err(|e| StartError::Usage(format!("cannot write --record {}: {e}", path.display())))
}

/// The file of a recording that keeps the answers at unverified steps.
pub const UNVERIFIED_ANSWERS: &str = "unverified-answers.json";
