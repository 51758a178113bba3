//! Pure checks applied to one HTTP exchange: status, headers and JSON values by matcher, JSON
//! Schema, snapshots and cross-value semantics. Each failure carries the position of the
//! expectation that failed. The main entry is [`check_exchange`].

mod eval;
pub mod schema;
mod semantic;

pub use eval::{matches, matches_rendered, render_matcher};
pub(crate) use semantic::query_param;

use serde::Serialize;
use serde_json::Value;

use crate::plan::Expectation;
use crate::scenario::Pos;
use crate::target::{Exchange, RecordedResponse};
use crate::template::Vars;
use schema::{SchemaCheckError, SchemaSet};

/// One expectation that did not hold.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CheckFailure {
    /// Where the expectation is written.
    pub pos: Pos,
    /// What was checked: `status`, `header location`, `json /status`, `schema X`, …
    pub what: String,
    pub expected: String,
    pub actual: String,
}

impl std::fmt::Display for CheckFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: expected {}, got {}",
            self.what, self.expected, self.actual
        )
    }
}

/// What the checks need besides the exchange.
pub struct CheckContext<'a> {
    pub vars: &'a Vars,
    pub schemas: &'a SchemaSet,
}

/// Every failed expectation of a step, in declaration order: status first, so a wrong status
/// is reported before the body details it explains.
pub fn check_exchange(
    expect: &Expectation,
    exchange: &Exchange,
    ctx: &CheckContext<'_>,
) -> Vec<CheckFailure> {
    let mut failures = check_head(expect, &exchange.response, ctx.vars);
    failures.extend(check_body(expect, exchange, ctx));
    failures.extend(check_schema(expect, exchange, ctx.schemas));
    failures
}

/// The status and the headers.
fn check_head(expect: &Expectation, response: &RecordedResponse, vars: &Vars) -> Vec<CheckFailure> {
    let status = (expect.status.as_ref())
        .filter(|s| s.value != response.status)
        .map(|status| CheckFailure {
            pos: status.pos,
            what: "status".into(),
            expected: status.value.to_string(),
            actual: response.status.to_string(),
        });
    let headers = expect.headers.iter().filter_map(|(name, matcher)| {
        let actual = response.header(name).map(|v| Value::String(v.to_string()));
        eval::check_one(&format!("header {name}"), matcher, actual.as_ref(), vars).err()
    });
    status.into_iter().chain(headers).collect()
}

/// The JSON matchers and the semantic checks; a body that is not JSON fails once when
/// any of them is expected.
fn check_body(
    expect: &Expectation,
    exchange: &Exchange,
    ctx: &CheckContext<'_>,
) -> Vec<CheckFailure> {
    let mut failures = Vec::new();
    let response = &exchange.response;
    let needs_json = !expect.json.is_empty() || !expect.semantics.is_empty();
    match (&response.json, needs_json) {
        (None, true) => failures.push(CheckFailure {
            pos: expect.first_pos(),
            what: "body".into(),
            expected: "a JSON document".into(),
            actual: describe_body(&response.body),
        }),
        (Some(body), _) => {
            for (pointer, matcher) in &expect.json {
                let actual = body.pointer(pointer);
                if let Err(f) =
                    eval::check_one(&format!("json {pointer}"), matcher, actual, ctx.vars)
                {
                    failures.push(f);
                }
            }
            for semantic in &expect.semantics {
                if let Err(message) = semantic::check(semantic, body, exchange, ctx.vars) {
                    failures.push(CheckFailure {
                        pos: semantic.pos,
                        what: format!("semantic {}", semantic::name(semantic)),
                        expected: message.expected,
                        actual: message.actual,
                    });
                }
            }
        }
        (None, false) => {}
    }
    failures
}

fn describe_body(body: &str) -> String {
    if body.is_empty() {
        "an empty body".into()
    } else {
        let head: String = body.chars().take(120).collect();
        format!("non-JSON {head:?}")
    }
}

/// The schema named by the step, or the one implied by the route and status.
fn check_schema(
    expect: &Expectation,
    exchange: &Exchange,
    schemas: &SchemaSet,
) -> Option<CheckFailure> {
    let (name, pos) = match &expect.schema {
        Some(s) if s.value == "none" => return None,
        Some(s) => (s.value.clone(), s.pos),
        None => (
            implied_schema(
                &exchange.request.method,
                &exchange.request.url,
                exchange.response.status,
            )?
            .to_string(),
            expect.first_pos(),
        ),
    };
    let what = format!("schema {name}");
    let Some(body) = &exchange.response.json else {
        return Some(CheckFailure {
            pos,
            what,
            expected: "a JSON body".into(),
            actual: describe_body(&exchange.response.body),
        });
    };
    match schemas.validate(&name, body) {
        Ok(()) => None,
        Err(SchemaCheckError::Violations(violations)) => {
            let listed: Vec<String> = violations
                .iter()
                .take(5)
                .map(|v| format!("{}: {}", display_path(&v.instance_path), v.message))
                .collect();
            Some(CheckFailure {
                pos,
                what,
                expected: "a body valid against the schema".into(),
                actual: listed.join("; "),
            })
        }
        Err(other) => Some(CheckFailure {
            pos,
            what,
            expected: "a known schema".into(),
            actual: other.to_string(),
        }),
    }
}

