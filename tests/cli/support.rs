//! Running the binary, tiny scenario directories, `kvconform serve` as a child process and
//! direct HTTP calls to it.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

pub const API: &str = "api-version=2025-07-01";

pub fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kvconform"));
    cmd.env("CI", "1").env_remove("KVCONFORM_VAULT_TOKEN");
    cmd
}

pub fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("kvconform runs")
}

/// Standard output and error together.
pub fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// A fresh directory for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("cli")
        .join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn json_file(path: &Path) -> Value {
    serde_json::from_str(&read(path)).expect("valid JSON")
}

/// Every rule the test scenarios name.
const RULES: &[&str] = &[
    "create-manual",
    "self-issued",
    "get-in-progress",
    "retry-after",
];

/// Writes `rules.yaml` and `<area>/<id>.yaml` files; returns the directory.
pub fn scenarios(dir: &Path, files: &[(&str, &str)]) -> PathBuf {
    let root = dir.join("scenarios");
    let mut rules = String::from("rules:\n");
    for rule in RULES {
        rules.push_str(&format!(
            "  - {{ id: {rule}, rule: test, sources: [test] }}\n"
        ));
    }
    std::fs::create_dir_all(&root).expect("mkdir");
    std::fs::write(root.join("rules.yaml"), rules).expect("rules");
    for (path, yaml) in files {
        let file = root.join(path);
        std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
        std::fs::write(file, yaml).expect("scenario");
    }
    root
}

/// A manual create, then a GET of the pending operation expecting `inProgress`.
pub const MANUAL: &str = r#"
id: manual
title: manual create stays inProgress
rules: [create-manual, get-in-progress]
source: test
steps:
  - name: create
    request:
      method: POST
      path: "/certificates/{{cert}}/create"
      body: { policy: { key_props: { kty: EC, crv: P-256 }, x509_props: { subject: "CN={{cert}}" }, issuer: { name: Unknown } } }
    expect: { status: 202 }
    capture: { request_id: { json: /request_id } }
  - name: get
    request:
      method: GET
      path: "/certificates/{{cert}}/pending"
      query: { request_id: "{{request_id}}" }
    expect: { status: 200, json: { /status: inProgress } }
"#;

/// A manual create whose 202 must carry `Retry-After`.
pub const RETRY_AFTER: &str = r#"
id: retry-after
title: the 202 carries Retry-After
rules: [retry-after]
source: test
steps:
  - name: create
    request:
      method: POST
      path: "/certificates/{{cert}}/create"
      body: { policy: { key_props: { kty: EC, crv: P-256 }, x509_props: { subject: "CN={{cert}}" }, issuer: { name: Unknown } } }
    expect: { status: 202, headers: { retry-after: { regex: "^[0-9]+$" } } }
"#;

/// An issuer, then a `Self` create awaited until completed (with a deadline).
pub fn self_await(timeout_s: u64) -> String {
    format!(
        r#"
id: self
title: an issuer, then a Self create awaited until completed
rules: [self-issued]
source: test
steps:
  - name: issuer
    request:
      method: PUT
      path: "/certificates/issuers/{{{{issuer}}}}"
      body: {{ provider: Test }}
    expect: {{ status: 200 }}
  - name: create
    request:
      method: POST
      path: "/certificates/{{{{cert}}}}/create"
      body: {{ policy: {{ key_props: {{ kty: EC, crv: P-256 }}, x509_props: {{ subject: "CN={{{{cert}}}}" }}, issuer: {{ name: Self }} }} }}
    expect: {{ status: 202 }}
  - name: completed
    await:
      request: {{ method: GET, path: "/certificates/{{{{cert}}}}/pending" }}
      until: {{ /status: completed }}
      timeout_s: {timeout_s}
    expect: {{ status: 200 }}
"#
    )
}

/// `kvconform serve` on 127.0.0.1:0, killed on drop.
pub struct Served {
    pub url: String,
    pub child: Child,
}

impl Served {
    pub fn start(args: &[&str]) -> Served {
        let mut child = bin()
            .args(["serve", "--addr", "127.0.0.1:0", "--key-pool", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("serve starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).expect("banner");
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected banner {line:?}"))
            .to_string();
        Served { url, child }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits for a child to exit, killing it after `limit`.
pub fn wait_for(child: &mut Child, limit: Duration) -> ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            panic!("process still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// One HTTP call to a vault with a bearer token: (status, JSON body or Null).
pub fn call(method: &str, url: &str, token: &str, body: Option<Value>) -> (u16, Value) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let client = reqwest::Client::new();
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = client
            .request(method, url)
            .bearer_auth(token)
            .timeout(Duration::from_secs(10));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("vault answers");
        let status = response.status().as_u16();
        let body = response.json::<Value>().await.unwrap_or(Value::Null);
        (status, body)
    })
}

/// Names (last `id` segment) of the items of a list endpoint.
pub fn names(vault: &str, path_and_query: &str, token: &str) -> Vec<String> {
    let (status, body) = call("GET", &format!("{vault}{path_and_query}"), token, None);
    assert_eq!(status, 200, "{path_and_query}: {body}");
    body["value"]
        .as_array()
        .expect("value")
        .iter()
        .filter_map(|item| item["id"].as_str())
        .map(|id| id.rsplit('/').next().unwrap_or_default().to_string())
        .collect()
}

/// Everything a vault holds: certificates (pending included), deleted ones, issuers.
pub fn everything(vault: &str, token: &str) -> Vec<String> {
    let mut all = names(
        vault,
        &format!("/certificates?includePending=true&{API}"),
        token,
    );
    all.extend(names(vault, &format!("/deletedcertificates?{API}"), token));
    all.extend(names(vault, &format!("/certificates/issuers?{API}"), token));
    all
}

/// A manual (issuer `Unknown`) create straight against the vault.
pub fn create_manual(vault: &str, token: &str, name: &str) {
    let body = serde_json::json!({"policy": {"key_props": {"kty": "EC", "crv": "P-256"},
        "x509_props": {"subject": format!("CN={name}")}, "issuer": {"name": "Unknown"}}});
    let (status, body) = call(
        "POST",
        &format!("{vault}/certificates/{name}/create?{API}"),
        token,
        Some(body),
    );
    assert_eq!(status, 202, "{body}");
}

/// The package root (where `scenarios/`, `schemas/` and `snapshots/` live).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The JSON report a run wrote.
pub fn json_report(path: &Path) -> Value {
    json_file(path)
}

/// Ids of the scenarios with this outcome in a JSON report.
pub fn ids_with(report: &Value, outcome: &str) -> Vec<String> {
    report["scenarios"]
        .as_array()
        .expect("scenarios")
        .iter()
        .filter(|s| s["outcome"] == outcome)
        .map(|s| s["id"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Copies a directory tree (scenarios or snapshots) so a test can break its copy.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("readable") {
        let entry = entry.expect("entry");
        let dest = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), dest).expect("copy");
        }
    }
}
