//! Auth, api-version and bad input: every failure is a Key Vault error, nothing panics.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use rstest::rstest;
use serde_json::json;

use super::{HOST, Vault, config};
use crate::vault::app;

fn request(method: Method, uri: &str, auth: Option<&str>, body: &str) -> Request<Body> {
    let mut b = Request::builder()
        .method(method)
        .uri(uri)
        .header("host", HOST);
    if let Some(a) = auth {
        b = b.header("authorization", a);
    }
    b.body(Body::from(body.to_owned())).expect("request")
}

#[tokio::test]
async fn missing_token_gets_the_real_challenge_before_anything_else() {
    let v = Vault::new();
    for uri in [
        "/certificates/x/create?api-version=2025-07-01",
        "/certificates/x/create",
        "/no/such/route",
    ] {
        let r = v.raw(request(Method::POST, uri, None, "")).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{uri}");
        assert_eq!(
            r.header("www-authenticate"),
            Some(
                r#"Bearer authorization="https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000", resource="https://vault.azure.net""#
            )
        );
        assert_eq!(
            r.text,
            r#"{"error":{"code":"Unauthorized","message":"AKV10000: Request is missing a Bearer, PoP, or MTLS_POP token."}}"#
        );
        assert_eq!(r.text.len(), 108);
        assert_eq!(r.header("cache-control"), Some("no-cache"));
        assert_eq!(r.header("pragma"), Some("no-cache"));
        assert_eq!(r.header("expires"), Some("-1"));
        assert_eq!(
            r.header("content-type"),
            Some("application/json; charset=utf-8")
        );
    }
    let basic = v
        .raw(request(
            Method::GET,
            "/certificates?api-version=7.6",
            Some("Basic abc"),
            "",
        ))
        .await;
    assert_eq!(basic.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn configured_token_is_the_only_one_accepted() {
    let v = Vault {
        app: app(crate::vault::VaultConfig {
            token: Some("right".into()),
            ..config(&[])
        }),
    };
    let uri = "/certificates?api-version=7.6";
    let wrong = v
        .raw(request(Method::GET, uri, Some("Bearer wrong"), ""))
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.header("www-authenticate").is_some());
    let right = v
        .raw(request(Method::GET, uri, Some("Bearer right"), ""))
        .await;
    assert_eq!(right.status, StatusCode::OK);
    let open = Vault {
        app: app(crate::vault::VaultConfig {
            require_auth: false,
            ..config(&[])
        }),
    };
    assert_eq!(
        open.raw(request(Method::GET, uri, None, "")).await.status,
        StatusCode::OK
    );
}

#[rstest]
#[case("/certificates", "BadParameter", StatusCode::BAD_REQUEST)]
#[case(
    "/certificates?api-version=9.9",
    "BadParameter",
    StatusCode::BAD_REQUEST
)]
#[case("/certificates?api-version=7.0", "", StatusCode::OK)]
#[case("/certificates?api-version=2026-03-01-preview", "", StatusCode::OK)]
#[tokio::test]
async fn api_version_is_required_and_checked(
    #[case] uri: &str,
    #[case] code: &str,
    #[case] status: StatusCode,
) {
    let v = Vault::new();
    let r = v.raw(request(Method::GET, uri, Some("Bearer t"), "")).await;
    assert_eq!(r.status, status, "{}", r.text);
    assert_eq!(r.error_code(), code);
}

