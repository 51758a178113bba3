//! The bearer token never leaves the Authorization header: a canary token is searched for
//! in the console output and in every report a run writes.

use crate::support::*;

const CANARY: &str = "CANARY-7f3a9c1e-do-not-print";

/// A GET that fails on purpose, so the console and JUnit show the exchange.
const FAILING: &str = r#"
id: failing
title: expects a status the vault never sends
rules: [create-manual]
source: test
steps:
  - name: create
    request:
      method: POST
      path: "/certificates/{{cert}}/create"
      body: { policy: { key_props: { kty: EC, crv: P-256 }, x509_props: { subject: "CN={{cert}}" }, issuer: { name: Unknown } } }
    expect: { status: 299 }
"#;

#[test]
fn the_canary_token_appears_in_no_output_or_report() {
    let vault = Served::start(&["--token", CANARY]);
    let dir = temp_dir("canary");
    let snapshotted = MANUAL.replace(
        "expect: { status: 200, json: { /status: inProgress } }",
        "expect: { status: 200, json: { /status: inProgress }, snapshot: \"reference-vault: canary test\" }",
    );
    let root = scenarios(
        &dir,
        &[
            ("auth/manual.yaml", &snapshotted),
            ("auth/failing.yaml", FAILING),
        ],
    );
    // Recording into the suite's own snapshots/ (beside its scenarios) updates them.
    let recording = dir.join("snapshots");
    let files = ["report.json", "junit.xml", "run.har", "expect.yaml"].map(|f| dir.join(f));
    let output = bin()
        .env_remove("CI")
        .env("KVC_CANARY_TOKEN", CANARY)
        .args(["run", "--record"])
        .arg(&recording)
        .arg("--scenarios")
        .arg(&root)
        .args(["--target", &vault.url, "--token-env", "KVC_CANARY_TOKEN"])
        .arg("--json")
        .arg(&files[0])
        .arg("--junit")
        .arg(&files[1])
        .arg("--har")
        .arg(&files[2])
        .arg("--write-expectations")
        .arg(&files[3])
        .output()
        .expect("run");
    let console = text(&output);
    // The token was sent and accepted: one scenario passed, the other failed on its check.
    assert_eq!(output.status.code(), Some(101), "{console}");
    assert!(console.contains("1 passed, 1 failed"), "{console}");
    assert!(
        console.contains("authorization: Bearer [redacted]"),
        "{console}"
    );
    assert!(
        !console.contains(CANARY),
        "console leaks the token:\n{console}"
    );
    for file in &files {
        let written = read(file);
        assert!(!written.is_empty(), "{} is empty", file.display());
        assert!(
            !written.contains(CANARY),
            "{} leaks the token",
            file.display()
        );
    }
    assert!(read(&files[2]).contains("Bearer [redacted]"));
    let snapshot = recording.join("auth").join("manual@get.snap");
    assert!(
        !read(&snapshot).contains(CANARY),
        "the snapshot leaks the token"
    );
}

#[test]
fn a_wrong_token_is_a_challenge_not_a_leak() {
    let vault = Served::start(&["--token", "the-right-one"]);
    let dir = temp_dir("canary-wrong");
    let root = scenarios(&dir, &[("auth/manual.yaml", MANUAL)]);
    let output = bin()
        .env("KVC_CANARY_TOKEN", CANARY)
        .args(["run", "--scenarios"])
        .arg(&root)
        .args(["--target", &vault.url, "--token-env", "KVC_CANARY_TOKEN"])
        .output()
        .expect("run");
    let console = text(&output);
    assert_eq!(output.status.code(), Some(101), "{console}");
    assert!(console.contains("401"), "{console}");
    assert!(!console.contains(CANARY), "{console}");
}
