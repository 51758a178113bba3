//! `kvconform list` and `kvconform validate`: what the scenario directory holds, without
//! touching any target.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use crate::cli::{ListArgs, ValidateArgs};
use crate::exit;
use crate::harness;
use crate::scenario::{self, Catalogue, ScenarioSet};

pub fn list(args: &ListArgs) -> ExitCode {
    match harness::load(&args.dir.scenarios) {
        Ok((catalogue, set)) => {
            let mut out = String::new();
            if !args.rules {
                out.push_str(&render_scenarios(&set));
                out.push('\n');
            }
            out.push_str(&render_coverage(&catalogue, &set));
            let _ = write!(std::io::stdout(), "{out}");
            let uncovered = uncovered_rules(&catalogue, &set);
            ExitCode::from(if uncovered.is_empty() && set.broken.is_empty() {
                exit::SUCCESS
            } else {
                exit::FAILED
            })
        }
        Err(err) => usage(&err),
    }
}

pub fn deviations(args: &ListArgs) -> ExitCode {
    match harness::load(&args.dir.scenarios) {
        Ok((_, set)) => {
            let rows = crate::deviations::collect(&set.scenarios);
            let _ = write!(std::io::stdout(), "{}", crate::deviations::render(&rows));
            ExitCode::from(exit::SUCCESS)
        }
        Err(err) => usage(&err),
    }
}

fn usage(err: &str) -> ExitCode {
    let _ = writeln!(std::io::stderr(), "error: {err}");
    ExitCode::from(exit::USAGE)
}

/// One line per scenario: `area::id  [rules]  title`.
pub fn render_scenarios(set: &ScenarioSet) -> String {
    let mut out = String::new();
    for s in &set.scenarios {
        let rules: Vec<&str> = s.model.rules.iter().map(|r| r.value.as_str()).collect();
        let _ = writeln!(
            out,
            "{:<45} [{}]  {}",
            s.full_id(),
            rules.join(", "),
            s.model.title
        );
    }
    for (name, err) in &set.broken {
        let _ = writeln!(out, "{name:<45} BROKEN  {err}");
    }
    out
}

/// The rules × scenarios view: every rule with the scenarios that check it.
pub fn render_coverage(catalogue: &Catalogue, set: &ScenarioSet) -> String {
    let mut out = String::from("| rule | scenarios |\n|---|---|\n");
    for rule in &catalogue.rules {
        let covering = scenarios_for(set, &rule.id);
        let cell = if covering.is_empty() {
            "**none**".to_string()
        } else {
            covering.join(", ")
        };
        let _ = writeln!(out, "| `{}` | {} |", rule.id, cell);
    }
    out
}

fn scenarios_for(set: &ScenarioSet, rule: &str) -> Vec<String> {
    set.scenarios
        .iter()
        .filter(|s| s.model.rules.iter().any(|r| r.value == rule))
        .map(|s| s.full_id())
        .collect()
}

/// Rules no scenario checks.
pub fn uncovered_rules(catalogue: &Catalogue, set: &ScenarioSet) -> Vec<String> {
    catalogue
        .rules
        .iter()
        .filter(|r| scenarios_for(set, &r.id).is_empty())
        .map(|r| r.id.clone())
        .collect()
}

pub fn validate(args: &ValidateArgs) -> ExitCode {
    let dir = &args.dir.scenarios;
    let catalogue = match Catalogue::load(&dir.join("rules.yaml")) {
        Ok(c) => c,
        Err(err) => return usage(&err.to_string()),
    };
    let errors = if args.paths.is_empty() {
        match scenario::load_dir(dir, &catalogue) {
            Ok(set) => {
                let mut errors: Vec<String> =
                    set.broken.iter().map(|(_, e)| e.to_string()).collect();
                errors.extend(
                    uncovered_rules(&catalogue, &set)
                        .into_iter()
                        .map(|r| format!("rule `{r}` has no scenario")),
                );
                let _ = writeln!(
                    std::io::stdout(),
                    "{} scenario(s) valid",
                    set.scenarios.len()
                );
                errors
            }
            Err(err) => return usage(&err.to_string()),
        }
    } else {
        args.paths
            .iter()
            .filter_map(|p| scenario::load_file(p, &area_of(p), &catalogue).err())
            .map(|e| e.to_string())
            .collect()
    };
    for error in &errors {
        let _ = writeln!(std::io::stderr(), "error: {error}");
    }
    ExitCode::from(if errors.is_empty() {
        exit::SUCCESS
    } else {
        exit::FAILED
    })
}

fn area_of(path: &Path) -> String {
    path.parent()
        .and_then(Path::file_name)
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
