//! `fnwarden detect` end to end.

mod common;

use common::{BENIGN, RULES, SHELL, events, fnwarden, s, write};

#[test]
fn json_alerts_for_the_good_lines_and_located_rejections_for_the_bad() {
    let dir = tempfile::tempdir().unwrap();
    let rules = write(dir.path(), "rules.yaml", RULES);
    let input = write(dir.path(), "events.jsonl", &events());
    let r = fnwarden(&["detect", "--no-builtin", "--rules", s(&rules), "--input", s(&input), "--format", "json"], "");
    assert_eq!(r.code, 0, "stderr:\n{}", r.stderr);
    let alerts = r.json_lines();
    assert_eq!(alerts.len(), 2, "{}", r.stdout);
    assert_eq!(alerts[0]["rule"]["id"], "test-shell-from-runtime");
    assert_eq!(alerts[0]["severity"], "medium");
    assert_eq!(alerts[0]["message"], "shell sh -c id spawned by python3 (function=thumbnailer)");
    assert_eq!(alerts[0]["mitre"], serde_json::json!(["T1059.004"]));
    assert_eq!(alerts[0]["function"]["instance"], "sbx-7");
    assert_eq!(alerts[1]["rule"]["id"], "test-curl");
    assert_eq!(alerts[1]["severity"], "critical");
    let origin = s(&input);
    assert!(r.stderr.contains(&format!("{origin}:2: ")), "line 2 not reported:\n{}", r.stderr);
    assert!(r.stderr.contains(&format!("{origin}:4: ")) && r.stderr.contains("bogus"), "line 4 not reported:\n{}", r.stderr);
    assert!(r.stderr.contains("3 events read, 2 rejected, 2 alerts (1 critical, 1 medium)"), "{}", r.stderr);
}

#[test]
fn falco_lines_carry_what_falcosidekick_reads() {
    let dir = tempfile::tempdir().unwrap();
    let rules = write(dir.path(), "rules.yaml", RULES);
    let input = write(dir.path(), "events.jsonl", &events());
    let r = fnwarden(&["detect", "--no-builtin", "--rules", s(&rules), "--input", s(&input), "--format", "falco"], "");
    assert_eq!(r.code, 0, "stderr:\n{}", r.stderr);
    let lines = r.json_lines();
    assert_eq!(lines.len(), 2, "{}", r.stdout);
    let shell = &lines[0];
    assert_eq!(shell["rule"], "Shell spawned by function runtime");
    assert_eq!(shell["priority"], "Warning");
    assert_eq!(shell["time"], "2026-11-22T10:00:01.250000000Z");
    assert_eq!(shell["output"], "2026-11-22T10:00:01.250000000Z: Warning shell sh -c id spawned by python3 (function=thumbnailer)");
    assert_eq!(shell["source"], "syscall");
    assert_eq!(shell["hostname"], "ip-10-0-0-7");
    assert_eq!(shell["output_fields"]["proc.cmdline"], "sh -c id");
    assert_eq!(shell["output_fields"]["proc.pname"], "python3");
    assert_eq!(shell["output_fields"]["evt.time"], serde_json::json!(1_795_341_601_250_000_000_i64));
    assert!(shell["tags"].as_array().unwrap().contains(&serde_json::json!("attack.t1059.004")));
    assert_eq!(lines[1]["priority"], "Critical");
}

#[test]
fn fail_on_sets_the_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let rules = write(dir.path(), "rules.yaml", RULES);
    let input = write(dir.path(), "events.jsonl", &events());
    let base = ["detect", "--no-builtin", "--rules", s(&rules), "--input", s(&input), "--format", "json"];
    let critical = fnwarden(&[&base[..], &["--fail-on", "critical"]].concat(), "");
    assert_eq!(critical.code, 1, "{}", critical.stderr);
    assert_eq!(critical.json_lines().len(), 2, "alerts are still written");
    // Only the WARNING rule fires on this input: below `high`, at `medium`.
    let only_shell = write(dir.path(), "shell.jsonl", &format!("{SHELL}\n{BENIGN}\n"));
    let below = ["detect", "--no-builtin", "--rules", s(&rules), "--input", s(&only_shell), "--fail-on", "high"];
    assert_eq!(fnwarden(&below, "").code, 0);
    let at = ["detect", "--no-builtin", "--rules", s(&rules), "--input", s(&only_shell), "--fail-on", "warning"];
    assert_eq!(fnwarden(&at, "").code, 1);
}

