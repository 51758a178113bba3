//! Expectations per target, the CI gate (`--expectations FILE`): known deviations by scenario
//! (optionally by step), each with a reason, the target version it was measured on and the
//! date, an optional issue link and expiry date. A failure that is expected becomes `xfail`; a
//! pass that was expected to fail becomes `xpass` (a promotion candidate). When the target
//! reports another version than the one measured, the run warns: the entries may be stale.
//! `--write-expectations` proposes a file from a run (`report::propose`). The main type is
//! [`Expectations`]; the verdict it changes is decided in `run::verdict`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use time::Date;
use time::macros::format_description;

use crate::diagnostic::{self, Diagnostic, Kind, Location};
use crate::scenario::At;

/// The file as written.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectationsFile {
    /// Free text: which target these expectations describe.
    #[serde(default)]
    #[allow(dead_code)]
    target: Option<String>,
    #[serde(default)]
    expectations: Vec<Entry>,
}

/// One known deviation.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// `area::id`, as in `kvconform list`; its position anchors the entry's diagnostics.
    pub scenario: At<String>,
    /// The step expected to fail; any step when absent.
    #[serde(default)]
    pub step: Option<String>,
    pub outcome: Expected,
    pub reason: String,
    #[serde(default)]
    pub issue: Option<String>,
    /// `YYYY-MM-DD`; past it, the entry still applies but the run warns.
    #[serde(default)]
    pub expires: Option<String>,
    /// The target's version (or commit) this deviation was measured on.
    #[serde(default)]
    pub version: Option<String>,
    /// `YYYY-MM-DD`: when it was measured.
    #[serde(default)]
    pub date: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Expected {
    Fail,
    Inconclusive,
}

impl Expected {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Expected::Fail => "fail",
            Expected::Inconclusive => "inconclusive",
        }
    }
}

/// A scenario as the expectations see it: its id and step names.
pub struct Known {
    pub id: String,
    pub steps: Vec<String>,
}

/// Validated expectations, by scenario id.
#[derive(Clone, Debug, Default)]
pub struct Expectations {
    entries: BTreeMap<String, Entry>,
    /// Expired entries, as warnings for the console.
    pub warnings: Vec<String>,
}

impl Expectations {
    /// Reads and validates a file against the scenarios that exist. Every problem is listed,
    /// each at its entry.
    pub fn load(
        path: &Path,
        known: &[Known],
        today: Date,
    ) -> Result<Expectations, Vec<Diagnostic>> {
        let (file, text) = diagnostic::read_yaml::<ExpectationsFile>(path).map_err(|d| vec![d])?;
        let positions: Vec<_> = file.expectations.iter().map(|e| e.scenario.pos).collect();
        Expectations::validate(file.expectations, known, today).map_err(|errors| {
            let at = |i: usize| Location::new(path, Some(positions[i])).with_source(&text);
            (errors.into_iter())
                .map(|(i, message)| Diagnostic::new(Kind::Invalid, at(i), message))
                .collect()
        })
    }

    /// The entries of a file as written, without checking them against scenarios (for the
    /// published matrix, which lists each peer's reasons).
    pub fn read_entries(path: &Path) -> Result<Vec<Entry>, Diagnostic> {
        diagnostic::read_yaml::<ExpectationsFile>(path).map(|(f, _)| f.expectations)
    }

    /// Problems come back with the index of their entry.
    fn validate(
        list: Vec<Entry>,
        known: &[Known],
        today: Date,
    ) -> Result<Expectations, Vec<(usize, String)>> {
        let mut out = Expectations::default();
        let mut errors = Vec::new();
        for (i, entry) in list.into_iter().enumerate() {
            let mut error = |message: String| errors.push((i, message));
            let id = entry.scenario.value.clone();
            match known.iter().find(|k| k.id == id) {
                None => error(format!("`{id}` matches no scenario")),
                Some(k) => {
                    if let Some(step) = &entry.step
                        && !k.steps.contains(step)
                    {
                        error(format!("`{id}` has no step `{step}`"));
                    }
                }
            }
            if let Some(Err(bad)) = entry.date.as_deref().map(parse_date) {
                error(format!("`{id}`: date {bad}"));
            }
            match entry.expires.as_deref().map(parse_date) {
                Some(Err(bad)) => error(format!("`{id}`: expires {bad}")),
                Some(Ok(date)) if date < today => out.warnings.push(format!(
                    "expectation for `{id}` expired on {date}: fix the target or renew it"
                )),
                _ => {}
            }
            if entry.reason.trim().is_empty() {
                error(format!("`{id}`: the reason is empty"));
            }
            if out.entries.insert(id.clone(), entry).is_some() {
                error(format!("`{id}` is listed twice"));
            }
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(errors)
        }
    }

    pub fn get(&self, id: &str) -> Option<&Entry> {
        self.entries.get(id)
    }

    /// Every entry, by scenario id.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.values()
    }

    /// A warning when the target reports a version other than the one entries were measured
    /// on (entries without a version are not compared).
    pub fn version_warning(&self, reported: &str) -> Option<String> {
        let mut stale: BTreeMap<&str, usize> = BTreeMap::new();
        for entry in self.entries.values() {
            if let Some(measured) = entry.version.as_deref().filter(|v| *v != reported) {
                *stale.entry(measured).or_default() += 1;
            }
        }
        if stale.is_empty() {
            return None;
        }
        let measured: Vec<String> = stale
            .iter()
            .map(|(version, n)| format!("{n} on {version}"))
            .collect();
        Some(format!(
            "the target reports version {reported} but expectations were measured on another \
             ({}): re-measure with --write-expectations and review them",
            measured.join(", ")
        ))
    }
}

