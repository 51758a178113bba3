//! Wire types: request bodies as clients send them and responses in the real field order.
//!
//! Requests are lenient (unknown fields ignored, like the service); responses are structs so
//! that serde keeps the order the real service uses.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub(crate) type Tags = BTreeMap<String, String>;

// ---------------------------------------------------------------- requests

#[derive(Debug, Default, Deserialize)]
pub(crate) struct CreateRequest {
    pub(crate) policy: Option<PolicyIn>,
    pub(crate) attributes: Option<AttributesIn>,
    pub(crate) tags: Option<Tags>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ImportRequest {
    pub(crate) value: String,
    /// The PFX password (PEM keys are read unencrypted).
    pub(crate) pwd: Option<String>,
    pub(crate) policy: Option<PolicyIn>,
    pub(crate) attributes: Option<AttributesIn>,
    pub(crate) tags: Option<Tags>,
}

/// PATCH `/certificates/{name}[/{version}]`: attributes and tags of one version.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct UpdateCertificateRequest {
    pub(crate) attributes: Option<AttributesIn>,
    pub(crate) tags: Option<Tags>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct MergeRequest {
    pub(crate) x5c: Vec<String>,
    pub(crate) attributes: Option<AttributesIn>,
    pub(crate) tags: Option<Tags>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct UpdateOperationRequest {
    pub(crate) cancellation_requested: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct PolicyIn {
    pub(crate) key_props: Option<KeyPropsIn>,
    pub(crate) secret_props: Option<SecretPropsIn>,
    pub(crate) x509_props: Option<X509PropsIn>,
    pub(crate) lifetime_actions: Option<Vec<LifetimeAction>>,
    pub(crate) issuer: Option<IssuerParamsIn>,
    pub(crate) attributes: Option<AttributesIn>,
}

/// One lifetime action, typed so that `trigger` is written before `action` as the service does.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub(crate) struct LifetimeAction {
    pub(crate) trigger: Trigger,
    pub(crate) action: Action,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub(crate) struct Trigger {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) lifetime_percentage: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) days_before_expiry: Option<u32>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub(crate) struct Action {
    pub(crate) action_type: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct KeyPropsIn {
    pub(crate) exportable: Option<bool>,
    pub(crate) kty: Option<String>,
    pub(crate) key_size: Option<u32>,
    pub(crate) reuse_key: Option<bool>,
    pub(crate) crv: Option<String>,
}

/// `secret_props` as sent: `contentType` is optional (the JS SDK sends `"secret_props": {}`, which
/// the real service accepts and answers with the default content type).
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct SecretPropsIn {
    #[serde(rename = "contentType")]
    pub(crate) content_type: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct SecretProps {
    #[serde(rename = "contentType")]
    pub(crate) content_type: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct X509PropsIn {
    pub(crate) subject: Option<String>,
    pub(crate) sans: Option<Sans>,
    pub(crate) ekus: Option<Vec<String>>,
    pub(crate) key_usage: Option<Vec<String>>,
    pub(crate) validity_months: Option<u32>,
}

/// Subject alternative names, echoed as given (`"sans": {}` stays `{}`).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub(crate) struct Sans {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) emails: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) dns_names: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) upns: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct IssuerParamsIn {
    pub(crate) name: Option<String>,
    pub(crate) cty: Option<String>,
    pub(crate) cert_transparency: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct AttributesIn {
    pub(crate) enabled: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct IssuerRequest {
    pub(crate) provider: Option<String>,
    pub(crate) credentials: Option<CredentialsIn>,
    pub(crate) org_details: Option<OrgDetailsIn>,
    pub(crate) attributes: Option<AttributesIn>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct CredentialsIn {
    pub(crate) account_id: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct OrgDetailsIn {
    pub(crate) id: Option<String>,
    pub(crate) admin_details: Option<Vec<Value>>,
}

// ---------------------------------------------------------------- responses

/// CertificateOperation in the real field order (FACTS, cross-cutting facts).
#[derive(Debug, Serialize)]
pub(crate) struct OperationOut {
    pub(crate) id: String,
    pub(crate) issuer: IssuerName,
    pub(crate) csr: String,
    pub(crate) cancellation_requested: bool,
    pub(crate) status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) status_details: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) error: Option<OperationError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) target: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) request_id: Option<String>,
    #[serde(rename = "requestId", skip_serializing_if = "Option::is_none")]
    pub(crate) request_id_camel: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct IssuerName {
    pub(crate) name: String,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct OperationError {
    pub(crate) code: String,
    pub(crate) message: String,
}

/// CertificatePolicy as the service returns it (defaults filled in).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PolicyOut {
    pub(crate) id: String,
    pub(crate) key_props: KeyPropsOut,
    pub(crate) secret_props: SecretProps,
    pub(crate) x509_props: X509PropsOut,
    pub(crate) lifetime_actions: Vec<LifetimeAction>,
    pub(crate) issuer: IssuerOut,
    pub(crate) attributes: PolicyAttributes,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct KeyPropsOut {
    pub(crate) exportable: bool,
    pub(crate) kty: String,
    pub(crate) key_size: u32,
    pub(crate) reuse_key: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) crv: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct X509PropsOut {
    pub(crate) subject: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) sans: Option<Sans>,
    pub(crate) ekus: Vec<String>,
    pub(crate) key_usage: Vec<String>,
    pub(crate) validity_months: u32,
    pub(crate) basic_constraints: BasicConstraints,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct BasicConstraints {
    pub(crate) ca: bool,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct IssuerOut {
    pub(crate) name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) cty: Option<String>,
    pub(crate) cert_transparency: bool,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct PolicyAttributes {
    pub(crate) enabled: bool,
    pub(crate) created: i64,
    pub(crate) updated: i64,
}

/// CertificateBundle, plus the `pending` reference the real service adds.
#[derive(Debug, Serialize)]
pub(crate) struct BundleOut {
    pub(crate) id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) kid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) sid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) x5t: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) cer: Option<String>,
    pub(crate) attributes: CertAttributesOut,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) tags: Option<Tags>,
    pub(crate) policy: PolicyOut,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) pending: Option<PendingRef>,
}

/// A soft-deleted certificate: the recovery fields, then its bundle or list item.
#[derive(Debug, Serialize)]
pub(crate) struct DeletedOut<T> {
    #[serde(rename = "recoveryId")]
    pub(crate) recovery_id: String,
    #[serde(rename = "deletedDate")]
    pub(crate) deleted_date: i64,
    #[serde(rename = "scheduledPurgeDate")]
    pub(crate) scheduled_purge_date: i64,
    #[serde(flatten)]
    pub(crate) inner: T,
}

/// DeletedCertificateBundle.
pub(crate) type DeletedBundleOut = DeletedOut<BundleOut>;
/// One entry of `GET /deletedcertificates`.
pub(crate) type DeletedItemOut = DeletedOut<CertItemOut>;

#[derive(Debug, Clone, Serialize)]
pub(crate) struct CertAttributesOut {
    pub(crate) enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) nbf: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) exp: Option<i64>,
    pub(crate) created: i64,
    pub(crate) updated: i64,
    #[serde(rename = "recoveryLevel")]
    pub(crate) recovery_level: &'static str,
    #[serde(rename = "recoverableDays")]
    pub(crate) recoverable_days: u32,
}

