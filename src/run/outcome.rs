//! The result of one scenario: its outcome, the failures with their positions, and every
//! exchange (for HAR and failure output).

use std::time::Duration;

use serde::Serialize;

use crate::check::CheckFailure;
use crate::diagnostic::Location;
use crate::plan::Plan;
use crate::target::Exchange;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Passed,
    Failed,
    Inconclusive,
    Xfail,
    Xpass,
    Skipped,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Failed => "failed",
            Outcome::Inconclusive => "inconclusive",
            Outcome::Xfail => "xfail",
            Outcome::Xpass => "xpass",
            Outcome::Skipped => "skipped",
        }
    }
}

/// A conformance failure (the target deviates) or a harness error (the run could not judge).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FailureKind {
    Conformance,
    Error,
}

#[derive(Clone, Debug, Serialize)]
pub struct StepFailure {
    pub step: String,
    pub kind: FailureKind,
    /// Where the failed expectation (or the scenario) was written.
    pub location: Location,
    /// The failed expectation, when there is one.
    pub check: Option<CheckFailure>,
    pub message: String,
    /// The step's expectation was never observed on the real service.
    pub unverified: bool,
    /// The oracle's reason for this expectation (its source), when the scenario gives one.
    pub note: Option<String>,
    #[serde(skip)]
    pub exchange: Option<Exchange>,
}

impl StepFailure {
    /// The run could not judge the step (not a conformance failure).
    pub fn error(step: &str, location: Location, message: String) -> StepFailure {
        StepFailure {
            step: step.to_string(),
            kind: FailureKind::Error,
            location,
            check: None,
            message,
            unverified: false,
            note: None,
            exchange: None,
        }
    }

    /// The target broke an expectation written at `location`.
    pub fn conformance(step: &str, location: Location, check: CheckFailure) -> StepFailure {
        StepFailure {
            kind: FailureKind::Conformance,
            message: check.to_string(),
            check: Some(check),
            ..StepFailure::error(step, location, String::new())
        }
    }

    /// The failure as text: step, `--> file:line:col`, expected vs actual, and the exchange.
    pub fn render(&self) -> String {
        self.render_with_exchange(true)
    }

    /// As [`Self::render`]; the step's oracle note and exchange are left out when another
    /// failure of the same step shows them.
    pub fn render_with_exchange(&self, last_of_step: bool) -> String {
        let mut out = format!("step `{}`", self.step);
        if self.unverified {
            out.push_str(" [unverified: expectation never observed on the real service]");
        }
        out.push('\n');
        out.push_str(&self.location.render());
        for line in self.message.lines() {
            out.push_str(&format!("  {line}\n"));
        }
        if let Some(note) = self.note.as_ref().filter(|_| last_of_step) {
            out.push_str(&format!("  oracle note for this step: {note}\n"));
        }
        if let Some(exchange) = self.exchange.as_ref().filter(|_| last_of_step) {
            for line in exchange.render().lines() {
                out.push_str(&format!("    {line}\n"));
            }
        }
        out
    }
}

/// What the target answered at a step whose expectation was never observed on the real
/// service: whatever the verdict, someone running against a real vault settles the open
/// question by reading it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UnverifiedAnswer {
    /// `area::id`.
    pub scenario: String,
    pub step: String,
    /// What the scenario expects there (the doc's word).
    pub expected: String,
    /// Method and path (no host, no query).
    pub request: String,
    pub status: u16,
    /// The response normalised as in a snapshot (status, contract headers, body).
    pub answer: String,
}

impl UnverifiedAnswer {
    /// The answer on one line (for the console): `409 {"error": …}`, headers as
    /// `name: value;`, whitespace runs collapsed.
    pub fn one_line(&self) -> String {
        let text = self.answer.split_whitespace().collect::<Vec<_>>().join(" ");
        let text = text.strip_prefix("status: ").unwrap_or(&text);
        text.replacen(" headers: ", " ", 1)
            .replacen(" body: ", " ", 1)
    }
}

#[derive(Clone, Debug)]
pub struct ScenarioReport {
    pub id: String,
    /// The api-version this run of the scenario spoke (set when a run covers several).
    pub api_version: Option<String>,
    pub rules: Vec<String>,
    pub outcome: Outcome,
    /// Why it was inconclusive, skipped, or expected to fail.
    pub reason: Option<String>,
    pub failures: Vec<StepFailure>,
    pub unverified_steps: Vec<String>,
    /// What the target answered at each unverified step that sent a request.
    pub unverified_answers: Vec<UnverifiedAnswer>,
    /// Every step that ran, with whether its expectation is unverified.
    pub steps: Vec<(String, bool)>,
    pub cleanup_problems: Vec<String>,
    pub exchanges: Vec<Exchange>,
    pub duration: Duration,
}

