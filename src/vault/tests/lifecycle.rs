//! The pending-operation lifecycle, step by step, as FACTS.md records the real service.

use axum::http::{Method, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;
use x509_parser::prelude::FromDer;

use super::{BASE, Vault, foreign_cert, signed};
use crate::vault::render::{DETAILS_MANUAL, DETAILS_PROVIDER};

fn is_hex32(s: &str) -> bool {
    s.len() == 32
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The keys of a JSON object in the order they appear in the text.
fn key_order(text: &str, keys: &[&str]) -> Vec<usize> {
    keys.iter()
        .map(|k| text.find(&format!("\"{k}\":")).unwrap_or(usize::MAX))
        .collect()
}

fn assert_ordered(text: &str, keys: &[&str]) {
    let positions = key_order(text, keys);
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "{keys:?} not in order in {text}"
    );
}

#[tokio::test]
async fn manual_create_has_the_recorded_shape() {
    let v = Vault::new();
    for (name, issuer) in [("m-unknown", Some("Unknown")), ("m-none", None)] {
        let r = v.create(name, issuer).await;
        let rid = r.json["request_id"].as_str().expect("request_id");
        assert!(is_hex32(rid), "{rid}");
        assert_eq!(r.json["id"], format!("{BASE}/certificates/{name}/pending"));
        assert_eq!(r.json["issuer"], json!({"name": "Unknown"}));
        assert_eq!(r.json["status"], "inProgress");
        assert_eq!(r.json["status_details"], DETAILS_MANUAL);
        assert_eq!(r.json["cancellation_requested"], false);
        assert_eq!(r.header("retry-after"), Some("10"));
        assert_eq!(
            r.header("content-type"),
            Some("application/json; charset=utf-8")
        );
        assert_eq!(
            r.header("location").map(str::to_owned),
            Some(format!(
                "{BASE}/certificates/{name}/pending?api-version=2025-07-01&request_id={rid}"
            ))
        );
        assert_ordered(
            &r.text,
            &[
                "id",
                "issuer",
                "csr",
                "cancellation_requested",
                "status",
                "status_details",
                "request_id",
            ],
        );
        let csr = STANDARD
            .decode(r.json["csr"].as_str().expect("csr"))
            .expect("b64");
        let (_, req) = x509_parser::certification_request::X509CertificationRequest::from_der(&csr)
            .expect("PKCS#10");
        assert_eq!(
            req.certification_request_info.subject.to_string(),
            format!("CN={name}")
        );
    }
}

#[tokio::test]
async fn request_id_filters_get_patch_and_delete() {
    let v = Vault::new();
    let r = v.create("filter", Some("Unknown")).await;
    let rid = r.json["request_id"].as_str().expect("rid").to_owned();
    let ok = v
        .get(&format!("/certificates/filter/pending?request_id={rid}"))
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(ok.json, r.json);
    let other = "0123456789abcdef0123456789abcdef";
    let path = format!("/certificates/filter/pending?request_id={other}");
    for method in [Method::GET, Method::DELETE] {
        let miss = v.call(method, &path, None).await;
        assert_eq!(miss.status, StatusCode::NOT_FOUND);
        assert_eq!(miss.error_code(), "PendingCertificateNotFound");
    }
    let patch = v
        .call(
            Method::PATCH,
            &path,
            Some(json!({"cancellation_requested": true})),
        )
        .await;
    assert_eq!(patch.status, StatusCode::NOT_FOUND);
    assert_eq!(
        v.pending("filter").await.json["cancellation_requested"],
        false
    );
}

#[tokio::test]
async fn create_while_in_progress_is_409_with_the_doc_body() {
    let v = Vault::new();
    v.create("busy", Some("Unknown")).await;
    let again = v.try_create("busy", Some("Unknown")).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(
        again.text,
        r#"{"error":{"code":"Forbidden","message":"A new key vault certificate can not be created or imported while a pending key vault certificate's status is inProgress."}}"#
    );
}

#[tokio::test]
async fn cancel_manual_sets_the_flag_only() {
    let v = Vault::new();
    v.create("cm", None).await;
    let r = v.cancel("cm").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json["cancellation_requested"], true);
    assert_eq!(r.json["status"], "inProgress");
    assert_eq!(r.json["status_details"], DETAILS_MANUAL);
    assert_eq!(r.header("retry-after"), None);
    let g = v.pending("cm").await;
    assert_eq!(g.json["status"], "inProgress");
    assert_eq!(g.header("retry-after"), Some("10"));
}

