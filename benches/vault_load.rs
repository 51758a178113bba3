//! Load helper for `benches/vault.sh`: creates pending operations against a running
//! `kvconform serve` with bounded concurrency and reports the rate and latencies.
//!
//!     cargo bench --bench vault_load -- --url http://127.0.0.1:PORT --n 400 --concurrency 16
//!
//! Every request goes to the given URL (the script passes a loopback one); the number of
//! requests is bounded by `--n` and the run by `--deadline`. Not a test: it asserts nothing
//! about speed, it only measures. Exits 1 if any create was not answered 202.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use clap::Parser;
use serde_json::json;

#[derive(Parser, Debug)]
#[command(about = "Create pending certificate operations and measure the rate")]
struct Args {
    /// The vault, e.g. http://127.0.0.1:8443 (loopback only).
    #[arg(long)]
    url: String,
    /// Bearer token sent on every request.
    #[arg(long, default_value = "bench")]
    token: String,
    /// How many creates.
    #[arg(long, default_value_t = 200)]
    n: usize,
    /// Creates in flight at once.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Key type: `rsa` (RSA-2048, the default key_props) or `ec` (P-256).
    #[arg(long, default_value = "rsa")]
    kty: String,
    /// Certificate names are PREFIX-0 … PREFIX-(n-1).
    #[arg(long, default_value = "bench")]
    prefix: String,
    /// Give up after this many seconds.
    #[arg(long, default_value_t = 600)]
    deadline: u64,
    /// Print only the summary line.
    #[arg(long)]
    quiet: bool,
    /// Ignored (cargo bench passes it).
    #[arg(long, hide = true)]
    bench: bool,
}

fn policy(kty: &str, name: &str) -> serde_json::Value {
    let subject = format!("CN={name}");
    match kty {
        "ec" => json!({"policy": {"key_props": {"kty": "EC", "crv": "P-256"},
                                  "x509_props": {"subject": subject},
                                  "issuer": {"name": "Unknown"}}}),
        // No key_props: the service's default, RSA-2048.
        _ => json!({"policy": {"x509_props": {"subject": subject}, "issuer": {"name": "Unknown"}}}),
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn run(args: Args) -> ExitCode {
    if !(args.url.starts_with("http://127.") || args.url.starts_with("https://127.")) {
        eprintln!("vault_load: --url must be a loopback address (127.x)");
        return ExitCode::FAILURE;
    }
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.concurrency)
        .timeout(Duration::from_secs(60))
        .build()
        .expect("client");
    let args = Arc::new(args);
    let next = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + Duration::from_secs(args.deadline);
    let start = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..args.concurrency.max(1) {
        let (client, args, next) = (client.clone(), Arc::clone(&args), Arc::clone(&next));
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= args.n || Instant::now() > deadline {
                    break;
                }
                let name = format!("{}-{i}", args.prefix);
                let url = format!("{}/certificates/{name}/create?api-version=7.6", args.url);
                let t = Instant::now();
                let sent = client
                    .post(url)
                    .bearer_auth(&args.token)
                    .json(&policy(&args.kty, &name))
                    .send()
                    .await;
                match sent {
                    Ok(r) if r.status().as_u16() == 202 => {
                        let _ = r.bytes().await;
                        latencies.push(t.elapsed());
                    }
                    Ok(r) => errors.push(format!("{name}: {}", r.status())),
                    Err(e) => errors.push(format!("{name}: {e}")),
                }
            }
            (latencies, errors)
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = Vec::new();
    for w in workers {
        let (l, e) = w.await.expect("worker");
        latencies.extend(l);
        errors.extend(e);
    }
    let elapsed = start.elapsed();
    latencies.sort();
    let ok = latencies.len();
    println!(
        "creates ({}): {ok} in {:.2} s = {:.1}/s at concurrency {} (latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms), {} errors",
        if args.kty == "ec" {
            "EC P-256"
        } else {
            "RSA-2048"
        },
        elapsed.as_secs_f64(),
        ok as f64 / elapsed.as_secs_f64(),
        args.concurrency,
        ms(percentile(&latencies, 50.0)),
        ms(percentile(&latencies, 99.0)),
        ms(latencies.last().copied().unwrap_or_default()),
        errors.len(),
    );
    if !args.quiet {
        for e in errors.iter().take(5) {
            eprintln!("  error: {e}");
        }
    }
    if errors.is_empty() && ok == args.n {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run(args))
}
