//! The commands, one file each (`kvconform <command>`): each turns its parsed flags into
//! typed settings, calls into the pipeline, prints, and returns an exit code from
//! [`crate::exit`]. This module dispatches and owns what every command shares: the one tokio
//! runtime builder and the `error:` line.

mod deviations;
mod init;
mod list;
mod matrix;
mod run;
mod schema;
mod serve;
mod snapshots;
mod sweep;
mod validate;

use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser as _;

use crate::cli::{Cli, Command};
use crate::exit;

/// Parses the command line and runs the command.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            let code = match err.use_stderr() {
                true => exit::USAGE,
                false => exit::SUCCESS,
            };
            return ExitCode::from(code);
        }
    };
    match cli.command {
        Command::Run(args) => run::run(&args),
        Command::List(args) => list::list(&args),
        Command::Validate(args) => validate::validate(&args),
        Command::Serve(args) => serve::serve(args),
        Command::Deviations(args) => deviations::deviations(&args),
        Command::Sweep(args) => sweep::sweep(&args),
        Command::Matrix(args) => matrix::matrix(&args),
        Command::Schema => schema::schema(),
        Command::Snapshots(args) => snapshots::snapshots(&args),
        Command::Init(args) => init::init(&args),
    }
}

/// The one tokio runtime of a command: multi-threaded, timers and I/O on. `workers: None`
/// takes tokio's default (one per core).
fn runtime(workers: Option<usize>) -> Result<tokio::runtime::Runtime, NoRuntime> {
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if let Some(workers) = workers {
        builder.worker_threads(workers);
    }
    builder.enable_all().build().map_err(NoRuntime)
}

/// The runtime could not start (threads, timers or the I/O driver).
#[derive(Debug, thiserror::Error)]
#[error("cannot start the async runtime: {0}")]
struct NoRuntime(std::io::Error);

/// Prints `error: MESSAGE` and returns `code`.
fn fail(code: u8, message: impl std::fmt::Display) -> ExitCode {
    let _ = writeln!(std::io::stderr(), "error: {message}");
    ExitCode::from(code)
}
