//! `run_plan` against the embedded reference vault, seen through the events it emits.

use std::sync::Mutex;
use std::time::Duration;

use super::*;
use crate::check::schema::SchemaSet;
use crate::plan::Oracle;
use crate::scenario::Suite;
use crate::target::{Credential, Target, TargetOptions};
use crate::vault::{self, Quirk, RunningVault, VaultConfig};

/// Keeps every event, in order; checks what every step event carries.
#[derive(Default)]
struct Recorder(Mutex<Vec<Recorded>>);

#[derive(Debug)]
enum Recorded {
    Entered(Entered),
    Step(StepSummary),
    Finished(Box<ScenarioReport>),
}

impl EventSink for Recorder {
    fn emit(&self, event: &Event<'_>) {
        let recorded = match event {
            Event::Entered(entered) => Recorded::Entered((*entered).clone()),
            Event::StepFinished(step) => {
                assert_eq!(step.scenario, "merge::garbage");
                // Only an HTTP step takes time here (the embedded vault answers at once).
                assert!(step.exchanges == 0 || step.elapsed > Duration::ZERO);
                assert!(step.checks <= step.elapsed && step.crypto <= step.elapsed);
                Recorded::Step((*step).clone())
            }
            Event::ScenarioFinished(report) => Recorded::Finished(Box::new((*report).clone())),
        };
        self.0.lock().unwrap().push(recorded);
    }
}

impl Recorder {
    /// `(trial, phase)` of each scenario's entering a step or its cleanup.
    fn entered(&self) -> Vec<(String, Phase)> {
        let recorded = self.0.lock().unwrap();
        (recorded.iter())
            .filter_map(|r| match r {
                Recorded::Entered(e) => Some((e.trial.clone(), e.phase.clone())),
                _ => None,
            })
            .collect()
    }

    /// `(step, end, exchanges)` of each step event, and the finished reports.
    fn split(self) -> (Vec<(String, StepEnd, usize)>, Vec<ScenarioReport>) {
        let (mut steps, mut finished) = (Vec::new(), Vec::new());
        for recorded in self.0.into_inner().unwrap() {
            match recorded {
                Recorded::Entered(_) => {}
                Recorded::Step(s) => steps.push((s.step, s.end, s.exchanges)),
                Recorded::Finished(report) => finished.push(*report),
            }
        }
        (steps, finished)
    }
}

async fn embedded(quirks: Vec<Quirk>) -> (RunContext, RunningVault) {
    let config = VaultConfig {
        quirks,
        ..VaultConfig::default()
    };
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    let running = vault::start(config, addr, false).await.unwrap();
    let target = Target::new(&TargetOptions {
        url: running.url.clone(),
        api_version: "2025-07-01".into(),
        ca_cert: None,
        ca_pem: running.ca_pem.clone(),
        insecure: false,
        timeout: Duration::from_secs(10),
        credential: Credential::Static("dummy".into()),
    })
    .unwrap();
    let options = RunOptions {
        oracle: Oracle::Service,
        run_id: new_run_id(),
        await_timeout: Duration::from_secs(10),
        max_poll_interval: Duration::from_millis(200),
        without: Vec::new(),
        lacking: Vec::new(),
        target_version: None,
    };
    let schemas = SchemaSet::embedded().unwrap();
    (RunContext::new(target, schemas, None, options), running)
}

/// `merge::garbage`: create (1 exchange), a crypto action (none), merge, GET.
fn garbage_merge() -> Plan {
    let suite = Suite::builtin().unwrap();
    let scenario = suite
        .set
        .scenarios
        .iter()
        .find(|s| s.full_id() == "merge::garbage");
    crate::plan::plan(scenario.unwrap(), Oracle::Service)
}

