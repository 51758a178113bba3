//! JSON Schema check of a response body against the schemas in `schemas/`.
//!
//! The schemas are compiled into the binary with `include_str!` and built once into a
//! [`SchemaSet`]. They share definitions through `schemas/common.schema.json`, which is registered
//! under its `$id`; nothing is fetched over the network.

use std::collections::BTreeMap;
use std::fmt;

use jsonschema::error::ValidationErrorKind;
use jsonschema::{Draft, Registry, ValidationError, Validator};
use serde_json::Value;

/// The schema every error response (status >= 400) must match.
const KEY_VAULT_ERROR: &str = "KeyVaultError";

/// `$id` of `schemas/common.schema.json`; the other schemas refer to it relative to their own `$id`.
const COMMON_ID: &str = "https://kvconform.example/schemas/common.schema.json";
const COMMON: &str = include_str!("../../schemas/common.schema.json");

macro_rules! embedded {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../schemas/", $name, ".schema.json")))),*]
    };
}

/// The response schemas by name: `schemas/<name>.schema.json`.
const SCHEMAS: &[(&str, &str)] = embedded!(
    "CertificateOperation",
    "CertificateBundle",
    "DeletedCertificateBundle",
    "KeyVaultError",
    "IssuerBundle",
    "CertificateListResult",
    "CertificateIssuerListResult",
    "CertificatePolicy",
);

/// A schema file that could not be turned into a validator.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error("schemas/{file} is not valid JSON")]
    Parse {
        file: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("schemas/{file} cannot be registered")]
    Register {
        file: String,
        #[source]
        source: Box<jsonschema::ReferencingError>,
    },
    #[error("schemas/{file} is not a valid schema: {message}")]
    Compile { file: String, message: String },
}

/// A body that does not match its schema, or a schema name that does not exist.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SchemaCheckError {
    #[error("unknown schema `{0}`")]
    UnknownSchema(String),
    #[error("{}", render_violations(.0))]
    Violations(Vec<Violation>),
}

/// One way a body breaks its schema.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Violation {
    /// JSON pointer to the offending value, e.g. `/error/code`; empty for the whole body.
    pub instance_path: String,
    /// What is wrong there, in plain words.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.instance_path.is_empty() {
            "(root)"
        } else {
            &self.instance_path
        };
        write!(f, "{path}: {}", self.message)
    }
}

fn render_violations(violations: &[Violation]) -> String {
    let lines: Vec<String> = violations.iter().map(|v| format!("  {v}")).collect();
    format!(
        "body does not match its schema ({} violation(s)):\n{}",
        violations.len(),
        lines.join("\n")
    )
}

/// The compiled response schemas. Build once and share: it is `Send + Sync`.
pub struct SchemaSet {
    validators: BTreeMap<&'static str, Validator>,
}

impl fmt::Debug for SchemaSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SchemaSet")
            .field("names", &self.validators.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl SchemaSet {
    /// Compiles the schema files embedded from `schemas/`.
    pub fn embedded() -> Result<SchemaSet, SchemaError> {
        let common_file = "common.schema.json";
        let registry = Registry::new()
            .add(COMMON_ID, parse(common_file, COMMON)?)
            .and_then(|builder| builder.prepare())
            .map_err(|source| SchemaError::Register {
                file: common_file.to_owned(),
                source: Box::new(source),
            })?;
        let options = jsonschema::options()
            .with_draft(Draft::Draft202012)
            .with_registry(&registry)
            .offline();
        let mut validators = BTreeMap::new();
        for &(name, text) in SCHEMAS {
            let file = format!("{name}.schema.json");
            let schema = parse(&file, text)?;
            let validator = options
                .build(&schema)
                .map_err(|error| SchemaError::Compile {
                    file,
                    message: error.to_string(),
                })?;
            validators.insert(name, validator);
        }
        Ok(SchemaSet { validators })
    }

    /// No schemas: for a run that checks no response (the dry run), which then neither
    /// compiles them nor can fail on them.
    pub fn empty() -> SchemaSet {
        SchemaSet {
            validators: BTreeMap::new(),
        }
    }

    /// The schema names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.validators.keys().copied()
    }

    /// Checks `instance` against the schema `name`; every violation is reported, sorted by path.
    pub fn validate(&self, name: &str, instance: &Value) -> Result<(), SchemaCheckError> {
        let validator = self
            .validators
            .get(name)
            .ok_or_else(|| SchemaCheckError::UnknownSchema(name.to_owned()))?;
        let mut violations: Vec<Violation> = validator
            .iter_errors(instance)
            .flat_map(violations)
            .collect();
        if violations.is_empty() {
            return Ok(());
        }
        violations.sort();
        violations.dedup();
        Err(SchemaCheckError::Violations(violations))
    }
}

