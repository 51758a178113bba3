//! The result of one scenario: its outcome, the failures with their positions, and every
//! exchange (for HAR and failure output).

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

use crate::check::CheckFailure;
use crate::plan::Plan;
use crate::scenario::Pos;
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
    pub file: PathBuf,
    pub pos: Option<Pos>,
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
    /// The failure as text: step, `--> file:line:col`, expected vs actual, and the exchange.
    pub fn render(&self) -> String {
        self.render_with_exchange(true)
    }

    /// As [`Self::render`]; the exchange is left out when another failure of the same step
    /// already showed it.
    pub fn render_with_exchange(&self, with_exchange: bool) -> String {
        let mut out = format!("step `{}`", self.step);
        if self.unverified {
            out.push_str(" [unverified: expectation never observed on the real service]");
        }
        out.push('\n');
        match self.pos {
            Some(pos) if pos.line > 0 => {
                out.push_str(&format!("  --> {}:{}\n", self.file.display(), pos))
            }
            _ => out.push_str(&format!("  --> {}\n", self.file.display())),
        }
        for line in self.message.lines() {
            out.push_str(&format!("  {line}\n"));
        }
        if let Some(note) = &self.note {
            out.push_str(&format!("  why: {note}\n"));
        }
        if let Some(exchange) = self.exchange.as_ref().filter(|_| with_exchange) {
            for line in exchange.render().lines() {
                out.push_str(&format!("    {line}\n"));
            }
        }
        out
    }
}

#[derive(Clone, Debug)]
pub struct ScenarioReport {
    pub id: String,
    pub rules: Vec<String>,
    pub outcome: Outcome,
    /// Why it was inconclusive, skipped, or expected to fail.
    pub reason: Option<String>,
    pub failures: Vec<StepFailure>,
    pub unverified_steps: Vec<String>,
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

    /// A report with no rules, steps or verdict yet.
    pub fn empty(id: &str) -> ScenarioReport {
        ScenarioReport {
            id: id.to_string(),
            rules: Vec::new(),
            outcome: Outcome::Skipped,
            reason: None,
            failures: Vec::new(),
            unverified_steps: Vec::new(),
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
