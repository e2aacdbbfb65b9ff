//! Falco-style rules: `rule`, `macro`, `list`, exceptions, append and override.
//!
//! Items are applied in file order as they arrive, so that an append or override acts on what
//! came before it, across files. Conditions compile at [`Loader::finish`], when every macro and
//! list is known.

mod compile;
mod exceptions;
mod item;
mod parser;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use fnwarden_event::Category;
use fnwarden_event::field::KindMask;

use crate::testevent::parse_test_event;
use crate::yaml::Node;
use crate::{Action, Correlation, Dialect, Expr, LoadError, Rule, RuleMeta, RuleTest, Severity, Source, Template, mitre_from_tags};
use compile::{CompileError, MacroSrc, Scope};
use exceptions::ExceptionDef;
use item::{Loc, Text};

/// A rule as its items left it, before compiling.
struct RuleDef {
    name: String,
    loc: Loc,
    id: Option<String>,
    desc: String,
    /// The condition, and appended pieces in order.
    condition: Vec<Text>,
    output: Option<Text>,
    priority: Option<Text>,
    tags: Vec<String>,
    enabled: bool,
    exceptions: Vec<ExceptionDef>,
    author: String,
    remediation: String,
    action: Option<Text>,
    source: Option<Text>,
    tests: Vec<(Node, bool)>,
}

struct ListDef {
    items: Vec<(String, bool)>,
    loc: Loc,
}

struct MacroDef {
    condition: Vec<Text>,
    loc: Loc,
}

/// Accumulates Falco files; lists, macros and appends may span files.
#[derive(Default)]
pub struct Loader {
    lists: HashMap<String, ListDef>,
    macros: HashMap<String, MacroDef>,
    /// Definition order, for stable output.
    macro_order: Vec<String>,
    rules: Vec<RuleDef>,
    errors: Vec<LoadError>,
}

const ITEM_KINDS: &[&str] = &["rule", "macro", "list"];
/// Top-level items Falco files carry that say nothing fnwarden must act on.
const IGNORED_ITEMS: &[&str] = &["required_engine_version", "required_plugin_versions"];

impl Loader {
    pub fn add(&mut self, docs: Vec<Node>, file: &Path) {
        let file: std::sync::Arc<Path> = file.into();
        for doc in docs.iter().filter(|d| !d.is_null()) {
            let Some(items) = doc.as_seq() else {
                self.errors.push(LoadError::new(&*file, doc.line, doc.col, None, "a Falco rule file is a YAML list of items"));
                continue;
            };
            for it in items {
                let loc = Loc { file: file.clone(), line: it.line, col: it.col };
                if IGNORED_ITEMS.iter().any(|k| it.get(k).is_some()) {
                    continue;
                }
                let kind = ITEM_KINDS.iter().find(|k| it.get(k).is_some());
                let r = match kind {
                    Some(&"rule") => self.rule(it, loc),
                    Some(&"macro") => self.macro_item(it, loc),
                    Some(&"list") => self.list(it, loc),
                    _ => Err(item::err(&loc, None, "expected an item with `rule:`, `macro:` or `list:`")),
                };
                if let Err(e) = r {
                    self.errors.push(e);
                }
            }
        }
    }

    fn list(&mut self, it: &Node, loc: Loc) -> Result<(), LoadError> {
        let name = item::name(it, "list", &loc)?;
        item::check_keys(it, &["list", "items", "append", "override"], &loc, &name)?;
        let node = it.get("items").ok_or_else(|| item::err(&loc, Some(&name), "a list needs `items:`"))?;
        let items = item::scalars(node, &loc, &name)?;
        match item::merge_mode(it, "items", &loc, &name)? {
            item::Merge::Append => {
                let l = self
                    .lists
                    .get_mut(&name)
                    .ok_or_else(|| item::err(&loc, Some(&name), "append to a list that is not defined before it"))?;
                l.items.extend(items);
            }
            item::Merge::Replace | item::Merge::Define => {
                self.lists.insert(name, ListDef { items, loc });
            }
        }
        Ok(())
    }

