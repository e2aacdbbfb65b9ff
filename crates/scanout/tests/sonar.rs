mod fixture;

use std::collections::HashSet;

use fnwarden_project::ScanReport;
use serde_json::Value;

fn doc(report: &ScanReport) -> Value {
    serde_json::from_str(&fixture::render(fnwarden_scanout::write_sonar, report)).unwrap()
}

const ATTRIBUTES: [&str; 14] = [
    "FORMATTED",
    "CONVENTIONAL",
    "IDENTIFIABLE",
    "CLEAR",
    "LOGICAL",
    "COMPLETE",
    "EFFICIENT",
    "FOCUSED",
    "DISTINCT",
    "MODULAR",
    "TESTED",
    "LAWFUL",
    "TRUSTWORTHY",
    "RESPECTFUL",
];
const QUALITIES: [&str; 3] = ["SECURITY", "RELIABILITY", "MAINTAINABILITY"];
const IMPACT_SEVERITIES: [&str; 5] = ["BLOCKER", "HIGH", "MEDIUM", "LOW", "INFO"];

fn non_empty_str(v: &Value, what: &str) {
    assert!(v.as_str().is_some_and(|s| !s.is_empty()), "{what} must be a non-empty string: {v}");
}

fn text_range(v: &Value, what: &str) {
    let start = v["startLine"].as_u64().unwrap_or_else(|| panic!("{what}: textRange.startLine missing: {v}"));
    assert!(start >= 1, "{what}: startLine {start}");
}

/// What SonarQube's scanner checks when it imports the report (the new format: rules and
/// issues both present), as its documentation and importer describe it.
fn assert_importable(v: &Value) {
    let top: HashSet<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(top, HashSet::from(["rules", "issues"]));
    let mut ids = HashSet::new();
    for r in v["rules"].as_array().unwrap() {
        for field in ["id", "name", "engineId"] {
            non_empty_str(&r[field], field);
        }
        assert!(ids.insert(r["id"].as_str().unwrap().to_owned()), "duplicate rule id {}", r["id"]);
        assert!(ATTRIBUTES.contains(&r["cleanCodeAttribute"].as_str().unwrap()), "{}", r["cleanCodeAttribute"]);
        let impacts = r["impacts"].as_array().unwrap();
        assert!(!impacts.is_empty(), "impacts must not be empty");
        let mut qualities = HashSet::new();
        for i in impacts {
            assert!(QUALITIES.contains(&i["softwareQuality"].as_str().unwrap()), "{i}");
            assert!(IMPACT_SEVERITIES.contains(&i["severity"].as_str().unwrap()), "{i}");
            assert!(qualities.insert(i["softwareQuality"].clone()), "one impact per quality: {r}");
        }
        assert!(r.get("type").is_none() && r.get("severity").is_none(), "deprecated rule fields: {r}");
    }
    for issue in v["issues"].as_array().unwrap() {
        let rule = issue["ruleId"].as_str().unwrap();
        assert!(ids.contains(rule), "issue names a rule not in the report: {rule}");
        for deprecated in ["severity", "type", "engineId"] {
            assert!(issue.get(deprecated).is_none(), "issue carries deprecated field {deprecated}: {issue}");
        }
        let p = &issue["primaryLocation"];
        non_empty_str(&p["filePath"], "primaryLocation.filePath");
        non_empty_str(&p["message"], "primaryLocation.message");
        if let Some(range) = p.get("textRange") {
            text_range(range, "primaryLocation");
        }
        for s in issue.get("secondaryLocations").and_then(Value::as_array).into_iter().flatten() {
            non_empty_str(&s["filePath"], "secondaryLocations.filePath");
            text_range(&s["textRange"], "secondaryLocation");
        }
    }
}

#[test]
fn the_report_is_what_sonar_imports() {
    let v = doc(&fixture::report());
    assert_importable(&v);
    assert_importable(&doc(&ScanReport::default()));
}

#[test]
fn rules_carry_impacts_and_attributes_by_class() {
    let v = doc(&fixture::report());
    let rules = v["rules"].as_array().unwrap();
    let rule = |id: &str| rules.iter().find(|r| r["id"] == id).unwrap_or_else(|| panic!("no rule {id}"));
    let chain = rule("fnw-scan-chain-public-injection");
    assert_eq!(chain["engineId"], "fnwarden");
    assert_eq!(chain["name"], "Public trigger reaches an injection sink");
    assert_eq!(chain["impacts"], serde_json::json!([{"softwareQuality": "SECURITY", "severity": "BLOCKER"}]));
    assert_eq!(chain["cleanCodeAttribute"], "COMPLETE");
    assert!(chain["description"].as_str().unwrap().contains("Remediation: Require authentication"));
    assert!(chain["description"].as_str().unwrap().ends_with("CWE-78, CWE-306"));
    assert_eq!(rule("fnw-scan-secret-aws-access-key")["cleanCodeAttribute"], "TRUSTWORTHY");
    let dow = rule("fnw-scan-dow-no-reserved-concurrency");
    assert_eq!(dow["impacts"].as_array().unwrap().len(), 2, "cost and availability");
    assert_eq!(dow["impacts"][0]["severity"], "MEDIUM");
    assert_eq!(rule("fnw-scan-config-deprecated-runtime")["impacts"][0]["severity"], "LOW");
}

#[test]
fn a_finding_raised_at_another_severity_gets_a_rule_at_that_severity() {
    let v = doc(&fixture::report());
    let iam = &v["issues"][2];
    assert_eq!(iam["ruleId"], "fnw-scan-iam-wildcard-action@medium");
    let rule = v["rules"].as_array().unwrap().iter().find(|r| r["id"] == "fnw-scan-iam-wildcard-action@medium").unwrap();
    assert_eq!(rule["impacts"][0]["severity"], "MEDIUM");
    assert!(v["rules"].as_array().unwrap().iter().any(|r| r["id"] == "fnw-scan-iam-wildcard-action"), "the rule itself stays");
}

#[test]
fn issues_locate_findings_under_the_scan_root() {
    let v = doc(&fixture::report());
    let chain = &v["issues"][0];
    assert_eq!(chain["ruleId"], "fnw-scan-chain-public-injection");
    assert_eq!(chain["primaryLocation"]["filePath"], "examples/payments/src/convert.py");
    assert_eq!(chain["primaryLocation"]["textRange"], serde_json::json!({"startLine": 7}));
    assert!(chain["primaryLocation"]["message"].as_str().unwrap().starts_with("Unauthenticated route POST /convert"));
    let steps = chain["secondaryLocations"].as_array().unwrap();
    assert_eq!(steps.len(), 6);
    assert_eq!(steps[0]["filePath"], "examples/payments/serverless.yml");
    assert_eq!(steps[0]["message"], "trigger: http POST /convert, no authorizer");
    let dep = &v["issues"][4];
    assert!(dep["primaryLocation"].get("textRange").is_none(), "whole-file issue: no range");
    assert!(dep.get("secondaryLocations").is_none());
}
