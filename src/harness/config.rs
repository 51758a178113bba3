//! [`RunConfig`]: the command line of `kvconform run`, decided once. Every rule that depends
//! on several flags or on the environment lives here: `--vault-quirk` only without
//! `--target`, the timing defaults of the embedded vault, and snapshots never written in CI
//! (`snapshot_plan`). The rest of the harness reads this type and never clap's `RunArgs`.

use std::path::PathBuf;
use std::time::Duration;

use crate::cli::RunArgs;
use crate::connect::Connection;
use crate::plan::Oracle;
use crate::scenario::{Capability, SuiteSpec};
use crate::vault::Quirk;

use super::StartError;

mod snapshot_plan;

pub use snapshot_plan::SnapshotPlan;

/// Against the embedded vault, operations end in under a second: shorter deadlines.
const EMBEDDED_AWAIT_TIMEOUT: Duration = Duration::from_secs(10);
const EMBEDDED_MAX_POLL: Duration = Duration::from_millis(10);
const REMOTE_AWAIT_TIMEOUT: Duration = Duration::from_secs(120);
const REMOTE_MAX_POLL: Duration = Duration::from_millis(2000);
/// The embedded vault shares the machine's cores with the harness: a few jobs fill them.
const EMBEDDED_JOBS: usize = 8;
/// Against a remote target the time goes into waiting for its operations (a Self
/// certificate takes 10 s on the real service), and every scenario is independent: all of
/// the suite at once, so that the run takes about as long as its longest scenario. Requests
/// stay within the vault's throttling limits through the target's budget (`target::pace`).
const REMOTE_JOBS: usize = 64;
/// With several api-versions each version gets the default's jobs, up to this many threads.
const MOST_DEFAULT_JOBS: usize = 256;

/// A whole `kvconform run`, typed.
#[derive(Clone, Debug)]
pub struct RunConfig {
    /// The built-in suite, a user's, or both.
    pub suite: SuiteSpec,
    pub target: TargetChoice,
    pub connection: Connection,
    /// `--api-version` as a list (`all` expanded); the connection speaks the first.
    pub api_versions: Vec<String>,
    pub oracle: Oracle,
    pub mode: Mode,
    pub selection: Selection,
    pub outputs: Outputs,
    /// `--expectations FILE`: known deviations of this target.
    pub expectations: Option<PathBuf>,
    /// Inconclusive scenarios fail the run.
    pub strict: bool,
    /// Unexpected passes fail the run.
    pub strict_xpass: bool,
    /// Scenarios run at once (at least one).
    pub jobs: usize,
    pub await_timeout: Duration,
    pub max_poll_interval: Duration,
    /// Capabilities declared missing (`--without`).
    pub without: Vec<Capability>,
    /// Probe a remote target for what it lacks before the run.
    pub probe: bool,
    pub target_version: Option<String>,
    /// Where snapshots are read and written; `None` under the doc oracle.
    pub snapshots: Option<SnapshotPlan>,
    /// `--record DIR`: snapshots and unverified answers are written there.
    pub record: Option<PathBuf>,
    /// Recordings name the target `[redacted]`.
    pub redact_host: bool,
    /// Quiet console (one character per scenario).
    pub quiet: bool,
    /// Print where the time went.
    pub timings: bool,
    /// `--slow-after`: when a still-running scenario is named on stderr (`None`: never).
    pub slow_after: Option<Duration>,
}

/// What the run is against.
#[derive(Clone, Debug, PartialEq)]
pub enum TargetChoice {
    /// The reference vault started in-process on 127.0.0.1:0, with these faults.
    Embedded { quirks: Vec<Quirk> },
    /// A vault URL.
    Remote(String),
}

/// Run the scenarios, or only show what would run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Run,
    /// `--dry-run`: every request and object, nothing sent.
    DryRun,
    /// `--list`: the scenario names.
    List,
}

/// Which scenarios run: libtest's filters.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    pub filters: Vec<String>,
    pub exact: bool,
    pub skip: Vec<String>,
}

impl Selection {
    /// Whether `name` passes the FILTERs (`--skip` is left to libtest).
    pub fn keeps(&self, name: &str) -> bool {
        self.filters.is_empty()
            || self.filters.iter().any(|f| match self.exact {
                true => name == f,
                false => name.contains(f.as_str()),
            })
    }
}

/// Files the run writes after the verdict.
#[derive(Clone, Debug, Default)]
pub struct Outputs {
    pub json: Option<PathBuf>,
    pub junit: Option<PathBuf>,
    pub har: Option<PathBuf>,
    pub write_expectations: Option<PathBuf>,
}

