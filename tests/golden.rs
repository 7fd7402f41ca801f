//! Runs the shared golden cases in `tests/golden/scan.toml` (the Python and
//! Node bindings run the same file).

use phimask::Engine;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Golden {
    case: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    text: String,
    findings: Vec<(String, String)>,
}

#[test]
fn golden_cases() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/golden/scan.toml");
    let golden: Golden = toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let engine = Engine::default();
    let mut failures = Vec::new();
    for case in &golden.case {
        let got: Vec<(String, String)> = engine
            .scan(&case.text)
            .iter()
            .map(|f| (f.entity().as_str().to_string(), case.text[f.span()].to_string()))
            .collect();
        if got != case.findings {
            failures.push(format!("{}:\n  expected {:?}\n  got      {:?}", case.name, case.findings, got));
        }
    }
    assert!(failures.is_empty(), "{} golden cases differ:\n{}", failures.len(), failures.join("\n"));
}
