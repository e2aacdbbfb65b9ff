//! The scan corpus (tests/scan/<app>/, apps written for this project): each app is scanned as
//! its own root and its findings must be exactly the `find` lines of its expect.txt, and none of
//! its `none` lines. Every rule must be asserted both ways somewhere in the corpus.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use fnwarden_project::{Finding, ScanReport};
use fnwarden_scan::{PostureOptions, Quiet, ScanOptions};

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Expect {
    must: bool,
    rule: String,
    file: String,
    line: Option<u32>,
    function: Option<String>,
    at: String,
}

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scan")
}

fn apps() -> Vec<PathBuf> {
    let mut apps: Vec<PathBuf> =
        std::fs::read_dir(corpus()).unwrap().map(|e| e.unwrap().path()).filter(|p| p.join("expect.txt").is_file()).collect();
    apps.sort();
    apps
}

fn expectations(app: &Path) -> Vec<Expect> {
    let text = std::fs::read_to_string(app.join("expect.txt")).unwrap();
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let at = format!("{}/expect.txt:{}", app.file_name().unwrap().to_string_lossy(), n + 1);
        let mut words = line.split_whitespace();
        let must = match words.next() {
            Some("find") => true,
            Some("none") => false,
            other => panic!("{at}: expected find or none, got {other:?}"),
        };
        let rule = words.next().unwrap_or_else(|| panic!("{at}: no rule")).to_owned();
        let place = words.next().unwrap_or_else(|| panic!("{at}: no file"));
        let (file, line) = match place.rsplit_once(':') {
            Some((f, l)) => (f.to_owned(), Some(l.parse().unwrap_or_else(|_| panic!("{at}: bad line {l:?}")))),
            None => (place.to_owned(), None),
        };
        let mut function = None;
        for w in words {
            match w.strip_prefix("function=") {
                Some(f) => function = Some(f.to_owned()),
                None => panic!("{at}: unknown word {w:?}"),
            }
        }
        assert!(!must || line.is_some(), "{at}: a find line needs file:line");
        out.push(Expect { must, rule, file, line, function, at });
    }
    out
}

/// A vulnerability database built once from the shipped OSV excerpt.
fn vuln_db() -> PathBuf {
    static DB: OnceLock<PathBuf> = OnceLock::new();
    DB.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("fnwarden-corpus-osv-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let db = dir.join("osv.sqlite");
        let _ = std::fs::remove_file(&db);
        fnwarden_deps::import(&db, &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/osv"), &mut |_, _| {}).unwrap();
        db
    })
    .clone()
}

fn scan(app: &Path) -> ScanReport {
    let today = time::macros::date!(2026 - 12 - 01);
    let opts = ScanOptions {
        posture: PostureOptions { today, own_accounts: Vec::new(), ..PostureOptions::default() },
        vuln_db: Some(vuln_db()),
        ..ScanOptions::default()
    };
    fnwarden_scan::scan(app, &opts, &Quiet).unwrap()
}

fn matches(e: &Expect, f: &Finding) -> bool {
    e.rule == f.rule.id
        && Path::new(&e.file) == f.location.file
        && e.line.is_none_or(|l| l == f.location.line)
        && e.function.as_ref().is_none_or(|name| f.function.as_ref() == Some(name))
}

fn show(f: &Finding) -> String {
    let function = f.function.as_ref().map(|n| format!(" function={n}")).unwrap_or_default();
    format!("find {} {}:{}{function}    # {}", f.rule.id, f.location.file.display(), f.location.line, f.message)
}

#[test]
fn every_app_finds_exactly_what_it_expects() {
    let mut failures = Vec::new();
    for app in apps() {
        let name = app.file_name().unwrap().to_string_lossy().into_owned();
        let expect = expectations(&app);
        let report = scan(&app);
        let mut matched = BTreeSet::new();
        for f in &report.findings {
            match expect.iter().position(|e| e.must && !matched.contains(&e.at) && matches(e, f)) {
                Some(i) => {
                    matched.insert(expect[i].at.clone());
                }
                None => failures.push(format!("{name}: unexpected  {}", show(f))),
            }
            for e in expect.iter().filter(|e| !e.must && matches(e, f)) {
                failures.push(format!("{name}: must not find ({}): {}", e.at, show(f)));
            }
        }
        for e in expect.iter().filter(|e| e.must && !matched.contains(&e.at)) {
            failures.push(format!("{name}: missing ({}) {} {}:{}", e.at, e.rule, e.file, e.line.unwrap_or(0)));
        }
    }
    assert!(failures.is_empty(), "{} corpus mismatches:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn every_rule_is_asserted_both_ways() {
    let mut found = BTreeSet::new();
    let mut absent = BTreeSet::new();
    for app in apps() {
        for e in expectations(&app) {
            if e.must {
                found.insert(e.rule)
            } else {
                absent.insert(e.rule)
            };
        }
    }
    let mut missing = Vec::new();
    for rule in fnwarden_scan::rules() {
        if !found.contains(rule.id) {
            missing.push(format!("{}: no `find` case", rule.id));
        }
        if !absent.contains(rule.id) {
            missing.push(format!("{}: no `none` case", rule.id));
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}
