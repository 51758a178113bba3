//! Validating a create/import policy and filling in the defaults the service returns.

use super::errors::KvError;
use super::keys::{Curve, KeySpec};
use super::model::{
    Action, BasicConstraints, IssuerOut, KeyPropsOut, LifetimeAction, PolicyAttributes, PolicyIn,
    PolicyOut, SecretProps, Trigger, X509PropsOut,
};

/// The reserved issuer name of a manual (merge) request.
pub(crate) const UNKNOWN: &str = "Unknown";
/// The reserved issuer name of a self-signed request.
pub(crate) const SELF: &str = "Self";

/// A validated policy: the key to make and the body the service echoes (its `id` is filled
/// in when rendered, since it depends on the request's host).
#[derive(Debug, Clone)]
pub(crate) struct Policy {
    pub(crate) key: KeySpec,
    pub(crate) body: PolicyOut,
}

impl Policy {
    pub(crate) fn issuer_name(&self) -> &str {
        &self.body.issuer.name
    }

    pub(crate) fn render(&self, policy_id: String) -> PolicyOut {
        PolicyOut {
            id: policy_id,
            ..self.body.clone()
        }
    }
}

/// The S10 message for a subject the service cannot read (with its trailing CRLF).
pub(crate) fn invalid_subject() -> KvError {
    KvError::bad_parameter(
        "Property policy.x509_props has invalid value. Invalid X.500 distinguished name\r\n",
    )
}

/// Validates a policy and fills the defaults (S5: the merge bundle's policy).
pub(crate) fn normalize(input: &PolicyIn, now: i64) -> Result<Policy, KvError> {
    let (key, key_props) = key_props(input)?;
    let issuer_name = input
        .issuer
        .as_ref()
        .and_then(|i| i.name.clone())
        .unwrap_or_else(|| UNKNOWN.to_owned());
    let body = PolicyOut {
        id: String::new(),
        key_props,
        secret_props: SecretProps {
            content_type: input
                .secret_props
                .as_ref()
                .and_then(|s| s.content_type.clone())
                .unwrap_or_else(|| "application/x-pkcs12".into()),
        },
        x509_props: x509_props(input, key)?,
        lifetime_actions: lifetime_actions(input, &issuer_name),
        issuer: IssuerOut {
            cty: input.issuer.as_ref().and_then(|i| i.cty.clone()),
            cert_transparency: input
                .issuer
                .as_ref()
                .and_then(|i| i.cert_transparency)
                .unwrap_or(false),
            name: issuer_name,
        },
        attributes: PolicyAttributes {
            enabled: input
                .attributes
                .as_ref()
                .and_then(|a| a.enabled)
                .unwrap_or(true),
            created: now,
            updated: now,
        },
    };
    Ok(Policy { key, body })
}

fn key_props(input: &PolicyIn) -> Result<(KeySpec, KeyPropsOut), KvError> {
    let props = input.key_props.clone().unwrap_or_default();
    let kty = props.kty.clone().unwrap_or_else(|| "RSA".into());
    let spec = match kty.as_str() {
        "RSA" | "RSA-HSM" => rsa_spec(props.key_size)?,
        "EC" | "EC-HSM" => KeySpec::Ec(curve(props.crv.as_deref(), props.key_size)?),
        other => {
            return Err(KvError::bad_parameter(format!(
                "Property policy.key_props.kty has invalid value {other}."
            )));
        }
    };
    let (key_size, crv) = match spec {
        KeySpec::Rsa(bits) => (bits, None),
        KeySpec::Ec(c) => (c.bits(), Some(c.name().to_owned())),
    };
    let out = KeyPropsOut {
        exportable: props.exportable.unwrap_or(true),
        kty,
        key_size,
        reuse_key: props.reuse_key.unwrap_or(false),
        crv,
    };
    Ok((spec, out))
}

fn rsa_spec(size: Option<u32>) -> Result<KeySpec, KvError> {
    match size.unwrap_or(2048) {
        bits @ (2048 | 3072 | 4096) => Ok(KeySpec::Rsa(bits)),
        bits => Err(KvError::bad_parameter(format!(
            "Property policy.key_props.key_size has invalid value {bits}. Supported RSA key sizes are 2048, 3072 and 4096."
        ))),
    }
}

fn curve(crv: Option<&str>, size: Option<u32>) -> Result<Curve, KvError> {
    match (crv, size) {
        (Some("P-256"), _) | (None, None | Some(256)) => Ok(Curve::P256),
        (Some("P-384"), _) | (None, Some(384)) => Ok(Curve::P384),
        (Some("P-521"), _) | (None, Some(521)) => Ok(Curve::P521),
        (Some(other), _) => Err(KvError::bad_parameter(format!(
            "Property policy.key_props.crv has invalid value {other}."
        ))),
        (None, Some(bits)) => Err(KvError::bad_parameter(format!(
            "Property policy.key_props.key_size has invalid value {bits}."
        ))),
    }
}

