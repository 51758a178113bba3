//! The scenario format and the rule catalogue stay consistent: the committed schema is the
//! generated one, every scenario validates against it, every rule has a scenario.

use super::support::{root, run, text};

#[test]
fn committed_scenario_schema_is_the_generated_one() {
    let committed = std::fs::read_to_string(root().join("schemas/scenario.schema.json"))
        .expect("schemas/scenario.schema.json is committed");
    assert_eq!(
        committed,
        kvconform::scenario::scenario_schema(),
        "regenerate with `cargo run -- schema > schemas/scenario.schema.json`"
    );
}

#[test]
fn every_scenario_file_validates_against_the_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(&kvconform::scenario::scenario_schema()).expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let mut count = 0;
    for area in std::fs::read_dir(root().join("scenarios")).expect("scenarios/") {
        let area = area.expect("entry").path();
        if !area.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&area).expect("area") {
            let file = file.expect("entry").path();
            let yaml = std::fs::read_to_string(&file).expect("readable");
            let value: serde_json::Value = serde_saphyr::from_str(&yaml).expect("YAML");
            let errors: Vec<String> = validator
                .iter_errors(&value)
                .map(|e| e.to_string())
                .collect();
            assert!(errors.is_empty(), "{}: {errors:?}", file.display());
            count += 1;
        }
    }
    assert!(count >= 25, "only {count} scenarios");
}

#[test]
fn every_rule_is_covered_and_every_scenario_names_known_rules() {
    let suite = kvconform::scenario::Suite::load(&root().join("scenarios")).expect("loads");
    assert_eq!(
        suite.catalogue.rules.len(),
        38,
        "DESIGN.md lists 25 rules; issue 12 adds 13"
    );
    let broken = &suite.set.broken;
    assert!(broken.is_empty(), "broken scenarios: {broken:?}");
    let uncovered = suite.uncovered_rules();
    assert!(
        uncovered.is_empty(),
        "rules without a scenario: {uncovered:?}"
    );
    let output = run(&["validate"]);
    assert!(output.status.success(), "{}", text(&output));
}

#[test]
fn an_unknown_rule_id_is_reported_with_its_position() {
    let catalogue = kvconform::scenario::Suite::load(&root().join("scenarios"))
        .expect("loads")
        .catalogue;
    let dir = super::support::temp_dir("unknown-rule").join("area");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let file = dir.join("x.yaml");
    std::fs::write(
        &file,
        "id: x\ntitle: t\nrules: [create-manual, no-such-rule]\nsource: s\nsteps:\n  - name: a\n    request: { method: GET, path: / }\n",
    )
    .expect("write");
    let err = kvconform::scenario::load_file(&file, "area", &catalogue).expect_err("unknown rule");
    assert_eq!(
        err.location.pos.map(|p| (p.line, p.col)),
        Some((3, 24)),
        "{err}"
    );
    assert!(
        err.message.contains("unknown rule id `no-such-rule`"),
        "{err}"
    );
}

#[test]
fn the_readme_exit_code_table_is_the_one_in_exit_rs() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    assert!(
        readme.contains(kvconform::exit::TABLE),
        "README's exit-code table drifted from src/exit.rs"
    );
    let help = text(&run(&["--help"]));
    assert!(help.contains("130  interrupted"), "{help}");
}

#[test]
fn every_request_step_states_a_status_and_gets_a_schema_check() {
    let set = kvconform::scenario::Suite::load(&root().join("scenarios"))
        .expect("loads")
        .set;
    let mut unchecked = Vec::new();
    for scenario in &set.scenarios {
        for oracle in [
            kvconform::plan::Oracle::Service,
            kvconform::plan::Oracle::Doc,
        ] {
            let plan = kvconform::plan::plan(scenario, oracle);
            for step in &plan.steps {
                let (request, default_status) = match &step.kind {
                    kvconform::plan::StepKind::Request(r) => (r, None),
                    kvconform::plan::StepKind::Await(a) => (&a.request, Some(200)),
                    kvconform::plan::StepKind::Action(_) => continue,
                };
                let status = step
                    .expect
                    .status
                    .as_ref()
                    .map(|s| s.value)
                    .or(default_status);
                let schema = step
                    .expect
                    .schema
                    .as_ref()
                    .map(|s| s.value.clone())
                    .or_else(|| {
                        let url = format!("http://vault{}", request.path);
                        let implied = kvconform::check::implied_schema(
                            request.method.as_str(),
                            &url,
                            status?,
                        );
                        implied.map(str::to_string)
                    });
                if status.is_none() || schema.is_none() {
                    unchecked.push(format!("{} @ {} ({oracle:?})", plan.id, step.name));
                }
            }
        }
    }
    assert!(
        unchecked.is_empty(),
        "steps without a status or a schema: {unchecked:#?}"
    );
}
