//! `Matcher`: how an expected value is written in a scenario. A plain scalar means "equals";
//! a one-key map names another matcher (`{regex: …}`, `{absent: true}` …). Written by hand
//! rather than `#[serde(untagged)]` so a typo gets a message that names the valid keys.

use std::borrow::Cow;

use schemars::{JsonSchema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, de::Error as _};
use serde_json::Value;

/// One expectation on a JSON value or a header. Strings inside are templates (`{{var}}`).
#[derive(Clone, Debug, PartialEq)]
pub enum Matcher {
    /// Equal to this JSON value (numbers compare by value).
    Eq(Value),
    /// Equal ignoring ASCII case (strings only).
    Ieq(String),
    /// Matches this regular expression (strings only; variables inside are regex-escaped).
    Regex(String),
    /// Equal to one of these values.
    OneOf(Vec<Value>),
    /// Contains this substring (strings only).
    Contains(String),
    /// The value must be missing (`true`) or present (`false`).
    Absent(bool),
    /// The value must be present, whatever it is.
    Present,
    /// The value has this JSON type.
    Type(JsonType),
    /// Anything except this value (a missing value qualifies).
    Not(Value),
    /// An array holding at least one element that contains this value: objects by subset
    /// (keys not named are not checked), everything else by equality. Lists whose order and
    /// neighbours are not ours (`GET /certificates`) are checked this way.
    HasItem(Value),
    /// An array none of whose elements contains this value (same containment as `has_item`).
    NoItem(Value),
}

/// A JSON type name, as in JSON Schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum JsonType {
    String,
    Number,
    Integer,
    Boolean,
    Object,
    Array,
    Null,
}

impl JsonType {
    pub fn holds(self, value: &Value) -> bool {
        match self {
            JsonType::String => value.is_string(),
            JsonType::Number => value.is_number(),
            JsonType::Integer => value.is_i64() || value.is_u64(),
            JsonType::Boolean => value.is_boolean(),
            JsonType::Object => value.is_object(),
            JsonType::Array => value.is_array(),
            JsonType::Null => value.is_null(),
        }
    }
}

const KEYS: &str =
    "eq, ieq, regex, one_of, contains, absent, present, type, not, has_item, no_item";

/// Why a value is not a matcher; shown by serde with the position of the value.
#[derive(Debug, thiserror::Error)]
pub enum MatcherError {
    #[error(
        "a matcher is a scalar or a map with exactly one of: {KEYS} \
         (write `{{eq: {{…}}}}` to compare a whole object)"
    )]
    NotOneKey,
    #[error("`{key}` takes a string, got {got}")]
    NotAString { key: String, got: Value },
    #[error("`{key}` takes true or false, got {got}")]
    NotABool { key: String, got: Value },
    #[error("invalid regex: {0}")]
    Regex(#[from] regex::Error),
    #[error("`one_of` takes a non-empty list, got {0}")]
    EmptyOneOf(Value),
    #[error(
        "unknown type {0}; expected one of string, number, integer, boolean, object, array, null"
    )]
    UnknownType(Value),
    #[error("unknown matcher `{0}`; expected one of: {KEYS}")]
    Unknown(String),
}

impl<'de> Deserialize<'de> for Matcher {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Value::deserialize(deserializer)?;
        Matcher::from_value(raw).map_err(D::Error::custom)
    }
}

impl Matcher {
    /// Reads the scenario form of a matcher from a plain JSON value.
    pub fn from_value(raw: Value) -> Result<Matcher, MatcherError> {
        let map = match raw {
            Value::Object(map) => map,
            Value::Array(_) => return Ok(Matcher::Eq(raw)),
            scalar => return Ok(Matcher::Eq(scalar)),
        };
        let mut entries = map.into_iter();
        let (Some((key, arg)), None) = (entries.next(), entries.next()) else {
            return Err(MatcherError::NotOneKey);
        };
        let want_string = |arg: Value| match arg {
            Value::String(s) => Ok(s),
            got => Err(MatcherError::NotAString {
                key: key.clone(),
                got,
            }),
        };
        let want_bool = |arg: &Value| {
            arg.as_bool().ok_or_else(|| MatcherError::NotABool {
                key: key.clone(),
                got: arg.clone(),
            })
        };
        Ok(match key.as_str() {
            "eq" => Matcher::Eq(arg),
            "not" => Matcher::Not(arg),
            "has_item" => Matcher::HasItem(arg),
            "no_item" => Matcher::NoItem(arg),
            "ieq" => Matcher::Ieq(want_string(arg)?),
            "regex" => {
                let pattern = want_string(arg)?;
                // Variables are inserted escaped at run time: any literal stands in for them.
                regex::Regex::new(&strip_vars(&pattern))?;
                Matcher::Regex(pattern)
            }
            "contains" => Matcher::Contains(want_string(arg)?),
            "one_of" => match arg {
                Value::Array(items) if !items.is_empty() => Matcher::OneOf(items),
                other => return Err(MatcherError::EmptyOneOf(other)),
            },
            "absent" => Matcher::Absent(want_bool(&arg)?),
            "present" => {
                if want_bool(&arg)? {
                    Matcher::Present
                } else {
                    Matcher::Absent(true)
                }
            }
            "type" => Matcher::Type(
                serde_json::from_value(arg.clone()).map_err(|_| MatcherError::UnknownType(arg))?,
            ),
            other => return Err(MatcherError::Unknown(other.to_string())),
        })
    }

