//! Integration tests of the harness as a user runs it: the `kvconform` binary against the
//! embedded reference vault (and against deliberately broken targets and scenario files).

mod bad_input;
mod catalogue;
mod mutation;
mod oracles;
mod snapshots;
mod support;
