//! Ctrl-C during a run: the first stops starting new scenarios and lets cleanup finish; the
//! second leaves at once, with the exit code of an interrupted run.

use std::io::Write as _;
use std::sync::Arc;

use crate::exit;
use crate::run::RunContext;

/// Installs the handler on the run's runtime for as long as the runtime lives.
pub fn install(runtime: &tokio::runtime::Runtime, ctx: &Arc<RunContext>) {
    let signal = ctx.stop_signal();
    runtime.spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            signal.stop();
            let _ = writeln!(
                std::io::stderr(),
                "interrupted: finishing cleanup (Ctrl-C again to quit now)"
            );
            if tokio::signal::ctrl_c().await.is_ok() {
                std::process::exit(i32::from(exit::INTERRUPTED));
            }
        }
    });
}
