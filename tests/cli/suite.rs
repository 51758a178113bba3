//! The suite travels with the binary: a run reads the built-in scenarios and snapshots from
//! the executable, a user's suite runs alone or with the built-in one, `init` writes the
//! built-in suite out, nothing is written anywhere unless a flag says where, recordings are
//! stamped with where and when they were made, and the answers at unverified steps are
//! reported whatever the verdict.

use std::path::{Path, PathBuf};

use kvconform::builtin::Tree;
use kvconform::snapshot::SnapshotFile;
use serde_json::Value;

use crate::support::*;

/// Every file below `dir`, relative to it, sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for path in std::fs::read_dir(&current)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
        {
            match path.is_dir() {
                true => pending.push(path),
                false => out.push(path.strip_prefix(dir).expect("below").to_path_buf()),
            }
        }
    }
    out.sort();
    out
}

fn builtin_count() -> usize {
    kvconform::scenario::Suite::builtin()
        .expect("built-in suite")
        .set
        .scenarios
        .len()
}

#[test]
fn init_writes_the_built_in_suite_and_never_overwrites_without_force() {
    let dir = temp_dir("init").join("suite");
    let output = run(&["init", dir.to_str().unwrap()]);
    assert!(output.status.success(), "{}", text(&output));
    let expected: usize = Tree::ALL.iter().map(|t| t.files().len()).sum();
    let written = files(&dir);
    assert_eq!(written.len(), expected, "{written:?}");
    assert!(dir.join("scenarios/rules.yaml").is_file());
    assert!(dir.join("schemas/scenario.schema.json").is_file());
    let rules = dir.join("scenarios/rules.yaml");
    std::fs::write(&rules, "edited").unwrap();
    let again = run(&["init", dir.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(2), "{}", text(&again));
    assert!(text(&again).contains("--force"), "{}", text(&again));
    assert_eq!(read(&rules), "edited", "a refused init changed a file");
    let forced = run(&["init", "--force", dir.to_str().unwrap()]);
    assert!(forced.status.success(), "{}", text(&forced));
    assert_ne!(read(&rules), "edited");
    // The written suite runs as the user's own, snapshots included, and writes nothing.
    let before = files(&dir);
    let output = run(&["run", "-q", "--scenarios", dir.to_str().unwrap()]);
    let console = text(&output);
    assert!(output.status.success(), "{console}");
    assert!(
        console.contains(&format!("{} passed, 0 failed", builtin_count())),
        "{console}"
    );
    assert_eq!(files(&dir), before);
}

#[test]
fn a_user_suite_runs_alone_by_default_or_with_the_built_in_one() {
    let dir = temp_dir("user-suite");
    let root = scenarios(&dir, &[("mine/manual.yaml", MANUAL)]);
    let alone = run(&["run", "-q", "--scenarios", root.to_str().unwrap()]);
    assert!(
        text(&alone).contains("1 passed, 0 failed"),
        "{}",
        text(&alone)
    );
    let both = run(&[
        "run",
        "-q",
        "--with-builtin",
        "--scenarios",
        root.to_str().unwrap(),
    ]);
    let console = text(&both);
    assert!(both.status.success(), "{console}");
    let total = builtin_count() + 1;
    assert!(
        console.contains(&format!("{total} passed, 0 failed")),
        "{console}"
    );
    let listed = text(&run(&[
        "list",
        "--with-builtin",
        "--scenarios",
        root.to_str().unwrap(),
    ]));
    assert!(
        listed.contains("mine::manual") && listed.contains("get::in-progress"),
        "{listed}"
    );
}

#[test]
fn a_run_against_a_deviating_target_writes_nothing_anywhere() {
    let cwd = temp_dir("deviating-cwd");
    let project = files(&root().join("snapshots"));
    // Outside CI (no CI variable), from an empty directory: the snapshot of a GET pending
    // differs (no Retry-After), and no `.snap.new` appears, neither here nor in snapshots/.
    let output = bin()
        .env_remove("CI")
        .current_dir(&cwd)
        .args(["run", "--vault-quirk", "no-retry-after"])
        .output()
        .expect("run");
    let console = text(&output);
    assert_eq!(output.status.code(), Some(101), "{console}");
    assert!(
        console.contains("differs (- snapshot, + actual)"),
        "{console}"
    );
    assert!(console.contains("--record DIR"), "{console}");
    assert_eq!(
        files(&cwd),
        Vec::<PathBuf>::new(),
        "the run wrote into its directory"
    );
    assert_eq!(
        files(&root().join("snapshots")),
        project,
        "the run wrote snapshots/"
    );
}

/// The front matter of a recorded snapshot.
fn recorded(path: &Path) -> kvconform::snapshot::Front {
    SnapshotFile::parse(path, &read(path))
        .expect("snapshot file")
        .front
}

#[test]
fn a_recording_names_its_target_and_date_and_keeps_the_unverified_answers() {
    let vault = Served::start(&[
        "--token",
        "t",
        "--self-delay",
        "400",
        "--provider-delay",
        "400",
    ]);
    let subset = [
        "--exact",
        "get::in-progress",
        "merge::with-self-issuer",
        "merge::with-provider-issuer",
    ];
    let dir = temp_dir("record");
    let (plain, redacted) = (dir.join("plain"), dir.join("redacted"));
    for (record, extra) in [(&plain, None), (&redacted, Some("--redact-host"))] {
        let output = bin()
            .env("KVC_TOKEN", "t")
            .args(["run", "-q", "--no-probe", "--max-poll-interval", "50"])
            .args(["--token-env", "KVC_TOKEN", "--target", &vault.url])
            .args(subset)
            .arg("--record")
            .arg(record)
            .args(extra)
            .output()
            .expect("run");
        assert!(output.status.success(), "{}", text(&output));
    }
    let host = vault.url.trim_start_matches("http://").to_string();
    let snap = Path::new("get/in-progress@get-pending.snap");
    let front = recorded(&plain.join(snap));
    let stamp = front.info.recorded.clone().expect("stamped");
    assert_eq!(stamp.target, host);
    assert_eq!(stamp.kvconform, env!("CARGO_PKG_VERSION"));
    let today = kvconform::report::now_rfc3339();
    assert_eq!(stamp.date[..10], today[..10], "{}", stamp.date);
    assert_eq!(front.info.provenance, format!("recorded: {host}"));
    assert!(
        front
            .info
            .declared
            .as_deref()
            .is_some_and(|d| d.starts_with("real:"))
    );
    assert_eq!(front.info.api_version, "2025-07-01");
    let hidden = recorded(&redacted.join(snap));
    assert_eq!(hidden.info.recorded.expect("stamped").target, "[redacted]");
    assert!(
        !read(&redacted.join(snap)).contains(&host),
        "the host leaked"
    );
    let answers = json_file(&plain.join("unverified-answers.json"));
    assert_eq!(answers["recorded"]["target"], host.as_str());
    let list = answers["unverified_answers"].as_array().expect("list");
    assert!(
        list.iter()
            .any(|a| a["scenario"] == "merge::with-provider-issuer"),
        "{answers}"
    );
    // Listed oldest first: make one recording older than the rest.
    let old = plain.join("merge/with-self-issuer@merge.snap");
    std::fs::write(
        &old,
        read(&old).replace(&stamp.date, "2020-01-01T00:00:00Z"),
    )
    .unwrap();
    let listing = text(&run(&["snapshots", "--snapshots", plain.to_str().unwrap()]));
    let first = listing.lines().nth(2).unwrap_or_default();
    assert!(
        first.starts_with("2020-01-01") && first.contains("merge/with-self-issuer@merge"),
        "{listing}"
    );
    assert!(listing.contains(&format!("{host} (kvconform")), "{listing}");
}

#[test]
fn the_built_in_snapshots_are_listed_with_provenance_and_date() {
    let listing = text(&run(&["snapshots"]));
    let count = Tree::Snapshots.files().len();
    assert!(
        listing.starts_with(&format!("{count} snapshot(s) in the built-in snapshots")),
        "{listing}"
    );
    for line in listing.lines().skip(2) {
        assert!(
            line.contains("real:") || line.contains("doc:") || line.contains("reference-vault:"),
            "{line}"
        );
        assert!(!line.starts_with("undated"), "{line}");
    }
}

/// The report lists the answers at unverified steps even when the scenario fails there.
#[test]
fn answers_at_unverified_steps_are_reported_whatever_the_verdict() {
    let dir = temp_dir("unverified");
    let json = dir.join("report.json");
    let output = run(&[
        "run",
        "--exact",
        "merge::with-provider-issuer",
        "--vault-quirk",
        "merge-with-issuer-allowed",
        "--json",
        json.to_str().unwrap(),
    ]);
    let console = text(&output);
    assert_eq!(output.status.code(), Some(101), "{console}");
    assert!(
        console.contains("what the target answered at the"),
        "{console}"
    );
    let line = console
        .lines()
        .find(|l| {
            l.trim_start()
                .starts_with("merge::with-provider-issuer @ merge:")
        })
        .unwrap_or_else(|| panic!("no answer line:\n{console}"));
    assert!(line.contains("(expected status 403"), "{line}");
    let report = json_file(&json);
    let answers = report["unverified_answers"].as_array().expect("list");
    let merge = answers
        .iter()
        .find(|a| a["step"] == "merge")
        .unwrap_or_else(|| panic!("{report}"));
    assert_ne!(merge["status"], Value::from(403), "{merge}");
    assert!(
        merge["request"]
            .as_str()
            .is_some_and(|r| r.starts_with("POST /certificates/[cert]/pending/merge")),
        "{merge}"
    );
    assert!(
        merge["answer"]
            .as_str()
            .is_some_and(|a| a.starts_with("status: ")),
        "{merge}"
    );
}
