//! Executing plans against a target: steps in order, captured variables, awaited states,
//! guards and LIFO cleanup. It emits events to an [`EventSink`] and never prints. The main
//! entry is [`run_plan`]; [`RunContext`] holds what every scenario shares.

pub(crate) mod cleanup;
mod context;
mod error;
mod events;
mod outcome;
mod poll;
mod step;
mod timings;
mod vars;
pub mod verdict;

pub use context::{RunContext, RunOptions, StopSignal, new_run_id};
pub use events::{Entered, Event, EventSink, FanOut, Phase, StepEnd, StepSummary};
pub use outcome::{FailureKind, Outcome, ScenarioReport, StepFailure, UnverifiedAnswer};
pub use timings::Timings;

use std::time::Instant;

use crate::plan::{Plan, PlannedStep};
use cleanup::Cleanup;
use step::{ScenarioState, StepResult};

/// Runs one planned scenario on the context's api-version to its verdict, cleans up what it
/// created, judges it ([`verdict::Judge`]) and emits its report, which it also returns.
/// A scenario that does not apply to the api-version, or needs a capability the target
/// lacks, is skipped with the reason.
pub async fn run_plan(ctx: &RunContext, plan: &Plan, sink: &dyn EventSink) -> ScenarioReport {
    let api_version = ctx.target.api_version();
    let mut report = match plan.for_version(api_version) {
        Err(reason) => ScenarioReport {
            reason: Some(reason.to_string()),
            ..ScenarioReport::empty(&plan.id)
        },
        Ok(plan) => {
            match crate::capabilities::unmet(&plan, &ctx.options.without, &ctx.options.lacking) {
                Some(reason) => ScenarioReport {
                    outcome: Outcome::Skipped,
                    reason: Some(reason),
                    ..ScenarioReport::new(&plan)
                },
                None => run_steps(ctx, &plan, sink).await,
            }
        }
    };
    ctx.judge.judge(&mut report, api_version);
    sink.emit(&Event::ScenarioFinished(&report));
    report
}

/// The steps in order until one settles the verdict, then the cleanup.
async fn run_steps(ctx: &RunContext, plan: &Plan, sink: &dyn EventSink) -> ScenarioReport {
    let started = Instant::now();
    let mut report = ScenarioReport::new(plan);
    let mut state = ScenarioState {
        vars: vars::initial(ctx, plan),
        cleanup: Cleanup::new(ctx.options.run_prefix()),
        redactor: Default::default(),
        log: Vec::new(),
        spent: Default::default(),
    };
    report.outcome = Outcome::Passed;
    let trial = ctx.judge.trial_name(&plan.id, ctx.target.api_version());
    let enter = |phase: Phase| {
        let trial = trial.clone();
        sink.emit(&Event::Entered(&Entered { trial, phase }));
    };
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
        enter(Phase::Step(planned.name.clone()));
        if run_step(ctx, plan, planned, &mut state, &mut report, sink).await {
            break;
        }
    }
    enter(Phase::Cleanup);
    report.cleanup_problems = state.cleanup.run(ctx, &mut state.log).await;
    report.exchanges = state.log;
    report.duration = started.elapsed();
    report
}

/// Runs one step, records what it makes of the scenario and emits it; true when the
/// scenario stops there.
async fn run_step(
    ctx: &RunContext,
    plan: &Plan,
    planned: &PlannedStep,
    state: &mut ScenarioState,
    report: &mut ScenarioReport,
    sink: &dyn EventSink,
) -> bool {
    let (started, sent_before, spent_before) = (Instant::now(), state.log.len(), state.spent);
    let result = step::run_step(ctx, plan, planned, state).await;
    if planned.unverified {
        let answer = unverified_answer(plan, planned, state, sent_before);
        report.unverified_answers.extend(answer);
    }
    let lost = match &result {
        StepResult::Failed(failures) if verdict::refused(failures) => {
            lost_precondition(ctx, plan, planned, state).await
        }
        _ => None,
    };
    let end = verdict::settle(report, result, lost, &planned.name);
    sink.emit(&Event::StepFinished(&StepSummary {
        scenario: plan.id.clone(),
        step: planned.name.clone(),
        end,
        exchanges: state.log.len() - sent_before,
        elapsed: started.elapsed(),
        checks: state.spent.checks - spent_before.checks,
        crypto: state.spent.crypto - spent_before.crypto,
    }));
    end != StepEnd::Ok
}

/// The last response of an unverified step (the step's own exchanges are the log's tail
/// from `sent_before`), normalised with a fresh redactor so snapshot tokens stay as they are.
fn unverified_answer(
    plan: &Plan,
    step: &PlannedStep,
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
    failed: &PlannedStep,
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

#[cfg(test)]
mod tests;