impl Outputs {
    /// Each report file asked for, with its flag (for messages). A new report file is listed
    /// here and written in `harness::reports::write_files`.
    pub fn files(&self) -> impl Iterator<Item = (&'static str, &PathBuf)> {
        let files = [
            ("--json", &self.json),
            ("--junit", &self.junit),
            ("--har", &self.har),
            ("--write-expectations", &self.write_expectations),
        ];
        files
            .into_iter()
            .filter_map(|(flag, path)| Some((flag, path.as_ref()?)))
    }
}

impl RunConfig {
    /// Decides every flag of `kvconform run`; `in_ci` is [`in_ci`] outside tests.
    pub fn from_args(args: &RunArgs, in_ci: bool) -> Result<RunConfig, StartError> {
        let target = target_choice(args)?;
        let embedded = matches!(target, TargetChoice::Embedded { .. });
        let (await_default, poll_default, jobs_default) = match embedded {
            true => (EMBEDDED_AWAIT_TIMEOUT, EMBEDDED_MAX_POLL, EMBEDDED_JOBS),
            false => (REMOTE_AWAIT_TIMEOUT, REMOTE_MAX_POLL, REMOTE_JOBS),
        };
        let api_versions = crate::api_versions::parse_list(&args.connect.api_version)
            .map_err(|e| StartError::Usage(e.to_string()))?;
        // Only a run sends: a dry run or a listing shows what any version would do.
        if matches!(target, TargetChoice::Embedded { .. }) && mode(args) == Mode::Run {
            embedded_speaks(&api_versions)?;
        }
        let mut connection = Connection::from(&args.connect);
        connection.api_version.clone_from(&api_versions[0]);
        let jobs = args
            .jobs
            .unwrap_or((jobs_default * api_versions.len()).min(MOST_DEFAULT_JOBS))
            .max(1);
        Ok(RunConfig {
            suite: args.dir.spec(),
            target,
            connection,
            api_versions,
            oracle: args.oracle,
            mode: mode(args),
            selection: Selection {
                filters: args.filters.clone(),
                exact: args.exact,
                skip: args.skip.clone(),
            },
            outputs: Outputs {
                json: args.json.clone(),
                junit: args.junit.clone(),
                har: args.har.clone(),
                write_expectations: args.write_expectations.clone(),
            },
            expectations: args.expectations.clone(),
            strict: args.strict,
            strict_xpass: args.strict_xpass,
            jobs,
            await_timeout: args
                .await_timeout
                .map_or(await_default, Duration::from_secs),
            max_poll_interval: args
                .max_poll_interval
                .map_or(poll_default, Duration::from_millis),
            without: args.without.clone(),
            probe: !embedded && !args.no_probe,
            target_version: args.target_version.clone(),
            snapshots: SnapshotPlan::decide(args, in_ci)?,
            record: args.record.clone(),
            redact_host: args.redact_host,
            quiet: args.quiet,
            timings: args.timings,
            slow_after: slow_after(args.slow_after)?,
        })
    }
}

/// The CI rule, decided in this one place: `CI` set to anything but empty or `false`.
pub fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false")
}

fn mode(args: &RunArgs) -> Mode {
    if args.dry_run {
        Mode::DryRun
    } else if args.list {
        Mode::List
    } else {
        Mode::Run
    }
}

/// Refuses a version the embedded vault does not speak: a run of it would be every
/// scenario failing on a 400, which says nothing about the suite.
fn embedded_speaks(versions: &[String]) -> Result<(), StartError> {
    match versions
        .iter()
        .find(|v| !crate::vault::speaks_api_version(v))
    {
        None => Ok(()),
        Some(refused) => Err(StartError::Usage(format!(
            "the embedded reference vault refuses api-version {refused}, as the service does \
             (it takes 7.0-7.6 and the dated versions, `--api-version all` runs every one \
             kvconform knows); to see how another vault answers it, use --target"
        ))),
    }
}

/// `--slow-after SECS`: positive seconds, or 0 for never.
fn slow_after(secs: f64) -> Result<Option<Duration>, StartError> {
    match Duration::try_from_secs_f64(secs) {
        Ok(d) if d.is_zero() => Ok(None),
        Ok(d) => Ok(Some(d)),
        Err(_) => Err(StartError::Usage(format!(
            "--slow-after {secs}: seconds (0 or more) expected"
        ))),
    }
}

