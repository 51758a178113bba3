//! Integration tests of kvconform as a user runs it: the whole suite against the embedded
//! vault under both oracles, the mutation matrix, the scenario catalogue and schema,
//! snapshots, bad input, and what it takes to run in CI against a real target (auth and
//! secrets, retries, polling, Ctrl-C cleanup, sweep, dry-run, expectations, reports). Each
//! test runs the `kvconform` binary; servers bind 127.0.0.1 only and every wait is bounded.

mod api_versions;
mod bad_input;
mod canary;
mod catalogue;
mod diagnostics;
mod dry_run;
mod expectations;
mod interrupt;
mod mutation;
mod newcomer;
mod oracles;
mod peers;
mod polling;
mod reports;
mod retry;
mod snapshots;
mod suite;
mod support;
mod sweep;