/// The schema a response must match when its step names none: `KeyVaultError` for any error
/// status (>= 400), none otherwise.
pub fn implied_schema(status: u16) -> Option<&'static str> {
    (status >= 400).then_some(KEY_VAULT_ERROR)
}

fn parse(file: &str, text: &str) -> Result<Value, SchemaError> {
    serde_json::from_str(text).map_err(|source| SchemaError::Parse {
        file: file.to_owned(),
        source,
    })
}

/// Turns one jsonschema error into violations that point at the offending member itself: an
/// unexpected or missing property is reported at its own path (`/requestId`, `/error/code`)
/// rather than at the object that holds it.
fn violations(error: ValidationError<'_>) -> Vec<Violation> {
    let path = error.instance_path().as_str();
    match error.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected }
        | ValidationErrorKind::UnevaluatedProperties { unexpected } => unexpected
            .iter()
            .map(|name| Violation {
                instance_path: child(path, name),
                message: "additional property not allowed".to_owned(),
            })
            .collect(),
        ValidationErrorKind::Required { property } => vec![Violation {
            instance_path: child(path, property.as_str().unwrap_or_default()),
            message: "required property is missing".to_owned(),
        }],
        _ => vec![Violation {
            instance_path: path.to_owned(),
            message: error.to_string(),
        }],
    }
}

