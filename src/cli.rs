//! The command line: subcommands and their flags. Parsing only; each command lives in its
//! own module.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::plan::Oracle;
use crate::scenario::{Capability, SuiteSpec};

#[derive(Debug, Parser)]
#[command(
    name = "kvconform",
    version,
    about = "Conformance harness for the Azure Key Vault certificate-creation lifecycle",
    after_help = crate::exit::HELP
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the scenarios against a target (default: the embedded reference vault).
    Run(Box<RunArgs>),
    /// List scenarios with their rules, and the rules × scenarios coverage.
    List(ListArgs),
    /// Validate scenario files without running them.
    Validate(ValidateArgs),
    /// Serve the reference vault (a Key Vault certificates emulator) over HTTP(S).
    Serve(crate::vault::ServeArgs),
    /// Print the doc-vs-service deviation table (Markdown), generated from the scenarios.
    Deviations(ListArgs),
    /// List (and with --yes remove) objects left behind by earlier runs, by name prefix.
    Sweep(Box<SweepArgs>),
    /// Markdown table of targets × rules and scenarios from several JSON reports.
    Matrix(MatrixArgs),
    /// Print the JSON Schema of the scenario format (committed as schemas/scenario.schema.json).
    Schema,
    /// List snapshots with their provenance and date, oldest first.
    Snapshots(SnapshotsArgs),
    /// Write the built-in suite (scenarios/, snapshots/, schemas/) into DIR, as a start for
    /// your own (run it with `kvconform run --scenarios DIR`).
    Init(InitArgs),
}

/// Which scenarios: the built-in suite unless `--scenarios` names a directory.
#[derive(Debug, Args, Clone)]
pub struct ScenarioDir {
    /// Your own suite instead of the built-in one: a folder laid out like the project's
    /// scenarios/ (rules.yaml, <area>/<id>.yaml; snapshots in snapshots/ beside it), or a
    /// folder written by `kvconform init DIR`. [default: the built-in suite, embedded in the
    /// binary]
    #[arg(long, value_name = "DIR")]
    pub scenarios: Option<PathBuf>,
    /// With --scenarios: run the built-in suite too (default: your suite alone).
    #[arg(long, requires = "scenarios")]
    pub with_builtin: bool,
}

impl ScenarioDir {
    pub fn spec(&self) -> SuiteSpec {
        match (&self.scenarios, self.with_builtin) {
            (None, _) => SuiteSpec::Builtin,
            (Some(dir), false) => SuiteSpec::Dir(dir.clone()),
            (Some(dir), true) => SuiteSpec::BuiltinAnd(dir.clone()),
        }
    }
}

/// How to reach and authenticate to a target: shared by `run` and `sweep`.
#[derive(Debug, Args, Clone)]
pub struct ConnectArgs {
    /// api-version sent with every request (7.0–7.6 and dated versions accepted by targets).
    /// `run` also takes a comma-separated list or `all` (7.0–7.6, 2025-07-01, 2026-04-01):
    /// the suite runs once per version, trials named `VERSION::area::id`.
    #[arg(long, value_name = "V", default_value = "2025-07-01")]
    pub api_version: String,
    /// Extra CA certificate (PEM) to trust for the target.
    #[arg(long, value_name = "PEM")]
    pub ca_cert: Option<PathBuf>,
    /// Accept any TLS certificate (prints a warning).
    #[arg(long)]
    pub insecure: bool,
    /// Credential: `none`, `bearer` (a token read from --token-env) or `azure` (Azure AD:
    /// client secret from AZURE_TENANT_ID/AZURE_CLIENT_ID/AZURE_CLIENT_SECRET, Azure CLI,
    /// managed identity; scope from the vault's 401 challenge).
    #[arg(long, value_enum)]
    pub auth: Option<AuthMode>,
    /// Environment variable holding the bearer token (implies --auth bearer).
    #[arg(long, value_name = "NAME")]
    pub token_env: Option<String>,
    /// Per-request timeout in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub request_timeout: u64,
}

