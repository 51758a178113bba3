//! PKCS#12 (PFX) import: PFX files made by `openssl pkcs12 -export` (modern and `-legacy`,
//! see `fixtures/README.md`) and PFX written here with p12-keystore.

use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use p12_keystore::{
    Certificate, EncryptionAlgorithm, KeyStore, KeyStoreEntry, MacAlgorithm, PrivateKey,
    PrivateKeyChain,
};
use rstest::rstest;
use serde_json::{Value, json};

use super::Vault;
use crate::vault::crypto::thumbprint;

const PASSWORD: &str = "kvconform-test";
const MODERN: &[u8] = include_bytes!("fixtures/modern.pfx");
const MODERN_LEAF: &[u8] = include_bytes!("fixtures/modern-leaf.der");
const LEGACY: &[u8] = include_bytes!("fixtures/legacy.pfx");
const LEGACY_LEAF: &[u8] = include_bytes!("fixtures/legacy-leaf.der");
const NOPASS: &[u8] = include_bytes!("fixtures/nopass.pfx");
const NOPASS_LEAF: &[u8] = include_bytes!("fixtures/nopass-leaf.der");
const NOKEY: &[u8] = include_bytes!("fixtures/nokey.pfx");

async fn import(v: &Vault, name: &str, body: Value) -> super::Resp {
    v.post(&format!("/certificates/{name}/import"), body).await
}

/// The import answer carries the leaf (not the CA of the chain) as `cer`, and its thumbprint.
fn assert_imported(r: &super::Resp, leaf: &[u8], kty: &str) {
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json["cer"], STANDARD.encode(leaf));
    assert_eq!(r.json["x5t"], thumbprint(leaf, false));
    assert_eq!(r.json["policy"]["key_props"]["kty"], kty);
    assert_eq!(r.json["attributes"]["enabled"], true);
}

#[rstest]
#[case::modern_aes256_sha256_mac_with_ca(MODERN, MODERN_LEAF, Some(PASSWORD), "EC")]
#[case::legacy_rc2_3des_sha1_mac(LEGACY, LEGACY_LEAF, Some(PASSWORD), "RSA")]
#[case::empty_password_without_pwd(NOPASS, NOPASS_LEAF, None, "EC")]
#[tokio::test]
async fn openssl_pfx_imports(
    #[case] pfx: &[u8],
    #[case] leaf: &[u8],
    #[case] pwd: Option<&str>,
    #[case] kty: &str,
) {
    let v = Vault::new();
    let mut body = json!({
        "value": STANDARD.encode(pfx),
        "policy": {"secret_props": {"contentType": "application/x-pkcs12"}},
    });
    if let Some(pwd) = pwd {
        body["pwd"] = json!(pwd);
    }
    let r = import(&v, "pfx", body).await;
    assert_imported(&r, leaf, kty);
    let got = v.get("/certificates/pfx").await;
    assert_eq!(got.json["cer"], r.json["cer"]);
}

#[rstest]
#[case::modern(
    EncryptionAlgorithm::PbeWithHmacSha256AndAes256,
    MacAlgorithm::HmacSha256
)]
#[case::triple_des(
    EncryptionAlgorithm::PbeWithShaAnd3KeyTripleDesCbc,
    MacAlgorithm::HmacSha1
)]
#[tokio::test]
async fn pfx_written_here_imports(#[case] enc: EncryptionAlgorithm, #[case] mac: MacAlgorithm) {
    let key = rcgen::KeyPair::generate().expect("key");
    let cert = rcgen::CertificateParams::new(vec!["written.test".to_owned()])
        .expect("params")
        .self_signed(&key)
        .expect("cert");
    let chain = PrivateKeyChain::new(
        "k1",
        PrivateKey::from_der(&key.serialize_der()).expect("pkcs8"),
        [Certificate::from_der(cert.der()).expect("cert")],
    );
    let mut store = KeyStore::new();
    store.add_entry("written", KeyStoreEntry::PrivateKeyChain(chain));
    let pfx = store
        .writer("s3cret")
        .encryption_algorithm(enc)
        .mac_algorithm(mac)
        .encryption_iterations(2048)
        .mac_iterations(2048)
        .write()
        .expect("pfx");
    let v = Vault::new();
    let r = import(
        &v,
        "written",
        json!({"value": STANDARD.encode(&pfx), "pwd": "s3cret"}),
    )
    .await;
    assert_imported(&r, cert.der(), "EC");
    // No policy given: the default secret content type is the PFX one.
    assert_eq!(
        r.json["policy"]["secret_props"]["contentType"],
        "application/x-pkcs12"
    );
}

#[rstest]
#[case::modern(MODERN)]
#[case::legacy(LEGACY)]
#[tokio::test]
async fn wrong_password_is_400(#[case] pfx: &[u8]) {
    let v = Vault::new();
    for body in [
        json!({"value": STANDARD.encode(pfx), "pwd": "wrong"}),
        json!({"value": STANDARD.encode(pfx)}),
    ] {
        let r = import(&v, "pfx", body).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
        assert_eq!(r.error_code(), "BadParameter");
        let message = r.json["error"]["message"].as_str().unwrap_or("");
        assert!(message.contains("password is wrong"), "{message}");
    }
    assert_eq!(
        v.get("/certificates/pfx").await.status,
        StatusCode::NOT_FOUND
    );
}

#[rstest]
#[case::not_base64("!!not base64!!", "valid PKCS#12 format")]
#[case::not_der("AAAA", "valid PKCS#12 format")]
#[case::empty_sequence("MAA=", "valid PKCS#12 format")]
#[case::truncated_pfx(&STANDARD.encode(&MODERN[..MODERN.len() / 2]), "valid PKCS#12 format")]
#[case::pfx_without_a_key(&STANDARD.encode(NOKEY), "no private key")]
#[tokio::test]
async fn garbage_is_400(#[case] value: &str, #[case] says: &str) {
    let r = import(
        &Vault::new(),
        "pfx",
        json!({"value": value, "pwd": PASSWORD}),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert_eq!(r.error_code(), "BadParameter");
    let message = r.json["error"]["message"].as_str().unwrap_or("");
    assert!(message.contains(says), "{message}");
}

#[tokio::test]
async fn pfx_import_is_refused_while_pending() {
    let v = Vault::new();
    v.create("busy", Some("Unknown")).await;
    let body = json!({"value": STANDARD.encode(MODERN), "pwd": PASSWORD});
    let refused = import(&v, "busy", body.clone()).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.text);
    assert_eq!(refused.error_code(), "Forbidden");
    let pending = v.get("/certificates/busy/pending").await;
    assert_eq!(pending.json["status"], "inProgress");
    assert_imported(&import(&v, "free", body).await, MODERN_LEAF, "EC");
}
