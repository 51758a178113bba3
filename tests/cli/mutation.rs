//! The mutation matrix: every fault the reference vault can inject is caught by at least
//! one scenario, so no check in the suite is decorative.

use std::sync::Mutex;

use kvconform::vault::Quirk;

use super::support::{ids_with, json_report, run, temp_dir};

/// Runs at once: each run mostly waits on the embedded vault's in-progress windows.
const WORKERS: usize = 4;

#[test]
fn every_quirk_makes_at_least_one_scenario_fail() {
    let dir = temp_dir("mutation");
    let queue = Mutex::new(Quirk::ALL.to_vec());
    let results = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..WORKERS {
            scope.spawn(|| {
                while let Some(quirk) = queue.lock().unwrap().pop() {
                    let report_path = dir.join(format!("{}.json", quirk.name()));
                    let output = run(&[
                        "run",
                        "-q",
                        "--vault-quirk",
                        quirk.name(),
                        "--json",
                        report_path.to_str().unwrap(),
                    ]);
                    let failed = ids_with(&json_report(&report_path), "failed");
                    let exit = output.status.code();
                    results.lock().unwrap().push((quirk.name(), failed, exit));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort();
    let mut matrix = String::from("| quirk | scenarios that catch it |\n|---|---|\n");
    for (quirk, failed, _) in &results {
        matrix.push_str(&format!("| `{quirk}` | {} |\n", failed.join(", ")));
    }
    std::fs::write(dir.join("matrix.md"), &matrix).unwrap();
    let uncaught: Vec<_> = results
        .iter()
        .filter(|(_, failed, exit)| failed.is_empty() || *exit != Some(101))
        .map(|(quirk, _, _)| *quirk)
        .collect();
    assert_eq!(results.len(), Quirk::ALL.len());
    assert!(
        uncaught.is_empty(),
        "quirks no scenario catches: {uncaught:?}\n{matrix}"
    );
}