impl ScenarioReport {
    pub fn new(plan: &Plan) -> ScenarioReport {
        ScenarioReport {
            rules: plan.rules.clone(),
            ..ScenarioReport::empty(&plan.id)
        }
    }

    /// Its trial's name: `area::id`, or `VERSION::area::id` when the run names versions
    /// (the judge sets `api_version` exactly then).
    pub fn trial_name(&self) -> String {
        match &self.api_version {
            Some(version) => format!("{version}::{}", self.id),
            None => self.id.clone(),
        }
    }

    /// A report with no rules, steps or verdict yet.
    pub fn empty(id: &str) -> ScenarioReport {
        ScenarioReport {
            id: id.to_string(),
            api_version: None,
            rules: Vec::new(),
            outcome: Outcome::Skipped,
            reason: None,
            failures: Vec::new(),
            unverified_steps: Vec::new(),
            unverified_answers: Vec::new(),
            steps: Vec::new(),
            cleanup_problems: Vec::new(),
            exchanges: Vec::new(),
            duration: Duration::ZERO,
        }
    }

    /// All failures rendered for the console.
    pub fn render_failures(&self) -> String {
        let mut out = String::new();
        for (i, failure) in self.failures.iter().enumerate() {
            let last_of_step = self
                .failures
                .get(i + 1)
                .is_none_or(|next| next.step != failure.step);
            out.push_str(&failure.render_with_exchange(last_of_step));
        }
        out
    }

    pub fn has_harness_error(&self) -> bool {
        self.failures.iter().any(|f| f.kind == FailureKind::Error)
    }
}

#[cfg(test)]
impl ScenarioReport {
    /// A report with `outcome` whose one failure is `check`, at step `create` of
    /// `scenarios/<id>.yaml` (for the reports' tests).
    pub(crate) fn failing(id: &str, outcome: Outcome, check: CheckFailure) -> ScenarioReport {
        let file = format!("scenarios/{id}.yaml");
        let at = Location::new(file.as_ref(), Some(check.pos));
        let mut report = ScenarioReport::empty(id);
        report.outcome = outcome;
        report
            .failures
            .push(StepFailure::conformance("create", at, check));
        report
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Pos;
    use crate::target::{RecordedRequest, RecordedResponse};

    fn exchange() -> Exchange {
        Exchange {
            request: RecordedRequest {
                method: "POST".into(),
                url: "http://127.0.0.1:1/certificates/kvc-1-a/create?api-version=2025-07-01".into(),
                headers: vec![("content-type".into(), "application/json".into())],
                body: Some(r#"{"policy":{}}"#.into()),
                authorized: true,
            },
            response: RecordedResponse {
                status: 202,
                headers: vec![("retry-after".into(), "10".into())],
                body: r#"{"status":"InProgress"}"#.into(),
                json: None,
            },
            elapsed: Duration::ZERO,
            started: std::time::SystemTime::UNIX_EPOCH,
        }
    }

    fn failure(what: &str, line: u64) -> StepFailure {
        let check = CheckFailure {
            pos: Pos { line, col: 7 },
            what: what.into(),
            expected: "\"inProgress\"".into(),
            actual: "\"InProgress\"".into(),
        };
        let file = std::path::Path::new("scenarios/create/manual.yaml");
        let source = "\n".repeat(line as usize - 1) + "      /status: inProgress\n";
        let at = Location::new(file, Some(check.pos)).with_source(&source);
        StepFailure {
            unverified: true,
            note: Some("FACTS.md §1".into()),
            exchange: Some(exchange()),
            ..StepFailure::conformance("create", at, check)
        }
    }

    #[test]
    fn failure_text_names_the_step_position_values_and_exchange_once() {
        let mut report = ScenarioReport::empty("create::manual");
        report.failures = vec![failure("json /status", 14), failure("json /x", 15)];
        insta::assert_snapshot!(report.render_failures(), @r#"
        step `create` [unverified: expectation never observed on the real service]
           --> scenarios/create/manual.yaml:14:7
            |
         14 |       /status: inProgress
            |       ^
          json /status: expected "inProgress", got "InProgress"
        step `create` [unverified: expectation never observed on the real service]
           --> scenarios/create/manual.yaml:15:7
            |
         15 |       /status: inProgress
            |       ^
          json /x: expected "inProgress", got "InProgress"
          oracle note for this step: FACTS.md §1
            > POST http://127.0.0.1:1/certificates/kvc-1-a/create?api-version=2025-07-01
            > authorization: Bearer [redacted]
            > content-type: application/json
            > {"policy":{}}
            < 202
            < retry-after: 10
            < {"status":"InProgress"}
        "#);
    }
}
