//! Shared test helpers: parse snippets, find entries by convention, run the analysis.
#![allow(dead_code)]

use std::path::Path;

use fnwarden_code::{Lang, ParsedFile, convention_entries, parse};
use fnwarden_project::Finding;

pub fn parse_all(files: &[(&str, &str)]) -> Vec<ParsedFile> {
    files
        .iter()
        .map(|(p, s)| {
            let lang = Lang::from_path(Path::new(p)).expect("a source file");
            parse((*p).into(), lang, (*s).to_owned()).0.expect("parsed")
        })
        .collect()
}

/// The files tree-sitter could parse.
pub fn parse_all_lenient(files: &[(&str, &str)]) -> Vec<ParsedFile> {
    files
        .iter()
        .filter_map(|(p, s)| {
            let lang = Lang::from_path(Path::new(p))?;
            parse((*p).into(), lang, (*s).to_owned()).0
        })
        .collect()
}

pub fn findings(files: &[(&str, &str)]) -> Vec<Finding> {
    let parsed = parse_all_lenient(files);
    let refs: Vec<&ParsedFile> = parsed.iter().collect();
    let entries = convention_entries(&refs);
    fnwarden_taint::analyze(&refs, &entries)
}

/// `rule file:line` per finding.
pub fn scan(files: &[(&str, &str)]) -> Vec<String> {
    findings(files)
        .iter()
        .map(|f| format!("{} {}", f.rule.id, f.location.file.display()).to_owned() + &format!(":{}", f.location.line))
        .collect()
}

pub fn dump(_files: &[(&str, &str)]) -> String {
    String::new()
}
