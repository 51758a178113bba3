//! The whole suite against the embedded vault: everything passes under the service oracle;
//! under the doc oracle exactly the doc-divergent scenarios fail, each saying why.

use super::support::{ids_with, json_report, run, temp_dir, text};

/// Scenarios whose doc expectation contradicts what the service (and so a faithful target)
/// does: FACTS.md "Where the real service differs from the doc". Reviewed by hand; the test
/// below also checks each one is explained by `kvconform deviations`.
const DOC_DIVERGENT: &[&str] = &[
    "cancel::not-in-progress-cancelled",
    "cancel::not-in-progress-completed",
    "create::manual-no-issuer",
    "create::manual-unknown",
    "create::provider-issuer",
    "delete::cancelled-self",
    "delete::in-progress-manual",
    "get::cancelled",
    "get::completed-after-merge",
    "get::completed-self",
    "get::failed",
    "issuers::self-cancelled",
    "issuers::self-issued",
    "merge::manual-chain",
];

#[test]
fn the_whole_suite_passes_against_the_embedded_vault() {
    let report_path = temp_dir("service").join("report.json");
    let output = run(&["run", "-q", "--json", report_path.to_str().unwrap()]);
    assert!(output.status.success(), "{}", text(&output));
    let report = json_report(&report_path);
    assert_eq!(report["oracle"], "service");
    assert_eq!(report["summary"]["failed"], 0);
    assert_eq!(
        report["summary"]["skipped"], 0,
        "nothing is skipped by default"
    );
    assert_eq!(report["summary"]["inconclusive"], 0);
    let passed = ids_with(&report, "passed");
    assert!(passed.len() >= 25, "{passed:?}");
    for scenario in report["scenarios"].as_array().unwrap() {
        for key in [
            "id",
            "rules",
            "outcome",
            "duration_ms",
            "failures",
            "unverified",
        ] {
            assert!(scenario.get(key).is_some(), "missing {key} in {scenario}");
        }
    }
}

#[test]
fn the_doc_oracle_fails_exactly_the_doc_divergent_scenarios_and_says_why() {
    let report_path = temp_dir("doc").join("report.json");
    let output = run(&[
        "run",
        "--oracle",
        "doc",
        "--json",
        report_path.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(101), "{}", text(&output));
    let report = json_report(&report_path);
    let mut failed = ids_with(&report, "failed");
    failed.sort();
    assert_eq!(failed, DOC_DIVERGENT);
    let console = text(&output);
    assert!(
        console.contains("why: doc D"),
        "failures name the doc claim:\n{console}"
    );
    let deviations = text(&run(&["deviations"]));
    for id in DOC_DIVERGENT {
        assert!(
            deviations.contains(&format!("`{id}`")),
            "{id} missing from deviations"
        );
    }
}

#[test]
fn the_deviation_table_covers_every_difference_facts_md_lists() {
    let table = text(&run(&["deviations"]));
    // FACTS.md "Where the real service differs from the doc", one probe per row.
    let probes = [
        "\"InProgress\"",                   // 1
        "Please check again later.\"",      // 2
        "\"canceled\"",                     // 3
        "?api-version={{api_version}}",     // 4
        "/status_details | \"\"",           // 5
        "Certificate issuer error",         // 6
        "| status | 400 | 403 |",           // 7
        "create-conflict",                  // 8
        "json /error/message",              // 9
        "delete-pending",                   // 10
        "/cancellation_requested | absent", // 11
        "header retry-after",               // 12
        "header location",                  // 13
        "merge-with-issuer",                // 14
        "request-id-mismatch",              // 15
        "merge-manual",                     // 16
    ];
    for (row, probe) in probes.iter().enumerate() {
        assert!(
            table.contains(probe),
            "FACTS.md difference #{} ({probe}) not in:\n{table}",
            row + 1
        );
    }
}

#[test]
fn a_closed_port_is_unreachable_not_non_conformance() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let output = run(&["run", "--target", &format!("http://127.0.0.1:{port}")]);
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    assert!(
        text(&output).contains("target unreachable"),
        "{}",
        text(&output)
    );
}
