//! `fnwarden fields`, `fnwarden rules …`, help and version end to end.

mod common;

use common::{RULES, fnwarden, s, write};

#[test]
fn fields_lists_proc_name_with_type_and_meaning() {
    let r = fnwarden(&["fields"], "");
    assert_eq!(r.code, 0, "{}", r.stderr);
    let line = r.stdout.lines().find(|l| l.starts_with("proc.name ")).expect("proc.name listed");
    assert!(line.contains("string") && line.contains("process name"), "{line}");
    assert!(r.stdout.contains("proc.aname[n]"), "fields show their argument");
    let r = fnwarden(&["fields", "--json", "proc.name"], "");
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let names: Vec<&str> = v.as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["proc.name"]);
    assert_eq!(v[0]["type"], "string");
    assert!(v[0]["event_types"].as_array().unwrap().contains(&serde_json::json!("execve")));
    assert!(!v[0]["event_types"].as_array().unwrap().contains(&serde_json::json!("cloud_api")));
}

#[test]
fn fields_types_lists_event_types_with_category() {
    let r = fnwarden(&["fields", "--types"], "");
    assert_eq!(r.code, 0);
    let line = r.stdout.lines().find(|l| l.starts_with("cloud_api ")).expect("cloud_api listed");
    assert!(line.contains("cloud"), "{line}");
    let r = fnwarden(&["fields", "--types", "--json"], "");
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(v.as_array().unwrap().iter().any(|t| t["type"] == "execve" && t["category"] == "process"));
    assert_eq!(fnwarden(&["fields", "no.such.field"], "").code, 1);
}

#[test]
fn validate_names_file_and_line_of_a_broken_rule() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "good.yaml", RULES);
    let bad = write(dir.path(), "bad.yaml", "- rule: Misspelt\n  desc: d\n  output: o\n  condition: proc.nmae = sh\n  priority: WARNING\n");
    let r = fnwarden(&["rules", "validate", s(&good), s(&bad)], "");
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let err = r.stdout.lines().find(|l| l.contains("proc.nmae")).unwrap_or_else(|| panic!("error not named:\n{}", r.stdout));
    assert!(err.starts_with(&format!("{}:4:", s(&bad))), "{err}");
    assert!(err.contains("rule \"Misspelt\""), "{err}");
    assert!(r.stdout.contains("2 rules, 0 correlations loaded from 2 files; 1 errors"), "{}", r.stdout);
    let ok = fnwarden(&["rules", "validate", s(&good)], "");
    assert_eq!(ok.code, 0, "{}", ok.stdout);
    let json = fnwarden(&["rules", "validate", "--json", s(&bad)], "");
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v["errors"][0]["line"], 4);
    assert_eq!(v["errors"][0]["rule"], "Misspelt");
}

#[test]
fn yaml_syntax_errors_are_located_even_without_a_dialect() {
    let dir = tempfile::tempdir().unwrap();
    let bad = write(dir.path(), "syntax.yaml", "- rule: x\n  condition: [unclosed\n");
    let r = fnwarden(&["rules", "validate", s(&bad)], "");
    assert_eq!(r.code, 1);
    let err = r.stdout.lines().next().unwrap_or_default();
    let rest = err.strip_prefix(&format!("{}:", s(&bad))).unwrap_or_else(|| panic!("file not named: {err}"));
    let line: usize = rest.split(':').next().and_then(|l| l.parse().ok()).unwrap_or(0);
    assert!(line >= 2 && rest.contains("YAML syntax"), "{err}");
}

#[test]
fn list_shows_id_severity_dialect_mitre_and_source() {
    let dir = tempfile::tempdir().unwrap();
    let rules = write(dir.path(), "rules.yaml", RULES);
    let r = fnwarden(&["rules", "list", "--no-builtin", "--rules", s(&rules)], "");
    assert_eq!(r.code, 0, "{}", r.stderr);
    let line = r.stdout.lines().find(|l| l.starts_with("test-curl")).unwrap_or_else(|| panic!("{}", r.stdout));
    for piece in ["critical", "falco", "T1552.005", "rules.yaml:", "Curl in a function"] {
        assert!(line.contains(piece), "{piece} missing: {line}");
    }
    let r = fnwarden(&["rules", "list", "--no-builtin", "--rules", s(&rules), "--json"], "");
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2);
    assert_eq!(v[0]["id"], "test-shell-from-runtime");
    assert_eq!(v[0]["severity"], "medium");
    assert_eq!(v[0]["mitre"], serde_json::json!(["T1059.004"]));
}

