//! Bad input, route by route: each case gets a Key Vault error body (`{"error":{"code",
//! "message"}}`, JSON content type) with the right status and code, and nothing panics.
//! (`edges` has the first table; this one covers the rest of the surface.)

use axum::body::Body;
use axum::http::{Method, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rstest::rstest;
use serde_json::json;

use super::{Resp, Vault, request, signed};
use crate::vault::http::BODY_LIMIT;

const API: &str = "api-version=7.6";

async fn send(v: &Vault, method: Method, uri: &str, body: impl Into<Body>) -> Resp {
    v.raw(request(method, uri, body)).await
}

/// [`send`] with `?api-version=7.6` after `path`.
async fn send_api(v: &Vault, method: Method, path: &str, body: impl Into<Body>) -> Resp {
    send(v, method, &format!("{path}?{API}"), body).await
}

fn assert_kv_error(r: &Resp, status: StatusCode, code: &str) {
    assert_eq!(r.status, status, "{}", r.text);
    assert_eq!(r.error_code(), code, "{}", r.text);
    assert!(r.json["error"]["message"].is_string(), "{}", r.text);
    assert_eq!(
        r.header("content-type"),
        Some("application/json; charset=utf-8")
    );
}

/// A vault with a manual operation `p` in progress.
async fn with_pending() -> (Vault, Resp) {
    let v = Vault::new();
    let created = v
        .post(
            "/certificates/p/create",
            json!({"policy": {"key_props": {"kty": "EC"}, "x509_props": {"subject": "CN=p"}}}),
        )
        .await;
    assert_eq!(created.status, StatusCode::ACCEPTED, "{}", created.text);
    (v, created)
}

#[rstest]
// Malformed JSON and wrong types, on every route that reads a body.
#[case(Method::POST, "/certificates/x/create", "[1,2", "BadParameter")]
#[case(
    Method::POST,
    "/certificates/x/create",
    "{\"policy\":{}} trailing",
    "BadParameter"
)]
#[case(Method::POST, "/certificates/x/create", "null", "BadParameter")]
#[case(Method::POST, "/certificates/x/create", "\"policy\"", "BadParameter")]
#[case(
    Method::POST,
    "/certificates/x/create",
    "{\"policy\":[]}",
    "BadParameter"
)]
#[case(
    Method::POST,
    "/certificates/x/create",
    "{\"policy\":{\"key_props\":{\"key_size\":\"2048\"}}}",
    "BadParameter"
)]
#[case(
    Method::POST,
    "/certificates/x/create",
    "{\"policy\":{\"key_props\":{\"key_size\":-1}}}",
    "BadParameter"
)]
#[case(
    Method::POST,
    "/certificates/x/create",
    "{\"policy\":{\"x509_props\":{\"subject\":\"CN=a\",\"validity_months\":1.5}}}",
    "BadParameter"
)]
#[case(
    Method::POST,
    "/certificates/x/create",
    "{\"policy\":{\"x509_props\":{\"subject\":\"CN=a\",\"validity_months\":0}}}",
    "BadParameter"
)]
#[case(
    Method::POST,
    "/certificates/x/create",
    "{\"policy\":{\"x509_props\":{\"subject\":\"CN=a\"},\"issuer\":{\"name\":7}}}",
    "BadParameter"
)]
#[case(
    Method::POST,
    "/certificates/x/create",
    "{\"policy\":{\"key_props\":{\"kty\":\"EC\",\"crv\":\"P-192\"},\"x509_props\":{\"subject\":\"CN=a\"}}}",
    "BadParameter"
)]
#[case(
    Method::POST,
    "/certificates/x/create",
    "{\"policy\":{\"key_props\":{\"kty\":\"RSA\",\"key_size\":1024},\"x509_props\":{\"subject\":\"CN=a\"}}}",
    "BadParameter"
)]
#[case(
    Method::POST,
    "/certificates/x/create",
    "{\"policy\":{\"x509_props\":{\"subject\":\"CN=a\"}},\"tags\":[1]}",
    "BadParameter"
)]
#[case(Method::POST, "/certificates/x/create", "\u{feff}{}", "BadParameter")]
#[case(
    Method::POST,
    "/certificates/x/create",
    "{\"a\":\"\\ud800\"}",
    "BadParameter"
)]
#[case(Method::POST, "/certificates/x/import", "{}", "BadParameter")]
#[case(
    Method::POST,
    "/certificates/x/import",
    "{\"value\":7}",
    "BadParameter"
)]
#[case(
    Method::POST,
    "/certificates/x/import",
    "{\"value\":\"not a certificate\"}",
    "BadParameter"
)]
#[case(
    Method::POST,
    "/certificates/x/import",
    "{\"value\":\"-----BEGIN CERTIFICATE-----\\nAAAA\\n-----END CERTIFICATE-----\\n\"}",
    "BadParameter"
)]
#[case(
    Method::POST,
    "/certificates/x/import",
    "{\"value\":\"TUlJQg==\"}",
    "BadParameter"
)]
#[case(
    Method::PATCH,
    "/certificates/x/pending",
    "{\"cancellation_requested\":\"yes\"}",
    "BadParameter"
)]
#[case(Method::PATCH, "/certificates/x/pending", "[]", "BadParameter")]
#[case(
    Method::PATCH,
    "/certificates/x",
    "{\"attributes\":{\"enabled\":\"no\"}}",
    "BadParameter"
)]
#[case(Method::PATCH, "/certificates/x", "{\"tags\":\"t\"}", "BadParameter")]
#[case(
    Method::PUT,
    "/certificates/issuers/i",
    "{\"provider\":1}",
    "BadParameter"
)]
#[case(
    Method::PUT,
    "/certificates/issuers/i",
    "{\"provider\":\"DigiCert\",\"org_details\":{\"admin_details\":{}}}",
    "BadParameter"
)]
#[case(Method::PUT, "/certificates/issuers/i", "", "BadParameter")]
#[case(
    Method::PATCH,
    "/certificates/issuers/i",
    "{\"provider\":[]}",
    "BadParameter"
)]
#[case(
    Method::POST,
    "/certificates/x/pending/merge",
    "{\"x5c\":[1]}",
    "BadParameter"
)]
#[case(Method::POST, "/certificates/x/pending/merge", "{}", "BadParameter")]
// Bad names, on every kind of route.
#[case(Method::GET, "/certificates/bad.name/pending", "", "BadParameter")]
#[case(
    Method::PATCH,
    "/certificates/bad_name/pending",
    "{\"cancellation_requested\":true}",
    "BadParameter"
)]
#[case(Method::DELETE, "/certificates/bad%20name/pending", "", "BadParameter")]
#[case(
    Method::POST,
    "/certificates/b%C3%A4d/pending/merge",
    "{\"x5c\":[\"AA==\"]}",
    "BadParameter"
)]
#[case(
    Method::POST,
    "/certificates/bad!/import",
    "{\"value\":\"x\"}",
    "BadParameter"
)]
#[case(Method::GET, "/certificates/bad*name", "", "BadParameter")]
#[case(Method::GET, "/certificates/issuers/bad_issuer", "", "BadParameter")]
#[case(Method::GET, "/deletedcertificates/bad~name", "", "BadParameter")]
#[case(Method::GET, "/certificates/%FF/pending", "", "BadParameter")]
#[tokio::test]
async fn bad_body_or_name_is_400(
    #[case] method: Method,
    #[case] path: &str,
    #[case] body: &'static str,
    #[case] code: &str,
) {
    let v = Vault::new();
    let r = send_api(&v, method, path, body).await;
    assert_kv_error(&r, StatusCode::BAD_REQUEST, code);
}

