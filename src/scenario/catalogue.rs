//! The rule catalogue (`scenarios/rules.yaml`): the stable ids of every documented behaviour,
//! so coverage can be checked both ways (every rule has a scenario; every scenario names
//! known rules).

use std::path::Path;

use serde::Deserialize;

use crate::diagnostic::{self, Diagnostic};

/// One documented behaviour.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: String,
    /// What the rule says, in one line.
    pub rule: String,
    /// Where it comes from (seed section, FACTS.md section).
    pub sources: Vec<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    pub rules: Vec<Rule>,
}

impl Catalogue {
    pub fn load(path: &Path) -> Result<Catalogue, Diagnostic> {
        diagnostic::read_yaml(path).map(|(catalogue, _)| catalogue)
    }

    /// Parses a catalogue's text; `path` is only for messages.
    pub fn parse(path: &Path, text: &str) -> Result<Catalogue, Diagnostic> {
        serde_saphyr::from_str(text).map_err(|e| Diagnostic::yaml(path, text, &e))
    }

    /// Adds the rules of `other` whose ids are not here yet (a suite run together with the
    /// built-in one may repeat its rules).
    pub fn extend(&mut self, other: Catalogue) {
        for rule in other.rules {
            if self.get(&rule.id).is_none() {
                self.rules.push(rule);
            }
        }
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }
}
