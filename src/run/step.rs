//! One step: render its request, send it (or poll it, or run a crypto action), check the
//! response, apply the guard, capture variables and register cleanup.
//!
//! A dry run goes through here too, over a recording target (`RunContext::is_dry`): the
//! request is rendered and sent the same way and cleanup registered the same way, but the
//! answer is not checked, an action computes nothing, and what the step would capture or
//! compute is bound to a placeholder instead. The switch is the target itself, so a dry run
//! can never send unchecked requests to a real vault, and a real run never skips a check.

use std::time::{Duration, Instant};

use super::cleanup::Cleanup;
use super::context::RunContext;
use super::error::StepError;
use super::outcome::StepFailure;
use super::poll::{Polled, poll};
use super::vars;
use crate::check::{self, CheckContext, CheckFailure};
use crate::plan::{Plan, PlannedStep, StepKind};
use crate::scenario::{Action, RequestSpec};
use crate::snapshot::{Redactor, SnapshotKey};
use crate::target::Exchange;
use crate::template::Vars;

pub(crate) enum StepResult {
    Ok,
    Failed(Vec<StepFailure>),
    Inconclusive(String),
    /// Ctrl-C arrived while the step was waiting.
    Interrupted,
}

struct Failing<'a> {
    plan: &'a Plan,
    step: &'a PlannedStep,
}

impl Failing<'_> {
    fn error(&self, error: StepError, exchange: Option<Exchange>) -> StepResult {
        let location = self.plan.location(None);
        StepResult::Failed(vec![StepFailure {
            exchange,
            ..StepFailure::error(&self.step.name, location, error.to_string())
        }])
    }

    fn conformance(&self, failures: Vec<CheckFailure>, exchange: &Exchange) -> StepResult {
        let list = failures
            .into_iter()
            .map(|f| StepFailure {
                unverified: self.step.unverified,
                note: self.step.note.clone(),
                exchange: Some(exchange.clone()),
                ..StepFailure::conformance(&self.step.name, self.plan.location(Some(f.pos)), f)
            })
            .collect();
        StepResult::Failed(list)
    }
}

/// What a scenario accumulates while its steps run.
pub(crate) struct ScenarioState {
    pub vars: Vars,
    pub cleanup: Cleanup,
    pub redactor: Redactor,
    pub log: Vec<Exchange>,
    /// Time spent so far in checks and in local crypto (for the step events).
    pub spent: Spent,
}

/// Cumulative time in checks and in local crypto.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Spent {
    pub checks: Duration,
    pub crypto: Duration,
}

/// Runs one step: what it sends (or computes), then, unless the run is dry, what the answer
/// must be; a settled result for the scenario's verdict.
pub(crate) async fn run_step(
    ctx: &RunContext,
    plan: &Plan,
    step: &PlannedStep,
    state: &mut ScenarioState,
) -> StepResult {
    let failing = Failing { plan, step };
    let exchange = match &step.kind {
        StepKind::Action(action) => return act(ctx, &failing, action, state).await,
        StepKind::Request(spec) => match send(ctx, step, spec, state).await {
            Ok(exchange) => exchange,
            Err(error) => return failing.error(error, None),
        },
        StepKind::Await(spec) => match poll(ctx, spec, &state.vars, &mut state.log).await {
            Ok(Polled::Met(exchange)) => exchange,
            Ok(Polled::Unmet(exchange, unmet)) => return judge(&failing, vec![unmet], &exchange),
            Ok(Polled::Interrupted) => return StepResult::Interrupted,
            Err(error) => return failing.error(error, None),
        },
    };
    if ctx.is_dry() {
        state
            .vars
            .extend(vars::captured_placeholders(&step.capture));
        return StepResult::Ok;
    }
    verify(ctx, &failing, exchange, state)
}

/// Sends a request step's request and notes what it created, for cleanup (in a dry run,
/// after the status the step expects: [`PlannedStep::assumed_status`]).
async fn send(
    ctx: &RunContext,
    step: &PlannedStep,
    spec: &RequestSpec,
    state: &mut ScenarioState,
) -> Result<Exchange, StepError> {
    let request = vars::render_request(spec, &state.vars)?;
    let exchange = ctx.target.send(&request, &mut state.log).await?;
    let status = match ctx.is_dry() {
        true => step.assumed_status(),
        false => exchange.response.status,
    };
    state.cleanup.register(&request, status);
    Ok(exchange)
}

/// A local action: binds what it computes (in a dry run, a placeholder) to its `into`.
async fn act(
    ctx: &RunContext,
    failing: &Failing<'_>,
    action: &Action,
    state: &mut ScenarioState,
) -> StepResult {
    let value = match ctx.is_dry() {
        true => vars::computed_placeholder(action),
        false => {
            let started = Instant::now();
            let result = vars::perform(action, &state.vars).await;
            state.spent.crypto += started.elapsed();
            match result {
                Ok(value) => value,
                Err(error) => return failing.error(error, None),
            }
        }
    };
    let into = action.into_var().to_string();
    state.vars.insert(into, value);
    StepResult::Ok
}

