//! The hijack corpus apps (tests/scan/hijack-*): every finding of this crate's rules matches a
//! `find` line of the app's expect.txt, every such `find` line is matched, and no finding sits
//! where a `none` line forbids one.

use std::fs;
use std::path::{Path, PathBuf};

use fnwarden_code::{Lang, parse};
use fnwarden_project::Finding;

const PREFIX: &str = "fnw-scan-hijack-";

fn corpus_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scan")
}

fn apps() -> Vec<PathBuf> {
    let mut apps: Vec<PathBuf> = fs::read_dir(corpus_root())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("hijack-"))
        .collect();
    apps.sort();
    apps
}

fn sources(dir: &Path, root: &Path, out: &mut Vec<(PathBuf, Lang)>) {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            sources(&p, root, out);
        } else if let Some(lang) = Lang::from_path(&p) {
            out.push((p.strip_prefix(root).unwrap().to_path_buf(), lang));
        }
    }
}

fn scan(app: &Path) -> Vec<Finding> {
    let mut files = Vec::new();
    sources(app, app, &mut files);
    let mut all = Vec::new();
    for (rel, lang) in files {
        let text = fs::read_to_string(app.join(&rel)).unwrap();
        let (file, _) = parse(rel, lang, text);
        all.extend(fnwarden_hijack::check(&file.expect("a tree")));
    }
    all
}

struct Expect {
    finds: Vec<(String, String, u32)>,
    nones: Vec<(String, String, Option<u32>)>,
}

fn expectations(app: &Path) -> Expect {
    let text = fs::read_to_string(app.join("expect.txt")).unwrap();
    let mut e = Expect { finds: Vec::new(), nones: Vec::new() };
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let words: Vec<&str> = line.split_whitespace().collect();
        let (kind, rule, place) = (words[0], words[1].to_owned(), words[2]);
        let (file, line_no) = match place.rsplit_once(':') {
            Some((f, l)) => (f.to_owned(), Some(l.parse::<u32>().unwrap())),
            None => (place.to_owned(), None),
        };
        match kind {
            "find" => e.finds.push((rule, file, line_no.expect("find lines name a line"))),
            "none" => e.nones.push((rule, file, line_no)),
            other => panic!("{}: unknown expect kind {other}", app.display()),
        }
    }
    e
}

#[test]
fn corpus_matches_expect_exactly() {
    let apps = apps();
    assert!(apps.len() >= 6, "the hijack corpus has its apps");
    let mut problems = Vec::new();
    for app in &apps {
        let name = app.file_name().unwrap().to_string_lossy().to_string();
        let expect = expectations(app);
        let found: Vec<(String, String, u32)> = scan(app)
            .into_iter()
            .filter(|f| f.rule.id.starts_with(PREFIX))
            .map(|f| (f.rule.id.to_owned(), f.location.file.to_string_lossy().replace('\\', "/"), f.location.line))
            .collect();
        for f in &found {
            if !expect.finds.contains(f) {
                problems.push(format!("{name}: unexpected finding {} {}:{}", f.0, f.1, f.2));
            }
        }
        for want in expect.finds.iter().filter(|w| w.0.starts_with(PREFIX)) {
            if !found.contains(want) {
                problems.push(format!("{name}: missing finding {} {}:{}", want.0, want.1, want.2));
            }
        }
        for (rule, file, line) in &expect.nones {
            let hit = found.iter().any(|f| &f.0 == rule && &f.1 == file && line.is_none_or(|l| f.2 == l));
            if hit {
                problems.push(format!("{name}: forbidden finding {rule} {file}:{line:?}"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_rule_has_a_find_and_a_none_in_the_corpus() {
    let all: Vec<Expect> = apps().iter().map(|a| expectations(a)).collect();
    for rule in fnwarden_hijack::rules() {
        assert!(all.iter().any(|e| e.finds.iter().any(|f| f.0 == rule.id)), "{} has no find line", rule.id);
        assert!(all.iter().any(|e| e.nones.iter().any(|n| n.0 == rule.id)), "{} has no none line", rule.id);
    }
}

#[test]
fn rule_catalogue_is_complete() {
    let rules = fnwarden_hijack::rules();
    assert_eq!(rules.len(), 6);
    for r in &rules {
        assert!(r.id.starts_with(PREFIX), "{}", r.id);
        assert!(!r.cwe.is_empty() && !r.description.is_empty() && !r.remediation.is_empty(), "{}", r.id);
        assert_eq!(r.class, fnwarden_project::Class::Hijack);
    }
    let mut ids: Vec<&str> = rules.iter().map(|r| r.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), rules.len(), "ids are unique");
}