#[test]
fn test_runs_embedded_events_and_reports_failures_by_location() {
    let dir = tempfile::tempdir().unwrap();
    let rules = write(
        dir.path(),
        "tested.yaml",
        r#"- rule: Curl in a function
  id: t-curl
  desc: d
  condition: evt.type = execve and proc.name = curl
  output: curl
  priority: WARNING
  tests:
    match:
      - {type: execve, proc: {exe: /usr/bin/curl, args: [curl]}}
      - {type: execve, proc: {exe: /usr/bin/wget, args: [wget]}}
    no_match:
      - {type: execve, proc: {exe: /bin/ls, args: [ls]}}
"#,
    );
    let r = fnwarden(&["rules", "test", s(&rules)], "");
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let fail = r.stdout.lines().find(|l| l.contains("should match but did not")).unwrap_or_else(|| panic!("{}", r.stdout));
    assert!(fail.starts_with(&format!("{}:10:", s(&rules))) && fail.contains("t-curl"), "{fail}");
    assert!(r.stdout.contains("2 passed, 1 failed"), "{}", r.stdout);
}

#[test]
fn help_teaches_and_version_answers() {
    let r = fnwarden(&["detect", "--help"], "");
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("fnwarden detect --input events.jsonl"), "{}", r.stdout);
    for cmd in [&["fields", "--help"][..], &["rules", "validate", "--help"], &["rules", "list", "--help"], &["rules", "test", "--help"]] {
        let r = fnwarden(cmd, "");
        assert!(r.stdout.contains("Examples:"), "{cmd:?}: {}", r.stdout);
    }
    let v = fnwarden(&["--version"], "");
    assert_eq!(v.stdout.trim(), format!("fnwarden {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn builtin_pack_is_embedded_from_the_repository() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules");
    let files = std::fs::read_dir(&dir).map(|d| d.flatten().count()).unwrap_or(0);
    if files == 0 {
        println!("skipped: {} has no rule files", dir.display());
        return;
    }
    let r = fnwarden(&["rules", "list", "--json"], "");
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let rules = v.as_array().unwrap();
    assert!(!rules.is_empty() || r.stderr.contains("rule errors"), "the pack neither loaded nor failed: {}", r.stderr);
    for rule in rules {
        assert!(rule["source"].as_str().unwrap().starts_with("builtin:rules/"), "{rule}");
    }
}

#[test]
fn user_files_can_build_on_the_builtin_macros() {
    let dir = tempfile::tempdir().unwrap();
    let user = write(
        dir.path(),
        "user.yaml",
        "- rule: Curl from a function\n  id: user-curl\n  condition: fnw_spawned_process and proc.name = curl\n  priority: WARNING\n  tests:\n    match:\n      - {type: execve, proc: {exe: /usr/bin/curl, args: [curl, x]}}\n    no_match:\n      - {type: execve, proc: {exe: /usr/bin/wget, args: [wget, x]}}\n",
    );
    // Alone, the built-in macro is undefined, and the error says how to bring it in.
    let r = fnwarden(&["rules", "test", s(&user)], "");
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("undefined macro \"fnw_spawned_process\"") && r.stderr.contains("--with-builtin"), "{}", r.stderr);
    // With the built-in rules loaded first, only the file's own rule is tested.
    let r = fnwarden(&["rules", "test", "--with-builtin", s(&user)], "");
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("2 passed, 0 failed (1 rules"), "{}", r.stdout);
    let r = fnwarden(&["rules", "validate", "--with-builtin", s(&user)], "");
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("1 rules, 0 correlations"), "{}", r.stdout);
}
