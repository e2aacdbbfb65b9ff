//! The deps corpus apps (tests/scan/deps-*): every manifest in each app read and checked
//! against the shipped OSV excerpt must give exactly the `find` lines of the app's expect.txt
//! for the deps rule (as a multiset of file:line; which function ships a package is the
//! scan's to decide), and nothing at its `none` lines.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use fnwarden_deps::{VulnDb, finding, import, is_manifest, read_manifest};

const RULE: &str = "fnw-scan-dep-vulnerable";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn files(dir: &Path, base: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, base, out);
        } else {
            out.push(path.strip_prefix(base).unwrap().to_path_buf());
        }
    }
}

#[test]
fn corpus_apps_match_their_expectations() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("osv.sqlite");
    import(&db_path, &root().join("tests/osv"), &mut |_, _| {}).unwrap();
    let db = VulnDb::open(&db_path).unwrap();
    let mut apps: Vec<PathBuf> = std::fs::read_dir(root().join("tests/scan"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("deps-")))
        .collect();
    apps.sort();
    assert!(apps.len() >= 4, "{apps:?}");
    for app in apps {
        let mut all = Vec::new();
        files(&app, &app, &mut all);
        let mut found: BTreeMap<String, usize> = BTreeMap::new();
        for rel in all.iter().filter(|p| is_manifest(p)) {
            let bytes = std::fs::read(app.join(rel)).unwrap();
            let packages = read_manifest(rel, &bytes).unwrap_or_else(|d| panic!("{}: {d:?}", app.display()));
            for (i, advisory) in db.check(&packages).unwrap() {
                let f = finding(&packages[i], &advisory);
                *found.entry(f.location.to_string()).or_default() += 1;
            }
        }
        let expect = std::fs::read_to_string(app.join("expect.txt")).unwrap();
        let mut wanted: BTreeMap<String, usize> = BTreeMap::new();
        for line in expect.lines().map(str::trim).filter(|l| !l.starts_with('#') && !l.is_empty()) {
            let words: Vec<&str> = line.split_whitespace().collect();
            match words.as_slice() {
                ["find", RULE, at, ..] => *wanted.entry(at.to_string()).or_default() += 1,
                ["none", RULE, at] => {
                    let hit = found.keys().any(|k| k == at || (!at.contains(':') && k.starts_with(&format!("{at}:"))));
                    assert!(!hit, "{}: finding at a none line {at}", app.display());
                }
                _ => {}
            }
        }
        assert_eq!(found, wanted, "{}", app.display());
    }
}
