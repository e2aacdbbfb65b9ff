//! Collects findings: one per rule and line, with the steps that led to it.

use fnwarden_code::tree_sitter::Node;
use fnwarden_project::{Finding, ScanRule, TraceStep};
use rustc_hash::FxHashSet;

use crate::fold::Folded;
use crate::syntax::{Call, Syntax};

#[derive(Default)]
pub(crate) struct Findings {
    list: Vec<Finding>,
    seen: FxHashSet<(&'static str, u32)>,
    /// Byte ranges already explained by a finding, per rule: a constant inside them is not
    /// reported again on its own.
    covered: Vec<(&'static str, usize, usize)>,
}

impl Findings {
    /// Adds a finding at `at` unless the rule already fired on that line. `steps` are earlier
    /// statements that combine with `at` (a write before a chmod, the URL built before a request).
    pub fn add<'t>(&mut self, s: &Syntax<'t>, rule: &'static ScanRule, at: Node<'t>, message: String, steps: &[(Node<'t>, String)]) {
        self.cover(rule, at);
        for (n, _) in steps {
            self.cover(rule, *n);
        }
        let loc = s.file.location(at);
        if !self.seen.insert((rule.id, loc.line)) {
            return;
        }
        let mut trace: Vec<TraceStep> = Vec::new();
        for (n, note) in steps {
            let l = s.file.location(*n);
            // One step per line: the env read and the assignment holding it are one statement.
            if l.line != loc.line && trace.last().is_none_or(|t: &TraceStep| t.location.line != l.line) {
                trace.push(TraceStep { location: l, note: note.clone() });
            }
        }
        if !trace.is_empty() {
            trace.push(TraceStep { location: loc.clone(), note: message.clone() });
        }
        self.list.push(Finding::new(rule, loc, message).with_trace(trace));
    }

    fn cover(&mut self, rule: &'static ScanRule, n: Node<'_>) {
        self.covered.push((rule.id, n.start_byte(), n.end_byte()));
    }

    pub fn is_covered(&self, rule: &'static ScanRule, n: Node<'_>) -> bool {
        self.covered.iter().any(|(id, a, b)| *id == rule.id && *a <= n.start_byte() && n.end_byte() <= *b)
    }

    pub fn into_sorted(mut self) -> Vec<Finding> {
        self.list.sort_by(|a, b| (a.location.line, a.location.column, a.rule.id).cmp(&(b.location.line, b.location.column, b.rule.id)));
        self.list
    }
}

/// A Python docstring or a JS directive: prose, not a value.
pub(crate) fn is_prose(s: &Syntax<'_>, node: Node<'_>) -> bool {
    s.parent(node).is_some_and(|p| p.kind() == "expression_statement" && p.named_child_count() == 1)
}

/// A call that only writes to a log: mentioning a value there is not using it.
pub(crate) fn is_logging(call: &Call<'_>) -> bool {
    let c = call.callee.as_str();
    let head = c.split('.').next().unwrap_or("");
    matches!(head, "print" | "console" | "logger" | "logging" | "log" | "LOG" | "LOGGER" | "println")
        || c.starts_with("fmt.Print")
        || c.starts_with("System.out")
        || c.starts_with("System.err")
        || matches!(call.method(), "info" | "debug" | "warn" | "warning" | "error" | "trace" | "log" | "exception" | "Printf" | "Println")
}

/// Reports values a rule recognises: first where a call receives them (with the statements
/// that built them as trace), then string constants that no such call explained.
pub(crate) fn scan_values<'t>(
    s: &Syntax<'t>,
    out: &mut Findings,
    rule: &'static ScanRule,
    recognise: impl Fn(&Folded<'t>, Option<&Call<'t>>) -> Option<String>,
) {
    for call in &s.calls {
        // Logging a value is not using it; `fmt.Sprintf` and `path.join` only build one.
        if is_logging(call) || s.fold(call.node).is_some() {
            continue;
        }
        for arg in &call.args {
            let Some(v) = s.fold(*arg) else { continue };
            let Some(message) = recognise(&v, Some(call)) else { continue };
            out.add(s, rule, call.node, message, &steps(s, &v));
            break;
        }
    }
    // Constants in tests are fixtures (an SSRF test's `file:///proc/self/environ`), not uses.
    let strings: &[Node<'t>] = if s.is_test_file() { &[] } else { &s.strings };
    for top in strings {
        let top = *top;
        let enclosing_call = s.parent(top).and_then(|p| s.parent(p)).and_then(|c| s.call(c));
        if is_prose(s, top) || out.is_covered(rule, top) || enclosing_call.is_some_and(is_logging) {
            continue;
        }
        let Some(v) = s.fold(top) else { continue };
        if let Some(message) = recognise(&v, None) {
            out.add(s, rule, top, message, &steps(s, &v));
        }
    }
}

/// The statements a folded value came through, as trace steps: the env read first, then each
/// assignment as written.
pub(crate) fn steps<'t>(s: &Syntax<'t>, v: &Folded<'t>) -> Vec<(Node<'t>, String)> {
    let mut out: Vec<(Node<'t>, String, u8)> = Vec::new();
    if let Some(e) = v.env_read {
        out.push((e, "reads AWS_LAMBDA_RUNTIME_API".to_owned(), 0));
    }
    for d in &v.via {
        out.push((*d, format!("sets `{}`", statement_text(s, *d)), 1));
    }
    out.sort_by_key(|(n, _, order)| (n.start_position().row, *order));
    out.into_iter().map(|(n, note, _)| (n, note)).collect()
}

/// The first line of a statement, shortened.
fn statement_text(s: &Syntax<'_>, n: Node<'_>) -> String {
    let line = s.text(n).lines().next().unwrap_or("").trim();
    match line.char_indices().nth(100) {
        Some((i, _)) => format!("{}…", &line[..i]),
        None => line.to_owned(),
    }
}
