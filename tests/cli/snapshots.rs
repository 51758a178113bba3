//! Snapshots: none orphaned, each with its provenance, and a changed snapshot fails the run
//! with a readable diff.

use std::collections::BTreeSet;
use std::path::PathBuf;

use kvconform::snapshot::{read_contents, read_provenance, relative_path};

use super::support::{copy_tree, root, run, temp_dir, text};

/// `(scenario id, step, snapshot path, provenance)` for every step that has a snapshot.
fn declared() -> Vec<(String, String, PathBuf, String)> {
    let set = kvconform::scenario::Suite::load(&root().join("scenarios"))
        .unwrap()
        .set;
    let mut out = Vec::new();
    for scenario in &set.scenarios {
        let plan = kvconform::plan::plan(scenario, kvconform::plan::Oracle::Service);
        for step in &plan.steps {
            if let Some(provenance) = &step.expect.snapshot {
                let path = root()
                    .join("snapshots")
                    .join(relative_path(&plan.id, &step.name));
                out.push((
                    plan.id.clone(),
                    step.name.clone(),
                    path,
                    provenance.value.clone(),
                ));
            }
        }
    }
    out
}

fn snap_files(dir: &std::path::Path, out: &mut BTreeSet<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            snap_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "snap") {
            out.insert(path);
        }
    }
}

#[test]
fn every_snapshot_belongs_to_a_step_and_records_its_provenance() {
    let declared = declared();
    assert!(
        declared.len() >= 10,
        "only {} snapshot steps",
        declared.len()
    );
    let mut on_disk = BTreeSet::new();
    snap_files(&root().join("snapshots"), &mut on_disk);
    let expected: BTreeSet<PathBuf> = declared.iter().map(|d| d.2.clone()).collect();
    let orphans: Vec<_> = on_disk.difference(&expected).collect();
    assert!(orphans.is_empty(), "orphan snapshots: {orphans:?}");
    for (id, step, path, provenance) in &declared {
        assert!(
            read_contents(path).unwrap().is_some(),
            "{id} @ {step}: {} missing",
            path.display()
        );
        assert_eq!(
            read_provenance(path).unwrap().as_deref(),
            Some(provenance.as_str()),
            "{}",
            path.display()
        );
    }
}

#[test]
fn a_changed_snapshot_fails_with_a_readable_diff() {
    let (id, _, path, _) = declared()
        .into_iter()
        .find(|d| {
            read_contents(&d.2)
                .ok()
                .flatten()
                .is_some_and(|t| t.contains("inProgress"))
        })
        .expect("a snapshot showing inProgress");
    let dir = temp_dir("tampered");
    copy_tree(&root().join("snapshots"), &dir);
    let relative = path.strip_prefix(root().join("snapshots")).unwrap();
    let copy = dir.join(relative);
    let original = std::fs::read_to_string(&copy).unwrap();
    std::fs::write(
        &copy,
        original.replacen("\"inProgress\"", "\"inprogress\"", 1),
    )
    .unwrap();
    let output = run(&["run", "--exact", &id, "--snapshots", dir.to_str().unwrap()]);
    let console = text(&output);
    assert_eq!(output.status.code(), Some(101), "{console}");
    assert!(
        console.contains("differs (- snapshot, + actual)"),
        "{console}"
    );
    assert!(
        console.contains("-  \"status\": \"inprogress\""),
        "{console}"
    );
    assert!(
        console.contains("+  \"status\": \"inProgress\""),
        "{console}"
    );
}
