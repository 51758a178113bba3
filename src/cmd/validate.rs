//! `kvconform validate`: scenario files checked without running them; the whole suite also
//! checks that every rule has a scenario.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::cli::ValidateArgs;
use crate::exit;
use crate::scenario::{self, Catalogue, Suite, SuiteSpec};

pub fn validate(args: &ValidateArgs) -> ExitCode {
    // `kvconform validate DIR` on a suite folder (what `kvconform init DIR` writes) means
    // the whole suite, as `--scenarios DIR` would: the folder holds the rules it needs.
    let (spec, paths) = match suite_folder_given(args) {
        Some(dir) => (SuiteSpec::Dir(dir), Vec::new()),
        None => (args.dir.spec(), args.paths.clone()),
    };
    let suite = match Suite::from_spec(&spec) {
        Ok(suite) => suite,
        Err(err) => return super::fail(exit::USAGE, &err),
    };
    // Areas of the given files are named relative to the suite's folder.
    let root = spec
        .user_folder()
        .unwrap_or_else(|| PathBuf::from("scenarios"));
    let errors = match paths.is_empty() {
        true => suite_errors(&suite),
        false => {
            let (files, mut errors) = expand_dirs(&paths);
            errors.extend(file_errors(&files, &root, &suite.catalogue));
            errors
        }
    };
    for error in &errors {
        let _ = writeln!(std::io::stderr(), "error: {error}");
    }
    ExitCode::from(if errors.is_empty() {
        exit::SUCCESS
    } else {
        exit::FAILED
    })
}

/// The one path given, when it is a suite folder and no `--scenarios` was given.
fn suite_folder_given(args: &ValidateArgs) -> Option<PathBuf> {
    match (&args.dir.scenarios, args.paths.as_slice()) {
        (None, [dir]) if scenario::scenario_folder(dir).join("rules.yaml").is_file() => {
            Some(dir.clone())
        }
        _ => None,
    }
}

/// The paths with every folder replaced by the scenario files below it (sorted); a file
/// given by name stays, whatever its extension, so that its error is reported. A folder that
/// cannot be read, or holds no scenario file, is an error of its own.
fn expand_dirs(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<String>) {
    let (mut files, mut errors) = (Vec::new(), Vec::new());
    let scenario_file = |p: &Path| scenario::is_scenario_file(p) && !p.ends_with("rules.yaml");
    for path in paths {
        if !path.is_dir() {
            files.push(path.clone());
            continue;
        }
        match crate::walk::files_below(path, scenario_file) {
            Ok(found) if found.is_empty() => errors.push(format!(
                "{}: no scenario file (*.yaml) in it",
                path.display()
            )),
            Ok(found) => files.extend(found),
            Err(e) => errors.push(e.to_string()),
        }
    }
    (files, errors)
}

/// Broken files and uncovered rules of the whole suite.
fn suite_errors(suite: &Suite) -> Vec<String> {
    let mut errors: Vec<String> = suite
        .set
        .broken
        .iter()
        .map(|(_, e)| e.to_string())
        .collect();
    errors.extend(
        suite
            .uncovered_rules()
            .into_iter()
            .map(|r| format!("rule `{r}` has no scenario")),
    );
    let _ = writeln!(
        std::io::stdout(),
        "{} scenario(s) valid",
        suite.set.scenarios.len()
    );
    errors
}

/// Errors of the given scenario files; a rule catalogue given by name is pointed to the
/// command that validates it (with its suite).
fn file_errors(paths: &[PathBuf], root: &Path, catalogue: &Catalogue) -> Vec<String> {
    let mut errors = Vec::new();
    let mut valid = 0;
    for path in paths {
        if path.ends_with("rules.yaml") {
            let suite = path.parent().unwrap_or(Path::new("."));
            errors.push(format!(
                "{}: the rule catalogue is validated with its suite: kvconform validate --scenarios {}",
                path.display(),
                suite.display()
            ));
            continue;
        }
        match scenario::load_file(path, &scenario::area_of(root, path), catalogue) {
            Ok(_) => valid += 1,
            Err(e) => errors.push(e.to_string()),
        }
    }
    let _ = writeln!(
        std::io::stdout(),
        "{valid} of {} file(s) valid",
        paths.len()
    );
    errors
}