    fn macro_item(&mut self, it: &Node, loc: Loc) -> Result<(), LoadError> {
        let name = item::name(it, "macro", &loc)?;
        item::check_keys(it, &["macro", "condition", "append", "override"], &loc, &name)?;
        let cond = item::text(it, "condition", &loc, &name)?.ok_or_else(|| item::err(&loc, Some(&name), "a macro needs `condition:`"))?;
        match item::merge_mode(it, "condition", &loc, &name)? {
            item::Merge::Append => {
                let m = self
                    .macros
                    .get_mut(&name)
                    .ok_or_else(|| item::err(&loc, Some(&name), "append to a macro that is not defined before it"))?;
                m.condition.push(cond);
            }
            item::Merge::Replace | item::Merge::Define => {
                if !self.macros.contains_key(&name) {
                    self.macro_order.push(name.clone());
                }
                self.macros.insert(name, MacroDef { condition: vec![cond], loc });
            }
        }
        Ok(())
    }

    fn rule(&mut self, it: &Node, loc: Loc) -> Result<(), LoadError> {
        let name = item::name(it, "rule", &loc)?;
        item::check_keys(it, item::RULE_KEYS, &loc, &name)?;
        let existing = self.rules.iter().position(|r| r.name == name);
        let overrides = item::overrides(it, &loc, &name)?;
        let legacy_append = it.get("append").and_then(Node::as_bool).unwrap_or(false);

        if overrides.is_empty() && !legacy_append {
            // A bare `enabled:` toggles an existing rule, as in Falco.
            let only_enabled = it.as_map().is_some_and(|m| m.iter().all(|(k, _)| matches!(k.as_str(), Some("rule" | "enabled"))));
            if let (true, Some(i)) = (only_enabled, existing) {
                self.rules[i].enabled = item::boolean(it, "enabled", &loc, &name)?.unwrap_or(true);
                return Ok(());
            }
            let def = self.new_rule(it, name, loc)?;
            match existing {
                Some(i) => self.rules[i] = def,
                None => self.rules.push(def),
            }
            return Ok(());
        }

        let i = existing.ok_or_else(|| item::err(&loc, Some(&name), "append/override of a rule that is not defined before it"))?;
        let (file, line) = (loc.file.clone(), loc.line);
        let append = |key: &str| legacy_append || overrides.iter().any(|(k, m)| k == key && *m == item::Merge::Append);
        let replace = |key: &str| overrides.iter().any(|(k, m)| k == key && *m == item::Merge::Replace);
        for (key, _) in it.as_map().unwrap_or_default() {
            let Some(key) = key.as_str() else { continue };
            if matches!(key, "rule" | "append" | "override") {
                continue;
            }
            if !append(key) && !replace(key) {
                return Err(LoadError::new(
                    &*file,
                    line,
                    1,
                    Some(&name),
                    format!("`{key}:` is given but `override:` does not say whether to append or replace it"),
                ));
            }
        }
        let r = &mut self.rules[i];
        if let Some(c) = item::text(it, "condition", &loc, &name)? {
            if append("condition") {
                r.condition.push(c);
            } else {
                r.condition = vec![c];
            }
        }
        if let Some(node) = it.get("exceptions") {
            let new = exceptions::parse(node, &loc, &name)?;
            if append("exceptions") {
                exceptions::merge(&mut r.exceptions, new);
            } else {
                r.exceptions = new;
            }
        }
        if let Some(node) = it.get("tags") {
            let tags: Vec<String> = item::scalars(node, &loc, &name)?.into_iter().map(|(s, _)| s).collect();
            if append("tags") {
                r.tags.extend(tags);
            } else {
                r.tags = tags;
            }
        }
        for key in ["output", "priority", "desc", "enabled", "author", "remediation", "action", "source", "tests", "id"] {
            if it.get(key).is_some() && append(key) && !replace(key) {
                return Err(LoadError::new(&*file, line, 1, Some(&name), format!("`{key}` can only be replaced, not appended")));
            }
        }
        if let Some(o) = item::text(it, "output", &loc, &name)? {
            r.output = Some(o);
        }
        if let Some(p) = item::text(it, "priority", &loc, &name)? {
            r.priority = Some(p);
        }
        if let Some(d) = item::text(it, "desc", &loc, &name)? {
            r.desc = d.text;
        }
        if let Some(e) = item::boolean(it, "enabled", &loc, &name)? {
            r.enabled = e;
        }
        if let Some(a) = item::text(it, "author", &loc, &name)? {
            r.author = a.text;
        }
        if let Some(a) = item::text(it, "remediation", &loc, &name)? {
            r.remediation = a.text;
        }
        if let Some(a) = item::text(it, "action", &loc, &name)? {
            r.action = Some(a);
        }
        if let Some(s) = item::text(it, "source", &loc, &name)? {
            r.source = Some(s);
        }
        if let Some(t) = it.get("tests") {
            r.tests = item::tests(t, &loc, &name)?;
        }
        Ok(())
    }

