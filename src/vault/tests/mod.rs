//! Router-level tests: requests through `app()` with `oneshot`, no socket (except `socket`).

mod bad_input;
mod certificates;
mod edges;
mod identity;
mod import_policy;
mod lifecycle;
mod pfx;
mod props;
mod quirks;
mod socket;

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use super::{Quirk, VaultConfig, app};

pub(super) const HOST: &str = "vault.test";
pub(super) const BASE: &str = "http://vault.test";

/// A JSON request to the test host with a bearer token.
pub(super) fn request(method: Method, uri: &str, body: impl Into<Body>) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(uri)
        .header("host", HOST)
        .header("authorization", "Bearer test-token")
        .header("content-type", "application/json")
        .body(body.into())
        .expect("request")
}

/// One vault under test.
pub(super) struct Vault {
    app: Router,
}

/// A response, with the body parsed as JSON when it is JSON.
#[derive(Debug)]
pub(super) struct Resp {
    pub(super) status: StatusCode,
    pub(super) headers: HeaderMap,
    pub(super) text: String,
    pub(super) json: Value,
}

impl Resp {
    pub(super) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub(super) fn error_code(&self) -> &str {
        self.json["error"]["code"].as_str().unwrap_or("")
    }
}

pub(super) fn config(quirks: &[Quirk]) -> VaultConfig {
    VaultConfig {
        self_delay: Duration::from_millis(50),
        provider_delay: Duration::from_millis(50),
        cancel_delay: Duration::from_millis(50),
        quirks: quirks.to_vec(),
        key_pool: 0,
        ..VaultConfig::default()
    }
}

impl Vault {
    pub(super) fn new() -> Self {
        Self::with(&[])
    }

    pub(super) fn with(quirks: &[Quirk]) -> Self {
        Self {
            app: app(config(quirks)),
        }
    }

    /// A request with a bearer token; `?api-version=2025-07-01` is added unless present.
    pub(super) async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Resp {
        let uri = if path.contains("api-version=") {
            path.to_owned()
        } else if path.contains('?') {
            format!("{path}&api-version=2025-07-01")
        } else {
            format!("{path}?api-version=2025-07-01")
        };
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        self.raw(request(method, &uri, body)).await
    }

    pub(super) async fn raw(&self, request: Request<Body>) -> Resp {
        let response = self.app.clone().oneshot(request).await.expect("infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Resp {
            status,
            headers,
            text,
            json,
        }
    }

    pub(super) async fn get(&self, path: &str) -> Resp {
        self.call(Method::GET, path, None).await
    }

    pub(super) async fn post(&self, path: &str, body: Value) -> Resp {
        self.call(Method::POST, path, Some(body)).await
    }

    pub(super) async fn delete(&self, path: &str) -> Resp {
        self.call(Method::DELETE, path, None).await
    }

    /// Create with the given issuer (`None`: no issuer at all) → must be 202.
    pub(super) async fn create(&self, name: &str, issuer: Option<&str>) -> Resp {
        let r = self.try_create(name, issuer).await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
        r
    }

    pub(super) async fn try_create(&self, name: &str, issuer: Option<&str>) -> Resp {
        let mut policy = json!({"x509_props": {"subject": format!("CN={name}"), "sans": {}}});
        if let Some(issuer) = issuer {
            policy["issuer"] = json!({"name": issuer, "cert_transparency": false});
        }
        self.call(
            Method::POST,
            &format!("/certificates/{name}/create"),
            Some(json!({ "policy": policy })),
        )
        .await
    }

    pub(super) async fn put_issuer(&self, name: &str, provider: &str) -> Resp {
        self.call(
            Method::PUT,
            &format!("/certificates/issuers/{name}"),
            Some(json!({"provider": provider,
                        "credentials": {"account_id": "test", "pwd": "test"},
                        "org_details": {"id": "test"}})),
        )
        .await
    }

    pub(super) async fn cancel(&self, name: &str) -> Resp {
        self.call(
            Method::PATCH,
            &format!("/certificates/{name}/pending"),
            Some(json!({"cancellation_requested": true})),
        )
        .await
    }

    pub(super) async fn pending(&self, name: &str) -> Resp {
        self.get(&format!("/certificates/{name}/pending")).await
    }

    /// Polls the pending op until its status is not inProgress/InProgress (or 2 s pass).
    pub(super) async fn settle(&self, name: &str) -> Resp {
        for _ in 0..40 {
            let r = self.pending(name).await;
            let s = r.json["status"].as_str().unwrap_or("");
            if !s.eq_ignore_ascii_case("inProgress") {
                return r;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.pending(name).await
    }

    /// Merge the given DER certificates (base64 DER items).
    pub(super) async fn merge(&self, name: &str, ders: &[&[u8]]) -> Resp {
        use base64::Engine;
        let x5c: Vec<String> = ders
            .iter()
            .map(|d| base64::engine::general_purpose::STANDARD.encode(d))
            .collect();
        self.merge_raw(name, json!({ "x5c": x5c })).await
    }

    pub(super) async fn merge_raw(&self, name: &str, body: Value) -> Resp {
        self.call(
            Method::POST,
            &format!("/certificates/{name}/pending/merge"),
            Some(body),
        )
        .await
    }
}

/// A loopback address; port 0 picks a free one.
pub(super) fn loopback() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

/// GET `url` over a real socket, with `token` as the bearer when given.
pub(super) async fn http_get(
    http: &reqwest::Client,
    url: &str,
    token: Option<&str>,
) -> reqwest::Response {
    let request = http.get(url);
    let request = match token {
        Some(t) => request.bearer_auth(t),
        None => request,
    };
    request.send().await.expect("send")
}

/// [`http_get`], the body read as JSON.
pub(super) async fn http_json(http: &reqwest::Client, url: &str, token: Option<&str>) -> Value {
    let response = http_get(http, url, token).await;
    response.json().await.expect("json")
}

/// The CSR of a create response, signed by a throwaway CA: `(leaf, ca)` DER.
pub(super) fn signed(create: &Resp) -> (Vec<u8>, Vec<u8>) {
    use base64::Engine;
    let csr = create.json["csr"].as_str().expect("csr");
    let der = base64::engine::general_purpose::STANDARD
        .decode(csr)
        .expect("csr base64");
    super::crypto::tests::sign_csr(&der)
}

/// A self-signed certificate with a key of its own (not the pending key).
pub(super) fn foreign_cert() -> Vec<u8> {
    let key = rcgen::KeyPair::generate().expect("key");
    let params = rcgen::CertificateParams::new(vec!["x.test".to_owned()]).expect("params");
    params.self_signed(&key).expect("cert").der().to_vec()
}
