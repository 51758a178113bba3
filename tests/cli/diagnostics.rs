//! Every error a user can see, in its one rendering (`error: MESSAGE`, `--> file:line:col`,
//! the source line and a caret), locked by snapshots of the text: a bad scenario file (a
//! format error and a rule of the format), a bad expectations file, a failed step's location.
//! A bad flag is clap's own format (`error: unexpected argument …` and the usage); it is
//! locked here too so that a change to it is seen.

use std::path::Path;
use std::process::Output;

use super::support::{bin, scenarios, temp_dir};

const LIST: &str = "id: list\ntitle: t\nrules: [create-manual]\nsource: s\nsteps:\n  - name: list\n    request: { method: GET, path: /certificates }\n    expect: { status: 201 }\n";

/// Runs the binary in `dir`, so that the paths it prints are relative and stable.
fn run_in(dir: &Path, args: &[&str]) -> Output {
    bin().current_dir(dir).args(args).output().expect("runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_bad_scenario_file() {
    let dir = temp_dir("diag-scenario");
    // (Not an unknown field: its message lists every field, which grows with the format.)
    let wrong = LIST.replace("status: 201", "status: ok");
    let unknown = LIST.replace("/certificates", "\"/certificates/{{nmae}}\"");
    let snapshot = LIST.replace("status: 201", "status: 201, snapshot: mine");
    scenarios(
        &dir,
        &[
            ("area/wrong.yaml", &wrong),
            ("area/unknown.yaml", &unknown),
            ("area/snapshot.yaml", &snapshot),
        ],
    );
    let output = run_in(
        &dir,
        &[
            "validate",
            "--scenarios",
            "scenarios",
            "scenarios/area/wrong.yaml",
            "scenarios/area/unknown.yaml",
            "scenarios/area/snapshot.yaml",
        ],
    );
    assert_eq!(output.status.code(), Some(101), "{}", stderr(&output));
    insta::assert_snapshot!(stderr(&output), @r#"
        error: expected an HTTP status code (a number from 100 to 599), got `ok`
          --> scenarios/area/wrong.yaml:8:23
           |
         8 |     expect: { status: ok }
           |                       ^
        error: step `list`: unknown variable `{{nmae}}`
          --> scenarios/area/unknown.yaml:6:11
           |
         6 |   - name: list
           |           ^
        error: step `list`: snapshot provenance must start with one of ["real:", "doc:", "reference-vault:"], got "mine"
          --> scenarios/area/snapshot.yaml:8:38
           |
         8 |     expect: { status: 201, snapshot: mine }
           |                                      ^
    "#);
}

/// `validate DIR`: a suite folder is validated whole (as `--scenarios DIR`), any other
/// folder stands for the scenario files below it; a catalogue given by name is pointed to
/// the command that validates it.
#[test]
fn validate_takes_folders() {
    let dir = temp_dir("diag-folders");
    let wrong = LIST.replace("status: 201", "status: 999");
    let quoted = LIST.replace("status: 201", "status: \"201\"");
    scenarios(
        &dir,
        &[
            ("area/list.yaml", LIST),
            ("area/wrong.yaml", &wrong),
            ("quoted/q.yaml", &quoted),
        ],
    );
    let q = run_in(
        &dir,
        &[
            "validate",
            "--scenarios",
            "scenarios",
            "scenarios/quoted/q.yaml",
        ],
    );
    assert!(
        stderr(&q).contains(r#"got the string "201" (write the number without quotes)"#),
        "{}",
        stderr(&q)
    );
    let whole = run_in(&dir, &["validate", "scenarios"]);
    let area = run_in(
        &dir,
        &["validate", "--scenarios", "scenarios", "scenarios/area"],
    );
    for output in [&whole, &area] {
        assert_eq!(output.status.code(), Some(101), "{}", stderr(output));
        assert!(stderr(output).contains("got `999`"), "{}", stderr(output));
    }
    assert!(String::from_utf8_lossy(&area.stdout).contains("1 of 2 file(s) valid"));
    assert!(stderr(&whole).contains("got `999`") && stderr(&whole).contains("got the string"));
    std::fs::create_dir_all(dir.join("scenarios/empty")).expect("mkdir");
    let empty = run_in(
        &dir,
        &["validate", "--scenarios", "scenarios", "scenarios/empty"],
    );
    assert_eq!(empty.status.code(), Some(101), "{}", stderr(&empty));
    assert!(
        stderr(&empty).contains("scenarios/empty: no scenario file"),
        "{}",
        stderr(&empty)
    );
    let catalogue = run_in(
        &dir,
        &[
            "validate",
            "--scenarios",
            "scenarios",
            "scenarios/rules.yaml",
        ],
    );
    assert_eq!(catalogue.status.code(), Some(101));
    insta::assert_snapshot!(stderr(&catalogue), @"error: scenarios/rules.yaml: the rule catalogue is validated with its suite: kvconform validate --scenarios scenarios");
}

#[test]
fn a_bad_expectations_file() {
    let dir = temp_dir("diag-expectations");
    scenarios(&dir, &[("area/list.yaml", LIST)]);
    std::fs::write(
        dir.join("expectations.yaml"),
        "expectations:\n  - scenario: area::list\n    outcome: fail\n    reason: r\n  - scenario: area::gone\n    outcome: fail\n    reason: r\n    date: yesterday\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("bad-outcome.yaml"),
        "expectations:\n  - scenario: area::list\n    outcome: maybe\n    reason: r\n",
    )
    .expect("write");
    let args = ["run", "--scenarios", "scenarios", "--expectations"];
    let output = run_in(&dir, &[&args[..], &["expectations.yaml"]].concat());
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    insta::assert_snapshot!(stderr(&output), @r#"
        error: `area::gone` matches no scenario
          --> expectations.yaml:5:15
           |
         5 |   - scenario: area::gone
           |               ^
        error: `area::gone`: date `yesterday` is not YYYY-MM-DD
          --> expectations.yaml:5:15
           |
         5 |   - scenario: area::gone
           |               ^
    "#);
    let output = run_in(&dir, &[&args[..], &["bad-outcome.yaml"]].concat());
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    insta::assert_snapshot!(stderr(&output), @r#"
        error: unknown variant `maybe`, expected one of fail, inconclusive
          --> bad-outcome.yaml:3:14
           |
         3 |     outcome: maybe
           |              ^
    "#);
}

#[test]
fn a_failed_step_points_at_its_expectation() {
    let dir = temp_dir("diag-step");
    scenarios(&dir, &[("area/list.yaml", LIST)]);
    let output = run_in(&dir, &["run", "--scenarios", "scenarios"]);
    let console = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        stderr(&output)
    );
    assert_eq!(output.status.code(), Some(101), "{console}");
    let failure: Vec<&str> = console
        .lines()
        .skip_while(|l| !l.starts_with("step `list`"))
        .take(6)
        .collect();
    insta::assert_snapshot!(failure.join("\n"), @r#"
        step `list`
          --> scenarios/area/list.yaml:8:23
           |
         8 |     expect: { status: 201 }
           |                       ^
          status: expected 201, got 200
    "#);
}

#[test]
fn a_bad_flag_is_clap_s_own_format() {
    let output = bin()
        .args(["run", "--no-such-flag"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    insta::assert_snapshot!(stderr(&output), @r#"
        error: unexpected argument '--no-such-flag' found

          tip: to pass '--no-such-flag' as a value, use '-- --no-such-flag'

        Usage: kvconform run [OPTIONS] [FILTER]...

        For more information, try '--help'.
    "#);
}
