//! Where a run's time goes (`--timings`): cumulative time in HTTP exchanges (and in creates,
//! where the target generates keys), in checks and in local crypto, summed from the runner's
//! events. Scenarios run in parallel, so the sums can exceed the wall time.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::events::{Event, EventSink};

#[derive(Debug, Default)]
pub struct Timings {
    http_ns: AtomicU64,
    http_count: AtomicU64,
    create_ns: AtomicU64,
    create_count: AtomicU64,
    check_ns: AtomicU64,
    crypto_ns: AtomicU64,
}

fn add(counter: &AtomicU64, elapsed: Duration) {
    counter.fetch_add(elapsed.as_nanos() as u64, Ordering::Relaxed);
}

fn ms(counter: &AtomicU64) -> f64 {
    counter.load(Ordering::Relaxed) as f64 / 1e6
}

impl EventSink for Timings {
    fn emit(&self, event: &Event<'_>) {
        match event {
            Event::StepFinished(step) => {
                add(&self.check_ns, step.checks);
                add(&self.crypto_ns, step.crypto);
            }
            // Every exchange of the scenario, its cleanup's included.
            Event::Entered(_) => {}
            Event::ScenarioFinished(report) => {
                for exchange in &report.exchanges {
                    let request = &exchange.request;
                    let is_create = request.method == "POST" && request.url.contains("/create?");
                    self.http(exchange.elapsed, is_create);
                }
            }
        }
    }
}

impl Timings {
    fn http(&self, elapsed: Duration, is_create: bool) {
        add(&self.http_ns, elapsed);
        self.http_count.fetch_add(1, Ordering::Relaxed);
        if is_create {
            add(&self.create_ns, elapsed);
            self.create_count.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub fn render(&self) -> String {
        format!(
            "  http: {} requests, {:.1} ms cumulative (creates: {} requests, {:.1} ms, key generation on the target included)\n  checks: {:.1} ms cumulative\n  local crypto (CA, signing, foreign keys): {:.1} ms cumulative\n",
            self.http_count.load(Ordering::Relaxed),
            ms(&self.http_ns),
            self.create_count.load(Ordering::Relaxed),
            ms(&self.create_ns),
            ms(&self.check_ns),
            ms(&self.crypto_ns),
        )
    }
}