#[rstest]
#[case(
    Method::POST,
    "/certificates/bad_name/create",
    Some(r#"{"policy":{"x509_props":{"subject":"CN=a"}}}"#),
    StatusCode::BAD_REQUEST
)]
#[case(
    Method::POST,
    "/certificates/x/create",
    Some("{not json"),
    StatusCode::BAD_REQUEST
)]
#[case(
    Method::POST,
    "/certificates/x/create",
    Some(""),
    StatusCode::BAD_REQUEST
)]
#[case(
    Method::POST,
    "/certificates/x/create",
    Some(r#"{"policy":{"x509_props":{"subject":7}}}"#),
    StatusCode::BAD_REQUEST
)]
#[case(
    Method::POST,
    "/certificates/x/create",
    Some(r#"{"policy":{"x509_props":{"subject":"NOPE=1"}}}"#),
    StatusCode::BAD_REQUEST
)]
#[case(
    Method::POST,
    "/certificates/x/create",
    Some(r#"{}"#),
    StatusCode::BAD_REQUEST
)]
#[case(
    Method::POST,
    "/certificates/x/pending/merge",
    Some(r#"{"x5c":"nope"}"#),
    StatusCode::BAD_REQUEST
)]
#[case(
    Method::PATCH,
    "/certificates/x/pending",
    Some(r#"{}"#),
    StatusCode::BAD_REQUEST
)]
#[case(
    Method::PUT,
    "/certificates/issuers/i1",
    Some(r#"{"credentials":{}}"#),
    StatusCode::BAD_REQUEST
)]
#[case(
    Method::GET,
    "/certificates/x/pending/extra/deep",
    None,
    StatusCode::NOT_FOUND
)]
#[case(
    Method::PUT,
    "/certificates/x/pending",
    None,
    StatusCode::METHOD_NOT_ALLOWED
)]
#[case(
    Method::GET,
    "/certificates/x/create",
    None,
    StatusCode::METHOD_NOT_ALLOWED
)]
#[case(Method::GET, "/certificates/issuers/nope", None, StatusCode::NOT_FOUND)]
#[tokio::test]
async fn bad_input_is_a_key_vault_error(
    #[case] method: Method,
    #[case] path: &str,
    #[case] body: Option<&str>,
    #[case] status: StatusCode,
) {
    let v = Vault::new();
    let uri = format!("{path}?api-version=2025-07-01");
    let r = v
        .raw(request(method, &uri, Some("Bearer t"), body.unwrap_or("")))
        .await;
    assert_eq!(r.status, status, "{}", r.text);
    assert!(r.json["error"]["code"].is_string(), "{}", r.text);
    assert!(r.json["error"]["message"].is_string(), "{}", r.text);
    assert_eq!(
        r.header("content-type"),
        Some("application/json; charset=utf-8")
    );
}

#[tokio::test]
async fn long_names_and_huge_bodies_are_refused() {
    let v = Vault::new();
    let long = "a".repeat(128);
    let r = v.try_create(&long, None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let huge = format!(r#"{{"x5c":["{}"]}}"#, "A".repeat(2 << 20));
    let r = v
        .raw(request(
            Method::POST,
            "/certificates/x/pending/merge?api-version=7.6",
            Some("Bearer t"),
            &huge,
        ))
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.json["error"]["code"].is_string());
}

#[tokio::test]
async fn trailing_slash_and_unknown_version() {
    let v = Vault::new();
    let r = v.get("/certificates/never/").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // S20: 336 bytes for the 24-character name cert-that-does-not-exist
    assert_eq!(r.text.len(), 336 - 24 + "never".len());
    assert_eq!(r.error_code(), "CertificateNotFound");
    let r = v.get("/certificates/never/0123").await;
    assert_eq!(r.error_code(), "CertificateNotFound");
}

#[tokio::test]
async fn concurrent_patch_and_delete_leave_one_consistent_outcome() {
    let v = Arc::new(Vault::new());
    v.create("race", Some("Unknown")).await;
    let mut tasks = Vec::new();
    for i in 0..16 {
        let v = Arc::clone(&v);
        tasks.push(tokio::spawn(async move {
            if i % 2 == 0 {
                v.delete("/certificates/race/pending").await.status
            } else {
                v.cancel("race").await.status
            }
        }));
    }
    let mut deletes_ok = 0;
    for (i, t) in tasks.into_iter().enumerate() {
        let status = t.await.expect("task");
        assert!(
            status == StatusCode::OK || status == StatusCode::NOT_FOUND,
            "{status}"
        );
        if i % 2 == 0 && status == StatusCode::OK {
            deletes_ok += 1;
        }
    }
    assert_eq!(deletes_ok, 1);
    assert_eq!(v.pending("race").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn issuers_crud() {
    let v = Vault::new();
    let put = v
        .call(
            Method::PUT,
            "/certificates/issuers/t1",
            Some(
                json!({"provider": "Test", "credentials": {"account_id": "keyvaultuser"},
                        "org_details": {"admin_details": [{"first_name": "John"}]},
                        "attributes": {"enabled": true}}),
            ),
        )
        .await;
    assert_eq!(put.status, StatusCode::OK);
    assert!(
        put.text
            .contains(r#""org_details":{"zip":0,"admin_details":[{"first_name":"John"}]}"#),
        "{}",
        put.text
    );
    let list = v.get("/certificates/issuers").await;
    assert_eq!(
        list.json["value"],
        json!([{"id": "http://vault.test/certificates/issuers/t1", "provider": "Test"}])
    );
    assert_eq!(
        v.delete("/certificates/issuers/t1").await.status,
        StatusCode::OK
    );
    assert_eq!(v.get("/certificates/issuers/t1").await.text.len(), 75);
}
