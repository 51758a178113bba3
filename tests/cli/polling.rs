//! Await steps: a deadline that passes fails clearly and promptly, and the wait between
//! polls is capped by --max-poll-interval whatever Retry-After says.

use std::time::{Duration, Instant};

use crate::support::*;

#[test]
fn an_await_that_never_completes_fails_at_its_deadline() {
    let dir = temp_dir("polling");
    let root = scenarios(&dir, &[("polling/self.yaml", &self_await(2))]);
    let har = dir.join("run.har");
    let started = Instant::now();
    let output = bin()
        .args(["run", "--scenarios"])
        .arg(&root)
        .args([
            "--vault-quirk",
            "self-never-completes",
            "--max-poll-interval",
            "200",
        ])
        .arg("--har")
        .arg(&har)
        .output()
        .expect("run");
    let elapsed = started.elapsed();
    let console = text(&output);
    assert_eq!(output.status.code(), Some(101), "{console}");
    assert!(console.contains("deadline passed"), "{console}");
    assert!(console.contains("await /status"), "{console}");
    assert!(elapsed < Duration::from_secs(60), "took {elapsed:?}");
    // The vault asks for 10 s between polls; the schedule (20 ms apart, then a tenth of the
    // time waited, capped at 200 ms) makes it about 35 in 2 s: neither 2 nor a tight loop.
    let polls = json_file(&har)["log"]["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| {
            e["request"]["method"] == "GET"
                && e["request"]["url"]
                    .as_str()
                    .is_some_and(|u| u.contains("/pending?"))
        })
        .count();
    assert!((10..=45).contains(&polls), "{polls} polls in 2 s");
}

#[test]
fn await_timeout_applies_when_the_step_sets_none() {
    let dir = temp_dir("polling-default");
    let yaml = self_await(1).replace("      timeout_s: 1\n", "");
    let root = scenarios(&dir, &[("polling/self.yaml", &yaml)]);
    let started = Instant::now();
    let output = bin()
        .args(["run", "--scenarios"])
        .arg(&root)
        .args([
            "--vault-quirk",
            "self-never-completes",
            "--await-timeout",
            "1",
        ])
        .output()
        .expect("run");
    let console = text(&output);
    assert_eq!(output.status.code(), Some(101), "{console}");
    assert!(console.contains("deadline passed, after 1."), "{console}");
    assert!(started.elapsed() < Duration::from_secs(60));
}

/// `--slow-after`: a scenario still running is named on stderr with its step, once per
/// multiple; the await below runs 2 s by construction (the op never completes), so the
/// 0.5 s and 1.5 s notices are due whatever the machine's speed.
#[test]
fn a_slow_scenario_is_named_with_its_step_while_it_runs() {
    let dir = temp_dir("slow");
    let root = scenarios(&dir, &[("polling/self.yaml", &self_await(2))]);
    let output = bin()
        .args(["run", "--scenarios"])
        .arg(&root)
        .args([
            "--vault-quirk",
            "self-never-completes",
            "--slow-after",
            "0.5",
        ])
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(101), "{}", text(&output));
    for due in ["0.5 s", "1 s", "1.5 s"] {
        let line = format!("    SLOW [> {due}] polling::self: step `");
        assert_eq!(stderr.matches(&line).count(), 1, "{line:?} in:\n{stderr}");
    }
    // By then the scenario is in its await (its first two steps take milliseconds).
    let awaiting = "    SLOW [> 1.5 s] polling::self: step `completed`";
    assert!(stderr.contains(awaiting), "{stderr}");
    let refused = bin()
        .args(["run", "--slow-after", "-1"])
        .output()
        .expect("run");
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
}
