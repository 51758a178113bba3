//! The rule catalogue (`scenarios/rules.yaml`): the stable ids of every documented behaviour,
//! so coverage can be checked both ways (every rule has a scenario; every scenario names
//! known rules).

use std::path::Path;

use serde::Deserialize;

use super::load::LoadError;

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
    pub fn load(path: &Path) -> Result<Catalogue, LoadError> {
        let text = std::fs::read_to_string(path).map_err(|e| LoadError::io(path, &e))?;
        serde_saphyr::from_str(&text).map_err(|e| LoadError::yaml(path, &e))
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }
}
