//! Normalising a response for a snapshot. Dynamic values become tokens *by reference*: the
//! same request id is `[request_id:1]` wherever it appears in a scenario, so identity across
//! steps is still checked. Certificates, CSRs and thumbprints become placeholders only after
//! their shape was checked; a malformed one stays visible.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use crate::crypto;
use crate::target::RecordedResponse;
use crate::template::{self, Vars};

/// Headers that carry the lifecycle contract (others vary per deployment).
const HEADERS: &[&str] = &["location", "retry-after", "www-authenticate"];
/// Body keys that hold Unix timestamps.
const TIMESTAMPS: &[&str] = &[
    "created",
    "updated",
    "nbf",
    "exp",
    "deletedDate",
    "scheduledPurgeDate",
];

/// Tokens handed out so far in one scenario.
#[derive(Debug, Default)]
pub struct Redactor {
    tokens: BTreeMap<String, String>,
    counters: BTreeMap<&'static str, usize>,
}

impl Redactor {
    fn token(&mut self, kind: &'static str, value: &str) -> String {
        if let Some(token) = self.tokens.get(value) {
            return token.clone();
        }
        let counter = self.counters.entry(kind).or_default();
        *counter += 1;
        let token = format!("[{kind}:{counter}]");
        self.tokens.insert(value.to_string(), token.clone());
        token
    }

    /// The text of a normalised response: status, contract headers, canonical JSON body.
    pub fn normalise(&mut self, response: &RecordedResponse, vars: &Vars) -> String {
        let names = Names::from(vars);
        let mut out = format!("status: {}\n", response.status);
        let headers: Vec<(&str, &str)> = HEADERS
            .iter()
            .filter_map(|h| response.header(h).map(|v| (*h, v)))
            .collect();
        if !headers.is_empty() {
            out.push_str("headers:\n");
            for (name, value) in headers {
                let value = self.text(value, &names, None);
                out.push_str(&format!("  {name}: {value}\n"));
            }
        }
        match &response.json {
            Some(body) => {
                let body = self.json(body, &names, None);
                let pretty = serde_json::to_string_pretty(&body).unwrap_or_default();
                out.push_str(&format!("body:\n{pretty}\n"));
            }
            None if response.body.is_empty() => {}
            None => out.push_str(&format!("body (not JSON):\n{}\n", response.body)),
        }
        out
    }

    fn json(&mut self, value: &Value, names: &Names, key: Option<&str>) -> Value {
        match value {
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), self.json(v, names, Some(k))))
                    .collect(),
            ),
            Value::Array(items) => {
                Value::Array(items.iter().map(|v| self.json(v, names, key)).collect())
            }
            Value::Number(_) if key.is_some_and(|k| TIMESTAMPS.contains(&k)) => {
                Value::String("[timestamp]".into())
            }
            Value::String(s) => Value::String(self.string_at(s, names, key)),
            other => other.clone(),
        }
    }

    fn string_at(&mut self, s: &str, names: &Names, key: Option<&str>) -> String {
        match key {
            Some("csr") => shape(crypto::parse_csr(s).map(|_| ()), "[csr]", s),
            Some("cer") => shape(crypto::certificate_spki(s).map(|_| ()), "[cer]", s),
            Some("x5t") if is_thumbprint(s) => "[x5t]".into(),
            Some("request_id") => self.text(s, names, Some("request_id")),
            _ => self.text(s, names, None),
        }
    }

    /// Replaces the vault URL, created names, api-version and 32-hex ids in free text.
    fn text(&mut self, s: &str, names: &Names, kind: Option<&'static str>) -> String {
        let mut out = s.to_string();
        if !names.vault.is_empty() {
            out = out.replace(&names.vault, "[vault]");
        }
        for (value, token) in &names.literal {
            out = out.replace(value.as_str(), token);
        }
        if let Some(version) = &names.api_version {
            out = out.replace(
                &format!("api-version={version}"),
                "api-version=[api_version]",
            );
        }
        let hex = hex32();
        let mut result = String::with_capacity(out.len());
        let mut last = 0;
        for m in hex.find_iter(&out) {
            result.push_str(&out[last..m.start()]);
            let before = &out[..m.start()];
            let kind = kind.unwrap_or(if before.ends_with("request_id=") {
                "request_id"
            } else {
                "version"
            });
            result.push_str(&self.token(kind, m.as_str()));
            last = m.end();
        }
        result.push_str(&out[last..]);
        guid().replace_all(&result, "[guid]").into_owned()
    }
}

