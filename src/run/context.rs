//! What every scenario of a run shares: the target, compiled schemas, the oracle and the
//! timing policy, and the stop flag set by Ctrl-C.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::check::schema::SchemaSet;
use crate::plan::{Oracle, Plan};
use crate::scenario::Capability;
use crate::snapshot::SnapshotStore;
use crate::target::Target;
use crate::template::{self, Vars};

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
}

impl RunOptions {
    pub fn has(&self, capability: Capability) -> bool {
        !self.without.contains(&capability)
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

pub struct RunContext {
    pub target: Target,
    pub schemas: SchemaSet,
    /// Where snapshots are compared; `None` when the run does not check them.
    pub snapshots: Option<SnapshotStore>,
    pub options: RunOptions,
    pub timings: super::Timings,
    stopping: Arc<AtomicBool>,
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
            schemas,
            snapshots,
            options,
            timings: super::Timings::default(),
            stopping: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Set on the first Ctrl-C: no new step starts, cleanup still runs.
    pub fn stop_flag(&self) -> Arc<AtomicBool> {
        self.stopping.clone()
    }

    pub fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::Relaxed)
    }

    /// Built-ins plus the scenario's own `vars`, rendered in order.
    pub fn vars_for(&self, plan: &Plan) -> Vars {
        let mut vars = super::builtin_vars(self, plan);
        for (name, value) in &plan.vars {
            let rendered = template::render(value, &vars).unwrap_or_else(|_| value.clone());
            vars.insert(name.clone(), serde_json::Value::String(rendered));
        }
        vars
    }
}
