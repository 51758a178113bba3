//! `start()` over a real socket, plain and TLS.

use super::{config, http_get, loopback};
use crate::vault::start;

#[tokio::test]
async fn start_binds_port_zero_and_answers_over_http() {
    let vault = start(config(&[]), loopback(), false).await.expect("start");
    assert!(vault.url.starts_with("http://127.0.0.1:"), "{}", vault.url);
    assert!(!vault.url.ends_with(":0"));
    let client = reqwest::Client::new();
    let url = format!(
        "{}/certificates/x/pending?api-version=2025-07-01",
        vault.url
    );
    assert_eq!(http_get(&client, &url, None).await.status(), 401);
    let r = http_get(&client, &url, Some("t")).await;
    assert_eq!(r.status(), 404);
    let body: serde_json::Value = r.json().await.expect("json");
    assert_eq!(body["error"]["code"], "PendingCertificateNotFound");
    vault.shutdown().await;
    assert!(client.get(&url).send().await.is_err());
}

#[tokio::test]
async fn start_serves_tls_with_the_returned_ca() {
    let vault = start(config(&[]), loopback(), true).await.expect("start");
    assert!(vault.url.starts_with("https://127.0.0.1:"));
    let pem = vault.ca_pem.clone().expect("ca pem");
    let ca = reqwest::Certificate::from_pem(pem.as_bytes()).expect("ca");
    let client = reqwest::Client::builder()
        .tls_certs_only([ca])
        .build()
        .expect("client");
    let url = format!("{}/certificates?api-version=7.6", vault.url);
    let r = http_get(&client, &url, Some("t")).await;
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().await.expect("json");
    assert_eq!(body["value"], serde_json::json!([]));
    drop(vault);
}
