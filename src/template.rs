//! `{{name}}` templates: scenario strings refer to variables (built-ins, `vars`, captures and
//! action results). One scanner serves validation (which names are used) and rendering.

use std::collections::BTreeMap;

use serde_json::Value;

/// Variables visible to a step: name → JSON value (strings for most, arrays for `x5c`).
pub type Vars = BTreeMap<String, Value>;

/// A template referred to a variable that is not defined.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("unknown variable `{{{{{0}}}}}`")]
pub struct UnknownVar(pub String);

/// The variable names a template string refers to, in order.
pub fn names(template: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        out.push(after[..end].trim());
        rest = &after[end + 2..];
    }
    out
}

/// Renders a string template; `escape` transforms each substituted value (regex escaping).
pub fn render_with(
    template: &str,
    vars: &Vars,
    escape: impl Fn(&str) -> String,
) -> Result<String, UnknownVar> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            return Ok(out);
        };
        let name = after[..end].trim();
        let value = vars.get(name).ok_or_else(|| UnknownVar(name.to_string()))?;
        out.push_str(&escape(&as_text(value)));
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Renders a string template with values inserted as they are.
pub fn render(template: &str, vars: &Vars) -> Result<String, UnknownVar> {
    render_with(template, vars, str::to_string)
}

/// Renders every string inside a JSON value. A string that is exactly one `{{var}}` becomes
/// the variable's JSON value, so arrays and objects can be inserted whole.
pub fn render_json(value: &Value, vars: &Vars) -> Result<Value, UnknownVar> {
    Ok(match value {
        Value::String(s) => match whole_var(s) {
            Some(name) => vars
                .get(name)
                .cloned()
                .ok_or_else(|| UnknownVar(name.to_string()))?,
            None => Value::String(render(s, vars)?),
        },
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| render_json(v, vars))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| Ok((render(k, vars)?, render_json(v, vars)?)))
                .collect::<Result<_, UnknownVar>>()?,
        ),
        other => other.clone(),
    })
}

/// Every variable name used anywhere inside a JSON value (keys included).
pub fn names_in_json(value: &Value) -> Vec<&str> {
    match value {
        Value::String(s) => names(s),
        Value::Array(items) => items.iter().flat_map(names_in_json).collect(),
        Value::Object(map) => map
            .iter()
            .flat_map(|(k, v)| names(k).into_iter().chain(names_in_json(v)))
            .collect(),
        _ => Vec::new(),
    }
}

fn whole_var(s: &str) -> Option<&str> {
    let inner = s.strip_prefix("{{")?.strip_suffix("}}")?;
    (!inner.contains("{{") && !inner.contains("}}")).then(|| inner.trim())
}

/// The text form of a variable: strings without quotes, anything else as JSON.
pub fn as_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn vars() -> Vars {
        Vars::from([
            ("cert".into(), json!("kvc-1-a")),
            ("x5c".into(), json!(["AA==", "BB=="])),
        ])
    }

    #[test]
    fn renders_strings_and_whole_values() {
        assert_eq!(
            render("/certificates/{{cert}}/pending", &vars()).unwrap(),
            "/certificates/kvc-1-a/pending"
        );
        let body = json!({"x5c": "{{x5c}}", "name": "{{ cert }}-x"});
        assert_eq!(
            render_json(&body, &vars()).unwrap(),
            json!({"x5c": ["AA==", "BB=="], "name": "kvc-1-a-x"})
        );
    }

    #[test]
    fn reports_unknown_variables() {
        assert_eq!(render("{{nope}}", &vars()), Err(UnknownVar("nope".into())));
        assert_eq!(names("a {{b}} c {{ d }}"), vec!["b", "d"]);
    }

    #[test]
    fn escapes_values_only() {
        let out = render_with("^{{cert}}.x$", &vars(), regex::escape).unwrap();
        assert_eq!(out, "^kvc\\-1\\-a.x$");
    }
}
