//! Property tests over request bodies: whatever arrives as a create, merge, PATCH, import,
//! issuer or certificate-update body, the vault answers within a bound with a 2xx, or a 4xx
//! carrying a Key Vault error body; never a 5xx, a panic or a hang.
//!
//! Bodies come from three generators: arbitrary bytes (mostly not JSON), arbitrary JSON values
//! with the API's field names mixed in (so objects often have the right keys with wrong
//! values), and near-valid bodies whose fields are each either plausible or arbitrary (so the
//! deeper code runs: policy checks, DN parsing, base64 and DER parsing, PEM import).
//! Case counts are kept modest (`CASES`) so that `cargo test` stays fast.

use std::sync::LazyLock;
use std::time::Duration;

use axum::http::{Method, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use proptest::prelude::*;
use serde_json::{Map, Value, json};

use super::{Resp, Vault};

/// Cases per property (override with `PROPTEST_CASES=N` for a longer hunt).
const CASES: u32 = 96;

/// Field names of the API's request bodies: arbitrary objects pick their keys from these
/// about half the time.
const KEYS: &[&str] = &[
    "policy",
    "key_props",
    "kty",
    "key_size",
    "crv",
    "exportable",
    "reuse_key",
    "x509_props",
    "subject",
    "sans",
    "dns_names",
    "emails",
    "upns",
    "validity_months",
    "ekus",
    "key_usage",
    "issuer",
    "name",
    "cty",
    "cert_transparency",
    "attributes",
    "enabled",
    "tags",
    "lifetime_actions",
    "trigger",
    "action",
    "action_type",
    "lifetime_percentage",
    "days_before_expiry",
    "secret_props",
    "contentType",
    "x5c",
    "value",
    "pwd",
    "cancellation_requested",
    "provider",
    "credentials",
    "account_id",
    "org_details",
    "admin_details",
    "id",
];

/// One shared runtime and one shared vault: state accumulates across cases, as it would on
/// a long-running server.
static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
});

/// A vault with a manual operation `p` in progress (so PATCH and merge reach their checks)
/// and a stored issuer `i1` (so provider creates are possible).
static VAULT: LazyLock<Vault> = LazyLock::new(|| {
    RUNTIME.block_on(async {
        let v = Vault::new();
        let r = v
            .post(
                "/certificates/p/create",
                json!({"policy": {"key_props": {"kty": "EC"},
                                        "x509_props": {"subject": "CN=p"}}}),
            )
            .await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
        assert_eq!(v.put_issuer("i1", "DigiCert").await.status, StatusCode::OK);
        v
    })
});

/// Where a body is sent.
#[derive(Debug, Clone, Copy)]
enum Target {
    Create,
    Merge,
    Patch,
    Import,
    Issuer,
    UpdateCert,
}

impl Target {
    const ALL: [Target; 6] = [
        Target::Create,
        Target::Merge,
        Target::Patch,
        Target::Import,
        Target::Issuer,
        Target::UpdateCert,
    ];

    fn route(self, name: &str) -> (Method, String) {
        match self {
            Target::Create => (Method::POST, format!("/certificates/{name}/create")),
            Target::Merge => (Method::POST, "/certificates/p/pending/merge".into()),
            Target::Patch => (Method::PATCH, "/certificates/p/pending".into()),
            Target::Import => (Method::POST, format!("/certificates/{name}/import")),
            Target::Issuer => (Method::PUT, format!("/certificates/issuers/{name}")),
            Target::UpdateCert => (Method::PATCH, "/certificates/p".into()),
        }
    }
}

fn target() -> impl Strategy<Value = Target> {
    proptest::sample::select(Target::ALL.to_vec())
}

/// Targets for near-valid bodies, weighted towards the routes with the most code behind them.
fn deep_target() -> impl Strategy<Value = Target> {
    prop_oneof![
        4 => Just(Target::Create),
        3 => Just(Target::Merge),
        2 => Just(Target::Import),
        1 => Just(Target::Patch),
        1 => Just(Target::Issuer),
        1 => Just(Target::UpdateCert),
    ]
}

/// A valid object name, so the body (not the URL) decides the answer.
fn name() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9-]{1,24}"
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(KEYS).prop_map(str::to_owned),
        ".{0,12}",
    ]
}

fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<u32>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        proptest::sample::select(vec![0i64, 1, -1, 12, 256, 2048, 4096, u32::MAX as i64 + 1])
            .prop_map(Value::from),
    ]
}

/// Arbitrary JSON, nested a few levels deep.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number(),
        ".{0,24}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec((key(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// `plausible` most of the time, an arbitrary value otherwise.
fn or_any(plausible: impl Strategy<Value = Value> + 'static) -> BoxedStrategy<Value> {
    prop_oneof![7 => plausible, 1 => any_json()].boxed()
}

/// `Some` rarely: for optional fields that are usually absent.
fn rarely<T: std::fmt::Debug>(s: impl Strategy<Value = T>) -> impl Strategy<Value = Option<T>> {
    proptest::option::weighted(0.15, s)
}

/// Sizes and month counts: the edges first, anything now and then.
fn count() -> impl Strategy<Value = Value> {
    prop_oneof![
        6 => proptest::sample::select(vec![1u64, 12, 24, 100, 1200, 9999, u64::from(u32::MAX)])
            .prop_map(Value::from),
        1 => number(),
    ]
}

/// Distinguished names, good and bad.
fn subject() -> impl Strategy<Value = Value> {
    prop_oneof![
        "CN=[a-z0-9 .-]{1,20}",
        "(CN|O|OU|C|L|ST|E|DC|XX)=[^,]{0,10}(, ?(CN|O|OU|C|L|ST|E|DC)=[^,]{0,10}){0,3}",
        ".{0,30}",
    ]
    .prop_map(Value::String)
}

/// Key properties. RSA appears only with sizes the vault refuses: generating a valid RSA key
/// in a debug build takes too long for a property test. EC keys are fast.
fn key_props() -> impl Strategy<Value = Value> {
    let kty = prop_oneof![
        4 => Just(json!("EC")),
        1 => Just(json!("EC-HSM")),
        1 => Just(json!("oct")),
        1 => ".{0,6}".prop_map(Value::String),
    ];
    let crv = prop_oneof![
        Just(json!("P-256")),
        Just(json!("P-384")),
        Just(json!("P-521")),
        Just(json!("P-256K")),
        Just(Value::Null),
    ];
    let ec = (kty, crv, rarely(count())).prop_map(|(kty, crv, size)| {
        let mut props = json!({"kty": kty, "crv": crv});
        if let Some(size) = size {
            props["key_size"] = size;
        }
        props
    });
    let bad_rsa = proptest::sample::select(vec![0i64, 1, 512, 1024, 2047, 8192])
        .prop_map(|size| json!({"kty": "RSA", "key_size": size}));
    prop_oneof![4 => ec, 1 => bad_rsa]
}

fn sans() -> impl Strategy<Value = Value> {
    let list = proptest::collection::vec("[a-z0-9.@-]{0,16}|.{0,8}", 0..3);
    (list.clone(), list.clone(), list)
        .prop_map(|(dns, emails, upns)| json!({"dns_names": dns, "emails": emails, "upns": upns}))
}

fn policy() -> impl Strategy<Value = Value> {
    let x509 = (or_any(subject()), rarely(or_any(sans())), rarely(count())).prop_map(
        |(subject, sans, months)| {
            let mut x = json!({ "subject": subject });
            if let Some(s) = sans {
                x["sans"] = s;
            }
            if let Some(m) = months {
                x["validity_months"] = m;
            }
            x
        },
    );
    let issuer = proptest::sample::select(vec!["Unknown", "Self", "i1", "nope", ""])
        .prop_map(|n| json!({ "name": n }));
    (
        or_any(key_props()),
        or_any(x509),
        proptest::option::of(or_any(issuer)),
        proptest::option::weighted(0.05, any_json()),
    )
        .prop_map(|(key_props, x509_props, issuer, lifetime_actions)| {
            let mut p = json!({"key_props": key_props, "x509_props": x509_props});
            if let Some(i) = issuer {
                p["issuer"] = i;
            }
            if let Some(l) = lifetime_actions {
                p["lifetime_actions"] = l;
            }
            p
        })
}

/// One real certificate (DER), for mutation.
static CERT: LazyLock<Vec<u8>> = LazyLock::new(super::foreign_cert);

