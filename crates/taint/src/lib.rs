//! Taint analysis for fnwarden scan: attacker-controlled event data to dangerous sinks, over
//! tree-sitter trees, for Python, JavaScript/TypeScript, Go and Java.
//!
//! Every handler parameter that carries the event (and framework request objects such as
//! Flask's `request`) is a source. The interpreter (`flow`) follows values through
//! assignments, string building, parsing, containers, loops and calls, summarising each
//! function once; sinks (`catalog`) raise a finding when a value reaches them unsanitized.
//! docs/scan-taint.md describes the model and its limits.

mod catalog;
mod flow;
mod guard;
mod index;
mod rules;
mod value;

use fnwarden_code::{Entry, Param, ParsedFile, handler_node, parameters};
use fnwarden_project::{Finding, Location, ScanRule, TraceStep};
use rustc_hash::FxHashSet;

pub use rules::{COMMAND, DESERIALIZE, EVAL, HTML, PATH, SQL, SSRF};

use crate::flow::{Depth, Engine, Hit};
use crate::index::Program;
use crate::value::{MAX_PARAMS, SOURCE, steps};

pub fn rules() -> Vec<&'static ScanRule> {
    rules::all()
}

/// Parameters the platform fills with its own objects, never with attacker data.
fn is_platform_param(p: &Param<'_>) -> bool {
    const NAMES: &[&str] = &[
        "context",
        "ctx",
        "_context",
        "_ctx",
        "lambda_context",
        "res",
        "resp",
        "response",
        "next",
        "callback",
        "cb",
        "w",
        "self",
        "cls",
        "_",
    ];
    const TYPES: &[&str] = &["Context", "ResponseWriter", "OutputStream", "Response", "Writer", "Logger"];
    NAMES.contains(&p.name) || TYPES.iter().any(|t| p.type_text.contains(t))
}

/// Route parameters a web framework converts to numbers or UUIDs before the handler sees them
/// (Flask/Werkzeug `<int:page>`, `<float:x>`, `<uuid:id>`).
fn typed_route_params<'a>(file: &'a ParsedFile, def: fnwarden_code::tree_sitter::Node<'a>) -> Vec<&'a str> {
    let Some(decorated) = def.parent().filter(|p| p.kind() == "decorated_definition") else { return Vec::new() };
    let text = file.text(decorated);
    let head = text.get(..def.start_byte().saturating_sub(decorated.start_byte())).unwrap_or("");
    let mut out = Vec::new();
    for conv in ["<int:", "<float:", "<uuid:"] {
        for (at, _) in head.match_indices(conv) {
            let rest = &head[at + conv.len()..];
            if let Some(end) = rest.find('>') {
                out.push(&rest[..end]);
            }
        }
    }
    out
}

/// Taint from each entry's event parameter (and framework request objects) through the
/// function's files.
pub fn analyze(files: &[&ParsedFile], entries: &[Entry]) -> Vec<Finding> {
    if entries.is_empty() {
        return Vec::new();
    }
    // The interpreter recurses (boundedly) through nested code and call chains: it runs on a
    // thread whose stack is sized for its bound, or, if no thread can be had, with a bound
    // that fits any stack.
    std::thread::scope(|scope| {
        let spawned = std::thread::Builder::new()
            .name("fnwarden-taint".to_owned())
            .stack_size(ANALYSIS_STACK)
            .spawn_scoped(scope, || analyze_with(files, entries, Depth::Deep));
        match spawned {
            Ok(handle) => handle.join().unwrap_or_default(),
            Err(_) => analyze_with(files, entries, Depth::Shallow),
        }
    })
}

/// Room for `Depth::Deep` levels of the interpreter, debug builds included.
const ANALYSIS_STACK: usize = 64 << 20;

fn analyze_with(files: &[&ParsedFile], entries: &[Entry], depth: Depth) -> Vec<Finding> {
    let prog = Program::new(files);
    let mut engine = Engine::new(&prog, depth);
    let mut out = Vec::new();
    let mut seen = FxHashSet::default();
    for entry in entries {
        let Some(fi) = prog.file_index(&entry.file) else { continue };
        let file = files[fi as usize];
        let Some(def) = handler_node(file, &entry.symbol) else { continue };
        let params = parameters(file, def);
        let typed = typed_route_params(file, def);
        let mut event_mask = 0u64;
        for (i, p) in params.iter().enumerate().take(MAX_PARAMS) {
            if !is_platform_param(p) && !typed.contains(&p.name) {
                event_mask |= 1 << i;
            }
        }
        let summary = engine.summary(fi, def);
        let handler = def.child_by_field_name("name").map(|n| file.text(n)).unwrap_or(entry.symbol.as_str());
        for hit in summary.hits.iter().chain(&summary.html_returns) {
            if hit.taint.labels & (event_mask | SOURCE) == 0 {
                continue;
            }
            let key = (hit.sink as u8, hit.file, hit.line, hit.column, entry.function.clone());
            if !seen.insert(key) {
                continue;
            }
            out.push(finding(files, entry, handler, event_mask, hit));
        }
    }
    out.sort_by(|a, b| (&a.location, a.rule.id).cmp(&(&b.location, b.rule.id)));
    out
}

fn finding(files: &[&ParsedFile], entry: &Entry, handler: &str, event_mask: u64, hit: &Hit) -> Finding {
    let rule = hit.sink.rule();
    let mut trace: Vec<TraceStep> = Vec::new();
    let chain = steps(&hit.taint.trace);
    let mut source = String::new();
    for (i, s) in chain.iter().enumerate() {
        let mut note = s.note.clone();
        if i == 0 {
            if s.root != SOURCE && s.root & event_mask != 0 {
                let name = note.split('`').nth(1).unwrap_or("event").to_owned();
                note = format!("source: `{name}`, the event `{handler}` receives (attacker-controlled)");
                source = format!("`{name}`");
            } else {
                note = format!("source: {note}");
                source = s.note.split('`').nth(1).map(|n| format!("`{n}`")).unwrap_or_default();
            }
        }
        let path = files.get(s.file as usize).map(|f| f.path.clone()).unwrap_or_default();
        trace.push(TraceStep { location: Location::new(path, s.line, 0), note });
    }
    let path = files.get(hit.file as usize).map(|f| f.path.clone()).unwrap_or_default();
    let location = Location::new(path, hit.line, hit.column);
    let sink_note = if hit.callee == "return" {
        format!("sink: `{}` returned as an HTML response", hit.expr)
    } else {
        format!("sink: `{}({})` ({})", hit.callee, hit.expr, hit.sink.what())
    };
    trace.push(TraceStep { location: location.clone(), note: sink_note });
    let from = if source.is_empty() { String::new() } else { format!(" from {source}") };
    let message = if hit.callee == "return" {
        format!("attacker-controlled `{}`{from} is returned as HTML without escaping", hit.expr)
    } else {
        format!("attacker-controlled `{}`{from} reaches `{}` ({})", hit.expr, hit.callee, hit.sink.what())
    };
    let f = Finding::new(rule, location, message).with_trace(trace);
    match &entry.function {
        Some(name) => f.with_function(name.clone()),
        None => f,
    }
}
