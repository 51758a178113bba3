//! The api-versions kvconform knows, and `--api-version LIST|all`.
//!
//! 7.0–7.6 and 2025-07-01 are the versions of the service's published spec and of the
//! recordings (FACTS.md sources); 2026-04-01 is the Python SDK 4.12's default (issue 12),
//! accepted by the reference vault and never recorded on the real service.

/// Every version `--api-version all` runs, oldest first.
pub const KNOWN: [&str; 9] = [
    "7.0",
    "7.1",
    "7.2",
    "7.3",
    "7.4",
    "7.5",
    "7.6",
    "2025-07-01",
    "2026-04-01",
];

/// `--api-version` with an empty element (`7.6,,7.5`); holds the flag as given.
#[derive(Debug, thiserror::Error)]
#[error("--api-version {0:?}: an empty version in the list")]
pub struct EmptyVersion(String);

/// `--api-version`: one version, a comma-separated list, or `all` ([`KNOWN`]). Versions
/// outside [`KNOWN`] are kept (a target may speak a newer one); duplicates are dropped.
pub fn parse_list(text: &str) -> Result<Vec<String>, EmptyVersion> {
    let mut versions: Vec<String> = Vec::new();
    for part in text.split(',').map(str::trim) {
        if part.is_empty() {
            return Err(EmptyVersion(text.to_string()));
        }
        let expanded: Vec<String> = match part {
            "all" => KNOWN.iter().map(|v| (*v).to_string()).collect(),
            v => vec![v.to_string()],
        };
        for v in expanded {
            if !versions.contains(&v) {
                versions.push(v);
            }
        }
    }
    Ok(versions)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_version_a_list_or_all() {
        assert_eq!(parse_list("7.6").unwrap(), ["7.6"]);
        assert_eq!(
            parse_list("7.5, 2025-07-01").unwrap(),
            ["7.5", "2025-07-01"]
        );
        assert_eq!(parse_list("all").unwrap(), KNOWN);
        assert_eq!(parse_list("7.6,all").unwrap().len(), KNOWN.len());
        assert_eq!(parse_list("7.6,all").unwrap()[0], "7.6");
        assert!(parse_list("7.6,,7.5").is_err());
        assert!(parse_list("").is_err());
    }
}