fn shape(check: Result<(), crypto::CryptoError>, token: &str, original: &str) -> String {
    match check {
        Ok(()) => token.to_string(),
        Err(e) => format!("[malformed: {e}] {original}"),
    }
}

fn is_thumbprint(s: &str) -> bool {
    s.len() == 27
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn hex32() -> &'static Regex {
    static HEX32: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\b[0-9a-f]{32}\b").expect("static regex"));
    &HEX32
}

fn guid() -> &'static Regex {
    static GUID: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b",
        )
        .expect("static regex")
    });
    &GUID
}

/// The run-specific strings of a scenario, longest first so `cert` never eats `cert2`.
struct Names {
    vault: String,
    api_version: Option<String>,
    literal: Vec<(String, String)>,
}

impl From<&Vars> for Names {
    fn from(vars: &Vars) -> Names {
        let get = |k: &str| vars.get(k).map(template::as_text);
        let mut literal: Vec<(String, String)> = ["issuer", "cert2", "cert"]
            .iter()
            .filter_map(|k| get(k).map(|v| (v, format!("[{k}]"))))
            .collect();
        literal.sort_by_key(|(v, _)| std::cmp::Reverse(v.len()));
        Names {
            vault: get("vault").unwrap_or_default(),
            api_version: get("api_version"),
            literal,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn response(body: Value, headers: &[(&str, &str)]) -> RecordedResponse {
        RecordedResponse {
            status: 202,
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: body.to_string(),
            json: Some(body),
        }
    }

    fn vars() -> Vars {
        Vars::from([
            ("vault".into(), json!("http://127.0.0.1:9")),
            ("cert".into(), json!("kvc-1-a")),
            ("cert2".into(), json!("kvc-1-a-b")),
            ("api_version".into(), json!("7.6")),
        ])
    }

    #[test]
    fn equal_values_get_equal_tokens_across_steps() {
        let id = "0123456789abcdef0123456789abcdef";
        let mut redactor = Redactor::default();
        let first = response(
            json!({"request_id": id, "id": "http://127.0.0.1:9/certificates/kvc-1-a-b/pending", "created": 17}),
            &[(
                "location",
                &format!(
                    "http://127.0.0.1:9/certificates/kvc-1-a/pending?api-version=7.6&request_id={id}"
                ),
            )],
        );
        let text = redactor.normalise(&first, &vars());
        assert!(text.contains("location: [vault]/certificates/[cert]/pending?api-version=[api_version]&request_id=[request_id:1]"), "{text}");
        assert!(
            text.contains("\"id\": \"[vault]/certificates/[cert2]/pending\""),
            "{text}"
        );
        assert!(text.contains("\"created\": \"[timestamp]\""), "{text}");
        let second = response(json!({"request_id": id}), &[]);
        assert!(
            redactor
                .normalise(&second, &vars())
                .contains("[request_id:1]")
        );
        let other = response(
            json!({"request_id": "ffffffffffffffffffffffffffffffff"}),
            &[],
        );
        assert!(
            redactor
                .normalise(&other, &vars())
                .contains("[request_id:2]")
        );
    }

    #[test]
    fn malformed_crypto_values_stay_visible() {
        let mut redactor = Redactor::default();
        let text = redactor.normalise(&response(json!({"csr": "bm90IGEgY3Ny"}), &[]), &vars());
        assert!(text.contains("[malformed:"), "{text}");
    }
}