#[test]
fn reads_stdin_and_writes_an_output_file() {
    let dir = tempfile::tempdir().unwrap();
    let rules = write(dir.path(), "rules.yaml", RULES);
    let out = dir.path().join("alerts.jsonl");
    let r = fnwarden(&["detect", "--no-builtin", "--rules", s(&rules), "--input", "-", "--output", s(&out), "--stats"], &events());
    assert_eq!(r.code, 0, "stderr:\n{}", r.stderr);
    assert!(r.stdout.is_empty(), "alerts went to stdout: {}", r.stdout);
    let written = std::fs::read_to_string(&out).unwrap();
    let ids: Vec<String> =
        written.lines().map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["rule"]["id"].to_string()).collect();
    assert_eq!(ids, ["\"test-shell-from-runtime\"", "\"test-curl\""]);
    assert!(r.stderr.contains("-:2: "), "stdin origin is `-`:\n{}", r.stderr);
    let stats_line = r.stderr.lines().find(|l| l.starts_with('{')).expect("--stats prints JSON");
    let stats: serde_json::Value = serde_json::from_str(stats_line).unwrap();
    assert_eq!(stats["input"]["events"], 3);
    assert_eq!(stats["input"]["rejected"], 2);
    assert_eq!(stats["alerts"]["total"], 2);
    assert_eq!(stats["engine"]["events"], 3);
    assert_eq!(stats["engine"]["rules"], 2);
}

#[test]
fn many_bad_lines_are_capped_but_all_counted() {
    let dir = tempfile::tempdir().unwrap();
    let rules = write(dir.path(), "rules.yaml", RULES);
    let mut text = "garbage\n".repeat(30);
    text.push_str(SHELL);
    let r = fnwarden(&["detect", "--no-builtin", "--rules", s(&rules), "--input", "-", "--format", "json"], &text);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json_lines().len(), 1, "the good line after the bad ones is judged");
    assert!(r.stderr.contains("-:20: ") && !r.stderr.contains("-:21: "), "{}", r.stderr);
    assert!(r.stderr.contains("… and 10 more rejected lines"), "{}", r.stderr);
    assert!(r.stderr.contains("1 events read, 30 rejected, 1 alert"), "{}", r.stderr);
}

#[test]
fn usage_and_input_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let rules = write(dir.path(), "rules.yaml", RULES);
    let missing = dir.path().join("missing.jsonl");
    let r = fnwarden(&["detect", "--no-builtin", "--rules", s(&rules), "--input", s(&missing)], "");
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("missing.jsonl"), "{}", r.stderr);
    let r = fnwarden(&["detect", "--no-builtin", "--input", "-"], "");
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no rules loaded"), "{}", r.stderr);
    let r = fnwarden(&["detect", "--input", "-", "--format", "xml"], "");
    assert_eq!(r.code, 2, "{}", r.stderr);
    let r = fnwarden(&["detect", "--input", "-", "--fail-on", "severe"], "");
    assert_eq!(r.code, 2, "{}", r.stderr);
}

#[test]
fn strict_refuses_bad_rules_that_are_otherwise_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let rules = write(dir.path(), "rules.yaml", RULES);
    let broken = write(dir.path(), "broken.yaml", "- rule: bad\n  desc: d\n  output: o\n  condition: proc.nmae = sh\n  priority: INFO\n");
    let args = ["detect", "--no-builtin", "--rules", s(&rules), "--rules", s(&broken), "--input", "-", "--format", "json"];
    let lenient = fnwarden(&args, SHELL);
    assert_eq!(lenient.code, 0, "{}", lenient.stderr);
    assert_eq!(lenient.json_lines().len(), 1);
    assert!(lenient.stderr.contains("broken.yaml:4:"), "{}", lenient.stderr);
    let strict = fnwarden(&[&args[..], &["--strict"]].concat(), SHELL);
    assert_eq!(strict.code, 2, "{}", strict.stderr);
}
