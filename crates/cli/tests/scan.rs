//! `fnwarden scan` and `fnwarden db import` end to end with the real binary on corpus apps:
//! formats, exit codes, diagnostics, the OSV database, baselines.

mod common;

use std::path::PathBuf;

use common::{fnwarden, s};

fn app(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/scan").join(name)
}

fn osv() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/osv")
}

fn json(run: &common::Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}\nstderr:\n{}", run.stdout, run.stderr))
}

#[test]
fn a_public_route_into_a_shell_is_one_critical_chain_and_fail_on_decides_the_exit() {
    let dir = app("chain-serverless-convert");
    let run = fnwarden(&["scan", s(&dir), "--format", "json", "--today", "2026-12-01"], "");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = json(&run);
    let chain = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "fnw-scan-chain-public-to-sink")
        .unwrap_or_else(|| panic!("no chain: {report:#}"));
    assert_eq!(chain["severity"], "critical");
    assert_eq!(chain["function"], "convert");
    let notes: Vec<&str> = chain["trace"].as_array().unwrap().iter().map(|t| t["note"].as_str().unwrap()).collect();
    assert!(notes.first().is_some_and(|n| n.contains("public HTTP trigger")), "{notes:?}");
    assert!(chain["trace"].as_array().unwrap().len() >= 4, "trigger, function, source, sink: {notes:?}");

    let failing = fnwarden(&["scan", s(&dir), "--format", "json", "--fail-on", "critical"], "");
    assert_eq!(failing.code, 1, "{}", failing.stderr);
}

#[test]
fn a_clean_project_passes_fail_on_and_the_table_says_so() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("handler.py"),
        "import json\n\n\ndef handler(event, context):\n    return {\"statusCode\": 200, \"body\": json.dumps({\"ok\": True})}\n",
    )
    .unwrap();
    let run = fnwarden(&["scan", s(dir.path()), "--format", "table", "--fail-on", "info"], "");
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("0 findings") || run.stdout.contains("No findings") || run.stdout.contains("no findings"),
        "{}",
        run.stdout
    );
}

#[test]
fn sarif_and_sonar_reports_are_written_to_files() {
    let dir = app("chain-sam-url-preview");
    let out = tempfile::tempdir().unwrap();
    let sarif = out.path().join("scan.sarif");
    let run = fnwarden(&["scan", s(&dir), "--format", "sarif", "-o", s(&sarif)], "");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&sarif).unwrap()).unwrap();
    assert_eq!(doc["version"], "2.1.0");
    let results = doc["runs"][0]["results"].as_array().unwrap();
    assert!(results.iter().any(|r| r["ruleId"] == "fnw-scan-chain-public-to-sink"), "{results:#?}");

    let sonar = out.path().join("sonar.json");
    let run = fnwarden(&["scan", s(&dir), "--format", "sonar", "-o", s(&sonar)], "");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&sonar).unwrap()).unwrap();
    assert!(!doc["issues"].as_array().unwrap().is_empty() && !doc["rules"].as_array().unwrap().is_empty(), "{doc:#}");
}

#[test]
fn db_import_then_scan_finds_the_vulnerable_package_of_the_function_that_ships_it() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("osv.sqlite");
    let run = fnwarden(&["db", "import", s(&osv()), "--db", s(&db)], "");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let dir = app("deps-node-orders");
    let run = fnwarden(&["scan", s(&dir), "--format", "json", "--db", s(&db)], "");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = json(&run);
    let deps: Vec<&serde_json::Value> =
        report["findings"].as_array().unwrap().iter().filter(|f| f["rule"] == "fnw-scan-dep-vulnerable").collect();
    assert!(deps.iter().any(|f| f["message"].as_str().unwrap().contains("lodash") && !f["function"].is_null()), "{deps:#?}");
    assert!(
        deps.iter().any(|f| f["location"]["file"].as_str().unwrap().starts_with("frontend/")
            && f["function"].is_null()
            && f["severity"] == "info"),
        "{deps:#?}"
    );

    // Without a database the packages are not checked, and the report says so.
    let run = fnwarden(&["scan", s(&dir), "--format", "json", "--db", s(&tmp.path().join("none.sqlite"))], "");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = json(&run);
    assert!(report["diagnostics"].as_array().unwrap().iter().any(|d| d["kind"] == "no_vuln_database"), "{report:#}");
    assert!(run.stderr.contains("fnwarden db import"), "{}", run.stderr);
}

#[test]
fn baseline_written_then_used_leaves_nothing_new() {
    let dir = app("chain-serverless-convert");
    let tmp = tempfile::tempdir().unwrap();
    let baseline = tmp.path().join("baseline.json");
    let run = fnwarden(&["scan", s(&dir), "--format", "json", "--write-baseline", s(&baseline)], "");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let before = json(&run)["findings"].as_array().unwrap().len();
    assert!(before > 0);
    let run = fnwarden(&["scan", s(&dir), "--format", "json", "--baseline", s(&baseline), "--fail-on", "info"], "");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = json(&run);
    assert_eq!(report["findings"].as_array().unwrap().len(), 0);
    assert_eq!(report["summary"]["baselined"], before);
}

#[test]
fn usage_errors_exit_2_with_a_reason() {
    let run = fnwarden(&["scan", "/nonexistent/project"], "");
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("/nonexistent/project"), "{}", run.stderr);
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("baseline.json");
    std::fs::write(&bad, "{ not json").unwrap();
    let run = fnwarden(&["scan", s(tmp.path()), "--baseline", s(&bad)], "");
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("baseline.json"), "{}", run.stderr);
    let run = fnwarden(&["scan", s(tmp.path()), "--today", "yesterday"], "");
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("YYYY-MM-DD"), "{}", run.stderr);
}

#[test]
fn list_rules_names_every_class() {
    let run = fnwarden(&["scan", "--list-rules", "--format", "json"], "");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rules = json(&run);
    let classes: std::collections::BTreeSet<&str> = rules.as_array().unwrap().iter().map(|r| r["class"].as_str().unwrap()).collect();
    for class in ["injection", "chain", "iam", "exposure", "denial-of-wallet", "config", "secret", "dependency", "hijack"] {
        assert!(classes.contains(class), "{class}: {classes:?}");
    }
}
