//! `kvconform run --dry-run`: every request and object a run would make, without contacting
//! the target. Paths are rendered with what is known before the run (unique names use the
//! placeholder run id `<run>`); values captured at run time show as `<captured:name>`, values
//! computed by local actions as `<computed:name>`.
//!
//! The dry run is the run: each scenario goes through [`run_plan`] over a recording target
//! ([`Target::recording`]), which answers every request without sending it; the runner then
//! checks nothing and binds the placeholders (see `run::step`). Rendering, capabilities,
//! api-versions, deadlines and cleanup are therefore the real run's, and this module only
//! lays out what was recorded: each finished step (a run event) with the requests it says it
//! sent, then the cleanup requests, grouped by the object they remove.
//!
//! A scenario the dry run cannot go through (a step it cannot render, e.g. a value captured
//! only on another api-version) fails there in the real run too: its listing ends with the
//! reason (`stopped: …`), the listing closes with the stopped scenarios, and the dry run
//! fails (exit 101).

use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Duration;

use crate::check::schema::SchemaSet;
use crate::plan::{self, Oracle, Plan, PlannedStep, StepKind};
use crate::run::{
    Event, EventSink, Outcome, RunContext, RunOptions, ScenarioReport, StepEnd, StepSummary,
    run_plan,
};
use crate::scenario::{Action, Scenario};
use crate::target::resources::{Resource, removal, to_clean_up};
use crate::target::{HttpRequest, Target};

use super::config::{RunConfig, TargetChoice};

/// What the dry run needs to know about the run.
pub struct DryRun {
    /// The target URL, or a description of the embedded vault.
    pub target: String,
    pub api_version: String,
    pub oracle: Oracle,
    pub options: RunOptions,
}

impl DryRun {
    /// The dry run of a configured run on one of its api-versions; names use the
    /// placeholder run id `<run>`.
    pub fn of(config: &RunConfig, api_version: &str) -> DryRun {
        let target = match &config.target {
            TargetChoice::Remote(url) => url.clone(),
            TargetChoice::Embedded { .. } => "the embedded reference vault".into(),
        };
        DryRun {
            target,
            api_version: api_version.to_string(),
            oracle: config.oracle,
            options: super::setup::run_options(config, "<run>".into()),
        }
    }
}

/// A dry run's listing, and the scenarios it could not go through.
pub struct Listing {
    pub text: String,
    /// `area::id` of each scenario that failed or was inconclusive on the recording target.
    pub stopped: Vec<String>,
}

/// The context a dry run runs in: a recording target, and no schemas (it checks nothing,
/// so it neither spends time compiling them nor can fail on them).
fn context(dry: &DryRun) -> RunContext {
    let target = Target::recording(&dry.target, &dry.api_version);
    RunContext::new(target, SchemaSet::empty(), None, dry.options.clone())
}

/// Runs every scenario over a recording target and lays out what it recorded.
pub async fn render(scenarios: &[Scenario], dry: &DryRun) -> Listing {
    let ctx = context(dry);
    let mut out = format!(
        "dry run: {} scenario(s) against {} (api-version {}); nothing is sent\n",
        scenarios.len(),
        dry.target,
        dry.api_version
    );
    let mut created = Vec::new();
    let mut stopped = Vec::new();
    for scenario in scenarios {
        let plan = plan::plan(scenario, dry.oracle);
        let rendered = render_scenario(&mut out, &ctx, &plan).await;
        created.extend(rendered.created);
        stopped.extend(rendered.stopped.then(|| plan.id.clone()));
    }
    let count = |certificate: bool| {
        (created.iter())
            .filter(|r| matches!(r, Resource::Certificate(_)) == certificate)
            .count()
    };
    let _ = writeln!(
        out,
        "\nobjects: {} certificate(s) and {} issuer(s), every name starting with `{}` \
         (removed again by each scenario's cleanup)",
        count(true),
        count(false),
        dry.options.run_prefix()
    );
    if !stopped.is_empty() {
        let _ = writeln!(
            out,
            "stopped early (the real run fails there too): {}",
            stopped.join(", ")
        );
    }
    Listing { text: out, stopped }
}

/// What one scenario's dry run created, and whether it stopped before its end.
struct Rendered {
    created: Vec<Resource>,
    stopped: bool,
}

