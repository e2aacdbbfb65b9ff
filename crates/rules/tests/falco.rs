//! The Falco dialect end to end: files in, IR out, judged against events.

use std::path::Path;

use fnwarden_event::Event;
use fnwarden_rules::ruleset::Builder;
use fnwarden_rules::{Action, Dialect, Rule, RuleSet, Severity, load_str};
use proptest::prelude::*;

fn ev(json: &str) -> Event {
    let mut e = fnwarden_event::parse_event(json.as_bytes()).unwrap_or_else(|e| panic!("{e}: {json}"));
    e.normalize();
    e
}

fn rule<'a>(set: &'a RuleSet, id: &str) -> &'a Rule {
    set.rules.iter().find(|r| r.meta.id == id).unwrap_or_else(|| panic!("rule {id} not loaded; errors: {:#?}", set.errors))
}

fn only_error(set: &RuleSet) -> String {
    assert_eq!(set.errors.len(), 1, "{:#?}", set.errors);
    set.errors[0].to_string()
}

const SHELL: &str = r#"{"time":1,"type":"execve","proc":{"exe":"/bin/bash","args":["bash","-c","id"],"ancestors":[{"pid":1,"exe":"/var/lang/bin/python3.11","name":"python3.11"}]}}"#;
const LS: &str = r#"{"time":1,"type":"execve","proc":{"exe":"/bin/ls","args":["ls"],"ancestors":[{"pid":1,"exe":"/var/lang/bin/python3.11","name":"python3.11"}]}}"#;

const BASE: &str = r#"
- list: shell_binaries
  items: [sh, bash]
- list: all_shells
  items: [shell_binaries, zsh, "dash"]
- macro: spawned_process
  condition: evt.type = execve and evt.dir=<
- macro: runtime_parent
  condition: proc.pname startswith python or proc.pname in (node)
- rule: Shell from runtime
  id: fnw-test-shell
  desc: >
    A shell started by the function runtime.
  condition: spawned_process and proc.name in (all_shells) and runtime_parent
  output: shell %proc.cmdline under %proc.pname (fn=%function.name)
  priority: WARNING
  tags: [attack.execution, attack.t1059.004]
  author: fnwarden
  remediation: Remove the shell call.
  action: kill
  tests:
    match:
      - {type: execve, proc: {exe: /bin/sh, args: [sh], ancestors: [{name: python3.11}]}}
    no_match:
      - {type: execve, proc: {exe: /bin/ls, args: [ls], ancestors: [{name: python3.11}]}}
"#;

#[test]
fn lists_macros_and_rules_compile_and_match() {
    let set = load_str(BASE, "base.yaml");
    assert!(set.errors.is_empty(), "{:#?}", set.errors);
    let r = rule(&set, "fnw-test-shell");
    assert_eq!(r.meta.title, "Shell from runtime");
    assert_eq!(r.meta.severity, Severity::Medium);
    assert_eq!(r.meta.priority.as_deref(), Some("WARNING"));
    assert_eq!(r.meta.mitre, vec!["T1059.004"]);
    assert_eq!(r.meta.dialect, Dialect::Falco);
    assert_eq!(r.meta.description, "A shell started by the function runtime.");
    assert_eq!(r.meta.remediation, "Remove the shell call.");
    assert_eq!(r.action, Action::Kill);
    assert_eq!(r.meta.source.line, 10);
    assert_eq!(r.tests.len(), 2);
    assert!(r.tests[0].should_match && !r.tests[1].should_match);
    assert!(r.condition.matches(&ev(SHELL)));
    assert!(!r.condition.matches(&ev(LS)));
    let out = r.output.as_ref().unwrap().render(&ev(SHELL));
    assert_eq!(out, "shell bash -c id under python3.11 (fn=<NA>)");
    // Nested list names expand; quoted items do not name lists.
    assert!(r.condition.matches(&ev(&SHELL.replace("/bin/bash", "/bin/zsh"))));
    assert!(r.condition.matches(&ev(&SHELL.replace("/bin/bash", "/bin/dash"))));
}

