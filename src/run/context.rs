//! What every scenario of a run shares: the target, compiled schemas, the oracle and the
//! timing policy, what judges a finished scenario, and the stop flag set by Ctrl-C.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::sync::Notify;

use crate::check::schema::SchemaSet;
use crate::plan::Oracle;
use crate::scenario::Capability;
use crate::snapshot::SnapshotStore;
use crate::target::Target;

/// Run-wide settings.
#[derive(Clone, Debug)]
pub struct RunOptions {
    pub oracle: Oracle,
    /// Random per run; every created name starts with `kvc-<run_id>-`.
    pub run_id: String,
    /// Deadline of every `await` step (a scenario's `timeout_s` can only shorten it).
    pub await_timeout: Duration,
    /// Upper bound on the wait between polls, whatever `Retry-After` says.
    pub max_poll_interval: Duration,
    /// Capabilities the target lacks (`--without`).
    pub without: Vec<Capability>,
    /// Capabilities a probe found missing, with what it saw.
    pub lacking: Vec<crate::capabilities::Lack>,
    /// The target's version: reported by it, or declared with `--target-version`.
    pub target_version: Option<String>,
}

impl RunOptions {
    pub fn has(&self, capability: Capability) -> bool {
        !self.without.contains(&capability)
    }

    /// How long an `await` step polls: its own `timeout_s`, but never past `--await-timeout`.
    pub fn await_deadline(&self, timeout_s: Option<u64>) -> Duration {
        (timeout_s.map_or(self.await_timeout, Duration::from_secs)).min(self.await_timeout)
    }

    /// The prefix of every object this run creates.
    pub fn run_prefix(&self) -> String {
        format!("kvc-{}-", self.run_id)
    }

    /// A Key Vault name (`[0-9a-zA-Z-]`, ≤ 127) unique to this run and scenario.
    pub fn unique_name(&self, scenario_id: &str) -> String {
        let slug: String = scenario_id
            .replace("::", "-")
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect();
        let slug = slug.trim_matches('-');
        let slug = &slug[..slug.len().min(80)];
        format!("{}{}", self.run_prefix(), slug.trim_end_matches('-'))
    }
}

/// A fresh run id: 8 lowercase hex characters.
pub fn new_run_id() -> String {
    format!("{:08x}", rand::random::<u32>())
}

/// Set on the first Ctrl-C: no new step starts, waits end at once, cleanup still runs.
#[derive(Clone, Debug, Default)]
pub struct StopSignal(Arc<(AtomicBool, Notify)>);

impl StopSignal {
    pub fn stop(&self) {
        self.0.0.store(true, Ordering::SeqCst);
        self.0.1.notify_waiters();
    }

    pub fn is_set(&self) -> bool {
        self.0.0.load(Ordering::SeqCst)
    }

    /// Sleeps for `duration`, or less when the signal is set meanwhile. Returns whether it
    /// was cut short.
    pub async fn sleep(&self, duration: Duration) -> bool {
        let notified = self.0.1.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        if self.is_set() {
            return true;
        }
        tokio::select! {
            _ = tokio::time::sleep(duration) => false,
            _ = notified => true,
        }
    }
}

pub struct RunContext {
    pub target: Target,
    /// Shared by the contexts of every api-version of a run (compiled once).
    pub schemas: Arc<SchemaSet>,
    /// Where snapshots are compared; `None` when the run does not check them.
    pub snapshots: Option<SnapshotStore>,
    pub options: RunOptions,
    /// Applied to every report before it is emitted.
    pub judge: super::verdict::Judge,
    stopping: StopSignal,
}

impl RunContext {
    pub fn new(
        target: Target,
        schemas: SchemaSet,
        snapshots: Option<SnapshotStore>,
        options: RunOptions,
    ) -> RunContext {
        RunContext {
            target,
            schemas: Arc::new(schemas),
            snapshots,
            options,
            judge: super::verdict::Judge::default(),
            stopping: StopSignal::default(),
        }
    }

    /// The same run on another api-version: the same target, client, request budget and
    /// Ctrl-C signal and judge, its own run id (so that the names it creates differ).
    pub fn for_api_version(&self, api_version: &str) -> RunContext {
        let options = RunOptions {
            run_id: new_run_id(),
            ..self.options.clone()
        };
        RunContext {
            target: self.target.with_api_version(api_version),
            schemas: self.schemas.clone(),
            snapshots: self.snapshots.clone(),
            options,
            judge: self.judge.clone(),
            stopping: self.stopping.clone(),
        }
    }

    /// Set on the first Ctrl-C: no new step starts, cleanup still runs.
    pub fn stop_signal(&self) -> StopSignal {
        self.stopping.clone()
    }

    pub fn is_stopping(&self) -> bool {
        self.stopping.is_set()
    }

    /// A dry run: the target only records, so steps check, wait for and compute nothing.
    pub fn is_dry(&self) -> bool {
        self.target.is_recording()
    }
}
