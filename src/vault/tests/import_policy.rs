//! Import without a policy: the policy comes from the certificate (`vault/cert_policy.rs`).

use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose, PKCS_ECDSA_P384_SHA384, SanType,
};
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

use super::Vault;

const MODERN_PFX: &[u8] = include_bytes!("fixtures/modern.pfx");

async fn import(v: &Vault, name: &str, body: Value) -> Value {
    let r = v.post(&format!("/certificates/{name}/import"), body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let policy = v.get(&format!("/certificates/{name}/policy")).await;
    assert_eq!(policy.status, StatusCode::OK, "{}", policy.text);
    assert_eq!(r.json["policy"]["x509_props"], policy.json["x509_props"]);
    policy.json
}

/// Certificate parameters for `sans` with exactly the subject `dn` (in DER order).
fn params_for(sans: &[&str], dn: &[(DnType, &str)]) -> CertificateParams {
    let sans: Vec<String> = sans.iter().map(|s| (*s).to_owned()).collect();
    let mut params = CertificateParams::new(sans).expect("params");
    params.distinguished_name = rcgen::DistinguishedName::new();
    for (kind, value) in dn {
        params.distinguished_name.push(kind.clone(), *value);
    }
    params
}

/// `params` valid from now for `days`, self-signed with `key`.
fn self_signed(mut params: CertificateParams, key: &KeyPair, days: i64) -> rcgen::Certificate {
    let now = OffsetDateTime::now_utc();
    params.not_before = now;
    params.not_after = now + Duration::days(days);
    params.self_signed(key).expect("cert")
}

/// The recorded import (azure-cli `test_keyvault_certificate_import.yaml` @ 9227cdd, 2021): a
/// self-signed CA with basic constraints only, valid 3650 days, subject C=AU, ST=Some-State,
/// O=Internet Widgits Pty Ltd in DER order, imported with a policy without `x509_props`.
#[tokio::test]
async fn the_recorded_import_of_a_ca_without_key_usages() {
    let key = KeyPair::generate().expect("key");
    let dn = [
        (DnType::CountryName, "AU"),
        (DnType::StateOrProvinceName, "Some-State"),
        (DnType::OrganizationName, "Internet Widgits Pty Ltd"),
    ];
    let mut params = params_for(&[], &dn);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let cert = self_signed(params, &key, 3650);
    let pem = format!("{}{}", key.serialize_pem(), cert.pem());

    let v = Vault::new();
    let p = import(
        &v,
        "pem-cert1",
        json!({"value": pem, "policy": {
            "secret_props": {"contentType": "application/x-pem-file"}, "issuer": {"name": "Self"}}}),
    )
    .await;
    let x509 = &p["x509_props"];
    assert_eq!(
        x509["subject"],
        "O=Internet Widgits Pty Ltd, S=Some-State, C=AU"
    );
    assert_eq!(x509["ekus"], json!([]));
    assert_eq!(x509["key_usage"], json!([]));
    assert_eq!(x509["validity_months"], 120);
    assert_eq!(x509["basic_constraints"], json!({"ca": true}));
    assert!(x509.get("sans").is_none(), "{x509}");
    assert_eq!(
        p["lifetime_actions"][0]["action"]["action_type"],
        "AutoRenew"
    );
}

/// A 30-day self-signed CA in PEM: CA true, 1 month, its own key usages, no EKU, its SANs,
/// PEM content type, EC P-256.
#[tokio::test]
async fn a_pem_ca_certificate_gives_its_own_policy() {
    let key = KeyPair::generate().expect("key");
    let dn = [(DnType::CommonName, "kvconform import CA")];
    let mut params = params_for(&["ca.example.test"], &dn);
    params.subject_alt_names.push(SanType::Rfc822Name(
        "pki@example.test".try_into().expect("email"),
    ));
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let cert = self_signed(params, &key, 30);
    let pem = format!("{}{}", cert.pem(), key.serialize_pem());

    let v = Vault::new();
    let p = import(&v, "pem-ca", json!({"value": pem})).await;
    assert_eq!(p["secret_props"]["contentType"], "application/x-pem-file");
    let x509 = &p["x509_props"];
    assert_eq!(x509["subject"], "CN=kvconform import CA");
    assert_eq!(x509["sans"]["dns_names"], json!(["ca.example.test"]));
    assert_eq!(x509["sans"]["emails"], json!(["pki@example.test"]));
    assert_eq!(x509["validity_months"], 1);
    assert_eq!(x509["basic_constraints"]["ca"], true);
    assert_eq!(x509["key_usage"], json!(["keyCertSign", "cRLSign"]));
    assert_eq!(x509["ekus"], json!([]));
    assert_eq!(p["key_props"]["kty"], "EC");
    assert_eq!(p["key_props"]["crv"], "P-256");
    assert_eq!(p["issuer"]["name"], "Unknown");
}

/// A one-year server certificate (base64 PEM, P-384): CA false, 12 months, its EKUs and key
/// usages; a policy given with the import still wins over the certificate.
#[tokio::test]
async fn a_leaf_gives_its_ekus_and_validity_and_a_given_policy_wins() {
    let key = KeyPair::generate_for(&PKCS_ECDSA_P384_SHA384).expect("key");
    let dn = [(DnType::CommonName, "www.example.test")];
    let mut params = params_for(&["www.example.test"], &dn);
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ServerAuth,
        ExtendedKeyUsagePurpose::ClientAuth,
    ];
    let cert = self_signed(params, &key, 365);
    let pem = STANDARD.encode(format!("{}{}", cert.pem(), key.serialize_pem()));

    let v = Vault::new();
    let p = import(&v, "leaf", json!({"value": pem})).await;
    let x509 = &p["x509_props"];
    assert_eq!(x509["validity_months"], 12);
    assert_eq!(x509["basic_constraints"]["ca"], false);
    assert_eq!(
        x509["ekus"],
        json!(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"])
    );
    assert_eq!(x509["key_usage"], json!(["digitalSignature"]));
    assert_eq!(p["key_props"]["crv"], "P-384");
    assert_eq!(p["secret_props"]["contentType"], "application/x-pem-file");

    let given = import(
        &v,
        "leaf-given",
        json!({"value": pem, "policy": {
            "secret_props": {"contentType": "application/x-pkcs12"},
            "x509_props": {"validity_months": 24, "ekus": ["1.3.6.1.5.5.7.3.3"]}}}),
    )
    .await;
    assert_eq!(given["secret_props"]["contentType"], "application/x-pkcs12");
    assert_eq!(given["x509_props"]["validity_months"], 24);
    assert_eq!(given["x509_props"]["ekus"], json!(["1.3.6.1.5.5.7.3.3"]));
    assert_eq!(
        given["x509_props"]["key_usage"],
        json!(["digitalSignature"])
    );
}

/// PKCS#12 without a policy: the PKCS#12 content type.
#[tokio::test]
async fn a_pfx_without_policy_is_pkcs12() {
    let v = Vault::new();
    let p = import(
        &v,
        "pfx",
        json!({"value": STANDARD.encode(MODERN_PFX), "pwd": "kvconform-test"}),
    )
    .await;
    assert_eq!(p["secret_props"]["contentType"], "application/x-pkcs12");
    assert!(
        p["x509_props"]["validity_months"]
            .as_u64()
            .is_some_and(|m| m >= 1)
    );
}