/// `--vault-quirk` applies to the embedded vault only, and each must be a known quirk.
fn target_choice(args: &RunArgs) -> Result<TargetChoice, StartError> {
    if let Some(url) = &args.target {
        if !args.vault_quirk.is_empty() {
            return Err(StartError::Usage(
                "--vault-quirk applies to the embedded vault only; drop --target".into(),
            ));
        }
        return Ok(TargetChoice::Remote(url.clone()));
    }
    let quirks = args
        .vault_quirk
        .iter()
        .map(|name| {
            name.parse::<Quirk>().map_err(|_| {
                StartError::Usage(format!(
                    "unknown quirk `{name}` (see `kvconform serve --list-quirks`)"
                ))
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(TargetChoice::Embedded { quirks })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::{Source, Writing};
    use clap::Parser as _;

    fn config(flags: &[&str], in_ci: bool) -> Result<RunConfig, StartError> {
        let cli = crate::cli::Cli::try_parse_from(["kvconform", "run"].iter().chain(flags))
            .expect("flags parse");
        let crate::cli::Command::Run(args) = cli.command else {
            panic!("not run")
        };
        RunConfig::from_args(&args, in_ci)
    }

    #[test]
    fn timing_defaults_follow_the_target() {
        let embedded = config(&[], false).unwrap();
        assert_eq!(embedded.await_timeout, EMBEDDED_AWAIT_TIMEOUT);
        assert_eq!(embedded.max_poll_interval, EMBEDDED_MAX_POLL);
        assert_eq!(embedded.jobs, EMBEDDED_JOBS);
        assert!(!embedded.probe);
        let remote = config(&["--target", "http://127.0.0.1:1"], false).unwrap();
        assert_eq!(remote.await_timeout, REMOTE_AWAIT_TIMEOUT);
        assert_eq!(remote.max_poll_interval, REMOTE_MAX_POLL);
        assert_eq!(remote.jobs, REMOTE_JOBS);
        let all = config(&["--api-version", "all"], false).unwrap();
        assert_eq!(all.jobs, EMBEDDED_JOBS * 9);
        assert_eq!(all.api_versions.len(), 9);
        assert_eq!(all.connection.api_version, "7.0");
        let remote_all = config(&["--target", "http://x", "--api-version", "all"], false);
        assert_eq!(remote_all.unwrap().jobs, MOST_DEFAULT_JOBS);
        assert!(remote.probe);
        let set = config(
            &[
                "--await-timeout",
                "3",
                "--max-poll-interval",
                "7",
                "-j",
                "0",
            ],
            false,
        )
        .unwrap();
        assert_eq!(set.jobs, 1);
        assert_eq!(set.await_timeout, Duration::from_secs(3));
        assert_eq!(set.max_poll_interval, Duration::from_millis(7));
    }

    #[test]
    fn quirks_need_the_embedded_vault_and_known_names() {
        let both = config(
            &["--target", "http://x", "--vault-quirk", "no-retry-after"],
            false,
        );
        assert!(matches!(both, Err(StartError::Usage(m)) if m.contains("drop --target")));
        let unknown = config(&["--vault-quirk", "no-such-quirk"], false);
        assert!(matches!(unknown, Err(StartError::Usage(m)) if m.contains("unknown quirk")));
    }

    #[test]
    fn the_embedded_vault_is_only_run_on_versions_it_speaks() {
        let refused = config(&["--api-version", "7.6,7.7"], false);
        assert!(
            matches!(refused, Err(StartError::Usage(m)) if m.contains("refuses api-version 7.7"))
        );
        assert!(config(&["--api-version", "2025-07-01,7.0-preview"], false).is_ok());
        assert!(config(&["--target", "http://x", "--api-version", "7.7"], false).is_ok());
        assert!(config(&["--api-version", "7.7", "--dry-run"], false).is_ok());
        assert!(config(&["--api-version", "7.7", "--list"], false).is_ok());
    }

    #[test]
    fn a_plain_run_only_reads_and_recording_needs_a_flag() {
        let plan = |flags: &[&str]| config(flags, false).unwrap().snapshots.unwrap();
        assert_eq!(plan(&[]).read, vec![Source::Builtin]);
        assert_eq!(plan(&[]).writing, None);
        let user = plan(&["--scenarios", "/s/suite/scenarios"]);
        assert_eq!(user.read, vec![Source::Dir("/s/suite/snapshots".into())]);
        assert_eq!(user.writing, None);
        let both = plan(&["--scenarios", "/s/x", "--with-builtin"]);
        assert_eq!(
            both.read,
            vec![Source::Dir("/s/snapshots".into()), Source::Builtin]
        );
        let record = plan(&["--record", "/r"]);
        assert_eq!(record.writing, Some(Writing::Record { dir: "/r".into() }));
        assert!(
            config(&["--oracle", "doc"], false)
                .unwrap()
                .snapshots
                .is_none()
        );
    }
}