#[test]
fn every_operator_has_its_meaning() {
    let cases: &[(&str, &str, bool)] = &[
        ("proc.name = bash", SHELL, true),
        ("proc.name == bash", SHELL, true),
        ("proc.name != bash", SHELL, false),
        ("proc.name != ls", SHELL, true),
        ("proc.pid < 10", r#"{"time":1,"type":"execve","proc":{"pid":5,"exe":"/x"}}"#, true),
        ("proc.pid <= 5", r#"{"time":1,"type":"execve","proc":{"pid":5,"exe":"/x"}}"#, true),
        ("proc.pid > 5", r#"{"time":1,"type":"execve","proc":{"pid":5,"exe":"/x"}}"#, false),
        ("proc.pid >= 5", r#"{"time":1,"type":"execve","proc":{"pid":5,"exe":"/x"}}"#, true),
        ("proc.pid in (1, 5, 7)", r#"{"time":1,"type":"execve","proc":{"pid":5,"exe":"/x"}}"#, true),
        ("proc.pid != 5", r#"{"time":1,"type":"execve","proc":{"pid":5,"exe":"/x"}}"#, false),
        ("proc.name in (sh, bash)", SHELL, true),
        ("proc.aname intersects (node, python3.11)", SHELL, true),
        ("proc.aname intersects (node, ruby)", SHELL, false),
        ("proc.cmdline contains '-c i'", SHELL, true),
        ("proc.cmdline contains '-C I'", SHELL, false),
        ("proc.cmdline icontains '-C I'", SHELL, true),
        ("proc.exepath startswith /bin/", SHELL, true),
        ("proc.exepath endswith /bash", SHELL, true),
        ("proc.exepath endswith /BASH", SHELL, false),
        ("proc.exepath glob '/bin/ba?h'", SHELL, true),
        ("proc.exepath glob '/usr/*'", SHELL, false),
        ("proc.exepath iglob '/BIN/*'", SHELL, true),
        ("proc.exepath pmatch (/usr/bin, /bin)", SHELL, true),
        ("proc.exepath pmatch (/usr/bin, /sbin)", SHELL, false),
        ("proc.exepath pmatch (/bi)", SHELL, false),
        ("proc.cwd exists", SHELL, false),
        ("proc.exepath exists", SHELL, true),
        // Falco's regex matches the whole value.
        ("proc.name regex 'ba.h'", SHELL, true),
        ("proc.name regex 'as'", SHELL, false),
        ("proc.name = val(proc.name)", SHELL, true),
        ("proc.name = val(proc.pname)", SHELL, false),
        ("not proc.name = bash", SHELL, false),
        ("(proc.name = ls or proc.name = bash) and not proc.pname = node", SHELL, true),
        ("fd.sip = 169.254.169.254", r#"{"time":1,"type":"connect","net":{"remote":{"ip":"169.254.169.254","port":80}}}"#, true),
        (
            "fd.sip in (10.0.0.0/8, 169.254.0.0/16)",
            r#"{"time":1,"type":"connect","net":{"remote":{"ip":"169.254.169.254","port":80}}}"#,
            true,
        ),
        ("fd.sip != 169.254.169.254", r#"{"time":1,"type":"connect","net":{"remote":{"ip":"10.1.1.1","port":80}}}"#, true),
        ("fd.sport = 80", r#"{"time":1,"type":"connect","net":{"remote":{"ip":"169.254.169.254","port":80}}}"#, true),
        ("evt.is_open_write = true", r#"{"time":1,"type":"open","file":{"path":"/tmp/x","flags":"O_WRONLY"}}"#, true),
        ("evt.is_open_write = false", r#"{"time":1,"type":"open","file":{"path":"/tmp/x","flags":"O_WRONLY"}}"#, false),
        ("evt.arg.request = PTRACE_ATTACH", r#"{"time":1,"type":"ptrace","syscall":{"args":{"request":"PTRACE_ATTACH"}}}"#, true),
        ("evt.rawres < 0", r#"{"time":1,"type":"ptrace","syscall":{"res":-1}}"#, true),
        ("evt.type in (open, openat)", r#"{"time":1,"type":"openat","file":{"path":"/x"}}"#, true),
    ];
    for (cond, event, want) in cases {
        let text = format!("- rule: r\n  condition: {cond}\n  output: x\n  priority: INFO\n");
        let set = load_str(&text, "ops.yaml");
        assert!(set.errors.is_empty(), "{cond}: {:#?}", set.errors);
        assert_eq!(rule(&set, "r").condition.matches(&ev(event)), *want, "{cond} on {event}");
    }
}

#[test]
fn exceptions_suppress_matching_tuples() {
    let text = r#"
- list: trusted
  items: [/var/runtime/bootstrap]
- rule: Environ read
  condition: evt.type = open and fd.name glob '/proc/*/environ'
  priority: ERROR
  exceptions:
    - name: runtime
      fields: [proc.exepath, fd.name]
      comps: [in, startswith]
      values:
        - [trusted, /proc/self]
    - name: by_name
      fields: proc.name
      values: [datadog-agent]
"#;
    let set = load_str(text, "exc.yaml");
    assert!(set.errors.is_empty(), "{:#?}", set.errors);
    let r = rule(&set, "Environ read");
    let open = |exe: &str, path: &str| ev(&format!(r#"{{"time":1,"type":"open","proc":{{"exe":"{exe}"}},"file":{{"path":"{path}"}}}}"#));
    assert!(r.condition.matches(&open("/usr/bin/cat", "/proc/self/environ")));
    assert!(!r.condition.matches(&open("/var/runtime/bootstrap", "/proc/self/environ")));
    // Both fields of the tuple must hold for the exception to apply.
    assert!(r.condition.matches(&open("/var/runtime/bootstrap", "/proc/1/environ")));
    assert!(!r.condition.matches(&open("/opt/datadog-agent", "/proc/1/environ")));
}

#[test]
fn append_and_override_apply_in_order_across_files() {
    let mut b = Builder::default();
    b.add_str(BASE, Path::new("base.yaml"));
    let user = r#"
- list: shell_binaries
  items: [ksh]
  append: true
- macro: runtime_parent
  condition: or proc.pname = ruby
  append: true
- rule: Shell from runtime
  condition: and not proc.cmdline contains healthcheck
  override:
    condition: append
- rule: Shell from runtime
  priority: CRITICAL
  tags: [custom]
  override:
    priority: replace
    tags: append
- rule: Shell from runtime
  exceptions:
    - name: by_cmd
      fields: [proc.cmdline]
      comps: [startswith]
      values: [["bash -c ok"]]
  override: {exceptions: append}
- rule: Shell from runtime
  exceptions:
    - name: by_cmd
      values: [["bash -c fine"]]
  override: {exceptions: append}
"#;
    b.add_str(user, Path::new("user.yaml"));
    let set = b.finish();
    assert!(set.errors.is_empty(), "{:#?}", set.errors);
    let r = rule(&set, "fnw-test-shell");
    assert_eq!(r.meta.severity, Severity::Critical);
    assert_eq!(r.meta.tags, vec!["attack.execution", "attack.t1059.004", "custom"]);
    assert!(r.condition.matches(&ev(&SHELL.replace("/bin/bash", "/bin/ksh"))));
    assert!(r.condition.matches(&ev(&SHELL.replace("python3.11", "ruby"))));
    assert!(!r.condition.matches(&ev(&SHELL.replace("\"id\"", "\"healthcheck\""))));
    // Exception values appended in two steps, the second without repeating the fields.
    assert!(!r.condition.matches(&ev(&SHELL.replace("\"id\"", "\"ok\""))));
    assert!(!r.condition.matches(&ev(&SHELL.replace("\"id\"", "\"fine\""))));
    assert!(r.condition.matches(&ev(&SHELL.replace("\"id\"", "\"bad\""))));

    // Disabling by name alone.
    let mut b = Builder::default();
    b.add_str(BASE, Path::new("base.yaml"));
    b.add_str("- rule: Shell from runtime\n  enabled: false\n", Path::new("off.yaml"));
    let set = b.finish();
    assert!(set.errors.is_empty(), "{:#?}", set.errors);
    assert!(!rule(&set, "fnw-test-shell").meta.enabled);
}

#[test]
fn errors_name_file_line_column_and_rule() {
    let e = only_error(&load_str("- rule: r1\n  condition: evt.type = execve and proc.nam = sh\n  priority: INFO\n", "a.yaml"));
    assert!(e.starts_with("a.yaml:2:36: rule \"r1\": unknown field \"proc.nam\"; did you mean proc.name"), "{e}");

    let e = only_error(&load_str("- rule: r2\n  condition: proc.pid contains 3\n", "b.yaml"));
    assert!(e.starts_with("b.yaml:2:23: rule \"r2\": operator `contains`"), "{e}");

    let e = only_error(&load_str("- rule: r3\n  condition: spawned and proc.name = sh\n", "c.yaml"));
    assert!(e.starts_with("c.yaml:2:14: rule \"r3\": undefined macro \"spawned\""), "{e}");

    let e = only_error(&load_str("- rule: r4\n  condition: proc.name in (shells)\n  output: \"%proc.nope\"\n", "d.yaml"));
    assert!(e.contains("d.yaml:3:") && e.contains("output: unknown field \"proc.nope\""), "{e}");

    let e = only_error(&load_str("- rule: r5\n  conditon: proc.name = sh\n", "e.yaml"));
    assert!(e.starts_with("e.yaml:2:3: rule \"r5\": unknown key `conditon`; did you mean `condition`?"), "{e}");

    let e = only_error(&load_str("- rule: r6\n  condition: proc.name = sh\n  priority: LOUD\n", "f.yaml"));
    assert!(e.contains("f.yaml:3:13") && e.contains("unknown priority \"LOUD\""), "{e}");

    let e = only_error(&load_str("- rule: r7\n  condition: >\n    proc.name = sh and\n    (fd.name = x\n", "g.yaml"));
    assert!(e.contains("g.yaml:3:") && e.contains("expected ')'"), "{e}");

    let e = only_error(&load_str("- macro: m\n  condition: proc.nme = x\n", "h.yaml"));
    assert!(e.starts_with("h.yaml:2:14: rule \"m\": unknown field \"proc.nme\""), "{e}");

    let e = only_error(&load_str("- list: l\n  items: [a]\n  append: true\n", "i.yaml"));
    assert!(e.contains("append to a list that is not defined"), "{e}");

    let e = only_error(&load_str(
        "- rule: r8\n  condition: proc.name = sh\n  tests:\n    match:\n      - {type: execve, proc: {bogus: 1}}\n",
        "j.yaml",
    ));
    assert!(e.starts_with("j.yaml:5:9: rule \"r8\": test event: bad test event"), "{e}");
}

#[test]
fn one_bad_rule_does_not_stop_the_others() {
    let text = "- rule: good\n  condition: proc.name = sh\n- rule: bad\n  condition: proc.name in sh\n- rule: also good\n  condition: proc.name = ls\n";
    let set = load_str(text, "mixed.yaml");
    assert_eq!(set.rules.len(), 2);
    assert_eq!(set.errors.len(), 1);
    assert_eq!(set.errors[0].rule.as_deref(), Some("bad"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Whatever the text, loading returns rules or located errors and never panics.
    #[test]
    fn arbitrary_conditions_never_panic(cond in "\\PC{0,80}") {
        let text = format!("- rule: r\n  condition: {:?}\n", cond);
        let set = load_str(&text, "fuzz.yaml");
        prop_assert!(set.rules.len() + set.errors.len() >= 1);
    }

    #[test]
    fn arbitrary_files_never_panic(text in "(- (rule|macro|list): [a-z]{1,3}\n(  (condition|items|append|override|exceptions|priority): [ -~]{0,30}\n){0,3}){0,4}") {
        let _ = load_str(&text, "fuzz.yaml");
    }
}
