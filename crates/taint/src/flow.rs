//! The abstract interpreter: walks one function's tree in source order, keeping a taint value
//! per variable, and produces the function's summary (what its return value and its sinks
//! depend on). Calls into the program's own functions apply the callee's summary, computed
//! once and memoised, so the analysis stays linear in the code it reaches.

use std::rc::Rc;

use fnwarden_code::tree_sitter::Node;
use fnwarden_code::{Lang, ParsedFile, is_function, parameters};
use rustc_hash::{FxHashMap, FxHashSet};

use crate::catalog::{self, Arg, SinkSpec};
use crate::index::{Import, Program};
use crate::value::{MAX_PARAMS, SOURCE, Sink, Taint, steps};

/// Syntactic nesting the interpreter follows by recursion in one function; deeper trees are
/// read flat.
const MAX_DEPTH: u32 = 160;
/// The same, summed over the chain of functions being summarised: what bounds the stack
/// (`lib.rs` sizes the analysis thread's stack for `Depth::Deep`).
#[derive(Clone, Copy)]
pub enum Depth {
    Deep = 2_000,
    Shallow = 150,
}
/// How deep summaries may nest (call chains); deeper callees are treated as unknown.
const MAX_CALL_DEPTH: usize = 12;
/// Sink hits kept per function.
const MAX_HITS: usize = 256;
/// Node visits per analysis, whatever the input.
const BUDGET: u64 = 50_000_000;
const PARAM_MASK: u64 = (1 << MAX_PARAMS) - 1;

/// A sink reached by a value: where, which sink, and the value (labels and trace).
#[derive(Clone, Debug)]
pub struct Hit {
    pub sink: Sink,
    pub file: u32,
    pub line: u32,
    pub column: u32,
    /// The sink as the code names it (`subprocess.run`, `return`).
    pub callee: String,
    /// The tainted expression at the sink, shortened.
    pub expr: String,
    pub taint: Taint,
}

#[derive(Debug, Default)]
pub struct Summary {
    pub param_names: Vec<String>,
    pub ret: Taint,
    pub hits: Vec<Hit>,
    /// Tainted HTML returned as the response (only the entry's own count).
    pub html_returns: Vec<Hit>,
    /// Parameters the function really checks (a validator), and those it raises on.
    pub validates: u64,
    pub raises: u64,
}

pub struct Frame<'a> {
    pub fi: u32,
    pub f: &'a ParsedFile,
    pub lang: Lang,
    pub name: &'a str,
    pub env: FxHashMap<&'a str, Taint>,
    /// `host = urlparse(url).hostname`: validating `host` validates `url`.
    pub origin: FxHashMap<&'a str, &'a str>,
    /// `ok = validate(x)`: the variable holds a check of `x` (and its polarity).
    pub checks: FxHashMap<&'a str, (&'a str, bool)>,
    pub params: Vec<&'a str>,
    /// Inside a branch or loop: assignments join instead of replacing.
    pub cond: u32,
    depth: u32,
    loops: u32,
    changes: u64,
    pub sum: Summary,
}

/// One call being interpreted: its node, arguments (with Python keywords) and their values.
struct Call<'a> {
    node: Node<'a>,
    args: Vec<(Option<&'a str>, Node<'a>)>,
    taints: Vec<Taint>,
    recv: Taint,
}

pub struct Engine<'a> {
    pub prog: &'a Program<'a>,
    memo: FxHashMap<(u32, usize), Rc<Summary>>,
    active: FxHashSet<(u32, usize)>,
    call_depth: usize,
    /// Recursion depth over all frames in progress, and its bound.
    total_depth: u32,
    max_total_depth: u32,
    budget: u64,
}

pub fn text<'a>(fr: &Frame<'a>, n: Node<'a>) -> &'a str {
    fr.f.text(n)
}

/// Shortened source text for messages.
pub fn short(s: &str) -> String {
    let one = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > 60 { format!("{}…", one.chars().take(57).collect::<String>()) } else { one }
}

/// Named children without per-node allocation for the common small case.
pub struct Kids<'a> {
    node: Node<'a>,
    next: u32,
    count: u32,
    many: Option<std::vec::IntoIter<Node<'a>>>,
}

impl<'a> Iterator for Kids<'a> {
    type Item = Node<'a>;
    fn next(&mut self) -> Option<Node<'a>> {
        if let Some(it) = &mut self.many {
            return it.by_ref().find(|c| c.kind() != "comment");
        }
        while self.next < self.count {
            let c = self.node.named_child(self.next);
            self.next += 1;
            if let Some(c) = c.filter(|c| c.kind() != "comment") {
                return Some(c);
            }
        }
        None
    }
}

pub fn kids(node: Node<'_>) -> Kids<'_> {
    let count = u32::try_from(node.named_child_count()).unwrap_or(u32::MAX);
    let many = (count > 12).then(|| {
        let mut c = node.walk();
        node.named_children(&mut c).collect::<Vec<_>>().into_iter()
    });
    Kids { node, next: 0, count, many }
}

fn is_call(k: &str) -> bool {
    matches!(k, "call" | "call_expression" | "new_expression" | "method_invocation" | "object_creation_expression")
}

pub fn is_string_literal(k: &str) -> bool {
    matches!(
        k,
        "string" | "string_literal" | "interpreted_string_literal" | "raw_string_literal" | "template_string" | "concatenated_string"
    )
}

/// Markup in a literal: `<` followed by a tag name, `/` or `!`.
pub fn has_markup(s: &str) -> bool {
    let b = s.as_bytes();
    b.windows(2).any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'/' || w[1] == b'!'))
}

fn bits(mask: u64) -> impl Iterator<Item = usize> {
    (0..MAX_PARAMS).filter(move |i| mask & (1 << i) != 0)
}

