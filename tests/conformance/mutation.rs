//! The mutation matrix: every fault the reference vault can inject is caught by at least
//! one scenario, so no check in the suite is decorative.

use kvconform::vault::Quirk;

use super::support::{ids_with, json_report, run, temp_dir, text};

#[test]
fn every_quirk_makes_at_least_one_scenario_fail() {
    let dir = temp_dir("mutation");
    let mut matrix = String::from("| quirk | scenarios that catch it |\n|---|---|\n");
    let mut uncaught = Vec::new();
    for quirk in Quirk::ALL {
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
        if failed.is_empty() || output.status.code() != Some(101) {
            uncaught.push(quirk.name());
        }
        matrix.push_str(&format!("| `{}` | {} |\n", quirk.name(), failed.join(", ")));
        let _ = text(&output);
    }
    std::fs::write(dir.join("matrix.md"), &matrix).unwrap();
    assert!(
        uncaught.is_empty(),
        "quirks no scenario catches: {uncaught:?}\n{matrix}"
    );
}
