//! `kvconform run --dry-run`: every request and object, and no traffic at all; and exactly
//! the requests a real run sends.

use std::collections::BTreeMap;
use std::net::TcpListener;

use regex::Regex;
use serde_json::Value;

use crate::support::*;

#[test]
fn dry_run_lists_requests_and_objects_without_contacting_the_target() {
    // A socket nobody answers on: any connection attempt would be noticed.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let dir = temp_dir("dry-run");
    let root = scenarios(
        &dir,
        &[
            ("dry/manual.yaml", MANUAL),
            ("dry/self.yaml", &self_await(5)),
        ],
    );
    let output = bin()
        .args(["run", "--dry-run", "--scenarios"])
        .arg(&root)
        .args(["--target", &url])
        .output()
        .expect("run");
    let out = text(&output);
    assert_eq!(output.status.code(), Some(0), "{out}");
    assert!(
        listener.accept().is_err(),
        "the dry run connected to the target"
    );
    for expected in [
        "dry::manual",
        "1. create: POST /certificates/kvc-<run>-dry-manual/create  → creates certificate kvc-<run>-dry-manual",
        "2. get: GET /certificates/kvc-<run>-dry-manual/pending?request_id=<captured:request_id>",
        "1. issuer: PUT /certificates/issuers/kvc-<run>-dry-self-iss  → creates issuer kvc-<run>-dry-self-iss",
        "(polled until /status holds, deadline 5 s)",
        "cleanup: DELETE /certificates/issuers/kvc-<run>-dry-self-iss",
        "objects: 2 certificate(s) and 1 issuer(s)",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in:\n{out}");
    }
}

/// With several api-versions, one listing each, as the run runs each (was: the first only).
#[test]
fn the_dry_run_lists_every_api_version() {
    let output = bin()
        .args(["run", "--dry-run", "--api-version", "7.0,7.6", "create::"])
        .output()
        .expect("run");
    let out = text(&output);
    assert_eq!(output.status.code(), Some(0), "{out}");
    assert_eq!(out.matches("create::self-issuer  (").count(), 2, "{out}");
    for version in ["7.0", "7.6"] {
        let header = format!("(api-version {version}); nothing is sent");
        assert_eq!(out.matches(&header).count(), 1, "{header:?} in:\n{out}");
    }
}

/// A request the dry run lists, as a pattern over the real one: `kvc-<run>-` stands for any
/// run id, `<captured:…>` and `<computed:…>` for any value.
struct Listed {
    step: String,
    pattern: Regex,
    /// An await: the real run sends it once or more.
    polled: bool,
}

/// Every scenario's requests in a dry-run listing: step requests, then cleanup requests.
fn listed(listing: &str) -> BTreeMap<String, Vec<Listed>> {
    let mut out: BTreeMap<String, Vec<Listed>> = BTreeMap::new();
    let mut current = String::new();
    let step = Regex::new(r"^  \d+\. (.+?): ([A-Z]+ \S+)(.*)$").unwrap();
    for line in listing.lines() {
        if let Some((id, _)) = line.split_once("  (scenarios/") {
            current = id.to_string();
            out.entry(current.clone()).or_default();
        } else if let Some(cleanup) = line.strip_prefix("  cleanup: ") {
            let requests = cleanup.split(", ").map(|r| pattern("cleanup", r, ""));
            out.entry(current.clone()).or_default().extend(requests);
        } else if let Some(found) = step.captures(line) {
            let listed = pattern(&found[1], &found[2], &found[3]);
            out.entry(current.clone()).or_default().push(listed);
        }
    }
    out
}

fn pattern(step: &str, request: &str, flags: &str) -> Listed {
    // The query as sent: the run's api-version first, unless the step goes without it.
    let (path, query) = request.split_once('?').unwrap_or((request, ""));
    let query = match flags.contains("[no api-version]") {
        true => query.to_string(),
        false => [API, query].join("&"),
    };
    let mut text = format!("{path}?{}", query.trim_end_matches('&'));
    if flags.contains("[no token]") {
        text.push_str(" [no token]");
    }
    let escaped = regex::escape(&text).replace("kvc\\-<run>\\-", "kvc-[0-9a-f]{8}-");
    let placeholders = Regex::new(r"<(captured|computed):\w+>").unwrap();
    let pattern = placeholders.replace_all(&escaped, ".+?");
    Listed {
        step: step.to_string(),
        pattern: Regex::new(&format!("^{pattern}$")).unwrap(),
        polled: flags.contains("(polled until"),
    }
}

