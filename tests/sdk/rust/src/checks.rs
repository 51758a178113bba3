//! The checks: `ok:`/`FAIL:` lines kept per step and printed in order.

use std::fmt::Debug;
use std::time::Instant;

use azure_core::error::ErrorKind;
use sha1::{Digest, Sha1};

use crate::Res;

/// The checks of one step: lines are kept and printed when the step is merged, so that steps
/// running concurrently print in order.
#[derive(Default)]
pub(crate) struct Checks {
    pub(crate) passed: usize,
    pub(crate) failed: usize,
    pub(crate) lines: Vec<String>,
}

impl Checks {
    pub(crate) fn ok(&mut self, what: &str, cond: bool, detail: impl Debug) -> bool {
        if cond {
            self.passed += 1;
            self.lines.push(format!("ok: {what}"));
        } else {
            self.failed += 1;
            self.lines.push(format!("FAIL: {what}: {detail:?}"));
        }
        cond
    }

    pub(crate) fn equal<T: PartialEq + Debug>(
        &mut self,
        what: &str,
        actual: T,
        expected: T,
    ) -> bool {
        let cond = actual == expected;
        self.ok(what, cond, format!("expected {expected:?}, got {actual:?}"))
    }

    /// `result` must be an HTTP error with `status`; returns the response body.
    pub(crate) fn http_error<T: Debug>(
        &mut self,
        what: &str,
        result: azure_core::Result<T>,
        status: u16,
    ) -> Option<String> {
        match result {
            Ok(v) => {
                self.ok(what, false, format!("expected HTTP {status}, got {v:?}"));
                None
            }
            Err(e) => {
                let got = e.http_status().map(u16::from);
                let body = match e.kind() {
                    ErrorKind::HttpResponse {
                        raw_response: Some(raw),
                        ..
                    } => String::from_utf8_lossy(raw.body()).into_owned(),
                    _ => String::new(),
                };
                self.ok(
                    what,
                    got == Some(status),
                    format!("expected HTTP {status}, got {got:?}: {e}"),
                );
                Some(body)
            }
        }
    }

    /// Prints `other`'s lines and adds its counts.
    pub(crate) fn merge(&mut self, other: Checks) {
        for line in &other.lines {
            println!("{line}");
        }
        self.passed += other.passed;
        self.failed += other.failed;
    }
}

/// One step: an error it returns is one failed check (the other steps still run).
pub(crate) async fn step(name: &str, f: impl AsyncFnOnce(&mut Checks) -> Res) -> Checks {
    let started = Instant::now();
    let mut c = Checks::default();
    match f(&mut c).await {
        Ok(()) => c
            .lines
            .push(format!("step {name}: {} ms", started.elapsed().as_millis())),
        Err(e) => {
            c.failed += 1;
            c.lines.push(format!("FAIL: {name}: unexpected error: {e}"));
        }
    }
    c
}

pub(crate) fn sha1_hex(b: &[u8]) -> String {
    hex::encode(Sha1::digest(b))
}

pub(crate) fn hex32(s: &str) -> bool {
    s.len() == 32
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}
