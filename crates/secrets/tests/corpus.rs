//! The secrets apps of the shared corpus (tests/scan/secrets-*), scanned file by file with this
//! crate alone: every finding matches a `find` line, every `find` line is found, and no `none`
//! line is contradicted. The lead's whole-scan corpus test asserts the same over all analysers.

use std::path::{Path, PathBuf};

use fnwarden_secrets::{Scanner, rules};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn apps() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scan");
    let mut apps: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_str().unwrap().starts_with("secrets-"))
        .collect();
    apps.sort();
    apps
}

/// (rule, file, line) of every finding in an app.
fn scan_app(app: &Path) -> Vec<(String, String, u32)> {
    let scanner = Scanner::new();
    let mut paths = Vec::new();
    files(app, &mut paths);
    let mut out = Vec::new();
    for path in paths {
        let rel = path.strip_prefix(app).unwrap();
        if rel == Path::new("expect.txt") {
            continue;
        }
        for f in scanner.scan(rel, &std::fs::read(&path).unwrap()) {
            out.push((f.rule.id.to_string(), f.location.file.to_str().unwrap().to_string(), f.location.line));
        }
    }
    out
}

#[test]
fn corpus_apps_find_exactly_what_they_expect() {
    let apps = apps();
    assert!(apps.len() >= 5, "secrets apps: {apps:?}");
    let mut found_rules = std::collections::BTreeSet::new();
    let mut none_rules = std::collections::BTreeSet::new();
    for app in apps {
        let expect = std::fs::read_to_string(app.join("expect.txt")).unwrap();
        let mut findings = scan_app(&app);
        let mut failures = Vec::new();
        for line in expect.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
            let parts: Vec<&str> = line.split_whitespace().collect();
            let (verb, rule, place) = (parts[0], parts[1], parts[2]);
            let (file, at) = match place.rsplit_once(':') {
                Some((f, l)) => (f, Some(l.parse::<u32>().unwrap())),
                None => (place, None),
            };
            match verb {
                "find" => {
                    found_rules.insert(rule.to_string());
                    let at = at.unwrap();
                    match findings.iter().position(|f| f.0 == rule && f.1 == file && f.2 == at) {
                        Some(i) => {
                            findings.remove(i);
                        }
                        None => failures.push(format!("missing: {line}")),
                    }
                }
                "none" => {
                    none_rules.insert(rule.to_string());
                    if let Some(f) = scan_app(&app).iter().find(|f| f.0 == rule && f.1 == file && at.is_none_or(|l| l == f.2)) {
                        failures.push(format!("contradicted: {line} by {f:?}"));
                    }
                }
                other => panic!("unknown verb {other} in {}", app.display()),
            }
        }
        failures.extend(findings.iter().map(|f| format!("unexpected: {} {}:{}", f.0, f.1, f.2)));
        assert!(failures.is_empty(), "{}:\n{}", app.display(), failures.join("\n"));
    }
    for r in rules() {
        assert!(found_rules.contains(r.id), "no `find` line for {}", r.id);
        assert!(none_rules.contains(r.id), "no `none` line for {}", r.id);
    }
}
