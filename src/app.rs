//! Dispatch from the parsed command line to each command; returns the process exit code.

use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser as _;

use crate::cli::MatrixArgs;
use crate::cli::{Cli, Command};
use crate::report::{self, matrix as report_matrix};
use crate::{exit, harness, inventory, scenario, sweep};

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
        Command::Sweep(args) => sweep::sweep(&args),
        Command::Matrix(args) => matrix(&args),
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

fn matrix(args: &MatrixArgs) -> ExitCode {
    let rendered = match &args.peers {
        Some(dir) => report::peers::load(dir).map(|p| report::peers::render(&p)),
        None => report_matrix::load(&args.reports).map(|c| report_matrix::render(&c)),
    };
    let markdown = match rendered {
        Ok(markdown) => markdown,
        Err(err) => {
            let _ = writeln!(std::io::stderr(), "error: {err}");
            return ExitCode::from(exit::USAGE);
        }
    };
    let written = match &args.output {
        Some(path) => std::fs::write(path, markdown)
            .map_err(|e| format!("cannot write {}: {e}", path.display())),
        None => write!(std::io::stdout(), "{markdown}").map_err(|e| e.to_string()),
    };
    match written {
        Ok(()) => ExitCode::from(exit::SUCCESS),
        Err(err) => {
            let _ = writeln!(std::io::stderr(), "error: {err}");
            ExitCode::from(exit::USAGE)
        }
    }
}
