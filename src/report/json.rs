//! The JSON report (`--json FILE`): one object per scenario. Field names are a contract that
//! other tools read; add fields, never rename them.

use std::path::Path;

use serde::Serialize;

use super::summary::Summary;
use crate::run::{FailureKind, ScenarioReport};

#[derive(Debug, Serialize)]
pub struct JsonReport<'a> {
    pub target: &'a str,
    pub oracle: &'a str,
    pub api_version: &'a str,
    pub summary: Summary,
    pub scenarios: Vec<JsonScenario>,
}

#[derive(Debug, Serialize)]
pub struct JsonScenario {
    pub id: String,
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
            summary: Summary::of(reports),
            scenarios: reports.iter().map(scenario).collect(),
        }
    }
}

fn scenario(report: &ScenarioReport) -> JsonScenario {
    JsonScenario {
        id: report.id.clone(),
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
                location: f
                    .pos
                    .filter(|p| p.line > 0)
                    .map(|p| format!("{}:{}", f.file.display(), p)),
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
