//! The built-in rule pack (`rules/`): it loads cleanly, every rule carries its metadata and
//! embedded tests, the tests pass, the coverage table in docs/rules.md names only loaded rules,
//! and the example event streams raise exactly the alerts they are meant to.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use fnwarden_detect::{Engine, EngineConfig, testing};
use fnwarden_event::EventReader;
use fnwarden_rules::RuleSet;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn builtin() -> &'static RuleSet {
    static SET: OnceLock<RuleSet> = OnceLock::new();
    SET.get_or_init(|| RuleSet::load(&[repo().join("rules")]))
}

/// Ids of every rule and correlation that raises alerts of its own.
fn alerting_ids(set: &RuleSet) -> BTreeSet<String> {
    let rules = set.rules.iter().filter(|r| r.meta.generate).map(|r| r.meta.id.clone());
    rules.chain(set.correlations.iter().map(|c| c.meta.id.clone())).collect()
}

#[test]
fn rule_pack_loads_without_errors() {
    let set = builtin();
    let errors: Vec<String> = set.errors.iter().map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{} load errors:\n{}", errors.len(), errors.join("\n"));
    assert!(set.rules.len() >= 40, "only {} rules loaded", set.rules.len());
    assert!(!set.correlations.is_empty(), "no correlation loaded");
}

