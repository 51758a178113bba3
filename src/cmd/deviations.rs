//! `kvconform deviations`: the doc-vs-service table, generated from the scenarios themselves.
//! Each row is one expectation that differs between the two oracles, or one service
//! expectation that was never observed (the doc's word, marked unverified).

use std::fmt::Write as _;
use std::io::Write as _;
use std::process::ExitCode;

use crate::cli::ListArgs;
use crate::exit;
use crate::plan::{self, Expectation, Oracle, PlannedStep};
use crate::scenario::{At, Matcher, Scenario, Suite};

pub fn deviations(args: &ListArgs) -> ExitCode {
    match Suite::from_spec(&args.dir.spec()) {
        Ok(suite) => {
            let rows = collect(&suite.set.scenarios);
            let _ = write!(std::io::stdout(), "{}", render(&rows));
            ExitCode::from(exit::SUCCESS)
        }
        Err(err) => super::fail(exit::USAGE, &err),
    }
}

/// One difference between what the doc says and what the service does.
#[derive(Debug, Clone, PartialEq)]
struct Deviation {
    rules: Vec<String>,
    scenario: String,
    step: String,
    what: String,
    doc: String,
    service: String,
    source: String,
}

/// Every deviation the scenarios encode, in scenario order.
fn collect(scenarios: &[Scenario]) -> Vec<Deviation> {
    let mut rows = Vec::new();
    for scenario in scenarios {
        let service = plan::plan(scenario, Oracle::Service);
        let doc = plan::plan(scenario, Oracle::Doc);
        for (s, d) in service.steps.iter().zip(&doc.steps) {
            let source = sources(s, d);
            let row = |what: String, doc_says: String, service_does: String| Deviation {
                rules: service.rules.clone(),
                scenario: service.id.clone(),
                step: s.name.clone(),
                what,
                doc: doc_says,
                service: service_does,
                source: source.clone(),
            };
            let differences = differences(&d.expect, &s.expect);
            if differences.is_empty() && s.unverified {
                rows.push(row(
                    "whole step".into(),
                    d.expect.describe(),
                    "never observed (the doc's, spec's or inferred expectation is used, unverified; see the note)".into(),
                ));
            }
            for (what, doc_text, service_text) in differences {
                let service_text = if s.unverified {
                    format!("{service_text} (unverified)")
                } else {
                    service_text
                };
                rows.push(row(what, doc_text, service_text));
            }
        }
    }
    rows
}

fn sources(service: &PlannedStep, doc: &PlannedStep) -> String {
    let notes: Vec<&str> = [doc.note.as_deref(), service.note.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    notes.join("; ")
}

/// `(what, doc, service)` for every expectation that differs.
fn differences(doc: &Expectation, service: &Expectation) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let status = |e: &Expectation| {
        e.status
            .as_ref()
            .map_or("any".to_string(), |s| s.value.to_string())
    };
    if status(doc) != status(service) {
        out.push(("status".into(), status(doc), status(service)));
    }
    compare_lists("header", &doc.headers, &service.headers, &mut out);
    compare_lists("json", &doc.json, &service.json, &mut out);
    out
}

fn compare_lists(
    kind: &str,
    doc: &[(String, At<Matcher>)],
    service: &[(String, At<Matcher>)],
    out: &mut Vec<(String, String, String)>,
) {
    let find = |list: &[(String, At<Matcher>)], key: &str| {
        list.iter()
            .find(|(k, _)| k == key)
            .map(|(_, m)| m.value.clone())
    };
    let mut seen = std::collections::BTreeSet::new();
    for key in doc.iter().chain(service).map(|(k, _)| k.as_str()) {
        if !seen.insert(key) {
            continue;
        }
        let (d, s) = (find(doc, key), find(service, key));
        if d != s {
            let show = |m: Option<Matcher>| m.map_or("not checked".into(), |m| m.describe());
            out.push((format!("{kind} {key}"), show(d), show(s)));
        }
    }
}

/// The Markdown table.
fn render(rows: &[Deviation]) -> String {
    let mut out = String::from(
        "| rule | scenario (step) | checks | doc says | service does | source |\n|---|---|---|---|---|---|\n",
    );
    for row in rows {
        let _ = writeln!(
            out,
            "| {} | `{}` ({}) | {} | {} | {} | {} |",
            row.rules.join(", "),
            row.scenario,
            cell(&row.step),
            cell(&row.what),
            cell(&row.doc),
            cell(&row.service),
            cell(&row.source),
        );
    }
    out
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}
