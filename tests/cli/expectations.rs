//! The CI gate: a deviating target plus its expectations file runs green; a new deviation
//! turns it red; a fixed one is reported as xpass; a stale entry is an error.

use std::path::{Path, PathBuf};

use crate::support::*;

fn run_with(root: &Path, extra: &[&str]) -> std::process::Output {
    bin()
        .args(["run", "--scenarios"])
        .arg(root)
        .args(extra)
        .output()
        .expect("run")
}

fn setup(name: &str) -> (PathBuf, PathBuf) {
    let dir = temp_dir(name);
    let root = scenarios(
        &dir,
        &[
            ("gate/manual.yaml", MANUAL),
            ("gate/retry-after.yaml", RETRY_AFTER),
        ],
    );
    (dir, root)
}

#[test]
fn known_deviations_pass_and_a_new_one_fails() {
    let (dir, root) = setup("expect-gate");
    let proposed = dir.join("proposed.yaml");
    let s = |p: &Path| p.to_str().expect("utf-8 path").to_string();
    // A deviating target: `InProgress` instead of `inProgress`.
    let first = run_with(
        &root,
        &[
            "--vault-quirk",
            "pascal-in-progress",
            "--write-expectations",
            &s(&proposed),
        ],
    );
    assert_eq!(first.status.code(), Some(101), "{}", text(&first));
    let file = read(&proposed);
    assert!(file.contains("scenario: \"gate::manual\""), "{file}");
    assert!(file.contains("step: \"get\""), "{file}");
    assert!(!file.contains("gate::retry-after"), "{file}");

    // The same target with the proposed file: green, reported as xfail.
    let report = dir.join("report.json");
    let gated = run_with(
        &root,
        &[
            "--vault-quirk",
            "pascal-in-progress",
            "--expectations",
            &s(&proposed),
            "--json",
            &s(&report),
        ],
    );
    assert_eq!(gated.status.code(), Some(0), "{}", text(&gated));
    let json = json_file(&report);
    let outcome = |id: &str| {
        json["scenarios"]
            .as_array()
            .expect("scenarios")
            .iter()
            .find(|s| s["id"] == id)
            .map(|s| s["outcome"].as_str().unwrap_or_default().to_string())
    };
    assert_eq!(outcome("gate::manual").as_deref(), Some("xfail"));
    assert_eq!(outcome("gate::retry-after").as_deref(), Some("passed"));

    // A new deviation on top: red.
    let worse = run_with(
        &root,
        &[
            "--vault-quirk",
            "pascal-in-progress",
            "--vault-quirk",
            "no-retry-after",
            "--expectations",
            &s(&proposed),
        ],
    );
    assert_eq!(worse.status.code(), Some(101), "{}", text(&worse));
    assert!(
        text(&worse).contains("gate::retry-after"),
        "{}",
        text(&worse)
    );

    // The deviation fixed: xpass, a promotion candidate; red only with --strict-xpass.
    let fixed = run_with(&root, &["--expectations", &s(&proposed)]);
    assert_eq!(fixed.status.code(), Some(0), "{}", text(&fixed));
    assert!(
        text(&fixed).contains("xpass gate::manual"),
        "{}",
        text(&fixed)
    );
    assert!(text(&fixed).contains("promote"), "{}", text(&fixed));
    let strict = run_with(&root, &["--expectations", &s(&proposed), "--strict-xpass"]);
    assert_eq!(strict.status.code(), Some(101), "{}", text(&strict));
}

#[test]
fn an_entry_matching_no_scenario_is_an_error_and_an_expired_one_warns() {
    let (dir, root) = setup("expect-errors");
    let stale = dir.join("stale.yaml");
    std::fs::write(
        &stale,
        "expectations:\n  - { scenario: gate::gone, outcome: fail, reason: removed long ago }\n",
    )
    .expect("write");
    let output = run_with(&root, &["--expectations", stale.to_str().expect("path")]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(
        text(&output).contains("`gate::gone` matches no scenario"),
        "{}",
        text(&output)
    );

    let expired = dir.join("expired.yaml");
    std::fs::write(
        &expired,
        "expectations:\n  - scenario: gate::manual\n    outcome: fail\n    reason: InProgress casing\n    expires: 2020-01-01\n",
    )
    .expect("write");
    let output = run_with(
        &root,
        &[
            "--vault-quirk",
            "pascal-in-progress",
            "--expectations",
            expired.to_str().expect("path"),
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(
        text(&output).contains("warning: expectation for `gate::manual` expired on 2020-01-01")
    );
}

/// A manual create, then a guard that needs a completed operation: never met, so the
/// scenario is inconclusive.
const GUARDED: &str = r#"
id: guarded
title: a guard that does not hold
rules: [create-manual]
source: test
steps:
  - name: create
    request:
      method: POST
      path: "/certificates/{{cert}}/create"
      body: { policy: { key_props: { kty: EC, crv: P-256 }, x509_props: { subject: "CN={{cert}}" }, issuer: { name: Unknown } } }
    expect: { status: 202 }
  - name: completed
    guard: the probe needs a completed operation
    request: { method: GET, path: "/certificates/{{cert}}/pending" }
    expect: { status: 200, json: { /status: completed } }
"#;

#[test]
fn with_strict_an_inconclusive_line_fails_as_the_run_does() {
    let dir = temp_dir("strict-inconclusive");
    let root = scenarios(&dir, &[("gate/guarded.yaml", GUARDED)]);
    let plain = run_with(&root, &[]);
    let console = text(&plain);
    assert_eq!(plain.status.code(), Some(0), "{console}");
    assert!(
        console.contains("test gate::guarded ... ignored (inconclusive: precondition `completed`"),
        "{console}"
    );
    let strict = run_with(&root, &["--strict"]);
    let console = text(&strict);
    assert_eq!(strict.status.code(), Some(101), "{console}");
    assert!(
        console.contains("test gate::guarded ... FAILED"),
        "{console}"
    );
    assert!(
        console.contains("inconclusive: precondition `completed` did not hold"),
        "{console}"
    );
}
