//! `fnwarden rules validate|list|test`.

use std::path::PathBuf;
use std::process::ExitCode;

use fnwarden_detect::testing;
use fnwarden_rules::ruleset::Builder;
use fnwarden_rules::{LoadError, RuleMeta, RuleSet};

use crate::builtin;
use crate::columns::table;
use crate::rulesource::{self, RuleArgs};

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    Validate(ValidateArgs),
    List(ListArgs),
    Test(TestArgs),
}

#[derive(clap::Args, Debug)]
#[command(
    about = "Check rule files: every error with file, line, column and rule",
    long_about = "Loads rule files or directories (every .yaml/.yml below them; Falco-style or Sigma, \
detected per file) and prints every load error as FILE:LINE:COL: rule \"NAME\": message, then a \
summary. Exits 1 if any rule failed to load.\n\n\
Examples:\n  fnwarden rules validate my-rules/\n  fnwarden rules validate a.yaml b.yml --json"
)]
pub struct ValidateArgs {
    /// Rule files or directories.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Load the built-in rules first, so that the files may use their lists and macros (or
    /// append to them); only the files' own rules are counted and tested.
    #[arg(long)]
    with_builtin: bool,
    /// The summary and errors as one JSON object.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args, Debug)]
#[command(
    about = "List rules with severity, dialect, ATT&CK ids and source",
    long_about = "Lists the loaded rules and correlations (the built-in pack unless --no-builtin, plus any \
--rules): id, title, severity, dialect, MITRE ATT&CK technique ids and where each is defined. Rules \
that fail to load are counted on stderr (see `fnwarden rules validate`).\n\n\
Examples:\n  fnwarden rules list\n  fnwarden rules list --no-builtin --rules my-rules/ --json"
)]
pub struct ListArgs {
    #[command(flatten)]
    rules: RuleArgs,
    /// One JSON array, for machines.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args, Debug)]
#[command(
    about = "Run the must-match / must-not-match events embedded in rules",
    long_about = "Runs every test event embedded in the rules (`tests: {match: [...], no_match: [...]}`) \
through the engine, each against the rule under test alone, and prints every failure with its \
location. Without PATH, tests the built-in rules. Exits 1 on any failure or rule load error.\n\n\
Examples:\n  fnwarden rules test\n  fnwarden rules test my-rules/ --json"
)]
pub struct TestArgs {
    /// Rule files or directories; default: the built-in rules.
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Load the built-in rules first, so that the files may use their lists and macros (or
    /// append to them); only the files' own rules are counted and tested.
    #[arg(long)]
    with_builtin: bool,
    /// Outcomes and summary as one JSON object.
    #[arg(long)]
    json: bool,
}

pub fn run(c: Command) -> anyhow::Result<ExitCode> {
    match c {
        Command::Validate(a) => validate(a),
        Command::List(a) => list(a),
        Command::Test(a) => test(a),
    }
}

fn load_paths(paths: &[PathBuf], with_builtin: bool) -> RuleSet {
    let mut b = Builder::default();
    if with_builtin {
        builtin::add(&mut b);
    }
    for p in paths {
        b.add_path(p);
    }
    let mut set = b.finish();
    if with_builtin {
        // The built-in rules are context here: report and test only the files' own.
        // Built-in rules a file's correlation uses stay, without their own tests.
        let builtin = |file: &std::path::Path| file.to_string_lossy().starts_with(builtin::PREFIX);
        set.correlations.retain(|c| !builtin(&c.meta.source.file));
        let used = |r: &fnwarden_rules::Rule| {
            set.correlations.iter().any(|c| c.rules.iter().any(|n| *n == r.meta.id || r.meta.name.as_deref() == Some(n.as_str())))
        };
        let keep: Vec<bool> = set.rules.iter().map(|r| !builtin(&r.meta.source.file) || used(r)).collect();
        let mut keep = keep.into_iter();
        set.rules.retain(|_| keep.next().unwrap_or(false));
        for r in set.rules.iter_mut().filter(|r| builtin(&r.meta.source.file)) {
            r.tests.clear();
        }
    }
    set
}

/// A nudge when a file uses names only the built-in rules define.
fn hint_builtin(set: &RuleSet, with_builtin: bool) {
    if !with_builtin && set.errors.iter().any(|e| e.message.contains("undefined macro") || e.message.contains("not loaded")) {
        eprintln!("hint: to use the built-in lists, macros and rules from your files, add --with-builtin");
    }
}

fn error_json(e: &LoadError) -> serde_json::Value {
    serde_json::json!({
        "file": e.file.display().to_string(),
        "line": e.line,
        "col": e.col,
        "rule": e.rule,
        "message": e.message,
    })
}

fn code(failed: bool) -> ExitCode {
    if failed { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

fn validate(a: ValidateArgs) -> anyhow::Result<ExitCode> {
    let set = load_paths(&a.paths, a.with_builtin);
    hint_builtin(&set, a.with_builtin);
    if a.json {
        let v = serde_json::json!({
            "rules": set.rules.len(),
            "correlations": set.correlations.len(),
            "files": set.files,
            "errors": set.errors.iter().map(error_json).collect::<Vec<_>>(),
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        for e in &set.errors {
            println!("{e}");
        }
        println!(
            "{} rules, {} correlations loaded from {} files; {} errors",
            set.rules.len(),
            set.correlations.len(),
            set.files,
            set.errors.len()
        );
    }
    Ok(code(!set.errors.is_empty()))
}

fn mitre_text(m: &RuleMeta) -> String {
    if m.mitre.is_empty() { "-".to_owned() } else { m.mitre.join(",") }
}

fn source_text(m: &RuleMeta) -> String {
    format!("{}:{}", m.source.file.display(), m.source.line)
}

fn list(a: ListArgs) -> anyhow::Result<ExitCode> {
    let set = a.rules.load()?;
    let metas = set.rules.iter().map(|r| (&r.meta, "rule")).chain(set.correlations.iter().map(|c| (&c.meta, "correlation")));
    if a.json {
        let v: Vec<serde_json::Value> = metas
            .map(|(m, kind)| {
                serde_json::json!({
                    "id": m.id,
                    "title": m.title,
                    "kind": kind,
                    "severity": m.severity.name(),
                    "dialect": m.dialect.name(),
                    "mitre": m.mitre,
                    "tags": m.tags,
                    "enabled": m.enabled,
                    "source": source_text(m),
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        let rows: Vec<[String; 6]> = metas
            .map(|(m, kind)| {
                let title = if kind == "correlation" { format!("{} (correlation)", m.title) } else { m.title.clone() };
                [m.id.clone(), m.severity.name().to_owned(), m.dialect.name().to_owned(), mitre_text(m), source_text(m), title]
            })
            .collect();
        if rows.is_empty() {
            println!("no rules loaded");
        } else {
            println!("{}", table(["ID", "SEVERITY", "DIALECT", "MITRE", "SOURCE", "TITLE"], &rows));
        }
    }
    if !set.errors.is_empty() {
        eprintln!("{} rule errors; `fnwarden rules validate PATH` lists them", set.errors.len());
    }
    Ok(ExitCode::SUCCESS)
}

fn test(a: TestArgs) -> anyhow::Result<ExitCode> {
    let set = if a.paths.is_empty() {
        RuleArgs { rules: Vec::new(), no_builtin: false, disable: Vec::new() }.load()?
    } else {
        load_paths(&a.paths, a.with_builtin)
    };
    hint_builtin(&set, a.with_builtin || a.paths.is_empty());
    let outcomes = testing::run(&set);
    let failed: Vec<&testing::TestOutcome> = outcomes.iter().filter(|o| !o.passed()).collect();
    let untested = set.rules.iter().filter(|r| r.tests.is_empty()).count() + set.correlations.iter().filter(|c| c.tests.is_empty()).count();
    let expectation = |o: &testing::TestOutcome| if o.should_match { "should match but did not" } else { "should not match but did" };
    if a.json {
        let v = serde_json::json!({
            "tests": outcomes.len(),
            "passed": outcomes.len() - failed.len(),
            "failed": failed.iter().map(|o| serde_json::json!({
                "rule": o.rule, "location": o.location, "should_match": o.should_match, "matched": o.matched,
            })).collect::<Vec<_>>(),
            "rules": set.rules.len() + set.correlations.len(),
            "untested_rules": untested,
            "errors": set.errors.iter().map(error_json).collect::<Vec<_>>(),
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        rulesource::report_errors(&set, None);
        for o in &failed {
            println!("{}: rule {:?}: test event {}", o.location, o.rule, expectation(o));
        }
        println!(
            "{} passed, {} failed ({} rules, {} without tests; {} load errors)",
            outcomes.len() - failed.len(),
            failed.len(),
            set.rules.len() + set.correlations.len(),
            untested,
            set.errors.len()
        );
    }
    Ok(code(!failed.is_empty() || !set.errors.is_empty()))
}