#[tokio::test]
async fn a_passing_scenario_emits_each_step_then_its_report() {
    let (mut ctx, _vault) = embedded(Vec::new()).await;
    ctx.judge.name_version = true;
    let sink = Recorder::default();
    let returned = run_plan(&ctx, &garbage_merge(), &sink).await;
    let trial = "2025-07-01::merge::garbage".to_string();
    let step_named = |name: &str| (trial.clone(), Phase::Step(name.into()));
    assert_eq!(
        sink.entered(),
        [
            step_named("create manual"),
            step_named("garbage"),
            step_named("merge garbage"),
            step_named("still in progress"),
            (trial.clone(), Phase::Cleanup),
        ]
    );
    assert_eq!(returned.trial_name(), trial);
    let (steps, finished) = sink.split();
    let step = |name: &str, exchanges| (name.to_string(), StepEnd::Ok, exchanges);
    assert_eq!(
        steps,
        [
            step("create manual", 1),
            step("garbage", 0),
            step("merge garbage", 1),
            step("still in progress", 1),
        ]
    );
    assert_eq!(finished.len(), 1);
    let report = &finished[0];
    assert_eq!(
        (report.id.as_str(), report.outcome),
        ("merge::garbage", Outcome::Passed)
    );
    // Judged before it was emitted; the cleanup's exchanges are in it too.
    assert_eq!(report.api_version.as_deref(), Some("2025-07-01"));
    assert!(report.exchanges.len() > 3, "{}", report.exchanges.len());
    assert_eq!(returned.exchanges.len(), report.exchanges.len());
    assert_eq!(returned.outcome, report.outcome);
    let timings = Timings::default();
    timings.emit(&Event::ScenarioFinished(report));
    let text = timings.render();
    let http = format!("http: {} requests", report.exchanges.len());
    assert!(
        text.contains(&http) && text.contains("creates: 1 requests"),
        "{text}"
    );
}

#[tokio::test]
async fn a_failing_step_is_the_last_one_emitted() {
    let (ctx, _vault) = embedded(vec![Quirk::FlatErrorBody]).await;
    let sink = Recorder::default();
    run_plan(&ctx, &garbage_merge(), &sink).await;
    let (steps, finished) = sink.split();
    let ends: Vec<(&str, StepEnd)> = steps.iter().map(|(s, e, _)| (s.as_str(), *e)).collect();
    assert_eq!(
        ends,
        [
            ("create manual", StepEnd::Ok),
            ("garbage", StepEnd::Ok),
            ("merge garbage", StepEnd::Failed)
        ]
    );
    assert_eq!(finished[0].outcome, Outcome::Failed);
    assert_eq!(finished[0].api_version, None);
}

#[tokio::test]
async fn a_scenario_for_another_api_version_is_skipped_without_a_step() {
    let (ctx, _vault) = embedded(Vec::new()).await;
    let plan = Plan {
        api_versions: vec!["7.0".into()],
        ..garbage_merge()
    };
    let sink = Recorder::default();
    run_plan(&ctx, &plan, &sink).await;
    let (steps, finished) = sink.split();
    assert!(steps.is_empty());
    assert_eq!(finished[0].outcome, Outcome::Skipped);
    let reason = finished[0].reason.as_deref().unwrap_or_default();
    assert_eq!(reason, "applies to api-version 7.0 only, not 2025-07-01");
}

#[test]
fn timings_sum_checks_and_crypto_from_steps_and_http_from_reports() {
    let timings = Timings::default();
    let step = StepSummary {
        scenario: "a::b".into(),
        step: "s".into(),
        end: StepEnd::Ok,
        exchanges: 0,
        elapsed: Duration::ZERO,
        checks: Duration::from_millis(3),
        crypto: Duration::from_millis(5),
    };
    timings.emit(&Event::StepFinished(&step));
    timings.emit(&Event::StepFinished(&step));
    timings.emit(&Event::ScenarioFinished(&ScenarioReport::empty("a::b")));
    let text = timings.render();
    assert!(text.contains("http: 0 requests"), "{text}");
    assert!(text.contains("checks: 6.0 ms"), "{text}");
    assert!(
        text.contains("crypto (CA, signing, foreign keys): 10.0 ms"),
        "{text}"
    );
}
