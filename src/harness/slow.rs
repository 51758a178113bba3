//! `--slow-after SECS`: a long run is not silent. A scenario still running after SECS is
//! named on stderr with where it is (`SLOW [> 30 s] area::id: step `await completion``),
//! again at every multiple, as nextest names slow tests. It is fed by the runner's events
//! and read by a thread that looks every tenth of SECS (at most every second).

use std::collections::HashMap;
use std::io::Write as _;
use std::sync::mpsc::{RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::run::{Event, EventSink, Phase};

/// The scenarios running now: when each started, where it is, how often it was named.
pub struct SlowWatch {
    after: Duration,
    running: Mutex<HashMap<String, Running>>,
}

struct Running {
    started: Instant,
    phase: Phase,
    named: u32,
}

impl SlowWatch {
    pub fn new(after: Duration) -> SlowWatch {
        SlowWatch {
            after,
            running: Mutex::default(),
        }
    }

    /// The lines due at `now`: each scenario running for another multiple of SECS.
    fn due(&self, now: Instant) -> Vec<String> {
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        let mut lines = Vec::new();
        for (trial, scenario) in running.iter_mut() {
            let elapsed = now.saturating_duration_since(scenario.started);
            let multiple = (elapsed.as_secs_f64() / self.after.as_secs_f64()) as u32;
            if multiple > scenario.named {
                scenario.named = multiple;
                let shown = seconds(self.after * multiple);
                lines.push(format!("    SLOW [> {shown}] {trial}: {}", scenario.phase));
            }
        }
        lines.sort();
        lines
    }
}

/// Whole seconds as such (`30 s`), else to a tenth (`1.5 s`).
fn seconds(d: Duration) -> String {
    match d.subsec_millis() {
        0 => format!("{} s", d.as_secs()),
        _ => format!("{:.1} s", d.as_secs_f64()),
    }
}

impl EventSink for SlowWatch {
    fn emit(&self, event: &Event<'_>) {
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        match event {
            Event::Entered(entered) => {
                let scenario = running.entry(entered.trial.clone()).or_insert(Running {
                    started: Instant::now(),
                    phase: entered.phase.clone(),
                    named: 0,
                });
                scenario.phase = entered.phase.clone();
            }
            Event::ScenarioFinished(report) => {
                running.remove(&report.trial_name());
            }
            Event::StepFinished(_) => {}
        }
    }
}

/// The thread that prints what is due; stopped (and joined) when dropped, at once: dropping
/// the sender wakes it (a sleeping thread would hold the run's end back by up to a second).
pub struct Watching {
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

/// Starts looking at `watch` until the returned guard is dropped.
pub fn start(watch: Arc<SlowWatch>) -> Watching {
    let (stop, stopped) = std::sync::mpsc::channel::<()>();
    let every = (watch.after / 10).clamp(Duration::from_millis(10), Duration::from_secs(1));
    let thread = std::thread::spawn(move || {
        while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(every) {
            let lines = watch.due(Instant::now());
            if !lines.is_empty() {
                let mut err = std::io::stderr().lock();
                for line in lines {
                    let _ = writeln!(err, "{line}");
                }
            }
        }
    });
    Watching {
        stop: Some(stop),
        thread: Some(thread),
    }
}

impl Drop for Watching {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::{Entered, ScenarioReport};

    fn enter(watch: &SlowWatch, trial: &str, phase: Phase) {
        let trial = trial.to_string();
        watch.emit(&Event::Entered(&Entered { trial, phase }));
    }

    #[test]
    fn a_scenario_is_named_once_per_multiple_until_it_finishes() {
        let watch = SlowWatch::new(Duration::from_secs(30));
        enter(&watch, "a::slow", Phase::Step("create".into()));
        enter(&watch, "a::slow", Phase::Step("await completion".into()));
        let started = Instant::now();
        assert!(watch.due(started + Duration::from_secs(29)).is_empty());
        assert_eq!(
            watch.due(started + Duration::from_secs(31)),
            ["    SLOW [> 30 s] a::slow: step `await completion`"]
        );
        assert!(watch.due(started + Duration::from_secs(45)).is_empty());
        enter(&watch, "a::slow", Phase::Cleanup);
        assert_eq!(
            watch.due(started + Duration::from_secs(61)),
            ["    SLOW [> 60 s] a::slow: cleanup"]
        );
        watch.emit(&Event::ScenarioFinished(&ScenarioReport::empty("a::slow")));
        assert!(watch.due(started + Duration::from_secs(200)).is_empty());
    }

    #[test]
    fn versions_of_one_scenario_are_apart() {
        let watch = SlowWatch::new(Duration::from_secs(1));
        enter(&watch, "7.0::a::b", Phase::Step("s".into()));
        enter(&watch, "7.6::a::b", Phase::Step("s".into()));
        let mut report = ScenarioReport::empty("a::b");
        report.api_version = Some("7.0".into());
        watch.emit(&Event::ScenarioFinished(&report));
        let later = Instant::now() + Duration::from_secs(2);
        assert_eq!(watch.due(later), ["    SLOW [> 2 s] 7.6::a::b: step `s`"]);
    }
}
