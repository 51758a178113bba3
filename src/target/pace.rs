//! A request budget for remote targets, so that running every scenario at once stays well
//! inside a real vault's throttling limits.
//!
//! Key Vault allows 4,000 transactions per 10 seconds per vault and region for certificates,
//! secrets and software-key reads (learn.microsoft.com/azure/key-vault/general/service-limits),
//! and answers 429 past that. The budget is a token bucket of [`BURST`] requests refilled at
//! [`PER_SECOND`]: at most `BURST + 10 × PER_SECOND` = 3,000 requests in any 10 s window,
//! three quarters of the limit, leaving room for whatever else uses the vault. The whole suite
//! sends about 1,100 requests in 11 s per api-version, so the budget only shapes a run that
//! covers several versions at once. 429 answers are still
//! retried after `Retry-After` (see [`super::Target::send`]). The embedded vault has no budget.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Requests sent at once before the budget starts spacing them.
pub const BURST: f64 = 1_000.0;
/// Requests per second in the long run.
pub const PER_SECOND: f64 = 200.0;

/// A token bucket shared by every request of a run.
#[derive(Debug)]
pub struct Pacer {
    bucket: Mutex<Bucket>,
}

impl Pacer {
    pub fn new() -> Pacer {
        Pacer {
            bucket: Mutex::new(Bucket::new(Instant::now())),
        }
    }

    /// Waits until the next request may be sent.
    pub async fn admit(&self) {
        let wait = self
            .bucket
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .reserve(Instant::now());
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }
}

impl Default for Pacer {
    fn default() -> Self {
        Pacer::new()
    }
}

/// The bucket itself, clock passed in so that it is tested without waiting.
#[derive(Debug)]
struct Bucket {
    /// Tokens left; negative when requests are already queued for later slots.
    tokens: f64,
    last: Instant,
}

impl Bucket {
    fn new(now: Instant) -> Bucket {
        Bucket {
            tokens: BURST,
            last: now,
        }
    }

    /// Takes a token for a request asked for at `now`; returns how long it must wait.
    fn reserve(&mut self, now: Instant) -> Duration {
        let refill = now.saturating_duration_since(self.last).as_secs_f64() * PER_SECOND;
        self.tokens = (self.tokens + refill).min(BURST);
        self.last = self.last.max(now);
        self.tokens -= 1.0;
        match self.tokens >= 0.0 {
            true => Duration::ZERO,
            false => Duration::from_secs_f64(-self.tokens / PER_SECOND),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Request `i` asked for at `times[i]`; returns when each is sent.
    fn sent_at(bucket: &mut Bucket, start: Instant, times: &[Duration]) -> Vec<Duration> {
        times
            .iter()
            .map(|&t| t + bucket.reserve(start + t))
            .collect()
    }

    #[test]
    fn a_burst_within_the_budget_is_not_delayed() {
        let start = Instant::now();
        let mut bucket = Bucket::new(start);
        let sent = sent_at(&mut bucket, start, &[Duration::ZERO; 1_000]);
        assert!(sent.iter().all(Duration::is_zero));
    }

    #[test]
    fn beyond_the_burst_requests_are_spaced_at_the_rate() {
        let start = Instant::now();
        let mut bucket = Bucket::new(start);
        let sent = sent_at(&mut bucket, start, &[Duration::ZERO; 1_400]);
        let last = sent.last().unwrap().as_secs_f64();
        // 400 requests past the burst at 200/s: the last one two seconds later.
        assert!((last - 2.0).abs() < 0.01, "{last}");
        assert!(sent.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn no_ten_second_window_exceeds_three_quarters_of_the_vault_limit() {
        let start = Instant::now();
        let mut bucket = Bucket::new(start);
        // A client that asks for 1,000 requests a second for 30 s.
        let asked: Vec<Duration> = (0..30_000).map(Duration::from_millis).collect();
        let sent = sent_at(&mut bucket, start, &asked);
        let ten = Duration::from_secs(10);
        let most = (0..sent.len())
            .map(|i| sent[i..].iter().take_while(|&&t| t < sent[i] + ten).count())
            .step_by(97)
            .max()
            .unwrap();
        assert!(most <= 3_001, "{most} requests in one 10 s window");
        assert!(most >= 2_900, "the budget is used, not wasted: {most}");
    }

    #[test]
    fn an_idle_bucket_refills_but_never_past_the_burst() {
        let start = Instant::now();
        let mut bucket = Bucket::new(start);
        sent_at(&mut bucket, start, &[Duration::ZERO; 1_000]);
        let later = start + Duration::from_secs(60);
        assert_eq!(bucket.reserve(later), Duration::ZERO);
        assert!(bucket.tokens <= BURST - 1.0);
    }
}
