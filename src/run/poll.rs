//! An `await` step: [`poll`] sends its request until `until` holds, the operation ends, the
//! deadline passes or Ctrl-C arrives. When it polls next is [`next_wait`], a pure function of
//! the time already waited, so the schedule is unit-tested without clocks. A dry run polls
//! once: the recording target's answer says nothing an `until` could hold on.
//!
//! The wait grows with the time the operation has taken so far: a tenth of it, never less
//! than [`FIRST_WAIT`] and never more than `min(Retry-After, --max-poll-interval)`. An
//! operation that ends at time `T` after the await began is therefore seen by `1.1 × T`
//! (or `T + FIRST_WAIT` for short ones): a 400 ms operation costs about 440 ms, a 10 s one
//! about 11 s, with about twenty polls for the first and fifty for the second. A fixed
//! interval either wastes up to the whole interval on fast targets (the old 2 s cap against a
//! 400 ms emulator) or polls a slow target needlessly often. 429 and 503 answers are not
//! handled here: the target layer backs off on them before a poll returns.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::context::RunContext;
use super::error::StepError;
use crate::check::{self, CheckFailure};
use crate::scenario::{At, AwaitSpec, Matcher};
use crate::target::Exchange;
use crate::template::Vars;

/// How an `await` ended.
pub(super) enum Polled {
    /// `until` held (or the run is dry): the last exchange.
    Met(Exchange),
    /// The operation ended or the deadline passed first.
    Unmet(Exchange, CheckFailure),
    Interrupted,
}

/// Polls until `until` holds, the operation is terminal, the deadline passes or Ctrl-C
/// arrives (the wait between polls ends at once then). The waits follow [`next_wait`]: soon
/// at first, growing with the time already waited.
pub(super) async fn poll(
    ctx: &RunContext,
    spec: &AwaitSpec,
    vars: &Vars,
    log: &mut Vec<Exchange>,
) -> Result<Polled, StepError> {
    let request = super::vars::render_request(&spec.request, vars)?;
    let started = Instant::now();
    let deadline = started + ctx.options.await_deadline(spec.timeout_s);
    loop {
        let exchange = ctx.target.send(&request, log).await?;
        let body = exchange.response.json.as_ref();
        let unmet = spec.until.iter().find(|(pointer, matcher)| {
            !check::matches(matcher, body.and_then(|b| b.pointer(pointer)), vars)
        });
        let Some((pointer, matcher)) = unmet.filter(|_| !ctx.is_dry()) else {
            return Ok(Polled::Met(exchange));
        };
        if ctx.is_stopping() {
            return Ok(Polled::Interrupted);
        }
        let now = Instant::now();
        let ended = is_terminal(&exchange);
        if ended || now >= deadline {
            let waited = now - started;
            let unmet = unmet_failure(pointer, matcher, vars, &exchange, (ended, waited));
            return Ok(Polled::Unmet(exchange, unmet));
        }
        let retry_after = exchange.response.retry_after();
        let wait = next_wait(now - started, retry_after, ctx.options.max_poll_interval);
        if ctx.stop_signal().sleep(wait.min(deadline - now)).await {
            return Ok(Polled::Interrupted);
        }
    }
}

/// Why an `await` gave up, as a failed check of its `until` at `pointer`.
fn unmet_failure(
    pointer: &str,
    matcher: &At<Matcher>,
    vars: &Vars,
    exchange: &Exchange,
    (ended, waited): (bool, Duration),
) -> CheckFailure {
    let body = exchange.response.json.as_ref();
    let actual = body
        .and_then(|b| b.pointer(pointer))
        .map_or_else(|| "nothing".to_string(), Value::to_string);
    let why = match ended {
        true => "the operation ended first",
        false => "deadline passed",
    };
    CheckFailure {
        pos: matcher.pos,
        what: format!(
            "await {pointer} ({why}, after {:.1}s)",
            waited.as_secs_f64()
        ),
        expected: check::render_matcher(matcher, vars)
            .map(|m| m.describe())
            .unwrap_or_default(),
        actual: format!("{actual} (HTTP {})", exchange.response.status),
    }
}

/// An answer that polling cannot change: an error status, or an operation whose `/status`
/// is something other than in progress (any casing).
fn is_terminal(exchange: &Exchange) -> bool {
    let response = &exchange.response;
    if !(200..300).contains(&response.status) {
        return true;
    }
    response
        .json
        .as_ref()
        .and_then(|b| b.pointer("/status"))
        .and_then(Value::as_str)
        .is_some_and(|s| !s.eq_ignore_ascii_case("inprogress"))
}

