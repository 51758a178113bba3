//! The JSON report (`--json FILE`): one object per scenario. Field names are a contract that
//! other tools read; add fields, never rename them.

use std::path::Path;

use serde::Serialize;

use super::findings::{Finding, findings};
use super::summary::Summary;
use crate::capabilities::Lack;
use crate::run::{FailureKind, RunOptions, ScenarioReport, UnverifiedAnswer};

#[derive(Debug, Serialize)]
pub struct JsonReport<'a> {
    pub target: &'a str,
    pub oracle: &'a str,
    pub api_version: &'a str,
    /// The kvconform version that judged.
    pub kvconform: &'static str,
    /// When the run ended, UTC (RFC 3339).
    pub date: String,
    /// The target's version: reported by it (`x-ms-keyvault-service-version`) or declared
    /// with `--target-version`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_version: Option<String>,
    pub summary: Summary,
    /// Each api-version's counts, when the run covered several (`--api-version LIST|all`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<VersionSummary>,
    /// Capabilities the target lacks (`--without` or a probe); scenarios needing them are
    /// skipped with one reason.
    pub lacking: Vec<Lack>,
    /// Root causes: the failures of failed and xfail scenarios grouped by check and outcome.
    pub findings: Vec<Finding>,
    /// What the target answered at every step whose expectation was never observed on the
    /// real service, whatever the verdict.
    pub unverified_answers: Vec<UnverifiedAnswer>,
    pub scenarios: Vec<JsonScenario>,
}

/// One api-version's counts in a run over several.
#[derive(Debug, Serialize)]
pub struct VersionSummary {
    pub api_version: String,
    pub summary: Summary,
}

#[derive(Debug, Serialize)]
pub struct JsonScenario {
    pub id: String,
    /// The api-version of this verdict, when the run covered several.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    pub rules: Vec<String>,
    pub outcome: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub duration_ms: u64,
    pub failures: Vec<JsonFailure>,
    /// Steps whose expectation was never observed on the real service.
    pub unverified_steps: Vec<String>,
    /// Every step that ran, each marked `unverified` when its expectation was never
    /// observed on the real service.
    pub steps: Vec<JsonStep>,
    pub unverified: bool,
}

#[derive(Debug, Serialize)]
pub struct JsonStep {
    pub name: String,
    pub unverified: bool,
}

#[derive(Debug, Serialize)]
pub struct JsonFailure {
    pub step: String,
    pub message: String,
    /// `conformance` (the target deviates) or `error` (the harness could not judge).
    pub kind: FailureKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    pub unverified: bool,
}

impl<'a> JsonReport<'a> {
    pub fn new(
        target: &'a str,
        oracle: &'a str,
        api_version: &'a str,
        reports: &[ScenarioReport],
    ) -> JsonReport<'a> {
        JsonReport {
            target,
            oracle,
            api_version,
            kvconform: env!("CARGO_PKG_VERSION"),
            date: now_rfc3339(),
            target_version: None,
            summary: Summary::of(reports),
            versions: super::versions::by_version(reports)
                .into_iter()
                .map(|(api_version, group)| VersionSummary {
                    api_version,
                    summary: Summary::of(&group),
                })
                .collect(),
            lacking: Vec::new(),
            findings: findings(reports),
            unverified_answers: reports
                .iter()
                .flat_map(|r| r.unverified_answers.iter().cloned())
                .collect(),
            scenarios: reports.iter().map(scenario).collect(),
        }
    }

    /// Adds what the run learnt about the target: its version and what it lacks.
    pub fn with_target(mut self, options: &RunOptions) -> JsonReport<'a> {
        self.target_version.clone_from(&options.target_version);
        self.lacking = options
            .without
            .iter()
            .map(|c| Lack::declared(*c))
            .chain(options.lacking.iter().cloned())
            .collect();
        self
    }
}

/// Now, UTC, RFC 3339 to the second.
pub fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

fn scenario(report: &ScenarioReport) -> JsonScenario {
    JsonScenario {
        id: report.id.clone(),
        api_version: report.api_version.clone(),
        rules: report.rules.clone(),
        outcome: report.outcome.as_str(),
        reason: report.reason.clone(),
        duration_ms: report.duration.as_millis() as u64,
        failures: report
            .failures
            .iter()
            .map(|f| JsonFailure {
                step: f.step.clone(),
                message: f.message.clone(),
                kind: f.kind,
                location: f.location.pos.map(|_| f.location.short()),
                unverified: f.unverified,
            })
            .collect(),
        unverified: !report.unverified_steps.is_empty(),
        unverified_steps: report.unverified_steps.clone(),
        steps: report
            .steps
            .iter()
            .map(|(name, unverified)| JsonStep {
                name: name.clone(),
                unverified: *unverified,
            })
            .collect(),
    }
}

pub fn write_json(path: &Path, report: &JsonReport<'_>) -> std::io::Result<()> {
    let mut text = serde_json::to_string_pretty(report).map_err(std::io::Error::other)?;
    text.push('\n');
    std::fs::write(path, text)
}