impl<'a> Engine<'a> {
    pub fn new(prog: &'a Program<'a>, depth: Depth) -> Engine<'a> {
        Engine {
            prog,
            memo: FxHashMap::default(),
            active: FxHashSet::default(),
            call_depth: 0,
            total_depth: 0,
            max_total_depth: depth as u32,
            budget: BUDGET,
        }
    }

    /// The summary of a function node of file `fi`.
    pub fn summary(&mut self, fi: u32, def: Node<'a>) -> Rc<Summary> {
        let key = (fi, def.start_byte());
        if let Some(s) = self.memo.get(&key) {
            return s.clone();
        }
        let f = self.prog.files[fi as usize];
        let params = parameters(f, def);
        if self.active.contains(&key) || self.call_depth >= MAX_CALL_DEPTH {
            // Recursion or a very deep chain: an unknown function that passes its inputs on.
            let labels = if params.is_empty() { 0 } else { PARAM_MASK >> (MAX_PARAMS - params.len().min(MAX_PARAMS)) };
            let param_names = params.iter().map(|p| p.name.to_owned()).collect();
            return Rc::new(Summary { ret: Taint { labels, ..Taint::clean() }, param_names, ..Summary::default() });
        }
        self.active.insert(key);
        self.call_depth += 1;
        let name = def.child_by_field_name("name").map(|n| f.text(n)).unwrap_or("<anonymous>");
        let mut fr = Frame {
            fi,
            f,
            lang: f.lang,
            name,
            env: FxHashMap::default(),
            origin: FxHashMap::default(),
            checks: FxHashMap::default(),
            params: params.iter().map(|p| p.name).collect(),
            cond: 0,
            depth: 0,
            loops: 0,
            changes: 0,
            sum: Summary { param_names: params.iter().map(|p| p.name.to_owned()).collect(), ..Summary::default() },
        };
        for (i, p) in params.iter().enumerate().take(MAX_PARAMS) {
            let shown = if p.name.is_empty() { short(f.text(p.node)) } else { p.name.to_owned() };
            let t = Taint::root(1 << i, fi, f.line(p.node), format!("parameter `{shown}` of `{name}`"));
            self.bind(&mut fr, p.node, t, true);
        }
        if let Some(body) = def.child_by_field_name("body") {
            let t = self.eval(&mut fr, body);
            // Expression-bodied lambdas and arrows return their body.
            if !matches!(body.kind(), "block" | "statement_block") {
                fr.sum.ret.join(&t);
            }
        }
        self.call_depth -= 1;
        self.active.remove(&key);
        let s = Rc::new(fr.sum);
        self.memo.insert(key, s.clone());
        s
    }

    pub fn eval(&mut self, fr: &mut Frame<'a>, n: Node<'a>) -> Taint {
        if self.budget == 0 {
            return Taint::clean();
        }
        self.budget -= 1;
        if fr.depth >= MAX_DEPTH || self.total_depth >= self.max_total_depth {
            return self.flat(fr, n);
        }
        fr.depth += 1;
        self.total_depth += 1;
        let t = self.eval_kind(fr, n);
        self.total_depth -= 1;
        fr.depth -= 1;
        t
    }

    /// Past the depth limit: the join of every variable mentioned below, read iteratively.
    fn flat(&mut self, fr: &mut Frame<'a>, n: Node<'a>) -> Taint {
        let mut out = Taint::clean();
        let mut cursor = n.walk();
        let mut seen = 0u64;
        loop {
            seen += 1;
            if seen > self.budget {
                self.budget = 0;
                return out;
            }
            let c = cursor.node();
            if c.kind() == "identifier"
                && let Some(t) = fr.env.get(text(fr, c))
            {
                out.join(t);
            }
            if cursor.goto_first_child() {
                continue;
            }
            loop {
                if cursor.node() == n {
                    self.budget -= seen.min(self.budget);
                    return out;
                }
                if cursor.goto_next_sibling() {
                    break;
                }
                if !cursor.goto_parent() {
                    self.budget -= seen.min(self.budget);
                    return out;
                }
            }
        }
    }

    fn union_kids(&mut self, fr: &mut Frame<'a>, n: Node<'a>) -> Taint {
        let mut out = Taint::clean();
        for c in kids(n) {
            let t = self.eval(fr, c);
            out.join(&t);
        }
        out
    }

    fn eval_kind(&mut self, fr: &mut Frame<'a>, n: Node<'a>) -> Taint {
        let kind = n.kind();
        if is_function(fr.lang, n) {
            return Taint::clean();
        }
        match kind {
            "identifier" | "shorthand_property_identifier" | "this" => self.lookup(fr, n),
            "class_definition"
            | "class_declaration"
            | "decorated_definition"
            | "import_statement"
            | "import_from_statement"
            | "import_declaration"
            | "type_declaration"
            | "interface_declaration"
            | "package_clause"
            | "decorator"
            | "annotation"
            | "marker_annotation" => Taint::clean(),
            "return_statement" => self.ret(fr, n),
            "if_statement" | "elif_clause" => self.branch(fr, n),
            "for_statement" | "for_in_statement" | "enhanced_for_statement" | "while_statement" | "do_statement" => self.looping(fr, n),
            "switch_statement"
            | "expression_switch_statement"
            | "type_switch_statement"
            | "switch_expression"
            | "match_statement"
            | "try_statement"
            | "catch_clause"
            | "except_clause"
            | "select_statement" => {
                fr.cond += 1;
                let t = self.union_kids(fr, n);
                fr.cond -= 1;
                t
            }
            "conditional_expression" => {
                let mut out = Taint::clean();
                for (i, c) in kids(n).enumerate() {
                    let t = self.eval(fr, c);
                    if i != 1 {
                        out.join(&t);
                    }
                }
                out
            }
            "ternary_expression" => {
                if let Some(c) = n.child_by_field_name("condition") {
                    self.eval(fr, c);
                }
                let mut out = Taint::clean();
                for field in ["consequence", "alternative"] {
                    if let Some(c) = n.child_by_field_name(field) {
                        let t = self.eval(fr, c);
                        out.join(&t);
                    }
                }
                out
            }
            "assignment" | "assignment_expression" | "named_expression" => {
                let left = n.child_by_field_name("left").or_else(|| n.child_by_field_name("name"));
                let right = n.child_by_field_name("right").or_else(|| n.child_by_field_name("value"));
                match left {
                    Some(l) => self.assign(fr, n, l, right, false),
                    None => self.union_kids(fr, n),
                }
            }
            "augmented_assignment" | "augmented_assignment_expression" => match n.child_by_field_name("left") {
                Some(l) => self.assign(fr, n, l, n.child_by_field_name("right"), true),
                None => Taint::clean(),
            },
            "assignment_statement" => {
                let aug = n.child_by_field_name("operator").is_some_and(|o| text(fr, o) != "=");
                match n.child_by_field_name("left") {
                    Some(l) => self.assign(fr, n, l, n.child_by_field_name("right"), aug),
                    None => Taint::clean(),
                }
            }
            "short_var_declaration" => match n.child_by_field_name("left") {
                Some(l) => self.assign(fr, n, l, n.child_by_field_name("right"), false),
                None => Taint::clean(),
            },
            "variable_declarator" | "var_spec" | "const_spec" => {
                let name = n.child_by_field_name("name");
                match (name, n.child_by_field_name("value")) {
                    (Some(l), Some(r)) => {
                        // Go `var a, b = x, y` names several; bind them all.
                        if kind != "variable_declarator" {
                            let t = self.eval(fr, r);
                            let mut cursor = n.walk();
                            let names: Vec<Node<'a>> = n.children_by_field_name("name", &mut cursor).collect();
                            for l in names {
                                let st = t.step(fr.fi, fr.f.line(n), || format!("`{}`", short(text(fr, n))));
                                self.bind(fr, l, st, true);
                            }
                            return t;
                        }
                        self.assign(fr, n, l, Some(r), false)
                    }
                    _ => Taint::clean(),
                }
            }
            "list_comprehension" | "set_comprehension" | "generator_expression" | "dictionary_comprehension" => self.comprehension(fr, n),
            k if is_call(k) => self.call(fr, n),
            "attribute" => {
                if n.child_by_field_name("attribute").is_some_and(|a| text(fr, a) == "current_request") {
                    return Taint::root(SOURCE, fr.fi, fr.f.line(n), format!("`{}` (the framework's request)", short(text(fr, n))));
                }
                self.field_eval(fr, n, "object")
            }
            "subscript" => self.field_eval(fr, n, "value"),
            "member_expression" | "subscript_expression" | "field_access" => self.field_eval(fr, n, "object"),
            "selector_expression" | "index_expression" | "slice_expression" => self.field_eval(fr, n, "operand"),
            "array_access" => self.field_eval(fr, n, "array"),
            "comparison_operator" | "not_operator" | "instanceof_expression" | "unary_operator" => {
                self.union_kids(fr, n);
                Taint::clean()
            }
            "unary_expression" => {
                let op = n.child_by_field_name("operator").map(|o| text(fr, o)).unwrap_or("");
                let t = self.union_kids(fr, n);
                // Go `&x`, `*p`, `<-ch` pass the value on; negation, typeof and friends do not.
                if matches!(op, "&" | "*" | "<-") { t } else { Taint::clean() }
            }
            "binary_operator" | "binary_expression" | "boolean_operator" => self.binary(fr, n),
            "string" | "template_string" | "concatenated_string" | "string_literal" => {
                let mut t = self.union_kids(fr, n);
                if t.is_tainted() {
                    t.built = true;
                    t.html |= has_markup(text(fr, n));
                }
                t
            }
            "dictionary" | "object" | "literal_value" | "composite_literal" => {
                let mut t = self.union_kids(fr, n);
                if t.is_tainted() && text(fr, n).contains("text/html") {
                    t.html = true;
                }
                t
            }
            "pair" => match n.child_by_field_name("value") {
                Some(v) => self.eval(fr, v),
                None => self.union_kids(fr, n),
            },
            "keyed_element" => match n.named_child(1) {
                Some(v) => self.eval(fr, v),
                None => Taint::clean(),
            },
            // `with open(p) as f`, `except E as e`: the alias takes the value.
            "as_pattern" => {
                let t = match n.named_child(0) {
                    Some(v) => self.eval(fr, v),
                    None => Taint::clean(),
                };
                if let Some(alias) = n.child_by_field_name("alias") {
                    let st = t.step(fr.fi, fr.f.line(n), || format!("`{}`", short(text(fr, n))));
                    self.bind(fr, alias, st, true);
                }
                t
            }
            "keyword_argument" => match n.child_by_field_name("value") {
                Some(v) => self.eval(fr, v),
                None => Taint::clean(),
            },
            _ if n.named_child_count() == 0 => Taint::clean(),
            _ => self.union_kids(fr, n),
        }
    }

    fn field_eval(&mut self, fr: &mut Frame<'a>, n: Node<'a>, field: &str) -> Taint {
        // The index of `d[k]` is evaluated for its side effects only.
        let base = n.child_by_field_name(field);
        let mut out = Taint::clean();
        for c in kids(n) {
            let t = self.eval(fr, c);
            if Some(c) == base {
                out = t;
            }
        }
        out
    }

    fn lookup(&mut self, fr: &mut Frame<'a>, n: Node<'a>) -> Taint {
        let name = text(fr, n);
        if let Some(t) = fr.env.get(name) {
            return t.clone();
        }
        let canonical = self.prog.info[fr.fi as usize].aliases.get(name);
        if canonical.is_some_and(|c| catalog::source_global(fr.lang, c)) {
            return Taint::root(SOURCE, fr.fi, fr.f.line(n), format!("`{name}` (the web framework's request: attacker-controlled)"));
        }
        Taint::clean()
    }

    fn binary(&mut self, fr: &mut Frame<'a>, n: Node<'a>) -> Taint {
        let op = n.child_by_field_name("operator").map(|o| text(fr, o)).unwrap_or("");
        let t = self.union_kids(fr, n);
        let joins = match n.kind() {
            "boolean_operator" => true,
            "binary_operator" => matches!(op, "+" | "%" | "*"),
            _ => matches!(op, "+" | "||" | "&&" | "??") && !(fr.lang == Lang::Go && op != "+"),
        };
        if !joins || !t.is_tainted() {
            return Taint::clean();
        }
        let mut t = t;
        if matches!(op, "+" | "%") {
            t.built = true;
            t.html |= kids(n).any(|c| is_string_literal(c.kind()) && has_markup(text(fr, c)));
        }
        t
    }

    fn comprehension(&mut self, fr: &mut Frame<'a>, n: Node<'a>) -> Taint {
        fr.cond += 1;
        for c in kids(n) {
            match c.kind() {
                "for_in_clause" => {
                    if let (Some(l), Some(r)) = (c.child_by_field_name("left"), c.child_by_field_name("right")) {
                        let t = self.eval(fr, r);
                        self.bind(fr, l, t, false);
                    }
                }
                "if_clause" => {
                    self.eval(fr, c);
                }
                _ => {}
            }
        }
        let t = match n.child_by_field_name("body") {
            Some(b) => self.eval(fr, b),
            None => Taint::clean(),
        };
        fr.cond -= 1;
        t
    }

    fn ret(&mut self, fr: &mut Frame<'a>, n: Node<'a>) -> Taint {
        let t = self.union_kids(fr, n);
        if t.is_tainted() {
            let stepped = t.step(fr.fi, fr.f.line(n), || format!("returned from `{}`", fr.name));
            fr.sum.ret.join(&stepped);
            if t.html && t.reaches(Sink::Html) && fr.sum.html_returns.len() < MAX_HITS {
                let expr = n.named_child(0).map(|v| short(text(fr, v))).unwrap_or_default();
                let p = n.start_position();
                fr.sum.html_returns.push(Hit {
                    sink: Sink::Html,
                    file: fr.fi,
                    line: p.row as u32 + 1,
                    column: p.column as u32 + 1,
                    callee: "return".to_owned(),
                    expr,
                    taint: t.clone(),
                });
            }
        }
        // `return re.fullmatch(P, x) is not None`: a validator of `x`.
        if let Some(v) = n.named_child(0)
            && let Some((var, true)) = self.check_of(fr, v)
        {
            self.note_validation(fr, var, false);
        }
        t
    }

    /// Records that the function being summarised checks parameter `var`.
    pub fn note_validation(&mut self, fr: &mut Frame<'a>, var: &str, raises: bool) {
        if let Some(i) = fr.params.iter().position(|p| *p == var).filter(|i| *i < MAX_PARAMS) {
            fr.sum.validates |= 1 << i;
            if raises {
                fr.sum.raises |= 1 << i;
            }
        }
    }

    fn branch(&mut self, fr: &mut Frame<'a>, n: Node<'a>) -> Taint {
        if let Some(init) = n.child_by_field_name("initializer") {
            self.eval(fr, init);
        }
        let cond = n.child_by_field_name("condition");
        if let Some(c) = cond {
            self.eval(fr, c);
        }
        let check = cond.and_then(|c| self.check_of(fr, c));
        let cons = n.child_by_field_name("consequence");
        let mut cursor = n.walk();
        let alts: Vec<Node<'a>> = n.children_by_field_name("alternative", &mut cursor).collect();
        fr.cond += 1;
        if let Some(body) = cons {
            self.with_clean(fr, check.filter(|c| c.1).map(|c| c.0), body);
        }
        for alt in &alts {
            self.with_clean(fr, check.filter(|c| !c.1).map(|c| c.0), *alt);
        }
        fr.cond -= 1;
        let exit = cons.and_then(|b| exit_of(fr, b));
        if let (Some((var, polarity)), Some(raises)) = (check, exit) {
            if !polarity && alts.is_empty() {
                self.clean_var(fr, var);
            }
            self.note_validation(fr, var, raises && !polarity);
        }
        Taint::clean()
    }

    fn with_clean(&mut self, fr: &mut Frame<'a>, var: Option<&'a str>, body: Node<'a>) {
        let Some(var) = var else {
            self.eval(fr, body);
            return;
        };
        let saved = fr.env.insert(var, Taint::clean());
        self.eval(fr, body);
        match saved {
            Some(t) => fr.env.insert(var, t),
            None => fr.env.remove(var),
        };
    }

    /// A validated variable, and what it was derived from, is clean from here on.
    pub fn clean_var(&mut self, fr: &mut Frame<'a>, var: &'a str) {
        let mut v = var;
        for _ in 0..4 {
            fr.env.insert(v, Taint::clean());
            match fr.origin.get(v) {
                Some(o) if *o != v => v = o,
                _ => break,
            }
        }
    }

    fn looping(&mut self, fr: &mut Frame<'a>, n: Node<'a>) -> Taint {
        let body = n.child_by_field_name("body");
        // The loop variable takes the taint of what is iterated.
        let (left, right) = match n.kind() {
            "enhanced_for_statement" => (n.child_by_field_name("name"), n.child_by_field_name("value")),
            "for_statement" if fr.lang == Lang::Go => {
                let range = kids(n).find(|c| c.kind() == "range_clause");
                (range.and_then(|r| r.child_by_field_name("left")), range.and_then(|r| r.child_by_field_name("right")))
            }
            _ => (n.child_by_field_name("left"), n.child_by_field_name("right")),
        };
        fr.cond += 1;
        if let Some(r) = right {
            let t = self.eval(fr, r);
            if let Some(l) = left {
                let st = t.step(fr.fi, fr.f.line(n), || format!("loop over `{}`", short(text(fr, r))));
                self.bind(fr, l, st, false);
            }
        }
        for c in kids(n) {
            if Some(c) != body && Some(c) != left && Some(c) != right && c.kind() != "range_clause" {
                self.eval(fr, c);
            }
        }
        if let Some(b) = body {
            let before = fr.changes;
            self.eval(fr, b);
            // A second pass carries what later statements taint back to earlier ones.
            if fr.changes != before && fr.loops < 2 {
                fr.loops += 1;
                self.eval(fr, b);
                fr.loops -= 1;
            }
        }
        fr.cond -= 1;
        Taint::clean()
    }

    fn assign(&mut self, fr: &mut Frame<'a>, n: Node<'a>, left: Node<'a>, right: Option<Node<'a>>, aug: bool) -> Taint {
        let Some(r) = right else { return Taint::clean() };
        let tuple = |k: &str| matches!(k, "pattern_list" | "tuple_pattern" | "expression_list" | "list_pattern" | "tuple" | "list");
        if tuple(left.kind()) && tuple(r.kind()) && left.named_child_count() == r.named_child_count() && left.named_child_count() > 1 {
            let mut out = Taint::clean();
            for (l, v) in kids(left).zip(kids(r)) {
                let t = self.eval(fr, v);
                let st = t.step(fr.fi, fr.f.line(n), || format!("`{}`", short(text(fr, n))));
                self.bind(fr, l, st, !aug);
                out.join(&t);
            }
            return out;
        }
        let t = self.eval(fr, r);
        // Bookkeeping for guards: what the variable checks, and what it was derived from.
        let target = if left.kind() == "expression_list" { kids(left).last() } else { Some(left) };
        if let Some(target) = target.filter(|t| t.kind() == "identifier") {
            let name = text(fr, target);
            let value = if r.kind() == "expression_list" && r.named_child_count() == 1 { r.named_child(0).unwrap_or(r) } else { r };
            match self.check_of(fr, value) {
                Some(c) => fr.checks.insert(name, c),
                None => fr.checks.remove(name),
            };
            match derivation_base(fr, value) {
                Some(base) if base != name => fr.origin.insert(name, base),
                _ => fr.origin.remove(name),
            };
        }
        if fr.lang.is_js_family()
            && left.kind() == "member_expression"
            && left.child_by_field_name("property").is_some_and(|p| matches!(text(fr, p), "innerHTML" | "outerHTML"))
            && t.reaches(Sink::Html)
        {
            self.hit(fr, Sink::Html, n, text(fr, left), r, &t);
        }
        let st = t.step(fr.fi, fr.f.line(n), || format!("`{}`", short(text(fr, n))));
        let mut left = left;
        if left.kind() == "expression_list" && left.named_child_count() == 1 {
            left = left.named_child(0).unwrap_or(left);
        }
        self.bind(fr, left, st, !aug);
        t
    }

    /// Gives `t` to every variable a target names.
    pub fn bind(&mut self, fr: &mut Frame<'a>, target: Node<'a>, t: Taint, strong: bool) {
        if fr.depth >= MAX_DEPTH || self.total_depth >= self.max_total_depth {
            return;
        }
        fr.depth += 1;
        self.total_depth += 1;
        match target.kind() {
            "identifier" | "shorthand_property_identifier_pattern" | "this" => {
                let name = text(fr, target);
                if name != "_" {
                    self.set(fr, name, t, strong);
                }
            }
            "pair_pattern" => {
                if let Some(v) = target.child_by_field_name("value") {
                    self.bind(fr, v, t, strong);
                }
            }
            "assignment_pattern" | "object_assignment_pattern" | "default_parameter" | "typed_default_parameter" => {
                if let Some(l) = target.child_by_field_name("left").or_else(|| target.child_by_field_name("name")) {
                    self.bind(fr, l, t, strong);
                }
            }
            "pattern_list"
            | "tuple_pattern"
            | "list_pattern"
            | "expression_list"
            | "array_pattern"
            | "object_pattern"
            | "list_splat_pattern"
            | "dictionary_splat_pattern"
            | "rest_pattern"
            | "parenthesized_expression"
            | "tuple"
            | "list"
            | "typed_parameter"
            | "required_parameter"
            | "optional_parameter"
            | "formal_parameter"
            | "spread_parameter"
            | "parameter_declaration"
            | "variadic_parameter_declaration"
            | "as_pattern_target" => {
                for c in kids(target) {
                    if !c.kind().ends_with("type") && !c.kind().contains("type_") && c.kind() != "type_annotation" {
                        self.bind(fr, c, t.clone(), strong);
                    }
                }
            }
            // `obj.field = v`, `d[k] = v`: the object now holds attacker data.
            "attribute"
            | "subscript"
            | "member_expression"
            | "subscript_expression"
            | "field_access"
            | "selector_expression"
            | "index_expression"
            | "array_access" => {
                if let Some(base) = base_ident(fr, target) {
                    self.set(fr, base, t, false);
                }
            }
            _ => {}
        }
        self.total_depth -= 1;
        fr.depth -= 1;
    }

    fn set(&mut self, fr: &mut Frame<'a>, name: &'a str, t: Taint, strong: bool) {
        if strong && fr.cond == 0 {
            let old = fr.env.insert(name, t);
            if old.is_none_or(|o| o.labels != fr.env.get(name).map_or(0, |n| n.labels)) {
                fr.changes += 1;
            }
            return;
        }
        if !t.is_tainted() {
            return;
        }
        let entry = fr.env.entry(name).or_default();
        let before = (entry.labels, entry.cleared);
        entry.join(&t);
        if (entry.labels, entry.cleared) != before {
            fr.changes += 1;
        }
    }

    pub fn hit(&mut self, fr: &mut Frame<'a>, sink: Sink, at: Node<'a>, callee: &str, expr: Node<'a>, t: &Taint) {
        let p = at.start_position();
        let (line, column) = (p.row as u32 + 1, p.column as u32 + 1);
        if fr.sum.hits.len() >= MAX_HITS
            || fr.sum.hits.iter().any(|h| h.sink == sink && h.line == line && h.column == column && h.file == fr.fi)
        {
            return;
        }
        let taint = t.clone();
        fr.sum.hits.push(Hit { sink, file: fr.fi, line, column, callee: short(callee), expr: short(text(fr, expr)), taint });
    }

    fn call(&mut self, fr: &mut Frame<'a>, n: Node<'a>) -> Taint {
        let (callee, receiver) = match n.kind() {
            "method_invocation" => (None, n.child_by_field_name("object")),
            "object_creation_expression" => (n.child_by_field_name("type"), None),
            "new_expression" => (n.child_by_field_name("constructor"), None),
            _ => {
                let f = n.child_by_field_name("function");
                let recv = f
                    .filter(|f| matches!(f.kind(), "attribute" | "member_expression" | "selector_expression"))
                    .and_then(|f| f.child_by_field_name("object").or_else(|| f.child_by_field_name("operand")));
                (f, recv)
            }
        };
        let mut path = String::new();
        self.call_path(fr, n, &mut path, 0);
        let args_node = n.child_by_field_name("arguments");
        let mut args: Vec<(Option<&'a str>, Node<'a>)> = Vec::new();
        if let Some(a) = args_node {
            if a.kind() == "generator_expression" || a.kind() == "template_string" {
                args.push((None, a));
            } else {
                for c in kids(a) {
                    match c.kind() {
                        "keyword_argument" => {
                            if let (Some(k), Some(v)) = (c.child_by_field_name("name"), c.child_by_field_name("value")) {
                                args.push((Some(text(fr, k)), v));
                            }
                        }
                        _ => args.push((None, c)),
                    }
                }
            }
        }
        // The receiver (or the callee expression) first: it evaluates the calls it chains.
        let recv_t = match (receiver, callee) {
            (Some(r), _) => self.eval(fr, r),
            (None, Some(c)) if !matches!(c.kind(), "identifier" | "type_identifier" | "scoped_type_identifier" | "generic_type") => {
                self.eval(fr, c)
            }
            _ => Taint::clean(),
        };
        let mut taints: Vec<Taint> = Vec::with_capacity(args.len());
        let mut all = recv_t.clone();
        for (_, a) in &args {
            let t = if is_function(fr.lang, *a) { Taint::clean() } else { self.eval(fr, *a) };
            all.join(&t);
            taints.push(t);
        }
        // Callbacks (`records.forEach(r => …)`, `.then(body => …)`) see what the call sees.
        let mut cb_ret = Taint::clean();
        for (_, a) in &args {
            if is_function(fr.lang, *a) {
                let r = self.callback(fr, *a, &all);
                cb_ret.join(&r);
            }
        }
        if let Some(s) = catalog::sanitizer(fr.lang, &path) {
            return all.sanitized(s.clears);
        }
        let call = Call { node: n, args, taints, recv: recv_t };
        // A value already reported at a sink is not reported again downstream of it.
        let mut reported = 0u8;
        if let Some(spec) = catalog::sink(fr.lang, &path)
            && self.sink(fr, spec, &path, &call)
        {
            reported = spec.sink as u8;
        }
        let Call { args, taints, .. } = &call;
        let method = path.rsplit('.').next().unwrap_or(&path).trim_end_matches("()");
        let args_t = {
            let mut u = Taint::clean();
            for t in taints {
                u.join(t);
            }
            u
        };
        if catalog::mutates_receiver(method)
            && args_t.is_tainted()
            && let Some(base) = receiver.and_then(|r| base_ident(fr, r))
        {
            let mut st = args_t.step(fr.fi, fr.f.line(n), || format!("`{}`", short(text(fr, n))));
            st.built |= matches!(method, "append" | "concat" | "WriteString" | "write");
            self.set(fr, base, st, false);
        }
        // Go out-parameters: `json.Unmarshal(data, &v)`, `dec.Decode(&v)`.
        if fr.lang == Lang::Go && all.is_tainted() {
            for (_, a) in args {
                if a.kind() == "unary_expression"
                    && a.child_by_field_name("operator").is_some_and(|o| text(fr, o) == "&")
                    && let Some(base) = a.child_by_field_name("operand").and_then(|o| base_ident(fr, o))
                {
                    let st = all.step(fr.fi, fr.f.line(n), || format!("`{}`", short(text(fr, n))));
                    self.set(fr, base, st, false);
                }
            }
        }
        if let Some((tfi, def)) = self.resolve(fr, n, callee, &path) {
            return self.apply(fr, &call, tfi, def, receiver.is_some());
        }
        let mut out = all;
        out.join(&cb_ret);
        out.cleared |= reported;
        if out.is_tainted() {
            let literal_markup =
                receiver.into_iter().chain(args.iter().map(|a| a.1)).any(|a| is_string_literal(a.kind()) && has_markup(text(fr, a)));
            if catalog::builds_string(method) {
                out.built = true;
                out.html |= literal_markup;
            }
        }
        out
    }

    /// Walks a callback argument with its parameters bound to what the call passes it.
    fn callback(&mut self, fr: &mut Frame<'a>, func: Node<'a>, input: &Taint) -> Taint {
        for p in parameters(fr.f, func) {
            let t = input.step(fr.fi, fr.f.line(p.node), || format!("callback parameter `{}`", short(text(fr, p.node))));
            self.bind(fr, p.node, t, false);
        }
        let Some(body) = func.child_by_field_name("body") else { return Taint::clean() };
        let saved_ret = std::mem::take(&mut fr.sum.ret);
        let saved_html = fr.sum.html_returns.len();
        fr.cond += 1;
        let t = self.eval(fr, body);
        fr.cond -= 1;
        let mut out = std::mem::replace(&mut fr.sum.ret, saved_ret);
        fr.sum.html_returns.truncate(saved_html);
        if !matches!(body.kind(), "block" | "statement_block") {
            out.join(&t);
        }
        out
    }

    /// The canonical path of a call's callee, into `out`.
    fn call_path(&self, fr: &Frame<'a>, n: Node<'a>, out: &mut String, depth: u32) {
        if depth > 24 || out.len() > 200 {
            out.push('?');
            return;
        }
        match n.kind() {
            "method_invocation" => {
                if let Some(o) = n.child_by_field_name("object") {
                    self.call_path(fr, o, out, depth + 1);
                    out.push('.');
                }
                out.push_str(n.child_by_field_name("name").map(|m| text(fr, m)).unwrap_or("?"));
            }
            "object_creation_expression" => {
                out.push_str("new ");
                let ty = n.child_by_field_name("type").map(|t| text(fr, t)).unwrap_or("?");
                out.push_str(ty.split('<').next().unwrap_or(ty));
            }
            "new_expression" => {
                out.push_str("new ");
                match n.child_by_field_name("constructor") {
                    Some(c) => self.call_path(fr, c, out, depth + 1),
                    None => out.push('?'),
                }
            }
            "call" | "call_expression" => {
                let f = n.child_by_field_name("function");
                // `require('m')` is the module itself.
                if let Some(f) = f
                    && fr.lang.is_js_family()
                    && text(fr, f) == "require"
                    && let Some(arg) = n.child_by_field_name("arguments").and_then(|a| a.named_child(0)).filter(|a| a.kind() == "string")
                    && depth > 0
                {
                    out.push_str(&crate::index::js_module_name(text(fr, arg)));
                    return;
                }
                match f {
                    Some(f) => self.call_path(fr, f, out, depth + 1),
                    None => out.push('?'),
                }
                if depth > 0 {
                    out.push_str("()");
                }
            }
            "identifier" | "type_identifier" => {
                let name = text(fr, n);
                let info = &self.prog.info[fr.fi as usize];
                match info.aliases.get(name) {
                    Some(c) if !fr.env.contains_key(name) => out.push_str(c),
                    _ => out.push_str(name),
                }
            }
            "attribute" | "member_expression" | "selector_expression" | "field_access" => {
                match n.child_by_field_name("object").or_else(|| n.child_by_field_name("operand")) {
                    Some(o) => self.call_path(fr, o, out, depth + 1),
                    None => out.push('?'),
                }
                out.push('.');
                let prop = n
                    .child_by_field_name("attribute")
                    .or_else(|| n.child_by_field_name("property"))
                    .or_else(|| n.child_by_field_name("field"));
                out.push_str(prop.map(|p| text(fr, p)).unwrap_or("?"));
            }
            "parenthesized_expression" | "await_expression" | "await" | "non_null_expression" => match n.named_child(0) {
                Some(c) => self.call_path(fr, c, out, depth + 1),
                None => out.push('?'),
            },
            "scoped_type_identifier" | "scoped_identifier" | "generic_type" | "property_identifier" | "field_identifier" | "this" => {
                let t = text(fr, n);
                out.push_str(t.split('<').next().unwrap_or(t));
            }
            "import" => out.push_str("import"),
            _ => out.push('?'),
        }
    }

    fn sink(&mut self, fr: &mut Frame<'a>, spec: &SinkSpec, path: &str, call: &Call<'a>) -> bool {
        let (n, args, taints, recv) = (call.node, &call.args, &call.taints, &call.recv);
        let positional: Vec<usize> = (0..args.len()).filter(|i| args[*i].0.is_none()).collect();
        let pos = |i: usize| positional.get(i).copied();
        let kw = |name: &str| (0..args.len()).find(|i| args[*i].0 == Some(name));
        let arg = |i: usize, name: &str| pos(i).or_else(|| if name.is_empty() { None } else { kw(name) });
        let from = |i: usize| {
            let mut u = Taint::clean();
            for &j in positional.iter().skip(i) {
                u.join(&taints[j]);
            }
            u
        };
        let (t, expr) = match spec.arg {
            Arg::N(i, name) => match arg(i, name) {
                Some(j) => (taints[j].clone(), args[j].1),
                None => return false,
            },
            Arg::From(i) => (from(i), pos(i).map_or(n, |j| args[j].1)),
            Arg::Receiver => (recv.clone(), n),
            Arg::PyShell => {
                let shell = kw("shell").is_some_and(|j| !matches!(text(fr, args[j].1), "False" | "0" | "None"));
                if shell {
                    let mut u = from(0);
                    if let Some(j) = kw("args") {
                        u.join(&taints[j]);
                    }
                    (u, pos(0).map_or(n, |j| args[j].1))
                } else {
                    match self.process(fr, args, taints, &positional, 0) {
                        Some(x) => x,
                        None => return false,
                    }
                }
            }
            Arg::Process(i) => match self.process(fr, args, taints, &positional, i) {
                Some(x) => x,
                None => return false,
            },
            Arg::Spawn => {
                let shell = args.iter().any(|(_, a)| {
                    a.kind() == "object" && {
                        let s = text(fr, *a);
                        s.contains("shell") && !s.contains("shell: false") && !s.contains("shell:false")
                    }
                });
                if shell {
                    (from(0), pos(0).map_or(n, |j| args[j].1))
                } else {
                    // `spawn(program, [args…])`: the program and its argument array.
                    let Some(first) = pos(0) else { return false };
                    let mut listed = vec![args[first].1];
                    if let Some(list) = pos(1).map(|j| args[j].1).filter(|a| a.kind() == "array") {
                        listed.extend(kids(list));
                    }
                    self.process_list(fr, &listed)
                }
            }
            Arg::Yaml => {
                let loader = kw("Loader").or_else(|| pos(1)).map(|j| text(fr, args[j].1)).unwrap_or("");
                if loader.contains("Safe") || loader.contains("BaseLoader") {
                    return false;
                }
                match pos(0).or_else(|| kw("stream")) {
                    Some(j) => (taints[j].clone(), args[j].1),
                    None => return false,
                }
            }
            Arg::Markup(i) => {
                let mut t = from(i);
                t.html |= positional.iter().skip(i).any(|&j| is_string_literal(args[j].1.kind()) && has_markup(text(fr, args[j].1)));
                if !t.html {
                    return false;
                }
                (t, pos(i).map_or(n, |j| args[j].1))
            }
            Arg::Built(i) => match pos(i) {
                Some(j) => {
                    let built_here = matches!(args[j].1.kind(), "template_string" | "binary_expression" | "binary_operator");
                    if !(taints[j].built || built_here) {
                        return false;
                    }
                    (taints[j].clone(), args[j].1)
                }
                None => return false,
            },
        };
        if t.reaches(spec.sink) {
            self.hit(fr, spec.sink, n, path, expr, &t);
            return true;
        }
        false
    }

    /// A process started from an argument list: tainted when the program is attacker data or
    /// the list is a shell running a command string (`sh -c …`).
    fn process(
        &mut self,
        fr: &mut Frame<'a>,
        args: &[(Option<&'a str>, Node<'a>)],
        taints: &[Taint],
        positional: &[usize],
        i: usize,
    ) -> Option<(Taint, Node<'a>)> {
        let first = *positional.get(i)?;
        let listed: Vec<Node<'a>> = if positional.len() > i + 1 {
            positional[i..].iter().map(|&j| args[j].1).collect()
        } else {
            let a = args[first].1;
            match a.kind() {
                "list" | "tuple" | "array" | "array_initializer" => kids(a).collect(),
                "array_creation_expression" => a.child_by_field_name("value").map(|v| kids(v).collect()).unwrap_or_default(),
                "composite_literal" => a.child_by_field_name("body").map(|v| kids(v).collect()).unwrap_or_default(),
                _ => return Some((taints[first].clone(), a)),
            }
        };
        Some(self.process_list(fr, &listed))
    }

    fn process_list(&mut self, fr: &mut Frame<'a>, listed: &[Node<'a>]) -> (Taint, Node<'a>) {
        let lit = |k: Option<&Node<'a>>| k.map(|n| text(fr, *n).trim_matches(['"', '\'', '`']).to_owned()).unwrap_or_default();
        let program = lit(listed.first());
        let shell_name = program.rsplit('/').next().unwrap_or("");
        let shell = matches!(shell_name, "sh" | "bash" | "zsh" | "dash" | "ksh" | "cmd" | "cmd.exe" | "powershell" | "pwsh")
            && matches!(lit(listed.get(1)).as_str(), "-c" | "/c" | "-lc" | "-Command");
        let picked: Vec<Node<'a>> =
            if shell { listed.iter().skip(2).copied().collect() } else { listed.first().copied().into_iter().collect() };
        let mut u = Taint::clean();
        for p in &picked {
            let t = self.eval(fr, *p);
            u.join(&t);
        }
        let expr = picked.first().copied().or(listed.first().copied());
        match expr {
            Some(e) => (u, e),
            None => (Taint::clean(), fr_root(fr)),
        }
    }

    /// The program's function a call names, if any.
    pub fn resolve(&self, fr: &Frame<'a>, n: Node<'a>, callee: Option<Node<'a>>, _path: &str) -> Option<(u32, Node<'a>)> {
        let prog = self.prog;
        let info = &prog.info[fr.fi as usize];
        let first = |fi: u32, name: &str| prog.info[fi as usize].defs.get(name).and_then(|v| v.first().copied()).map(|d| (fi, d));
        let via_import = |name: &str, member: Option<&str>| match (info.imports.get(name)?, member) {
            (Import::Symbol(t, s), None) => first(*t, s),
            (Import::Module(t), Some(m)) => first(*t, m),
            _ => None,
        };
        if n.kind() == "method_invocation" {
            let name = text(fr, n.child_by_field_name("name")?);
            return match n.child_by_field_name("object") {
                None => first(fr.fi, name),
                Some(o) if o.kind() == "this" => first(fr.fi, name),
                Some(o) if o.kind() == "identifier" => {
                    let obj = text(fr, o);
                    let class_files = prog.java_class_files(obj);
                    class_files.iter().find_map(|&c| first(c, name)).or_else(|| {
                        // A variable of one of the project's classes: the method, if only one file has it.
                        match prog.java_method_files(name) {
                            [one] => first(*one, name),
                            _ => first(fr.fi, name),
                        }
                    })
                }
                _ => None,
            };
        }
        let callee = callee?;
        match callee.kind() {
            "identifier" => {
                let name = text(fr, callee);
                if let Some(d) = first(fr.fi, name) {
                    return Some(d);
                }
                if fr.lang == Lang::Go {
                    return prog.go_package_files(fr.fi).iter().find_map(|&g| first(g, name));
                }
                via_import(name, None)
            }
            "attribute" | "member_expression" | "selector_expression" => {
                let obj = callee.child_by_field_name("object").or_else(|| callee.child_by_field_name("operand"))?;
                let member = callee
                    .child_by_field_name("attribute")
                    .or_else(|| callee.child_by_field_name("property"))
                    .or_else(|| callee.child_by_field_name("field"))?;
                let member = text(fr, member);
                let o = text(fr, obj);
                if matches!(o, "self" | "cls" | "this") {
                    return first(fr.fi, member);
                }
                if obj.kind() != "identifier" {
                    return None;
                }
                if fr.lang == Lang::Go {
                    if let Some(path) = info.aliases.get(o) {
                        return prog.go_import_files(path).iter().find_map(|&g| first(g, member));
                    }
                    // A method on a value of the package's own types.
                    return prog
                        .go_package_files(fr.fi)
                        .iter()
                        .find_map(|&g| first(g, member).filter(|(_, d)| d.kind() == "method_declaration"));
                }
                via_import(o, Some(member))
            }
            _ => None,
        }
    }

    /// A call to one of the program's functions: its summary, instantiated with these arguments.
    fn apply(&mut self, fr: &mut Frame<'a>, call: &Call<'a>, tfi: u32, def: Node<'a>, method_call: bool) -> Taint {
        let (n, args, taints, recv) = (call.node, &call.args, &call.taints, &call.recv);
        let s = self.summary(tfi, def);
        let line = fr.f.line(n);
        let fname = def.child_by_field_name("name").map(|d| self.prog.files[tfi as usize].text(d)).unwrap_or("<anonymous>");
        // Actual value per formal parameter.
        let offset =
            usize::from(fr.lang == Lang::Python && method_call && s.param_names.first().is_some_and(|p| p == "self" || p == "cls"));
        let mut actual: Vec<Taint> = vec![Taint::clean(); s.param_names.len()];
        let mut actual_nodes: Vec<Option<Node<'a>>> = vec![None; s.param_names.len()];
        if offset == 1 && !actual.is_empty() {
            actual[0] = recv.clone();
        }
        let mut k = offset;
        for (j, (kw, node)) in args.iter().enumerate() {
            let slot = match kw {
                Some(name) => s.param_names.iter().position(|p| p == name),
                None => {
                    k += 1;
                    Some(k - 1)
                }
            };
            if let Some(slot) = slot.filter(|s| *s < actual.len()) {
                actual[slot] = taints[j].clone();
                actual_nodes[slot] = Some(*node);
            } else if let Some(last) = actual.last_mut() {
                // Variadic tails (`*args`, `...rest`): the last parameter takes them.
                last.join(&taints[j]);
            }
        }
        let map = |labels: u64| {
            let mut out = Taint::clean();
            for i in bits(labels & PARAM_MASK) {
                if let Some(a) = actual.get(i) {
                    out.join(a);
                }
            }
            out
        };
        for h in &s.hits {
            let from_args = map(h.taint.labels);
            let mut t = if from_args.is_tainted() {
                let entered = from_args.step(fr.fi, line, || format!("passed to `{fname}()`"));
                concat(entered, &h.taint)
            } else {
                Taint::clean()
            };
            if h.taint.labels & SOURCE != 0 {
                let own = Taint { labels: SOURCE, ..h.taint.clone() };
                t.join(&own);
            }
            if t.is_tainted() && (t.cleared | h.taint.cleared) & h.sink as u8 == 0 && fr.sum.hits.len() < MAX_HITS {
                let dup = fr.sum.hits.iter().any(|x| x.sink == h.sink && x.file == h.file && x.line == h.line && x.column == h.column);
                if !dup {
                    fr.sum.hits.push(Hit { taint: t, ..h.clone() });
                }
            }
        }
        // Raising validators called for their effect: `validate(x)` then `x` is clean.
        for i in bits(s.raises) {
            if let Some(var) = actual_nodes.get(i).copied().flatten().filter(|a| a.kind() == "identifier").map(|a| text(fr, a)) {
                self.clean_var(fr, var);
            }
        }
        let mut r = map(s.ret.labels);
        if r.is_tainted() && s.ret.trace.is_some() {
            let entered = r.step(fr.fi, line, || format!("passed to `{fname}()`"));
            r = concat(entered, &s.ret);
        }
        if s.ret.labels & SOURCE != 0 {
            r.join(&Taint { labels: SOURCE, ..s.ret.clone() });
        }
        if r.is_tainted() {
            r.cleared |= s.ret.cleared;
            r.html |= s.ret.html;
            r.built |= s.ret.built;
            r = r.step(fr.fi, line, || format!("returned from `{fname}()`"));
        }
        r
    }
}

