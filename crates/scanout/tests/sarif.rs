mod fixture;

use std::path::{Path, PathBuf};
use std::process::Command;

use fnwarden_project::{Location, ScanReport};
use serde_json::Value;

fn doc(report: &ScanReport) -> Value {
    serde_json::from_str(&fixture::render(fnwarden_scanout::write_sarif, report)).unwrap()
}

#[test]
fn the_driver_describes_every_rule_for_github() {
    let v = doc(&fixture::report());
    assert_eq!(v["version"], "2.1.0");
    assert!(v["$schema"].as_str().unwrap().ends_with("sarif-schema-2.1.0.json"));
    let driver = &v["runs"][0]["tool"]["driver"];
    assert_eq!(driver["name"], "fnwarden");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert!(driver["informationUri"].as_str().unwrap().starts_with("https://"));
    let rules = driver["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 8);
    let chain = rules.iter().find(|r| r["id"] == "fnw-scan-chain-public-injection").unwrap();
    assert_eq!(chain["name"], "ChainPublicInjection");
    assert_eq!(chain["shortDescription"]["text"], "Public trigger reaches an injection sink");
    assert!(chain["fullDescription"]["text"].as_str().unwrap().starts_with("An unauthenticated trigger"));
    assert!(chain["help"]["text"].as_str().unwrap().contains("Remediation: Require authentication"));
    let md = chain["help"]["markdown"].as_str().unwrap();
    assert!(
        md.contains("**Remediation:** Require authentication") && md.contains("[CWE-306](https://cwe.mitre.org/data/definitions/306.html)"),
        "{md}"
    );
    assert_eq!(chain["defaultConfiguration"]["level"], "error");
    assert_eq!(chain["properties"]["tags"], serde_json::json!(["security", "chain", "CWE-78", "CWE-306"]));
    assert_eq!(chain["properties"]["security-severity"], "9.5");
    let scores: Vec<(&str, &str)> =
        rules.iter().map(|r| (r["id"].as_str().unwrap(), r["properties"]["security-severity"].as_str().unwrap())).collect();
    assert!(scores.contains(&("fnw-scan-dow-no-reserved-concurrency", "5.5")), "{scores:?}");
    assert!(scores.contains(&("fnw-scan-config-deprecated-runtime", "3.0")), "{scores:?}");
    assert!(scores.contains(&("fnw-scan-iam-wildcard-action", "8.0")), "{scores:?}");
}

#[test]
fn results_point_at_rules_places_and_traces() {
    let v = doc(&fixture::report());
    let run = &v["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 7);
    for r in results {
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], r["ruleId"], "ruleIndex points at the result's rule");
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert!(!loc["artifactLocation"]["uri"].as_str().unwrap().starts_with('/'));
        assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1);
        assert_eq!(r["partialFingerprints"]["fnwardenFingerprint/v1"].as_str().unwrap().len(), 16);
        assert!(!r["message"]["text"].as_str().unwrap().is_empty());
    }
    let chain = &results[0];
    assert_eq!(chain["level"], "error");
    assert_eq!(chain["properties"]["function"], "convert");
    assert_eq!(chain["locations"][0]["physicalLocation"]["region"], serde_json::json!({"startLine": 7, "startColumn": 5}));
    let flow = chain["codeFlows"][0]["threadFlows"][0]["locations"].as_array().unwrap();
    assert_eq!(flow.len(), 6);
    // Relative to the working directory (the crate's, under cargo test), which holds the root.
    assert_eq!(flow[0]["location"]["physicalLocation"]["artifactLocation"]["uri"], "examples/payments/serverless.yml");
    assert_eq!(flow[0]["location"]["message"]["text"], "trigger: http POST /convert, no authorizer");
    assert_eq!(flow[5]["location"]["physicalLocation"]["region"]["startLine"], 7);

    assert_eq!(results[2]["level"], "warning", "the iam finding was raised at medium");
    let dep = &results[4];
    assert_eq!(dep["locations"][0]["physicalLocation"]["region"], serde_json::json!({"startLine": 1}), "whole file → line 1");
    assert!(dep.get("codeFlows").is_none());
    assert!(results[3]["properties"].get("function").is_none());

    let base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"].as_str().unwrap();
    assert!(base.starts_with("file:///") && base.ends_with("/crates/scanout/"), "{base}");
}

