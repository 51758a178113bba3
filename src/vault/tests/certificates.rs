//! The certificate resources around an operation: listing, delete → recover → purge, PEM
//! import, attribute updates, and the JS SDK's create body as the certificate stores it.

use axum::http::{Method, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;

use super::{BASE, Vault, signed};
use crate::vault::render::DETAILS_MANUAL;

#[tokio::test]
async fn pending_certificates_are_listed_only_with_include_pending() {
    let v = Vault::new();
    v.create("listed", Some("Unknown")).await;
    let plain = v.get("/certificates").await;
    assert_eq!(plain.json["value"], json!([]));
    assert_eq!(plain.json["nextLink"], serde_json::Value::Null);
    let with = v.get("/certificates?includePending=true").await;
    assert_eq!(
        with.json["value"][0]["id"],
        format!("{BASE}/certificates/listed")
    );
    assert_eq!(with.json["value"][0]["attributes"]["enabled"], false);
    assert_eq!(with.json["value"][0]["subject"], "");
}

#[tokio::test]
async fn delete_recover_and_purge() {
    let v = Vault::new();
    v.create("gone", Some("Self")).await;
    v.settle("gone").await;
    assert_eq!(v.delete("/certificates/gone").await.status, StatusCode::OK);
    assert_eq!(
        v.get("/certificates/gone").await.error_code(),
        "CertificateNotFound"
    );
    assert_eq!(
        v.get("/deletedcertificates/gone").await.status,
        StatusCode::OK
    );
    assert_eq!(
        v.try_create("gone", Some("Self")).await.status,
        StatusCode::CONFLICT
    );
    let recovered = v
        .call(Method::POST, "/deletedcertificates/gone/recover", None)
        .await;
    assert_eq!(recovered.status, StatusCode::OK);
    assert_eq!(v.delete("/certificates/gone").await.status, StatusCode::OK);
    let purged = v.delete("/deletedcertificates/gone").await;
    assert_eq!(purged.status, StatusCode::NO_CONTENT);
    assert_eq!(
        v.get("/deletedcertificates/gone").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn import_is_refused_while_pending_and_reads_pem() {
    let v = Vault::new();
    let key = rcgen::KeyPair::generate().expect("key");
    let cert = rcgen::CertificateParams::new(vec!["imp.test".to_owned()])
        .expect("params")
        .self_signed(&key)
        .expect("cert");
    let pem = format!("{}{}", cert.pem(), key.serialize_pem());
    v.create("imp", Some("Unknown")).await;
    let refused = v
        .post("/certificates/imp/import", json!({"value": pem}))
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert_eq!(refused.error_code(), "Forbidden");
    let ok = v
        .post("/certificates/imp2/import", json!({"value": pem}))
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
    assert_eq!(ok.json["cer"], STANDARD.encode(cert.der()));
    assert_eq!(ok.json["policy"]["key_props"]["kty"], "EC");
    let pfx = v
        .post("/certificates/imp3/import", json!({"value": "AAAA"}))
        .await;
    assert_eq!(pfx.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn certificate_properties_can_be_updated() {
    let v = Vault::new();
    merged_cert(&v, "props").await;
    let r = v
        .call(
            Method::PATCH,
            "/certificates/props/",
            Some(json!({"attributes": {"enabled": false}, "tags": {"k": "v"}})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json["attributes"]["enabled"], false);
    assert_eq!(r.json["tags"], json!({"k": "v"}));
    let missing = v
        .call(Method::PATCH, "/certificates/props/ffff", Some(json!({})))
        .await;
    assert_eq!(missing.error_code(), "CertificateNotFound");
}

async fn merged_cert(v: &Vault, name: &str) {
    let created = v.create(name, Some("Unknown")).await;
    let (leaf, _) = signed(&created);
    assert_eq!(v.merge(name, &[&leaf]).await.status, StatusCode::CREATED);
}

/// The create body of the official JS SDK (@azure/keyvault-certificates 4.10), byte for byte, with
/// its percent-encoded `api%2Dversion`: empty `key_props`, `secret_props`, `sans` and `attributes`.
/// The real service answers 202 and stores the default policy (FACTS §9, S5/S8: `secret_props`
/// `{"contentType": "application/x-pkcs12"}`).
#[tokio::test]
async fn the_js_sdk_create_body_is_accepted_with_defaults() {
    let v = Vault::new();
    let body = json!({"policy": {"key_props": {}, "secret_props": {},
        "x509_props": {"subject": "CN=js", "sans": {}}, "issuer": {"name": "Unknown"},
        "attributes": {}}, "attributes": {}});
    let uri = "/certificates/js/create?api%2Dversion=2025-07-01";
    let r = v
        .raw(super::request(Method::POST, uri, body.to_string()))
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    assert_eq!(r.json["status_details"], DETAILS_MANUAL);
    let cert = v.get("/certificates/js/").await;
    assert_eq!(cert.status, StatusCode::OK, "{}", cert.text);
    assert_eq!(cert.json["attributes"]["enabled"], false);
    assert_eq!(
        cert.json["policy"]["secret_props"],
        json!({"contentType": "application/x-pkcs12"})
    );
    assert_eq!(
        cert.json["policy"]["key_props"],
        json!({"exportable": true, "kty": "RSA", "key_size": 2048, "reuse_key": false})
    );
}