/// A date in an expectations file that is not `YYYY-MM-DD` (the text as written).
#[derive(Debug, thiserror::Error)]
#[error("`{0}` is not YYYY-MM-DD")]
struct BadDate(String);

fn parse_date(text: &str) -> Result<Date, BadDate> {
    Date::parse(text.trim(), format_description!("[year]-[month]-[day]"))
        .map_err(|_| BadDate(text.to_string()))
}

/// Today's date (UTC), for expiry.
pub fn today() -> Date {
    time::OffsetDateTime::now_utc().date()
}

/// A date as `YYYY-MM-DD`.
pub fn iso_date(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Location;
    use crate::report::{Measured, propose};
    use crate::run::{FailureKind, Outcome, ScenarioReport, StepFailure};
    use time::macros::date;

    fn known() -> Vec<Known> {
        vec![Known {
            id: "conflict::create".into(),
            steps: vec!["start".into(), "again".into()],
        }]
    }

    fn entries(yaml: &str) -> Vec<Entry> {
        serde_saphyr::from_str::<ExpectationsFile>(yaml)
            .unwrap()
            .expectations
    }

    fn failed_at(step: &str) -> ScenarioReport {
        let mut report = ScenarioReport::empty("conflict::create");
        report.outcome = Outcome::Failed;
        let at = Location::file("x.yaml".as_ref());
        let message = "status: expected 409, got 202".into();
        report.failures.push(StepFailure {
            kind: FailureKind::Conformance,
            ..StepFailure::error(step, at, message)
        });
        report
    }

    fn measured() -> Measured {
        Measured {
            version: Some("7.3.74".into()),
            date: "2026-12-01".into(),
        }
    }

    const ONE: &str = "expectations:\n  - scenario: conflict::create\n    step: again\n    outcome: fail\n    reason: answers 202\n    issue: https://example.invalid/1\n    expires: 2030-01-01\n";

    #[test]
    fn rejects_unknown_scenarios_steps_and_dates() {
        let yaml = "expectations:\n  - { scenario: nope::x, outcome: fail, reason: r }\n  - { scenario: conflict::create, step: zzz, outcome: inconclusive, reason: r, expires: soon }\n";
        let errors =
            Expectations::validate(entries(yaml), &known(), date!(2026 - 01 - 01)).unwrap_err();
        let errors: Vec<&str> = errors.iter().map(|(_, m)| m.as_str()).collect();
        assert_eq!(
            errors,
            [
                "`nope::x` matches no scenario",
                "`conflict::create` has no step `zzz`",
                "`conflict::create`: expires `soon` is not YYYY-MM-DD"
            ]
        );
    }

    #[test]
    fn warns_about_expired_entries() {
        let set = Expectations::validate(entries(ONE), &known(), date!(2031 - 01 - 01)).unwrap();
        assert_eq!(set.warnings.len(), 1);
        assert!(set.warnings[0].contains("expired on 2030-01-01"));
    }

    /// What the run's verdict does with the file's entry for the report.
    fn apply(set: &Expectations, report: &mut ScenarioReport) {
        if let Some(entry) = set.get(&report.id) {
            crate::run::verdict::expect(report, entry);
        }
    }

    #[test]
    fn expected_failure_is_xfail_pass_is_xpass_other_step_stays_failed() {
        let set = Expectations::validate(entries(ONE), &known(), date!(2026 - 01 - 01)).unwrap();
        let mut report = failed_at("again");
        apply(&set, &mut report);
        assert_eq!(report.outcome, Outcome::Xfail);
        assert_eq!(
            report.reason.as_deref(),
            Some("answers 202 (https://example.invalid/1)")
        );
        let mut elsewhere = failed_at("start");
        apply(&set, &mut elsewhere);
        assert_eq!(elsewhere.outcome, Outcome::Failed);
        let mut passed = ScenarioReport::empty("conflict::create");
        passed.outcome = Outcome::Passed;
        apply(&set, &mut passed);
        assert_eq!(passed.outcome, Outcome::Xpass);
    }

    #[test]
    fn proposes_a_file_that_loads_back() {
        let text = propose(&[failed_at("again")], "http://t", &measured(), None);
        let loaded = entries(&text);
        assert_eq!(loaded.len(), 1);
        assert_eq!(loaded[0].step.as_deref(), Some("again"));
        assert_eq!(loaded[0].version.as_deref(), Some("7.3.74"));
        assert_eq!(loaded[0].date.as_deref(), Some("2026-12-01"));
        assert_eq!(loaded[0].reason, "status: expected 409, got 202");
        assert!(Expectations::validate(loaded, &known(), date!(2026 - 01 - 01)).is_ok());
    }

    #[test]
    fn warns_when_the_target_reports_another_version() {
        let yaml = format!("{ONE}    version: 7.3.74\n    date: 2026-12-01\n");
        let set = Expectations::validate(entries(&yaml), &known(), date!(2026 - 01 - 01)).unwrap();
        assert_eq!(set.version_warning("7.3.74"), None);
        let warning = set.version_warning("7.4.0").unwrap();
        assert!(warning.contains("reports version 7.4.0"), "{warning}");
        assert!(warning.contains("1 on 7.3.74"), "{warning}");
        let bad = format!("{ONE}    date: yesterday\n");
        let errors =
            Expectations::validate(entries(&bad), &known(), date!(2026 - 01 - 01)).unwrap_err();
        assert_eq!(
            errors,
            [(
                0,
                "`conflict::create`: date `yesterday` is not YYYY-MM-DD".into()
            )]
        );
    }
}
