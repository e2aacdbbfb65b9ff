use std::path::{Path, PathBuf};

use fnwarden_project::{DiagKind, Diagnostic, Function, TriggerKind};
use serde::Serialize;
use tree_sitter::Node;

use crate::{Lang, ParsedFile};

/// A handler the platform calls with attacker-influenced input: where taint starts.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Entry {
    /// The function's IaC name; `None` for an entry found by convention without IaC.
    pub function: Option<String>,
    /// The source file, relative to the scan root.
    pub file: PathBuf,
    /// The handler's name in that file: a function (`handler`), `Class::method` for Java, the
    /// function passed to `lambda.Start` for Go, the export name for JS. Anonymous callbacks
    /// (an Express route, `lambda.Start(func…)`) are `<what>@<line>`.
    pub symbol: String,
    /// What feeds it, from the IaC: which event shapes carry attacker data.
    pub triggers: Vec<TriggerKind>,
}

/// A parameter of a function: its name (empty for a destructuring pattern or an unnamed Go
/// parameter), its declared type as written (empty when untyped) and the node that binds it.
#[derive(Clone, Copy, Debug)]
pub struct Param<'a> {
    pub name: &'a str,
    pub type_text: &'a str,
    pub node: Node<'a>,
}

/// Trees are walked without recursion; this bounds the work on one file's hostile tree.
const MAX_NODES: usize = 2_000_000;

/// True for nodes that define a function or method, named or not.
pub fn is_function(lang: Lang, node: Node<'_>) -> bool {
    let k = node.kind();
    match lang {
        Lang::Python => k == "function_definition" || k == "lambda",
        Lang::Go => matches!(k, "function_declaration" | "method_declaration" | "func_literal"),
        Lang::Java => matches!(k, "method_declaration" | "constructor_declaration" | "lambda_expression"),
        _ => matches!(
            k,
            "function_declaration"
                | "function_expression"
                | "function"
                | "arrow_function"
                | "method_definition"
                | "generator_function_declaration"
                | "generator_function"
        ),
    }
}

/// The parameters of a function node, in order.
pub fn parameters<'a>(file: &'a ParsedFile, func: Node<'a>) -> Vec<Param<'a>> {
    let mut out = Vec::new();
    if let Some(single) = func.child_by_field_name("parameter") {
        out.push(Param { name: file.text(single), type_text: "", node: single });
        return out;
    }
    let Some(list) = func.child_by_field_name("parameters") else { return out };
    if list.kind() == "identifier" {
        out.push(Param { name: file.text(list), type_text: "", node: list });
        return out;
    }
    let mut cursor = list.walk();
    for p in list.named_children(&mut cursor) {
        param(file, p, &mut out);
    }
    out
}

fn param<'a>(file: &'a ParsedFile, p: Node<'a>, out: &mut Vec<Param<'a>>) {
    let ty = p.child_by_field_name("type").map(|t| file.text(t)).unwrap_or("");
    match p.kind() {
        "identifier" => out.push(Param { name: file.text(p), type_text: "", node: p }),
        // Go: `a, b string` declares two names of one type; an unnamed parameter has none.
        "parameter_declaration" | "variadic_parameter_declaration" => {
            let mut cursor = p.walk();
            let names: Vec<Node<'a>> = p.children_by_field_name("name", &mut cursor).collect();
            if names.is_empty() {
                out.push(Param { name: "", type_text: ty, node: p });
            }
            for n in names {
                out.push(Param { name: file.text(n), type_text: ty, node: n });
            }
        }
        "comment" | "keyword_separator" | "positional_separator" | "receiver_parameter" => {}
        _ => {
            // Python typed/default/splat parameters, JS/TS patterns, Java formal parameters.
            let bind = p
                .child_by_field_name("name")
                .or_else(|| p.child_by_field_name("pattern"))
                .or_else(|| p.child_by_field_name("left"))
                .or_else(|| p.named_child(0).filter(|c| c.kind() == "identifier"))
                .unwrap_or(p);
            let name = if matches!(bind.kind(), "identifier" | "shorthand_property_identifier_pattern") { file.text(bind) } else { "" };
            out.push(Param { name, type_text: ty, node: bind });
        }
    }
}

