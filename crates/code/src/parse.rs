use std::path::PathBuf;

use fnwarden_project::{DiagKind, Diagnostic};
use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use tree_sitter::{Node, ParseOptions, Parser, Tree};

use crate::Lang;

/// A source file and its syntax tree. Trees of files with syntax errors are kept: tree-sitter
/// recovers, and the parts that parsed are still worth analysing.
pub struct ParsedFile {
    /// Relative to the scan root.
    pub path: PathBuf,
    pub lang: Lang,
    pub source: String,
    pub tree: Tree,
}

impl ParsedFile {
    /// The text of a node; empty for a node outside the source (never for a node of this tree).
    pub fn text(&self, node: Node<'_>) -> &str {
        self.source.get(node.byte_range()).unwrap_or("")
    }

    /// 1-based line of a node.
    pub fn line(&self, node: Node<'_>) -> u32 {
        u32::try_from(node.start_position().row + 1).unwrap_or(u32::MAX)
    }

    /// The location of a node, for findings and trace steps.
    pub fn location(&self, node: Node<'_>) -> fnwarden_project::Location {
        let p = node.start_position();
        fnwarden_project::Location::new(
            self.path.clone(),
            u32::try_from(p.row + 1).unwrap_or(u32::MAX),
            u32::try_from(p.column + 1).unwrap_or(u32::MAX),
        )
    }
}

/// tree-sitter-python's indentation scanner serialises its indent stack into tree-sitter's 1024-byte
/// buffer, which overflows (an abort) a little past 500 levels; no real code comes near this.
const MAX_PYTHON_INDENT_LEVELS: usize = 450;
/// Some grammars take seconds on adversarial text; a file that needs longer is not code people
/// wrote.
const PARSE_BUDGET: Duration = Duration::from_secs(5);

/// Parses one file. A tree with errors comes back with a `SyntaxError` diagnostic naming the
/// first error's line; `None` only when tree-sitter gives up entirely (cancelled or no grammar).
pub fn parse(path: PathBuf, lang: Lang, source: String) -> (Option<ParsedFile>, Option<Diagnostic>) {
    let mut parser = Parser::new();
    if parser.set_language(&lang.grammar()).is_err() {
        let d = Diagnostic::new(path, 0, DiagKind::SyntaxError, format!("no {} grammar of a compatible version", lang.name()));
        return (None, Some(d));
    }
    if lang == Lang::Python
        && let Some(line) = too_deep(&source)
    {
        let d = Diagnostic::new(
            path,
            line,
            DiagKind::SyntaxError,
            format!("blocks nested more than {MAX_PYTHON_INDENT_LEVELS} deep; not parsed"),
        );
        return (None, Some(d));
    }
    let started = Instant::now();
    let mut over_budget = |_: &tree_sitter::ParseState| {
        if started.elapsed() > PARSE_BUDGET { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
    };
    let bytes = source.as_bytes();
    let mut read = |offset: usize, _: tree_sitter::Point| bytes.get(offset..).unwrap_or(&[]);
    let options = ParseOptions::new().progress_callback(&mut over_budget);
    let Some(tree) = parser.parse_with_options(&mut read, None, Some(options)) else {
        let d = Diagnostic::new(path, 0, DiagKind::SyntaxError, format!("not parsed within {} s; not analysed", PARSE_BUDGET.as_secs()));
        return (None, Some(d));
    };
    let diag = first_error(tree.root_node()).map(|n| {
        let row = u32::try_from(n.start_position().row + 1).unwrap_or(u32::MAX);
        let what = if n.is_missing() { format!("missing {}", n.kind()) } else { "unexpected input".to_owned() };
        Diagnostic::new(
            path.clone(),
            row,
            DiagKind::SyntaxError,
            format!("{} syntax error ({what}); the rest of the file is still analysed", lang.name()),
        )
    });
    (Some(ParsedFile { path, lang, source, tree }), diag)
}

/// The first line past the indentation limit, counting nested blocks as Python does.
fn too_deep(source: &str) -> Option<u32> {
    let mut stack: Vec<usize> = vec![0];
    for (n, line) in source.lines().enumerate() {
        let body = line.trim_start_matches([' ', '\t']);
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        let indent = line.len() - body.len();
        while stack.last().is_some_and(|top| indent < *top) {
            stack.pop();
        }
        if stack.last().is_none_or(|top| indent > *top) {
            stack.push(indent);
        }
        if stack.len() > MAX_PYTHON_INDENT_LEVELS {
            return Some(u32::try_from(n + 1).unwrap_or(u32::MAX));
        }
    }
    None
}

fn first_error(root: Node<'_>) -> Option<Node<'_>> {
    if !root.has_error() {
        return None;
    }
    let mut cursor = root.walk();
    let mut node = root;
    // Descend into the first child that holds an error until the error itself.
    loop {
        if node.is_error() || node.is_missing() {
            return Some(node);
        }
        let next = node.children(&mut cursor).find(|c| c.has_error() || c.is_error() || c.is_missing());
        match next {
            Some(c) => node = c,
            None => return Some(node),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_python_has_no_diagnostic() {
        let (file, diag) = parse("a.py".into(), Lang::Python, "def handler(event, context):\n    return 1\n".into());
        assert!(file.is_some());
        assert!(diag.is_none());
    }

    #[test]
    fn python_nested_past_the_grammar_limit_is_refused_not_parsed() {
        let mut src = String::new();
        for depth in 0..600 {
            src.push_str(&" ".repeat(depth));
            src.push_str("if x:\n");
        }
        src.push_str(&" ".repeat(600));
        src.push_str("pass\n");
        let (file, diag) = parse("deep.py".into(), Lang::Python, src);
        assert!(file.is_none());
        let diag = diag.expect("a diagnostic");
        assert_eq!((diag.kind, diag.line), (DiagKind::SyntaxError, 451));
        let ok = "if a:\n    if b:\n        pass\n".to_owned();
        assert!(parse("ok.py".into(), Lang::Python, ok).0.is_some());
    }

    #[test]
    fn syntax_error_names_its_line() {
        let (file, diag) = parse("a.js".into(), Lang::JavaScript, "const a = 1;\nfunction (( {\n".into());
        assert!(file.is_some(), "the tree is kept");
        let diag = diag.expect("a diagnostic");
        assert_eq!(diag.kind, DiagKind::SyntaxError);
        assert_eq!(diag.line, 2);
    }
}
