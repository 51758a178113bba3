//! Concurrent PATCH / DELETE / merge / GET on one pending operation, over a real socket:
//! whatever the interleaving, every answer is a 2xx or a Key Vault 4xx (never a 5xx), at most
//! one DELETE and at most one merge win, and the operation left behind is either gone (404)
//! or a well-formed operation whose state agrees with what the winners did.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use kvconform::vault::{VaultConfig, start};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use serde_json::{Value, json};

const TASKS: usize = 50;
const ROUNDS: usize = 4;
const API: &str = "api-version=7.6";

struct Client {
    http: reqwest::Client,
    base: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Cancel,
    Delete,
    Merge,
    Get,
}

impl Client {
    fn url(&self, name: &str, tail: &str) -> String {
        format!("{}/certificates/{name}{tail}?{API}", self.base)
    }

    async fn send(
        &self,
        method: reqwest::Method,
        url: String,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self.http.request(method, url).bearer_auth("t");
        if let Some(b) = body {
            request = request.json(&b);
        }
        let response = tokio::time::timeout(Duration::from_secs(30), request.send())
            .await
            .expect("no answer within 30 s")
            .expect("connection kept");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        (status, json)
    }

    async fn act(&self, name: &str, action: Action, x5c: &[String]) -> (u16, Value) {
        use reqwest::Method;
        match action {
            Action::Cancel => {
                let body = json!({"cancellation_requested": true});
                self.send(Method::PATCH, self.url(name, "/pending"), Some(body))
                    .await
            }
            Action::Delete => {
                self.send(Method::DELETE, self.url(name, "/pending"), None)
                    .await
            }
            Action::Merge => {
                let body = json!({ "x5c": x5c });
                self.send(Method::POST, self.url(name, "/pending/merge"), Some(body))
                    .await
            }
            Action::Get => {
                self.send(Method::GET, self.url(name, "/pending"), None)
                    .await
            }
        }
    }
}

/// The CSR signed by a throwaway CA: the `x5c` a merge sends (leaf first).
fn sign(csr_b64: &str) -> Vec<String> {
    let csr = STANDARD.decode(csr_b64).expect("csr base64");
    let ca_key = KeyPair::generate().expect("ca key");
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("ca params");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name.push(DnType::CommonName, "race CA");
    let ca_cert = ca.self_signed(&ca_key).expect("ca cert");
    let issuer = Issuer::new(ca, ca_key);
    let leaf = rcgen::CertificateSigningRequestParams::from_der(&csr.as_slice().into())
        .expect("csr")
        .signed_by(&issuer)
        .expect("leaf");
    vec![STANDARD.encode(leaf.der()), STANDARD.encode(ca_cert.der())]
}

fn is_kv_error(body: &Value) -> bool {
    body["error"]["code"].is_string() && body["error"]["message"].is_string()
}

fn assert_well_formed_op(op: &Value) {
    let status = op["status"].as_str().expect("status");
    assert!(
        ["inProgress", "completed"].contains(&status),
        "unexpected status {status}: {op}"
    );
    assert!(op["cancellation_requested"].is_boolean(), "{op}");
    assert!(op["csr"].is_string(), "{op}");
    let rid = op["request_id"].as_str().expect("request_id");
    assert!(
        rid.len() == 32 && rid.bytes().all(|b| b.is_ascii_hexdigit()),
        "{rid}"
    );
    assert_eq!(op["target"].is_string(), status == "completed", "{op}");
    assert_eq!(
        op["status_details"].is_string(),
        status == "inProgress",
        "{op}"
    );
}

/// The mixes raced, one per round: with and without DELETE, merges first or last.
const MIXES: [&[Action]; ROUNDS] = [
    &[Action::Cancel, Action::Merge, Action::Get, Action::Delete],
    &[Action::Merge, Action::Cancel, Action::Get],
    &[
        Action::Get,
        Action::Cancel,
        Action::Cancel,
        Action::Merge,
        Action::Cancel,
        Action::Delete,
    ],
    &[Action::Delete, Action::Cancel, Action::Get],
];

async fn race(client: Arc<Client>, name: &str, mix: &'static [Action]) {
    let (status, created) = client
        .send(
            reqwest::Method::POST,
            client.url(name, "/create"),
            Some(
                json!({"policy": {"key_props": {"kty": "EC", "crv": "P-256"},
                                    "x509_props": {"subject": format!("CN={name}")}}}),
            ),
        )
        .await;
    assert_eq!(status, 202, "{created}");
    let x5c = Arc::new(sign(created["csr"].as_str().expect("csr")));
    let start = Arc::new(tokio::sync::Barrier::new(TASKS));
    let mut tasks = Vec::with_capacity(TASKS);
    for i in 0..TASKS {
        let (client, x5c, name) = (Arc::clone(&client), Arc::clone(&x5c), name.to_owned());
        let start = Arc::clone(&start);
        let action = mix[i % mix.len()];
        tasks.push(tokio::spawn(async move {
            start.wait().await;
            let (status, body) = client.act(&name, action, &x5c).await;
            (action, status, body)
        }));
    }
    let (mut deleted, mut merged) = (0, 0);
    for task in tasks {
        let (action, status, body) = task.await.expect("task");
        assert!(status < 500, "{action:?} → {status} {body}");
        if status >= 400 {
            assert!(is_kv_error(&body), "{action:?} → {status} {body}");
            assert!([403, 404].contains(&status), "{action:?} → {status} {body}");
        }
        match (action, status) {
            (Action::Delete, 200) => {
                deleted += 1;
                assert_well_formed_op(&body);
            }
            (Action::Merge, 201) => merged += 1,
            (Action::Cancel | Action::Get, 200) => assert_well_formed_op(&body),
            _ => {}
        }
    }
    assert!(
        deleted <= 1 && merged <= 1,
        "{deleted} deletes, {merged} merges won"
    );
    let (status, after) = client
        .send(reqwest::Method::GET, client.url(name, "/pending"), None)
        .await;
    match status {
        404 => {
            assert_eq!(
                deleted, 1,
                "the operation vanished without a DELETE winning"
            );
            assert_eq!(after["error"]["code"], "PendingCertificateNotFound");
        }
        200 => {
            assert_eq!(deleted, 0, "a DELETE won but the operation is still there");
            assert_well_formed_op(&after);
            let completed = after["status"] == "completed";
            assert_eq!(completed, merged == 1, "{after}");
        }
        other => panic!("GET pending after the race → {other} {after}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_patch_delete_merge_leave_a_consistent_operation() {
    let config = VaultConfig {
        key_pool: 0,
        ..VaultConfig::default()
    };
    let vault = start(config, SocketAddr::from(([127, 0, 0, 1], 0)), false)
        .await
        .expect("start");
    let client = Arc::new(Client {
        http: reqwest::Client::new(),
        base: vault.url.clone(),
    });
    for (round, mix) in MIXES.into_iter().enumerate() {
        race(Arc::clone(&client), &format!("race-{round}"), mix).await;
    }
    vault.shutdown().await;
}
