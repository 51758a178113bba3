//! 429 and 503 with Retry-After: idempotent requests are retried after the requested
//! pause, and every attempt shows in the exchange log (HAR); a POST answered 503 is never
//! repeated (a 429 is, see `target::retryable`).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;

use crate::support::*;

/// A server on 127.0.0.1:0: `/flaky` answers 429 + `Retry-After: 1` once, then 200;
/// `POST /busy` always answers 503 + `Retry-After: 1`. Runs until the test process ends.
fn flaky_server() -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            let calls = Arc::new(AtomicUsize::new(0));
            let app = Router::new()
                .route("/certificates", get(|| async { r#"{"value":[]}"# }))
                .route(
                    "/flaky",
                    get(move || {
                        let calls = calls.clone();
                        async move {
                            if calls.fetch_add(1, Ordering::SeqCst) == 0 {
                                (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "1")], "{}")
                                    .into_response()
                            } else {
                                (StatusCode::OK, r#"{"ok":true}"#).into_response()
                            }
                        }
                    }),
                )
                .route(
                    "/busy",
                    axum::routing::post(|| async {
                        (
                            StatusCode::SERVICE_UNAVAILABLE,
                            [("retry-after", "1")],
                            "{}",
                        )
                    }),
                );
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            tx.send(listener.local_addr().expect("addr")).expect("send");
            axum::serve(listener, app).await.expect("serve");
        });
    });
    let addr = rx.recv_timeout(Duration::from_secs(10)).expect("server up");
    format!("http://{addr}")
}

const FLAKY: &str = r#"
id: flaky
title: a throttled GET is retried
rules: [retry-after]
source: test
steps:
  - name: get
    request: { method: GET, path: /flaky }
    expect: { status: 200, schema: none }
  - name: post
    request: { method: POST, path: /busy, body: {} }
    expect: { status: 503, schema: none }
"#;

#[test]
fn throttled_get_is_retried_after_retry_after_and_logged() {
    let url = flaky_server();
    let dir = temp_dir("retry");
    let root = scenarios(&dir, &[("transport/flaky.yaml", FLAKY)]);
    let har = dir.join("run.har");
    let output = bin()
        .args(["run", "--scenarios"])
        .arg(&root)
        .args(["--target", &url, "--auth", "none", "--har"])
        .arg(&har)
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let har = json_file(&har);
    let entries = har["log"]["entries"].as_array().expect("entries");
    let seen: Vec<(String, u64)> = entries
        .iter()
        .map(|e| {
            let url = e["request"]["url"].as_str().unwrap_or_default();
            let path = url.split('?').next().unwrap_or_default();
            let path = path.rsplit('/').next().unwrap_or_default().to_string();
            (path, e["response"]["status"].as_u64().unwrap_or_default())
        })
        .collect();
    let expected = [("flaky", 429), ("flaky", 200), ("busy", 503)].map(|(p, s)| (p.to_string(), s));
    assert_eq!(seen, expected, "the retry and nothing else");
    let at = |i: usize| {
        time::OffsetDateTime::parse(
            entries[i]["startedDateTime"].as_str().expect("time"),
            &time::format_description::well_known::Rfc3339,
        )
        .expect("RFC 3339")
    };
    let pause = at(1) - at(0);
    assert!(
        pause >= time::Duration::milliseconds(900),
        "retried after {pause}, Retry-After said 1 s"
    );
    let headers = entries[0]["response"]["headers"]
        .as_array()
        .expect("headers");
    assert!(
        headers
            .iter()
            .any(|h| h["name"] == "retry-after" && h["value"] == "1")
    );
}
