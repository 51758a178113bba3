//! `kvconform run --dry-run`: every request and object a run would make, without contacting
//! the target. Paths are rendered with what is known before the run (unique names use the
//! placeholder run id `<run>`); values captured at run time show as `<captured:name>`, values
//! computed by local actions as `<computed:name>`.

use std::fmt::Write as _;

use serde_json::Value;

use crate::plan::{self, Oracle, Plan, StepKind};
use crate::run::{RunOptions, plan_vars};
use crate::scenario::{RequestSpec, Scenario};
use crate::target::HttpRequest;
use crate::target::resources::{Removal, Resource, created_by, removal};
use crate::template::{self, Vars};

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
    /// The dry run of a configured run; names use the placeholder run id `<run>`.
    pub fn of(config: &RunConfig) -> DryRun {
        let target = match &config.target {
            TargetChoice::Remote(url) => url.clone(),
            TargetChoice::Embedded { .. } => "the embedded reference vault".into(),
        };
        DryRun {
            target,
            api_version: config.connection.api_version.clone(),
            oracle: config.oracle,
            options: super::setup::run_options(config, "<run>".into()),
        }
    }
}

/// The whole listing.
pub fn render(scenarios: &[Scenario], dry: &DryRun) -> String {
    let mut out = format!(
        "dry run: {} scenario(s) against {} (api-version {}); nothing is sent\n",
        scenarios.len(),
        dry.target,
        dry.api_version
    );
    let mut certificates = 0;
    let mut issuers = 0;
    for scenario in scenarios {
        let plan = plan::plan(scenario, dry.oracle);
        let created = render_plan(&mut out, &plan, dry);
        for resource in &created {
            match resource {
                Resource::Certificate(_) => certificates += 1,
                Resource::Issuer(_) => issuers += 1,
            }
        }
    }
    let _ = writeln!(
        out,
        "\nobjects: {certificates} certificate(s) and {issuers} issuer(s), every name starting \
         with `{}` (removed again by each scenario's cleanup)",
        dry.options.run_prefix()
    );
    out
}

/// One scenario: its numbered steps, then what it creates and how cleanup removes it.
fn render_plan(out: &mut String, plan: &Plan, dry: &DryRun) -> Vec<Resource> {
    let _ = writeln!(out, "\n{}  ({})", plan.id, plan.file.display());
    if !plan.requires.is_empty() {
        let needs: Vec<&str> = plan.requires.iter().map(|c| c.name()).collect();
        let _ = writeln!(out, "  needs: {}", needs.join(", "));
    }
    let mut vars = plan_vars(&dry.target, &dry.api_version, &dry.options, plan);
    let mut created: Vec<Resource> = Vec::new();
    for (n, step) in plan.steps.iter().enumerate() {
        let line = match &step.kind {
            StepKind::Request(spec) => {
                let request = lenient_request(spec, &mut vars);
                let mut line = request_line(&request);
                if let Some(resource) = created_by(&request).filter(|r| !created.contains(r)) {
                    line.push_str(&format!("  → creates {}", describe(&resource)));
                    created.push(resource);
                }
                line
            }
            StepKind::Await(spec) => {
                let request = lenient_request(&spec.request, &mut vars);
                let until: Vec<&str> = spec.until.keys().map(String::as_str).collect();
                let timeout = spec
                    .timeout_s
                    .map_or_else(|| "--await-timeout".to_string(), |s| format!("{s} s"));
                format!(
                    "{}  (polled until {} holds, deadline {timeout})",
                    request_line(&request),
                    until.join(", ")
                )
            }
            StepKind::Action(action) => {
                let into = action.into_var().to_string();
                vars.insert(into.clone(), Value::String(format!("<computed:{into}>")));
                format!("(local) {} → {into}", action_name(action))
            }
        };
        let _ = writeln!(out, "  {}. {}: {line}", n + 1, step.name);
        for (name, _) in &step.capture {
            vars.insert(name.clone(), Value::String(format!("<captured:{name}>")));
        }
    }
    for resource in created.iter().rev() {
        let _ = writeln!(out, "  cleanup: {}", cleanup_line(resource));
    }
    created
}

/// Renders a request, turning variables not known before the run into placeholders.
fn lenient_request(spec: &RequestSpec, vars: &mut Vars) -> HttpRequest {
    let mut text = |t: &str| loop {
        match template::render(t, vars) {
            Ok(rendered) => break rendered,
            Err(template::UnknownVar(name)) => {
                vars.insert(name.clone(), Value::String(format!("<captured:{name}>")));
            }
        }
    };
    let mut request = HttpRequest::new(spec.method.as_str(), &text(&spec.path));
    request.auth = spec.auth;
    request.api_version = spec.api_version;
    for (k, v) in &spec.query {
        request.query.push((k.clone(), text(v)));
    }
    request
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

fn describe(resource: &Resource) -> String {
    match resource {
        Resource::Certificate(name) => format!("certificate {name}"),
        Resource::Issuer(name) => format!("issuer {name}"),
    }
}

/// The requests cleanup sends for a resource, from the same list the run uses.
fn cleanup_line(resource: &Resource) -> String {
    removal(resource)
        .iter()
        .map(|step: &Removal| format!("DELETE {}", step.path()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn action_name(action: &crate::scenario::Action) -> &'static str {
    use crate::scenario::Action;
    match action {
        Action::SignCsr { .. } => "sign the CSR with a throwaway CA",
        Action::ForeignCert { .. } => "certificate for a fresh key",
        Action::GarbageX5c { .. } => "garbage x5c",
        Action::SelfSignedPem { .. } => "self-signed certificate and key (PEM)",
    }
}
