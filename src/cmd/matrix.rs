//! `kvconform matrix`: several JSON reports side by side, or the emulators page.

use std::io::Write as _;
use std::process::ExitCode;

use crate::cli::MatrixArgs;
use crate::exit;
use crate::report::{matrix, peers};

pub fn matrix(args: &MatrixArgs) -> ExitCode {
    let rendered = match &args.peers {
        Some(dir) => peers::load(dir).map(|p| peers::render(&p)),
        None => matrix::load(&args.reports).map(|c| matrix::render(&c)),
    };
    let markdown = match rendered {
        Ok(markdown) => markdown,
        Err(err) => return super::fail(exit::USAGE, &err),
    };
    let written = match &args.output {
        Some(path) => std::fs::write(path, markdown)
            .map_err(|e| format!("cannot write {}: {e}", path.display())),
        None => write!(std::io::stdout(), "{markdown}").map_err(|e| e.to_string()),
    };
    match written {
        Ok(()) => ExitCode::from(exit::SUCCESS),
        Err(err) => super::fail(exit::USAGE, &err),
    }
}