/// The wait after the first poll: an operation that ends at once is seen tens of
/// milliseconds later.
pub(crate) const FIRST_WAIT: Duration = Duration::from_millis(20);

/// The wait is the time elapsed divided by this, so polling overshoots the end of an
/// operation by at most a tenth of its duration.
const GROWTH_DIVISOR: u32 = 10;

/// The cap when the target sends no `Retry-After`.
pub(crate) const NO_RETRY_AFTER_CAP: Duration = Duration::from_secs(1);

/// The wait before the next poll, `elapsed` after the await's first poll was sent, given the
/// last answer's `Retry-After` and `--max-poll-interval`. Never more than either.
pub(crate) fn next_wait(
    elapsed: Duration,
    retry_after: Option<Duration>,
    max_poll_interval: Duration,
) -> Duration {
    let cap = retry_after
        .unwrap_or(NO_RETRY_AFTER_CAP)
        .min(max_poll_interval);
    (elapsed / GROWTH_DIVISOR).max(FIRST_WAIT).min(cap)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: fn(u64) -> Duration = Duration::from_millis;
    const TEN_S: Option<Duration> = Some(Duration::from_secs(10));

    /// The times polls are sent (zero latency) until one lands at or after `ends`.
    fn polls_until(ends: Duration, retry_after: Option<Duration>, max: Duration) -> Vec<Duration> {
        let mut at = Duration::ZERO;
        let mut polls = vec![at];
        while at < ends {
            at += next_wait(at, retry_after, max);
            polls.push(at);
        }
        polls
    }

    #[test]
    fn the_first_wait_is_tens_of_milliseconds() {
        assert_eq!(next_wait(Duration::ZERO, TEN_S, MS(2000)), MS(20));
        assert_eq!(next_wait(MS(20), TEN_S, MS(2000)), MS(20));
    }

    #[test]
    fn the_wait_grows_with_the_time_waited() {
        let waits: Vec<_> = [0, 200, 400, 1000, 5000]
            .map(|t| next_wait(MS(t), TEN_S, MS(2000)))
            .to_vec();
        assert_eq!(waits, [MS(20), MS(20), MS(40), MS(100), MS(500)]);
        assert!(waits.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn retry_after_and_the_max_interval_are_never_exceeded() {
        for t in [0, 50, 1_000, 30_000, 600_000] {
            assert!(next_wait(MS(t), TEN_S, MS(2000)) <= MS(2000));
            assert!(next_wait(MS(t), Some(MS(300)), MS(2000)) <= MS(300));
            assert!(next_wait(MS(t), None, MS(60_000)) <= NO_RETRY_AFTER_CAP);
            // Below the first wait, the caps still win.
            assert_eq!(next_wait(MS(t), Some(MS(5)), MS(2000)), MS(5));
            assert_eq!(next_wait(MS(t), TEN_S, MS(10)), MS(10));
            assert_eq!(
                next_wait(MS(t), Some(Duration::ZERO), MS(2000)),
                Duration::ZERO
            );
        }
        assert_eq!(next_wait(MS(600_000), TEN_S, MS(2000)), MS(2000));
    }

    #[test]
    fn an_operation_is_seen_within_a_tenth_of_its_duration() {
        for ends in [
            1, 19, 20, 21, 95, 400, 401, 999, 3_000, 8_000, 10_000, 60_000,
        ] {
            let ends = MS(ends);
            let seen = *polls_until(ends, TEN_S, MS(2000)).last().unwrap();
            let bound = (ends + ends / GROWTH_DIVISOR).max(ends + FIRST_WAIT);
            assert!(
                seen <= bound,
                "ends {ends:?}, seen {seen:?}, bound {bound:?}"
            );
        }
    }

    #[test]
    fn polls_stay_few() {
        // The embedded-serve benchmark's slowest operation, and the real service's Self.
        assert!(polls_until(MS(400), TEN_S, MS(2000)).len() <= 20);
        assert!(polls_until(MS(10_000), TEN_S, MS(2000)).len() <= 55);
        // Once the cap is reached the interval is the cap: an hour costs ~1800 polls, not more.
        assert!(polls_until(MS(3_600_000), TEN_S, MS(2000)).len() <= 1_900);
    }
}