    /// A short human form of the expectation, used in failure messages and tables.
    pub fn describe(&self) -> String {
        match self {
            Matcher::Eq(v) => v.to_string(),
            Matcher::Ieq(s) => format!("{s:?} (any case)"),
            Matcher::Regex(r) => format!("/{r}/"),
            Matcher::OneOf(vs) => {
                let items: Vec<String> = vs.iter().map(Value::to_string).collect();
                format!("one of [{}]", items.join(", "))
            }
            Matcher::Contains(s) => format!("containing {s:?}"),
            Matcher::Absent(true) => "absent".into(),
            Matcher::Absent(false) | Matcher::Present => "present".into(),
            Matcher::Type(t) => format!("any {t:?}").to_lowercase(),
            Matcher::Not(v) => format!("not {v}"),
            Matcher::HasItem(v) => format!("a list with an item containing {v}"),
            Matcher::NoItem(v) => format!("a list with no item containing {v}"),
        }
    }
}

/// The pattern with each `{{var}}` replaced by a plain literal, for validation.
fn strip_vars(pattern: &str) -> String {
    let mut out = pattern.to_string();
    for name in crate::template::names(pattern) {
        out = out.replace(&format!("{{{{{name}}}}}"), "v");
    }
    out
}

impl JsonSchema for Matcher {
    fn schema_name() -> Cow<'static, str> {
        "Matcher".into()
    }

    fn json_schema(_generator: &mut SchemaGenerator) -> schemars::Schema {
        let one = |key: &str, schema: Value| {
            serde_json::json!({
                "type": "object",
                "properties": { key: schema },
                "required": [key],
                "additionalProperties": false
            })
        };
        let types = serde_json::json!({
            "enum": ["string", "number", "integer", "boolean", "object", "array", "null"]
        });
        json_schema!({
            "description": "A plain scalar or list means equality; otherwise exactly one of the named matchers.",
            "anyOf": [
                { "type": ["string", "number", "boolean", "null", "array"] },
                one("eq", serde_json::json!({})),
                one("not", serde_json::json!({})),
                one("has_item", serde_json::json!({})),
                one("no_item", serde_json::json!({})),
                one("ieq", serde_json::json!({ "type": "string" })),
                one("regex", serde_json::json!({ "type": "string" })),
                one("contains", serde_json::json!({ "type": "string" })),
                one("one_of", serde_json::json!({ "type": "array", "minItems": 1 })),
                one("absent", serde_json::json!({ "type": "boolean" })),
                one("present", serde_json::json!({ "type": "boolean" })),
                one("type", types),
            ]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;
    use serde_json::json;

    #[rstest]
    #[case(json!("inProgress"), Matcher::Eq(json!("inProgress")))]
    #[case(json!(202), Matcher::Eq(json!(202)))]
    #[case(json!({"absent": true}), Matcher::Absent(true))]
    #[case(json!({"present": true}), Matcher::Present)]
    #[case(json!({"regex": "^[0-9a-f]{32}$"}), Matcher::Regex("^[0-9a-f]{32}$".into()))]
    #[case(json!({"one_of": ["a", "b"]}), Matcher::OneOf(vec![json!("a"), json!("b")]))]
    #[case(json!({"type": "boolean"}), Matcher::Type(JsonType::Boolean))]
    #[case(json!({"eq": {"name": "Self"}}), Matcher::Eq(json!({"name": "Self"})))]
    #[case(json!({"has_item": {"id": "x"}}), Matcher::HasItem(json!({"id": "x"})))]
    #[case(json!({"no_item": {"id": "x"}}), Matcher::NoItem(json!({"id": "x"})))]
    fn reads_every_form(#[case] raw: Value, #[case] expected: Matcher) {
        assert_eq!(Matcher::from_value(raw).unwrap(), expected);
    }

    #[rstest]
    #[case(json!({"regexp": "x"}), "unknown matcher `regexp`")]
    #[case(json!({"regex": "("}), "invalid regex")]
    #[case(json!({"absent": "yes"}), "takes true or false")]
    #[case(json!({"one_of": []}), "non-empty list")]
    #[case(json!({"eq": 1, "ieq": "a"}), "exactly one of")]
    #[case(json!({"type": "text"}), "unknown type")]
    fn rejects_with_a_plain_message(#[case] raw: Value, #[case] message: &str) {
        let err = Matcher::from_value(raw).unwrap_err().to_string();
        assert!(err.contains(message), "{err}");
    }
}
