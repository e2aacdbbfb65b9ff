//! `fnwarden logs` end to end with the real binary on the log fixtures: formats from files,
//! folders, gzip and stdin; exit codes; rejected input reported by place and counted; the
//! timeline; replaying the events it wrote.

mod common;

use std::path::PathBuf;

use common::{fnwarden, s, write};

fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../logs/tests/fixtures").join(rel)
}

fn rule_ids(run: &common::Run) -> Vec<String> {
    let mut ids: Vec<String> = run.json_lines().iter().map(|a| a["rule"]["id"].as_str().unwrap_or("").to_owned()).collect();
    ids.sort();
    ids.dedup();
    ids
}

#[test]
fn cloudtrail_backdoors_are_reported_and_fail_on_decides_the_exit() {
    let f = fixture("cloudtrail/attack/lambda-backdoors.json");
    let run = fnwarden(&["logs", s(&f), "--format", "json"], "");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let ids = rule_ids(&run);
    assert!(ids.contains(&"fnw-cloud-lambda-permission-public".to_owned()), "{ids:?}");
    let first = &run.json_lines()[0];
    assert_eq!(first["evidence"][0]["cloud"]["provider"], "aws");
    assert!(run.stderr.contains("1 files, 26 records, 26 events (cloudtrail 26), 0 rejected"), "{}", run.stderr);
    assert_eq!(fnwarden(&["logs", s(&f), "--format", "json", "--fail-on", "high"], "").code, 1);
    let table = fnwarden(&["logs", s(&f), "--format", "table"], "");
    assert!(table.stdout.contains("fnw-cloud-lambda-permission-public") || table.stdout.contains("permission"), "{}", table.stdout);
}

#[test]
fn benign_logs_exit_zero_with_no_alert() {
    let run = fnwarden(&["logs", s(&fixture("cloudtrail/benign")), "--format", "json", "--fail-on", "info"], "");
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{}", run.stderr);
    assert!(run.stderr.contains("3 files, 379 records"), "{}", run.stderr);
}

#[test]
fn stdin_gzip_and_a_named_function() {
    let gz = std::fs::read(fixture("lambda/attack/denial-of-wallet.log.gz")).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_fnwarden"))
        .args(["logs", "-", "--format", "json", "--function", "report-renderer"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut input = child.stdin.take().unwrap();
        input.write_all(&gz).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    let alerts: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let ids: Vec<&str> = alerts.iter().filter_map(|a| a["rule"]["id"].as_str()).collect();
    assert!(ids.contains(&"fnw-log-denial-of-wallet") && ids.contains(&"fnw-log-invocation-surge"), "{ids:?}");
    assert!(alerts.iter().all(|a| a["function"]["name"] == "report-renderer"));
}

#[test]
fn malformed_input_is_named_counted_and_the_rest_judged() {
    let run = fnwarden(&["logs", s(&fixture("malformed")), "--format", "json", "--stats"], "");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("cloudtrail-bad-lines.jsonl:6: not JSON"), "{}", run.stderr);
    assert!(run.stderr.contains("cloudtrail-bad-lines.jsonl:8: CloudTrail record has no `eventTime` and no `eventName`"), "{}", run.stderr);
    assert!(run.stderr.contains("unknown-format.csv: not a log format fnwarden reads"), "{}", run.stderr);
    assert!(run.stderr.contains("truncated-records.json:"), "{}", run.stderr);
    let stats: serde_json::Value = serde_json::from_str(run.stderr.lines().last().unwrap()).unwrap();
    let by = &stats["input"]["rejected_by_reason"];
    assert_eq!((by["not_json"].as_u64(), by["missing_field"].as_u64(), by["unknown_format"].as_u64()), (Some(1), Some(1), Some(1)));
    assert_eq!(by["bad_value"].as_u64(), Some(2));
    assert_eq!(stats["input"]["files_skipped"], 1);
    assert!(stats["input"]["events"].as_u64().unwrap() >= 29);
}

#[test]
fn usage_errors_name_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let bad = write(dir.path(), "fnwarden.toml", "[metrics.defaults]\nmax_duraton_ms = 5\n");
    let run = fnwarden(&["logs", s(&fixture("mixed")), "--config", s(&bad)], "");
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("max_duraton_ms") && run.stderr.contains("fnwarden.toml"), "{}", run.stderr);
    let run = fnwarden(&["logs", s(&fixture("mixed")), "--log-format", "syslog"], "");
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("cloudtrail") && run.stderr.contains("syslog"), "{}", run.stderr);
    let run = fnwarden(&["logs", "/nonexistent/trail.json"], "");
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("/nonexistent/trail.json: cannot read"), "{}", run.stderr);
    let run = fnwarden(&["logs", "timeline", "-"], "");
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("twice"), "{}", run.stderr);
}

