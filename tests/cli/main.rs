//! Integration tests of what it takes to run kvconform in CI against a real target: auth
//! and secrets, transport retries, polling, Ctrl-C cleanup, sweep, dry-run, expectations
//! and reports. Each test runs the `kvconform` binary; servers bind 127.0.0.1 only and every
//! wait is bounded.

mod canary;
mod dry_run;
mod expectations;
mod interrupt;
mod polling;
mod reports;
mod retry;
mod support;
mod sweep;
