//! A suite: the rule catalogue (`rules.yaml`) and its scenarios, loaded together. The main
//! type is [`Suite`]; every command that reads scenarios starts here. The suite comes from the
//! binary itself (the built-in one), from a directory of the user's ([`SuiteSpec`]), or both.

use std::path::{Path, PathBuf};

use super::catalogue::Catalogue;
use super::load::{ScenarioSet, SourceFile, is_scenario_file, load_dir, load_files};
use crate::builtin::Tree;
use crate::diagnostic::{Diagnostic, Kind, Location};

/// Which scenarios a command works on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SuiteSpec {
    /// The suite built into the binary (the default).
    Builtin,
    /// A user's suite directory (`--scenarios DIR`), alone.
    Dir(PathBuf),
    /// A user's suite directory added to the built-in suite (`--with-builtin`).
    BuiltinAnd(PathBuf),
}

impl SuiteSpec {
    /// The user's scenario folder, when there is one (see [`scenario_folder`]).
    pub fn user_folder(&self) -> Option<PathBuf> {
        match self {
            SuiteSpec::Builtin => None,
            SuiteSpec::Dir(dir) | SuiteSpec::BuiltinAnd(dir) => Some(scenario_folder(dir)),
        }
    }
}

/// The catalogue and the scenarios of a suite (broken files included, as errors).
#[derive(Debug)]
pub struct Suite {
    pub catalogue: Catalogue,
    pub set: ScenarioSet,
}

/// `DIR` itself when it holds `rules.yaml` (the layout of the project's `scenarios/`), else
/// `DIR/scenarios` when that does (what `kvconform init DIR` writes).
pub fn scenario_folder(dir: &Path) -> PathBuf {
    let nested = dir.join("scenarios");
    match !dir.join("rules.yaml").is_file() && nested.join("rules.yaml").is_file() {
        true => nested,
        false => dir.to_path_buf(),
    }
}

/// Where a user's suite keeps its snapshots: `snapshots/` beside its scenario folder, as in
/// the project.
pub fn snapshot_folder(dir: &Path) -> PathBuf {
    let folder = scenario_folder(dir);
    folder
        .parent()
        .map_or_else(|| PathBuf::from("snapshots"), |p| p.join("snapshots"))
}

impl Suite {
    pub fn from_spec(spec: &SuiteSpec) -> Result<Suite, Diagnostic> {
        match spec {
            SuiteSpec::Builtin => Suite::builtin(),
            SuiteSpec::Dir(dir) => Suite::load(dir),
            SuiteSpec::BuiltinAnd(dir) => Ok(Suite::builtin()?.merge(Suite::load(dir)?)),
        }
    }

    /// The suite built into the binary; its files are named `scenarios/<area>/<file>`.
    pub fn builtin() -> Result<Suite, Diagnostic> {
        let rules = Path::new("rules.yaml");
        let text = Tree::Scenarios.text(rules).unwrap_or_default();
        let catalogue = Catalogue::parse(&Tree::Scenarios.label(rules), text)?;
        let files = Tree::Scenarios
            .files()
            .into_iter()
            // `<area>/<file>.yaml`, one level down, as from a directory.
            .filter(|(path, _)| path.components().count() == 2 && is_scenario_file(path))
            .map(|(path, bytes)| builtin_file(path, bytes))
            .collect();
        let set = load_files(files, &catalogue);
        Ok(Suite { catalogue, set })
    }

    /// A suite directory (see [`scenario_folder`]): `rules.yaml`, then every
    /// `<area>/*.yaml`. A broken scenario file is kept in `set.broken`; only an unreadable
    /// directory or catalogue is an error.
    pub fn load(dir: &Path) -> Result<Suite, Diagnostic> {
        let dir = scenario_folder(dir);
        let catalogue = Catalogue::load(&dir.join("rules.yaml"))?;
        let set = load_dir(&dir, &catalogue)?;
        Ok(Suite { catalogue, set })
    }

    /// This suite with `other`'s rules and scenarios added; a repeated `area::id` is broken.
    fn merge(mut self, other: Suite) -> Suite {
        self.catalogue.extend(other.catalogue);
        let mut seen: std::collections::BTreeSet<String> =
            self.set.scenarios.iter().map(|s| s.full_id()).collect();
        for scenario in other.set.scenarios {
            let name = scenario.full_id();
            if seen.insert(name.clone()) {
                self.set.scenarios.push(scenario);
                continue;
            }
            let message = format!("duplicate id `{name}` (the built-in suite has it too)");
            let at = scenario.location(scenario.id.pos);
            let err = Diagnostic::new(Kind::Invalid, at, message);
            self.set.broken.push((format!("{name}#duplicate"), err));
        }
        self.set.broken.extend(other.set.broken);
        self.set.scenarios.sort_by_key(|s| s.full_id());
        self
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

fn builtin_file(path: &Path, bytes: &[u8]) -> SourceFile {
    let file = Tree::Scenarios.label(path);
    let area = super::area_of(Path::new(""), path);
    let text = String::from_utf8(bytes.to_vec())
        .map_err(|_| Diagnostic::new(Kind::Read, Location::file(&file), "not UTF-8"));
    SourceFile { file, area, text }
}
