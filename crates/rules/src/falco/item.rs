//! Reading the keys of Falco items, with errors that point at the item.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use crate::LoadError;
use crate::yaml::{Node, NodeKind};

/// Where an item or value stands.
#[derive(Clone, Debug)]
pub struct Loc {
    pub file: Arc<Path>,
    pub line: usize,
    pub col: usize,
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file.display(), self.line)
    }
}

/// A text value and where it stands, so that errors inside it can be placed.
#[derive(Clone, Debug)]
pub struct Text {
    pub text: String,
    pub loc: Loc,
    /// Written as a plain scalar on one line, so that offsets map to columns exactly.
    pub plain: bool,
}

impl Text {
    /// The line and column of a byte offset into the text. Exact for plain and quoted scalars
    /// and literal blocks; in a folded block, lines were joined, so the column is approximate.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let end = self.text.trim_end().len();
        let offset = offset.min(end);
        let before = self.text.get(..offset).unwrap_or(&self.text);
        let quote = usize::from(!self.plain && !self.text.contains('\n'));
        match before.rfind('\n') {
            None => (self.loc.line, self.loc.col + quote + offset),
            // A literal block keeps its lines; its node starts at the first content line.
            Some(i) => (self.loc.line + before.matches('\n').count(), self.loc.col + offset - i - 1),
        }
    }
}

/// The keys a rule item may carry: Falco's, and fnwarden's extensions.
pub const RULE_KEYS: &[&str] = &[
    "rule",
    "id",
    "desc",
    "condition",
    "output",
    "priority",
    "tags",
    "enabled",
    "exceptions",
    "append",
    "override",
    "source",
    "author",
    "remediation",
    "action",
    "tests",
    // Falco keys with no effect here.
    "warn_evttypes",
    "skip-if-unknown-filter",
    "capture",
    "capture_duration",
];

pub fn err(loc: &Loc, name: Option<&str>, msg: &str) -> LoadError {
    LoadError::new(&*loc.file, loc.line, loc.col, name, msg)
}

fn at(node: &Node, loc: &Loc, name: &str, msg: &str) -> LoadError {
    LoadError::new(&*loc.file, node.line, node.col, Some(name), msg)
}

/// The item's name under `key` (`rule: Name`).
pub fn name(it: &Node, key: &str, loc: &Loc) -> Result<String, LoadError> {
    match it.get(key).and_then(Node::as_str) {
        Some(n) if !n.trim().is_empty() => Ok(n.trim().to_owned()),
        _ => Err(err(loc, None, &format!("`{key}:` needs a name"))),
    }
}

/// Rejects unknown keys, so that a typo cannot silently drop part of a rule.
pub fn check_keys(it: &Node, allowed: &[&str], loc: &Loc, name: &str) -> Result<(), LoadError> {
    let Some(map) = it.as_map() else { return Err(err(loc, Some(name), "an item must be a mapping")) };
    for (k, _) in map {
        let key = k.as_str().unwrap_or("");
        if !allowed.contains(&key) {
            let hint = super::compile::closest(key, allowed.iter().copied()).map(|s| format!("; did you mean `{s}`?")).unwrap_or_default();
            return Err(at(k, loc, name, &format!("unknown key `{key}`{hint}")));
        }
    }
    Ok(())
}

pub fn text(it: &Node, key: &str, loc: &Loc, name: &str) -> Result<Option<Text>, LoadError> {
    let Some(node) = it.get(key) else { return Ok(None) };
    match &node.kind {
        NodeKind::Scalar { text, quoted } => {
            Ok(Some(Text { text: text.clone(), loc: Loc { file: loc.file.clone(), line: node.line, col: node.col }, plain: !quoted }))
        }
        NodeKind::Null => Ok(None),
        _ => Err(at(node, loc, name, &format!("`{key}:` must be text"))),
    }
}

pub fn boolean(it: &Node, key: &str, loc: &Loc, name: &str) -> Result<Option<bool>, LoadError> {
    let Some(node) = it.get(key) else { return Ok(None) };
    node.as_bool().map(Some).ok_or_else(|| at(node, loc, name, &format!("`{key}:` must be true or false")))
}

/// A list of scalars, each with whether it was quoted (quoted items never name lists).
pub fn scalars(node: &Node, loc: &Loc, name: &str) -> Result<Vec<(String, bool)>, LoadError> {
    match &node.kind {
        NodeKind::Seq(items) => items
            .iter()
            .map(|i| match &i.kind {
                NodeKind::Scalar { text, quoted } => Ok((text.clone(), *quoted)),
                _ => Err(at(i, loc, name, "list items must be single values")),
            })
            .collect(),
        NodeKind::Null => Ok(Vec::new()),
        _ => Err(at(node, loc, name, "expected a list like [a, b]")),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Merge {
    Define,
    Append,
    Replace,
}

/// How a list or macro item applies to an earlier one: legacy `append: true`, or `override:`.
pub fn merge_mode(it: &Node, key: &str, loc: &Loc, name: &str) -> Result<Merge, LoadError> {
    if boolean(it, "append", loc, name)?.unwrap_or(false) {
        return Ok(Merge::Append);
    }
    Ok(overrides(it, loc, name)?.into_iter().find(|(k, _)| k == key).map_or(Merge::Define, |(_, m)| m))
}

/// The `override:` map: key → append or replace.
pub fn overrides(it: &Node, loc: &Loc, name: &str) -> Result<Vec<(String, Merge)>, LoadError> {
    let Some(node) = it.get("override") else { return Ok(Vec::new()) };
    let Some(map) = node.as_map() else { return Err(at(node, loc, name, "`override:` maps keys to append or replace")) };
    map.iter()
        .map(|(k, v)| {
            let key = k.as_str().unwrap_or("").to_owned();
            match v.as_str() {
                Some("append") => Ok((key, Merge::Append)),
                Some("replace") => Ok((key, Merge::Replace)),
                _ => Err(at(v, loc, name, &format!("override of `{key}` must be append or replace"))),
            }
        })
        .collect()
}

/// `tests: {match: [events], no_match: [events]}`.
pub fn tests(node: &Node, loc: &Loc, name: &str) -> Result<Vec<(Node, bool)>, LoadError> {
    let Some(map) = node.as_map() else { return Err(at(node, loc, name, "`tests:` holds `match:` and `no_match:` lists of events")) };
    let mut out = Vec::new();
    for (k, v) in map {
        let should = match k.as_str() {
            Some("match") => true,
            Some("no_match") => false,
            other => return Err(at(k, loc, name, &format!("unknown key `{}` in tests; use match or no_match", other.unwrap_or("")))),
        };
        let Some(events) = v.as_seq() else { return Err(at(v, loc, name, "expected a list of events")) };
        out.extend(events.iter().map(|e| (e.clone(), should)));
    }
    Ok(out)
}
