//! Judging peers: the published emulators page matches the committed reports, peer
//! expectations carry the version and date they were measured on, a lacking capability is one
//! skip reason, the probe marks nothing missing on a faithful target and leaves nothing behind,
//! a target reporting another version than the one measured is warned about, and a URL
//! where no vault lives (404 on the certificate list) runs nothing.

use kvconform::expectations::Expectations;

use crate::support::*;

const TOKEN: &str = "peers-test-token";

#[test]
fn the_emulators_page_matches_the_committed_reports() {
    let peers = root().join("tests/peers");
    let output = bin()
        .current_dir(root())
        .args(["matrix", "--peers", "tests/peers"])
        .output()
        .expect("matrix runs");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let page = read(&root().join("docs/emulators.md"));
    assert!(
        String::from_utf8_lossy(&output.stdout) == page,
        "docs/emulators.md differs from `kvconform matrix --peers tests/peers`: regenerate it \
         with `kvconform matrix --peers tests/peers -o docs/emulators.md`"
    );
    for row in [
        "| lowkey-vault | 7.3.74 |",
        "| calvinchengx | 0d00ca29a9fdd07fe0e12ba1956c87142f40f11f |",
        "Topaz",
        "james-gould/azure-keyvault-emulator",
    ] {
        assert!(page.contains(row), "{row} missing from the page");
    }
    assert!(peers.join("not-run.yaml").is_file());
}

#[test]
fn peer_expectations_name_version_date_and_what_the_peer_does() {
    let dir = root().join("tests/peers");
    for entry in std::fs::read_dir(&dir).expect("tests/peers") {
        let file = entry.expect("entry").path().join("expectations.yaml");
        if !file.is_file() {
            continue;
        }
        for e in Expectations::read_entries(&file).expect("valid expectations") {
            let at = format!("{}: {}", file.display(), e.scenario.value);
            assert!(e.version.is_some(), "{at}: no version");
            assert!(e.date.is_some(), "{at}: no date");
            assert!(e.reason.len() > 20, "{at}: reason too short");
        }
    }
    let lowkey = Expectations::read_entries(&dir.join("lowkey-vault/expectations.yaml"))
        .expect("lowkey-vault expectations");
    assert!(!lowkey.is_empty());
    assert!(lowkey.iter().all(|e| e.reason.starts_with("lowkey-vault ")));
    let calvin = Expectations::read_entries(&dir.join("calvinchengx/expectations.yaml"))
        .expect("calvinchengx expectations");
    assert!(!calvin.is_empty());
    assert!(calvin.iter().all(|e| {
        e.reason
            .starts_with("calvinchengx/azure-keyvault-emulator ")
    }));
}

#[test]
fn a_lacking_capability_is_one_skip_reason() {
    let dir = temp_dir("without-pending");
    let report = dir.join("report.json");
    let output = bin()
        .args(["run", "--without", "pending-state", "--json"])
        .arg(&report)
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let json = json_report(&report);
    let skipped: Vec<&serde_json::Value> = json["scenarios"]
        .as_array()
        .expect("scenarios")
        .iter()
        .filter(|s| s["outcome"] == "skipped")
        .collect();
    assert!(skipped.len() >= 10, "{} skipped", skipped.len());
    assert!(
        skipped
            .iter()
            .all(|s| s["reason"] == "the target does not offer `pending_state` (see --without)")
    );
    assert!(!ids_with(&json, "passed").is_empty());
    assert_eq!(json["lacking"][0]["capability"], "pending_state");
    let console = text(&output);
    let line = format!(
        "  skipped {}: the target does not offer `pending_state`",
        skipped.len()
    );
    assert!(console.contains(&line), "{console}");
}

#[test]
fn the_probe_finds_nothing_missing_on_the_reference_vault_and_leaves_nothing() {
    let vault = Served::start(&["--token", TOKEN]);
    let dir = temp_dir("probe");
    let report = dir.join("report.json");
    let output = bin()
        .env("KVC_TOKEN", TOKEN)
        .args(["run", "--target", &vault.url, "--token-env", "KVC_TOKEN"])
        .args(["--exact", "get::never-existed", "--json"])
        .arg(&report)
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let json = json_report(&report);
    assert_eq!(json["lacking"], serde_json::json!([]), "{json}");
    assert_eq!(json["target_version"], "1.9.3070.1");
    let left: Vec<String> = everything(&vault.url, TOKEN)
        .into_iter()
        .filter(|n| n.starts_with("kvc-"))
        .collect();
    assert!(left.is_empty(), "the probe left {left:?}");
}

#[test]
fn another_target_version_than_measured_warns() {
    let dir = temp_dir("version-warning");
    let file = dir.join("expectations.yaml");
    std::fs::write(
        &file,
        "expectations:\n  - scenario: get::never-existed\n    outcome: fail\n    \
         reason: an old deviation\n    version: \"1.0\"\n    date: 2026-01-01\n",
    )
    .expect("write");
    let output = bin()
        .args([
            "run",
            "--exact",
            "get::never-existed",
            "--target-version",
            "2.0",
        ])
        .arg("--expectations")
        .arg(&file)
        .output()
        .expect("run");
    let console = text(&output);
    assert!(
        console.contains("warning: the target reports version 2.0 but expectations were measured on another (1 on 1.0)"),
        "{console}"
    );
    assert!(console.contains("xpass get::never-existed"), "{console}");
}

#[test]
fn no_vault_at_the_url_is_a_harness_error_not_a_wall_of_failures() {
    let vault = Served::start(&["--token", TOKEN]);
    let output = bin()
        .env("KVC_TOKEN", TOKEN)
        .args(["run", "--token-env", "KVC_TOKEN", "--target"])
        .arg(format!("{}/no-vault-here", vault.url))
        .output()
        .expect("run");
    let console = text(&output);
    assert_eq!(output.status.code(), Some(3), "{console}");
    assert!(console.contains("no vault at this URL"), "{console}");
    assert!(!console.contains("test result"), "{console}");
}
