//! Whole capabilities a target may lack (pending state, issuers API, cancel, merge, …): which
//! ones a scenario needs (declared with `requires:` or read from its steps), which ones the
//! target lacks (`--without`, or a probe before the run), and the one reason every scenario
//! that needs a missing capability is skipped with. A peer that completes every operation at
//! once then reads as one finding, not a wall of identical failures.

use serde::Serialize;
use serde_json::{Value, json};

use crate::mask::normalise;
use crate::plan::{Plan, StepKind};
use crate::scenario::{Capability, Matcher, Method, RequestSpec};
use crate::target::{Exchange, HttpRequest, Target};

/// A capability the target lacks, and how that is known.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Lack {
    pub capability: &'static str,
    /// `--without` or `probe`.
    pub source: &'static str,
    /// What the probe saw (empty for `--without`).
    pub evidence: String,
    #[serde(skip)]
    pub cap: Capability,
}

impl Lack {
    pub fn declared(cap: Capability) -> Lack {
        Lack {
            capability: cap.name(),
            source: "--without",
            evidence: String::new(),
            cap,
        }
    }

    fn probed(cap: Capability, evidence: String) -> Lack {
        Lack {
            capability: cap.name(),
            source: "probe",
            evidence,
            cap,
        }
    }

    /// The one skip reason shared by every scenario that needs this capability.
    pub fn reason(&self) -> String {
        match self.source {
            "probe" => format!(
                "the target does not offer `{}` (probe: {})",
                self.capability, self.evidence
            ),
            _ => format!(
                "the target does not offer `{}` (see --without)",
                self.capability
            ),
        }
    }
}

/// What a scenario needs: its declared `requires:` plus what its steps show.
pub fn needs(plan: &Plan) -> Vec<Capability> {
    let mut out = plan.requires.clone();
    for step in &plan.steps {
        let (request, until) = match &step.kind {
            StepKind::Request(request) => (request, None),
            StepKind::Await(spec) => (&spec.request, Some(&spec.until)),
            StepKind::Action(_) => continue,
        };
        out.extend(request_needs(request));
        let expects_pending = step
            .expect
            .json
            .iter()
            .map(|(pointer, m)| (pointer.as_str(), &m.value))
            .chain(
                until
                    .into_iter()
                    .flatten()
                    .map(|(p, m)| (p.as_str(), &m.value)),
            )
            .any(|(pointer, matcher)| pointer == "/status" && names_in_progress(matcher));
        if expects_pending {
            out.push(Capability::PendingState);
        }
    }
    out.sort();
    out.dedup();
    out
}

fn request_needs(request: &RequestSpec) -> Vec<Capability> {
    let path = request.path.as_str();
    let mut out = Vec::new();
    if path.starts_with("/certificates/issuers") {
        out.push(Capability::Issuers);
    }
    if request.method == Method::Post && path.ends_with("/pending/merge") {
        out.push(Capability::Merge);
    }
    let cancels = request
        .body
        .as_ref()
        .and_then(|b| b.get("cancellation_requested"))
        .is_some();
    if request.method == Method::Patch && path.ends_with("/pending") && cancels {
        out.push(Capability::Cancel);
    }
    out
}

fn names_in_progress(matcher: &Matcher) -> bool {
    let is = |v: &Value| {
        v.as_str()
            .is_some_and(|s| s.eq_ignore_ascii_case("inprogress"))
    };
    match matcher {
        Matcher::Eq(v) => is(v),
        Matcher::Ieq(s) => s.eq_ignore_ascii_case("inprogress"),
        Matcher::OneOf(list) => list.iter().any(is),
        _ => false,
    }
}

/// The skip reason when the target lacks something this scenario needs: declared
/// `--without`, or found `lacking` by the probe.
pub fn unmet(plan: &Plan, without: &[Capability], lacking: &[Lack]) -> Option<String> {
    let needed = needs(plan);
    let lacking = (without.iter())
        .map(|c| Lack::declared(*c))
        .chain(lacking.iter().cloned());
    lacking
        .filter(|lack| needed.contains(&lack.cap))
        .min_by_key(|lack| lack.cap)
        .map(|lack| lack.reason())
}

/// The answer to the start-up `GET /certificates`: a 404 means no vault lives at this URL
/// (lowkey-vault, for one, matches vaults by host and port, and answers 404 "Unable to find
/// active vault" for any other); every scenario would fail the same way, so none is run.
pub fn vault_found(list_status: u16) -> Result<(), NoVault> {
    match list_status {
        404 => Err(NoVault),
        _ => Ok(()),
    }
}

/// [`vault_found`]'s answer when the target has no vault at the URL.
#[derive(Debug, thiserror::Error)]
#[error(
    "GET /certificates answered 404: no vault at this URL, no scenario was run \
     (an emulator that matches vaults by host and port needs exactly the \
     host:port it registered, e.g. https://localhost:8443 vs https://127.0.0.1:8443)"
)]
pub struct NoVault;

/// What the probes found before the run.
#[derive(Clone, Debug, Default)]
pub struct Probed {
    pub lacking: Vec<Lack>,
    /// The version the target reports (`x-ms-keyvault-service-version`), when it sends one.
    pub version: Option<String>,
}

