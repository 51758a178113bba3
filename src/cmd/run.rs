//! `kvconform run`: the flags become a [`RunConfig`] once, then the harness runs it.

use std::process::ExitCode;

use crate::cli::RunArgs;
use crate::harness::{self, RunConfig, StartError};

/// Scenarios share two runtime workers: the run waits on the network, not the CPU.
const WORKERS: usize = 2;

pub fn run(args: &RunArgs) -> ExitCode {
    match config_and_run(args) {
        Ok(code) => ExitCode::from(code),
        Err(err) => super::fail(err.code(), &err),
    }
}

fn config_and_run(args: &RunArgs) -> Result<u8, StartError> {
    let config = RunConfig::from_args(args, harness::in_ci())?;
    let runtime = super::runtime(Some(WORKERS)).map_err(|e| StartError::Harness(e.to_string()))?;
    harness::run(&config, &runtime)
}
