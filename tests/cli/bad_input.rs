//! Bad input never crashes a run: a broken scenario file is one failing case with its
//! position, and a target that answers garbage gives failed steps with clear messages.

use std::io::Write as _;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::support::{copy_tree, ids_with, json_report, root, run, temp_dir, text};

const GOOD: &str = "id: good\ntitle: fine\nrules: [create-manual]\nsource: test\nsteps:\n  - name: list\n    request: { method: GET, path: /certificates }\n    expect: { status: 200 }\n";

#[test]
fn broken_scenario_files_fail_alone_with_file_line_col() {
    let dir = temp_dir("broken");
    std::fs::copy(root().join("scenarios/rules.yaml"), dir.join("rules.yaml")).unwrap();
    let area = dir.join("area");
    std::fs::create_dir_all(&area).unwrap();
    std::fs::write(area.join("good.yaml"), GOOD).unwrap();
    std::fs::write(area.join("typo.yaml"), GOOD.replace("title:", "titel:")).unwrap();
    std::fs::write(
        area.join("wrong-type.yaml"),
        GOOD.replace("status: 200", "status: ok"),
    )
    .unwrap();
    std::fs::write(area.join("not-yaml.yaml"), "id: [unclosed\n  - : :").unwrap();
    std::fs::write(
        area.join("bad-matcher.yaml"),
        GOOD.replace(
            "status: 200 }",
            "status: 200, json: { /x: { regexp: a } } }",
        ),
    )
    .unwrap();
    let report_path = dir.join("report.json");
    let output = run(&[
        "run",
        "--scenarios",
        dir.to_str().unwrap(),
        "--json",
        report_path.to_str().unwrap(),
    ]);
    let console = text(&output);
    assert_eq!(output.status.code(), Some(101), "{console}");
    let report = json_report(&report_path);
    assert_eq!(ids_with(&report, "passed"), ["area::good"]);
    let mut failed = ids_with(&report, "failed");
    failed.sort();
    assert_eq!(
        failed,
        [
            "area::bad-matcher",
            "area::not-yaml",
            "area::typo",
            "area::wrong-type"
        ]
    );
    // `error: MESSAGE` then `--> file:line:col` on the next line.
    let lines: Vec<&str> = console.lines().collect();
    for (file, words) in [
        (r"--> .*typo\.yaml:2:1$", "titel"),
        (
            r"--> .*wrong-type\.yaml:8:23$",
            "expected an HTTP status code",
        ),
        (
            r"--> .*bad-matcher\.yaml:8:\d+$",
            "unknown matcher `regexp`",
        ),
        (r"--> .*not-yaml\.yaml:\d+:\d+$", ""),
    ] {
        let position = regex::Regex::new(file).unwrap();
        let at = (1..lines.len())
            .find(|i| position.is_match(lines[*i]))
            .unwrap_or_else(|| panic!("no {file} in:\n{console}"));
        let message = lines[at - 1];
        assert!(message.starts_with("error: "), "{message}");
        assert!(message.contains(words), "{message}");
    }
}

/// A loopback server that answers each path with a different kind of garbage.
fn garbage_server() -> (u16, std::thread::JoinHandle<()>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    listener.set_nonblocking(true).unwrap();
    let handle = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            let deadline = Instant::now() + Duration::from_secs(60);
            while Instant::now() < deadline {
                let Ok(Ok((socket, _))) =
                    tokio::time::timeout(Duration::from_secs(5), listener.accept()).await
                else {
                    continue;
                };
                tokio::spawn(answer(socket));
            }
        });
    });
    (port, handle)
}

async fn answer(mut socket: tokio::net::TcpStream) {
    let mut buf = vec![0u8; 8192];
    let n = socket.read(&mut buf).await.unwrap_or(0);
    let request = String::from_utf8_lossy(&buf[..n]).to_string();
    let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
    let ok = |body: &str| {
        format!(
            "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        )
    };
    let reply = if path.starts_with("/certificates?") {
        ok("{\"value\":[]}")
    } else if path.starts_with("/html") {
        ok("<html>not json</html>")
    } else if path.starts_with("/truncated") {
        "HTTP/1.1 200 OK\r\ncontent-length: 500\r\n\r\n{\"status\":".to_string()
    } else if path.starts_with("/huge") {
        let body = "x".repeat(5 * 1024 * 1024);
        ok(&body)
    } else if path.starts_with("/slow") {
        tokio::time::sleep(Duration::from_secs(20)).await;
        ok("{}")
    } else {
        "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n".to_string()
    };
    let _ = socket.write_all(reply.as_bytes()).await;
    let _ = socket.flush().await;
}

#[test]
fn a_target_answering_garbage_fails_steps_clearly_without_hanging() {
    let dir = temp_dir("garbage");
    copy_tree(&root().join("scenarios"), &dir.join("unused"));
    std::fs::copy(root().join("scenarios/rules.yaml"), dir.join("rules.yaml")).unwrap();
    let area = dir.join("garbage");
    std::fs::create_dir_all(&area).unwrap();
    for case in ["html", "truncated", "huge", "slow"] {
        let mut file = std::fs::File::create(area.join(format!("{case}.yaml"))).unwrap();
        write!(
            file,
            "id: {case}\ntitle: {case}\nrules: [get-in-progress]\nsource: test\nsteps:\n  - name: get\n    request: {{ method: GET, path: /{case} }}\n    expect: {{ status: 200, json: {{ /status: inProgress }} }}\n"
        )
        .unwrap();
    }
    let _ = std::fs::remove_dir_all(dir.join("unused"));
    let (port, _server) = garbage_server();
    let started = Instant::now();
    let report_path = dir.join("report.json");
    let output = run(&[
        "run",
        "--scenarios",
        dir.to_str().unwrap(),
        "--target",
        &format!("http://127.0.0.1:{port}"),
        "--request-timeout",
        "2",
        "--json",
        report_path.to_str().unwrap(),
    ]);
    let console = text(&output);
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(output.status.code(), Some(101), "{console}");
    assert!(!console.contains("panicked"), "{console}");
    let report = json_report(&report_path);
    assert_eq!(ids_with(&report, "failed").len(), 4, "{console}");
    for expected in [
        "non-JSON \"<html>not json</html>\"",
        "larger than 4194304 bytes",
        "no response from",
        "garbage::truncated",
    ] {
        assert!(
            console.contains(expected),
            "missing {expected:?} in:\n{console}"
        );
    }
}