#[test]
fn every_rule_has_metadata_and_both_kinds_of_test() {
    let set = builtin();
    let mut problems = Vec::new();
    for r in &set.rules {
        let m = &r.meta;
        let matches = r.tests.iter().filter(|t| t.should_match).count();
        let near_misses = r.tests.len() - matches;
        if matches == 0 || near_misses == 0 {
            problems.push(format!("{}: {matches} match and {near_misses} no_match tests", m.id));
        }
        if m.mitre.is_empty() {
            problems.push(format!("{}: no ATT&CK technique tag", m.id));
        }
        if m.remediation.is_empty() {
            problems.push(format!("{}: no remediation", m.id));
        }
        if !m.id.starts_with("fnw-") {
            problems.push(format!("{}: id does not start with fnw-", m.id));
        }
        if m.author != "fnwarden" {
            problems.push(format!("{}: author is {:?}", m.id, m.author));
        }
        if m.dialect == fnwarden_rules::Dialect::Falco {
            if m.description.is_empty() {
                problems.push(format!("{}: no desc", m.id));
            }
            let fields: Vec<String> = r.output.iter().flat_map(|o| o.fields()).map(|f| f.to_string()).collect();
            for needed in ["function.name", "function.instance"] {
                if !fields.iter().any(|f| f == needed) {
                    problems.push(format!("{}: output lacks %{needed}", m.id));
                }
            }
            let tactic = m.tags.iter().any(|t| t.starts_with("attack.") && !t[7..].starts_with('t'));
            if !tactic {
                problems.push(format!("{}: no ATT&CK tactic tag", m.id));
            }
        }
    }
    for c in &set.correlations {
        let m = &c.meta;
        let matches = c.tests.iter().filter(|t| t.should_match).count();
        if matches == 0 || matches == c.tests.len() {
            problems.push(format!("{}: correlation needs match and no_match sequences", m.id));
        }
        if m.mitre.is_empty() || (m.remediation.is_empty()) {
            problems.push(format!("{}: correlation lacks an ATT&CK tag or remediation", m.id));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn embedded_tests_pass() {
    let outcomes = testing::run(builtin());
    assert!(outcomes.len() >= 100, "only {} embedded tests ran", outcomes.len());
    let failed: Vec<String> = outcomes
        .iter()
        .filter(|o| !o.passed())
        .map(|o| format!("{} at {}: expected {}", o.rule, o.location, if o.should_match { "a match" } else { "no match" }))
        .collect();
    assert!(failed.is_empty(), "{} of {} embedded tests failed:\n{}", failed.len(), outcomes.len(), failed.join("\n"));
}

/// One row of the coverage table: technique number, rule ids, and the rest of the row.
struct Coverage {
    number: u32,
    ids: Vec<String>,
    row: String,
}

fn coverage_table() -> Vec<Coverage> {
    let path = repo().join("docs/rules.md");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let section = text.split("## Coverage").nth(1).unwrap_or_else(|| panic!("docs/rules.md has no `## Coverage` section"));
    let section = section.split("\n## ").next().unwrap_or(section);
    let mut rows = Vec::new();
    for line in section.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // `| 12 | technique | rule ids | note |` splits into ["", "12", …, ""].
        let Some(number) = cells.get(1).and_then(|c| c.parse::<u32>().ok()) else { continue };
        let ids = cells.get(3).map_or_else(Vec::new, |c| {
            c.split(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '-')).filter(|w| w.starts_with("fnw-")).map(str::to_owned).collect()
        });
        rows.push(Coverage { number, ids, row: line.to_owned() });
    }
    rows
}

#[test]
fn coverage_table_names_loaded_rules_for_every_technique() {
    let set = builtin();
    let loaded = alerting_ids(set);
    let rows = coverage_table();
    let numbers: Vec<u32> = rows.iter().map(|r| r.number).collect();
    assert_eq!(numbers, (1..=37).collect::<Vec<_>>(), "the table must list catalogue techniques 1-37 in order, once each");
    let mut problems = Vec::new();
    let mut covered = 0;
    for r in &rows {
        if r.ids.is_empty() {
            let reason = r.row.to_ascii_lowercase().contains("not visible") && (r.row.contains("#6") || r.row.contains("#4"));
            if !reason {
                problems.push(format!("technique {} has no rule and no reason naming issue #4 or #6", r.number));
            }
            continue;
        }
        covered += 1;
        for id in &r.ids {
            if !loaded.contains(id) {
                problems.push(format!("technique {}: {id} is not a loaded, alerting rule", r.number));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(covered >= 30, "only {covered} techniques map to rules");
    // Every alerting rule appears somewhere in the table, so the table is the pack's index.
    let listed: BTreeSet<&String> = rows.iter().flat_map(|r| &r.ids).collect();
    let unlisted: Vec<&String> = loaded.iter().filter(|id| !listed.contains(id)).collect();
    assert!(unlisted.is_empty(), "rules missing from the coverage table: {unlisted:?}");
}

/// Runs an example stream through the engine with the built-in rules; returns alerting rule ids.
fn alerts_for(file: &str) -> BTreeSet<String> {
    let path = repo().join("examples/events").join(file);
    let input = File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut reader = EventReader::new(BufReader::new(input), path.display().to_string());
    let mut engine = Engine::new(builtin(), EngineConfig::default());
    let mut alerts = Vec::new();
    let mut events = 0;
    for ev in reader.by_ref() {
        let ev = ev.unwrap_or_else(|e| panic!("{file}: {e}"));
        events += 1;
        engine.process(ev, &mut alerts);
    }
    engine.flush(&mut alerts);
    assert_eq!(reader.stats().rejected, 0, "{file}: rejected lines");
    assert!(events >= 10, "{file}: only {events} events");
    alerts.iter().map(|a| a.rule.id.clone()).collect()
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

#[test]
fn benign_invocations_raise_nothing() {
    assert_eq!(alerts_for("benign-invocations.jsonl"), BTreeSet::new());
}

#[test]
fn credential_theft_example_raises_its_rules() {
    assert_eq!(
        alerts_for("credential-theft.jsonl"),
        set(&[
            "fnw-cred-env-dump-command",
            "fnw-cred-imds-contact",
            "fnw-cred-metadata-credential-request",
            "fnw-cred-proc-environ-read",
            "fnw-cred-secret-file-read",
            "fnw-disc-recon-commands",
            "fnw-exec-download-tool",
            "fnw-exec-shell-spawned-by-runtime",
            "fnw-exfil-aws-key-in-egress",
            "fnw-exfil-upload-tool",
        ])
    );
}

#[test]
fn runtime_hijack_example_raises_its_rules() {
    assert_eq!(
        alerts_for("runtime-hijack.jsonl"),
        set(&[
            "fnw-exec-fileless-memfd",
            "fnw-exec-from-writable-dir",
            "fnw-exec-memfd-create",
            "fnw-persist-code-written-to-tmp",
            "fnw-persist-init-memory-map-read",
            "fnw-persist-runtime-api-foreign-client",
            "fnw-persist-runtime-api-redirected",
            "fnw-persist-runtime-memory-tamper",
            "fnw-persist-runtime-replaced",
            "fnw-persist-tmp-file-made-executable",
        ])
    );
}

#[test]
fn escape_attempt_example_raises_its_rules() {
    assert_eq!(
        alerts_for("escape-attempt.jsonl"),
        set(&[
            "fnw-cred-k8s-sa-token-read",
            "fnw-disc-k8s-api-contact",
            "fnw-disc-recon-commands",
            "fnw-escape-cgroup-release-agent",
            "fnw-escape-container-runtime-socket",
            "fnw-escape-mount",
            "fnw-escape-namespace-unshare",
            "fnw-escape-usermode-helper-write",
            "fnw-exec-download-tool",
            "fnw-exec-shell-spawned-by-runtime",
        ])
    );
}

#[test]
fn cryptominer_example_raises_its_rules() {
    assert_eq!(
        alerts_for("cryptominer.jsonl"),
        set(&[
            "fnw-exec-download-tool",
            "fnw-exec-elf-dropped-in-tmp",
            "fnw-exec-from-writable-dir",
            "fnw-exec-shell-spawned-by-runtime",
            "fnw-impact-miner-pool-connection",
            "fnw-impact-miner-process",
            "fnw-impact-timeout-streak",
            "fnw-persist-tmp-file-made-executable",
        ])
    );
}