#[test]
fn the_config_sets_thresholds_per_function() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write(dir.path(), "fnwarden.toml", "[metrics.functions.cryptomining]\nmax_duration_ms = 0\n");
    let f = fixture("lambda/attack/cryptomining.log");
    let with = rule_ids(&fnwarden(&["logs", s(&f), "--format", "json"], ""));
    let without = rule_ids(&fnwarden(&["logs", s(&f), "--format", "json", "--config", s(&cfg)], ""));
    assert!(with.contains(&"fnw-log-duration-threshold".to_owned()), "{with:?}");
    assert!(
        !without.contains(&"fnw-log-duration-threshold".to_owned()) && without.contains(&"fnw-log-mining-signature".to_owned()),
        "{without:?}"
    );
}

#[test]
fn timeline_shows_the_events_around_each_alert() {
    let f = fixture("cloudtrail/attack/function-credentials-stolen.jsonl");
    let run = fnwarden(&["logs", "timeline", s(&f)], "");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("fnw-cloud-function-credentials-used-outside"), "{}", run.stdout);
    assert!(run.stdout.contains("principal arn:aws:sts::111122223333:assumed-role/invoice-sync-role/invoice-sync"), "{}", run.stdout);
    assert!(run.stdout.contains("▶") && run.stdout.contains("GetCallerIdentity"), "{}", run.stdout);
    let json = fnwarden(&["logs", "timeline", s(&f), "--json", "--window", "1h"], "");
    let entries = json.json_lines();
    assert!(!entries.is_empty());
    for e in &entries {
        let events = e["events"].as_array().unwrap();
        assert!(!events.is_empty() && events.len() <= 50);
        let principal = e["key"]["principal"].as_str().unwrap();
        assert!(events.iter().all(|ev| ev["cloud"]["principal"] == principal));
    }
}

#[test]
fn events_written_replay_through_detect() {
    let dir = tempfile::tempdir().unwrap();
    let events = dir.path().join("events.jsonl");
    let f = fixture("cloudtrail/attack/lambda-backdoors.json");
    let logs = fnwarden(&["logs", s(&f), "--format", "json", "--events", s(&events)], "");
    let detect = fnwarden(&["detect", "--input", s(&events), "--format", "json"], "");
    assert_eq!(detect.code, 0, "{}", detect.stderr);
    assert!(detect.stderr.contains("26 events read, 0 rejected"), "{}", detect.stderr);
    assert_eq!(rule_ids(&logs), rule_ids(&detect));
}

#[test]
fn disable_turns_a_rule_off_by_id() {
    let f = fixture("cloudtrail/attack/lambda-backdoors.json");
    let all = rule_ids(&fnwarden(&["logs", s(&f), "--format", "json"], ""));
    assert!(all.contains(&"fnw-cloud-lambda-permission-public".to_owned()));
    let run = fnwarden(&["logs", s(&f), "--format", "json", "--disable", "fnw-cloud-lambda-permission-public"], "");
    let some = rule_ids(&run);
    assert!(
        !some.contains(&"fnw-cloud-lambda-permission-public".to_owned()) && some.contains(&"fnw-cloud-lambda-url-public".to_owned()),
        "{some:?}"
    );
    let bad = fnwarden(&["logs", s(&f), "--disable", "no-such-rule"], "");
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("--disable no-such-rule"), "{}", bad.stderr);
}