#[test]
fn diagnostics_become_warnings_of_a_successful_invocation() {
    let v = doc(&fixture::report());
    let inv = &v["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], true);
    let notes = inv["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notes.len(), 7);
    assert_eq!(notes[0]["level"], "warning");
    assert_eq!(notes[0]["descriptor"]["id"], "bad_yaml");
    assert_eq!(notes[0]["message"]["text"], "mapping values are not allowed in this context");
    let loc = &notes[0]["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "examples/payments/infra/broken.yml");
    assert_eq!(loc["region"]["startLine"], 3);
    assert!(notes[1]["locations"][0]["physicalLocation"].get("region").is_none(), "a whole-file problem has no region");
}

#[test]
fn uris_are_encoded() {
    let mut report = fixture::report();
    report.findings[0].location = Location::new("src/my handler/ü.py", 3, 0);
    let v = doc(&report);
    assert_eq!(
        v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "examples/payments/src/my%20handler/%C3%BC.py"
    );
}

/// Where the official SARIF 2.1.0 schema is installed (.ci/setup puts it there).
fn schema_path() -> PathBuf {
    std::env::var_os("FNWARDEN_SARIF_SCHEMA")
        .map(PathBuf::from)
        .unwrap_or_else(|| "/usr/local/share/fnwarden/sarif-schema-2.1.0.json".into())
}

const VALIDATE: &str = r#"
import json, sys
from jsonschema import validators
schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
cls = validators.validator_for(schema)
cls.check_schema(schema)
errors = sorted(cls(schema).iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
for e in errors[:20]:
    print("/" + "/".join(map(str, e.absolute_path)) + ": " + e.message[:300])
sys.exit(1 if errors else 0)
"#;

/// `None` when the validator or the schema is not installed.
fn validate(doc: &str) -> Option<Result<(), String>> {
    let schema = schema_path();
    let has_validator = Command::new("python3").args(["-c", "import jsonschema"]).output().is_ok_and(|o| o.status.success());
    if !schema.is_file() || !has_validator {
        eprintln!(
            "SKIPPED: SARIF schema validation needs {} (npm package @datadog/datadog-ci@2.48.0, \
             package/dist/commands/sarif/json-schema/sarif-schema-2.1.0.json) and Python's jsonschema \
             (pip install jsonschema); .ci/setup installs both. Schema present: {}, jsonschema present: {has_validator}",
            schema.display(),
            schema.is_file()
        );
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.sarif");
    std::fs::write(&file, doc).unwrap();
    let out = Command::new("python3").args(["-c", VALIDATE]).arg(&schema).arg(&file).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    Some(if out.status.success() { Ok(()) } else { Err(text) })
}

fn check_schema_is_the_final_one(path: &Path) {
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let title = schema["title"].as_str().unwrap_or("");
    assert!(title.contains("Version 2.1.0") && !title.contains("rtm"), "not the final 2.1.0 schema: {title}");
}

#[test]
fn output_is_valid_against_the_official_sarif_schema() {
    let report = fixture::report();
    let sarif = fixture::render(fnwarden_scanout::write_sarif, &report);
    let Some(verdict) = validate(&sarif) else { return };
    check_schema_is_the_final_one(&schema_path());
    verdict.unwrap_or_else(|e| panic!("SARIF output fails the schema:\n{e}"));

    let empty = fixture::render(fnwarden_scanout::write_sarif, &ScanReport::default());
    validate(&empty).unwrap().unwrap_or_else(|e| panic!("empty SARIF output fails the schema:\n{e}"));

    // The validator really validates: a document with a level SARIF does not have fails.
    let mut broken: Value = serde_json::from_str(&sarif).unwrap();
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    let err = validate(&broken.to_string()).unwrap().unwrap_err();
    assert!(err.contains("/runs/0/results/0/level"), "{err}");
}
