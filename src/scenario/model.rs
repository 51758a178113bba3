//! The on-disk scenario model: what a YAML file may say. Strict (`deny_unknown_fields`) so a
//! typo is an error with a position, and the source of `schemas/scenario.schema.json`.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

use super::matcher::Matcher;
use super::spanned::At;

/// One scenario: a documented behaviour turned into HTTP steps with expectations.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// Unique within its area (the folder); the trial is named `area::id`.
    pub id: At<String>,
    /// One line saying what is checked.
    pub title: String,
    /// Rule ids from `scenarios/rules.yaml` that this scenario checks.
    pub rules: Vec<At<String>>,
    /// Where the expectations come from: seed section and/or FACTS.md section.
    pub source: String,
    /// What the target must offer for this scenario to make sense; otherwise it is skipped.
    #[serde(default)]
    pub requires: Vec<Capability>,
    /// The api-versions this scenario applies to (`kvconform run --api-version`); empty
    /// means every one. On the others it is skipped, with this list as the reason.
    #[serde(default)]
    pub api_versions: Vec<String>,
    /// Extra variables, as templates over the built-in ones (`cert`, `issuer`, `vault`, …).
    #[serde(default)]
    #[schemars(extend("default" = {}))]
    pub vars: BTreeMap<String, At<String>>,
    /// Executed in order; the first failing step ends the scenario (cleanup still runs).
    pub steps: Vec<StepFile>,
}

/// A feature of the target some scenarios depend on.
// Also the value of `run --without`: the `value(help)` texts are what `--help` shows, the doc
// comments what the scenario schema says.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize, JsonSchema, clap::ValueEnum,
)]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    /// The target rejects a request without a token with the Key Vault 401 challenge.
    #[value(help = "The target demands a token and answers with the 401 challenge")]
    AuthChallenge,
    /// The target can create certificates with a third-party provider issuer (DigiCert-like).
    #[value(help = "The target can create certificates with a provider issuer")]
    ProviderIssuer,
    /// A create leaves an operation `inProgress` (issuer Unknown until a merge; Self for a
    /// few seconds). Read from steps that expect `/status` inProgress.
    #[value(
        help = "A create leaves an operation inProgress (the target does not complete it at once)"
    )]
    PendingState,
    /// The issuers API (`/certificates/issuers`). Read from the steps' paths.
    #[value(help = "The issuers API (/certificates/issuers)")]
    Issuers,
    /// Cancelling a pending operation (`PATCH …/pending` with `cancellation_requested`).
    #[value(help = "Cancelling a pending operation")]
    Cancel,
    /// Merging a signed certificate into a pending operation (`POST …/pending/merge`).
    #[value(help = "Merging a signed certificate into a pending operation")]
    Merge,
}

impl Capability {
    pub const ALL: [Capability; 6] = [
        Capability::AuthChallenge,
        Capability::ProviderIssuer,
        Capability::PendingState,
        Capability::Issuers,
        Capability::Cancel,
        Capability::Merge,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Capability::AuthChallenge => "auth_challenge",
            Capability::ProviderIssuer => "provider_issuer",
            Capability::PendingState => "pending_state",
            Capability::Issuers => "issuers",
            Capability::Cancel => "cancel",
            Capability::Merge => "merge",
        }
    }
}

/// One step: exactly one of `request`, `await` or `action`.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StepFile {
    /// Shown in reports and used in snapshot names.
    pub name: At<String>,
    /// Send one request and check the response.
    #[serde(default)]
    pub request: Option<RequestSpec>,
    /// Poll a request until a predicate holds, the operation ends, or the deadline passes.
    #[serde(default, rename = "await")]
    pub await_: Option<AwaitSpec>,
    /// A local helper (crypto) that computes variables; no HTTP.
    #[serde(default)]
    pub action: Option<Action>,
    /// Expectations shared by both oracles.
    #[serde(default)]
    pub expect: Option<ExpectSpec>,
    /// Differences when holding the target to the real service (the default oracle).
    #[serde(default)]
    pub service: Option<OracleSpec>,
    /// Differences when holding the target to Microsoft's published doc.
    #[serde(default)]
    pub doc: Option<OracleSpec>,
    /// Variables taken from the response.
    #[serde(default)]
    pub capture: BTreeMap<String, Capture>,
    /// Makes this step a precondition: when its expectations do not hold, the scenario is
    /// inconclusive with this reason instead of failed.
    #[serde(default)]
    pub guard: Option<String>,
    /// The api-versions this step applies to; empty means every one. On the others the
    /// step is left out, for where the service changed between versions.
    #[serde(default)]
    pub api_versions: Vec<String>,
}

/// An HTTP request. Strings are templates; `api-version` is added to the query unless
/// `api_version: false`.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestSpec {
    pub method: Method,
    /// Path below the vault URL, e.g. `/certificates/{{cert}}/pending`.
    pub path: String,
    #[serde(default)]
    pub query: BTreeMap<String, String>,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// A JSON body. A string that is exactly `{{var}}` is replaced by the variable's JSON value.
    #[serde(default)]
    pub body: Option<Value>,
    /// A raw body sent as is (for malformed input); excludes `body`.
    #[serde(default)]
    pub raw_body: Option<String>,
    /// Send the credential (default true). `false` probes the 401 challenge.
    #[serde(default = "yes")]
    pub auth: bool,
    /// Add `api-version` to the query (default true).
    #[serde(default = "yes")]
    pub api_version: bool,
}

