//! Loading scenario files: discovery under `scenarios/<area>/*.yaml`, strict parsing with
//! positions, and validation (rules known, one kind per step, variables defined before use).
//! A broken file becomes a [`Diagnostic`] that the harness reports as one failing case.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::catalogue::Catalogue;
use super::model::{Action, RequestSpec, ScenarioFile};
use super::spanned::Pos;
use super::valid::{Scenario, Step, StepKind};
use crate::diagnostic::{Diagnostic, Kind, Location};
use crate::template;

/// Names every scenario may use without defining them.
pub const BUILTIN_VARS: &[&str] = &["cert", "cert2", "issuer", "vault", "api_version", "run"];

/// Where a snapshot's content comes from: recorded service bytes, the doc, or only our vault.
pub const PROVENANCES: &[&str] = &["real:", "doc:", "reference-vault:"];

/// Every scenario under a directory, and every file that failed to load.
#[derive(Debug, Default)]
pub struct ScenarioSet {
    pub scenarios: Vec<Scenario>,
    pub broken: Vec<(String, Diagnostic)>,
}

/// A scenario file's text, the area it belongs to and the path shown in messages; from a
/// directory or from the suite built into the binary.
pub struct SourceFile {
    pub file: PathBuf,
    pub area: String,
    pub text: Result<String, Diagnostic>,
}

/// Loads `root/<area>/*.yaml` (sorted). Files directly in `root` (such as `rules.yaml`) are not
/// scenarios.
pub fn load_dir(root: &Path, catalogue: &Catalogue) -> Result<ScenarioSet, Diagnostic> {
    let files = scenario_files(root)?
        .into_iter()
        .map(|file| SourceFile {
            area: area_of(root, &file),
            text: std::fs::read_to_string(&file).map_err(|e| Diagnostic::read(&file, &e)),
            file,
        })
        .collect();
    Ok(load_files(files, catalogue))
}

/// Parses and validates every file; a file that fails, or repeats an `area::id`, is kept as
/// broken under its name.
pub fn load_files(files: Vec<SourceFile>, catalogue: &Catalogue) -> ScenarioSet {
    let mut set = ScenarioSet::default();
    let mut seen = BTreeSet::new();
    for source in files {
        let loaded =
            (source.text).and_then(|text| parse(&source.file, &source.area, text, catalogue));
        match loaded {
            Ok(scenario) if !seen.insert(scenario.full_id()) => {
                let name = scenario.full_id();
                let at = scenario.location(scenario.id.pos);
                let err = Diagnostic::new(Kind::Invalid, at, format!("duplicate id `{name}`"));
                set.broken.push((format!("{name}#duplicate"), err));
            }
            Ok(scenario) => set.scenarios.push(scenario),
            Err(err) => set
                .broken
                .push((broken_name(&source.area, &source.file), err)),
        }
    }
    set.scenarios.sort_by_key(Scenario::full_id);
    set
}

/// Whether a file name is a scenario file's (`*.yaml`, `*.yml`).
pub(crate) fn is_scenario_file(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    )
}

fn broken_name(area: &str, file: &Path) -> String {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy())
        .unwrap_or_default();
    format!("{area}::{stem}")
}

/// The area of a scenario file: its folder below the suite's root (`pending`), or its
/// folder's name for a file outside the root.
pub fn area_of(root: &Path, file: &Path) -> String {
    let parent = file.parent().unwrap_or(Path::new(""));
    match parent.strip_prefix(root) {
        Ok(p) => p.to_string_lossy().replace(std::path::MAIN_SEPARATOR, "::"),
        Err(_) => parent
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    }
}

fn scenario_files(root: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    let mut files = Vec::new();
    let areas = std::fs::read_dir(root).map_err(|e| Diagnostic::read(root, &e))?;
    for area in areas.flatten().filter(|e| e.path().is_dir()) {
        let entries =
            std::fs::read_dir(area.path()).map_err(|e| Diagnostic::read(&area.path(), &e))?;
        files.extend(
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| is_scenario_file(p)),
        );
    }
    files.sort();
    Ok(files)
}

/// Parses and validates one scenario file.
pub fn load_file(file: &Path, area: &str, catalogue: &Catalogue) -> Result<Scenario, Diagnostic> {
    let text = std::fs::read_to_string(file).map_err(|e| Diagnostic::read(file, &e))?;
    parse(file, area, text, catalogue)
}

/// Parses and validates a scenario file's text; `file` is only for messages.
fn parse(
    file: &Path,
    area: &str,
    text: String,
    catalogue: &Catalogue,
) -> Result<Scenario, Diagnostic> {
    let model: ScenarioFile =
        serde_saphyr::from_str(&text).map_err(|e| Diagnostic::yaml(file, &text, &e))?;
    let text: Arc<str> = text.into();
    let scenario =
        Scenario::from_file(model, area, file.to_path_buf(), text.clone()).map_err(|e| {
            let at = Location::new(file, Some(e.pos)).with_source(&text);
            Diagnostic::new(Kind::Invalid, at, e.value)
        })?;
    validate(&scenario, catalogue)?;
    Ok(scenario)
}

/// A rule of the format a scenario breaks, at `pos` (`Pos::default()`: the file as a whole).
type Broken = (Pos, String);

fn validate(scenario: &Scenario, catalogue: &Catalogue) -> Result<(), Diagnostic> {
    check_model(scenario, catalogue)
        .map_err(|(pos, message)| Diagnostic::new(Kind::Invalid, scenario.location(pos), message))
}