/// The function node a symbol names in a file (see `Entry::symbol`).
pub fn handler_node<'a>(file: &'a ParsedFile, symbol: &str) -> Option<Node<'a>> {
    if let Some((_, line)) = symbol.rsplit_once('@') {
        let line: u32 = line.parse().ok()?;
        // Anonymous callbacks first: a named declaration may start on the same line.
        let anonymous = |n: Node<'_>| is_function(file.lang, n) && n.child_by_field_name("name").is_none();
        return find_first(file, |n| anonymous(n) && file.line(n) == line)
            .or_else(|| find_first(file, |n| is_function(file.lang, n) && file.line(n) == line));
    }
    match file.lang {
        Lang::Python => {
            let (class, name) = symbol.rsplit_once('.').map_or((None, symbol), |(c, n)| (Some(c), n));
            find_first(file, |n| {
                n.kind() == "function_definition"
                    && name_of(file, n) == Some(name)
                    && class.is_none_or(|c| enclosing_class(file, n) == Some(c))
            })
        }
        Lang::Go => {
            find_first(file, |n| matches!(n.kind(), "function_declaration" | "method_declaration") && name_of(file, n) == Some(symbol))
        }
        Lang::Java => {
            let (class, method) = symbol.split_once("::").map_or((None, symbol), |(c, m)| (Some(c), m));
            find_first(file, |n| {
                n.kind() == "method_declaration"
                    && name_of(file, n) == Some(method)
                    && class.is_none_or(|c| enclosing_class(file, n) == Some(c))
            })
        }
        _ => js_export(file, symbol).and_then(|v| js_function_value(file, v)),
    }
}

fn name_of<'a>(file: &'a ParsedFile, n: Node<'a>) -> Option<&'a str> {
    n.child_by_field_name("name").map(|c| file.text(c))
}

fn enclosing_class<'a>(file: &'a ParsedFile, n: Node<'a>) -> Option<&'a str> {
    let mut cur = n.parent();
    while let Some(p) = cur {
        if matches!(
            p.kind(),
            "class_definition" | "class_declaration" | "interface_declaration" | "enum_declaration" | "record_declaration"
        ) {
            return name_of(file, p);
        }
        cur = p.parent();
    }
    None
}

/// Pre-order walk of the whole tree without recursion, bounded by `MAX_NODES`.
fn walk<'a>(file: &'a ParsedFile, mut visit: impl FnMut(Node<'a>) -> bool) {
    let mut cursor = file.tree.walk();
    let mut seen = 0usize;
    loop {
        seen += 1;
        if seen > MAX_NODES || !visit(cursor.node()) {
            return;
        }
        if cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
        }
    }
}

fn find_first<'a>(file: &'a ParsedFile, mut pred: impl FnMut(Node<'a>) -> bool) -> Option<Node<'a>> {
    let mut found = None;
    walk(file, |n| {
        if pred(n) {
            found = Some(n);
            return false;
        }
        true
    });
    found
}

/// The value a JS module exports under `name`: `exports.name = v`, `module.exports.name = v`,
/// `module.exports = { name: v }`, `export const name = v`, `export function name`, or a
/// top-level declaration that one of those exports by name.
fn js_export<'a>(file: &'a ParsedFile, name: &str) -> Option<Node<'a>> {
    let mut found = None;
    walk(file, |n| {
        let hit = match n.kind() {
            "assignment_expression" => {
                let left = n.child_by_field_name("left").map(|l| file.text(l)).unwrap_or("");
                let right = n.child_by_field_name("right");
                if left.strip_prefix("module.").unwrap_or(left).strip_prefix("exports.") == Some(name) {
                    right
                } else if left == "module.exports" || left == "exports" {
                    right.and_then(|r| object_member(file, r, name))
                } else {
                    None
                }
            }
            "function_declaration" | "generator_function_declaration" if name_of(file, n) == Some(name) => Some(n),
            "variable_declarator" if name_of(file, n) == Some(name) => n.child_by_field_name("value"),
            "export_statement" if name == "default" => n.child_by_field_name("value").or_else(|| n.child_by_field_name("declaration")),
            _ => None,
        };
        if hit.is_some() {
            found = hit;
        }
        hit.is_none()
    });
    found
}

