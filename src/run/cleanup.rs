//! Cleanup registered as objects are created, run LIFO when the scenario ends (passed,
//! failed or interrupted). It deletes only names that carry this run's prefix, so a run can
//! never touch objects it did not create.

use std::time::Duration;

use super::context::RunContext;
use crate::target::{Exchange, HttpRequest, Target};

/// How long a purge waits for a soft delete to finish on a real vault.
const PURGE_ATTEMPTS: u32 = 8;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Resource {
    /// A certificate name: its pending op, the certificate, and its deleted copy.
    Certificate(String),
    Issuer(String),
}

pub(crate) struct Cleanup {
    prefix: String,
    created: Vec<Resource>,
}

impl Cleanup {
    pub(crate) fn new(prefix: String) -> Cleanup {
        Cleanup {
            prefix,
            created: Vec::new(),
        }
    }

    /// Notes what a successful request created.
    pub(crate) fn register(&mut self, request: &HttpRequest, status: u16) {
        if !(200..300).contains(&status) {
            return;
        }
        if let Some(resource) = created_by(request) {
            let name = match &resource {
                Resource::Certificate(n) | Resource::Issuer(n) => n,
            };
            if name.starts_with(&self.prefix) && !self.created.contains(&resource) {
                self.created.push(resource);
            }
        }
    }

    /// Deletes everything registered, newest first. Returns what could not be removed.
    pub(crate) async fn run(self, ctx: &RunContext, log: &mut Vec<Exchange>) -> Vec<String> {
        let mut problems = Vec::new();
        for resource in self.created.into_iter().rev() {
            let result = match &resource {
                Resource::Certificate(name) => remove_certificate(&ctx.target, name, log).await,
                Resource::Issuer(name) => remove_issuer(&ctx.target, name, log).await,
            };
            if let Err(problem) = result {
                problems.push(problem);
            }
        }
        problems
    }
}

/// What a request creates when it succeeds, by method and path.
pub(crate) fn created_by(request: &HttpRequest) -> Option<Resource> {
    let segments: Vec<&str> = request.path.split('/').filter(|s| !s.is_empty()).collect();
    match (request.method.as_str(), segments.as_slice()) {
        ("POST", ["certificates", name, "create" | "import"]) => {
            Some(Resource::Certificate((*name).to_string()))
        }
        ("PUT", ["certificates", "issuers", name]) => Some(Resource::Issuer((*name).to_string())),
        _ => None,
    }
}

/// Deletes a certificate's pending operation, the certificate, then purges its deleted copy.
/// A 404 at any stage is fine (already gone).
pub(crate) async fn remove_certificate(
    target: &Target,
    name: &str,
    log: &mut Vec<Exchange>,
) -> Result<(), String> {
    delete(target, &format!("/certificates/{name}/pending"), log).await?;
    delete(target, &format!("/certificates/{name}"), log).await?;
    purge(target, name, log).await
}

pub(crate) async fn remove_issuer(
    target: &Target,
    name: &str,
    log: &mut Vec<Exchange>,
) -> Result<(), String> {
    delete(target, &format!("/certificates/issuers/{name}"), log).await
}

/// Purges a deleted certificate, waiting while a real vault still finishes the soft delete.
pub(crate) async fn purge(
    target: &Target,
    name: &str,
    log: &mut Vec<Exchange>,
) -> Result<(), String> {
    let purge = HttpRequest::new("DELETE", &format!("/deletedcertificates/{name}"));
    for attempt in 0..PURGE_ATTEMPTS {
        let exchange = target.send(&purge, log).await.map_err(|e| e.to_string())?;
        match exchange.response.status {
            200..=299 | 404 => return Ok(()),
            // The soft delete is still in progress on a real vault.
            409 => tokio::time::sleep(Duration::from_millis(250 << attempt.min(4))).await,
            other => return Err(format!("purge of {name} answered {other}")),
        }
    }
    Err(format!(
        "purge of {name} still conflicting after {PURGE_ATTEMPTS} attempts"
    ))
}

async fn delete(target: &Target, path: &str, log: &mut Vec<Exchange>) -> Result<(), String> {
    let exchange = target
        .send(&HttpRequest::new("DELETE", path), log)
        .await
        .map_err(|e| format!("cleanup DELETE {path}: {e}"))?;
    match exchange.response.status {
        200..=299 | 404 => Ok(()),
        other => Err(format!("cleanup DELETE {path} answered {other}")),
    }
}
