mod fixture;

use fnwarden_project::ScanReport;
use serde_json::Value;

fn doc(report: &ScanReport) -> Value {
    serde_json::from_str(&fixture::render(fnwarden_scanout::write_json, report)).unwrap()
}

#[test]
fn one_document_with_summary_rules_findings_diagnostics_and_stats() {
    let v = doc(&fixture::report());
    assert_eq!(v["format"], "fnwarden-scan/v1");
    assert_eq!(v["tool"]["name"], "fnwarden");
    assert_eq!(v["tool"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(v["root"], "examples/payments");

    let s = &v["summary"];
    assert_eq!(s["findings"], 7);
    assert_eq!(s["by_severity"], serde_json::json!({"critical": 2, "high": 3, "medium": 2, "low": 0, "info": 0}));
    assert_eq!(s["by_class"]["chain"], 1);
    assert_eq!(s["by_class"]["iam"], 1);
    assert_eq!(s["by_class"]["denial-of-wallet"], 1);
    assert_eq!(s["by_class"]["exposure"], 0, "every class is listed, zeros too");
    assert_eq!(s["by_class"].as_object().unwrap().len(), 9);
    assert_eq!(
        (s["suppressed"].clone(), s["baselined"].clone(), s["diagnostics"].clone(), s["files_skipped"].clone()),
        (2.into(), 1.into(), 7.into(), 6.into())
    );
}

#[test]
fn findings_carry_rule_place_function_trace_and_fingerprint() {
    let v = doc(&fixture::report());
    let chain = &v["findings"][0];
    assert_eq!(chain["rule"], "fnw-scan-chain-public-injection");
    assert_eq!(chain["title"], "Public trigger reaches an injection sink");
    assert_eq!(chain["class"], "chain");
    assert_eq!(chain["severity"], "critical");
    assert_eq!(chain["location"], serde_json::json!({"file": "src/convert.py", "line": 7, "column": 5}));
    assert_eq!(chain["function"], "convert");
    let trace = chain["trace"].as_array().unwrap();
    assert_eq!(trace.len(), 6);
    assert_eq!(trace[0]["location"]["file"], "serverless.yml");
    assert_eq!(trace[0]["note"], "trigger: http POST /convert, no authorizer");
    assert_eq!(trace[5]["note"], "sink: os.system(cmd)");
    assert_eq!(chain["fingerprint"].as_str().unwrap().len(), 16);

    let iam = &v["findings"][2];
    assert_eq!(iam["severity"], "medium", "the finding's severity, not its rule's");
    let secret = &v["findings"][3];
    assert_eq!(secret["function"], Value::Null);
    assert_eq!(secret["trace"], serde_json::json!([]));
    let dep = &v["findings"][4];
    assert_eq!(dep["location"]["line"], 0, "whole file");
}

#[test]
fn the_rules_table_lists_every_rule_once_including_those_only_findings_name() {
    let v = doc(&fixture::report());
    let ids: Vec<&str> = v["rules"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 8);
    assert!(ids.contains(&"fnw-scan-config-deprecated-runtime"), "ran, found nothing");
    assert!(ids.contains(&"fnw-scan-hijack-runtime-api"), "found, missing from the run's list");
    let r = v["rules"].as_array().unwrap().iter().find(|r| r["id"] == "fnw-scan-chain-public-injection").unwrap();
    assert_eq!(r["cwe"], serde_json::json!([78, 306]));
    assert_eq!(r["severity"], "critical");
    assert!(r["remediation"].as_str().unwrap().starts_with("Require authentication"));
}

#[test]
fn diagnostics_and_stats_are_written_out() {
    let v = doc(&fixture::report());
    let d = &v["diagnostics"][0];
    assert_eq!(d["file"], "infra/broken.yml");
    assert_eq!(d["line"], 3);
    assert_eq!(d["kind"], "bad_yaml");
    assert_eq!(d["skipped_file"], true);
    assert_eq!(v["diagnostics"][3]["skipped_file"], false, "a syntax error still analyses the file");
    assert_eq!(v["stats"]["files_analysed"], 42);
    assert_eq!(v["stats"]["skipped"]["bad_yaml"], 4);
    assert_eq!(v["stats"]["elapsed_ms"], 1270);
}

#[test]
fn an_empty_scan_is_still_a_complete_document() {
    let v = doc(&ScanReport { root: ".".into(), ..Default::default() });
    assert_eq!(v["root"], ".");
    assert_eq!(v["summary"]["findings"], 0);
    assert_eq!(v["findings"], serde_json::json!([]));
    assert_eq!(v["rules"], serde_json::json!([]));
    assert_eq!(v["summary"]["by_severity"]["critical"], 0);
}

#[test]
fn hostile_text_stays_inside_its_string() {
    let mut report = fixture::report();
    report.findings[0].message = "\"}, \"injected\": true, \u{0}\u{1b}[2J\n</script>".into();
    let v = doc(&report);
    assert_eq!(v["findings"][0]["message"], report.findings[0].message.as_str());
    assert!(v.get("injected").is_none());
}
