//! One pass over a file's tree that lifts what the rules read, in every language alike: calls
//! (with a canonical dotted callee), assignments, variable definitions by scope, and import
//! aliases. The pass is iterative and capped, so deep or huge trees cannot overflow the stack.

use std::cell::OnceCell;

use fnwarden_code::tree_sitter::{Node, TreeCursor};
use fnwarden_code::{Lang, ParsedFile};
use rustc_hash::{FxHashMap, FxHashSet};

use crate::command::Command;

/// Beyond this many nodes the rest of a file is not analysed (a generated bundle, not a handler).
pub(crate) const MAX_NODES: usize = 2_000_000;
/// Callee texts longer than this are not names anyone wrote by hand.
const MAX_CALLEE: usize = 160;
/// Bound on nested member/call chains when naming a callee.
const MAX_CHAIN: u32 = 24;

/// A call or constructor invocation.
pub(crate) struct Call<'t> {
    pub node: Node<'t>,
    /// Dotted and alias-resolved: `subprocess.Popen`, `child_process.spawn().unref`,
    /// `exec.Command().Start`, `Runtime.getRuntime().exec`. Empty when not nameable.
    pub callee: String,
    /// The object a method is called on (`p` in `p.wait()`).
    pub receiver: Option<Node<'t>>,
    pub args: Vec<Node<'t>>,
    /// Python keyword arguments and the pairs of JS option objects.
    pub kwargs: Vec<(String, Node<'t>)>,
    /// Id of the enclosing function node, or of the root at module scope.
    pub scope: usize,
    /// What the call runs, when it starts a process (see `Syntax::command`).
    pub command: OnceCell<Option<Command>>,
}

impl Call<'_> {
    /// The last segment of the callee: `Popen`, `unref`, `Start`.
    pub fn method(&self) -> &str {
        self.callee.rsplit('.').next().unwrap_or("")
    }

    pub fn is(&self, names: &[&str]) -> bool {
        names.contains(&self.callee.as_str())
    }

    pub fn kwarg(&self, name: &str) -> Option<Node<'_>> {
        self.kwargs.iter().find(|(k, _)| k == name).map(|(_, v)| *v)
    }
}

/// An assignment or declaration with its target and value.
pub(crate) struct Assign<'t> {
    pub node: Node<'t>,
    pub target: Node<'t>,
    pub value: Option<Node<'t>>,
}

/// A definition of a plain variable name in a scope; `value` is `None` when it is not a single
/// expression (a loop variable, a parameter, `+=`).
#[derive(Clone, Copy)]
pub(crate) struct Def<'t> {
    pub node: Node<'t>,
    pub value: Option<Node<'t>>,
}

pub(crate) struct Syntax<'t> {
    pub file: &'t ParsedFile,
    pub root: usize,
    pub calls: Vec<Call<'t>>,
    pub assigns: Vec<Assign<'t>>,
    /// The outermost string-building expression around each string literal
    /// (`'/proc/' + pid + '/environ'`), once each: constants are judged whole, wherever they stand.
    pub strings: Vec<Node<'t>>,
    /// For literals and string-building nodes: the outermost such expression they are part of.
    string_top: FxHashMap<usize, Node<'t>>,
    listed: FxHashSet<usize>,
    /// Function definitions of every kind.
    pub functions: Vec<Node<'t>>,
    /// Go `Key: value` elements of composite literals and `//go:` directives.
    pub keyed: Vec<Node<'t>>,
    pub directives: Vec<Node<'t>>,
    /// Module names the file imports under their own name (`import socket`, Go `"net/http"`).
    imported: FxHashSet<String>,
    call_index: FxHashMap<usize, usize>,
    scope_of: FxHashMap<usize, usize>,
    /// Parents by node id: tree-sitter's own `parent()` walks down from the root each time.
    parent_of: FxHashMap<usize, Node<'t>>,
    defs: FxHashMap<(usize, &'t str), Vec<Def<'t>>>,
    aliases: FxHashMap<String, String>,
}

