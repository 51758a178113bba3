//! Planning: a validated scenario plus the chosen oracle become concrete steps with one merged
//! set of expectations each. Pure: no I/O, no templating of run-time values.

use serde::Serialize;

use crate::diagnostic::Location;

pub use crate::scenario::StepKind;
use crate::scenario::{
    At, Capability, Capture, ExpectSpec, Matcher, OracleSpec, Pos, Scenario, Semantic,
};

/// Which source of truth a target is held to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Oracle {
    /// The real service, as recorded (FACTS.md); the doc where it was never observed.
    Service,
    /// The literal claims of Microsoft's published doc.
    Doc,
}

/// A scenario ready to run.
#[derive(Clone, Debug)]
pub struct Plan {
    pub id: String,
    pub rules: Vec<String>,
    pub file: std::path::PathBuf,
    /// The scenario file's text, for the source line under a failure's position.
    pub text: std::sync::Arc<str>,
    pub requires: Vec<Capability>,
    pub vars: Vec<(String, String)>,
    pub steps: Vec<PlannedStep>,
    /// The api-versions the scenario applies to; empty: all.
    pub api_versions: Vec<String>,
}

/// A scenario that does not apply to the run's api-version; shown as its skip reason.
#[derive(Debug, thiserror::Error)]
#[error("applies to api-version {} only, not {asked}", only.join(", "))]
pub struct NotForVersion {
    /// The scenario's `api_versions`.
    pub only: Vec<String>,
    pub asked: String,
}

impl Plan {
    /// The plan as it runs on `api_version`: `Err` when the scenario does not apply to it,
    /// otherwise without the steps that do not.
    pub fn for_version(&self, api_version: &str) -> Result<Plan, NotForVersion> {
        let applies = |list: &[String]| list.is_empty() || list.iter().any(|v| v == api_version);
        if !applies(&self.api_versions) {
            return Err(NotForVersion {
                only: self.api_versions.clone(),
                asked: api_version.to_string(),
            });
        }
        let mut plan = self.clone();
        plan.steps.retain(|s| applies(&s.api_versions));
        Ok(plan)
    }
}

#[derive(Clone, Debug)]
pub struct PlannedStep {
    pub name: String,
    pub kind: StepKind,
    pub expect: Expectation,
    /// The expectation was never observed on the real service.
    pub unverified: bool,
    /// The chosen oracle's note (why it expects this, and its source).
    pub note: Option<String>,
    pub capture: Vec<(String, Capture)>,
    /// Reason reported when this precondition does not hold.
    pub guard: Option<String>,
    /// The api-versions the step applies to; empty: all.
    pub api_versions: Vec<String>,
}

impl PlannedStep {
    /// The status a dry run takes for the step's answer: the one it expects, else 200. A
    /// create the target must refuse then leaves nothing to clean up, as on a conforming
    /// target.
    pub fn assumed_status(&self) -> u16 {
        self.expect.status.as_ref().map_or(200, |s| s.value)
    }
}

/// The expectations of one step, after the oracle's differences were merged in.
#[derive(Clone, Debug, Default)]
pub struct Expectation {
    pub status: Option<At<u16>>,
    /// Lower-case header name → matcher.
    pub headers: Vec<(String, At<Matcher>)>,
    /// JSON pointer → matcher.
    pub json: Vec<(String, At<Matcher>)>,
    pub schema: Option<At<String>>,
    /// Provenance of the snapshot to compare with, when the step has one.
    pub snapshot: Option<At<String>>,
    pub semantics: Vec<At<Semantic>>,
}

impl Expectation {
    /// The status and JSON checks in a few words (`status 409, /error/code equals "Conflict"`).
    pub fn describe(&self) -> String {
        let status = self.status.iter().map(|s| format!("status {}", s.value));
        let json = self
            .json
            .iter()
            .map(|(k, m)| format!("{k} {}", m.value.describe()));
        status.chain(json).collect::<Vec<_>>().join(", ")
    }

    fn overlay(&mut self, spec: &ExpectSpec) {
        if spec.status.is_some() {
            self.status.clone_from(&spec.status);
        }
        for (name, matcher) in &spec.headers {
            upsert(
                &mut self.headers,
                name.to_ascii_lowercase(),
                matcher.clone(),
            );
        }
        for (pointer, matcher) in &spec.json {
            upsert(&mut self.json, pointer.clone(), matcher.clone());
        }
        if spec.schema.is_some() {
            self.schema.clone_from(&spec.schema);
        }
        if spec.snapshot.is_some() {
            self.snapshot.clone_from(&spec.snapshot);
        }
        self.semantics.extend(spec.semantics.iter().cloned());
    }

    /// The position of the first expectation, for messages about the step as a whole.
    pub fn first_pos(&self) -> Pos {
        let mut positions = self
            .status
            .iter()
            .map(|s| s.pos)
            .chain(self.headers.iter().map(|(_, m)| m.pos))
            .chain(self.json.iter().map(|(_, m)| m.pos))
            .filter(|p| *p != Pos::default());
        positions.next().unwrap_or_default()
    }
}

fn upsert<T>(list: &mut Vec<(String, T)>, key: String, value: T) {
    match list.iter_mut().find(|(k, _)| *k == key) {
        Some(slot) => slot.1 = value,
        None => list.push((key, value)),
    }
}

impl Plan {
    /// A position in the scenario's file, with its source line (`None`: the file).
    pub fn location(&self, pos: Option<Pos>) -> Location {
        Location::new(&self.file, pos).with_source(&self.text)
    }
}

/// Turns a scenario into a plan for one oracle.
pub fn plan(scenario: &Scenario, oracle: Oracle) -> Plan {
    let steps = scenario
        .steps
        .iter()
        .map(|step| {
            let chosen: Option<&OracleSpec> = match oracle {
                Oracle::Service => step.service.as_ref(),
                Oracle::Doc => step.doc.as_ref(),
            };
            let mut expect = Expectation::default();
            if let Some(shared) = &step.expect {
                expect.overlay(shared);
            }
            if let Some(diff) = chosen.and_then(|o| o.expect.as_ref()) {
                expect.overlay(diff);
            }
            PlannedStep {
                name: step.name.value.clone(),
                kind: step.kind.clone(),
                expect,
                unverified: chosen.is_some_and(|o| o.unverified),
                note: chosen.and_then(|o| o.note.clone()),
                capture: step.capture.clone().into_iter().collect(),
                guard: step.guard.clone(),
                api_versions: step.api_versions.clone(),
            }
        })
        .collect();
    Plan {
        id: scenario.full_id(),
        rules: scenario.rules.iter().map(|r| r.value.clone()).collect(),
        file: scenario.file.clone(),
        text: scenario.text.clone(),
        requires: scenario.requires.clone(),
        vars: (scenario.vars.iter())
            .map(|(name, value)| (name.clone(), value.value.clone()))
            .collect(),
        steps,
        api_versions: scenario.api_versions.clone(),
    }
}
