//! [`SnapshotPlan`]: where a run reads snapshots and whether it writes them, decided from the
//! oracle, the suite, `--snapshots`, `--update-snapshots`, `--record` and the CI rule.

use std::path::PathBuf;

use crate::builtin;
use crate::cli::{RunArgs, UpdateHow};
use crate::plan::Oracle;
use crate::scenario::{SuiteSpec, snapshot_folder};
use crate::snapshot::{Source, Writing};

use crate::harness::StartError;

/// Where a run reads snapshots and whether it writes them.
#[derive(Clone, Debug, PartialEq)]
pub struct SnapshotPlan {
    pub read: Vec<Source>,
    pub writing: Option<Writing>,
}

impl SnapshotPlan {
    /// The plan of `kvconform run` with these flags; `None` under the doc oracle.
    pub fn decide(args: &RunArgs, in_ci: bool) -> Result<Option<SnapshotPlan>, StartError> {
        snapshots(args, in_ci, builtin::checkout())
    }
}

/// Snapshots hold the service contract: checked under the service oracle only. A plain run
/// only reads them (the suite's own, or `--snapshots DIR`); `--update-snapshots` writes the
/// project's own store (the checkout the binary was built from, never in CI), `--record DIR`
/// the user's directory.
fn snapshots(
    args: &RunArgs,
    in_ci: bool,
    checkout: Option<PathBuf>,
) -> Result<Option<SnapshotPlan>, StartError> {
    if args.oracle != Oracle::Service {
        return Ok(None);
    }
    if let Some(how) = args.update_snapshots {
        let dir = project_store(args, in_ci, checkout)?;
        return Ok(Some(SnapshotPlan {
            read: vec![Source::Dir(dir.clone())],
            writing: Some(Writing::Update {
                dir,
                review: how == UpdateHow::Review,
            }),
        }));
    }
    let spec = args.dir.spec();
    let read = match (&args.snapshots, &spec) {
        (Some(dir), _) => vec![Source::Dir(dir.clone())],
        (None, SuiteSpec::Builtin) => vec![Source::Builtin],
        (None, SuiteSpec::Dir(dir)) => vec![Source::Dir(snapshot_folder(dir))],
        (None, SuiteSpec::BuiltinAnd(dir)) => {
            vec![Source::Dir(snapshot_folder(dir)), Source::Builtin]
        }
    };
    let writing = args.record.clone().map(|dir| Writing::Record { dir });
    Ok(Some(SnapshotPlan { read, writing }))
}

/// The project's `snapshots/`, for `--update-snapshots`: refused in CI, for a user's suite,
/// and away from the checkout.
fn project_store(
    args: &RunArgs,
    in_ci: bool,
    checkout: Option<PathBuf>,
) -> Result<PathBuf, StartError> {
    let usage = |m: &str| Err(StartError::Usage(m.into()));
    if in_ci {
        return usage("--update-snapshots is refused in CI (CI is set)");
    }
    if args.dir.scenarios.is_some() {
        return usage(
            "--update-snapshots writes the built-in suite's snapshots; for your own suite use \
             --record DIR (e.g. --record <suite>/snapshots)",
        );
    }
    match checkout {
        Some(root) => Ok(root.join("snapshots")),
        None => usage(concat!(
            "--update-snapshots writes the project's own snapshots and needs the kvconform \
             checkout this binary was built from (",
            env!("CARGO_MANIFEST_DIR"),
            " is gone); to record into a directory of yours use --record DIR"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser as _;

    #[test]
    fn updating_the_project_store_needs_the_checkout_and_no_ci() {
        let args = |flags: &[&str]| {
            let cli = crate::cli::Cli::try_parse_from(["kvconform", "run"].iter().chain(flags))
                .expect("flags parse");
            match cli.command {
                crate::cli::Command::Run(args) => args,
                _ => panic!("not run"),
            }
        };
        let checkout = Some(PathBuf::from("/checkout"));
        let update = args(&["--update-snapshots"]);
        let plan = snapshots(&update, false, checkout.clone())
            .unwrap()
            .unwrap();
        let dir = PathBuf::from("/checkout/snapshots");
        assert_eq!(plan.read, vec![Source::Dir(dir.clone())]);
        let review = Writing::Update {
            dir: dir.clone(),
            review: false,
        };
        assert_eq!(plan.writing, Some(review));
        let review = args(&["--update-snapshots=review"]);
        let plan = snapshots(&review, false, checkout.clone())
            .unwrap()
            .unwrap();
        assert_eq!(plan.writing, Some(Writing::Update { dir, review: true }));
        let refused = |result: Result<_, StartError>, needle: &str| {
            assert!(matches!(result, Err(StartError::Usage(m)) if m.contains(needle)));
        };
        refused(snapshots(&update, true, checkout.clone()), "refused in CI");
        refused(snapshots(&update, false, None), "--record DIR");
        let user = args(&["--update-snapshots", "--scenarios", "/x"]);
        refused(snapshots(&user, false, checkout), "your own suite");
    }
}
