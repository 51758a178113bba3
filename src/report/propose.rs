//! `--write-expectations FILE`: a proposed expectations file from a run, each entry stamped
//! with the target's version and the date. A report like the others: the run's results
//! written as a file, here one that `--expectations` reads back.

use std::fmt::Write as _;

use crate::expectations::{Entry, Expectations, Expected};
use crate::run::{Outcome, ScenarioReport};
use crate::scenario::At;

/// A proposed expectations file: every failed, inconclusive or expected-to-fail scenario of
/// the run, keeping the reason, issue and expiry of entries that still apply.
pub fn propose(
    reports: &[ScenarioReport],
    target: &str,
    measured: &Measured,
    current: Option<&Expectations>,
) -> String {
    let mut out = format!(
        "# Known deviations of {target}, proposed by `kvconform run --write-expectations`.\n\
         # Review each reason; add `issue:` links and `expires: YYYY-MM-DD` where useful.\n\
         target: {}\nexpectations:\n",
        quote(target)
    );
    let mut any = false;
    for report in reports {
        let kept = current.and_then(|c| c.get(&report.id));
        let entry = match (report.outcome, kept) {
            (Outcome::Xfail, Some(entry)) => entry.clone(),
            (Outcome::Failed, _) => Entry {
                version: measured.version.clone(),
                date: Some(measured.date.clone()),
                scenario: At::new(report.id.clone()),
                step: report.failures.first().map(|f| f.step.clone()),
                outcome: Expected::Fail,
                reason: first_line(report.failures.first().map_or("", |f| &f.message)),
                issue: kept.and_then(|k| k.issue.clone()),
                expires: kept.and_then(|k| k.expires.clone()),
            },
            (Outcome::Inconclusive, _) => Entry {
                version: measured.version.clone(),
                date: Some(measured.date.clone()),
                scenario: At::new(report.id.clone()),
                step: None,
                outcome: Expected::Inconclusive,
                reason: first_line(report.reason.as_deref().unwrap_or("")),
                issue: kept.and_then(|k| k.issue.clone()),
                expires: kept.and_then(|k| k.expires.clone()),
            },
            _ => continue,
        };
        any = true;
        render_entry(&mut out, &entry);
    }
    if !any {
        out = out.replace("expectations:\n", "expectations: []\n");
    }
    out
}

fn render_entry(out: &mut String, entry: &Entry) {
    let _ = writeln!(out, "  - scenario: {}", quote(&entry.scenario));
    if let Some(step) = &entry.step {
        let _ = writeln!(out, "    step: {}", quote(step));
    }
    let _ = writeln!(out, "    outcome: {}", entry.outcome.as_str());
    let reason = if entry.reason.is_empty() {
        "unknown"
    } else {
        &entry.reason
    };
    let _ = writeln!(out, "    reason: {}", quote(reason));
    if let Some(issue) = &entry.issue {
        let _ = writeln!(out, "    issue: {}", quote(issue));
    }
    if let Some(expires) = &entry.expires {
        let _ = writeln!(out, "    expires: {}", quote(expires));
    }
    if let Some(version) = &entry.version {
        let _ = writeln!(out, "    version: {}", quote(version));
    }
    if let Some(date) = &entry.date {
        let _ = writeln!(out, "    date: {}", quote(date));
    }
}

/// What a proposed entry is stamped with: the target's version when known, and today.
pub struct Measured {
    pub version: Option<String>,
    pub date: String,
}

/// A YAML double-quoted scalar (JSON string syntax is a subset of it).
fn quote(text: &str) -> String {
    serde_json::Value::String(text.to_string()).to_string()
}

fn first_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or("").trim();
    let mut cut = line.len().min(200);
    while !line.is_char_boundary(cut) {
        cut -= 1;
    }
    line[..cut].to_string()
}
