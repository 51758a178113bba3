//! Setting up a run: the target (starting the embedded vault when none is given), the probe
//! that it answers at all, compiled schemas, the snapshot store and the run-wide options,
//! all in one [`RunContext`].

use crate::capabilities;
use crate::check::schema::SchemaSet;
use crate::run::{self, RunContext, RunOptions};
use crate::snapshot::{SnapshotStore, Stamp};
use crate::target::Target;

use super::StartError;
use super::config::{RunConfig, TargetChoice};

mod embedded;

pub use embedded::EmbeddedVault;

/// Builds the target and checks that it answers at all, so "unreachable" is never reported
/// as non-conformance. The embedded vault, when started, lives as long as the returned value.
pub async fn prepare(
    config: &RunConfig,
) -> Result<(RunContext, Option<EmbeddedVault>, Stamp), StartError> {
    let (url, credential, embedded) = match &config.target {
        TargetChoice::Remote(url) => {
            let credential =
                (config.connection.credential()).map_err(|e| StartError::Usage(e.to_string()))?;
            (url.clone(), credential, None)
        }
        TargetChoice::Embedded { quirks } => {
            let running = EmbeddedVault::start(quirks).await?;
            (
                running.url().to_string(),
                running.credential(),
                Some(running),
            )
        }
    };
    let ca_pem = embedded.as_ref().and_then(EmbeddedVault::ca_pem);
    let target = config
        .connection
        .target(url, credential, ca_pem)
        .map_err(|e| StartError::Usage(e.to_string()))?;
    // A remote vault gets a request budget (its throttling limits); the embedded one none.
    let target = match embedded {
        Some(_) => target,
        None => target.paced(),
    };
    let listed = target.probe().await.map_err(|e| {
        StartError::Harness(format!("target unreachable, no scenario was run: {e}"))
    })?;
    capabilities::vault_found(listed).map_err(|e| StartError::Harness(e.to_string()))?;
    let schemas = SchemaSet::embedded()
        .map_err(|e| StartError::Harness(format!("cannot compile the response schemas: {e}")))?;
    let mut options = run_options(config, run::new_run_id());
    if config.probe {
        let probed = capabilities::probe(&target, &options.run_prefix()).await;
        options.lacking = probed.lacking;
        options.target_version = probed.version.or(options.target_version);
    }
    let stamp = stamp(config, &target);
    let snapshots = config
        .snapshots
        .as_ref()
        .map(|plan| SnapshotStore::new(plan.read.clone(), plan.writing.clone(), stamp.clone()));
    let ctx = RunContext::new(target, schemas, snapshots, options);
    Ok((ctx, embedded, stamp))
}

/// What every recording of this run is stamped with: the target's host (or `[redacted]`),
/// now, and this kvconform's version.
fn stamp(config: &RunConfig, target: &Target) -> Stamp {
    let host = match (&config.target, config.redact_host) {
        (_, true) => "[redacted]".to_string(),
        (TargetChoice::Embedded { .. }, false) => "embedded reference vault".to_string(),
        (TargetChoice::Remote(_), false) => host_of(target.base()),
    };
    Stamp {
        target: host,
        date: crate::report::now_rfc3339(),
        kvconform: env!("CARGO_PKG_VERSION").to_string(),
    }
}

/// `host[:port]` of a URL (no scheme, path or credentials).
fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split('/').next().unwrap_or(rest);
    authority
        .rsplit('@')
        .next()
        .unwrap_or(authority)
        .to_string()
}

/// The run-wide options every scenario shares (a dry run uses them with a placeholder id).
pub fn run_options(config: &RunConfig, run_id: String) -> RunOptions {
    RunOptions {
        oracle: config.oracle,
        run_id,
        await_timeout: config.await_timeout,
        max_poll_interval: config.max_poll_interval,
        without: config.without.clone(),
        lacking: Vec::new(),
        target_version: config.target_version.clone(),
    }
}
