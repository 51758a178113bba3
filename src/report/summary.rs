//! Counting outcomes and the one-paragraph summary printed after libtest's own lines.

use std::collections::BTreeSet;

use serde::Serialize;

use super::findings::findings;
use crate::run::{Outcome, ScenarioReport};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub passed: usize,
    pub failed: usize,
    pub inconclusive: usize,
    pub xfail: usize,
    pub xpass: usize,
    pub skipped: usize,
}

impl Summary {
    pub fn of(reports: &[ScenarioReport]) -> Summary {
        let mut s = Summary::default();
        for report in reports {
            let slot = match report.outcome {
                Outcome::Passed => &mut s.passed,
                Outcome::Failed => &mut s.failed,
                Outcome::Inconclusive => &mut s.inconclusive,
                Outcome::Xfail => &mut s.xfail,
                Outcome::Xpass => &mut s.xpass,
                Outcome::Skipped => &mut s.skipped,
            };
            *slot += 1;
        }
        s
    }
}

/// Scenario ids shown per line before `+N more`.
const IDS_SHOWN: usize = 4;
/// A root cause's line is clipped here (the JSON report keeps it whole).
const HEADLINE_CHARS: usize = 160;

/// The kvconform summary: outcome counts, the root causes of failures (one line each, with
/// the scenarios they affect), the skipped, inconclusive, xfail and xpass scenarios grouped
/// by reason, the unverified expectations that took part in the verdict, cleanup problems.
/// A run against a peer that deviates in a few ways fits on one screen.
pub fn render_summary(reports: &[ScenarioReport], target: &str, oracle: &str) -> String {
    let s = Summary::of(reports);
    let mut out = format!(
        "kvconform: {} passed, {} failed, {} inconclusive, {} xfail, {} xpass, {} skipped \
         (target {target}, oracle {oracle})\n",
        s.passed, s.failed, s.inconclusive, s.xfail, s.xpass, s.skipped
    );
    render_root_causes(&mut out, reports);
    render_reasons(&mut out, reports);
    let unverified: Vec<&str> = reports
        .iter()
        .filter(|r| !r.unverified_steps.is_empty())
        .map(|r| r.id.as_str())
        .collect();
    if !unverified.is_empty() {
        out.push_str(&format!(
            "  {} verdict(s) rest on expectations never observed on the real service (the doc's word is used): {}\n",
            unverified.len(),
            ids(&unverified)
        ));
    }
    for report in reports {
        for problem in &report.cleanup_problems {
            out.push_str(&format!("  cleanup {}: {problem}\n", report.id));
        }
    }
    out
}

fn render_root_causes(out: &mut String, reports: &[ScenarioReport]) {
    let found = findings(reports);
    if found.is_empty() {
        return;
    }
    let affected: BTreeSet<&str> = found
        .iter()
        .flat_map(|f| f.scenarios.iter().map(String::as_str))
        .collect();
    out.push_str(&format!(
        "  root causes: {} in {} failed or xfail scenario(s)\n",
        found.len(),
        affected.len()
    ));
    for (n, finding) in found.iter().enumerate() {
        let known = match finding.xfail {
            0 => String::new(),
            k if k == finding.scenarios.len() => ", all xfail".into(),
            k => format!(", {k} xfail"),
        };
        let list: Vec<&str> = finding.scenarios.iter().map(String::as_str).collect();
        out.push_str(&format!(
            "   {}. {} [{} scenario(s){known}; first at {}]\n      {}\n",
            n + 1,
            clip(&finding.headline(), HEADLINE_CHARS),
            list.len(),
            finding.example,
            ids(&list)
        ));
    }
}

/// Skipped, inconclusive, xfail and xpass scenarios, one line per (outcome, reason).
fn render_reasons(out: &mut String, reports: &[ScenarioReport]) {
    let mut groups: Vec<(Outcome, &str, Vec<&str>)> = Vec::new();
    for report in reports {
        if !matches!(
            report.outcome,
            Outcome::Inconclusive | Outcome::Skipped | Outcome::Xfail | Outcome::Xpass
        ) {
            continue;
        }
        let reason = report.reason.as_deref().unwrap_or("");
        match groups
            .iter_mut()
            .find(|(o, r, _)| *o == report.outcome && *r == reason)
        {
            Some(group) => group.2.push(&report.id),
            None => groups.push((report.outcome, reason, vec![&report.id])),
        }
    }
    for (outcome, reason, list) in groups {
        match list.as_slice() {
            [one] => out.push_str(&format!("  {} {one}: {reason}\n", outcome.as_str())),
            _ => out.push_str(&format!(
                "  {} {}: {reason}\n      {}\n",
                outcome.as_str(),
                list.len(),
                ids(&list)
            )),
        }
    }
}

/// The first `max` characters, marked `…` when cut (a long regex stays on one line).
fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// `a, b, c, d +3 more`.
fn ids(list: &[&str]) -> String {
    let shown = list[..list.len().min(IDS_SHOWN)].join(", ");
    match list.len().saturating_sub(IDS_SHOWN) {
        0 => shown,
        more => format!("{shown} +{more} more"),
    }
}