fn object_member<'a>(file: &'a ParsedFile, obj: Node<'a>, name: &str) -> Option<Node<'a>> {
    if obj.kind() != "object" {
        return None;
    }
    let mut cursor = obj.walk();
    for m in obj.named_children(&mut cursor) {
        match m.kind() {
            "pair" if m.child_by_field_name("key").map(|k| file.text(k).trim_matches(['"', '\''])) == Some(name) => {
                return m.child_by_field_name("value");
            }
            "shorthand_property_identifier" if file.text(m) == name => return Some(m),
            "method_definition" if name_of(file, m) == Some(name) => return Some(m),
            _ => {}
        }
    }
    None
}

/// A function node from an exported value: the function itself, a named function it refers
/// to, or the function a wrapper call receives (`functions.https.onRequest(fn)`, `middy(fn)`).
fn js_function_value<'a>(file: &'a ParsedFile, value: Node<'a>) -> Option<Node<'a>> {
    let mut v = value;
    for _ in 0..8 {
        if is_function(file.lang, v) {
            return Some(v);
        }
        match v.kind() {
            "identifier" | "shorthand_property_identifier" => {
                let name = file.text(v);
                return find_first(file, |n| {
                    (matches!(n.kind(), "function_declaration" | "generator_function_declaration") && name_of(file, n) == Some(name))
                        || (n.kind() == "variable_declarator"
                            && name_of(file, n) == Some(name)
                            && n.child_by_field_name("value").is_some_and(|x| is_function(file.lang, x)))
                })
                .map(|n| n.child_by_field_name("value").unwrap_or(n));
            }
            "call_expression" => {
                let args = v.child_by_field_name("arguments")?;
                let mut cursor = args.walk();
                v = args.named_children(&mut cursor).find(|a| is_function(file.lang, *a) || a.kind() == "identifier")?;
            }
            "parenthesized_expression" | "await_expression" | "as_expression" => v = v.named_child(0)?,
            _ => return None,
        }
    }
    None
}

const CONTEXT_NAMES: &[&str] =
    &["context", "ctx", "_context", "_ctx", "lambda_context", "c", "_", "res", "resp", "response", "callback", "cb"];
const EVENT_NAMES: &[&str] = &[
    "event",
    "evt",
    "e",
    "_event",
    "payload",
    "message",
    "msg",
    "req",
    "request",
    "record",
    "records",
    "input",
    "body",
    "data",
    "event_data",
];

fn handler_like(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.contains("handler") || n.starts_with("handle") || n == "main" || n == "lambda" || n.starts_with("lambda_") || n.ends_with("_lambda")
}