#[rstest]
#[case("not base64 at all!")]
#[case("AAAA====")]
#[case("QUJD")] // base64 of "ABC": decodes, but is no certificate
#[case("TUlJQg==")] // base64 of base64 junk
#[case("LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCkFBQUEKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo=")] // PEM of junk
#[case("")]
#[tokio::test]
async fn bad_x5c_on_a_real_operation_is_400(#[case] item: &str) {
    let (v, _) = with_pending().await;
    let r = v.merge_raw("p", json!({ "x5c": [item] })).await;
    assert_kv_error(&r, StatusCode::BAD_REQUEST, "BadParameter");
    // Nothing changed: the operation is still waiting for a good merge.
    assert_eq!(v.pending("p").await.json["status"], "inProgress");
}

#[tokio::test]
async fn a_good_leaf_with_bad_base64_next_to_it_is_400() {
    let (v, created) = with_pending().await;
    let (leaf, _) = signed(&created);
    let r = v
        .merge_raw("p", json!({ "x5c": [STANDARD.encode(&leaf), "%%%"] }))
        .await;
    assert_kv_error(&r, StatusCode::BAD_REQUEST, "BadParameter");
    assert_eq!(v.pending("p").await.json["status"], "inProgress");
}

#[rstest]
#[case(Method::POST, "/certificates/x/create")]
#[case(Method::POST, "/certificates/x/import")]
#[case(Method::PATCH, "/certificates/x/pending")]
#[case(Method::PUT, "/certificates/issuers/i")]
#[case(Method::PATCH, "/certificates/x")]
#[tokio::test]
async fn oversized_bodies_are_413(#[case] method: Method, #[case] path: &str) {
    let v = Vault::new();
    let body = format!(r#"{{"pad":"{}"}}"#, "x".repeat(BODY_LIMIT));
    let r = send_api(&v, method, path, body).await;
    assert_kv_error(&r, StatusCode::PAYLOAD_TOO_LARGE, "RequestBodyTooLarge");
}

#[tokio::test]
async fn a_body_just_under_the_limit_is_read() {
    let v = Vault::new();
    let pad = "x".repeat(BODY_LIMIT - 64);
    let body = format!(r#"{{"cancellation_requested":true,"pad":"{pad}"}}"#);
    assert!(body.len() < BODY_LIMIT);
    let r = send_api(&v, Method::PATCH, "/certificates/x/pending", body).await;
    // Read and parsed: the answer is about the (missing) operation, not the size.
    assert_kv_error(&r, StatusCode::NOT_FOUND, "PendingCertificateNotFound");
}

#[rstest]
#[case::deeply_nested_json_not_a_stack_overflow(
    format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)).into_bytes()
)]
#[case::invalid_utf8(b"{\"policy\":\"\xff\xfe\"}".to_vec())]
#[tokio::test]
async fn unreadable_bodies_are_400(#[case] body: Vec<u8>) {
    let v = Vault::new();
    let r = send_api(&v, Method::POST, "/certificates/x/create", body).await;
    assert_kv_error(&r, StatusCode::BAD_REQUEST, "BadParameter");
}

