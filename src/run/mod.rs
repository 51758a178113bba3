//! Executing plans against a target: steps in order, captured variables, awaited states,
//! guards and LIFO cleanup. It returns reports and never prints. The main entry is
//! [`run_plan`]; [`RunContext`] holds what every scenario shares.

pub(crate) mod cleanup;
mod context;
mod outcome;
mod poll;
mod step;
mod timings;
pub mod verdict;

pub use context::{RunContext, RunOptions, StopSignal, new_run_id, plan_vars};
pub use outcome::{FailureKind, Outcome, ScenarioReport, StepFailure, UnverifiedAnswer};
pub use timings::Timings;

use std::time::Instant;

use crate::plan::Plan;
use cleanup::Cleanup;
use step::{ScenarioState, StepResult};

/// Runs one planned scenario to its verdict, then cleans up what it created.
pub async fn run_plan(ctx: &RunContext, plan: &Plan) -> ScenarioReport {
    let started = Instant::now();
    let mut report = ScenarioReport::new(plan);
    if let Some(reason) = crate::capabilities::unmet(plan, &ctx.options) {
        report.outcome = Outcome::Skipped;
        report.reason = Some(reason);
        return report;
    }
    let mut state = ScenarioState {
        vars: ctx.vars_for(plan),
        cleanup: Cleanup::new(ctx.options.run_prefix()),
        redactor: Default::default(),
        log: Vec::new(),
    };
    report.outcome = Outcome::Passed;
    for planned in &plan.steps {
        if ctx.is_stopping() {
            report.outcome = Outcome::Skipped;
            report.reason = Some("interrupted before this scenario finished".into());
            break;
        }
        if planned.unverified {
            report.unverified_steps.push(planned.name.clone());
        }
        report
            .steps
            .push((planned.name.clone(), planned.unverified));
        let sent_before = state.log.len();
        let result = step::run_step(ctx, plan, planned, &mut state).await;
        if planned.unverified {
            let answer = unverified_answer(plan, planned, &state, sent_before);
            report.unverified_answers.extend(answer);
        }
        let lost = match &result {
            StepResult::Failed(failures) if verdict::refused(failures) => {
                lost_precondition(ctx, plan, planned, &mut state).await
            }
            _ => None,
        };
        if verdict::settle(&mut report, result, lost, &planned.name) {
            break;
        }
    }
    report.cleanup_problems = state.cleanup.run(ctx, &mut state.log).await;
    for exchange in &state.log {
        let is_create =
            exchange.request.method == "POST" && exchange.request.url.contains("/create?");
        ctx.timings.http(exchange.elapsed, is_create);
    }
    report.exchanges = state.log;
    report.duration = started.elapsed();
    report
}

/// The last response of an unverified step (the step's own exchanges are the log's tail
/// from `sent_before`), normalised with a fresh redactor so snapshot tokens stay as they are.
fn unverified_answer(
    plan: &Plan,
    step: &crate::plan::PlannedStep,
    state: &ScenarioState,
    sent_before: usize,
) -> Option<UnverifiedAnswer> {
    let exchange = state.log.get(sent_before..)?.last()?;
    let url = &exchange.request.url;
    let path = url
        .find("://")
        .and_then(|i| url[i + 3..].find('/').map(|j| &url[i + 3 + j..]))
        .unwrap_or(url);
    let mut path = path.split('?').next().unwrap_or(path).to_string();
    for name in ["cert2", "cert", "issuer"] {
        if let Some(value) = state.vars.get(name).and_then(|v| v.as_str()) {
            path = path.replace(value, &format!("[{name}]"));
        }
    }
    let answer = crate::snapshot::Redactor::default().normalise(&exchange.response, &state.vars);
    let answer = answer.trim_end().to_string();
    Some(UnverifiedAnswer {
        scenario: plan.id.clone(),
        step: step.name.clone(),
        expected: step.expect.describe(),
        request: format!("{} {path}", exchange.request.method),
        status: exchange.response.status,
        answer,
    })
}

/// After a probe the target refused in an unexpected way, re-checks the read-only guard
/// right before it: when the precondition no longer holds (the operation ended by itself
/// while the probe ran), the refusal says nothing about the target and the scenario is
/// inconclusive. A probe the target *accepted* is never excused this way: accepting it may
/// be what ended the operation (a merge that should have been forbidden).
async fn lost_precondition(
    ctx: &RunContext,
    plan: &Plan,
    failed: &crate::plan::PlannedStep,
    state: &mut ScenarioState,
) -> Option<String> {
    let index = plan.steps.iter().position(|s| std::ptr::eq(s, failed))?;
    // Only the probe right after its guard (actions in between change nothing remote).
    let guard = plan.steps[..index]
        .iter()
        .rev()
        .find(|s| !matches!(s.kind, crate::plan::StepKind::Action(_)))
        .filter(|s| s.guard.is_some())?;
    let crate::plan::StepKind::Request(request) = &guard.kind else {
        return None;
    };
    if request.method != crate::scenario::Method::Get || failed.guard.is_some() {
        return None;
    }
    match step::run_step(ctx, plan, guard, state).await {
        StepResult::Inconclusive(reason) => Some(format!(
            "{reason}; it held before `{}` but not after, so that step cannot be judged",
            failed.name
        )),
        _ => None,
    }
}