fn yes() -> bool {
    true
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
    Head,
    Options,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
            Method::Head => "HEAD",
            Method::Options => "OPTIONS",
        }
    }
}

/// Poll `request` until every `until` matcher holds. Polling stops early when the operation
/// reaches a terminal state (a `/status` other than in-progress, or a non-2xx answer); the
/// step's `expect` then judges the last response.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AwaitSpec {
    pub request: RequestSpec,
    /// JSON pointer → matcher, all of which must hold to stop polling.
    pub until: BTreeMap<String, At<Matcher>>,
    /// Deadline in seconds on a real vault; `--await-timeout` caps it.
    #[serde(default)]
    pub timeout_s: Option<u64>,
}

/// A local computation whose result lands in a variable.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// Sign a captured CSR with a throwaway CA; the variable becomes the `x5c` array
    /// `[leaf, ca]` (or `[leaf]`), base64 DER, or base64 of base64 with `double_base64`.
    SignCsr {
        csr: String,
        into: String,
        #[serde(default)]
        chain: bool,
        #[serde(default)]
        double_base64: bool,
    },
    /// A certificate for a freshly generated key (not the CSR's), as an `x5c` array.
    ForeignCert { subject: String, into: String },
    /// An `x5c` array whose item is valid base64 but not a certificate.
    GarbageX5c { into: String },
    /// A self-signed certificate and its PKCS#8 key as one PEM string (for import).
    SelfSignedPem { subject: String, into: String },
}

impl Action {
    pub fn into_var(&self) -> &str {
        match self {
            Action::SignCsr { into, .. }
            | Action::ForeignCert { into, .. }
            | Action::GarbageX5c { into }
            | Action::SelfSignedPem { into, .. } => into,
        }
    }
}

/// What the response must look like.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpectSpec {
    #[serde(default, deserialize_with = "http_status")]
    #[schemars(range(min = 100, max = 599))]
    pub status: Option<At<u16>>,
    /// Header name (any case) → matcher.
    #[serde(default)]
    pub headers: BTreeMap<String, At<Matcher>>,
    /// JSON pointer into the body → matcher.
    #[serde(default)]
    pub json: BTreeMap<String, At<Matcher>>,
    /// Schema name from `schemas/` the body must satisfy (`none` to skip the implied one).
    #[serde(default)]
    pub schema: Option<At<String>>,
    /// Compare the normalised response with `snapshots/<area>/<id>@<step>.snap`. The value
    /// is the snapshot's provenance: `real: …` (recorded service bytes, cite FACTS.md),
    /// `doc: …`, or `reference-vault: …` (never observed elsewhere).
    #[serde(default)]
    pub snapshot: Option<At<String>>,
    /// Checks that relate several values (crypto, identity).
    #[serde(default)]
    pub semantics: Vec<At<Semantic>>,
}

/// Per-oracle differences: expectations merged over the shared ones, key by key.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OracleSpec {
    /// Never observed on the real service: the expectation follows the doc and says so.
    #[serde(default)]
    pub unverified: bool,
    /// Why this oracle differs, with its source (shown in the deviations table).
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub expect: Option<ExpectSpec>,
}

/// Where a captured variable comes from.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Capture {
    /// A JSON pointer into the response body.
    Json(String),
    /// A response header (any case).
    Header(String),
    /// A named query parameter of a URL-valued header, e.g. `request_id` of `Location`.
    HeaderQuery { header: String, param: String },
}

/// Checks that only make sense across several values.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Semantic {
    /// `/csr` is a valid PKCS#10 request (signature verified) whose subject is this one.
    CsrMatches {
        subject: String,
        #[serde(default)]
        dns_names: Vec<String>,
    },
    /// `/cer`'s public key is the public key of this CSR (a template, usually `{{csr}}`).
    CerKeyMatchesCsr { csr: String },
    /// `/x5t` is the base64url SHA-1 thumbprint of `/cer`.
    X5tIsThumbprint,
    /// The `request_id` in the `Location` header equals `/request_id`.
    LocationMatchesRequestId,
    /// `/id`, `/kid`, `/sid`, `/target`, `/pending/id` (those present) point at this
    /// certificate name in this vault.
    IdsConsistent { name: String },
}

/// An expected status is an HTTP status code; anything else is said in those words (the
/// YAML reader alone says only "invalid u16", and accepts 0 or 999).
fn http_status<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<At<u16>>, D::Error> {
    let status = Option::<At<HttpStatus>>::deserialize(d)?;
    Ok(status.map(|s| At {
        value: s.value.0,
        pos: s.pos,
    }))
}

struct HttpStatus(u16);

impl<'de> Deserialize<'de> for HttpStatus {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let written = serde_json::Value::deserialize(d)?;
        if let Some(code) = written.as_u64().filter(|c| (100..=599).contains(c)) {
            return Ok(HttpStatus(code as u16));
        }
        let got = match &written {
            Value::String(text) if text.trim().parse::<u16>().is_ok() => {
                format!("the string \"{text}\" (write the number without quotes)")
            }
            Value::String(text) => format!("`{text}`"),
            other => format!("`{other}`"),
        };
        Err(serde::de::Error::custom(format!(
            "expected an HTTP status code (a number from 100 to 599), got {got}"
        )))
    }
}