#[rstest]
#[case("/")]
#[case("/keys/k")]
#[case("/secrets")]
#[case("/certificates/x/pending/merge/more")]
#[case("/certificates/x/y/z")]
#[case("/deletedcertificates/x/recover/now")]
#[case("/certificates/issuers/i/extra")]
#[tokio::test]
async fn unknown_routes_are_404(#[case] path: &str) {
    let v = Vault::new();
    for method in [Method::GET, Method::POST, Method::DELETE] {
        let r = send_api(&v, method.clone(), path, "").await;
        assert_kv_error(&r, StatusCode::NOT_FOUND, "NotFound");
    }
}

#[rstest]
#[case(Method::DELETE, "/certificates")]
#[case(Method::POST, "/certificates/x/pending")]
#[case(Method::PUT, "/certificates/x/pending/merge")]
#[case(Method::GET, "/certificates/x/import")]
#[case(Method::TRACE, "/certificates/x")]
#[case(Method::CONNECT, "/certificates/issuers")]
#[case(Method::from_bytes(b"FROB").expect("method"), "/certificates/x/pending")]
#[case(Method::from_bytes(b"PURGE").expect("method"), "/deletedcertificates/x")]
#[tokio::test]
async fn unknown_methods_are_405(#[case] method: Method, #[case] path: &str) {
    let v = Vault::new();
    let r = send_api(&v, method.clone(), path, "").await;
    assert_kv_error(&r, StatusCode::METHOD_NOT_ALLOWED, "MethodNotAllowed");
    assert!(
        r.json["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains(method.as_str())),
        "{}",
        r.text
    );
}

#[rstest]
#[case(Method::POST, "/certificates/x/create")]
#[case(Method::GET, "/certificates/x/pending")]
#[case(Method::PATCH, "/certificates/x/pending")]
#[case(Method::DELETE, "/certificates/x/pending")]
#[case(Method::POST, "/certificates/x/pending/merge")]
#[case(Method::PUT, "/certificates/issuers/i")]
#[case(Method::GET, "/no/such/route")]
#[tokio::test]
async fn missing_or_bad_api_version_is_400_everywhere(#[case] method: Method, #[case] path: &str) {
    let v = Vault::new();
    for query in [
        "",
        "?",
        "?api-version=",
        "?api-version=7.7",
        "?api-version=7.6-preview.x",
        "?api-version=%ZZ",
    ] {
        let r = send(&v, method.clone(), &format!("{path}{query}"), "{}").await;
        assert_kv_error(&r, StatusCode::BAD_REQUEST, "BadParameter");
    }
}