/// Every scenario's requests in a HAR file as `METHOD path?query`, the query decoded, with
/// a missing token noted as the dry run notes it.
fn sent(har: &Value) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for entry in har["log"]["entries"].as_array().expect("entries") {
        let request = &entry["request"];
        let url = request["url"].as_str().expect("url");
        let path = url.split('?').next().unwrap();
        let path = &path[path.find("://").unwrap() + 3..];
        let path = &path[path.find('/').unwrap()..];
        let query: Vec<String> = (request["queryString"].as_array().unwrap().iter())
            .map(|p| {
                format!(
                    "{}={}",
                    p["name"].as_str().unwrap(),
                    p["value"].as_str().unwrap()
                )
            })
            .collect();
        let method = request["method"].as_str().unwrap();
        let mut line = format!("{method} {path}?{}", query.join("&"));
        let headers = request["headers"].as_array().unwrap();
        if !headers.iter().any(|h| h["name"] == "authorization") {
            line.push_str(" [no token]");
        }
        let page = entry["pageref"].as_str().unwrap().to_string();
        out.entry(page).or_default().push(line);
    }
    out
}

/// The dry run lists exactly the requests the real run sends against the embedded vault,
/// in order, cleanup included: the same paths, queries, api-version and token, up to the
/// run id, captured and computed values, and how often an await polls. Every scenario is
/// compared, whatever the machine's load: one that a guard ended early (inconclusive: the
/// vault was faster than the scenario, which a loaded machine makes likelier) sent the
/// listed steps up to that guard, then the cleanup of what it had created by then.
#[test]
fn the_dry_run_lists_the_requests_the_real_run_sends() {
    let dir = temp_dir("dry-vs-real");
    let har = dir.join("run.har");
    // One scenario at a time: fewer guards find the vault too fast, more are compared whole.
    let real = bin()
        .args(["run", "--quiet", "--jobs", "1", "--har"])
        .arg(&har)
        .output()
        .expect("run");
    assert_eq!(real.status.code(), Some(0), "{}", text(&real));
    let dry = bin().args(["run", "--dry-run"]).output().expect("dry run");
    assert_eq!(dry.status.code(), Some(0), "{}", text(&dry));
    let har = json_file(&har);
    let listed = listed(&String::from_utf8_lossy(&dry.stdout));
    let mut sent = sent(&har);
    let outcomes: BTreeMap<&str, &str> = (har["log"]["pages"].as_array().unwrap().iter())
        .map(|p| {
            let title = p["title"].as_str().unwrap();
            let outcome = title.rsplit_once('(').unwrap().1.trim_end_matches(')');
            (p["id"].as_str().unwrap(), outcome)
        })
        .collect();
    let ids: Vec<&String> = listed.keys().collect();
    let run: Vec<&&str> = outcomes.keys().collect();
    assert_eq!(ids, run, "the dry run and the run cover the same scenarios");
    assert!(listed.len() >= 50, "only {} scenarios listed", listed.len());
    for (id, expected) in &listed {
        let actual = sent.remove(id.as_str()).unwrap_or_default();
        match outcomes[id.as_str()] {
            "inconclusive" => {
                let file = id.replace("::", "/");
                let yaml = std::fs::read_to_string(format!(
                    "{}/scenarios/{file}.yaml",
                    env!("CARGO_MANIFEST_DIR")
                ))
                .unwrap();
                assert!(yaml.contains("guard:"), "{id} inconclusive without a guard");
                compare_early(id, expected, &actual);
            }
            _ => compare(id, expected, &actual),
        }
    }
}