    fn new_rule(&self, it: &Node, name: String, loc: Loc) -> Result<RuleDef, LoadError> {
        let condition =
            item::text(it, "condition", &loc, &name)?.ok_or_else(|| item::err(&loc, Some(&name), "a rule needs `condition:`"))?;
        let tags = match it.get("tags") {
            Some(n) => item::scalars(n, &loc, &name)?.into_iter().map(|(s, _)| s).collect(),
            None => Vec::new(),
        };
        let exceptions = match it.get("exceptions") {
            Some(n) => exceptions::parse(n, &loc, &name)?,
            None => Vec::new(),
        };
        Ok(RuleDef {
            id: item::text(it, "id", &loc, &name)?.map(|t| t.text),
            desc: item::text(it, "desc", &loc, &name)?.map(|t| t.text).unwrap_or_default(),
            condition: vec![condition],
            output: item::text(it, "output", &loc, &name)?,
            priority: item::text(it, "priority", &loc, &name)?,
            tags,
            enabled: item::boolean(it, "enabled", &loc, &name)?.unwrap_or(true),
            exceptions,
            author: item::text(it, "author", &loc, &name)?.map(|t| t.text).unwrap_or_default(),
            remediation: item::text(it, "remediation", &loc, &name)?.map(|t| t.text).unwrap_or_default(),
            action: item::text(it, "action", &loc, &name)?,
            source: item::text(it, "source", &loc, &name)?,
            tests: match it.get("tests") {
                Some(t) => item::tests(t, &loc, &name)?,
                None => Vec::new(),
            },
            name,
            loc,
        })
    }

    pub fn finish(mut self) -> (Vec<Rule>, Vec<Correlation>, Vec<LoadError>) {
        let lists = self.expand_lists();
        let macros: HashMap<String, MacroSrc> =
            self.macros.iter().map(|(n, m)| (n.clone(), MacroSrc { condition: join(&m.condition), location: m.loc.to_string() })).collect();
        let mut scope = Scope::new(&lists, &macros);
        // Every macro is checked where it stands, used or not.
        for name in &self.macro_order {
            if let (Err(e), Some(m)) = (scope.macro_expr(name), self.macros.get(name)) {
                self.errors.push(place(&m.condition, &m.loc, name, e));
            }
        }
        let mut rules = Vec::new();
        for def in &self.rules {
            match compile_rule(def, &mut scope) {
                Ok(r) => rules.push(r),
                Err(e) => self.errors.push(e),
            }
        }
        (rules, Vec::new(), self.errors)
    }

    /// Lists may name other lists among their items; names expand in place.
    fn expand_lists(&mut self) -> HashMap<String, Vec<String>> {
        let mut out: HashMap<String, Vec<String>> = HashMap::new();
        let mut names: Vec<&String> = self.lists.keys().collect();
        names.sort();
        for name in names {
            let mut stack = Vec::new();
            match expand(name, &self.lists, &mut stack) {
                Ok(items) => {
                    out.insert(name.clone(), items);
                }
                Err(cycle) => {
                    if let Some(l) = self.lists.get(name) {
                        self.errors.push(item::err(&l.loc, Some(name), &format!("lists include each other in a cycle: {cycle}")));
                    }
                }
            }
        }
        out
    }
}

fn expand(name: &str, lists: &HashMap<String, ListDef>, stack: &mut Vec<String>) -> Result<Vec<String>, String> {
    if stack.iter().any(|s| s == name) {
        stack.push(name.to_owned());
        return Err(stack.join(" → "));
    }
    let Some(l) = lists.get(name) else { return Ok(vec![name.to_owned()]) };
    stack.push(name.to_owned());
    let mut out = Vec::new();
    for (item, quoted) in &l.items {
        if !quoted && lists.contains_key(item) {
            out.extend(expand(item, lists, stack)?);
        } else {
            out.push(item.clone());
        }
    }
    stack.pop();
    Ok(out)
}

/// Appended pieces join with a space, as Falco does.
fn join(pieces: &[Text]) -> String {
    pieces.iter().map(|t| t.text.as_str()).collect::<Vec<_>>().join(" ")
}

