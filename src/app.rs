//! Dispatch from the parsed command line to each command; returns the process exit code.

use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser as _;

use crate::cli::{Cli, Command};
use crate::{exit, harness, inventory, scenario};

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return ExitCode::from(if err.use_stderr() {
                exit::USAGE
            } else {
                exit::SUCCESS
            });
        }
    };
    match cli.command {
        Command::Run(args) => harness::run(&args),
        Command::List(args) => inventory::list(&args),
        Command::Validate(args) => inventory::validate(&args),
        Command::Serve(args) => serve(args),
        Command::Deviations(args) => inventory::deviations(&args),
        Command::Schema => {
            let _ = write!(std::io::stdout(), "{}", scenario::scenario_schema());
            ExitCode::from(exit::SUCCESS)
        }
    }
}

fn serve(args: crate::vault::ServeArgs) -> ExitCode {
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(crate::vault::serve(args)),
        Err(err) => {
            let _ = writeln!(
                std::io::stderr(),
                "error: cannot start the async runtime: {err}"
            );
            ExitCode::from(exit::HARNESS)
        }
    }
}
