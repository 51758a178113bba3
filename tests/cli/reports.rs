//! JUnit and the Markdown matrix, from real runs against the embedded vault.

use crate::support::*;

/// A capture of a field the body lacks: the harness cannot go on (an error, not a failure).
const BROKEN_CAPTURE: &str = r#"
id: broken-capture
title: captures a field that does not exist
rules: [create-manual]
source: test
steps:
  - name: create
    request:
      method: POST
      path: "/certificates/{{cert}}/create"
      body: { policy: { key_props: { kty: EC, crv: P-256 }, x509_props: { subject: "CN={{cert}}" }, issuer: { name: Unknown } } }
    expect: { status: 202 }
    capture: { nothing: { json: /no/such/field } }
"#;

#[test]
fn junit_separates_failures_from_harness_errors() {
    let dir = temp_dir("junit");
    let root = scenarios(
        &dir,
        &[
            ("rep/manual.yaml", MANUAL),
            ("rep/retry-after.yaml", RETRY_AFTER),
            ("rep/broken-capture.yaml", BROKEN_CAPTURE),
        ],
    );
    let junit = dir.join("junit.xml");
    let output = bin()
        .args(["run", "--scenarios"])
        .arg(&root)
        .args(["--vault-quirk", "no-retry-after", "--junit"])
        .arg(&junit)
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(101), "{}", text(&output));
    let xml = read(&junit);
    assert!(
        xml.contains(r#"<testsuite name="rep" tests="3" skipped="0" errors="1" failures="1""#),
        "{xml}"
    );
    assert!(
        xml.contains(r#"<testcase name="retry-after" classname="rep""#),
        "{xml}"
    );
    assert!(
        xml.contains(r#"<failure message="header retry-after"#),
        "{xml}"
    );
    assert!(
        xml.contains(r#"<error message="capture `nothing`"#),
        "{xml}"
    );
}

#[test]
fn matrix_puts_targets_side_by_side() {
    let dir = temp_dir("matrix");
    let root = scenarios(
        &dir,
        &[
            ("rep/manual.yaml", MANUAL),
            ("rep/retry-after.yaml", RETRY_AFTER),
        ],
    );
    let clean = dir.join("reference.json");
    let quirky = dir.join("no-retry-after.json");
    for (report, quirks) in [
        (&clean, &[][..]),
        (&quirky, &["--vault-quirk", "no-retry-after"][..]),
    ] {
        let output = bin()
            .args(["run", "--scenarios"])
            .arg(&root)
            .args(quirks)
            .arg("--json")
            .arg(report)
            .output()
            .expect("run");
        assert!(output.status.code().is_some(), "{}", text(&output));
    }
    let output = bin()
        .arg("matrix")
        .arg(&clean)
        .arg(&quirky)
        .output()
        .expect("matrix");
    let md = text(&output);
    assert_eq!(output.status.code(), Some(0), "{md}");
    assert!(md.contains("| rule | reference | no-retry-after |"), "{md}");
    assert!(md.contains("| `retry-after` | pass | **FAIL** |"), "{md}");
    assert!(md.contains("| `create-manual` | pass | pass |"), "{md}");
    assert!(
        md.contains("| `rep::retry-after` | pass | **FAIL** |"),
        "{md}"
    );
    let bad = run(&["matrix", "/nonexistent/report.json"]);
    assert_eq!(bad.status.code(), Some(2));
}

/// Report files are checked before the run: a missing folder is made (CI's
/// `--junit out/junit.xml`), a path that cannot be written stops the run before any
/// scenario (exit 2), so that no run ends in "cannot write" with its results lost.
#[test]
fn report_paths_are_ready_before_the_run() {
    let dir = temp_dir("report-paths");
    let root = scenarios(&dir, &[("rep/manual.yaml", MANUAL)]);
    let junit = dir.join("out/nested/junit.xml");
    let ok = bin()
        .args(["run", "--scenarios"])
        .arg(&root)
        .arg("--junit")
        .arg(&junit)
        .output()
        .expect("run");
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok));
    assert!(read(&junit).contains("<testsuite"));
    let refused = bin()
        .args(["run", "--scenarios"])
        .arg(&root)
        .arg("--json")
        .arg(&dir)
        .output()
        .expect("run");
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
    assert!(
        text(&refused).contains("cannot write --json"),
        "{}",
        text(&refused)
    );
    assert!(
        !text(&refused).contains("running 1 test"),
        "{}",
        text(&refused)
    );
    // A run that cannot start (nothing listens there) leaves no empty report behind.
    let late = dir.join("late/junit.xml");
    let unreachable = bin()
        .args(["run", "--target", "http://127.0.0.1:1", "--junit"])
        .arg(&late)
        .output()
        .expect("run");
    assert_eq!(unreachable.status.code(), Some(3), "{}", text(&unreachable));
    assert!(
        !late.exists(),
        "an empty report was left at {}",
        late.display()
    );
}
