//! What Key Vault objects a request creates and how they are removed again. Shared by a
//! run's cleanup (a dry run's too, over a recording target), `kvconform sweep` and the
//! capability probe, so the paths are written down once.

use std::time::Duration;

use super::{Exchange, HttpRequest, Target, TransportError};

/// How long a purge waits for a soft delete to finish on a real vault.
const PURGE_ATTEMPTS: u32 = 8;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Resource {
    /// A certificate name: its pending op, the certificate, and its deleted copy.
    Certificate(String),
    Issuer(String),
}

impl Resource {
    pub(crate) fn name(&self) -> &str {
        match self {
            Resource::Certificate(n) | Resource::Issuer(n) => n,
        }
    }
}

/// One request of a removal, in the order they are sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Removal {
    /// A DELETE of this path; 404 is fine (already gone).
    Delete(String),
    /// A purge of this deleted certificate, retried while the soft delete finishes.
    Purge(String),
}

impl Removal {
    /// The path the removal sends its DELETE to.
    pub(crate) fn path(&self) -> String {
        match self {
            Removal::Delete(path) => path.clone(),
            Removal::Purge(name) => format!("/deletedcertificates/{name}"),
        }
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

/// What a request answered `status` leaves for the run's cleanup: what it creates when it
/// succeeded and the name carries the run's `prefix` (a run never removes what it did not
/// create). The run's cleanup and the dry run's listing of it both ask here.
pub(crate) fn to_clean_up(request: &HttpRequest, status: u16, prefix: &str) -> Option<Resource> {
    let created = created_by(request).filter(|_| (200..300).contains(&status));
    created.filter(|resource| resource.name().starts_with(prefix))
}

/// The requests that remove a resource: a certificate's pending operation, the certificate,
/// then a purge of its deleted copy; an issuer by one DELETE.
pub(crate) fn removal(resource: &Resource) -> Vec<Removal> {
    match resource {
        Resource::Certificate(n) => vec![
            Removal::Delete(format!("/certificates/{n}/pending")),
            Removal::Delete(format!("/certificates/{n}")),
            Removal::Purge(n.clone()),
        ],
        Resource::Issuer(n) => vec![Removal::Delete(format!("/certificates/issuers/{n}"))],
    }
}

/// A removal request that failed: the object may be left behind (`kvconform sweep` finds it).
#[derive(Debug, thiserror::Error)]
pub(crate) enum RemovalError {
    #[error("cleanup DELETE {path}: {source}")]
    Delete {
        path: String,
        source: TransportError,
    },
    #[error("cleanup DELETE {path} answered {status}")]
    DeleteAnswered { path: String, status: u16 },
    #[error(transparent)]
    Purge(#[from] TransportError),
    #[error("purge of {name} answered {status}")]
    PurgeAnswered { name: String, status: u16 },
    #[error("purge of {0} still conflicting after {PURGE_ATTEMPTS} attempts")]
    PurgeConflict(String),
}

/// Sends [`removal`]'s requests in order, stopping at the first problem.
pub(crate) async fn remove(
    target: &Target,
    resource: &Resource,
    log: &mut Vec<Exchange>,
) -> Result<(), RemovalError> {
    for step in removal(resource) {
        match step {
            Removal::Delete(path) => delete(target, &path, log).await?,
            Removal::Purge(name) => purge(target, &name, log).await?,
        }
    }
    Ok(())
}

/// Purges a deleted certificate, waiting while a real vault still finishes the soft delete.
pub(crate) async fn purge(
    target: &Target,
    name: &str,
    log: &mut Vec<Exchange>,
) -> Result<(), RemovalError> {
    let purge = HttpRequest::new("DELETE", &Removal::Purge(name.to_string()).path());
    for attempt in 0..PURGE_ATTEMPTS {
        let exchange = target.send(&purge, log).await?;
        match exchange.response.status {
            200..=299 | 404 => return Ok(()),
            // The soft delete is still in progress on a real vault.
            409 => tokio::time::sleep(Duration::from_millis(250 << attempt.min(4))).await,
            status => {
                let name = name.to_string();
                return Err(RemovalError::PurgeAnswered { name, status });
            }
        }
    }
    Err(RemovalError::PurgeConflict(name.to_string()))
}

async fn delete(target: &Target, path: &str, log: &mut Vec<Exchange>) -> Result<(), RemovalError> {
    let path = path.to_string();
    let exchange =
        (target.send(&HttpRequest::new("DELETE", &path), log).await).map_err(|source| {
            RemovalError::Delete {
                path: path.clone(),
                source,
            }
        })?;
    match exchange.response.status {
        200..=299 | 404 => Ok(()),
        status => Err(RemovalError::DeleteAnswered { path, status }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creations_are_recognised_by_method_and_path() {
        let create = HttpRequest::new("POST", "/certificates/kvc-a/create");
        assert_eq!(
            created_by(&create),
            Some(Resource::Certificate("kvc-a".into()))
        );
        let import = HttpRequest::new("POST", "/certificates/kvc-b/import");
        assert_eq!(
            created_by(&import),
            Some(Resource::Certificate("kvc-b".into()))
        );
        let issuer = HttpRequest::new("PUT", "/certificates/issuers/kvc-i");
        assert_eq!(created_by(&issuer), Some(Resource::Issuer("kvc-i".into())));
        assert_eq!(
            created_by(&HttpRequest::new("GET", "/certificates/kvc-a")),
            None
        );
    }

    #[test]
    fn a_certificate_is_removed_pending_first_and_purged_last() {
        let paths: Vec<String> = removal(&Resource::Certificate("c".into()))
            .iter()
            .map(Removal::path)
            .collect();
        assert_eq!(
            paths,
            [
                "/certificates/c/pending",
                "/certificates/c",
                "/deletedcertificates/c"
            ]
        );
    }
}