#[derive(Debug, Serialize)]
pub(crate) struct PendingRef {
    pub(crate) id: String,
}

/// One entry of `GET /certificates` (and of the deleted and versions lists).
#[derive(Debug, Serialize)]
pub(crate) struct CertItemOut {
    pub(crate) id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) x5t: Option<String>,
    pub(crate) attributes: CertAttributesOut,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) tags: Option<Tags>,
    pub(crate) subject: String,
}

/// A list page; the vault never pages, so `nextLink` is always null.
#[derive(Debug, Serialize)]
pub(crate) struct ListOut<T> {
    pub(crate) value: Vec<T>,
    #[serde(rename = "nextLink")]
    pub(crate) next_link: Option<String>,
}

/// IssuerBundle as the service returns it: no `pwd`, `org_details.zip: 0` added (FACTS §2).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct IssuerBundleOut {
    pub(crate) id: String,
    pub(crate) provider: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) credentials: Option<CredentialsOut>,
    pub(crate) org_details: OrgDetailsOut,
    pub(crate) attributes: PolicyAttributes,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct CredentialsOut {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) account_id: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct OrgDetailsOut {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) id: Option<String>,
    pub(crate) zip: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) admin_details: Option<Vec<Value>>,
}

#[derive(Debug, Serialize)]
pub(crate) struct IssuerItemOut {
    pub(crate) id: String,
    pub(crate) provider: String,
}