/// `parent` extended by the member `name`, escaped as RFC 6901 requires.
fn child(parent: &str, name: &str) -> String {
    format!("{parent}/{}", name.replace('~', "~0").replace('/', "~1"))
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::LazyLock;

    use rstest::rstest;
    use serde_json::{Value, json};

    use super::*;

    static SET: LazyLock<SchemaSet> =
        LazyLock::new(|| SchemaSet::embedded().expect("embedded schemas compile"));

    const TYPE: &str = "is not of type";
    const EXTRA: &str = "additional property not allowed";
    const MISSING: &str = "required property is missing";

    fn operation() -> Value {
        json!({
            "id": "https://v.vault.azure.net/certificates/c/pending",
            "issuer": {"name": "Self"},
            "csr": "MIICqDCCAZACAQAw",
            "cancellation_requested": false,
            "status": "inProgress",
            "status_details": "Pending certificate created.",
            "request_id": "710baa11b6814b4f9c7b000a9af37df8"
        })
    }

    fn failed_operation() -> Value {
        let error = json!({"code": "Request rejected", "message": "The call to DigiCert failed"});
        with(
            with(operation(), "/status", json!("failed")),
            "/error",
            error,
        )
    }

    fn key_vault_error() -> Value {
        json!({"error": {"code": "PendingCertificateNotFound", "message": "Pending certificate not found: c"}})
    }

    fn bundle() -> Value {
        json!({
            "id": "https://v.vault.azure.net/certificates/c/0123",
            "x5t": "G89ddV61bj0qzDNH4cZVaw06cJk",
            "cer": "MIICyjCCAbICAQEw",
            "attributes": {"enabled": true, "created": 1, "updated": 1, "recoveryLevel": "Recoverable+Purgeable", "recoverableDays": 90},
            "policy": {"x509_props": {"subject": "CN=c", "validity_months": 12, "basic_constraints": {"ca": false}}},
            "pending": {"id": "https://v.vault.azure.net/certificates/c/pending"}
        })
    }

    fn deleted_bundle() -> Value {
        let v = with(
            bundle(),
            "/recoveryId",
            json!("https://v.vault.azure.net/deletedcertificates/c"),
        );
        with(
            with(v, "/deletedDate", json!(1)),
            "/scheduledPurgeDate",
            json!(2),
        )
    }

    fn issuer() -> Value {
        json!({
            "id": "https://v.vault.azure.net/certificates/issuers/i",
            "provider": "Test",
            "credentials": {"account_id": "a"},
            "org_details": {"zip": 0, "admin_details": [{"first_name": "John"}]},
            "attributes": {"enabled": true, "created": 1, "updated": 1}
        })
    }

    fn certificate_list() -> Value {
        json!({"value": [{"id": "https://v.vault.azure.net/certificates/c", "attributes": {"enabled": false}, "subject": ""}], "nextLink": null})
    }

    fn issuer_list() -> Value {
        json!({"value": [{"id": "https://v.vault.azure.net/certificates/issuers/i", "provider": "Test"}], "nextLink": null})
    }

    /// `v` with the member at `pointer` set to `new` (added if absent).
    fn with(mut v: Value, pointer: &str, new: Value) -> Value {
        let (parent, name) = pointer.rsplit_once('/').expect("pointer has a parent");
        let object = v.pointer_mut(parent).and_then(Value::as_object_mut);
        object
            .expect("parent is an object")
            .insert(name.to_owned(), new);
        v
    }

    /// `v` without the member at `pointer`.
    fn without(mut v: Value, pointer: &str) -> Value {
        let (parent, name) = pointer.rsplit_once('/').expect("pointer has a parent");
        let object = v.pointer_mut(parent).and_then(Value::as_object_mut);
        object
            .expect("parent is an object")
            .remove(name)
            .expect("member exists");
        v
    }

    /// `v` with the member at `pointer` renamed to `new_name`, keeping its value.
    fn renamed(v: Value, pointer: &str, new_name: &str) -> Value {
        let value = v.pointer(pointer).expect("member exists").clone();
        let (parent, _) = pointer.rsplit_once('/').expect("pointer has a parent");
        with(without(v, pointer), &format!("{parent}/{new_name}"), value)
    }

    fn violations_of(name: &str, instance: &Value) -> Vec<Violation> {
        match SET.validate(name, instance) {
            Err(SchemaCheckError::Violations(v)) => v,
            other => panic!("{name} should reject {instance:#}, got {other:?}"),
        }
    }

    #[test]
    fn every_schema_file_is_embedded_and_compiles() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .expect("schemas/ is readable")
            .map(|entry| {
                entry
                    .expect("entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .filter_map(|file| file.strip_suffix(".schema.json").map(str::to_owned))
            .filter(|name| name != "common" && name != "scenario")
            .collect();
        on_disk.sort();
        let names: Vec<&str> = SET.names().collect();
        assert_eq!(names, on_disk);
        assert_eq!(names.len(), 8);
    }

    #[test]
    fn schema_set_can_be_shared_across_threads() {
        fn shareable<T: Send + Sync>() {}
        shareable::<SchemaSet>();
    }

    #[rstest]
    #[case::operation("CertificateOperation", operation())]
    #[case::failed_operation("CertificateOperation", failed_operation())]
    #[case::key_vault_error("KeyVaultError", key_vault_error())]
    #[case::bundle("CertificateBundle", bundle())]
    #[case::deleted_bundle("DeletedCertificateBundle", deleted_bundle())]
    #[case::issuer("IssuerBundle", issuer())]
    #[case::certificate_list("CertificateListResult", certificate_list())]
    #[case::issuer_list("CertificateIssuerListResult", issuer_list())]
    fn accepts_the_base_instances(#[case] name: &str, #[case] instance: Value) {
        assert_eq!(SET.validate(name, &instance), Ok(()));
    }

    #[rstest]
    // CertificateOperation
    #[case::op_misspelled_key("CertificateOperation", renamed(operation(), "/request_id", "requestId"), &[("/requestId", EXTRA), ("/request_id", MISSING)])]
    #[case::op_status_number("CertificateOperation", with(operation(), "/status", json!(42)), &[("/status", TYPE)])]
    #[case::op_missing_id("CertificateOperation", without(operation(), "/id"), &[("/id", MISSING)])]
    #[case::op_missing_request_id("CertificateOperation", without(operation(), "/request_id"), &[("/request_id", MISSING)])]
    #[case::op_missing_csr("CertificateOperation", without(operation(), "/csr"), &[("/csr", MISSING)])]
    #[case::op_cancellation_string("CertificateOperation", with(operation(), "/cancellation_requested", json!("false")), &[("/cancellation_requested", TYPE)])]
    #[case::op_request_id_number("CertificateOperation", with(operation(), "/request_id", json!(7)), &[("/request_id", TYPE)])]
    #[case::op_status_details_null("CertificateOperation", with(operation(), "/status_details", Value::Null), &[("/status_details", TYPE)])]
    #[case::op_issuer_misspelled("CertificateOperation", renamed(operation(), "/issuer/name", "nmae"), &[("/issuer/name", MISSING), ("/issuer/nmae", EXTRA)])]
    #[case::op_error_without_code("CertificateOperation", without(failed_operation(), "/error/code"), &[("/error/code", MISSING)])]
    #[case::op_error_extra_key("CertificateOperation", with(failed_operation(), "/error/details", json!("x")), &[("/error/details", EXTRA)])]
    #[case::op_error_code_number("CertificateOperation", with(failed_operation(), "/error/code", json!(1)), &[("/error/code", TYPE)])]
    // KeyVaultError
    #[case::err_misspelled_key("KeyVaultError", renamed(key_vault_error(), "/error", "eror"), &[("/eror", EXTRA), ("/error", MISSING)])]
    #[case::err_code_casing("KeyVaultError", renamed(key_vault_error(), "/error/code", "Code"), &[("/error/Code", EXTRA), ("/error/code", MISSING)])]
    #[case::err_code_number("KeyVaultError", with(key_vault_error(), "/error/code", json!(404)), &[("/error/code", TYPE)])]
    #[case::err_missing_code("KeyVaultError", without(key_vault_error(), "/error/code"), &[("/error/code", MISSING)])]
    #[case::err_missing_message("KeyVaultError", without(key_vault_error(), "/error/message"), &[("/error/message", MISSING)])]
    #[case::err_error_string("KeyVaultError", json!({"error": "oops"}), &[("/error", TYPE)])]
    #[case::err_empty_body("KeyVaultError", json!({}), &[("/error", MISSING)])]
    #[case::err_escaped_name("KeyVaultError", json!({"error": {"code": "c", "message": "m", "a/b~": 1}}), &[("/error/a~1b~0", EXTRA)])]
    // CertificateBundle
    #[case::bundle_misspelled_key("CertificateBundle", renamed(bundle(), "/pending", "pendingOperation"), &[("/pendingOperation", EXTRA)])]
    #[case::bundle_attributes_misspelled("CertificateBundle", renamed(bundle(), "/attributes/recoverableDays", "recoverable_days"), &[("/attributes/recoverable_days", EXTRA)])]
    #[case::bundle_enabled_string("CertificateBundle", with(bundle(), "/attributes/enabled", json!("true")), &[("/attributes/enabled", TYPE)])]
    #[case::bundle_x5t_number("CertificateBundle", with(bundle(), "/x5t", json!(5)), &[("/x5t", TYPE)])]
    #[case::bundle_missing_id("CertificateBundle", without(bundle(), "/id"), &[("/id", MISSING)])]
    #[case::bundle_missing_attributes("CertificateBundle", without(bundle(), "/attributes"), &[("/attributes", MISSING)])]
    #[case::bundle_pending_without_id("CertificateBundle", renamed(bundle(), "/pending/id", "url"), &[("/pending/id", MISSING), ("/pending/url", EXTRA)])]
    #[case::bundle_validity_string("CertificateBundle", with(bundle(), "/policy/x509_props/validity_months", json!("12")), &[("/policy/x509_props/validity_months", TYPE)])]
    // DeletedCertificateBundle
    #[case::deleted_misspelled_key("DeletedCertificateBundle", renamed(deleted_bundle(), "/deletedDate", "deletedOn"), &[("/deletedOn", EXTRA)])]
    #[case::deleted_date_string("DeletedCertificateBundle", with(deleted_bundle(), "/deletedDate", json!("2022-04-29")), &[("/deletedDate", TYPE)])]
    #[case::deleted_purge_fraction("DeletedCertificateBundle", with(deleted_bundle(), "/scheduledPurgeDate", json!(1.5)), &[("/scheduledPurgeDate", TYPE)])]
    #[case::deleted_missing_attributes("DeletedCertificateBundle", without(deleted_bundle(), "/attributes"), &[("/attributes", MISSING)])]
    // IssuerBundle
    #[case::issuer_misspelled_key("IssuerBundle", renamed(issuer(), "/org_details", "orgDetails"), &[("/orgDetails", EXTRA)])]
    #[case::issuer_zip_string("IssuerBundle", with(issuer(), "/org_details/zip", json!("0")), &[("/org_details/zip", TYPE)])]
    #[case::issuer_account_number("IssuerBundle", with(issuer(), "/credentials/account_id", json!(1)), &[("/credentials/account_id", TYPE)])]
    #[case::issuer_missing_provider("IssuerBundle", without(issuer(), "/provider"), &[("/provider", MISSING)])]
    // CertificateListResult
    #[case::list_misspelled_key("CertificateListResult", renamed(certificate_list(), "/nextLink", "next_link"), &[("/next_link", EXTRA)])]
    #[case::list_value_object("CertificateListResult", with(certificate_list(), "/value", json!({})), &[("/value", TYPE)])]
    #[case::list_next_link_number("CertificateListResult", with(certificate_list(), "/nextLink", json!(5)), &[("/nextLink", TYPE)])]
    #[case::list_missing_value("CertificateListResult", without(certificate_list(), "/value"), &[("/value", MISSING)])]
    #[case::list_item_without_id("CertificateListResult", without(certificate_list(), "/value/0/id"), &[("/value/0/id", MISSING)])]
    // CertificateIssuerListResult
    #[case::issuers_misspelled_key("CertificateIssuerListResult", renamed(issuer_list(), "/value", "values"), &[("/value", MISSING), ("/values", EXTRA)])]
    #[case::issuers_provider_number("CertificateIssuerListResult", with(issuer_list(), "/value/0/provider", json!(1)), &[("/value/0/provider", TYPE)])]
    #[case::issuers_missing_value("CertificateIssuerListResult", without(issuer_list(), "/value"), &[("/value", MISSING)])]
    fn rejects_wrong_instances_naming_the_path(
        #[case] name: &str,
        #[case] instance: Value,
        #[case] expected: &[(&str, &str)],
    ) {
        let violations = violations_of(name, &instance);
        let found: Vec<(&str, &str)> = violations
            .iter()
            .map(|v| (v.instance_path.as_str(), v.message.as_str()))
            .collect();
        assert_eq!(found.len(), expected.len(), "{found:?}");
        for ((path, message), (want_path, want_message)) in found.iter().zip(expected) {
            assert_eq!(path, want_path, "{found:?}");
            assert!(message.contains(want_message), "{found:?}");
        }
    }

    #[test]
    fn violations_render_one_per_line_with_their_path() {
        let instance = with(
            renamed(operation(), "/request_id", "requestId"),
            "/status",
            json!(42),
        );
        let error = SET.validate("CertificateOperation", &instance).unwrap_err();
        assert_eq!(
            error.to_string(),
            "body does not match its schema (3 violation(s)):\n  \
             /requestId: additional property not allowed\n  \
             /request_id: required property is missing\n  \
             /status: 42 is not of type \"string\""
        );
        let whole = SET.validate("KeyVaultError", &json!([])).unwrap_err();
        assert_eq!(
            whole.to_string(),
            "body does not match its schema (1 violation(s)):\n  (root): [] is not of type \"object\""
        );
    }

    #[test]
    fn unknown_schema_is_an_error_of_its_own() {
        let error = SET.validate("CertificateBundel", &json!({})).unwrap_err();
        assert_eq!(
            error,
            SchemaCheckError::UnknownSchema("CertificateBundel".to_owned())
        );
        assert_eq!(error.to_string(), "unknown schema `CertificateBundel`");
    }

    #[rstest]
    #[case(200, None)]
    #[case(201, None)]
    #[case(202, None)]
    #[case(399, None)]
    #[case(400, Some("KeyVaultError"))]
    #[case(401, Some("KeyVaultError"))]
    #[case(403, Some("KeyVaultError"))]
    #[case(404, Some("KeyVaultError"))]
    #[case(409, Some("KeyVaultError"))]
    #[case(500, Some("KeyVaultError"))]
    fn error_statuses_imply_key_vault_error(#[case] status: u16, #[case] expected: Option<&str>) {
        assert_eq!(implied_schema(status), expected);
        if let Some(name) = expected {
            assert!(SET.names().any(|n| n == name));
        }
    }

    /// Every body in `tests/fixtures/real/` (recorded from the real service, see the README there)
    /// must match the schema named after `__` in its file name.
    #[test]
    fn accepts_every_real_body() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .expect("tests/fixtures/real is readable")
            .map(|entry| entry.expect("entry").path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
            .collect();
        files.sort();
        let mut failures = Vec::new();
        let mut covered = std::collections::BTreeSet::new();
        for path in &files {
            let file = path.file_name().unwrap_or_default().to_string_lossy();
            let Some((_, name)) = file.trim_end_matches(".json").rsplit_once("__") else {
                failures.push(format!("{file}: name lacks `__<Schema>`"));
                continue;
            };
            let text = std::fs::read_to_string(path).expect("fixture is readable");
            let body: Value = serde_json::from_str(&text).expect("fixture is JSON");
            match SET.validate(name, &body) {
                Ok(()) => {
                    covered.insert(name.to_owned());
                }
                Err(error) => failures.push(format!("{file}: {error}")),
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        let all: std::collections::BTreeSet<String> = SET.names().map(str::to_owned).collect();
        assert_eq!(covered, all, "every schema has at least one real body");
        assert!(files.len() >= 48, "only {} real bodies found", files.len());
    }
}
