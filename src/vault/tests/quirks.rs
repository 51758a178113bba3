//! Every quirk changes something a conformance check can see: each scenario below observes
//! the deviation with the quirk on, and not without it.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::json;

use super::{HOST, Resp, Vault, config, foreign_cert, signed};
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
            let v = vault(q, with, false);
            v.create(n, None).await;
            v.try_create(n, None).await.status == StatusCode::ACCEPTED
        }
        Quirk::MergeWithIssuerAllowed => {
            let v = vault(q, with, true);
            let created = v.create(n, Some("Self")).await;
            let (leaf, _) = signed(&created);
            v.merge(n, &[&leaf]).await.status != StatusCode::FORBIDDEN
        }
        Quirk::IgnoreRequestId => {
            let v = vault(q, with, false);
            v.create(n, None).await;
            let path =
                format!("/certificates/{n}/pending?request_id=00000000000000000000000000000000");
            v.get(&path).await.status == StatusCode::OK
        }
        Quirk::LateCancelAllowed => {
            let v = vault(q, with, false);
            merged(&v, n).await;
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
            let v = vault(q, with, false);
            merged(&v, n).await;
            v.pending(n).await.json.get("status_details").is_some()
        }
        Quirk::TargetWithQuery => {
            let v = vault(q, with, false);
            merged(&v, n).await;
            v.pending(n).await.json["target"]
                .as_str()
                .is_some_and(|t| t.contains("?api-version="))
        }
        Quirk::PendingGoneAfterMerge => {
            let v = vault(q, with, false);
            merged(&v, n).await;
            v.pending(n).await.status == StatusCode::NOT_FOUND
        }
        Quirk::NoMergeKeyCheck => {
            let v = vault(q, with, false);
            v.create(n, None).await;
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
            let v = vault(q, with, false);
            merged(&v, n).await;
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
            let v = vault(q, with, false);
            merged(&v, n).await;
            v.pending(n).await.header("retry-after").is_some()
        }
        Quirk::NoAuthChallenge => {
            let request = Request::builder()
                .uri("/certificates?api-version=7.6")
                .header("host", HOST)
                .body(Body::empty())
                .expect("request");
            vault(q, with, false).raw(request).await.status != StatusCode::UNAUTHORIZED
        }
        Quirk::FailedWithStatusDetails => {
            let v = vault(q, with, false);
            v.put_issuer("digi", "DigiCert").await;
            v.create(n, Some("digi")).await;
            let done = v.settle(n).await;
            done.json["status"] == "failed" && done.json.get("status_details").is_some()
        }
        Quirk::ConflictCode => {
            let v = vault(q, with, false);
            v.create(n, None).await;
            v.try_create(n, None).await.error_code() == "Conflict"
        }
        Quirk::Merge200 => merged(&vault(q, with, false), n).await.status == StatusCode::OK,
        Quirk::CancelImmediately => {
            let v = vault(q, with, false);
            v.create(n, None).await;
            v.cancel(n).await.json["status"] == "cancelled"
        }
        Quirk::ImportIgnoresPending => {
            let v = vault(q, with, false);
            v.create(n, None).await;
            let body = json!({ "value": test_pem() });
            let path = format!("/certificates/{n}/import");
            v.call(Method::POST, &path, Some(body)).await.status == StatusCode::OK
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
    }
}

#[tokio::test]
async fn every_quirk_is_observable_and_absent_by_default() {
    for q in Quirk::ALL {
        assert!(deviates(q, true).await, "{q} shows no deviation");
        assert!(!deviates(q, false).await, "{q} deviates without the quirk");
    }
}