fn event_shaped(params: &[Param<'_>]) -> bool {
    match params {
        [] => false,
        [p] => EVENT_NAMES.contains(&p.name) || p.type_text.contains("HttpRequest"),
        [a, b, ..] => (EVENT_NAMES.contains(&a.name) || a.name.is_empty()) && CONTEXT_NAMES.contains(&b.name),
    }
}

/// Decorators that register a Python function with a web or event framework.
fn python_framework_decorated(file: &ParsedFile, def: Node<'_>) -> bool {
    let Some(parent) = def.parent().filter(|p| p.kind() == "decorated_definition") else { return false };
    let mut cursor = parent.walk();
    parent.named_children(&mut cursor).filter(|d| d.kind() == "decorator").any(|d| {
        let text = file.text(d);
        let callee = text.trim_start_matches('@').split('(').next().unwrap_or("");
        let last = callee.rsplit('.').next().unwrap_or("");
        matches!(
            last,
            "route"
                | "get"
                | "post"
                | "put"
                | "delete"
                | "patch"
                | "api_route"
                | "websocket"
                | "http"
                | "cloud_event"
                | "lambda_function"
                | "function_name"
                | "on_s3_event"
                | "on_sqs_message"
                | "on_sns_message"
                | "on_ws_message"
                | "route_trigger"
                | "blob_trigger"
                | "queue_trigger"
        )
    })
}

/// Handlers by convention, for trees without IaC.
pub fn convention_entries(files: &[&ParsedFile]) -> Vec<Entry> {
    let mut out = Vec::new();
    for file in files {
        let mut symbols = Vec::new();
        match file.lang {
            Lang::Python => python_entries(file, &mut symbols),
            Lang::Go => go_entries(file, &mut symbols),
            Lang::Java => java_entries(file, &mut symbols),
            _ => {
                js_export_entries(file, &mut symbols);
                js_route_entries(file, &mut symbols);
            }
        }
        symbols.dedup();
        for symbol in symbols {
            if !out.iter().any(|e: &Entry| e.file == file.path && e.symbol == symbol) {
                out.push(Entry { function: None, file: file.path.clone(), symbol, triggers: Vec::new() });
            }
        }
    }
    out
}

fn python_entries(file: &ParsedFile, out: &mut Vec<String>) {
    let root = file.tree.root_node();
    let mut cursor = root.walk();
    for top in root.named_children(&mut cursor) {
        let def = match top.kind() {
            "function_definition" => top,
            "decorated_definition" => match top.child_by_field_name("definition") {
                Some(d) if d.kind() == "function_definition" => d,
                _ => continue,
            },
            _ => continue,
        };
        let Some(name) = name_of(file, def) else { continue };
        let params = parameters(file, def);
        let by_name = handler_like(name) && (1..=3).contains(&params.len());
        if python_framework_decorated(file, def) || event_shaped(&params) || by_name {
            out.push(name.to_owned());
        }
    }
}

fn js_export_entries(file: &ParsedFile, out: &mut Vec<String>) {
    walk(file, |n| {
        let named: Option<(&str, Node<'_>)> = match n.kind() {
            "assignment_expression" => {
                let left = n.child_by_field_name("left").map(|l| file.text(l)).unwrap_or("");
                let right = n.child_by_field_name("right");
                match (left.strip_prefix("module.").unwrap_or(left).strip_prefix("exports."), right) {
                    (Some(name), Some(r)) => Some((name, r)),
                    _ => {
                        if let (true, Some(r)) = (left == "module.exports" || left == "exports", right) {
                            js_object_entries(file, r, out);
                        }
                        None
                    }
                }
            }
            "export_statement" => n.child_by_field_name("declaration").and_then(|d| match d.kind() {
                "function_declaration" | "generator_function_declaration" => name_of(file, d).map(|name| (name, d)),
                "lexical_declaration" | "variable_declaration" => d
                    .named_child(0)
                    .filter(|v| v.kind() == "variable_declarator")
                    .and_then(|v| Some((name_of(file, v)?, v.child_by_field_name("value")?))),
                _ => None,
            }),
            _ => None,
        };
        if let Some((name, value)) = named {
            js_consider(file, name, value, out);
        }
        true
    });
}

fn js_object_entries(file: &ParsedFile, obj: Node<'_>, out: &mut Vec<String>) {
    if obj.kind() != "object" {
        return;
    }
    let mut cursor = obj.walk();
    for m in obj.named_children(&mut cursor) {
        let name = match m.kind() {
            "pair" => m.child_by_field_name("key").map(|k| file.text(k).trim_matches(['"', '\''])),
            "shorthand_property_identifier" => Some(file.text(m)),
            "method_definition" => name_of(file, m),
            _ => None,
        };
        if let Some(name) = name {
            let value = m.child_by_field_name("value").unwrap_or(m);
            js_consider(file, name, value, out);
        }
    }
}

fn js_consider(file: &ParsedFile, name: &str, value: Node<'_>, out: &mut Vec<String>) {
    let Some(func) = js_function_value(file, value) else { return };
    let params = parameters(file, func);
    let wrapped = value.kind() == "call_expression";
    if event_shaped(&params) || (handler_like(name) && !params.is_empty()) || (wrapped && !params.is_empty()) {
        out.push(name.to_owned());
    }
}

const ROUTE_METHODS: &[&str] = &["get", "post", "put", "delete", "patch", "all", "options", "head", "use"];

/// Express/Koa/Fastify-style `app.get('/path', (req, res) => …)` and GCF `functions.http('name', fn)`.
fn js_route_entries(file: &ParsedFile, out: &mut Vec<String>) {
    walk(file, |n| {
        if n.kind() != "call_expression" {
            return true;
        }
        let Some(callee) = n.child_by_field_name("function").filter(|f| f.kind() == "member_expression") else { return true };
        let method = callee.child_by_field_name("property").map(|p| file.text(p)).unwrap_or("");
        let object = callee.child_by_field_name("object").map(|o| file.text(o)).unwrap_or("");
        let Some(args) = n.child_by_field_name("arguments") else { return true };
        let first = args.named_child(0);
        let first_text = first.map(|f| file.text(f)).unwrap_or("");
        let path_like = first.is_some_and(|f| matches!(f.kind(), "string" | "template_string")) && first_text.get(1..2) == Some("/");
        let gcf = object == "functions" && matches!(method, "http" | "cloudEvent");
        let route = ROUTE_METHODS.contains(&method) && path_like;
        if !(route || gcf) {
            return true;
        }
        let mut cursor = args.walk();
        for a in args.named_children(&mut cursor).skip(1) {
            if let Some(func) = js_function_value(file, a)
                && parameters(file, func).len() >= 2
            {
                let what = format!("{method} {}", first_text.trim_matches(['"', '\'', '`']));
                let symbol = match a.kind() {
                    "identifier" => file.text(a).to_owned(),
                    _ => format!("{what}@{}", file.line(func)),
                };
                out.push(symbol);
            }
        }
        true
    });
}

fn go_entries(file: &ParsedFile, out: &mut Vec<String>) {
    walk(file, |n| {
        if n.kind() != "call_expression" {
            return true;
        }
        let callee = n.child_by_field_name("function").map(|f| file.text(f)).unwrap_or("");
        let arg = match callee {
            "lambda.Start" | "lambda.StartWithOptions" | "lambda.StartWithContext" | "lambda.StartHandlerFunc" => 0,
            "http.HandleFunc" | "functions.HTTP" | "functions.CloudEvent" | "funcframework.RegisterHTTPFunction" => 1,
            "funcframework.RegisterHTTPFunctionContext" => 2,
            _ => return true,
        };
        let Some(a) = n.child_by_field_name("arguments").and_then(|args| args.named_child(arg)) else { return true };
        match a.kind() {
            "identifier" => out.push(file.text(a).to_owned()),
            "selector_expression" => {
                if let Some(f) = a.child_by_field_name("field") {
                    out.push(file.text(f).to_owned());
                }
            }
            "func_literal" => out.push(format!("{callee}@{}", file.line(a))),
            _ => {}
        }
        true
    });
}

fn java_entries(file: &ParsedFile, out: &mut Vec<String>) {
    walk(file, |n| {
        if n.kind() == "class_declaration" {
            let interfaces = n.child_by_field_name("interfaces").map(|i| file.text(i)).unwrap_or("");
            let method = if interfaces.contains("RequestHandler") || interfaces.contains("RequestStreamHandler") {
                Some("handleRequest")
            } else if interfaces.contains("HttpFunction") {
                Some("service")
            } else {
                None
            };
            if let (Some(method), Some(class)) = (method, name_of(file, n)) {
                let symbol = format!("{class}::{method}");
                if handler_node(file, &symbol).is_some() {
                    out.push(symbol);
                }
            }
        }
        // Azure Functions: `@FunctionName("x") public R run(@HttpTrigger … HttpRequestMessage req, …)`.
        if n.kind() == "method_declaration"
            && n.named_child(0).is_some_and(|m| m.kind() == "modifiers" && file.text(m).contains("@FunctionName"))
            && let (Some(class), Some(name)) = (enclosing_class(file, n), name_of(file, n))
        {
            out.push(format!("{class}::{name}"));
        }
        true
    });
}

/// The handler(s) the IaC deploys for this function, found in its parsed files.
pub fn entries_for(function: &Function, files: &[&ParsedFile]) -> Result<Vec<Entry>, Diagnostic> {
    let runtime = function.runtime.as_ref().map(|r| r.value.to_ascii_lowercase()).unwrap_or_default();
    let handler = function.handler.as_ref().map(|h| h.value.trim()).unwrap_or("");
    let not_found = |why: &str| {
        let (file, line) = match (&function.handler, &function.runtime) {
            (Some(h), _) => (h.location.file.clone(), h.location.line),
            (None, Some(r)) => (r.location.file.clone(), r.location.line),
            _ => (function.location.file.clone(), function.location.line),
        };
        Diagnostic::new(file, line, DiagKind::HandlerNotFound, format!("handler `{handler}` of function `{}`: {why}", function.name))
    };
    let entry = |file: &ParsedFile, symbol: String| Entry {
        function: Some(function.name.clone()),
        file: file.path.clone(),
        symbol,
        triggers: function.triggers.iter().map(|t| t.kind).collect(),
    };
    let in_code = |f: &&&ParsedFile| f.path.starts_with(&function.code_dir);
    let is_go = runtime.starts_with("go") || (runtime.starts_with("provided") && files.iter().filter(in_code).any(|f| f.lang == Lang::Go));
    if is_go {
        let mut out = Vec::new();
        for file in files.iter().filter(in_code).filter(|f| f.lang == Lang::Go && go_package(f) == Some("main")) {
            let mut symbols = Vec::new();
            go_entries(file, &mut symbols);
            out.extend(symbols.into_iter().map(|s| entry(file, s)));
        }
        return if out.is_empty() { Err(not_found("no lambda.Start(…) in a Go main package")) } else { Ok(out) };
    }
    if handler.is_empty() {
        return Err(not_found("the IaC names no handler"));
    }
    let java = runtime.starts_with("java") || handler.contains("::");
    if java {
        let (class, method) = handler.split_once("::").unwrap_or((handler, "handleRequest"));
        let simple = class.rsplit('.').next().unwrap_or(class);
        let suffix = format!("{}.java", class.replace('.', "/"));
        let mut candidates: Vec<&&ParsedFile> = files.iter().filter(|f| f.lang == Lang::Java).collect();
        candidates.sort_by_key(|f| !f.path.to_string_lossy().ends_with(&suffix));
        let symbol = format!("{simple}::{method}");
        return candidates
            .into_iter()
            .find(|f| handler_node(f, &symbol).is_some())
            .map(|f| vec![entry(f, symbol.clone())])
            .ok_or_else(|| not_found(&format!("no class {simple} with a method {method}")));
    }
    let Some((module, name)) = handler.rsplit_once('.') else { return Err(not_found("expected `file.function`")) };
    let python = runtime.starts_with("python") || (!runtime.starts_with("node") && files.iter().any(|f| f.lang == Lang::Python));
    let module = match module.rsplit_once('/') {
        Some((dir, m)) if python => format!("{dir}/{}", m.replace('.', "/")),
        None if python => module.replace('.', "/"),
        _ => module.to_owned(),
    };
    let exts: &[&str] = if python { &["py"] } else { &["js", "mjs", "cjs", "ts", "mts", "cts", "tsx", "jsx"] };
    let mut bases = vec![module.clone()];
    // A compiled TypeScript handler (`dist/handler.main`) is analysed in its source.
    for out_dir in ["dist/", "build/", ".build/", "lib/", "out/"] {
        if let Some(rest) = module.strip_prefix(out_dir) {
            bases.push(format!("src/{rest}"));
            bases.push(rest.to_owned());
        }
    }
    for base in &bases {
        for ext in exts {
            let rel = PathBuf::from(format!("{base}.{ext}"));
            for path in [function.code_dir.join(&rel), rel.clone()] {
                let Some(file) = files.iter().find(|f| same_path(&f.path, &path)) else { continue };
                if handler_node(file, name).is_some() {
                    return Ok(vec![entry(file, name.to_owned())]);
                }
                // `module.exports.handler = serverless(app)`: the app's routes are the handlers.
                if file.lang.is_js_family() && js_export(file, name).is_some_and(|v| v.kind() == "call_expression") {
                    let mut out = Vec::new();
                    for f in files.iter().filter(in_code).filter(|f| f.lang.is_js_family()) {
                        let mut symbols = Vec::new();
                        js_route_entries(f, &mut symbols);
                        out.extend(symbols.into_iter().map(|s| entry(f, s)));
                    }
                    if !out.is_empty() {
                        return Ok(out);
                    }
                }
                return Err(not_found(&format!("{} defines no `{name}`", file.path.display())));
            }
        }
    }
    Err(not_found(&format!("no file {module}.{} in the function's code", exts[0])))
}

fn go_package(file: &ParsedFile) -> Option<&str> {
    let root = file.tree.root_node();
    let mut cursor = root.walk();
    let clause = root.named_children(&mut cursor).find(|n| n.kind() == "package_clause")?;
    clause.named_child(0).map(|n| file.text(n))
}

/// Paths compared component by component, ignoring `./`.
fn same_path(a: &Path, b: &Path) -> bool {
    let clean = |p: &Path| p.components().filter(|c| !matches!(c, std::path::Component::CurDir)).collect::<PathBuf>();
    clean(a) == clean(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse;

    fn file(path: &str, src: &str) -> ParsedFile {
        let lang = Lang::from_path(Path::new(path)).unwrap();
        parse(path.into(), lang, src.into()).0.unwrap()
    }

    fn symbols(files: &[&ParsedFile]) -> Vec<String> {
        convention_entries(files).into_iter().map(|e| format!("{}:{}", e.file.display(), e.symbol)).collect()
    }

    #[test]
    fn python_conventions() {
        let f = file(
            "app.py",
            "from flask import Flask\napp = Flask(__name__)\n@app.route('/u/<name>')\ndef show(name):\n    return name\n\n\
             def process(evt, ctx):\n    pass\n\ndef lambda_handler(e):\n    pass\n\ndef helper(a, b):\n    pass\n\n\
             def main(req: func.HttpRequest):\n    pass\n",
        );
        assert_eq!(symbols(&[&f]), ["app.py:show", "app.py:process", "app.py:lambda_handler", "app.py:main"]);
    }

    #[test]
    fn js_conventions() {
        let f = file(
            "index.js",
            "exports.run = async (e, c) => {};\nmodule.exports.fmt = (d) => d;\napp.get('/users/:id', (req, res) => {});\n\
             const onEvent = async (event) => {};\nmodule.exports = { onEvent, util: (x) => x };\n",
        );
        assert_eq!(symbols(&[&f]), ["index.js:run", "index.js:onEvent", "index.js:get /users/:id@3"]);
        let node = handler_node(&f, "get /users/:id@3").unwrap();
        assert_eq!(node.kind(), "arrow_function");
        assert!(handler_node(&f, "fmt").is_some(), "exported but not a handler by convention");
    }

    #[test]
    fn go_and_java_conventions() {
        let g = file(
            "main.go",
            "package main\nfunc handle(ctx context.Context, e events.S3Event) error { return nil }\nfunc main() { lambda.Start(handle) }\n",
        );
        let j = file(
            "src/H.java",
            "public class H implements RequestHandler<Map<String,Object>, String> {\n public String handleRequest(Map<String,Object> in, Context c) { return \"\"; }\n}\n",
        );
        assert_eq!(symbols(&[&g, &j]), ["main.go:handle", "src/H.java:H::handleRequest"]);
    }

    fn function(handler: &str, runtime: &str, code_dir: &str) -> Function {
        let loc = fnwarden_project::Location::new("serverless.yml", 7, 5);
        Function {
            name: "api".into(),
            location: loc.clone(),
            framework: fnwarden_project::Framework::Serverless,
            runtime: Some(fnwarden_project::Spanned::new(runtime.into(), loc.clone())),
            handler: Some(fnwarden_project::Spanned::new(handler.into(), loc)),
            code_dir: code_dir.into(),
            env: vec![],
            timeout: None,
            memory: None,
            reserved_concurrency: None,
            layers: vec![],
            role: None,
            policies: vec![],
            triggers: vec![],
            url: None,
        }
    }

    #[test]
    fn iac_handlers_resolve() {
        let py = file("svc/src/app.py", "def handler(event, context):\n    pass\ndef other(event, context):\n    pass\n");
        let js = file("svc/index.mjs", "export const main = async (event) => event;\n");
        let java =
            file("j/src/main/java/com/x/Fn.java", "package com.x;\nclass Fn { public String run(String s, Context c) { return s; } }\n");
        let files = [&py, &js, &java];
        let got = entries_for(&function("src/app.handler", "python3.12", "svc"), &files).unwrap();
        assert_eq!((got[0].symbol.as_str(), got[0].function.as_deref()), ("handler", Some("api")));
        assert_eq!(entries_for(&function("index.main", "nodejs20.x", "svc"), &files).unwrap()[0].file, PathBuf::from("svc/index.mjs"));
        assert_eq!(entries_for(&function("com.x.Fn::run", "java21", "j"), &files).unwrap()[0].symbol, "Fn::run");
        let err = entries_for(&function("src/app.missing", "python3.12", "svc"), &files).unwrap_err();
        assert_eq!((err.kind, err.line, err.file.clone()), (DiagKind::HandlerNotFound, 7, PathBuf::from("serverless.yml")));
        assert!(entries_for(&function("nope.handler", "python3.12", "svc"), &files).is_err());
    }

    #[test]
    fn serverless_http_app_routes_are_the_handlers() {
        let app = file(
            "app.js",
            "const serverless = require('serverless-http');\nconst app = express();\napp.post('/run', (req, res) => {});\nmodule.exports.handler = serverless(app);\n",
        );
        let got = entries_for(&function("app.handler", "nodejs20.x", ""), &[&app]).unwrap();
        assert_eq!(got[0].symbol, "post /run@3");
    }

    #[test]
    fn go_main_package_handler() {
        let g = file(
            "fn/main.go",
            "package main\nfunc main() { lambda.Start(func(ctx context.Context, r events.APIGatewayProxyRequest) {}) }\n",
        );
        let got = entries_for(&function("bootstrap", "provided.al2023", "fn"), &[&g]).unwrap();
        assert_eq!(got[0].symbol, "lambda.Start@2");
        assert_eq!(handler_node(&g, &got[0].symbol).map(|n| n.kind()), Some("func_literal"));
    }

    #[test]
    fn broken_source_does_not_panic() {
        let f = file("x.py", "def handler(event, context:\n    os.system(event\n");
        let _ = convention_entries(&[&f]);
        let deep = format!("exports.handler = {}1{};\n", "(".repeat(50_000), ")".repeat(50_000));
        let g = file("d.js", &deep);
        assert!(convention_entries(&[&g]).is_empty());
    }
}
