//! Ctrl-C during a run against `kvconform serve`: the await wakes up at once, cleanup runs,
//! and the vault is left with nothing carrying the run prefix.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::*;

const TOKEN: &str = "interrupt-test-token";

#[test]
fn sigint_mid_run_cleans_up_everything() {
    // A Self operation that would take 10 minutes to complete.
    let vault = Served::start(&["--token", TOKEN, "--self-delay", "600000"]);
    let dir = temp_dir("interrupt");
    let root = scenarios(&dir, &[("cleanup/self.yaml", &self_await(300))]);
    let mut run = bin()
        .env("KVC_TOKEN", TOKEN)
        .args(["run", "--scenarios"])
        .arg(&root)
        .args(["--target", &vault.url, "--token-env", "KVC_TOKEN"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run starts");
    // Wait until the run has created its pending certificate (it is then awaiting).
    let deadline = Instant::now() + Duration::from_secs(60);
    while !everything(&vault.url, TOKEN)
        .iter()
        .any(|n| n.starts_with("kvc-") && !n.ends_with("-iss") && !n.contains("-probe-"))
    {
        assert!(
            Instant::now() < deadline,
            "the run never created its certificate"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(300));
    let status = Command::new("kill")
        .args(["-INT", &run.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let interrupted = Instant::now();
    let status = wait_for(&mut run, Duration::from_secs(30));
    let output = run.wait_with_output().expect("output");
    let console = text(&output);
    assert!(
        interrupted.elapsed() < Duration::from_secs(10),
        "exit took {:?}",
        interrupted.elapsed()
    );
    assert_eq!(status.code(), Some(130), "{console}");
    assert!(console.contains("interrupted"), "{console}");
    let left: Vec<String> = everything(&vault.url, TOKEN)
        .into_iter()
        .filter(|n| n.starts_with("kvc-"))
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}\n{console}");
}
