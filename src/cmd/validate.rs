//! `kvconform validate`: scenario files checked without running them; the whole suite also
//! checks that every rule has a scenario.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::cli::ValidateArgs;
use crate::exit;
use crate::scenario::{self, Catalogue, Suite};

pub fn validate(args: &ValidateArgs) -> ExitCode {
    let spec = args.dir.spec();
    let suite = match Suite::from_spec(&spec) {
        Ok(suite) => suite,
        Err(err) => return super::fail(exit::USAGE, &err),
    };
    // Areas of the given files are named relative to the suite's folder.
    let root = spec
        .user_folder()
        .unwrap_or_else(|| PathBuf::from("scenarios"));
    let errors = match args.paths.is_empty() {
        true => suite_errors(&suite),
        false => file_errors(&args.paths, &root, &suite.catalogue),
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

fn file_errors(paths: &[std::path::PathBuf], root: &Path, catalogue: &Catalogue) -> Vec<String> {
    paths
        .iter()
        .filter_map(|p| scenario::load_file(p, &scenario::area_of(root, p), catalogue).err())
        .map(|e| e.to_string())
        .collect()
}