/// Probes a target (never the embedded vault) for the capabilities scenarios derive: one
/// issuers list, one create with issuer Unknown (deleted afterwards), one cancel and one
/// merge on a name that never existed. A probe that cannot decide marks nothing: the
/// scenarios then run and judge for themselves.
pub async fn probe(target: &Target, prefix: &str) -> Probed {
    let mut log = Vec::new();
    let mut out = Probed::default();
    if let Ok(list) = target
        .send(&HttpRequest::get("/certificates/issuers"), &mut log)
        .await
    {
        out.version = list
            .response
            .header("x-ms-keyvault-service-version")
            .map(str::to_string);
        let listed = list.response.status == 200
            && list
                .response
                .json
                .as_ref()
                .is_some_and(|j| j["value"].is_array());
        if !listed {
            out.lacking.push(Lack::probed(
                Capability::Issuers,
                format!("GET /certificates/issuers answered {}", brief(&list)),
            ));
        }
    }
    if let Some(evidence) = probe_pending(target, prefix, &mut log).await {
        out.lacking
            .push(Lack::probed(Capability::PendingState, evidence));
    }
    let ghost = format!("/certificates/{prefix}probe-never-existed/pending");
    let cancel =
        HttpRequest::new("PATCH", &ghost).with_json(&json!({"cancellation_requested": true}));
    let merge =
        HttpRequest::new("POST", &format!("{ghost}/merge")).with_json(&json!({"x5c": ["AA=="]}));
    for (cap, request) in [(Capability::Cancel, cancel), (Capability::Merge, merge)] {
        if let Ok(exchange) = target.send(&request, &mut log).await
            && !is_routed(&exchange)
        {
            let evidence = format!(
                "{} {} (a name that never existed) answered {}, not a Key Vault error",
                request.method,
                normalise(&request.path),
                brief(&exchange)
            );
            out.lacking.push(Lack::probed(cap, evidence));
        }
    }
    out
}

/// A create with issuer Unknown and a complete policy: a target with a pending state answers
/// `inProgress`. Returns the evidence when the operation was already over.
async fn probe_pending(target: &Target, prefix: &str, log: &mut Vec<Exchange>) -> Option<String> {
    let name = format!("{prefix}probe-pending");
    let body = json!({"policy": {
        "key_props": {"kty": "RSA", "key_size": 2048, "exportable": true, "reuse_key": false},
        "secret_props": {"contentType": "application/x-pkcs12"},
        "x509_props": {"subject": format!("CN={name}"), "validity_months": 12},
        "issuer": {"name": "Unknown"}
    }});
    let create = HttpRequest::new("POST", &format!("/certificates/{name}/create")).with_json(&body);
    let exchange = target.send(&create, log).await.ok()?;
    let accepted = (200..300).contains(&exchange.response.status);
    let status = exchange
        .response
        .json
        .as_ref()
        .and_then(|j| j["status"].as_str().map(str::to_string));
    // Removed as a scenario's certificate is (pending, certificate, purge); a problem here
    // leaves a name `kvc-…` that `kvconform sweep` finds.
    let certificate = crate::target::resources::Resource::Certificate(name.clone());
    let _ = crate::target::resources::remove(target, &certificate, log).await;
    match status {
        Some(s) if accepted && !s.eq_ignore_ascii_case("inprogress") => Some(format!(
            "a create with issuer Unknown answered {} with status `{s}`: operations complete at once",
            exchange.response.status
        )),
        _ => None,
    }
}

/// The route exists: a success, or an error in Key Vault's shape (`{"error": {"code"}}`).
fn is_routed(exchange: &Exchange) -> bool {
    let response = &exchange.response;
    (200..300).contains(&response.status)
        || response
            .json
            .as_ref()
            .is_some_and(|j| j["error"]["code"].is_string())
}

/// `404 {"timestamp":…}`: the status and the start of the body.
/// Run-specific names and times are masked, so the same target gives the same evidence.
fn brief(exchange: &Exchange) -> String {
    let body: String = exchange.response.body.chars().take(60).collect();
    format!("{} {}…", exchange.response.status, normalise(body.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Oracle, plan};

    fn needs_of(id: &str) -> Vec<&'static str> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        let set = crate::scenario::Suite::load(&dir)
            .expect("scenarios load")
            .set;
        let scenario = set
            .scenarios
            .iter()
            .find(|s| s.full_id() == id)
            .unwrap_or_else(|| panic!("no scenario {id}"));
        needs(&plan(scenario, Oracle::Service))
            .into_iter()
            .map(Capability::name)
            .collect()
    }

    #[test]
    fn needs_are_read_from_the_steps() {
        assert_eq!(
            needs_of("cancel::in-progress-manual"),
            ["pending_state", "cancel"]
        );
        assert_eq!(needs_of("merge::no-pending"), ["merge"]);
        assert!(needs_of("create::provider-issuer-object").contains(&"issuers"));
        assert_eq!(needs_of("get::never-existed"), Vec::<&str>::new());
    }

    #[test]
    fn the_first_missing_capability_gives_the_one_reason() {
        let lack = Lack::probed(Capability::Merge, "404 …".into());
        assert_eq!(
            lack.reason(),
            "the target does not offer `merge` (probe: 404 …)"
        );
        assert_eq!(
            Lack::declared(Capability::Issuers).reason(),
            "the target does not offer `issuers` (see --without)"
        );
    }
}