fn fr_root<'a>(fr: &Frame<'a>) -> Node<'a> {
    fr.f.tree.root_node()
}

/// The caller's value followed by the callee's steps from its parameter to the sink.
fn concat(prefix: Taint, callee: &Taint) -> Taint {
    let mut cur = prefix;
    for s in steps(&callee.trace) {
        cur = cur.step(s.file, s.line, || s.note.clone());
    }
    cur
}

/// The variable at the root of `a.b[c].d`.
pub fn base_ident<'a>(fr: &Frame<'a>, n: Node<'a>) -> Option<&'a str> {
    let mut cur = n;
    for _ in 0..64 {
        match cur.kind() {
            "identifier" | "this" => return Some(text(fr, cur)),
            "attribute" | "member_expression" | "subscript_expression" | "field_access" => cur = cur.child_by_field_name("object")?,
            "subscript" => cur = cur.child_by_field_name("value")?,
            "selector_expression" | "index_expression" | "slice_expression" => cur = cur.child_by_field_name("operand")?,
            "array_access" => cur = cur.child_by_field_name("array")?,
            "parenthesized_expression" | "non_null_expression" => cur = cur.named_child(0)?,
            _ => return None,
        }
    }
    None
}

/// `urlparse(url)…`, `new URL(u)…`, `url.Parse(u)…`, `u.getHost()`: the variable parsed.
fn derivation_base<'a>(fr: &Frame<'a>, value: Node<'a>) -> Option<&'a str> {
    let mut cur = value;
    for _ in 0..16 {
        match cur.kind() {
            "attribute" | "member_expression" | "field_access" | "selector_expression" => {
                cur = cur.child_by_field_name("object").or_else(|| cur.child_by_field_name("operand"))?
            }
            "method_invocation" => cur = cur.child_by_field_name("object")?,
            k if is_call(k) => {
                let arg = cur.child_by_field_name("arguments").and_then(|a| a.named_child(0));
                return match arg {
                    Some(a) if a.kind() == "identifier" => Some(text(fr, a)),
                    _ => None,
                };
            }
            _ => return None,
        }
    }
    None
}

/// Whether a block always leaves (return, raise, throw, continue, break, abort/exit/panic),
/// and if so whether by raising.
fn exit_of(fr: &Frame<'_>, block: Node<'_>) -> Option<bool> {
    exit_within(fr, block, 0)
}

fn exit_within(fr: &Frame<'_>, block: Node<'_>, depth: u32) -> Option<bool> {
    if depth > 32 {
        return None;
    }
    let last =
        if matches!(block.kind(), "block" | "statement_block" | "else_clause" | "statement_list") { kids(block).last()? } else { block };
    match last.kind() {
        "raise_statement" | "throw_statement" => Some(true),
        "return_statement" | "continue_statement" | "break_statement" => Some(false),
        "block" | "statement_block" | "statement_list" => exit_within(fr, last, depth + 1),
        "expression_statement" => {
            let t = text(fr, last);
            let callee = t.split('(').next().unwrap_or("");
            let name = callee.rsplit('.').next().unwrap_or(callee).trim();
            matches!(name, "abort" | "exit" | "Exit" | "panic" | "Fatal" | "Fatalf" | "_exit").then_some(true)
        }
        _ => None,
    }
}