fn display_path(pointer: &str) -> &str {
    if pointer.is_empty() { "/" } else { pointer }
}

/// Which schema a response must satisfy when the step names none: errors are Key Vault
/// errors; successful answers of the lifecycle routes have a known type.
pub fn implied_schema(method: &str, url: &str, status: u16) -> Option<&'static str> {
    if status >= 400 {
        return schema::implied_schema(status);
    }
    let path = url.split('?').next().unwrap_or(url);
    if let Some((_, deleted)) = path.split_once("/deletedcertificates") {
        let segments: Vec<&str> = deleted.split('/').filter(|s| !s.is_empty()).collect();
        return match (method, segments.as_slice(), status) {
            ("GET", [_], 200) => Some("DeletedCertificateBundle"),
            ("POST", [_, "recover"], 200) => Some("CertificateBundle"),
            _ => None,
        };
    }
    let path = path.split_once("/certificates").map(|(_, p)| p)?;
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    match (method, segments.as_slice(), status) {
        ("GET", [], 200) => Some("CertificateListResult"),
        ("GET", [name, "versions"], 200) if *name != "issuers" => Some("CertificateListResult"),
        ("GET", [name, "policy"], 200) if *name != "issuers" => Some("CertificatePolicy"),
        ("POST", [_, "create"], 202) => Some("CertificateOperation"),
        ("GET" | "PATCH" | "DELETE", [_, "pending"], 200) => Some("CertificateOperation"),
        ("POST", [_, "pending", "merge"], 201) => Some("CertificateBundle"),
        ("POST", [_, "import"], 200) => Some("CertificateBundle"),
        ("GET", ["issuers", _], 200) | ("PUT" | "DELETE", ["issuers", _], 200) => {
            Some("IssuerBundle")
        }
        ("DELETE", [name], 200) if *name != "issuers" => Some("DeletedCertificateBundle"),
        ("GET", [name], 200) | ("GET", [name, _], 200) if *name != "issuers" => {
            Some("CertificateBundle")
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::implied_schema;
    use rstest::rstest;

    #[rstest]
    #[case(
        "POST",
        "http://v/certificates/a/create?api-version=1",
        202,
        Some("CertificateOperation")
    )]
    #[case(
        "GET",
        "http://v/certificates/a/pending?request_id=x",
        200,
        Some("CertificateOperation")
    )]
    #[case(
        "POST",
        "http://v/certificates/a/pending/merge",
        201,
        Some("CertificateBundle")
    )]
    #[case("GET", "http://v/certificates/a", 200, Some("CertificateBundle"))]
    #[case(
        "DELETE",
        "http://v/certificates/a",
        200,
        Some("DeletedCertificateBundle")
    )]
    #[case("PUT", "http://v/certificates/issuers/i", 200, Some("IssuerBundle"))]
    #[case("GET", "http://v/certificates/a/pending", 404, Some("KeyVaultError"))]
    #[case("GET", "http://v/certificates", 200, Some("CertificateListResult"))]
    #[case(
        "GET",
        "http://v/certificates/a/versions",
        200,
        Some("CertificateListResult")
    )]
    #[case(
        "GET",
        "http://v/certificates/a/policy",
        200,
        Some("CertificatePolicy")
    )]
    #[case("GET", "http://v/certificates/a/", 200, Some("CertificateBundle"))]
    #[case(
        "GET",
        "http://v/deletedcertificates/a",
        200,
        Some("DeletedCertificateBundle")
    )]
    #[case(
        "POST",
        "http://v/deletedcertificates/a/recover",
        200,
        Some("CertificateBundle")
    )]
    #[case("DELETE", "http://v/deletedcertificates/a", 204, None)]
    #[case("GET", "http://v/certificates/issuers", 200, None)]
    fn implies_a_schema_from_route_and_status(
        #[case] method: &str,
        #[case] url: &str,
        #[case] status: u16,
        #[case] expected: Option<&str>,
    ) {
        assert_eq!(implied_schema(method, url, status), expected);
    }
}