#[derive(Debug, Args, Clone)]
pub struct RunArgs {
    #[command(flatten)]
    pub dir: ScenarioDir,
    /// Vault URL, e.g. https://myvault.vault.azure.net. Default: start the embedded
    /// reference vault on 127.0.0.1:0 and run against it over real HTTP.
    #[arg(long, value_name = "URL")]
    pub target: Option<String>,
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Hold the target to the real service (default) or to the published doc.
    #[arg(long, value_enum, default_value_t = Oracle::Service)]
    pub oracle: Oracle,
    /// Write the JSON report here.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write a JUnit XML report here (failures as <failure>, harness errors as <error>).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write every HTTP exchange (cleanup and retries included) as HAR 1.2, secrets redacted.
    #[arg(long, value_name = "FILE")]
    pub har: Option<PathBuf>,
    /// Known deviations of this target (YAML): expected failures become xfail.
    #[arg(long, value_name = "FILE")]
    pub expectations: Option<PathBuf>,
    /// Write an expectations file proposing every failed or inconclusive scenario.
    #[arg(long, value_name = "FILE")]
    pub write_expectations: Option<PathBuf>,
    /// Fail the run (exit 101) when a scenario expected to fail passes (xpass).
    #[arg(long)]
    pub strict_xpass: bool,
    /// Print every request and object the run would make, without contacting the target.
    #[arg(long)]
    pub dry_run: bool,
    /// Scenarios run at once (default 8 against the embedded vault; 64 against a --target,
    /// whose slow operations then overlap, with requests kept within its throttling limits;
    /// times the number of api-versions, up to 256).
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
    /// Deadline of every await step in seconds; a scenario's `timeout_s` can only shorten it
    /// (default 120; 10 against the embedded vault, whose operations end in under a second).
    #[arg(long, value_name = "SECS")]
    pub await_timeout: Option<u64>,
    /// Longest wait between polls in milliseconds, whatever Retry-After says
    /// (default 2000; 10 against the embedded vault). Below it, polls start 20 ms apart and
    /// the wait grows to a tenth of the time already waited, never past Retry-After.
    #[arg(long, value_name = "MS")]
    pub max_poll_interval: Option<u64>,
    /// Capabilities the target lacks; scenarios that need them are skipped.
    #[arg(long, value_enum, value_name = "CAP")]
    pub without: Vec<Capability>,
    /// Do not probe a --target for the capabilities it lacks before the run.
    #[arg(long)]
    pub no_probe: bool,
    /// The target's version, when it reports none itself (stamped on the JSON report and
    /// compared with the version the expectations were measured on).
    #[arg(long, value_name = "V")]
    pub target_version: Option<String>,
    /// Compare snapshots with this directory instead of the suite's own (the built-in
    /// snapshots, or snapshots/ beside --scenarios). Never written to.
    #[arg(long, value_name = "DIR", conflicts_with = "update_snapshots")]
    pub snapshots: Option<PathBuf>,
    /// Maintainers: record the target's answers into the project's own snapshots/ (only from
    /// the checkout the binary was built from, never in CI). `=review` writes <name>.snap.new
    /// beside each differing snapshot for `cargo insta review` instead of overwriting it.
    #[arg(
        long,
        value_enum,
        value_name = "HOW",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "overwrite"
    )]
    pub update_snapshots: Option<UpdateHow>,
    /// Record the target's answers into DIR: every snapshot step as <area>/<id>@<step>.snap
    /// and every unverified step in unverified-answers.json, stamped with the target's host,
    /// the api-version, the date and the kvconform version. The verdict is unchanged.
    #[arg(long, value_name = "DIR", conflicts_with = "update_snapshots")]
    pub record: Option<PathBuf>,
    /// In recordings, write `[redacted]` instead of the target's host.
    #[arg(long)]
    pub redact_host: bool,
    /// Treat inconclusive scenarios as failures.
    #[arg(long)]
    pub strict: bool,
    /// Fault to inject into the embedded vault (only without --target; see `serve --list-quirks`).
    #[arg(long, value_name = "NAME")]
    pub vault_quirk: Vec<String>,
    /// List the scenarios that would run, and exit.
    #[arg(long)]
    pub list: bool,
    /// Filters match scenario names exactly.
    #[arg(long)]
    pub exact: bool,
    /// Skip scenarios whose name contains this (repeatable).
    #[arg(long, value_name = "FILTER")]
    pub skip: Vec<String>,
    /// Print where the time went (start-up, HTTP, checks, crypto) after the summary.
    #[arg(long)]
    pub timings: bool,
    /// Say on stderr which scenarios are still running after SECS, and at which step (again
    /// at every multiple); 0 turns it off.
    #[arg(long, value_name = "SECS", default_value_t = 30.0)]
    pub slow_after: f64,
    /// Less console output (one character per scenario).
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Run only scenarios whose `area::id` contains one of these.
    #[arg(value_name = "FILTER")]
    pub filters: Vec<String>,
}

/// `kvconform sweep`: leftovers of crashed or interrupted runs.
#[derive(Debug, Args, Clone)]
pub struct SweepArgs {
    /// Vault URL.
    #[arg(long, value_name = "URL")]
    pub target: String,
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Only names starting with this are listed or removed (never empty).
    #[arg(long, value_name = "PREFIX", default_value = "kvc-")]
    pub prefix: String,
    /// Only objects created at least this long ago (e.g. 30m, 1h, 2days; 0s for all).
    #[arg(long, value_name = "DURATION", default_value = "1h", value_parser = humantime::parse_duration)]
    pub older_than: std::time::Duration,
    /// Remove what is listed (without it, only list).
    #[arg(long)]
    pub yes: bool,
}

/// `kvconform matrix`: several JSON reports side by side.
#[derive(Debug, Args, Clone)]
pub struct MatrixArgs {
    /// JSON reports written by `kvconform run --json` (one per target).
    #[arg(value_name = "REPORT.json", required_unless_present = "peers")]
    pub reports: Vec<PathBuf>,
    /// The emulators page instead: every DIR/*/report.json with its expectations.yaml, and
    /// DIR/not-run.yaml (see docs/emulators.md).
    #[arg(long, value_name = "DIR", conflicts_with = "reports")]
    pub peers: Option<PathBuf>,
    /// Write the Markdown here instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// How `--update-snapshots` writes the project's snapshots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum UpdateHow {
    /// Overwrite each snapshot with the target's answer.
    Overwrite,
    /// Write <name>.snap.new beside each differing one, for `cargo insta review`.
    Review,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AuthMode {
    None,
    Bearer,
    Azure,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub dir: ScenarioDir,
    /// Show only the rules × scenarios table.
    #[arg(long)]
    pub rules: bool,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub dir: ScenarioDir,
    /// Scenario files or folders to validate against the suite's rules: a folder stands for
    /// the scenario files below it, a suite folder given alone for its whole suite (default:
    /// every scenario of the suite).
    pub paths: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SnapshotsArgs {
    #[command(flatten)]
    pub dir: ScenarioDir,
    /// List this snapshot directory instead (a `--record` directory, for instance).
    #[arg(long, value_name = "DIR")]
    pub snapshots: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to write the suite (created if missing).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Overwrite files that already exist.
    #[arg(long)]
    pub force: bool,
}
