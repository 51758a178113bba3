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

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }
}
