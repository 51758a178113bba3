//! `kvconform list`: the scenarios of a suite with their rules, and the rules × scenarios
//! coverage, without touching any target.

use std::fmt::Write as _;
use std::io::Write as _;
use std::process::ExitCode;

use crate::cli::ListArgs;
use crate::exit;
use crate::scenario::Suite;

pub fn list(args: &ListArgs) -> ExitCode {
    let suite = match Suite::from_spec(&args.dir.spec()) {
        Ok(suite) => suite,
        Err(err) => return super::fail(exit::USAGE, &err),
    };
    let mut out = String::new();
    if !args.rules {
        out.push_str(&render_scenarios(&suite));
        out.push('\n');
    }
    out.push_str(&render_coverage(&suite));
    let _ = write!(std::io::stdout(), "{out}");
    let complete = suite.uncovered_rules().is_empty() && suite.set.broken.is_empty();
    ExitCode::from(if complete {
        exit::SUCCESS
    } else {
        exit::FAILED
    })
}

/// One line per scenario: `area::id  [rules]  title`.
fn render_scenarios(suite: &Suite) -> String {
    let mut out = String::new();
    for s in &suite.set.scenarios {
        let rules: Vec<&str> = s.rules.iter().map(|r| r.value.as_str()).collect();
        let _ = writeln!(
            out,
            "{:<45} [{}]  {}",
            s.full_id(),
            rules.join(", "),
            s.title
        );
    }
    for (name, err) in &suite.set.broken {
        let _ = writeln!(out, "{name:<45} BROKEN  {err}");
    }
    out
}

/// The rules × scenarios view: every rule with the scenarios that check it.
fn render_coverage(suite: &Suite) -> String {
    let mut out = String::from("| rule | scenarios |\n|---|---|\n");
    for rule in &suite.catalogue.rules {
        let covering = suite.scenarios_for(&rule.id);
        let cell = match covering.is_empty() {
            true => "**none**".to_string(),
            false => covering.join(", "),
        };
        let _ = writeln!(out, "| `{}` | {} |", rule.id, cell);
    }
    out
}
