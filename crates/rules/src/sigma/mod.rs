//! Sigma 2.1 rules, correlations and filters, compiled into the common IR.
//!
//! A file holds one or more YAML documents: rules (`detection:`), correlations (`correlation:`)
//! and filters (`filter:`). Every problem becomes a [`LoadError`] with file, line, column and
//! rule; a bad document never stops the others.

mod condition;
mod correlation;
mod detection;
mod filter;
mod logsource;
mod meta;
mod modifiers;
mod rule_tests;
mod taxonomy;

use std::collections::HashMap;
use std::path::Path;

use crate::yaml::Node;
use crate::{Correlation, LoadError, Rule};

use logsource::LogSource;

/// Compiles the documents of one Sigma file.
pub fn load(docs: Vec<Node>, file: &Path) -> (Vec<Rule>, Vec<Correlation>, Vec<LoadError>) {
    let mut errors = Vec::new();
    let mut rule_docs = Vec::new();
    let mut corr_docs = Vec::new();
    let mut filter_docs = Vec::new();
    for doc in &docs {
        if doc.is_null() {
            continue;
        }
        if doc.as_map().is_none() {
            errors.push(LoadError::new(
                file,
                doc.line,
                doc.col,
                None,
                "a Sigma document must be a mapping (title:, logsource:, detection: …)",
            ));
            continue;
        }
        if doc.get("correlation").is_some() {
            corr_docs.push(doc);
        } else if doc.get("detection").is_some() {
            rule_docs.push(doc);
        } else if doc.get("filter").is_some() {
            filter_docs.push(doc);
        } else {
            let name = meta::display_name(doc);
            errors.push(LoadError::new(
                file,
                doc.line,
                doc.col,
                name.as_deref(),
                "Sigma document has no `detection:` (rule), `correlation:` or `filter:` section",
            ));
        }
    }

    // What correlations in this file need to know about the rules they reference.
    let mut scope = Scope::default();
    for (i, doc) in rule_docs.iter().chain(&corr_docs).enumerate() {
        for key in meta::keys(doc) {
            scope.docs.insert(key, i);
        }
    }
    for doc in &rule_docs {
        if let Some(ls) = doc.get("logsource").and_then(|n| LogSource::parse(n).ok()) {
            for key in meta::keys(doc) {
                scope.logsources.insert(key, ls.clone());
            }
        }
    }
    for doc in &corr_docs {
        let refs = correlation::referenced(doc);
        for key in meta::keys(doc) {
            scope.chains.insert(key, refs.clone());
        }
    }

    let mut rules = Vec::new();
    for doc in rule_docs {
        let mut ctx = Ctx::new(file, meta::display_name(doc));
        if let Some(r) = detection::compile_rule(doc, &mut ctx) {
            rules.push(r);
        }
        errors.extend(ctx.errors);
    }
    for doc in filter_docs {
        let mut ctx = Ctx::new(file, meta::display_name(doc));
        filter::apply(doc, &mut rules, &mut ctx);
        errors.extend(ctx.errors);
    }
    let mut correlations = Vec::new();
    for doc in corr_docs {
        let mut ctx = Ctx::new(file, meta::display_name(doc));
        if let Some(c) = correlation::compile(doc, &scope, &mut ctx) {
            correlations.push(c);
        }
        errors.extend(ctx.errors);
    }
    (rules, order_chains(correlations), errors)
}

/// Puts each correlation after the correlations of this file it references, so that chains
/// link in one pass.
fn order_chains(mut pending: Vec<Correlation>) -> Vec<Correlation> {
    let names = |c: &Correlation| [Some(c.meta.id.clone()), c.meta.name.clone()];
    let mut out: Vec<Correlation> = Vec::with_capacity(pending.len());
    while !pending.is_empty() {
        let waits = |c: &Correlation, pending: &[Correlation]| {
            c.rules.iter().any(|r| pending.iter().any(|p| !std::ptr::eq(p, c) && names(p).iter().flatten().any(|n| n == r)))
        };
        // A reference cycle cannot be ordered; the rest of it goes as written.
        let i = (0..pending.len()).find(|&i| !waits(&pending[i], &pending)).unwrap_or(0);
        out.push(pending.remove(i));
    }
    out
}

/// Rules and correlations of the file being loaded, by id and by name.
#[derive(Default)]
pub(crate) struct Scope {
    /// id or name → which document.
    docs: HashMap<String, usize>,
    logsources: HashMap<String, LogSource>,
    /// Correlation → the rules it references (for chained correlations).
    chains: HashMap<String, Vec<String>>,
}

impl Scope {
    /// Whether two references (an id and a name, say) denote the same document.
    pub fn same(&self, a: &str, b: &str) -> bool {
        a == b || matches!((self.docs.get(a), self.docs.get(b)), (Some(x), Some(y)) if x == y)
    }

    /// The log source of a referenced rule; for a chained correlation, of the first rule at the
    /// bottom of the chain.
    pub fn logsource(&self, name: &str) -> Option<&LogSource> {
        let mut cur = name;
        for _ in 0..16 {
            if let Some(ls) = self.logsources.get(cur) {
                return Some(ls);
            }
            cur = self.chains.get(cur)?.first()?;
        }
        None
    }
}

/// Errors of one document, with the rule they belong to.
pub(crate) struct Ctx<'a> {
    pub file: &'a Path,
    pub rule: Option<String>,
    pub errors: Vec<LoadError>,
}

impl<'a> Ctx<'a> {
    pub fn new(file: &'a Path, rule: Option<String>) -> Self {
        Ctx { file, rule, errors: Vec::new() }
    }

    pub fn at(&mut self, line: usize, col: usize, msg: impl Into<String>) {
        self.errors.push(LoadError::new(self.file, line, col, self.rule.as_deref(), msg));
    }

    pub fn err(&mut self, node: &Node, msg: impl Into<String>) {
        self.at(node.line, node.col, msg);
    }

    /// The value, or `None` with the error recorded at `node`.
    pub fn check<T>(&mut self, node: &Node, r: Result<T, String>) -> Option<T> {
        r.map_err(|e| self.err(node, e)).ok()
    }

    pub fn fail(&mut self, f: Fail) {
        self.at(f.line, f.col, f.msg);
    }
}

/// A located problem, for code that returns early.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Fail {
    pub line: usize,
    pub col: usize,
    pub msg: String,
}

impl Fail {
    pub fn at(node: &Node, msg: impl Into<String>) -> Fail {
        Fail { line: node.line, col: node.col, msg: msg.into() }
    }
}

/// "; did you mean `x`?" for the candidates closest to `word`, or nothing.
pub(crate) fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    let mut close = fnwarden_event::field::suggest(word, candidates.into_iter());
    close.dedup();
    match close.as_slice() {
        [] => String::new(),
        [one] => format!("; did you mean `{one}`?"),
        many => {
            let names: Vec<String> = many.iter().map(|c| format!("`{c}`")).collect();
            format!("; did you mean {}?", names.join(" or "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_are_close_names() {
        assert_eq!(did_you_mean("selction", ["selection", "filter"]), "; did you mean `selection`?");
        assert_eq!(did_you_mean("zzz", ["selection", "filter"]), "");
    }
}