/// The real certificate with a few bytes changed, or cut short.
fn mutated_cert() -> impl Strategy<Value = Vec<u8>> {
    let len = CERT.len();
    let flips = proptest::collection::vec((0..len, any::<u8>()), 1..4).prop_map(|flips| {
        let mut der = CERT.clone();
        for (at, byte) in flips {
            der[at] = byte;
        }
        der
    });
    let cut = (0..len).prop_map(|n| CERT[..n].to_vec());
    prop_oneof![flips, cut]
}

/// Random bytes, a mutated certificate, base64 of either, base64 of that, a PEM armour, or
/// plain text.
fn blob() -> impl Strategy<Value = String> {
    let bytes = prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..200),
        mutated_cert(),
    ];
    prop_oneof![
        bytes.clone().prop_map(|b| STANDARD.encode(b)),
        bytes
            .clone()
            .prop_map(|b| STANDARD.encode(STANDARD.encode(b))),
        bytes.prop_map(|b| {
            format!(
                "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
                STANDARD.encode(b)
            )
        }),
        ".{0,40}",
    ]
}

/// Bodies shaped like the target's, with fields that may be wrong.
fn near_valid(target: Target) -> BoxedStrategy<Value> {
    match target {
        Target::Create => (policy(), rarely(any_json()))
            .prop_map(|(policy, tags)| {
                let mut b = json!({ "policy": policy });
                if let Some(t) = tags {
                    b["tags"] = t;
                }
                b
            })
            .boxed(),
        Target::Merge => {
            or_any(proptest::collection::vec(blob(), 0..3).prop_map(|x5c| json!({ "x5c": x5c })))
        }
        Target::Patch => or_any(any::<bool>().prop_map(|b| json!({"cancellation_requested": b}))),
        Target::Import => (blob(), proptest::option::of(policy()))
            .prop_map(|(value, policy)| json!({"value": value, "policy": policy}))
            .boxed(),
        Target::Issuer => (or_any(".{0,12}".prop_map(Value::String)), any_json())
            .prop_map(
                |(provider, credentials)| json!({"provider": provider, "credentials": credentials}),
            )
            .boxed(),
        Target::UpdateCert => (any_json(), any_json())
            .prop_map(|(attributes, tags)| json!({"attributes": attributes, "tags": tags}))
            .boxed(),
    }
}

/// Sends one body and checks the answer: on time, 2xx or a 4xx with a Key Vault error body.
fn check(target: Target, name: &str, body: Vec<u8>) -> Result<(), TestCaseError> {
    let (method, path) = target.route(name);
    let request = super::request(method, &format!("{path}?api-version=7.6"), body);
    let vault: &Vault = &VAULT; // initialised outside `block_on`: its set-up blocks too
    let r: Resp = RUNTIME
        .block_on(async { tokio::time::timeout(Duration::from_secs(20), vault.raw(request)).await })
        .map_err(|_| TestCaseError::fail(format!("{target:?} {path}: no answer in 20 s")))?;
    let s = r.status;
    prop_assert!(
        s.is_success() || s.is_client_error(),
        "{target:?} {path} → {s} {}",
        r.text
    );
    if s.is_client_error() {
        prop_assert!(
            r.json["error"]["code"].is_string() && r.json["error"]["message"].is_string(),
            "{target:?} {path} → {s} without a Key Vault error body: {}",
            r.text
        );
        prop_assert_eq!(
            r.header("content-type"),
            Some("application/json; charset=utf-8")
        );
    } else {
        prop_assert!(r.json.is_object(), "{target:?} → {s} {}", r.text);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(CASES),
        // A failure prints its minimal case; no regression files are written into the tree.
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn arbitrary_bytes_are_answered(t in target(), n in name(),
                                    body in proptest::collection::vec(any::<u8>(), 0..256)) {
        check(t, &n, body)?;
    }

    #[test]
    fn arbitrary_json_is_answered(t in target(), n in name(), body in any_json()) {
        check(t, &n, body.to_string().into_bytes())?;
    }

    #[test]
    fn near_valid_bodies_are_answered(
        (t, body) in deep_target().prop_flat_map(|t| (Just(t), near_valid(t))),
        n in name(),
    ) {
        check(t, &n, body.to_string().into_bytes())?;
    }
}
