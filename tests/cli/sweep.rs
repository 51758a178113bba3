//! `kvconform sweep` against `kvconform serve`: lists leftovers by prefix and age, removes
//! them only with --yes, never touches another name, refuses an empty prefix and a list of
//! api-versions.

use crate::support::*;

const TOKEN: &str = "sweep-test-token";

fn sweep(vault: &str, extra: &[&str]) -> std::process::Output {
    bin()
        .env("KVC_TOKEN", TOKEN)
        .args(["sweep", "--target", vault, "--token-env", "KVC_TOKEN"])
        .args(extra)
        .output()
        .expect("sweep runs")
}

#[test]
fn sweep_lists_then_removes_only_prefixed_leftovers() {
    let vault = Served::start(&["--token", TOKEN]);
    let url = &vault.url;
    create_manual(url, TOKEN, "kvc-dead-pending");
    create_manual(url, TOKEN, "kvc-dead-deleted");
    create_manual(url, TOKEN, "keep-me");
    let (status, _) = call(
        "DELETE",
        &format!("{url}/certificates/kvc-dead-deleted?{API}"),
        TOKEN,
        None,
    );
    assert_eq!(status, 200);
    for issuer in ["kvc-dead-iss", "keep-issuer"] {
        let (status, body) = call(
            "PUT",
            &format!("{url}/certificates/issuers/{issuer}?{API}"),
            TOKEN,
            Some(serde_json::json!({"provider": "Test"})),
        );
        assert_eq!(status, 200, "{body}");
    }

    // Everything is seconds old: the default --older-than 1h keeps it all.
    let young = sweep(url, &[]);
    let out = text(&young);
    assert_eq!(young.status.code(), Some(0), "{out}");
    assert!(out.contains("0 leftover(s)"), "{out}");
    assert!(out.contains("3 younger one(s) kept"), "{out}");

    // Listing without --yes removes nothing.
    let listed = sweep(url, &["--older-than", "0s"]);
    let out = text(&listed);
    assert_eq!(listed.status.code(), Some(0), "{out}");
    for name in ["kvc-dead-pending", "kvc-dead-deleted", "kvc-dead-iss"] {
        assert!(out.contains(name), "{name} not listed:\n{out}");
    }
    assert!(!out.contains("keep-"), "{out}");
    assert!(out.contains("run again with --yes"), "{out}");
    assert_eq!(everything(url, TOKEN).len(), 5);

    let removed = sweep(url, &["--older-than", "0s", "--yes"]);
    let out = text(&removed);
    assert_eq!(removed.status.code(), Some(0), "{out}");
    assert!(out.contains("removed 3 of 3"), "{out}");
    let mut left = everything(url, TOKEN);
    left.sort();
    assert_eq!(left, ["keep-issuer", "keep-me"]);
}

#[test]
fn sweep_refuses_an_empty_prefix() {
    let output = run(&[
        "sweep",
        "--target",
        "http://127.0.0.1:9",
        "--prefix",
        "",
        "--yes",
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(text(&output).contains("--prefix must not be empty"));
}

/// `--api-version all` means one run per version for `run`; a sweep takes one version.
#[test]
fn sweep_refuses_a_list_of_api_versions() {
    let output = run(&[
        "sweep",
        "--target",
        "http://127.0.0.1:9",
        "--api-version",
        "7.6,2025-07-01",
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(text(&output).contains("sweep takes one --api-version"));
}
