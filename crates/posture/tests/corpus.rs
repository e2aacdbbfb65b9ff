//! The posture corpus apps (tests/scan/posture-*), read by fnwarden-iac as the scan would, must
//! raise exactly the posture findings their expect.txt lists for posture rules, and none of the
//! `none` lines. Findings of other analysers are the scan's corpus test's business.

use std::fs;
use std::path::{Path, PathBuf};

use fnwarden_posture::{PostureOptions, check, rules};
use fnwarden_project::Finding;
use time::macros::date;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scan")
}

fn files(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![PathBuf::new()];
    while let Some(rel) = dirs.pop() {
        let mut entries: Vec<_> = fs::read_dir(root.join(&rel)).unwrap().map(|e| e.unwrap()).collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let path = rel.join(e.file_name());
            if e.file_type().unwrap().is_dir() {
                dirs.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out
}

/// The scan's defaults (no own accounts), with the day fixed so that runtime findings do not move
/// with the calendar.
fn opts() -> PostureOptions {
    PostureOptions { today: date!(2026 - 12 - 01), ..PostureOptions::default() }
}

fn findings(app: &str) -> Vec<Finding> {
    let root = corpus().join(app);
    let (project, diagnostics) = fnwarden_iac::read_project(&root, &files(&root));
    assert!(diagnostics.is_empty(), "{app}: {diagnostics:#?}");
    check(&project, &opts())
}

struct Expect {
    find: Vec<(String, String, u32, Option<String>)>,
    none: Vec<(String, String, Option<u32>)>,
}

fn expect(app: &str) -> Expect {
    let ours: Vec<&str> = rules().iter().map(|r| r.id).collect();
    let text = fs::read_to_string(corpus().join(app).join("expect.txt")).unwrap();
    let mut e = Expect { find: vec![], none: vec![] };
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let words: Vec<&str> = line.split_whitespace().collect();
        let (file, at) = match words[2].rsplit_once(':') {
            Some((f, l)) => (f.to_owned(), Some(l.parse::<u32>().unwrap())),
            None => (words[2].to_owned(), None),
        };
        if !ours.contains(&words[1]) {
            continue;
        }
        match words[0] {
            "find" => {
                let function = words.get(3).and_then(|w| w.strip_prefix("function=")).map(str::to_owned);
                e.find.push((words[1].to_owned(), file, at.unwrap(), function));
            }
            "none" => e.none.push((words[1].to_owned(), file, at)),
            other => panic!("{app}: unknown expect verb {other}"),
        }
    }
    e
}

fn assert_app(app: &str) {
    let found = findings(app);
    let e = expect(app);
    let got: Vec<String> =
        found.iter().map(|f| format!("{} {}:{} {:?}", f.rule.id, f.location.file.display(), f.location.line, f.function)).collect();
    for f in &found {
        let matched = e.find.iter().any(|(rule, file, line, function)| {
            rule == f.rule.id
                && Path::new(file) == f.location.file
                && *line == f.location.line
                && function.as_ref().is_none_or(|fun| Some(fun) == f.function.as_ref())
        });
        assert!(matched, "{app}: unexpected {} at {} ({:?}): {}\nall: {got:#?}", f.rule.id, f.location, f.function, f.message);
    }
    for (rule, file, line, function) in &e.find {
        let matched = found.iter().any(|f| {
            f.rule.id == rule
                && Path::new(file) == f.location.file
                && f.location.line == *line
                && function.as_ref().is_none_or(|fun| Some(fun) == f.function.as_ref())
        });
        assert!(matched, "{app}: missing {rule} {file}:{line} {function:?}\nall: {got:#?}");
    }
    for (rule, file, line) in &e.none {
        let hit =
            found.iter().find(|f| f.rule.id == rule && Path::new(file) == f.location.file && line.is_none_or(|l| l == f.location.line));
        assert!(hit.is_none(), "{app}: {rule} must not be at {file}:{line:?}: {hit:#?}");
    }
}

#[test]
fn serverless_orders() {
    assert_app("posture-serverless-orders");
}

#[test]
fn sam_media() {
    assert_app("posture-sam-media");
}

#[test]
fn terraform_reports() {
    assert_app("posture-terraform-reports");
}

#[test]
fn cloudformation_streams() {
    assert_app("posture-cfn-streams");
}

#[test]
fn env_secret() {
    assert_app("posture-env-secret");
}

/// Every posture rule has a `find` and a `none` line somewhere in the posture corpus.
#[test]
fn every_rule_is_covered() {
    let apps: Vec<String> = fs::read_dir(corpus())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("posture-"))
        .collect();
    let all: Vec<Expect> = apps.iter().map(|a| expect(a)).collect();
    for rule in rules() {
        assert!(all.iter().any(|e| e.find.iter().any(|f| f.0 == rule.id)), "no find line for {}", rule.id);
        assert!(all.iter().any(|e| e.none.iter().any(|n| n.0 == rule.id)), "no none line for {}", rule.id);
    }
}
