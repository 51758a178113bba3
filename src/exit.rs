//! Every exit code of `kvconform`, in one place. A test keeps the README's table equal to
//! [`TABLE`]; `--help` shows [`HELP`].

/// Every scenario passed (expected failures and inconclusive ones allowed).
pub const SUCCESS: u8 = 0;
/// Bad command line, unreadable scenario directory or configuration.
pub const USAGE: u8 = 2;
/// The target could not be reached, or another harness error before any verdict.
pub const HARNESS: u8 = 3;
/// At least one scenario failed (libtest's own code for failed tests).
pub const FAILED: u8 = 101;
/// The run was interrupted (first Ctrl-C): nothing new started, cleanup ran (128 + SIGINT).
pub const INTERRUPTED: u8 = 130;

/// The exit-code table as it stands in the README.
pub const TABLE: &str = "\
| code | meaning |
|---|---|
| 0 | every scenario passed (xfail, skipped and inconclusive allowed; see --strict) |
| 2 | usage or configuration error (bad flag, unreadable file, invalid expectations) |
| 3 | target unreachable, or another harness error before any verdict |
| 101 | at least one scenario failed (or, with --strict, was inconclusive; with --strict-xpass, passed unexpectedly) |
| 130 | interrupted by Ctrl-C: no new scenario started, cleanup ran |";

/// The exit codes as `kvconform --help` lists them.
pub const HELP: &str = "\
Exit codes:
  0    every scenario passed (xfail, skipped and inconclusive allowed; see --strict)
  2    usage or configuration error
  3    target unreachable, or another harness error before any verdict
  101  at least one scenario failed (--strict: or was inconclusive; --strict-xpass: or passed unexpectedly)
  130  interrupted by Ctrl-C: no new scenario started, cleanup ran";
