//! `kvconform matrix REPORT.json…`: several JSON reports (one per target) side by side as
//! Markdown: rules × targets, then scenarios × targets. A verdict that rests on an
//! expectation never observed on the real service is marked `†`.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diagnostic::Diagnostic;

/// A report, or a file the emulators page reads beside it, that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} is not a kvconform JSON report: {source}", path.display())]
    NotAReport {
        path: PathBuf,
        source: serde_json::Error,
    },
    /// `not-run.yaml` of the emulators page.
    #[error("invalid {}: {source}", path.display())]
    Invalid {
        path: PathBuf,
        source: Box<serde_saphyr::Error>,
    },
    /// An emulator's `expectations.yaml`.
    #[error("{0}")]
    Expectations(Box<Diagnostic>),
}

/// What the matrix reads from a JSON report (other fields are ignored).
#[derive(Clone, Debug, Deserialize)]
pub struct ReportIn {
    pub target: String,
    pub oracle: String,
    pub api_version: String,
    /// The target's version or commit, when the run knew it.
    #[serde(default)]
    pub target_version: Option<String>,
    /// When the run ended (RFC 3339).
    #[serde(default)]
    pub date: Option<String>,
    #[serde(default)]
    pub lacking: Vec<LackIn>,
    #[serde(default)]
    pub findings: Vec<FindingIn>,
    pub scenarios: Vec<ScenarioIn>,
}

/// A capability the target lacked in that run.
#[derive(Clone, Debug, Deserialize)]
pub struct LackIn {
    pub capability: String,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub evidence: String,
}

/// A root cause of that run.
#[derive(Clone, Debug, Deserialize)]
pub struct FindingIn {
    pub check: String,
    #[serde(default)]
    pub expected: String,
    pub actual: String,
    pub scenarios: Vec<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct ScenarioIn {
    pub id: String,
    /// Set when the run covered several api-versions (`--api-version LIST|all`).
    #[serde(default)]
    pub api_version: Option<String>,
    pub rules: Vec<String>,
    pub outcome: String,
    #[serde(default)]
    pub unverified: bool,
    #[serde(default)]
    pub failures: Vec<FailureIn>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct FailureIn {
    #[serde(default)]
    pub unverified: bool,
}

/// A report with the column label it gets.
pub struct Column {
    pub label: String,
    pub report: ReportIn,
}

/// Reads reports; each column is labelled by its file name (without `.json`), or by its
/// folder for a file named `report.json` (`tests/peers/lowkey-vault/report.json`).
pub fn load(paths: &[impl AsRef<Path>]) -> Result<Vec<Column>, LoadError> {
    paths
        .iter()
        .map(|path| {
            let path = path.as_ref();
            let text = std::fs::read_to_string(path).map_err(|source| LoadError::Read {
                path: path.to_path_buf(),
                source,
            })?;
            let report: ReportIn =
                serde_json::from_str(&text).map_err(|source| LoadError::NotAReport {
                    path: path.to_path_buf(),
                    source,
                })?;
            let named = path.file_stem().filter(|s| *s != "report").or_else(|| {
                path.parent()
                    .and_then(Path::file_name)
                    .or_else(|| path.file_stem())
            });
            let label = named.map_or_else(
                || path.display().to_string(),
                |s| s.to_string_lossy().into(),
            );
            Ok(by_api_version(Column { label, report }))
        })
        .collect::<Result<Vec<_>, LoadError>>()
        .map(|columns| columns.into_iter().flatten().collect())
}

/// A report of a run over several api-versions becomes one column per version, labelled
/// `label @ version`, so that the versions' verdicts stand side by side.
fn by_api_version(column: Column) -> Vec<Column> {
    let mut versions: Vec<String> = Vec::new();
    for v in column
        .report
        .scenarios
        .iter()
        .filter_map(|s| s.api_version.clone())
    {
        if !versions.contains(&v) {
            versions.push(v);
        }
    }
    if versions.len() < 2 {
        return vec![column];
    }
    versions
        .into_iter()
        .map(|version| {
            let mut report = column.report.clone();
            report
                .scenarios
                .retain(|s| s.api_version.as_deref() == Some(version.as_str()));
            report.api_version.clone_from(&version);
            // Root causes are per run: kept only where all their scenarios are this version's.
            report.findings.clear();
            Column {
                label: format!("{} @ {version}", column.label),
                report,
            }
        })
        .collect()
}

/// Outcomes from worst to best: a rule shows the worst outcome of its scenarios.
const SEVERITY: [&str; 6] = [
    "failed",
    "xpass",
    "xfail",
    "inconclusive",
    "passed",
    "skipped",
];

fn severity(outcome: &str) -> usize {
    SEVERITY.iter().position(|o| *o == outcome).unwrap_or(0)
}

fn cell_text(outcome: &str) -> &str {
    match outcome {
        "failed" => "**FAIL**",
        "passed" => "pass",
        other => other,
    }
}

/// The verdict rests on an unverified expectation.
fn is_unverified(s: &ScenarioIn) -> bool {
    match s.outcome.as_str() {
        "failed" | "xfail" => s.failures.iter().any(|f| f.unverified),
        "passed" | "xpass" => s.unverified,
        _ => false,
    }
}

/// The worst outcome among scenarios, marked when an unverified expectation decided it.
fn aggregate<'a>(scenarios: impl Iterator<Item = &'a ScenarioIn>) -> String {
    let list: Vec<&ScenarioIn> = scenarios.collect();
    let Some(worst) = list
        .iter()
        .map(|s| s.outcome.as_str())
        .min_by_key(|o| severity(o))
    else {
        return "—".into();
    };
    let mark = list.iter().any(|s| s.outcome == worst && is_unverified(s));
    format!("{}{}", cell_text(worst), if mark { " †" } else { "" })
}

/// The Markdown document.
pub fn render(columns: &[Column]) -> String {
    let mut out = String::from(
        "# kvconform matrix\n\n| report | target | version | measured | oracle | api-version |\n\
         |---|---|---|---|---|---|\n",
    );
    for c in columns {
        let r = &c.report;
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            c.label,
            r.target,
            r.target_version.as_deref().unwrap_or("—"),
            day(r.date.as_deref()),
            r.oracle,
            r.api_version
        );
    }
    out.push_str(&render_tables(columns));
    out
}

