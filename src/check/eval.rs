//! Evaluating a `Matcher` against an actual value. Expected values are templates rendered
//! with the step's variables first (regex values escaped).

use serde_json::Value;

use super::CheckFailure;
use crate::scenario::{At, Matcher};
use crate::template::{self, UnknownVar, Vars};

/// Renders the templates inside a matcher.
pub fn render_matcher(matcher: &Matcher, vars: &Vars) -> Result<Matcher, UnknownVar> {
    Ok(match matcher {
        Matcher::Eq(v) => Matcher::Eq(template::render_json(v, vars)?),
        Matcher::Not(v) => Matcher::Not(template::render_json(v, vars)?),
        Matcher::HasItem(v) => Matcher::HasItem(template::render_json(v, vars)?),
        Matcher::NoItem(v) => Matcher::NoItem(template::render_json(v, vars)?),
        Matcher::OneOf(vs) => Matcher::OneOf(
            vs.iter()
                .map(|v| template::render_json(v, vars))
                .collect::<Result<_, _>>()?,
        ),
        Matcher::Ieq(s) => Matcher::Ieq(template::render(s, vars)?),
        Matcher::Contains(s) => Matcher::Contains(template::render(s, vars)?),
        Matcher::Regex(r) => Matcher::Regex(template::render_with(r, vars, regex::escape)?),
        other => other.clone(),
    })
}

/// Whether an actual value (None = missing) satisfies an already rendered matcher.
pub fn matches_rendered(matcher: &Matcher, actual: Option<&Value>) -> bool {
    match (matcher, actual) {
        (Matcher::Absent(want_absent), actual) => actual.is_none() == *want_absent,
        // A missing value is not the unwanted one.
        (Matcher::Not(_), None) => true,
        (_, None) => false,
        (Matcher::Present, Some(_)) => true,
        (Matcher::Eq(expected), Some(actual)) => same(expected, actual),
        (Matcher::Not(unwanted), Some(actual)) => !same(unwanted, actual),
        (Matcher::OneOf(options), Some(actual)) => options.iter().any(|o| same(o, actual)),
        (Matcher::Ieq(expected), Some(Value::String(s))) => s.eq_ignore_ascii_case(expected),
        (Matcher::Contains(part), Some(Value::String(s))) => s.contains(part.as_str()),
        (Matcher::Regex(pattern), Some(Value::String(s))) => {
            regex::Regex::new(pattern).is_ok_and(|re| re.is_match(s))
        }
        (Matcher::Type(ty), Some(actual)) => ty.holds(actual),
        (Matcher::HasItem(wanted), Some(Value::Array(items))) => {
            items.iter().any(|item| contains(item, wanted))
        }
        (Matcher::NoItem(unwanted), Some(Value::Array(items))) => {
            !items.iter().any(|item| contains(item, unwanted))
        }
        _ => false,
    }
}

/// Whether `actual` holds `wanted`: every key of a wanted object is in the actual object
/// with a value that holds the wanted one; anything else compares as `same`.
fn contains(actual: &Value, wanted: &Value) -> bool {
    match (wanted, actual) {
        (Value::Object(w), Value::Object(a)) => w
            .iter()
            .all(|(k, wv)| a.get(k).is_some_and(|av| contains(av, wv))),
        _ => same(wanted, actual),
    }
}

/// Renders then evaluates; an unknown variable counts as a mismatch that says so.
pub fn matches(matcher: &Matcher, actual: Option<&Value>, vars: &Vars) -> bool {
    render_matcher(matcher, vars).is_ok_and(|m| matches_rendered(&m, actual))
}

/// Numbers compare by value (`10` equals `10.0`); header strings equal numbers written
/// bare in YAML (`retry-after: 10`).
fn same(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (Value::Number(n), Value::String(s)) | (Value::String(s), Value::Number(n)) => {
            s.trim().parse::<f64>().ok() == n.as_f64()
        }
        _ => expected == actual,
    }
}

pub(crate) fn check_one(
    what: &str,
    matcher: &At<Matcher>,
    actual: Option<&Value>,
    vars: &Vars,
) -> Result<(), CheckFailure> {
    let fail = |expected: String| CheckFailure {
        pos: matcher.pos,
        what: what.to_string(),
        expected,
        actual: actual.map_or_else(|| "nothing (absent)".into(), describe),
    };
    let rendered = render_matcher(matcher, vars).map_err(|e| fail(e.to_string()))?;
    if matches_rendered(&rendered, actual) {
        Ok(())
    } else {
        Err(fail(rendered.describe()))
    }
}

fn describe(value: &Value) -> String {
    let text = value.to_string();
    if text.len() > 300 {
        format!(
            "{}… ({} chars)",
            &text[..text.floor_char_boundary(300)],
            text.len()
        )
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;
    use serde_json::json;

    #[rstest]
    #[case(json!({"eq": 10}), Some(json!("10")), true)]
    #[case(json!("inProgress"), Some(json!("InProgress")), false)]
    #[case(json!({"ieq": "inprogress"}), Some(json!("InProgress")), true)]
    #[case(json!({"absent": true}), None, true)]
    #[case(json!({"absent": true}), Some(json!(null)), false)]
    #[case(json!({"present": true}), None, false)]
    #[case(json!({"one_of": ["a", "b"]}), Some(json!("b")), true)]
    #[case(json!({"regex": "^[0-9a-f]{32}$"}), Some(json!("4f5e-")), false)]
    #[case(json!({"type": "boolean"}), Some(json!(false)), true)]
    #[case(json!({"not": "x"}), Some(json!("y")), true)]
    #[case(json!({"not": ""}), None, true)]
    #[case(json!({"not": ""}), Some(json!("")), false)]
    #[case(json!({"contains": "Perform Merge"}), Some(json!("Please Perform Merge now")), true)]
    #[case(json!({"has_item": {"id": "a", "attributes": {"enabled": false}}}), Some(json!([{"id": "b"}, {"id": "a", "subject": "", "attributes": {"enabled": false, "created": 1}}])), true)]
    #[case(json!({"has_item": {"id": "a", "attributes": {"enabled": false}}}), Some(json!([{"id": "a", "attributes": {"enabled": true}}])), false)]
    #[case(json!({"has_item": {"id": "a"}}), Some(json!({"id": "a"})), false)]
    #[case(json!({"no_item": {"id": "a"}}), Some(json!([{"id": "b"}])), true)]
    #[case(json!({"no_item": {"id": "a"}}), Some(json!([{"id": "a", "x": 1}])), false)]
    #[case(json!({"no_item": {"id": "a"}}), None, false)]
    fn evaluates(#[case] matcher: Value, #[case] actual: Option<Value>, #[case] ok: bool) {
        let matcher = Matcher::from_value(matcher).unwrap();
        assert_eq!(matches(&matcher, actual.as_ref(), &Vars::new()), ok);
    }

    #[test]
    fn regex_escapes_variable_values() {
        let vars = Vars::from([("vault".to_string(), json!("http://127.0.0.1:80"))]);
        let m = Matcher::Regex("^{{vault}}/x$".into());
        assert!(matches(&m, Some(&json!("http://127.0.0.1:80/x")), &vars));
        assert!(!matches(&m, Some(&json!("http://127a0a0a1:80/x")), &vars));
    }
}
