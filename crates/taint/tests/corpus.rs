//! The taint apps of the shared corpus (tests/scan/taint-*): every finding of this analyser
//! matches a `find` line of the app's expect.txt, every `find` line of an injection rule is
//! matched, and no `none` line is contradicted.

mod support;

use std::fs;
use std::path::{Path, PathBuf};

use fnwarden_code::{Entry, Lang, ParsedFile, convention_entries, entries_for, parse};
use fnwarden_project::{Finding, Framework, Function, Location, Spanned};

fn sources(root: &Path, dir: &Path, out: &mut Vec<ParsedFile>) {
    let mut entries: Vec<_> = fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            sources(root, &p, out);
        } else if let Some(lang) = Lang::from_path(&p) {
            let rel = p.strip_prefix(root).unwrap().to_path_buf();
            if let (Some(f), _) = parse(rel, lang, fs::read_to_string(&p).unwrap()) {
                out.push(f);
            }
        }
    }
}

/// A minimal reading of a Serverless Framework file: enough to name the deployed handlers.
fn serverless_functions(root: &Path) -> Vec<Function> {
    let Ok(text) = fs::read_to_string(root.join("serverless.yml")) else { return Vec::new() };
    let runtime = text.lines().find_map(|l| l.trim().strip_prefix("runtime:")).map(|r| r.trim().to_owned());
    let mut out = Vec::new();
    let mut name = None;
    for (i, line) in text.lines().enumerate() {
        let indent = line.len() - line.trim_start().len();
        if indent == 2 && line.trim_end().ends_with(':') {
            name = Some(line.trim().trim_end_matches(':').to_owned());
        }
        if let (Some(h), Some(n)) = (line.trim().strip_prefix("handler:"), &name) {
            let loc = Location::new("serverless.yml", i as u32 + 1, indent as u32 + 1);
            out.push(Function {
                name: n.clone(),
                location: loc.clone(),
                framework: Framework::Serverless,
                runtime: runtime.clone().map(|r| Spanned::new(r, loc.clone())),
                handler: Some(Spanned::new(h.trim().to_owned(), loc)),
                code_dir: PathBuf::new(),
                env: vec![],
                timeout: None,
                memory: None,
                reserved_concurrency: None,
                layers: vec![],
                role: None,
                policies: vec![],
                triggers: vec![],
                url: None,
            });
        }
    }
    out
}

fn check(app: &Path) -> Vec<String> {
    let mut files = Vec::new();
    sources(app, app, &mut files);
    let refs: Vec<&ParsedFile> = files.iter().collect();
    let functions = serverless_functions(app);
    let entries: Vec<Entry> = if functions.is_empty() {
        convention_entries(&refs)
    } else {
        functions.iter().flat_map(|f| entries_for(f, &refs).unwrap()).collect()
    };
    let found: Vec<Finding> = fnwarden_taint::analyze(&refs, &entries);
    let expect = fs::read_to_string(app.join("expect.txt")).unwrap();
    let mut problems = Vec::new();
    let mut matched = vec![false; found.len()];
    for line in expect.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let parts: Vec<&str> = line.split_whitespace().collect();
        let (kind, rule, place) = (parts[0], parts[1], parts[2]);
        if !rule.starts_with("fnw-scan-inj-") {
            continue;
        }
        let function = parts.get(3).and_then(|p| p.strip_prefix("function="));
        let (file, want_line) = match place.rsplit_once(':') {
            Some((f, l)) => (f, l.parse::<u32>().ok()),
            None => (place, None),
        };
        let hits: Vec<usize> = (0..found.len())
            .filter(|&i| {
                let f = &found[i];
                f.rule.id == rule
                    && f.location.file == Path::new(file)
                    && want_line.is_none_or(|l| f.location.line == l)
                    && (kind == "none" || function.is_none_or(|n| f.function.as_deref() == Some(n)))
            })
            .collect();
        match kind {
            "find" if hits.is_empty() => problems.push(format!("missing: {line}")),
            "find" => hits.iter().for_each(|&i| matched[i] = true),
            "none" if !hits.is_empty() => problems.push(format!("unexpected ({line}): {}", found[hits[0]].message)),
            _ => {}
        }
    }
    for (i, f) in found.iter().enumerate() {
        if !matched[i] {
            problems.push(format!(
                "unlisted: find {} {}:{} {:?} — {}",
                f.rule.id,
                f.location.file.display(),
                f.location.line,
                f.function,
                f.message
            ));
        }
        assert!(f.trace.len() >= 2, "a trace from source to sink: {f:?}");
    }
    problems
}

#[test]
fn taint_corpus_apps() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scan");
    let mut apps: Vec<PathBuf> = fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("taint-"))
        .collect();
    apps.sort();
    assert!(apps.len() >= 8, "the taint corpus: {apps:?}");
    let mut report = String::new();
    for app in &apps {
        for p in check(app) {
            report.push_str(&format!("{}: {p}\n", app.file_name().unwrap().to_string_lossy()));
        }
    }
    assert!(report.is_empty(), "\n{report}");
}

#[test]
fn every_rule_has_a_find_and_a_none_line() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scan");
    let mut all = String::new();
    for e in fs::read_dir(&root).unwrap() {
        let p = e.unwrap().path();
        if p.file_name().unwrap().to_string_lossy().starts_with("taint-") {
            all.push_str(&fs::read_to_string(p.join("expect.txt")).unwrap());
        }
    }
    for rule in fnwarden_taint::rules() {
        for kind in ["find", "none"] {
            assert!(all.lines().any(|l| l.starts_with(&format!("{kind} {} ", rule.id))), "no `{kind}` line for {}", rule.id);
        }
    }
}