impl<'t> Syntax<'t> {
    pub fn new(file: &'t ParsedFile) -> Syntax<'t> {
        let root = file.tree.root_node();
        let mut s = Syntax {
            file,
            root: root.id(),
            calls: Vec::new(),
            assigns: Vec::new(),
            strings: Vec::new(),
            string_top: FxHashMap::default(),
            listed: FxHashSet::default(),
            functions: Vec::new(),
            keyed: Vec::new(),
            directives: Vec::new(),
            imported: FxHashSet::default(),
            call_index: FxHashMap::default(),
            scope_of: FxHashMap::default(),
            parent_of: FxHashMap::default(),
            defs: FxHashMap::default(),
            aliases: FxHashMap::default(),
        };
        let mut raw_calls = Vec::new();
        walk(root, |node, scope, parent| {
            // Punctuation and keywords carry nothing the rules read.
            if !node.is_named() {
                return;
            }
            s.scope_of.insert(node.id(), scope);
            if let Some(p) = parent {
                s.parent_of.insert(node.id(), p);
            }
            s.visit(node, scope, parent, &mut raw_calls);
        });
        // Aliases are known only after the whole pass; callees are named afterwards.
        for (node, scope) in raw_calls {
            if let Some(call) = s.lift_call(node, scope) {
                s.call_index.insert(node.id(), s.calls.len());
                s.calls.push(call);
            }
        }
        s
    }

    /// Whether a dotted name's first segment is a module this file imports.
    pub fn is_module(&self, head: &str) -> bool {
        self.imported.contains(head) || self.aliases.values().any(|m| m == head || m.split('.').next() == Some(head))
    }

    /// Test files by each ecosystem's convention.
    pub fn is_test_file(&self) -> bool {
        let path = self.file.path.to_string_lossy().replace('\\', "/");
        let name = path.rsplit('/').next().unwrap_or(&path);
        let in_test_dir = path.split('/').any(|seg| matches!(seg, "tests" | "test" | "__tests__" | "spec"));
        in_test_dir
            || name.starts_with("test_")
            || name.ends_with("_test.py")
            || name.ends_with("_test.go")
            || name == "conftest.py"
            || [".test.", ".spec."].iter().any(|m| name.contains(m))
            || (name.ends_with("Test.java") || name.ends_with("Tests.java"))
    }

    pub fn lang(&self) -> Lang {
        self.file.lang
    }

    pub fn text(&self, node: Node<'_>) -> &'t str {
        self.file.source.get(node.byte_range()).unwrap_or("")
    }

    pub fn scope(&self, node: Node<'_>) -> usize {
        self.scope_of.get(&node.id()).copied().unwrap_or(self.root)
    }

    pub fn parent(&self, node: Node<'_>) -> Option<Node<'t>> {
        self.parent_of.get(&node.id()).copied()
    }

    pub fn call(&self, node: Node<'_>) -> Option<&Call<'t>> {
        self.call_index.get(&node.id()).and_then(|&i| self.calls.get(i))
    }

    /// The definition of `name` that a use at `at` sees: the latest one finished before it in
    /// the use's own function, else the module's latest (module constants may be defined below
    /// the functions that read them).
    pub fn def_for(&self, name: &str, at: Node<'_>) -> Option<Def<'t>> {
        let scope = self.scope(at);
        // Definitions are in source order: search back from the use, a few steps at most.
        let before = |defs: &Vec<Def<'t>>| {
            let upto = defs.partition_point(|d| d.node.start_byte() < at.start_byte());
            defs[..upto].iter().rev().take(8).find(|d| d.node.end_byte() <= at.start_byte()).copied()
        };
        if let Some(defs) = self.defs.get(&(scope, name)) {
            return before(defs);
        }
        let defs = self.defs.get(&(self.root, name))?;
        before(defs).or_else(|| defs.last().copied())
    }

    /// Alias-resolved dotted name of an expression: `sp.Popen` → `subprocess.Popen`.
    pub fn dotted(&self, node: Node<'_>) -> String {
        let mut out = self.dotted_raw(node, 0);
        if out.len() > MAX_CALLEE || out.contains('?') {
            out.clear();
            return out;
        }
        let (head, rest) = match out.find(['.', '(', '[']) {
            Some(i) => out.split_at(i),
            None => (out.as_str(), ""),
        };
        if let Some(full) = self.aliases.get(head) {
            out = format!("{full}{rest}");
        }
        out
    }

    fn dotted_raw(&self, node: Node<'_>, depth: u32) -> String {
        if depth > MAX_CHAIN {
            return "?".to_owned();
        }
        let field = |name: &str| node.child_by_field_name(name);
        let sub = |n: Option<Node<'_>>| n.map(|n| self.dotted_raw(n, depth + 1)).unwrap_or_else(|| "?".to_owned());
        match node.kind() {
            "identifier"
            | "property_identifier"
            | "field_identifier"
            | "package_identifier"
            | "type_identifier"
            | "shorthand_property_identifier"
            | "this"
            | "super" => self.text(node).to_owned(),
            "attribute" => format!("{}.{}", sub(field("object")), sub(field("attribute"))),
            "member_expression" => format!("{}.{}", sub(field("object")), sub(field("property"))),
            "selector_expression" => format!("{}.{}", sub(field("operand")), sub(field("field"))),
            "field_access" => format!("{}.{}", sub(field("object")), sub(field("field"))),
            "scoped_type_identifier" | "scoped_identifier" | "dotted_name" | "generic_type" => self.text(node).split_whitespace().collect(),
            "parenthesized_expression" | "non_null_expression" => node.named_child(0).map(|n| sub(Some(n))).unwrap_or_default(),
            "subscript" | "subscript_expression" | "index_expression" => {
                format!("{}[]", sub(field("value").or(field("object")).or(field("operand"))))
            }
            "call" | "call_expression" => {
                if let Some(module) = self.required_module(node) {
                    return module;
                }
                format!("{}()", sub(field("function")))
            }
            "method_invocation" => match field("object") {
                Some(o) => format!("{}.{}()", sub(Some(o)), sub(field("name"))),
                None => format!("{}()", sub(field("name"))),
            },
            "object_creation_expression" => format!("new {}()", sub(field("type"))),
            "new_expression" => format!("new {}()", sub(field("constructor"))),
            _ => "?".to_owned(),
        }
    }

    /// `require('x')` names module `x`.
    fn required_module(&self, call: Node<'_>) -> Option<String> {
        if !self.lang().is_js_family() {
            return None;
        }
        let f = call.child_by_field_name("function")?;
        if self.text(f) != "require" {
            return None;
        }
        let arg = call.child_by_field_name("arguments")?.named_child(0)?;
        (arg.kind() == "string").then(|| js_module(self.text(arg).trim_matches(['\'', '"', '`'])))
    }

    fn visit(&mut self, node: Node<'t>, scope: usize, parent: Option<Node<'t>>, raw_calls: &mut Vec<(Node<'t>, usize)>) {
        self.string_part(node, parent);
        match node.kind() {
            "call" | "call_expression" | "method_invocation" | "new_expression" | "object_creation_expression" => {
                raw_calls.push((node, scope));
            }
            "import_statement" | "import_from_statement" | "import_spec" | "variable_declarator" => {
                self.imports(node);
            }
            "keyed_element" => self.keyed.push(node),
            "comment" if self.text(node).starts_with("//go:") => self.directives.push(node),
            _ => {}
        }
        self.assignments(node, scope);
        self.loop_vars(node, scope);
        if is_function(node.kind()) {
            self.functions.push(node);
            self.parameters(node);
        }
    }

    /// Tracks string-building expressions in pre-order: a node inside one shares its top.
    fn string_part(&mut self, node: Node<'t>, parent: Option<Node<'t>>) {
        let literal =
            matches!(node.kind(), "string" | "interpreted_string_literal" | "raw_string_literal" | "string_literal" | "template_string");
        if !literal && !builds_string(node) {
            return;
        }
        let top = parent.and_then(|p| self.string_top.get(&p.id()).copied()).unwrap_or(node);
        self.string_top.insert(node.id(), top);
        if literal && self.listed.insert(top.id()) {
            self.strings.push(top);
        }
    }

    fn define(&mut self, name_node: Node<'t>, scope: usize, def: Def<'t>) {
        if matches!(name_node.kind(), "identifier" | "shorthand_property_identifier_pattern") {
            self.defs.entry((scope, self.text(name_node))).or_default().push(def);
        }
    }

    fn assignments(&mut self, node: Node<'t>, scope: usize) {
        let field = |n: &str| node.child_by_field_name(n);
        let pairs: Vec<(Node<'t>, Option<Node<'t>>)> = match node.kind() {
            "assignment" | "assignment_expression" => match (field("left"), field("right")) {
                (Some(l), r) if l.kind() != "pattern_list" && l.kind() != "tuple_pattern" => vec![(l, r)],
                _ => Vec::new(),
            },
            // `with open(p) as fh:` and Java's `try (InputStream in = …)`.
            "as_pattern" => match (node.named_child(0), node.child_by_field_name("alias").and_then(first_identifier)) {
                (Some(v), Some(name)) => vec![(name, Some(v))],
                _ => Vec::new(),
            },
            "resource" => match (field("name"), field("value")) {
                (Some(n), v) => vec![(n, v)],
                _ => Vec::new(),
            },
            "augmented_assignment" | "augmented_assignment_expression" => field("left").map(|l| vec![(l, None)]).unwrap_or_default(),
            "variable_declarator" => match (field("name"), field("value")) {
                (Some(n), v) => vec![(n, v)],
                _ => Vec::new(),
            },
            "assignment_statement" | "short_var_declaration" => {
                let ls = field("left").map(named_children).unwrap_or_default();
                let rs = field("right").map(named_children).unwrap_or_default();
                let single = ls.len() == rs.len();
                ls.into_iter().enumerate().map(|(i, l)| (l, if single { rs.get(i).copied() } else { None })).collect()
            }
            "var_spec" | "const_spec" => {
                let names: Vec<Node<'t>> = children_by_field(node, "name");
                let values = field("value").map(named_children).unwrap_or_default();
                let single = names.len() == values.len();
                names.into_iter().enumerate().map(|(i, n)| (n, if single { values.get(i).copied() } else { None })).collect()
            }
            _ => Vec::new(),
        };
        for (target, value) in pairs {
            self.define(target, scope, Def { node, value });
            self.assigns.push(Assign { node, target, value });
        }
    }

    fn loop_vars(&mut self, node: Node<'t>, scope: usize) {
        let target = match node.kind() {
            "for_statement" | "for_in_statement" => node.child_by_field_name("left"),
            "enhanced_for_statement" => node.child_by_field_name("name"),
            "range_clause" => node
                .child_by_field_name("left")
                .and_then(|l| l.named_child(u32::try_from(l.named_child_count().saturating_sub(1)).unwrap_or(0))),
            _ => None,
        };
        let Some(target) = target else { return };
        // `for (const pid of list)`: the name sits in a declarator.
        let name = if target.kind() == "identifier" { Some(target) } else { first_identifier(target) };
        if let Some(name) = name {
            self.define(name, scope, Def { node, value: None });
        }
    }

    fn parameters(&mut self, func: Node<'t>) {
        let Some(params) = func.child_by_field_name("parameters").or_else(|| func.child_by_field_name("parameter")) else { return };
        let id = func.id();
        if params.kind() == "identifier" {
            self.define(params, id, Def { node: params, value: None });
            return;
        }
        for p in named_children(params) {
            let name = p.child_by_field_name("name").or_else(|| p.child_by_field_name("pattern")).unwrap_or(p);
            let name = if name.kind() == "identifier" { Some(name) } else { first_identifier(name) };
            if let Some(name) = name {
                self.define(name, id, Def { node: p, value: None });
            }
        }
    }

    fn imports(&mut self, node: Node<'t>) {
        match (self.lang(), node.kind()) {
            (Lang::Python, "import_statement") => {
                for c in named_children(node) {
                    if c.kind() == "dotted_name" {
                        let head = self.text(c).split('.').next().unwrap_or("").to_owned();
                        self.imported.insert(head);
                    }
                    if c.kind() == "aliased_import"
                        && let (Some(n), Some(a)) = (c.child_by_field_name("name"), c.child_by_field_name("alias"))
                    {
                        self.aliases.insert(self.text(a).to_owned(), self.text(n).to_owned());
                    }
                }
            }
            (Lang::Python, "import_from_statement") => {
                let Some(module) = node.child_by_field_name("module_name") else { return };
                let module = self.text(module).to_owned();
                for c in children_by_field(node, "name") {
                    let (n, a) = match c.kind() {
                        "aliased_import" => (c.child_by_field_name("name"), c.child_by_field_name("alias")),
                        _ => (Some(c), Some(c)),
                    };
                    if let (Some(n), Some(a)) = (n, a) {
                        self.aliases.insert(self.text(a).to_owned(), format!("{module}.{}", self.text(n)));
                    }
                }
            }
            (Lang::Go, "import_spec") => {
                let Some(path) = node.child_by_field_name("path") else { return };
                let path = self.text(path).trim_matches(['"', '`']);
                let last = path.rsplit('/').next().unwrap_or(path).to_owned();
                match node.child_by_field_name("name") {
                    Some(name) => {
                        self.aliases.insert(self.text(name).to_owned(), last);
                    }
                    None => {
                        self.imported.insert(last);
                    }
                }
            }
            (l, "import_statement") if l.is_js_family() => {
                let Some(src) = node.child_by_field_name("source") else { return };
                let module = js_module(self.text(src).trim_matches(['\'', '"']));
                let Some(clause) = node.named_children(&mut node.walk()).find(|c| c.kind() == "import_clause") else { return };
                for c in named_children(clause) {
                    match c.kind() {
                        "identifier" => {
                            self.aliases.insert(self.text(c).to_owned(), module.clone());
                        }
                        "namespace_import" => {
                            if let Some(id) = first_identifier(c) {
                                self.aliases.insert(self.text(id).to_owned(), module.clone());
                            }
                        }
                        "named_imports" => {
                            for spec in named_children(c) {
                                let n = spec.child_by_field_name("name");
                                let a = spec.child_by_field_name("alias").or(n);
                                if let (Some(n), Some(a)) = (n, a) {
                                    self.aliases.insert(self.text(a).to_owned(), format!("{module}.{}", self.text(n)));
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            (l, "variable_declarator") if l.is_js_family() => {
                let (Some(name), Some(value)) = (node.child_by_field_name("name"), node.child_by_field_name("value")) else { return };
                let value = if value.kind() == "await_expression" { value.named_child(0).unwrap_or(value) } else { value };
                let module = match value.kind() {
                    "call_expression" => self.required_module(value),
                    // `const cp = require('child_process').spawn`
                    "member_expression" => {
                        let obj = value.child_by_field_name("object");
                        let prop = value.child_by_field_name("property");
                        match (obj.and_then(|o| self.required_module(o)), prop) {
                            (Some(m), Some(p)) => Some(format!("{m}.{}", self.text(p))),
                            _ => None,
                        }
                    }
                    _ => None,
                };
                let Some(module) = module else { return };
                match name.kind() {
                    "identifier" => {
                        self.aliases.insert(self.text(name).to_owned(), module);
                    }
                    "object_pattern" => {
                        for c in named_children(name) {
                            match c.kind() {
                                "shorthand_property_identifier_pattern" => {
                                    self.aliases.insert(self.text(c).to_owned(), format!("{module}.{}", self.text(c)));
                                }
                                "pair_pattern" => {
                                    if let (Some(k), Some(v)) = (c.child_by_field_name("key"), c.child_by_field_name("value")) {
                                        self.aliases.insert(self.text(v).to_owned(), format!("{module}.{}", self.text(k)));
                                    }
                                }
                                _ => {}
                            }
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }

    fn lift_call(&self, node: Node<'t>, scope: usize) -> Option<Call<'t>> {
        let (callee_node, receiver) = match node.kind() {
            "call" | "call_expression" => {
                let f = node.child_by_field_name("function")?;
                let recv = f.child_by_field_name("object").or_else(|| f.child_by_field_name("operand"));
                (Some(f), recv)
            }
            "method_invocation" => (None, node.child_by_field_name("object")),
            _ => (None, None),
        };
        let callee = match (node.kind(), callee_node) {
            (_, Some(f)) => self.dotted(f),
            ("method_invocation", None) => {
                let name = node.child_by_field_name("name").map(|n| self.text(n)).unwrap_or("");
                match receiver {
                    Some(r) => format!("{}.{name}", self.dotted(r)),
                    None => name.to_owned(),
                }
            }
            ("object_creation_expression", _) => {
                node.child_by_field_name("type").map(|t| format!("new {}", self.dotted(t))).unwrap_or_default()
            }
            ("new_expression", _) => node.child_by_field_name("constructor").map(|t| format!("new {}", self.dotted(t))).unwrap_or_default(),
            _ => String::new(),
        };
        let mut args = Vec::new();
        let mut kwargs = Vec::new();
        if let Some(list) = node.child_by_field_name("arguments") {
            for a in named_children(list) {
                match a.kind() {
                    "keyword_argument" => {
                        if let (Some(k), Some(v)) = (a.child_by_field_name("name"), a.child_by_field_name("value")) {
                            kwargs.push((self.text(k).to_owned(), v));
                        }
                    }
                    "comment" => {}
                    "object" => {
                        for pair in named_children(a) {
                            if pair.kind() == "pair"
                                && let (Some(k), Some(v)) = (pair.child_by_field_name("key"), pair.child_by_field_name("value"))
                            {
                                kwargs.push((self.text(k).trim_matches(['\'', '"']).to_owned(), v));
                            }
                        }
                        args.push(a);
                    }
                    _ => args.push(a),
                }
            }
        }
        Some(Call { node, callee, receiver, args, kwargs, scope, command: OnceCell::new() })
    }
}

/// `node:fs` → `fs`, `fs/promises` → `fs.promises`.
fn js_module(name: &str) -> String {
    name.strip_prefix("node:").unwrap_or(name).replace('/', ".")
}

/// Expressions that build a string from parts.
fn builds_string(node: Node<'_>) -> bool {
    match node.kind() {
        "binary_operator" | "binary_expression" => {
            node.child_by_field_name("operator").is_some_and(|o| matches!(o.kind(), "+" | "%" | "/"))
        }
        "concatenated_string" | "parenthesized_expression" | "interpolation" | "template_substitution" => true,
        _ => false,
    }
}

pub(crate) fn is_function(kind: &str) -> bool {
    matches!(
        kind,
        "function_definition"
            | "lambda"
            | "function_declaration"
            | "function_expression"
            | "arrow_function"
            | "method_definition"
            | "generator_function_declaration"
            | "generator_function"
            | "method_declaration"
            | "func_literal"
            | "constructor_declaration"
            | "lambda_expression"
    )
}

pub(crate) fn named_children(node: Node<'_>) -> Vec<Node<'_>> {
    node.named_children(&mut node.walk()).collect()
}

fn children_by_field<'t>(node: Node<'t>, field: &str) -> Vec<Node<'t>> {
    node.children_by_field_name(field, &mut node.walk()).collect()
}

/// The first identifier under a node, searched breadth-first a few levels down.
pub(crate) fn first_identifier(node: Node<'_>) -> Option<Node<'_>> {
    let mut level = vec![node];
    for _ in 0..4 {
        let mut next = Vec::new();
        for n in level {
            if n.kind() == "identifier" {
                return Some(n);
            }
            next.extend(named_children(n));
        }
        level = next;
    }
    None
}

/// Pre-order over the tree with the enclosing function's id and the parent; iterative and
/// capped at `MAX_NODES`.
pub(crate) fn walk<'t>(root: Node<'t>, mut f: impl FnMut(Node<'t>, usize, Option<Node<'t>>)) {
    let mut cursor: TreeCursor<'t> = root.walk();
    // Ancestors of the cursor's node, and the scopes among them: (ancestor count, scope id).
    let mut path: Vec<Node<'t>> = Vec::new();
    let mut scopes: Vec<(usize, usize)> = vec![(0, root.id())];
    let mut seen = 0usize;
    loop {
        let node = cursor.node();
        seen += 1;
        if seen > MAX_NODES {
            tracing::warn!(nodes = MAX_NODES, "hijack rules: file too large, the rest is not analysed");
            return;
        }
        let scope = scopes.last().map(|s| s.1).unwrap_or(0);
        f(node, scope, path.last().copied());
        if cursor.goto_first_child() {
            path.push(node);
            if is_function(node.kind()) {
                scopes.push((path.len(), node.id()));
            }
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
            while scopes.len() > 1 && scopes.last().is_some_and(|s| s.0 >= path.len()) {
                scopes.pop();
            }
            path.pop();
        }
    }
}