/// Checks that a scenario sent what the dry run lists: the step requests in order (an
/// await's repeated polls allowed), then the cleanup requests.
fn compare(id: &str, expected: &[Listed], actual: &[String]) {
    let mut at = 0;
    for (n, request) in expected.iter().enumerate() {
        let next = actual.get(at);
        assert!(
            next.is_some_and(|r| request.pattern.is_match(r)),
            "{id}, step `{}`: listed {}, sent {next:?}\nall sent: {actual:#?}",
            request.step,
            request.pattern
        );
        at += 1;
        // An await's repeated polls, as long as the requests listed after it remain.
        let still_listed = expected.len() - n - 1;
        while request.polled && actual.len() - at > still_listed && actual.get(at) == next {
            at += 1;
        }
    }
    let rest = &actual[at..];
    assert!(rest.is_empty(), "{id}: sent but not listed: {rest:#?}");
}

/// Checks what a scenario a guard ended early sent: the end of the listed cleanup (which
/// removes objects newest first, so the objects created before the guard are removed last),
/// and before it the listed step requests in order up to the guard, an await's repeated
/// polls and the guard's re-check (a repeat of a request sent before) allowed.
fn compare_early(id: &str, expected: &[Listed], actual: &[String]) {
    let (steps, cleanup): (Vec<&Listed>, Vec<&Listed>) =
        expected.iter().partition(|l| l.step != "cleanup");
    let removed = (actual.iter().rev().zip(cleanup.iter().rev()))
        .take_while(|(request, listed)| listed.pattern.is_match(request))
        .count();
    let sent = &actual[..actual.len() - removed];
    let mut steps = steps.into_iter().peekable();
    let mut matched: Vec<&Listed> = Vec::new();
    for (at, request) in sent.iter().enumerate() {
        match steps.next_if(|l| l.pattern.is_match(request)) {
            Some(listed) => matched.push(listed),
            None => assert!(
                matched.iter().any(|l| l.pattern.is_match(request)),
                "{id} (ended early): sent {request} (request {at}), listed next {:?}\nall sent: {actual:#?}",
                steps.peek().map(|l| l.pattern.as_str())
            ),
        }
    }
}

/// A step limited to 7.0 captures `rid`, a later one uses it: on the default api-version the
/// real run fails at the later step, and so does the dry run (was: `(nothing sent)`, the rest
/// of the scenario dropped without a word, exit 0). The scenario is named with why it
/// stopped, the other scenarios are still listed, and the dry run exits 101.
const STOPS: &str = r#"
id: stops
title: uses a value captured only on 7.0
rules: [create-manual]
source: test
steps:
  - name: create
    api_versions: ["7.0"]
    request:
      method: POST
      path: "/certificates/{{cert}}/create"
      body: { policy: { key_props: { kty: EC, crv: P-256 }, x509_props: { subject: "CN={{cert}}" }, issuer: { name: Unknown } } }
    expect: { status: 202 }
    capture: { rid: { json: /request_id } }
  - name: get
    request:
      method: GET
      path: "/certificates/{{cert}}/pending"
      query: { request_id: "{{rid}}" }
    expect: { status: 200 }
  - name: never reached
    request: { method: GET, path: "/certificates" }
    expect: { status: 200 }
"#;

#[test]
fn a_dry_run_that_cannot_render_a_step_says_why_and_fails() {
    let dir = temp_dir("dry-run-stops");
    let root = scenarios(
        &dir,
        &[("dry/stops.yaml", STOPS), ("dry/manual.yaml", MANUAL)],
    );
    let output = bin()
        .args(["run", "--dry-run", "--scenarios"])
        .arg(&root)
        .output()
        .expect("run");
    let out = text(&output);
    assert_eq!(output.status.code(), Some(101), "{out}");
    let stops = out.split("dry::stops  (").nth(1).expect("listed");
    let stops = stops.split("\n\n").next().unwrap();
    let stopped: Vec<&str> = (stops.lines())
        .filter(|l| l.starts_with("  stopped: "))
        .collect();
    assert_eq!(stopped.len(), 1, "{out}");
    assert!(stopped[0].contains("rid"), "{out}");
    assert!(!stops.contains("never reached"), "{out}");
    assert!(
        out.contains("2. get: GET /certificates/kvc-<run>-dry-manual/pending"),
        "{out}"
    );
    assert!(
        out.contains("stopped early (the real run fails there too): dry::stops\n"),
        "{out}"
    );
}
