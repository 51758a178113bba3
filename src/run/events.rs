//! What the runner tells the rest of the run as it goes (nextest's runner → reporter): a
//! step finished, a scenario finished. The runner never prints and keeps no run-wide
//! counters; whoever wants to know (the report list, `--timings`) is an [`EventSink`].

use std::time::Duration;

use super::outcome::ScenarioReport;

/// One thing that happened in a run.
#[derive(Debug)]
pub enum Event<'a> {
    /// A scenario entered a step, or its cleanup.
    Entered(&'a Entered),
    StepFinished(&'a StepSummary),
    /// The scenario's final report: steps run, cleanup done, expectations applied.
    ScenarioFinished(&'a ScenarioReport),
}

/// Where a running scenario is now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entered {
    /// The scenario's trial name (`area::id`, `VERSION::area::id` when the run covers several
    /// api-versions), as [`ScenarioReport::trial_name`] gives it once it finished.
    pub trial: String,
    pub phase: Phase,
}

/// A part of a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Phase {
    Step(String),
    Cleanup,
}

impl std::fmt::Display for Phase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Phase::Step(name) => write!(f, "step `{name}`"),
            Phase::Cleanup => f.write_str("cleanup"),
        }
    }
}

/// How a step ended, as far as the scenario's verdict goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepEnd {
    /// The scenario goes on.
    Ok,
    Failed,
    Inconclusive,
    Interrupted,
}

/// One step of a scenario, finished (with the re-check of its guard, when it had one).
#[derive(Clone, Debug)]
pub struct StepSummary {
    /// `area::id` of the scenario.
    pub scenario: String,
    pub step: String,
    pub end: StepEnd,
    /// HTTP exchanges the step sent (polls included).
    pub exchanges: usize,
    pub elapsed: Duration,
    /// Time spent checking responses (schemas, matchers, snapshots).
    pub checks: Duration,
    /// Time spent in local crypto (CA, signing, foreign keys).
    pub crypto: Duration,
}

/// Where a run's events go. Scenarios run in parallel, so a sink is shared between threads.
pub trait EventSink: Send + Sync {
    fn emit(&self, event: &Event<'_>);
}

/// Several sinks, each told every event in turn.
pub struct FanOut(pub Vec<std::sync::Arc<dyn EventSink>>);

impl EventSink for FanOut {
    fn emit(&self, event: &Event<'_>) {
        for sink in &self.0 {
            sink.emit(event);
        }
    }
}