/// One scenario: its numbered steps, why it stopped (if it did), then what it creates and
/// how cleanup removes it.
async fn render_scenario(out: &mut String, ctx: &RunContext, plan: &Plan) -> Rendered {
    let _ = writeln!(out, "\n{}  ({})", plan.id, plan.file.display());
    if !plan.requires.is_empty() {
        let needs: Vec<&str> = plan.requires.iter().map(|c| c.name()).collect();
        let _ = writeln!(out, "  needs: {}", needs.join(", "));
    }
    let finished = Finished::default();
    let report = run_plan(ctx, plan, &finished).await;
    let finished = finished.0.into_inner().unwrap_or_else(|e| e.into_inner());
    if report.outcome == Outcome::Skipped && finished.is_empty() {
        let _ = writeln!(
            out,
            "  skipped: {}",
            report.reason.as_deref().unwrap_or_default()
        );
    }
    let mut sent = ctx.target.recorded().into_iter();
    let mut created: Vec<Resource> = Vec::new();
    for (n, summary) in finished.iter().enumerate() {
        let step = plan.steps.iter().find(|s| s.name == summary.step);
        let requests: Vec<HttpRequest> = sent.by_ref().take(summary.exchanges).collect();
        let line = match (step, requests.first()) {
            (
                Some(PlannedStep {
                    kind: StepKind::Action(action),
                    ..
                }),
                _,
            ) => {
                format!("(local) {} → {}", action_name(action), action.into_var())
            }
            (Some(step), Some(request)) => sent_line(ctx, step, request, &mut created),
            _ => "(nothing sent)".into(),
        };
        let _ = writeln!(out, "  {}. {}: {line}", n + 1, summary.step);
    }
    let stopped = stop_reason(&report, &finished);
    if let Some(reason) = &stopped {
        let _ = writeln!(out, "  stopped: {reason}");
    }
    for resource in created.iter().rev() {
        let removed: Vec<String> = (sent.by_ref().take(removal(resource).len()))
            .map(|request| format!("{} {}", request.method, request.path))
            .collect();
        let _ = writeln!(out, "  cleanup: {}", removed.join(", "));
    }
    Rendered {
        created,
        stopped: stopped.is_some(),
    }
}

/// Why the dry run of a scenario ended before its last step: the run failed or was
/// inconclusive, or a step ended so. On one line: the step, then its message or the reason.
fn stop_reason(report: &ScenarioReport, finished: &[StepSummary]) -> Option<String> {
    let step_ended =
        (finished.iter()).find(|s| matches!(s.end, StepEnd::Failed | StepEnd::Inconclusive));
    let outcome_ended = matches!(report.outcome, Outcome::Failed | Outcome::Inconclusive);
    if !outcome_ended && step_ended.is_none() {
        return None;
    }
    let one_line = |text: &str| text.lines().map(str::trim).collect::<Vec<_>>().join(" ");
    let reason = match (report.failures.first(), &report.reason, step_ended) {
        (Some(failure), _, _) => format!("step `{}`: {}", failure.step, one_line(&failure.message)),
        (None, Some(reason), _) => one_line(reason),
        (None, None, Some(step)) if step.end == StepEnd::Failed => {
            format!("step `{}` failed", step.step)
        }
        (None, None, Some(step)) => format!("step `{}` was inconclusive", step.step),
        (None, None, None) => format!("the scenario was {}", report.outcome.as_str()),
    };
    Some(reason)
}

/// The steps a scenario finished, in order: with each, how many requests it sent, so that
/// the recorded requests are paired with their step by the runner's own count.
#[derive(Default)]
struct Finished(Mutex<Vec<StepSummary>>);

impl EventSink for Finished {
    fn emit(&self, event: &Event<'_>) {
        if let Event::StepFinished(summary) = event {
            let mut list = self.0.lock().unwrap_or_else(|e| e.into_inner());
            list.push((*summary).clone());
        }
    }
}

/// The request a step sent, how long it is polled, and what it creates (new in `created`),
/// by the rule the run's cleanup follows, with the status the run assumed.
fn sent_line(
    ctx: &RunContext,
    step: &PlannedStep,
    request: &HttpRequest,
    created: &mut Vec<Resource>,
) -> String {
    let mut line = request_line(request);
    if let StepKind::Await(spec) = &step.kind {
        let until: Vec<&str> = spec.until.keys().map(String::as_str).collect();
        let deadline = seconds(ctx.options.await_deadline(spec.timeout_s));
        let until = until.join(", ");
        let _ = write!(line, "  (polled until {until} holds, deadline {deadline})");
    }
    let prefix = ctx.options.run_prefix();
    let status = step.assumed_status();
    let new = to_clean_up(request, status, &prefix).filter(|r| !created.contains(r));
    if let Some(resource) = new {
        let _ = write!(line, "  → creates {}", describe(&resource));
        created.push(resource);
    }
    line
}

