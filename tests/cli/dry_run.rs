//! `kvconform run --dry-run`: every request and object, and no traffic at all.

use std::net::TcpListener;

use crate::support::*;

#[test]
fn dry_run_lists_requests_and_objects_without_contacting_the_target() {
    // A socket nobody answers on: any connection attempt would be noticed.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let dir = temp_dir("dry-run");
    let root = scenarios(
        &dir,
        &[
            ("dry/manual.yaml", MANUAL),
            ("dry/self.yaml", &self_await(5)),
        ],
    );
    let output = bin()
        .args(["run", "--dry-run", "--scenarios"])
        .arg(&root)
        .args(["--target", &url])
        .output()
        .expect("run");
    let out = text(&output);
    assert_eq!(output.status.code(), Some(0), "{out}");
    assert!(
        listener.accept().is_err(),
        "the dry run connected to the target"
    );
    for expected in [
        "dry::manual",
        "1. create: POST /certificates/kvc-<run>-dry-manual/create  → creates certificate kvc-<run>-dry-manual",
        "2. get: GET /certificates/kvc-<run>-dry-manual/pending?request_id=<captured:request_id>",
        "1. issuer: PUT /certificates/issuers/kvc-<run>-dry-self-iss  → creates issuer kvc-<run>-dry-self-iss",
        "(polled until /status holds, deadline 5 s)",
        "cleanup: DELETE /certificates/issuers/kvc-<run>-dry-self-iss",
        "objects: 2 certificate(s) and 1 issuer(s)",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in:\n{out}");
    }
}
