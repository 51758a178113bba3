//! `--api-version LIST|all`: the suite runs once per version (trials `VERSION::area::id`),
//! the JSON report and the matrix carry each version's verdicts, and `api_versions:` limits a
//! scenario or a step to the versions it applies to.

use crate::support::*;

/// A step that fails on every target (a 404 expected to be 200), limited to 7.0; and a
/// scenario limited to 7.6.
const LIMITED: &[(&str, &str)] = &[
    (
        "get/step-on-7-0.yaml",
        r#"
id: step-on-7-0
title: a failing step that applies to 7.0 only
rules: [create-manual]
source: test
steps:
  - name: listed
    request: { method: GET, path: "/certificates" }
    expect: { status: 200 }
  - name: only on 7.0
    api_versions: ["7.0"]
    request: { method: GET, path: "/certificates/{{cert}}/pending" }
    expect: { status: 200 }
"#,
    ),
    (
        "get/only-7-6.yaml",
        r#"
id: only-7-6
title: a scenario that applies to 7.6 only
rules: [create-manual]
source: test
api_versions: ["7.6"]
steps:
  - name: listed
    request: { method: GET, path: "/certificates" }
    expect: { status: 200 }
"#,
    ),
];

#[test]
fn each_version_runs_and_api_versions_limits_scenarios_and_steps() {
    let dir = temp_dir("api-versions");
    let root = scenarios(&dir, LIMITED);
    let json = dir.join("run.json");
    let output = bin()
        .args(["run", "--scenarios"])
        .arg(&root)
        .args(["--api-version", "7.0,7.6", "--json"])
        .arg(&json)
        .output()
        .expect("run");
    let console = text(&output);
    // The 7.0-only step fails on 7.0 (the pending op does not exist); nothing else fails.
    assert_eq!(output.status.code(), Some(101), "{console}");
    assert!(console.contains("7.0::get::step-on-7-0"), "{console}");
    assert!(console.contains("7.6::get::only-7-6"), "{console}");
    assert!(console.contains("verdicts by api-version:"), "{console}");
    assert!(
        console.contains("get::step-on-7-0: 7.0 failed, 7.6 passed"),
        "{console}"
    );
    let report = json_file(&json);
    assert_eq!(report["api_version"], "7.0,7.6");
    let verdict = |id: &str, version: &str| {
        report["scenarios"]
            .as_array()
            .expect("scenarios")
            .iter()
            .find(|s| s["id"] == id && s["api_version"] == version)
            .map(|s| s["outcome"].as_str().unwrap_or_default().to_string())
    };
    assert_eq!(
        verdict("get::step-on-7-0", "7.0").as_deref(),
        Some("failed")
    );
    assert_eq!(
        verdict("get::step-on-7-0", "7.6").as_deref(),
        Some("passed")
    );
    assert_eq!(verdict("get::only-7-6", "7.6").as_deref(), Some("passed"));
    assert_eq!(verdict("get::only-7-6", "7.0").as_deref(), Some("skipped"));
    assert_eq!(report["versions"].as_array().map(Vec::len), Some(2));
    assert_eq!(report["versions"][1]["summary"]["passed"], 2);

    // The matrix shows the two versions as two columns.
    let matrix = bin().arg("matrix").arg(&json).output().expect("matrix");
    let table = text(&matrix);
    assert!(matrix.status.success(), "{table}");
    assert!(table.contains("run @ 7.0"), "{table}");
    assert!(table.contains("run @ 7.6"), "{table}");
}

#[test]
fn all_runs_every_known_version_and_passes_on_the_embedded_vault() {
    let output = bin()
        .args(["run", "-q", "--api-version", "all", "create::self-issuer"])
        .output()
        .expect("run");
    let console = text(&output);
    assert!(output.status.success(), "{console}");
    for version in ["7.0", "7.3", "7.6", "2025-07-01", "2026-04-01"] {
        assert!(
            console.contains(&format!("api-version {version}, oracle service")),
            "{version}: {console}"
        );
    }
}
