//! Counting outcomes and the one-paragraph summary printed after libtest's own lines.

use std::collections::BTreeSet;

use serde::Serialize;

use super::findings::{Finding, findings};
use crate::run::{Outcome, ScenarioReport, UnverifiedAnswer};

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
/// by reason, cleanup problems. The unverified expectations follow once for the whole run
/// ([`render_unverified`]). A run against a peer that deviates in a few ways fits on one
/// screen.
pub fn render_summary(reports: &[ScenarioReport], target: &str, oracle: &str) -> String {
    let s = Summary::of(reports);
    let mut out = format!(
        "kvconform: {} passed, {} failed, {} inconclusive, {} xfail, {} xpass, {} skipped \
         (target {target}, oracle {oracle})\n",
        s.passed, s.failed, s.inconclusive, s.xfail, s.xpass, s.skipped
    );
    render_root_causes(&mut out, reports);
    render_reasons(&mut out, reports);
    for report in reports {
        for problem in &report.cleanup_problems {
            out.push_str(&format!("  cleanup {}: {problem}\n", report.id));
        }
    }
    out
}

/// The root causes of the failures, one line each (two when several scenarios share it).
/// A root cause whose scenarios are all `xfail` is already named by the expectations file,
/// whose reasons follow: it is counted here, and listed in full in the JSON report only, so
/// that a peer's known deviations do not fill the screen twice.
fn render_root_causes(out: &mut String, reports: &[ScenarioReport]) {
    let found = findings(reports);
    let (known, open): (Vec<&Finding>, Vec<&Finding>) =
        found.iter().partition(|f| f.xfail == f.scenarios.len());
    if !open.is_empty() {
        let affected: BTreeSet<&str> = open
            .iter()
            .flat_map(|f| f.scenarios.iter().map(String::as_str))
            .collect();
        out.push_str(&format!(
            "  root causes: {} in {} failed scenario(s)\n",
            open.len(),
            affected.len()
        ));
    }
    for (n, finding) in open.iter().enumerate() {
        let headline = clip(&finding.headline(), HEADLINE_CHARS);
        let list: Vec<&str> = finding.scenarios.iter().map(String::as_str).collect();
        match (list.as_slice(), finding.xfail) {
            ([one], _) => out.push_str(&format!(
                "   {}. {headline} [{one} at {}]\n",
                n + 1,
                finding.example
            )),
            (_, xfail) => out.push_str(&format!(
                "   {}. {headline} [{} scenario(s){}; first at {}]\n      {}\n",
                n + 1,
                list.len(),
                match xfail {
                    0 => String::new(),
                    k => format!(", {k} xfail"),
                },
                finding.example,
                ids(&list)
            )),
        }
    }
    if !known.is_empty() {
        let scenarios: usize = known.iter().map(|f| f.scenarios.len()).sum();
        out.push_str(&format!(
            "  known deviations: {} root cause(s) in {scenarios} xfail scenario(s), by the \
             expectations' reasons below (the JSON report lists their checks)\n",
            known.len()
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
        let reason = clip(reason, HEADLINE_CHARS);
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

/// An answer and its expectation are clipped here on the console (the JSON keeps them whole).
const ANSWER_CHARS: usize = 120;
const EXPECTED_CHARS: usize = 80;

/// The verdicts that rest on expectations never observed on the real service, and what the
/// target answered at each of those steps, whatever the verdict: against a real vault this
/// settles the open questions in one run. Printed once for the whole run (every api-version).
/// With `every_answer` false (the embedded reference vault, whose answers are our own and
/// settle nothing) only the answers of scenarios that did not pass are listed, the rest
/// counted; the JSON report always keeps them all.
pub fn render_unverified(reports: &[ScenarioReport], every_answer: bool) -> String {
    let mut out = String::new();
    let unverified: BTreeSet<&str> = reports
        .iter()
        .filter(|r| !r.unverified_steps.is_empty())
        .map(|r| r.id.as_str())
        .collect();
    if !unverified.is_empty() {
        let list: Vec<&str> = unverified.into_iter().collect();
        out.push_str(&format!(
            "  {} verdict(s) rest on expectations never observed on the real service (the doc's or the spec's word, or an inference named in the step's note): {}\n",
            list.len(),
            ids(&list)
        ));
    }
    let answers: Vec<(&ScenarioReport, &UnverifiedAnswer)> = reports
        .iter()
        .flat_map(|r| r.unverified_answers.iter().map(move |a| (r, a)))
        .collect();
    if answers.is_empty() {
        return out;
    }
    let (shown, folded): (Vec<_>, Vec<_>) = answers
        .iter()
        .partition(|(r, _)| every_answer || r.outcome != Outcome::Passed);
    out.push_str(&format!(
        "  what the target answered at the {} unverified step(s) (full answers in --json):\n",
        answers.len()
    ));
    for (report, a) in shown {
        let scenario = match &report.api_version {
            Some(version) => format!("{version}::{}", a.scenario),
            None => a.scenario.clone(),
        };
        out.push_str(&format!(
            "    {scenario} @ {}: {} (expected {})\n",
            a.step,
            clip(&a.one_line(), ANSWER_CHARS),
            clip(&a.expected, EXPECTED_CHARS)
        ));
    }
    if !folded.is_empty() {
        out.push_str(&format!(
            "    {} at steps of passing scenarios: the embedded vault's own answers, listed in --json (in full here against a --target)\n",
            folded.len()
        ));
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::CheckFailure;
    use crate::diagnostic::Pos;

    fn report(id: &str, outcome: Outcome, what: &str, reason: Option<&str>) -> ScenarioReport {
        let check = CheckFailure {
            pos: Pos { line: 4, col: 2 },
            what: what.into(),
            expected: "202".into(),
            actual: "409".into(),
        };
        let mut report = ScenarioReport::failing(id, outcome, check);
        report.reason = reason.map(String::from);
        report
    }

    #[test]
    fn known_root_causes_are_counted_and_named_once_by_their_reason() {
        let known = "emu replaces an operation in progress";
        let reports = vec![
            report("a::one", Outcome::Xfail, "status", Some(known)),
            report("a::two", Outcome::Xfail, "status", Some(known)),
            report("b::one", Outcome::Failed, "json /x", None),
            report("b::two", Outcome::Failed, "json /x", None),
            report("c::one", Outcome::Failed, "json /y", None),
        ];
        let text = render_summary(&reports, "https://t", "service");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[1..],
            [
                "  root causes: 2 in 3 failed scenario(s)",
                "   1. json /x: expected 202, got 409 [2 scenario(s); first at scenarios/b::one.yaml:4:2]",
                "      b::one, b::two",
                "   2. json /y: expected 202, got 409 [c::one at scenarios/c::one.yaml:4:2]",
                "  known deviations: 1 root cause(s) in 2 xfail scenario(s), by the expectations' \
                 reasons below (the JSON report lists their checks)",
                "  xfail 2: emu replaces an operation in progress",
                "      a::one, a::two",
            ]
        );
    }
}
