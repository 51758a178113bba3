//! What flows between a step and the scenario's variables: a request rendered from them,
//! values captured from a response, values computed by a local crypto action, and, in a dry
//! run, the placeholders that stand for the last two (`<captured:name>`, `<computed:name>`)
//! so that later steps render with them exactly as they would with the real values.

use serde_json::Value;

use super::context::RunContext;
use super::error::StepError;
use crate::crypto;
use crate::plan::Plan;
use crate::scenario::{Action, Capture, RequestSpec};
use crate::target::{Exchange, HttpRequest};
use crate::template::{self, Vars};

/// A scenario's variables before any step ran: its unique names, the vault URL, the
/// api-version, then its own `vars` rendered in order.
pub(super) fn initial(ctx: &RunContext, plan: &Plan) -> Vars {
    let name = ctx.options.unique_name(&plan.id);
    let text = |s: &str| Value::String(s.to_string());
    let mut vars = Vars::from([
        ("cert".to_string(), text(&name)),
        ("cert2".to_string(), text(&format!("{name}-b"))),
        ("issuer".to_string(), text(&format!("{name}-iss"))),
        ("vault".to_string(), text(ctx.target.base())),
        ("api_version".to_string(), text(ctx.target.api_version())),
        ("run".to_string(), text(&ctx.options.run_prefix())),
    ]);
    for (name, value) in &plan.vars {
        let rendered = template::render(value, &vars).unwrap_or_else(|_| value.clone());
        vars.insert(name.clone(), Value::String(rendered));
    }
    vars
}

/// The request of a step, every template filled in from `vars`.
pub(super) fn render_request(spec: &RequestSpec, vars: &Vars) -> Result<HttpRequest, StepError> {
    let text = |t: &str| template::render(t, vars);
    let mut request = HttpRequest::new(spec.method.as_str(), &text(&spec.path)?);
    request.auth = spec.auth;
    request.api_version = spec.api_version;
    for (k, v) in &spec.query {
        request.query.push((k.clone(), text(v)?));
    }
    if let Some(body) = &spec.body {
        let body = template::render_json(body, vars)?;
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

/// The values a step captures from its response.
pub(super) fn capture(
    captures: &[(String, Capture)],
    exchange: &Exchange,
) -> Result<Vars, StepError> {
    let response = &exchange.response;
    let mut out = Vars::new();
    for (name, source) in captures {
        let value = match source {
            Capture::Json(pointer) => response
                .json
                .as_ref()
                .and_then(|b| b.pointer(pointer))
                .cloned()
                .ok_or_else(|| {
                    StepError::capture(name, format!("nothing at {pointer} in the body"))
                })?,
            Capture::Header(header) => response
                .header(header)
                .map(|v| Value::String(v.to_string()))
                .ok_or_else(|| StepError::capture(name, format!("no `{header}` header")))?,
            Capture::HeaderQuery { header, param } => response
                .header(header)
                .and_then(|url| crate::check::query_param(url, param))
                .map(Value::String)
                .ok_or_else(|| {
                    StepError::capture(name, format!("no `{param}` in the `{header}` header"))
                })?,
        };
        out.insert(name.clone(), value);
    }
    Ok(out)
}

/// A dry run's stand-ins for what a step would capture.
pub(super) fn captured_placeholders(captures: &[(String, Capture)]) -> Vars {
    let placeholder = |name: &String| Value::String(format!("<captured:{name}>"));
    (captures.iter())
        .map(|(name, _)| (name.clone(), placeholder(name)))
        .collect()
}

/// A dry run's stand-in for what an action would compute.
pub(super) fn computed_placeholder(action: &Action) -> Value {
    Value::String(format!("<computed:{}>", action.into_var()))
}

/// Runs a local crypto action (a CA signing a CSR, a certificate for a fresh key, ...).
pub(super) async fn perform(action: &Action, vars: &Vars) -> Result<Value, StepError> {
    let text = |t: &str| template::render(t, vars);
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
    .map_err(|e| StepError::CryptoPanicked(e.to_string()))?;
    Ok(result?)
}
