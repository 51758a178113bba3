//! The official Azure Rust SDK (`azure_security_keyvault_certificates`) against
//! `kvconform serve --tls --require-auth`.
//!
//! Built and run by tests/sdk/run-rust.sh, which passes the server in the environment:
//!
//! ```text
//! KVCONFORM_SDK_URL=https://127.0.0.1:PORT KVCONFORM_SDK_CA=ca.pem KVCONFORM_SDK_TOKEN=T \
//!   [KVCONFORM_SDK_API_VERSION=7.6] kvconform-sdk-rust
//! ```
//!
//! Each check prints `ok: …` or `FAIL: …`; an unexpected error fails the step it happened in
//! and the next step runs. The last line is `sdk-rust: N passed, M failed`; the exit code is 1
//! when anything failed (also when the environment is missing: it never passes by doing nothing).

mod checks;
mod client;
mod inventory;
mod lifecycle;

use std::collections::BTreeSet;
use std::error::Error;
use std::sync::atomic::Ordering;

use azure_core::time::OffsetDateTime;

use checks::{Checks, step};
use client::{ThrowawayCa, setup};
use inventory::{delete_and_purge, import_pem, list};
use lifecycle::{
    cancel_and_delete, manual_lifecycle, provider_issuer_refuses_merge,
    self_issued_polled_to_completion, unauthenticated_request_is_challenged,
};

pub(crate) type Res<T = ()> = Result<T, Box<dyn Error>>;

/// FACTS.md cross-cutting: status_details of an inProgress manual operation.
pub(crate) const DETAILS_MANUAL: &str =
    "Pending certificate created. Please Perform Merge to complete the request.";

#[tokio::main]
async fn main() {
    let mut c = Checks::default();
    let (e, ca) = match setup().and_then(|e| Ok((e, ThrowawayCa::new()?))) {
        Ok(x) => x,
        Err(err) => {
            println!("FAIL: setup: {err}");
            println!("sdk-rust: 0 passed, 1 failed");
            std::process::exit(1);
        }
    };
    let millis = OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000 % 100_000_000;
    let suffix = format!("{millis:x}");
    let manual = format!("sdkrust-manual-{suffix}");
    let selfie = format!("sdkrust-self-{suffix}");
    let provider = format!("sdkrust-provider-{suffix}");
    let imported = format!("sdkrust-import-{suffix}");

    c.merge(
        step("401 challenge", async |c| {
            unauthenticated_request_is_challenged(c, &e).await
        })
        .await,
    );
    // azure_core's poller sleeps the vault's Retry-After (10 s, as the service sends) before it
    // yields an in-progress status, so every create costs 10 s: the four creating steps run
    // concurrently (different certificate names), as an application may.
    let cancel = format!("sdkrust-cancel-{suffix}");
    let issuer = format!("digicert-rust-{suffix}");
    let (a, b, d, f) = tokio::join!(
        step("manual lifecycle", async |c| manual_lifecycle(
            c, &e, &ca, &manual
        )
        .await),
        step("Self issuer", async |c| self_issued_polled_to_completion(
            c, &e, &selfie
        )
        .await),
        step("cancel and delete", async |c| cancel_and_delete(
            c, &e, &cancel
        )
        .await),
        step("provider issuer", async |c| {
            provider_issuer_refuses_merge(c, &e, &ca, &provider, &issuer).await
        }),
    );
    for s in [a, b, d, f] {
        c.merge(s);
    }
    c.merge(step("import", async |c| import_pem(c, &e, &imported).await).await);
    c.merge(
        step("list", async |c| {
            list(c, &e, &[&manual, &selfie, &imported], &provider).await
        })
        .await,
    );
    c.merge(
        step("delete and purge", async |c| {
            delete_and_purge(c, &e, &imported).await
        })
        .await,
    );
    let calls = e.cred.calls.load(Ordering::SeqCst);
    c.ok(
        "the SDK asked the credential for a token",
        calls >= 1,
        calls,
    );
    let tail = std::mem::take(&mut c.lines);
    tail.iter().for_each(|l| println!("{l}"));

    let sent = e.rec.sent.lock().expect("recorder").clone();
    let versions: BTreeSet<&str> = sent.iter().map(|x| x.api_version.as_str()).collect();
    let versions: Vec<&str> = versions.into_iter().collect();
    println!(
        "sdk-rust: api-version sent: {}; {} requests",
        versions.join(", "),
        sent.len()
    );
    if let Ok(v) = std::env::var("KVCONFORM_SDK_API_VERSION")
        && !v.is_empty()
    {
        c.equal(
            &format!("every request sent api-version {v}"),
            versions.join(","),
            v.clone(),
        );
        c.lines.iter().for_each(|l| println!("{l}"));
    }
    println!("sdk-rust: {} passed, {} failed", c.passed, c.failed);
    std::process::exit(if c.failed == 0 { 0 } else { 1 });
}
