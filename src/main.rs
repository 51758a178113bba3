//! Temporary entry point (the harness CLI replaces it): `kvconform serve [ARGS]`.

use std::process::ExitCode;

use clap::Parser;

#[derive(Parser)]
#[command(name = "kvconform")]
enum Cli {
    /// Run the reference vault.
    Serve(kvconform::vault::ServeArgs),
}

#[tokio::main]
async fn main() -> ExitCode {
    match Cli::parse() {
        Cli::Serve(args) => kvconform::vault::serve(args).await,
    }
}
