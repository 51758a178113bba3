//! Every quirk changes something a conformance check can see: each scenario below observes
//! the deviation with the quirk on, and not without it.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;

use super::{BASE, HOST, Resp, Vault, config, foreign_cert, signed};
use crate::vault::{Quirk, app};

/// A vault with or without `q`; `slow` makes Self/provider ops take 10 s (cancel stays fast).
fn vault(q: Quirk, with: bool, slow: bool) -> Vault {
    let quirks = if with { vec![q] } else { vec![] };
    let mut c = config(&quirks);
    if slow {
        c.self_delay = Duration::from_secs(10);
        c.provider_delay = Duration::from_secs(10);
        c.cancel_delay = Duration::from_millis(1);
    }
    Vault { app: app(c) }
}

/// Create a manual op and merge its signed CSR: returns the merge response.
async fn merged(v: &Vault, name: &str) -> Resp {
    let created = v.create(name, Some("Unknown")).await;
    let (leaf, ca) = signed(&created);
    v.merge(name, &[&leaf, &ca]).await
}

/// A vault with or without `q`, and a manual operation `name` in progress.
async fn with_manual_op(q: Quirk, with: bool, name: &str) -> Vault {
    let v = vault(q, with, false);
    v.create(name, None).await;
    v
}

/// A vault with or without `q`, after a merge completed the operation `name`.
async fn after_merge(q: Quirk, with: bool, name: &str) -> Vault {
    let v = vault(q, with, false);
    merged(&v, name).await;
    v
}

/// A list request without a token.
async fn unauthenticated(v: &Vault) -> Resp {
    let request = Request::builder()
        .uri("/certificates?api-version=7.6")
        .header("host", HOST)
        .body(Body::empty())
        .expect("request");
    v.raw(request).await
}

fn test_pem() -> String {
    let key = rcgen::KeyPair::generate().expect("key");
    let cert = rcgen::CertificateParams::new(vec!["q.test".to_owned()])
        .expect("params")
        .self_signed(&key)
        .expect("cert");
    format!("{}{}", cert.pem(), key.serialize_pem())
}