fn x509_props(input: &PolicyIn, key: KeySpec) -> Result<X509PropsOut, KvError> {
    let props = input.x509_props.clone().unwrap_or_default();
    let subject = props.subject.clone().unwrap_or_default();
    let has_sans = props.sans.as_ref().is_some_and(|s| {
        [&s.dns_names, &s.emails, &s.upns]
            .iter()
            .any(|l| l.as_ref().is_some_and(|v| !v.is_empty()))
    });
    if subject.trim().is_empty() && !has_sans {
        return Err(KvError::bad_parameter(
            "Property policy.x509_props has invalid value. Either subject or subject alternative names must be specified.",
        ));
    }
    super::dn::parse(&subject).map_err(|_| invalid_subject())?;
    let validity_months = props.validity_months.unwrap_or(12);
    if validity_months == 0 {
        return Err(KvError::bad_parameter(
            "Property policy.x509_props.validity_months has invalid value 0.",
        ));
    }
    let default_usage: &[&str] = match key {
        KeySpec::Rsa(_) => &["digitalSignature", "keyEncipherment"],
        KeySpec::Ec(_) => &["digitalSignature"],
    };
    Ok(X509PropsOut {
        subject,
        sans: props.sans,
        ekus: props
            .ekus
            .unwrap_or_else(|| vec!["1.3.6.1.5.5.7.3.1".into(), "1.3.6.1.5.5.7.3.2".into()]),
        key_usage: props
            .key_usage
            .unwrap_or_else(|| default_usage.iter().map(|s| (*s).to_owned()).collect()),
        validity_months,
        basic_constraints: BasicConstraints { ca: false },
    })
}

/// S5 shows EmailContacts for a manual issuer; self-signed and provider policies default to
/// AutoRenew (INF: what the portal shows for a default Self policy).
fn lifetime_actions(input: &PolicyIn, issuer: &str) -> Vec<LifetimeAction> {
    if let Some(actions) = &input.lifetime_actions {
        return actions.clone();
    }
    let action = if issuer.eq_ignore_ascii_case(UNKNOWN) {
        "EmailContacts"
    } else {
        "AutoRenew"
    };
    vec![LifetimeAction {
        trigger: Trigger {
            lifetime_percentage: Some(80),
            days_before_expiry: None,
        },
        action: Action {
            action_type: action.to_owned(),
        },
    }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn policy(v: serde_json::Value) -> Result<Policy, KvError> {
        let input: PolicyIn = serde_json::from_value(v).expect("policy json");
        normalize(&input, 100)
    }

    #[test]
    fn defaults_match_the_recorded_merge_bundle() {
        let p = policy(json!({"x509_props": {"subject": "CN=MyCert", "sans": {}},
                              "issuer": {"name": "Unknown", "cert_transparency": false}}))
        .expect("valid");
        let body = serde_json::to_value(p.render("ID".into())).expect("json");
        assert_eq!(
            body,
            json!({"id": "ID",
                "key_props": {"exportable": true, "kty": "RSA", "key_size": 2048, "reuse_key": false},
                "secret_props": {"contentType": "application/x-pkcs12"},
                "x509_props": {"subject": "CN=MyCert", "sans": {},
                    "ekus": ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"],
                    "key_usage": ["digitalSignature", "keyEncipherment"], "validity_months": 12,
                    "basic_constraints": {"ca": false}},
                "lifetime_actions": [{"trigger": {"lifetime_percentage": 80},
                                      "action": {"action_type": "EmailContacts"}}],
                "issuer": {"name": "Unknown", "cert_transparency": false},
                "attributes": {"enabled": true, "created": 100, "updated": 100}})
        );
        assert_eq!(p.key, KeySpec::Rsa(2048));
    }

    /// The JS SDK's create body: empty `key_props`, `secret_props`, `sans` and `attributes`.
    /// The real service answers 202 and reports the default content type (S5, S8).
    #[test]
    fn empty_objects_as_the_js_sdk_sends_them_take_the_defaults() {
        let p = policy(json!({"key_props": {}, "secret_props": {},
                              "x509_props": {"subject": "CN=MyCert", "sans": {}},
                              "issuer": {"name": "Self"}, "attributes": {}}))
        .expect("valid");
        assert_eq!(p.body.secret_props.content_type, "application/x-pkcs12");
        assert_eq!(p.key, KeySpec::Rsa(2048));
        let pem = policy(
            json!({"secret_props": {"contentType": "application/x-pem-file"},
                                "x509_props": {"subject": "CN=a"}}),
        )
        .expect("valid");
        assert_eq!(pem.body.secret_props.content_type, "application/x-pem-file");
    }

    #[test]
    fn ec_and_bad_inputs() {
        let p = policy(json!({"key_props": {"kty": "EC", "crv": "P-384"},
                              "x509_props": {"subject": "CN=e"}}))
        .expect("valid");
        assert_eq!(p.key, KeySpec::Ec(Curve::P384));
        assert_eq!(p.body.key_props.crv.as_deref(), Some("P-384"));
        for bad in [
            json!({"x509_props": {"subject": "XX=1"}}),
            json!({"x509_props": {}}),
            json!({"key_props": {"kty": "RSA", "key_size": 1024}, "x509_props": {"subject": "CN=a"}}),
            json!({"key_props": {"kty": "oct"}, "x509_props": {"subject": "CN=a"}}),
        ] {
            assert_eq!(
                policy(bad).map(|_| ()).map_err(|e| e.code),
                Err("BadParameter".into())
            );
        }
    }
}