fn request_line(request: &HttpRequest) -> String {
    let mut line = format!("{} {}", request.method, request.path);
    let query: Vec<String> = request
        .query
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    if !query.is_empty() {
        line.push('?');
        line.push_str(&query.join("&"));
    }
    if !request.api_version {
        line.push_str("  [no api-version]");
    }
    if !request.auth {
        line.push_str("  [no token]");
    }
    line
}

/// `5 s`, `0.5 s`.
fn seconds(duration: Duration) -> String {
    match duration.subsec_nanos() {
        0 => format!("{} s", duration.as_secs()),
        _ => format!("{:.1} s", duration.as_secs_f64()),
    }
}

fn describe(resource: &Resource) -> String {
    match resource {
        Resource::Certificate(name) => format!("certificate {name}"),
        Resource::Issuer(name) => format!("issuer {name}"),
    }
}

fn action_name(action: &Action) -> &'static str {
    match action {
        Action::SignCsr { .. } => "sign the CSR with a throwaway CA",
        Action::ForeignCert { .. } => "certificate for a fresh key",
        Action::GarbageX5c { .. } => "garbage x5c",
        Action::SelfSignedPem { .. } => "self-signed certificate and key (PEM)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Suite;

    struct Nowhere;

    impl EventSink for Nowhere {
        fn emit(&self, _: &Event<'_>) {}
    }

    fn dry_context() -> RunContext {
        let options = RunOptions {
            oracle: Oracle::Service,
            run_id: "<run>".into(),
            await_timeout: Duration::from_secs(10),
            max_poll_interval: Duration::from_millis(10),
            without: Vec::new(),
            lacking: Vec::new(),
            target_version: None,
        };
        context(&DryRun {
            target: "https://v".into(),
            api_version: "2025-07-01".into(),
            oracle: Oracle::Service,
            options,
        })
    }

    /// A dry run checks no response: it compiles no schema (was: every schema, once per
    /// api-version), so it cannot fail on them either.
    #[test]
    fn a_dry_run_compiles_no_schema() {
        let ctx = dry_context();
        assert!(ctx.is_dry());
        assert_eq!(ctx.schemas.names().count(), 0);
    }

    fn builtin(id: &str) -> Plan {
        let suite = Suite::builtin().expect("built-in suite");
        let scenario = (suite.set.scenarios.iter()).find(|s| s.full_id() == id);
        plan::plan(scenario.expect("scenario"), Oracle::Service)
    }

    /// A captured CSR is never signed (the action computes nothing) and the merge carries
    /// the placeholder where a real run carries the signed chain.
    #[tokio::test]
    async fn placeholders_travel_where_the_values_would() {
        let ctx = dry_context();
        let plan = builtin("cancel::not-in-progress-completed");
        let report = run_plan(&ctx, &plan, &Nowhere).await;
        assert_eq!(report.outcome, Outcome::Passed, "{:?}", report.failures);
        let sent = ctx.target.recorded();
        let merge = sent.iter().find(|r| r.path.ends_with("/merge")).unwrap();
        let body = String::from_utf8_lossy(merge.body.as_deref().unwrap());
        assert_eq!(body, r#"{"x5c":"<computed:x5c>"}"#);
        assert_eq!(sent.len(), 5 + 3, "five steps send, cleanup sends three");
    }

    #[tokio::test]
    async fn a_scenario_is_listed_step_by_step_then_its_cleanup() {
        let ctx = dry_context();
        let mut out = String::new();
        let plan = builtin("cancel::not-in-progress-completed");
        let rendered = render_scenario(&mut out, &ctx, &plan).await;
        let name = "kvc-<run>-cancel-not-in-progress-completed";
        let expected = format!(
            "
cancel::not-in-progress-completed  (scenarios/cancel/not-in-progress-completed.yaml)
  1. create manual: POST /certificates/{name}/create  → creates certificate {name}
  2. sign the csr: (local) sign the CSR with a throwaway CA → x5c
  3. merge: POST /certificates/{name}/pending/merge
  4. completed: GET /certificates/{name}/pending
  5. late cancel: PATCH /certificates/{name}/pending
  6. nothing changed: GET /certificates/{name}/pending
  cleanup: DELETE /certificates/{name}/pending, DELETE /certificates/{name}, DELETE /deletedcertificates/{name}
"
        );
        assert_eq!(out, expected);
        assert_eq!(rendered.created, [Resource::Certificate(name.into())]);
        assert!(!rendered.stopped);
    }
}
