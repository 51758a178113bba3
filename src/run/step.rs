//! One step: render its request, send it (or poll it, or run a crypto action), check the
//! response, apply the guard, capture variables and register cleanup.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::cleanup::Cleanup;
use super::context::RunContext;
use super::outcome::StepFailure;
use crate::check::{self, CheckContext, CheckFailure};
use crate::crypto;
use crate::plan::{Plan, PlannedStep, StepKind};
use crate::scenario::{Action, Capture, RequestSpec};
use crate::snapshot::{Redactor, SnapshotKey};
use crate::target::{Exchange, HttpRequest};
use crate::template::{self, Vars};

pub(crate) enum StepResult {
    Ok,
    Failed(Vec<StepFailure>),
    Inconclusive(String),
    /// Ctrl-C arrived while the step was waiting.
    Interrupted,
}

/// How an `await` ended.
enum Polled {
    /// `until` held: the last exchange.
    Met(Exchange),
    /// The operation ended or the deadline passed first.
    Unmet(Exchange, CheckFailure),
    Interrupted,
}

struct Failing<'a> {
    plan: &'a Plan,
    step: &'a PlannedStep,
}

impl Failing<'_> {
    fn error(&self, message: String, exchange: Option<Exchange>) -> StepResult {
        let location = self.plan.location(None);
        StepResult::Failed(vec![StepFailure {
            exchange,
            ..StepFailure::error(&self.step.name, location, message)
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

pub(crate) async fn run_step(
    ctx: &RunContext,
    plan: &Plan,
    step: &PlannedStep,
    state: &mut ScenarioState,
) -> StepResult {
    let failing = Failing { plan, step };
    let ScenarioState {
        vars,
        cleanup,
        redactor,
        log,
        spent,
    } = state;
    let exchange = match &step.kind {
        StepKind::Action(action) => {
            let started = Instant::now();
            let result = perform(action, vars).await;
            spent.crypto += started.elapsed();
            return match result {
                Ok(value) => {
                    vars.insert(action.into_var().to_string(), value);
                    StepResult::Ok
                }
                Err(message) => failing.error(message, None),
            };
        }
        StepKind::Request(spec) => {
            let request = match render_request(spec, vars) {
                Ok(r) => r,
                Err(message) => return failing.error(message, None),
            };
            match ctx.target.send(&request, log).await {
                Ok(exchange) => {
                    cleanup.register(&request, exchange.response.status);
                    exchange
                }
                Err(e) => return failing.error(e.to_string(), None),
            }
        }
        StepKind::Await(spec) => match poll(ctx, spec, vars, log).await {
            Ok(Polled::Met(exchange)) => exchange,
            Ok(Polled::Unmet(exchange, unmet)) => {
                return judge(&failing, step, vec![unmet], &exchange);
            }
            Ok(Polled::Interrupted) => return StepResult::Interrupted,
            Err(message) => return failing.error(message, None),
        },
    };
    let checks_started = Instant::now();
    let mut failures = check::check_exchange(
        &step.expect,
        &exchange,
        &CheckContext {
            vars,
            schemas: &ctx.schemas,
        },
    );
    failures.extend(check_snapshot(ctx, plan, step, &exchange, vars, redactor));
    spent.checks += checks_started.elapsed();
    if !failures.is_empty() {
        return judge(&failing, step, failures, &exchange);
    }
    match capture(&step.capture, &exchange) {
        Ok(captured) => {
            vars.extend(captured);
            StepResult::Ok
        }
        Err(message) => failing.error(message, Some(exchange)),
    }
}

/// Compares the normalised response with the step's snapshot, when it has one and the run
/// checks snapshots (the service oracle).
fn check_snapshot(
    ctx: &RunContext,
    plan: &Plan,
    step: &PlannedStep,
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
fn judge(
    failing: &Failing<'_>,
    step: &PlannedStep,
    failures: Vec<CheckFailure>,
    exchange: &Exchange,
) -> StepResult {
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

fn render_request(spec: &RequestSpec, vars: &Vars) -> Result<HttpRequest, String> {
    let text = |t: &str| template::render(t, vars).map_err(|e| e.to_string());
    let mut request = HttpRequest::new(spec.method.as_str(), &text(&spec.path)?);
    request.auth = spec.auth;
    request.api_version = spec.api_version;
    for (k, v) in &spec.query {
        request.query.push((k.clone(), text(v)?));
    }
    if let Some(body) = &spec.body {
        let body = template::render_json(body, vars).map_err(|e| e.to_string())?;
        request = request.with_json(&body);
    }
    if let Some(raw) = &spec.raw_body {
        request.body = Some(text(raw)?.into_bytes());
    }
    for (k, v) in &spec.headers {
        request
            .headers
            .retain(|(name, _)| !name.eq_ignore_ascii_case(k));
        request.headers.push((k.to_ascii_lowercase(), text(v)?));
    }
    Ok(request)
}

/// Polls until `until` holds, the operation is terminal, the deadline passes or Ctrl-C
/// arrives (the wait between polls ends at once then). The waits follow
/// [`super::poll::next_wait`]: soon at first, growing with the time already waited.
async fn poll(
    ctx: &RunContext,
    spec: &crate::scenario::AwaitSpec,
    vars: &Vars,
    log: &mut Vec<Exchange>,
) -> Result<Polled, String> {
    let request = render_request(&spec.request, vars)?;
    let timeout = spec
        .timeout_s
        .map_or(ctx.options.await_timeout, Duration::from_secs)
        .min(ctx.options.await_timeout);
    let started = Instant::now();
    let deadline = started + timeout;
    loop {
        let exchange = ctx
            .target
            .send(&request, log)
            .await
            .map_err(|e| e.to_string())?;
        let body = exchange.response.json.as_ref();
        let unmet = spec.until.iter().find(|(pointer, matcher)| {
            !check::matches(matcher, body.and_then(|b| b.pointer(pointer)), vars)
        });
        let Some((pointer, matcher)) = unmet else {
            return Ok(Polled::Met(exchange));
        };
        if ctx.is_stopping() {
            return Ok(Polled::Interrupted);
        }
        let now = Instant::now();
        let ended = is_terminal(&exchange);
        if ended || now >= deadline {
            let actual = body
                .and_then(|b| b.pointer(pointer))
                .map_or_else(|| "nothing".to_string(), Value::to_string);
            let why = if ended {
                "the operation ended first"
            } else {
                "deadline passed"
            };
            let unmet = CheckFailure {
                pos: matcher.pos,
                what: format!(
                    "await {pointer} ({why}, after {:.1}s)",
                    (now - started).as_secs_f64()
                ),
                expected: check::render_matcher(matcher, vars)
                    .map(|m| m.describe())
                    .unwrap_or_default(),
                actual: format!("{actual} (HTTP {})", exchange.response.status),
            };
            return Ok(Polled::Unmet(exchange, unmet));
        }
        let wait = super::poll::next_wait(
            now - started,
            exchange.response.retry_after(),
            ctx.options.max_poll_interval,
        )
        .min(deadline - now);
        if ctx.stop_signal().sleep(wait).await {
            return Ok(Polled::Interrupted);
        }
    }
}

/// An answer that polling cannot change: an error status, or an operation whose `/status`
/// is something other than in progress (any casing).
fn is_terminal(exchange: &Exchange) -> bool {
    let response = &exchange.response;
    if !(200..300).contains(&response.status) {
        return true;
    }
    response
        .json
        .as_ref()
        .and_then(|b| b.pointer("/status"))
        .and_then(Value::as_str)
        .is_some_and(|s| !s.eq_ignore_ascii_case("inprogress"))
}

async fn perform(action: &Action, vars: &Vars) -> Result<Value, String> {
    let text = |t: &str| template::render(t, vars).map_err(|e| e.to_string());
    let action = action.clone();
    let (csr, subject) = match &action {
        Action::SignCsr { csr, .. } => (text(csr)?, String::new()),
        Action::ForeignCert { subject, .. } | Action::SelfSignedPem { subject, .. } => {
            (String::new(), text(subject)?)
        }
        Action::GarbageX5c { .. } => (String::new(), String::new()),
    };
    // Key generation is CPU work: keep it off the async workers.
    let result = tokio::task::spawn_blocking(move || match action {
        Action::SignCsr {
            chain,
            double_base64,
            ..
        } => crypto::sign_csr(&csr, chain, double_base64),
        Action::ForeignCert { .. } => crypto::foreign_cert(&subject),
        Action::GarbageX5c { .. } => Ok(crypto::garbage_x5c()),
        Action::SelfSignedPem { .. } => crypto::self_signed_pem(&subject),
    })
    .await
    .map_err(|e| format!("crypto helper panicked: {e}"))?;
    result.map_err(|e| format!("crypto helper failed: {e}"))
}

fn capture(captures: &[(String, Capture)], exchange: &Exchange) -> Result<Vars, String> {
    let response = &exchange.response;
    let mut out = Vars::new();
    for (name, source) in captures {
        let value = match source {
            Capture::Json(pointer) => response
                .json
                .as_ref()
                .and_then(|b| b.pointer(pointer))
                .cloned()
                .ok_or_else(|| format!("capture `{name}`: nothing at {pointer} in the body"))?,
            Capture::Header(header) => response
                .header(header)
                .map(|v| Value::String(v.to_string()))
                .ok_or_else(|| format!("capture `{name}`: no `{header}` header"))?,
            Capture::HeaderQuery { header, param } => response
                .header(header)
                .and_then(|url| crate::check::query_param(url, param))
                .map(Value::String)
                .ok_or_else(|| {
                    format!("capture `{name}`: no `{param}` in the `{header}` header")
                })?,
        };
        out.insert(name.clone(), value);
    }
    Ok(out)
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
            elapsed: Duration::ZERO,
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
        match judge(&failing, &step, vec![schema.clone(), status], &exchange()) {
            StepResult::Inconclusive(reason) => assert_eq!(
                reason,
                "precondition `completed` did not hold: the probe needs a completed operation \
                 (json /status: expected x, got y)"
            ),
            _ => panic!("an unmet status is an unmet precondition"),
        }
        // The operation is completed; only its body deviates from the schema: a failure.
        match judge(&failing, &step, vec![schema], &exchange()) {
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
