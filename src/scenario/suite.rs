//! A suite: the rule catalogue (`rules.yaml`) and every scenario of one directory, loaded
//! together. The main type is [`Suite`]; every command that reads scenarios starts here.

use std::path::Path;

use super::catalogue::Catalogue;
use super::load::{ScenarioSet, load_dir};
use crate::diagnostic::Diagnostic;

/// The catalogue and the scenarios of one directory (broken files included, as errors).
#[derive(Debug)]
pub struct Suite {
    pub catalogue: Catalogue,
    pub set: ScenarioSet,
}

impl Suite {
    /// Loads `dir/rules.yaml`, then every `dir/<area>/*.yaml`. A broken scenario file is kept
    /// in `set.broken`; only an unreadable directory or catalogue is an error.
    pub fn load(dir: &Path) -> Result<Suite, Diagnostic> {
        let catalogue = Catalogue::load(&dir.join("rules.yaml"))?;
        let set = load_dir(dir, &catalogue)?;
        Ok(Suite { catalogue, set })
    }

    /// The `area::id` of every scenario that checks `rule`.
    pub fn scenarios_for(&self, rule: &str) -> Vec<String> {
        self.set
            .scenarios
            .iter()
            .filter(|s| s.rules.iter().any(|r| r.value == rule))
            .map(|s| s.full_id())
            .collect()
    }

    /// Rules no scenario checks.
    pub fn uncovered_rules(&self) -> Vec<String> {
        self.catalogue
            .rules
            .iter()
            .filter(|r| self.scenarios_for(&r.id).is_empty())
            .map(|r| r.id.clone())
            .collect()
    }
}
