//! `kvconform serve`: the reference vault over HTTP(S) until Ctrl-C.

use std::process::ExitCode;

use crate::exit;
use crate::vault::{self, ServeArgs};

pub fn serve(args: ServeArgs) -> ExitCode {
    match super::runtime(None) {
        Ok(runtime) => runtime.block_on(vault::serve(args)),
        Err(message) => super::fail(exit::HARNESS, &message),
    }
}