/// Turns an error at an offset of joined condition text into a located [`LoadError`].
fn place(pieces: &[Text], fallback: &Loc, name: &str, e: CompileError) -> LoadError {
    let joined = join(pieces);
    let Some(pos) = e.pos else { return item::err(fallback, Some(name), &e.message) };
    let near: String = joined.get(pos..).unwrap_or("").chars().take(30).collect();
    let mut start = 0;
    for t in pieces {
        let end = start + t.text.len();
        if pos <= end {
            let (line, col) = t.position(pos - start);
            let msg = if near.is_empty() { e.message } else { format!("{} (near {near:?})", e.message) };
            return LoadError::new(&*t.loc.file, line, col, Some(name), msg);
        }
        start = end + 1;
    }
    item::err(fallback, Some(name), &e.message)
}

fn compile_rule(def: &RuleDef, scope: &mut Scope<'_>) -> Result<Rule, LoadError> {
    let name = def.name.as_str();
    let cond = scope.condition(&join(&def.condition)).map_err(|e| place(&def.condition, &def.loc, name, e))?;
    let exc = exceptions::compile(&def.exceptions, scope).map_err(|(loc, msg)| item::err(&loc, Some(name), &msg))?;
    let condition = match exc {
        Some(e) => Expr::And(vec![cond, Expr::not(e)]),
        None => cond,
    };
    let output = match &def.output {
        Some(t) => Some(
            Template::parse(t.text.trim())
                .map_err(|e| LoadError::new(&*t.loc.file, t.loc.line, t.loc.col, Some(name), format!("output: {e}")))?,
        ),
        None => None,
    };
    let severity = match &def.priority {
        Some(p) => Severity::parse(&p.text).ok_or_else(|| {
            LoadError::new(
                &*p.loc.file,
                p.loc.line,
                p.loc.col,
                Some(name),
                format!("unknown priority {:?}; use EMERGENCY, ALERT, CRITICAL, ERROR, WARNING, NOTICE, INFORMATIONAL or DEBUG", p.text),
            )
        })?,
        None => Severity::Medium,
    };
    let action = match def.action.as_ref() {
        None => Action::Alert,
        Some(t) => match t.text.as_str() {
            "alert" => Action::Alert,
            "kill" => Action::Kill,
            "deny" => Action::Deny,
            other => {
                return Err(LoadError::new(
                    &*t.loc.file,
                    t.loc.line,
                    t.loc.col,
                    Some(name),
                    format!("unknown action {other:?}; use alert, kill or deny"),
                ));
            }
        },
    };
    let kinds = match def.source.as_ref().map(|s| s.text.as_str()) {
        None | Some("syscall") => KindMask::ALL,
        Some("aws_cloudtrail" | "cloud") => KindMask::category(Category::Cloud),
        Some("invocation") => KindMask::category(Category::Invocation),
        Some("log") => KindMask::category(Category::Log),
        Some(other) => {
            let t = def.source.as_ref().map_or(&def.loc, |s| &s.loc);
            return Err(LoadError::new(
                &*t.file,
                t.line,
                t.col,
                Some(name),
                format!("unknown source {other:?}; use syscall (the default), aws_cloudtrail, invocation or log"),
            ));
        }
    };
    let mut tests = Vec::new();
    for (i, (node, should_match)) in def.tests.iter().enumerate() {
        let event = parse_test_event(node, i)
            .map_err(|e| LoadError::new(&*def.loc.file, node.line, node.col, Some(name), format!("test event: {e}")))?;
        tests.push(RuleTest { event, should_match: *should_match, line: node.line });
    }
    let meta = RuleMeta {
        id: def.id.clone().unwrap_or_else(|| def.name.clone()),
        name: Some(def.name.clone()),
        title: def.name.clone(),
        description: def.desc.trim().to_owned(),
        author: def.author.clone(),
        severity,
        priority: def.priority.as_ref().map(|p| p.text.clone()),
        mitre: mitre_from_tags(&def.tags),
        tags: def.tags.clone(),
        references: Vec::new(),
        falsepositives: Vec::new(),
        remediation: def.remediation.trim().to_owned(),
        license: None,
        source: Source { file: PathBuf::from(&*def.loc.file), line: def.loc.line },
        dialect: Dialect::Falco,
        enabled: def.enabled,
        generate: true,
    };
    Ok(Rule { meta, condition, kinds, output, action, tests })
}
