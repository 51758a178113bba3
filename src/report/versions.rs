//! A run over several api-versions (`--api-version LIST|all`): the reports grouped by
//! version, and the console table that puts the versions' verdicts side by side.

use std::collections::BTreeMap;

use super::summary::Summary;
use crate::run::{Outcome, ScenarioReport};

/// The reports grouped by api-version, oldest first; empty when
/// no report carries a version (a run over one version).
pub fn by_version(reports: &[ScenarioReport]) -> Vec<(String, Vec<ScenarioReport>)> {
    let mut groups: Vec<(String, Vec<ScenarioReport>)> = Vec::new();
    for report in reports {
        let Some(version) = &report.api_version else {
            continue;
        };
        match groups.iter_mut().find(|(v, _)| v == version) {
            Some((_, group)) => group.push(report.clone()),
            None => groups.push((version.clone(), vec![report.clone()])),
        }
    }
    // Known versions oldest first, then any other the user named.
    let rank = |v: &str| crate::api_versions::KNOWN.iter().position(|k| *k == v);
    groups.sort_by(|(a, _), (b, _)| match (rank(a), rank(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (x, y) => y.is_some().cmp(&x.is_some()).then_with(|| a.cmp(b)),
    });
    groups
}

/// One line per version with its counts, then every scenario whose verdict is not the same
/// on all versions, with each version's verdict: what an emulator supports, version by
/// version.
pub fn render_versions(groups: &[(String, Vec<ScenarioReport>)]) -> String {
    let mut out = String::from("verdicts by api-version:\n");
    let width = groups.iter().map(|(v, _)| v.len()).max().unwrap_or(0);
    for (version, group) in groups {
        let s = Summary::of(group);
        out.push_str(&format!(
            "  {version:<width$}  {} passed, {} failed, {} inconclusive, {} xfail, {} xpass, {} skipped\n",
            s.passed, s.failed, s.inconclusive, s.xfail, s.xpass, s.skipped
        ));
    }
    let mut by_id: BTreeMap<&str, Vec<(&str, Outcome)>> = BTreeMap::new();
    for (version, group) in groups {
        for report in group {
            by_id
                .entry(report.id.as_str())
                .or_default()
                .push((version.as_str(), report.outcome));
        }
    }
    let differing: Vec<_> = by_id
        .iter()
        .filter(|(_, verdicts)| verdicts.iter().any(|(_, o)| *o != verdicts[0].1))
        .collect();
    if !differing.is_empty() {
        out.push_str("  verdicts that differ between versions:\n");
        for (id, verdicts) in differing {
            let cells: Vec<String> = verdicts
                .iter()
                .map(|(v, o)| format!("{v} {}", o.as_str()))
                .collect();
            out.push_str(&format!("    {id}: {}\n", cells.join(", ")));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(id: &str, version: &str, outcome: Outcome) -> ScenarioReport {
        ScenarioReport {
            api_version: Some(version.into()),
            outcome,
            ..ScenarioReport::empty(id)
        }
    }

    #[test]
    fn versions_side_by_side_with_the_differences_named() {
        let reports = [
            report("auth::a", "7.0", Outcome::Passed),
            report("get::b", "7.0", Outcome::Skipped),
            report("auth::a", "7.6", Outcome::Passed),
            report("get::b", "7.6", Outcome::Failed),
        ];
        let groups = by_version(&reports);
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].0, "7.0");
        let text = render_versions(&groups);
        assert!(text.contains("7.0  1 passed, 0 failed"), "{text}");
        assert!(text.contains("7.6  1 passed, 1 failed"), "{text}");
        assert!(text.contains("get::b: 7.0 skipped, 7.6 failed"), "{text}");
        assert!(!text.contains("auth::a:"), "{text}");
    }

    #[test]
    fn a_run_over_one_version_has_no_groups() {
        assert!(by_version(&[ScenarioReport::empty("auth::a")]).is_empty());
    }
}
