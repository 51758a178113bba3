//! Counting outcomes and the one-paragraph summary printed after libtest's own lines.

use serde::Serialize;

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

/// The kvconform summary: outcome counts, inconclusive and skipped reasons, unverified
/// expectations that took part in the verdict, cleanup problems.
pub fn render_summary(reports: &[ScenarioReport], target: &str, oracle: &str) -> String {
    let s = Summary::of(reports);
    let mut out = format!(
        "kvconform: {} passed, {} failed, {} inconclusive, {} xfail, {} xpass, {} skipped \
         (target {target}, oracle {oracle})\n",
        s.passed, s.failed, s.inconclusive, s.xfail, s.xpass, s.skipped
    );
    for report in reports {
        let reason = report.reason.as_deref().unwrap_or("");
        match report.outcome {
            Outcome::Inconclusive | Outcome::Skipped | Outcome::Xfail | Outcome::Xpass => {
                out.push_str(&format!(
                    "  {} {}: {reason}\n",
                    report.outcome.as_str(),
                    report.id
                ));
            }
            _ => {}
        }
    }
    let unverified: Vec<String> = reports
        .iter()
        .filter(|r| !r.unverified_steps.is_empty())
        .map(|r| format!("{} ({})", r.id, r.unverified_steps.join(", ")))
        .collect();
    if !unverified.is_empty() {
        out.push_str(&format!(
            "  {} verdict(s) rest on expectations never observed on the real service (the doc's word is used):\n",
            unverified.len()
        ));
        for line in &unverified {
            out.push_str(&format!("    unverified {line}\n"));
        }
    }
    for report in reports {
        for problem in &report.cleanup_problems {
            out.push_str(&format!("  cleanup {}: {problem}\n", report.id));
        }
    }
    out
}
