//! `kvconform schema`: the JSON Schema of the scenario format.

use std::io::Write as _;
use std::process::ExitCode;

use crate::exit;
use crate::scenario;

pub fn schema() -> ExitCode {
    let _ = write!(std::io::stdout(), "{}", scenario::scenario_schema());
    ExitCode::from(exit::SUCCESS)
}