/// Checks the answer against the step's expectations and snapshot, then captures from it.
fn verify(
    ctx: &RunContext,
    failing: &Failing<'_>,
    exchange: Exchange,
    state: &mut ScenarioState,
) -> StepResult {
    let step = failing.step;
    let checks_started = Instant::now();
    let check_ctx = CheckContext {
        vars: &state.vars,
        schemas: &ctx.schemas,
    };
    let mut failures = check::check_exchange(&step.expect, &exchange, &check_ctx);
    let snapshot = check_snapshot(ctx, failing, &exchange, &state.vars, &mut state.redactor);
    failures.extend(snapshot);
    state.spent.checks += checks_started.elapsed();
    if !failures.is_empty() {
        return judge(failing, failures, &exchange);
    }
    match vars::capture(&step.capture, &exchange) {
        Ok(captured) => {
            state.vars.extend(captured);
            StepResult::Ok
        }
        Err(error) => failing.error(error, Some(exchange)),
    }
}

/// Compares the normalised response with the step's snapshot, when it has one and the run
/// checks snapshots (the service oracle).
fn check_snapshot(
    ctx: &RunContext,
    Failing { plan, step }: &Failing<'_>,
    exchange: &Exchange,
    vars: &Vars,
    redactor: &mut Redactor,
) -> Option<CheckFailure> {
    let provenance = step.expect.snapshot.as_ref()?;
    let store = ctx.snapshots.as_ref()?;
    let actual = redactor.normalise(&exchange.response, vars);
    let key = SnapshotKey {
        scenario: &plan.id,
        step: &step.name,
        source: &plan.file,
        provenance: &provenance.value,
        api_version: ctx.target.api_version(),
    };
    store.check(&key, &actual).err().map(|err| CheckFailure {
        pos: provenance.pos,
        what: "snapshot".into(),
        expected: "the recorded response".into(),
        actual: err.to_string(),
    })
}

/// A failed expectation fails the scenario, unless the step is a guard whose precondition
/// did not hold: then the scenario is inconclusive.
fn judge(failing: &Failing<'_>, failures: Vec<CheckFailure>, exchange: &Exchange) -> StepResult {
    let step = failing.step;
    let unmet = step
        .guard
        .as_ref()
        .and_then(|reason| Some((reason, failures.iter().find(|f| is_precondition(f))?)));
    match unmet {
        Some((reason, first)) => StepResult::Inconclusive(format!(
            "precondition `{}` did not hold: {reason} ({first})",
            step.name
        )),
        None => failing.conformance(failures, exchange),
    }
}

/// A guard's precondition is what it states (status, headers, JSON, semantics, an await's
/// `until`). The schema a response implies and a snapshot are not: a completed operation
/// whose body lacks `csr` (calvinchengx's emulator) is still completed, so its guard holds and
/// the missing field is a failure, not a reason to judge nothing.
fn is_precondition(failure: &CheckFailure) -> bool {
    !(failure.what.starts_with("schema ") || failure.what == "snapshot")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Expectation;
    use crate::run::FailureKind;
    use crate::scenario::Pos;
    use crate::target::{RecordedRequest, RecordedResponse};

    fn guard_step() -> (Plan, PlannedStep) {
        let step = PlannedStep {
            name: "completed".into(),
            kind: StepKind::Action(Action::GarbageX5c { into: "x".into() }),
            expect: Expectation::default(),
            unverified: false,
            note: None,
            capture: Vec::new(),
            guard: Some("the probe needs a completed operation".into()),
            api_versions: Vec::new(),
        };
        let plan = Plan {
            id: "cancel::late".into(),
            rules: Vec::new(),
            file: "scenarios/cancel/late.yaml".into(),
            text: "".into(),
            requires: Vec::new(),
            vars: Vec::new(),
            steps: vec![step.clone()],
            api_versions: Vec::new(),
        };
        (plan, step)
    }

    fn exchange() -> Exchange {
        Exchange {
            request: RecordedRequest {
                method: "GET".into(),
                url: "https://v/certificates/kvc-1-a/pending".into(),
                headers: Vec::new(),
                body: None,
                authorized: true,
            },
            response: RecordedResponse {
                status: 200,
                headers: Vec::new(),
                body: r#"{"status":"completed"}"#.into(),
                json: None,
            },
            elapsed: std::time::Duration::ZERO,
            started: std::time::SystemTime::UNIX_EPOCH,
        }
    }

    fn failure(what: &str) -> CheckFailure {
        CheckFailure {
            pos: Pos { line: 3, col: 5 },
            what: what.into(),
            expected: "x".into(),
            actual: "y".into(),
        }
    }

    #[test]
    fn a_guard_is_inconclusive_only_when_what_it_states_does_not_hold() {
        let (plan, step) = guard_step();
        let failing = Failing {
            plan: &plan,
            step: &step,
        };
        let schema = failure("schema CertificateOperation");
        let status = failure("json /status");
        match judge(&failing, vec![schema.clone(), status], &exchange()) {
            StepResult::Inconclusive(reason) => assert_eq!(
                reason,
                "precondition `completed` did not hold: the probe needs a completed operation \
                 (json /status: expected x, got y)"
            ),
            _ => panic!("an unmet status is an unmet precondition"),
        }
        // The operation is completed; only its body deviates from the schema: a failure.
        match judge(&failing, vec![schema], &exchange()) {
            StepResult::Failed(failures) => {
                assert_eq!(failures.len(), 1);
                assert_eq!(failures[0].kind, FailureKind::Conformance);
                assert!(
                    failures[0]
                        .message
                        .starts_with("schema CertificateOperation")
                );
            }
            _ => panic!("a schema deviation on a guard is a failure"),
        }
    }
}