/// `2026-12-01` from an RFC 3339 time; `—` when unknown.
pub fn day(date: Option<&str>) -> &str {
    date.and_then(|d| d.get(..10)).unwrap_or("—")
}

/// The rules × targets and scenarios × targets tables, with their legend.
pub fn render_tables(columns: &[Column]) -> String {
    let mut out = String::new();
    let header = |first: &str| {
        let labels: Vec<&str> = columns.iter().map(|c| c.label.as_str()).collect();
        format!(
            "| {first} | {} |\n|---|{}\n",
            labels.join(" | "),
            "---|".repeat(columns.len())
        )
    };
    let rules: BTreeSet<&str> = columns
        .iter()
        .flat_map(|c| c.report.scenarios.iter())
        .flat_map(|s| s.rules.iter().map(String::as_str))
        .collect();
    out.push_str("\n## Rules\n\n");
    out.push_str(&header("rule"));
    for rule in &rules {
        let cells: Vec<String> = columns
            .iter()
            .map(|c| {
                aggregate(
                    c.report
                        .scenarios
                        .iter()
                        .filter(|s| s.rules.iter().any(|r| r == rule)),
                )
            })
            .collect();
        let _ = writeln!(out, "| `{rule}` | {} |", cells.join(" | "));
    }
    let ids: BTreeSet<&str> = columns
        .iter()
        .flat_map(|c| c.report.scenarios.iter().map(|s| s.id.as_str()))
        .collect();
    out.push_str("\n## Scenarios\n\n");
    out.push_str(&header("scenario"));
    for id in &ids {
        let cells: Vec<String> = columns
            .iter()
            .map(|c| aggregate(c.report.scenarios.iter().filter(|s| s.id == *id)))
            .collect();
        let _ = writeln!(out, "| `{id}` | {} |", cells.join(" | "));
    }
    out.push_str(
        "\nA rule shows the worst outcome of its scenarios (FAIL, xpass, xfail, inconclusive, \
         pass, skipped); — means not run.\n† the verdict rests on an expectation never observed \
         on the real service (unverified: the doc's or the spec's word is used).\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(target: &str, outcomes: &[(&str, &str, &str, bool)]) -> ReportIn {
        ReportIn {
            target: target.into(),
            oracle: "service".into(),
            api_version: "2025-07-01".into(),
            target_version: None,
            date: None,
            lacking: Vec::new(),
            findings: Vec::new(),
            scenarios: outcomes
                .iter()
                .map(|(id, rule, outcome, unverified)| ScenarioIn {
                    id: (*id).into(),
                    api_version: None,
                    rules: vec![(*rule).into()],
                    outcome: (*outcome).into(),
                    unverified: *unverified,
                    failures: vec![FailureIn {
                        unverified: *unverified,
                    }],
                })
                .collect(),
        }
    }

    #[test]
    fn worst_outcome_per_rule_and_unverified_marks() {
        let columns = vec![
            Column {
                label: "vault".into(),
                report: report(
                    "http://a",
                    &[
                        ("get::a", "get-in-progress", "passed", false),
                        ("get::b", "get-in-progress", "passed", false),
                        ("conflict::c", "create-conflict", "passed", true),
                    ],
                ),
            },
            Column {
                label: "emu".into(),
                report: report(
                    "http://b",
                    &[
                        ("get::a", "get-in-progress", "passed", false),
                        ("get::b", "get-in-progress", "failed", false),
                        ("conflict::c", "create-conflict", "xfail", true),
                    ],
                ),
            },
        ];
        let md = render(&columns);
        assert!(
            md.contains("| `get-in-progress` | pass | **FAIL** |"),
            "{md}"
        );
        assert!(
            md.contains("| `create-conflict` | pass † | xfail † |"),
            "{md}"
        );
        assert!(md.contains("| `get::b` | pass | **FAIL** |"), "{md}");
        assert!(
            md.contains("| emu | http://b | — | — | service | 2025-07-01 |"),
            "{md}"
        );
    }
}
