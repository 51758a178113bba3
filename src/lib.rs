//! kvconform: a conformance harness for the Azure Key Vault certificate-creation lifecycle.
//!
//! The pipeline flows one way: `scenario` (load) → `plan` → `run` (over `target`) → `check` →
//! `report`; `harness` drives it for `kvconform run` from a typed `RunConfig`. Each command
//! has its own file in `cmd` (start reading at `cmd/mod.rs`). `vault` is the reference
//! emulator: the harness uses only its public face (start it, its config and quirks, the
//! api-versions it speaks) and judges it over HTTP like any other target.
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod api_versions;
pub mod builtin;
pub mod capabilities;
pub mod check;
pub mod cli;
pub mod cmd;
pub mod connect;
pub mod crypto;
pub mod diagnostic;
pub mod exit;
pub mod expectations;
pub mod harness;
pub mod mask;
pub mod plan;
pub mod report;
pub mod run;
pub mod scenario;
pub mod snapshot;
pub mod target;
pub mod template;
pub mod vault;
pub mod walk;