#[tokio::test]
async fn merge_errors() {
    let v = Vault::new();
    let none = v.merge("ghost", &[&foreign_cert()]).await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
    assert_eq!(
        none.text,
        r#"{"error":{"code":"PendingCertificateNotFound","message":"Pending Certificate not found: ghost"}}"#
    );
    v.create("wrong", Some("Unknown")).await;
    let wrong = v.merge("wrong", &[&foreign_cert()]).await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        wrong.text,
        r#"{"error":{"code":"BadParameter","message":"The public key of the end-entity certificate in the specified X.509 certificate content does not match the public part of the specified private key. Please check if certificate is valid."}}"#
    );
    assert_eq!(wrong.text.len(), 232);
    let garbage = v.merge_raw("wrong", json!({"x5c": ["Z2FyYmFnZQ=="]})).await;
    assert_eq!(garbage.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        garbage.json["error"]["message"],
        "Unable to parse X5c certificate chain and locate leaf certificate"
    );
    assert_eq!(v.pending("wrong").await.json["status"], "inProgress");
}

#[tokio::test]
async fn merge_signed_csr_completes_the_operation() {
    let v = Vault::new();
    let created = v.create("merged", Some("Unknown")).await;
    let (leaf, ca) = signed(&created);
    let r = v.merge("merged", &[&leaf, &ca]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(
        r.header("location"),
        Some(format!("{BASE}/certificates/merged?api-version=2025-07-01").as_str())
    );
    assert_eq!(r.header("retry-after"), None);
    let b = &r.json;
    let version = assert_merged_bundle(b, &leaf);
    assert_ordered(
        &r.text,
        &[
            "id",
            "kid",
            "sid",
            "x5t",
            "cer",
            "attributes",
            "policy",
            "pending",
        ],
    );

    let op = v.pending("merged").await;
    assert_eq!(op.status, StatusCode::OK);
    assert_eq!(op.json["status"], "completed");
    assert_eq!(op.json["target"], format!("{BASE}/certificates/merged"));
    assert!(op.json.get("status_details").is_none());
    assert_eq!(op.header("retry-after"), None);
    assert_ordered(&op.text, &["status", "target", "request_id"]);
    let cert = v.get("/certificates/merged/").await;
    assert_eq!(cert.json["cer"], b["cer"]);
    let by_version = v.get(&format!("/certificates/merged/{version}")).await;
    assert_eq!(by_version.json["id"], b["id"]);
}

/// The CertificateBundle of `merged` after a merge of `leaf`; its version.
fn assert_merged_bundle(b: &serde_json::Value, leaf: &[u8]) -> String {
    let id = b["id"].as_str().expect("id");
    let version = id
        .strip_prefix(&format!("{BASE}/certificates/merged/"))
        .expect("versioned id");
    assert!(is_hex32(version));
    assert_eq!(b["kid"], format!("{BASE}/keys/merged/{version}"));
    assert_eq!(b["sid"], format!("{BASE}/secrets/merged/{version}"));
    assert_eq!(b["cer"], STANDARD.encode(leaf));
    assert_eq!(
        b["x5t"],
        crate::vault::crypto::thumbprint(leaf, false).as_str()
    );
    assert_eq!(b["attributes"]["enabled"], true);
    assert_eq!(b["attributes"]["recoveryLevel"], "Recoverable+Purgeable");
    assert!(b["attributes"]["nbf"].is_i64() && b["attributes"]["exp"].is_i64());
    assert_eq!(
        b["policy"]["id"],
        format!("{BASE}/certificates/merged/policy")
    );
    assert_eq!(
        b["policy"]["x509_props"]["basic_constraints"],
        json!({"ca": false})
    );
    assert_eq!(
        b["policy"]["issuer"],
        json!({"name": "Unknown", "cert_transparency": false})
    );
    assert_eq!(
        b["pending"]["id"],
        format!("{BASE}/certificates/merged/pending")
    );
    version.to_owned()
}

#[tokio::test]
async fn merge_accepts_double_encoded_x5c() {
    let v = Vault::new();
    let created = v.create("double", Some("Unknown")).await;
    let (leaf, _) = signed(&created);
    let double = STANDARD.encode(STANDARD.encode(&leaf));
    let r = v.merge_raw("double", json!({"x5c": [double]})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.json["cer"], STANDARD.encode(&leaf));
}

#[tokio::test]
async fn delete_pending_echoes_then_404() {
    let v = Vault::new();
    v.create("del", Some("Unknown")).await;
    let before = v.pending("del").await;
    let deleted = v.delete("/certificates/del/pending").await;
    assert_eq!(deleted.status, StatusCode::OK);
    assert_eq!(deleted.text, before.text);
    assert_eq!(deleted.header("retry-after"), None);
    let after = v.pending("del").await;
    assert_eq!(after.status, StatusCode::NOT_FOUND);
    assert_eq!(
        after.text,
        r#"{"error":{"code":"PendingCertificateNotFound","message":"Pending Certificate not found: del"}}"#
    );
    // The disabled version the operation made stays behind.
    let cert = v.get("/certificates/del").await;
    assert_eq!(cert.json["attributes"]["enabled"], false);
    assert!(cert.json.get("pending").is_none());
}

#[tokio::test]
async fn self_issuer_completes_with_a_real_certificate() {
    let v = Vault::new();
    let r = v.create("selfie", Some("Self")).await;
    assert_eq!(r.json["status_details"], DETAILS_PROVIDER);
    let done = v.settle("selfie").await;
    assert_eq!(done.json["status"], "completed", "{}", done.text);
    assert_eq!(done.json["target"], format!("{BASE}/certificates/selfie"));
    assert!(done.json.get("status_details").is_none());
    let cert = v.get("/certificates/selfie").await;
    assert_eq!(cert.json["attributes"]["enabled"], true);
    assert_eq!(
        cert.json["pending"]["id"],
        format!("{BASE}/certificates/selfie/pending")
    );
    let der = STANDARD
        .decode(cert.json["cer"].as_str().expect("cer"))
        .expect("b64");
    let (_, parsed) = x509_parser::parse_x509_certificate(&der).expect("x509");
    assert_eq!(parsed.subject().to_string(), "CN=selfie");
    assert_eq!(parsed.subject(), parsed.issuer());
    // the key is the CSR's
    let csr = STANDARD
        .decode(r.json["csr"].as_str().expect("csr"))
        .expect("b64");
    let (_, req) =
        x509_parser::certification_request::X509CertificationRequest::from_der(&csr).expect("csr");
    assert_eq!(
        req.certification_request_info.subject_pki.raw,
        parsed.public_key().raw
    );
}

#[tokio::test]
async fn self_cancel_ends_cancelled_and_leaves_a_disabled_cert() {
    let v = Vault::new();
    v.create("sc", Some("Self")).await;
    let patched = v.cancel("sc").await;
    assert_eq!(patched.json["status"], "inProgress");
    assert_eq!(patched.json["status_details"], DETAILS_PROVIDER);
    let done = v.settle("sc").await;
    assert_eq!(done.json["status"], "cancelled");
    assert_eq!(done.json["cancellation_requested"], true);
    assert!(done.json.get("status_details").is_none());
    assert_eq!(done.header("retry-after"), None);
    let late = v.cancel("sc").await;
    assert_eq!(late.status, StatusCode::FORBIDDEN);
    assert_eq!(
        late.text,
        r#"{"error":{"code":"Forbidden","message":"Pending status must be in progress to allow update."}}"#
    );
    let deleted = v.delete("/certificates/sc").await;
    assert_eq!(deleted.status, StatusCode::OK);
    assert_eq!(deleted.json["attributes"]["enabled"], false);
    assert!(deleted.json.get("cer").is_none());
    assert_eq!(
        deleted.json["recoveryId"],
        format!("{BASE}/deletedcertificates/sc")
    );
}

#[tokio::test]
async fn provider_issuer_fails_like_digicert() {
    let v = Vault::new();
    let issuer = v.put_issuer("digi", "DigiCert").await;
    assert_eq!(issuer.status, StatusCode::OK);
    assert_eq!(issuer.json["credentials"], json!({"account_id": "test"}));
    assert_eq!(issuer.json["org_details"], json!({"id": "test", "zip": 0}));
    assert_eq!(issuer.json["attributes"]["enabled"], true);
    let r = v.create("prov", Some("digi")).await;
    assert_eq!(r.json["issuer"], json!({"name": "digi"}));
    assert_eq!(r.json["status_details"], DETAILS_PROVIDER);
    let merge = v.merge("prov", &[&foreign_cert()]).await;
    assert_eq!(merge.status, StatusCode::FORBIDDEN);
    assert_eq!(
        merge.json["error"]["message"],
        "Merge is forbidden on pending object created with issuer : digi while it is in progess."
    );
    let done = v.settle("prov").await;
    assert_eq!(done.json["status"], "failed");
    assert!(done.json.get("status_details").is_none());
    assert_eq!(done.json["error"]["code"], "Request rejected");
    assert!(
        done.json["error"]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("The call to DigiCert failed with Error code access_denied|access_denied_invalid_key"))
    );
    assert_ordered(&done.text, &["status", "error", "request_id"]);
    assert_eq!(done.header("retry-after"), None);
}

#[tokio::test]
async fn unknown_issuer_is_404() {
    let v = Vault::new();
    let r = v.try_create("noiss", Some("missing")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        r.text,
        r#"{"error":{"code":"CertificateIssuerNotFound","message":"Issuer not found"}}"#
    );
}

#[tokio::test]
async fn create_after_a_terminal_state_replaces_the_operation() {
    let v = Vault::new();
    let first = v.create("again", Some("Self")).await;
    v.settle("again").await;
    let second = v.create("again", Some("Unknown")).await;
    assert_ne!(first.json["request_id"], second.json["request_id"]);
    assert_ne!(first.json["csr"], second.json["csr"]);
    let old = first.json["request_id"].as_str().expect("rid");
    let miss = v
        .get(&format!("/certificates/again/pending?request_id={old}"))
        .await;
    assert_eq!(miss.status, StatusCode::NOT_FOUND);
    let versions = v.get("/certificates/again/versions").await;
    assert_eq!(versions.json["value"].as_array().map(Vec::len), Some(2));
}