/// Runs the scenario that exposes `q`; true when the deviation is seen.
async fn deviates(q: Quirk, with: bool) -> bool {
    let n = "q";
    match q {
        Quirk::OverwriteOnCreate => {
            let v = with_manual_op(q, with, n).await;
            v.try_create(n, None).await.status == StatusCode::ACCEPTED
        }
        Quirk::MergeWithIssuerAllowed => {
            let v = vault(q, with, true);
            let created = v.create(n, Some("Self")).await;
            let (leaf, _) = signed(&created);
            v.merge(n, &[&leaf]).await.status != StatusCode::FORBIDDEN
        }
        Quirk::IgnoreRequestId => {
            let v = with_manual_op(q, with, n).await;
            let path =
                format!("/certificates/{n}/pending?request_id=00000000000000000000000000000000");
            v.get(&path).await.status == StatusCode::OK
        }
        Quirk::LateCancelAllowed => {
            let v = after_merge(q, with, n).await;
            v.cancel(n).await.status == StatusCode::OK
        }
        Quirk::PascalInProgress => {
            vault(q, with, false).create(n, None).await.json["status"] == "InProgress"
        }
        Quirk::CanceledSpelling => {
            let v = vault(q, with, true);
            v.create(n, Some("Self")).await;
            v.cancel(n).await;
            v.settle(n).await.json["status"] == "canceled"
        }
        Quirk::StatusDetailsOnCompleted => {
            let v = after_merge(q, with, n).await;
            v.pending(n).await.json.get("status_details").is_some()
        }
        Quirk::TargetWithQuery => {
            let v = after_merge(q, with, n).await;
            v.pending(n).await.json["target"]
                .as_str()
                .is_some_and(|t| t.contains("?api-version="))
        }
        Quirk::PendingGoneAfterMerge => {
            let v = after_merge(q, with, n).await;
            v.pending(n).await.status == StatusCode::NOT_FOUND
        }
        Quirk::NoMergeKeyCheck => {
            let v = with_manual_op(q, with, n).await;
            v.merge(n, &[&foreign_cert()]).await.status == StatusCode::CREATED
        }
        Quirk::NoLocation => {
            let v = vault(q, with, false);
            v.create(n, None).await.header("location").is_none()
                && merged(&v, "q2").await.header("location").is_none()
        }
        Quirk::NoRetryAfter => {
            let v = vault(q, with, false);
            v.create(n, None).await.header("retry-after").is_none()
                && v.pending(n).await.header("retry-after").is_none()
        }
        Quirk::DashedRequestId => vault(q, with, false).create(n, None).await.json["request_id"]
            .as_str()
            .is_some_and(|r| r.contains('-')),
        Quirk::FlatErrorBody => {
            let r = vault(q, with, false).pending(n).await;
            r.json.get("code").is_some() && r.json.get("error").is_none()
        }
        Quirk::WrongNotFoundCode => {
            vault(q, with, false).pending(n).await.error_code() == "NotFound"
        }
        Quirk::Cancel400 => {
            let v = after_merge(q, with, n).await;
            v.cancel(n).await.status == StatusCode::BAD_REQUEST
        }
        Quirk::SelfNeverCompletes => {
            let v = vault(q, with, false);
            v.create(n, Some("Self")).await;
            tokio::time::sleep(Duration::from_millis(150)).await;
            v.pending(n).await.json["status"] == "inProgress"
        }
        Quirk::CamelCaseRequestId => {
            let r = vault(q, with, false).create(n, None).await;
            r.json.get("requestId").is_some() && r.json.get("request_id").is_none()
        }
        Quirk::RetryAfterOnTerminal => {
            let v = after_merge(q, with, n).await;
            v.pending(n).await.header("retry-after").is_some()
        }
        Quirk::NoAuthChallenge => {
            unauthenticated(&vault(q, with, false)).await.status != StatusCode::UNAUTHORIZED
        }
        Quirk::FailedWithStatusDetails => {
            let v = vault(q, with, false);
            v.put_issuer("digi", "DigiCert").await;
            v.create(n, Some("digi")).await;
            let done = v.settle(n).await;
            done.json["status"] == "failed" && done.json.get("status_details").is_some()
        }
        Quirk::ConflictCode => {
            let v = with_manual_op(q, with, n).await;
            v.try_create(n, None).await.error_code() == "Conflict"
        }
        Quirk::Merge200 => merged(&vault(q, with, false), n).await.status == StatusCode::OK,
        Quirk::CancelImmediately => {
            let v = with_manual_op(q, with, n).await;
            v.cancel(n).await.json["status"] == "cancelled"
        }
        Quirk::ImportIgnoresPending => {
            let v = with_manual_op(q, with, n).await;
            let body = json!({ "value": test_pem() });
            let path = format!("/certificates/{n}/import");
            v.post(&path, body).await.status == StatusCode::OK
        }
        Quirk::X5tPadded => merged(&vault(q, with, false), n).await.json["x5t"]
            .as_str()
            .is_some_and(|t| t.ends_with('=')),
        Quirk::TextPlainContentType => {
            let v = vault(q, with, false);
            let created = v.create(n, None).await;
            created
                .header("content-type")
                .is_some_and(|t| t.starts_with("text/plain"))
        }
        Quirk::PendingNeverListed | Quirk::PendingAlwaysListed => {
            let v = with_manual_op(q, with, n).await;
            let listed = |r: Resp| {
                r.json["value"].as_array().is_some_and(|items| {
                    items
                        .iter()
                        .any(|i| i["id"] == json!(format!("{BASE}/certificates/{n}")))
                })
            };
            let with_pending = listed(v.get("/certificates?includePending=true").await);
            let without = listed(v.get("/certificates").await);
            if q == Quirk::PendingNeverListed {
                !with_pending
            } else {
                without
            }
        }
        Quirk::PendingCertificateNotFound => {
            let v = with_manual_op(q, with, n).await;
            v.get(&format!("/certificates/{n}")).await.status == StatusCode::NOT_FOUND
        }
        Quirk::NoTrailingSlash => {
            let v = with_manual_op(q, with, n).await;
            v.get(&format!("/certificates/{n}/")).await.status == StatusCode::NOT_FOUND
        }
        Quirk::IssuedDespiteCancel => {
            let v = vault(q, with, true);
            v.create(n, Some("Self")).await;
            v.cancel(n).await;
            v.settle(n).await;
            v.get(&format!("/certificates/{n}"))
                .await
                .json
                .get("cer")
                .is_some()
        }
        Quirk::CreateOverDeleted => {
            let v = with_manual_op(q, with, n).await;
            v.delete(&format!("/certificates/{n}")).await;
            v.try_create(n, None).await.status == StatusCode::ACCEPTED
        }
        Quirk::LenientSubject => {
            let body = json!({"policy": {"x509_props": {"subject": "Self"}, "issuer": {"name": "Unknown"}}});
            let path = format!("/certificates/{n}/create");
            let r = vault(q, with, false).post(&path, body).await;
            r.status == StatusCode::ACCEPTED
        }
        Quirk::UnknownIssuerManual => {
            vault(q, with, false)
                .try_create(n, Some("nowhere"))
                .await
                .status
                == StatusCode::ACCEPTED
        }
        Quirk::ShortCertNotFound => {
            let r = vault(q, with, false)
                .get(&format!("/certificates/{n}/"))
                .await;
            r.json["error"]["message"] == json!(format!("Certificate not found: {n}"))
        }
        Quirk::ApiVersionOptional => {
            let request = Request::builder()
                .uri("/certificates")
                .header("host", HOST)
                .header("authorization", "Bearer test-token")
                .body(Body::empty())
                .expect("request");
            vault(q, with, false).raw(request).await.status == StatusCode::OK
        }
        Quirk::LocationDefaultApiVersion => {
            let body = json!({"policy": {"x509_props": {"subject": "CN=q"}, "issuer": {"name": "Unknown"}}});
            let path = format!("/certificates/{n}/create?api-version=7.0");
            let r = vault(q, with, false).post(&path, body).await;
            r.header("location")
                .is_some_and(|l| !l.contains("api-version=7.0&"))
        }
        Quirk::BareChallenge => {
            let r = unauthenticated(&vault(q, with, false)).await;
            r.status == StatusCode::UNAUTHORIZED && r.header("cache-control").is_none()
        }
        Quirk::JsonWithoutCharset => {
            let created = vault(q, with, false).create(n, None).await;
            created.header("content-type") == Some("application/json")
        }
        Quirk::UnversionedKid => merged(&vault(q, with, false), n).await.json["kid"]
            .as_str()
            .is_some_and(|k| k == format!("{BASE}/keys/{n}")),
        Quirk::LenientNames => {
            vault(q, with, false).try_create("q_x", None).await.status == StatusCode::ACCEPTED
        }
    }
}

#[tokio::test]
async fn every_quirk_is_observable_and_absent_by_default() {
    for q in Quirk::ALL {
        assert!(deviates(q, true).await, "{q} shows no deviation");
        assert!(!deviates(q, false).await, "{q} deviates without the quirk");
    }
}
