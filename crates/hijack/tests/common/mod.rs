//! Shared helpers: parse a snippet and list what the hijack rules found in it.
#![allow(dead_code)]

use fnwarden_code::{Lang, parse};
use fnwarden_project::Finding;

pub fn findings(lang: Lang, path: &str, src: &str) -> Vec<Finding> {
    let (file, _) = parse(path.into(), lang, src.to_owned());
    fnwarden_hijack::check(&file.expect("a tree"))
}

/// `(rule id, line)` of every finding of `rule`.
pub fn lines(lang: Lang, path: &str, src: &str, rule: &str) -> Vec<u32> {
    findings(lang, path, src).iter().filter(|f| f.rule.id == rule).map(|f| f.location.line).collect()
}

pub fn py(src: &str, rule: &str) -> Vec<u32> {
    lines(Lang::Python, "app.py", src, rule)
}

pub fn js(src: &str, rule: &str) -> Vec<u32> {
    lines(Lang::JavaScript, "index.js", src, rule)
}

pub fn ts(src: &str, rule: &str) -> Vec<u32> {
    lines(Lang::TypeScript, "index.ts", src, rule)
}

pub fn go(src: &str, rule: &str) -> Vec<u32> {
    lines(Lang::Go, "main.go", src, rule)
}

pub fn java(src: &str, rule: &str) -> Vec<u32> {
    lines(Lang::Java, "Handler.java", src, rule)
}
