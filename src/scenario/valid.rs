//! The validated scenario: what the rest of the harness reads. A [`ScenarioFile`] as written
//! becomes a [`Scenario`] once its steps have exactly one kind each ([`StepKind`], as
//! trycmd's on-disk `OneShot` becomes `TryCmd`) and `load` has checked its names; nothing
//! downstream reads the on-disk model.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use super::model::{
    Action, AwaitSpec, Capability, Capture, ExpectSpec, OracleSpec, RequestSpec, ScenarioFile,
    StepFile,
};
use super::spanned::{At, Pos};
use crate::diagnostic::Location;

/// A scenario file that parsed and validated.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// The folder below `scenarios/` (e.g. `pending`).
    pub area: String,
    /// Path as given to the loader, for `file:line:col` messages.
    pub file: PathBuf,
    /// The file's text, for the source line under a failure's position.
    pub text: Arc<str>,
    pub id: At<String>,
    pub title: String,
    pub rules: Vec<At<String>>,
    /// Where the expectations come from: seed section and/or FACTS.md section.
    pub source: String,
    pub requires: Vec<Capability>,
    /// The api-versions this scenario applies to; empty means every one.
    pub api_versions: Vec<String>,
    pub vars: BTreeMap<String, At<String>>,
    pub steps: Vec<Step>,
}

/// One step, of exactly one kind.
#[derive(Clone, Debug)]
pub struct Step {
    pub name: At<String>,
    pub kind: StepKind,
    /// Expectations shared by both oracles.
    pub expect: Option<ExpectSpec>,
    /// Differences when holding the target to the real service.
    pub service: Option<OracleSpec>,
    /// Differences when holding the target to the published doc.
    pub doc: Option<OracleSpec>,
    pub capture: BTreeMap<String, Capture>,
    pub guard: Option<String>,
    pub api_versions: Vec<String>,
}

/// What a step does.
#[derive(Clone, Debug)]
pub enum StepKind {
    /// Send one request and check the response.
    Request(RequestSpec),
    /// Poll a request until a predicate holds.
    Await(AwaitSpec),
    /// A local helper (crypto) that computes a variable; no HTTP.
    Action(Action),
}

impl StepKind {
    /// The request a step sends (once or polled), if any.
    pub fn request(&self) -> Option<&RequestSpec> {
        match self {
            StepKind::Request(request) => Some(request),
            StepKind::Await(spec) => Some(&spec.request),
            StepKind::Action(_) => None,
        }
    }
}

impl Step {
    /// Every expectation the step writes: shared, service's and doc's.
    pub fn expectations(&self) -> impl Iterator<Item = &ExpectSpec> {
        let service = self.service.as_ref().and_then(|o| o.expect.as_ref());
        let doc = self.doc.as_ref().and_then(|o| o.expect.as_ref());
        [self.expect.as_ref(), service, doc].into_iter().flatten()
    }

    /// The step as written, when it has exactly one of `request`, `await` or `action`.
    fn from_file(step: StepFile) -> Result<Step, At<String>> {
        let kind = match (step.request, step.await_, step.action) {
            (Some(r), None, None) => StepKind::Request(r),
            (None, Some(a), None) => StepKind::Await(a),
            (None, None, Some(a)) => StepKind::Action(a),
            _ => {
                let message = format!(
                    "step `{}`: needs exactly one of `request`, `await` or `action`",
                    step.name.value
                );
                return Err(At {
                    value: message,
                    pos: step.name.pos,
                });
            }
        };
        Ok(Step {
            name: step.name,
            kind,
            expect: step.expect,
            service: step.service,
            doc: step.doc,
            capture: step.capture,
            guard: step.guard,
            api_versions: step.api_versions,
        })
    }
}

impl Scenario {
    /// The file as written, with each step's kind decided (the first step without exactly
    /// one kind is the error, at its name).
    pub(super) fn from_file(
        model: ScenarioFile,
        area: &str,
        file: PathBuf,
        text: Arc<str>,
    ) -> Result<Scenario, At<String>> {
        let steps = model
            .steps
            .into_iter()
            .map(Step::from_file)
            .collect::<Result<_, _>>()?;
        Ok(Scenario {
            area: area.to_string(),
            file,
            text,
            id: model.id,
            title: model.title,
            rules: model.rules,
            source: model.source,
            requires: model.requires,
            api_versions: model.api_versions,
            vars: model.vars,
            steps,
        })
    }

    /// The trial name, `area::id`.
    pub fn full_id(&self) -> String {
        format!("{}::{}", self.area, self.id.value)
    }

    /// A position in this scenario's file, with its source line.
    pub fn location(&self, pos: Pos) -> Location {
        Location::new(&self.file, Some(pos)).with_source(&self.text)
    }
}
