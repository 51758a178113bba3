//! The vault's data: certificates (with their versions and pending operation), deleted
//! certificates and issuers. Plain data; the lifecycle rules live in `ops`.

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use super::crypto::{CertInfo, PublicKey};
use super::model::Tags;
use super::policy::Policy;

/// Everything one vault holds, behind one lock (so concurrent PATCH/DELETE/merge on the same
/// operation always see and leave a consistent state).
#[derive(Default)]
pub(crate) struct Store {
    /// Keyed by the lower-cased name: Key Vault names are case-insensitive.
    pub(crate) certs: HashMap<String, CertEntry>,
    pub(crate) deleted: HashMap<String, DeletedEntry>,
    pub(crate) issuers: BTreeMap<String, IssuerEntry>,
}

pub(crate) fn key_of(name: &str) -> String {
    name.to_ascii_lowercase()
}

impl Store {
    /// The soft-deleted certificate `name` (any case).
    pub(crate) fn deleted_cert(&self, name: &str) -> Option<&DeletedEntry> {
        self.deleted.get(&key_of(name))
    }

    /// The issuer `name` (any case).
    pub(crate) fn issuer(&self, name: &str) -> Option<&IssuerEntry> {
        self.issuers.get(&key_of(name))
    }
}

/// One certificate: its versions (oldest first), its policy and at most one pending operation.
pub(crate) struct CertEntry {
    pub(crate) name: String,
    pub(crate) versions: Vec<CertVersion>,
    pub(crate) policy: Policy,
    pub(crate) pending: Option<PendingOp>,
}

impl CertEntry {
    pub(crate) fn latest(&self) -> Option<&CertVersion> {
        self.versions.last()
    }

    pub(crate) fn version(&self, id: &str) -> Option<&CertVersion> {
        self.versions
            .iter()
            .find(|v| v.version.eq_ignore_ascii_case(id))
    }

    pub(crate) fn version_mut(&mut self, id: &str) -> Option<&mut CertVersion> {
        self.versions.iter_mut().find(|v| v.version == id)
    }

    /// The newest version that holds an issued certificate.
    pub(crate) fn latest_issued(&self) -> Option<&CertVersion> {
        self.versions.iter().rev().find(|v| v.cert.is_some())
    }
}

/// One certificate version. A create makes a disabled version without a certificate; merge,
/// self-signing or import fills `cert` and enables it.
#[derive(Clone)]
pub(crate) struct CertVersion {
    pub(crate) version: String,
    pub(crate) enabled: bool,
    pub(crate) created: i64,
    pub(crate) updated: i64,
    pub(crate) nbf: i64,
    pub(crate) exp: i64,
    pub(crate) cert: Option<CertInfo>,
    pub(crate) tags: Option<Tags>,
    /// `attributes.enabled` of the create request: applied when the certificate is issued.
    pub(crate) enable_on_issue: bool,
}

/// Who completes the operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum IssuerKind {
    /// `Unknown` (or no issuer): waits for a merge.
    Manual,
    /// `Self`: completes by itself after `self_delay`.
    SelfSigned,
    /// A stored issuer: behaves like DigiCert with fake credentials and fails.
    Provider { provider: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OpState {
    InProgress,
    Completed,
    Cancelled,
    Failed,
}

/// The pending certificate operation of one certificate.
pub(crate) struct PendingOp {
    pub(crate) request_id: String,
    pub(crate) issuer_name: String,
    pub(crate) kind: IssuerKind,
    /// The PKCS#10 request as the wire carries it (base64 DER), encoded once at create.
    pub(crate) csr: String,
    pub(crate) key: PublicKey,
    /// The certificate version this operation fills.
    pub(crate) version: String,
    pub(crate) cancellation_requested: bool,
    pub(crate) state: OpState,
    pub(crate) started: Instant,
    pub(crate) cancel_requested_at: Option<Instant>,
    /// `Self` only: the certificate, made at create time and revealed when the op completes.
    pub(crate) issued: Option<CertInfo>,
}

/// A soft-deleted certificate, recoverable until purged.
pub(crate) struct DeletedEntry {
    pub(crate) entry: CertEntry,
    pub(crate) deleted_date: i64,
    pub(crate) scheduled_purge_date: i64,
}

/// A stored certificate issuer (`PUT /certificates/issuers/{name}`).
#[derive(Debug, Clone)]
pub(crate) struct IssuerEntry {
    pub(crate) name: String,
    pub(crate) provider: String,
    pub(crate) account_id: Option<String>,
    pub(crate) org_id: Option<String>,
    pub(crate) admin_details: Option<Vec<serde_json::Value>>,
    pub(crate) enabled: bool,
    pub(crate) created: i64,
    pub(crate) updated: i64,
}