fn check_model(model: &Scenario, catalogue: &Catalogue) -> Result<(), Broken> {
    let whole = |message: &str| (Pos::default(), message.to_string());
    if model.rules.is_empty() {
        return Err(whole("`rules` must name at least one rule"));
    }
    for rule in &model.rules {
        if catalogue.get(rule).is_none() {
            let msg = format!(
                "unknown rule id `{}` (see scenarios/rules.yaml)",
                rule.value
            );
            return Err((rule.pos, msg));
        }
    }
    if model.steps.is_empty() {
        return Err(whole("a scenario needs at least one step"));
    }
    let mut defined: BTreeSet<String> = BUILTIN_VARS.iter().map(|s| s.to_string()).collect();
    for (name, value) in &model.vars {
        if let Some(v) = undefined(&defined, template::names(value)) {
            let msg = format!("vars.{name}: unknown variable `{{{{{v}}}}}`");
            return Err((value.pos, msg));
        }
        defined.insert(name.clone());
    }
    let mut step_names = BTreeSet::new();
    for step in &model.steps {
        let name = &step.name;
        if !step_names.insert(name.as_str()) {
            return Err((name.pos, format!("duplicate step name `{}`", name.value)));
        }
        validate_step(step, &defined).map_err(|(pos, m)| {
            let pos = if pos == Pos::default() { name.pos } else { pos };
            (pos, format!("step `{}`: {m}", name.value))
        })?;
        defined.extend(step.capture.keys().cloned());
        if let StepKind::Action(action) = &step.kind {
            defined.insert(action.into_var().to_string());
        }
    }
    Ok(())
}

fn validate_step(step: &Step, defined: &BTreeSet<String>) -> Result<(), Broken> {
    let whole = |message: &str| (Pos::default(), message.to_string());
    let has_checks = step.expect.is_some() || step.service.is_some() || step.doc.is_some();
    let is_action = matches!(step.kind, StepKind::Action(_));
    if is_action && (has_checks || !step.capture.is_empty() || step.guard.is_some()) {
        return Err(whole(
            "an `action` step takes no expect, oracle, capture or guard",
        ));
    }
    for snapshot in step.expectations().filter_map(|e| e.snapshot.as_ref()) {
        if !PROVENANCES.iter().any(|p| snapshot.value.starts_with(p)) {
            let msg = format!(
                "snapshot provenance must start with one of {PROVENANCES:?}, got {:?}",
                snapshot.value
            );
            return Err((snapshot.pos, msg));
        }
    }
    match undefined(defined, step_templates(step)) {
        Some(v) => Err(whole(&format!("unknown variable `{{{{{v}}}}}`"))),
        None => Ok(()),
    }
}

/// The first name in `used` that is not defined.
fn undefined<'a>(
    defined: &BTreeSet<String>,
    used: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    used.into_iter().find(|n| !defined.contains(*n))
}

/// Every variable a step's own strings refer to (request, await, action, expectations).
fn step_templates(step: &Step) -> Vec<&str> {
    let mut used = Vec::new();
    if let Some(request) = step.kind.request() {
        used.extend(request_templates(request));
    }
    if let StepKind::Action(action) = &step.kind {
        match action {
            Action::SignCsr { csr, .. } => used.extend(template::names(csr)),
            Action::ForeignCert { subject, .. } | Action::SelfSignedPem { subject, .. } => {
                used.extend(template::names(subject))
            }
            Action::GarbageX5c { .. } => {}
        }
    }
    for expect in step.expectations() {
        for matcher in expect.headers.values().chain(expect.json.values()) {
            used.extend(matcher_templates(matcher));
        }
        for semantic in &expect.semantics {
            used.extend(semantic_templates(semantic));
        }
    }
    used
}

fn semantic_templates(semantic: &super::model::Semantic) -> Vec<&str> {
    use super::model::Semantic::*;
    match semantic {
        CsrMatches { subject, dns_names } => template::names(subject)
            .into_iter()
            .chain(dns_names.iter().flat_map(|d| template::names(d)))
            .collect(),
        CerKeyMatchesCsr { csr } => template::names(csr),
        IdsConsistent { name } => template::names(name),
        X5tIsThumbprint | LocationMatchesRequestId => Vec::new(),
    }
}

fn request_templates(request: &RequestSpec) -> Vec<&str> {
    let mut used = template::names(&request.path);
    for value in request.query.values().chain(request.headers.values()) {
        used.extend(template::names(value));
    }
    if let Some(body) = &request.body {
        used.extend(template::names_in_json(body));
    }
    if let Some(raw) = &request.raw_body {
        used.extend(template::names(raw));
    }
    used
}

fn matcher_templates(matcher: &super::matcher::Matcher) -> Vec<&str> {
    use super::matcher::Matcher::*;
    match matcher {
        Eq(v) | Not(v) | HasItem(v) | NoItem(v) => template::names_in_json(v),
        OneOf(vs) => vs.iter().flat_map(template::names_in_json).collect(),
        Ieq(s) | Regex(s) | Contains(s) => template::names(s),
        Absent(_) | Present | Type(_) => Vec::new(),
    }
}

/// The JSON Schema of the scenario format, as committed in `schemas/scenario.schema.json`.
pub fn scenario_schema() -> String {
    let schema = schemars::schema_for!(ScenarioFile);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
