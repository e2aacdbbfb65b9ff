//! Constant folding of string expressions, so that a path assembled from pieces
//! (`'/proc/' + 'self' + '/environ'`, `f"/proc/{pid}/environ"`, `path.join(os.tmpdir(), 'x')`,
//! `fmt.Sprintf("/proc/%d/mem", pid)`) is judged as the string it builds. Parts that are not
//! known become a hole, which matches one path segment or more.

use fnwarden_code::tree_sitter::Node;

use crate::syntax::{Syntax, named_children};

/// Stands for a part whose value is not known at scan time.
pub(crate) const HOLE: char = '\u{1}';
/// Stands for the value of `AWS_LAMBDA_RUNTIME_API`.
pub(crate) const RUNTIME_API: char = '\u{2}';
pub(crate) const RUNTIME_API_VAR: &str = "AWS_LAMBDA_RUNTIME_API";

/// Folding gives up past this depth (nested expressions and variable hops together).
const MAX_DEPTH: u32 = 24;
/// Folded strings are cut at this length: paths and URLs are short.
const MAX_LEN: usize = 4096;
/// Nodes one fold may visit, so that huge generated expressions cost a bounded amount.
const BUDGET: u32 = 2000;

/// A folded string and what it was built from.
#[derive(Default)]
pub(crate) struct Folded<'t> {
    pub text: String,
    /// Definitions of variables the value came through, in the order met.
    pub via: Vec<Node<'t>>,
    /// Where `AWS_LAMBDA_RUNTIME_API` was read, when the value includes it.
    pub env_read: Option<Node<'t>>,
    spent: u32,
}

impl Folded<'_> {
    pub fn has_runtime_api(&self) -> bool {
        self.text.contains(RUNTIME_API)
    }
}

impl<'t> Syntax<'t> {
    /// The string an expression builds, or `None` when it is not a string expression at all.
    pub fn fold(&self, node: Node<'t>) -> Option<Folded<'t>> {
        let mut out = Folded::default();
        let text = self.fold_in(node, 0, &mut out)?;
        out.text = text;
        Some(out)
    }

    pub fn fold_text(&self, node: Node<'t>) -> Option<String> {
        self.fold(node).map(|f| f.text)
    }

    fn fold_in(&self, node: Node<'t>, depth: u32, acc: &mut Folded<'t>) -> Option<String> {
        acc.spent += 1;
        if depth > MAX_DEPTH || acc.spent > BUDGET {
            return None;
        }
        let d = depth + 1;
        let mut s = match node.kind() {
            "string" | "template_string" | "string_literal" | "interpreted_string_literal" | "raw_string_literal" | "text_block" => {
                self.literal(node, d, acc)
            }
            "concatenated_string" => {
                let mut s = String::new();
                for c in named_children(node) {
                    s.push_str(&self.fold_in(c, d, acc).unwrap_or_else(|| HOLE.to_string()));
                }
                Some(s)
            }
            "parenthesized_expression" | "expression_list" | "await" | "await_expression" | "as_expression" | "non_null_expression" => {
                node.named_child(0).and_then(|c| self.fold_in(c, d, acc))
            }
            "binary_operator" | "binary_expression" => self.binary(node, d, acc),
            "identifier" => self.variable(node, d, acc),
            "attribute" | "member_expression" | "subscript" | "subscript_expression" | "selector_expression" | "field_access" => {
                self.env_read(node, acc).or_else(|| self.member_constant(node))
            }
            "call" | "call_expression" | "method_invocation" | "new_expression" | "object_creation_expression" => {
                self.call_value(node, d, acc)
            }
            _ => None,
        }?;
        if s.len() > MAX_LEN {
            let mut cut = MAX_LEN;
            while !s.is_char_boundary(cut) {
                cut -= 1;
            }
            s.truncate(cut);
        }
        Some(s)
    }

    fn literal(&self, node: Node<'t>, d: u32, acc: &mut Folded<'t>) -> Option<String> {
        let kids = named_children(node);
        let has_pieces = kids.iter().any(|c| {
            matches!(c.kind(), "string_content" | "string_fragment" | "interpolation" | "template_substitution" | "escape_sequence")
                || c.kind().ends_with("_content")
        });
        if !has_pieces {
            // An empty literal, or one whose grammar keeps no pieces: strip the quotes.
            let t = self.text(node);
            let t = t.trim_start_matches(|c: char| c.is_ascii_alphabetic());
            return Some(t.trim_matches(['\'', '"', '`']).to_owned());
        }
        let mut s = String::new();
        for c in kids {
            match c.kind() {
                "interpolation" | "template_substitution" => {
                    let inner = c.child_by_field_name("expression").or_else(|| c.named_child(0));
                    let v = inner.and_then(|e| self.fold_in(e, d, acc));
                    s.push_str(&v.unwrap_or_else(|| HOLE.to_string()));
                }
                "escape_sequence" => s.push_str(unescape(self.text(c))),
                "string_start" | "string_end" | "comment" => {}
                _ => s.push_str(self.text(c)),
            }
        }
        Some(s)
    }

    fn binary(&self, node: Node<'t>, d: u32, acc: &mut Folded<'t>) -> Option<String> {
        let op = node.child_by_field_name("operator").map(|o| self.text(o)).unwrap_or("");
        let (l, r) = (node.child_by_field_name("left")?, node.child_by_field_name("right")?);
        match op {
            "+" => {
                let (a, b) = (self.fold_in(l, d, acc), self.fold_in(r, d, acc));
                if a.is_none() && b.is_none() {
                    return None;
                }
                let hole = || HOLE.to_string();
                Some(a.unwrap_or_else(hole) + &b.unwrap_or_else(hole))
            }
            // `'/proc/%s/environ' % pid`
            "%" if self.lang() == fnwarden_code::Lang::Python => {
                let fmt = self.fold_in(l, d, acc)?;
                let args = match r.kind() {
                    "tuple" => named_children(r),
                    _ => vec![r],
                };
                let args: Vec<Option<String>> = args.into_iter().map(|a| self.fold_in(a, d, acc)).collect();
                Some(printf(&fmt, &args))
            }
            // pathlib: `Path('/tmp') / name`
            "/" if self.lang() == fnwarden_code::Lang::Python => {
                let a = self.fold_in(l, d, acc)?;
                let b = self.fold_in(r, d, acc).unwrap_or_else(|| HOLE.to_string());
                Some(join(&[Some(a), Some(b)]))
            }
            _ => None,
        }
    }

    fn variable(&self, node: Node<'t>, d: u32, acc: &mut Folded<'t>) -> Option<String> {
        let def = self.def_for(self.text(node), node)?;
        let value = def.value?;
        let v = self.fold_in(value, d, acc)?;
        acc.via.push(def.node);
        Some(v)
    }

    /// Reads of `AWS_LAMBDA_RUNTIME_API` in each language's env API.
    fn env_read(&self, node: Node<'t>, acc: &mut Folded<'t>) -> Option<String> {
        let name = self.env_var_name(node)?;
        if name == RUNTIME_API_VAR {
            acc.env_read.get_or_insert(node);
            return Some(RUNTIME_API.to_string());
        }
        (name == "TMPDIR").then(|| "/tmp".to_owned())
    }

    /// The variable an env read names: `os.environ['X']`, `process.env.X`, `os.getenv('X')`,
    /// `System.getenv("X")`, `os.Getenv("X")`.
    pub fn env_var_name(&self, node: Node<'t>) -> Option<String> {
        match node.kind() {
            "subscript" | "subscript_expression" => {
                let obj = node.child_by_field_name("value").or_else(|| node.child_by_field_name("object"))?;
                let key = node.child_by_field_name("subscript").or_else(|| node.child_by_field_name("index"))?;
                matches!(self.dotted(obj).as_str(), "os.environ" | "process.env").then(|| self.plain_literal(key)).flatten()
            }
            "member_expression" => {
                let obj = node.child_by_field_name("object")?;
                let prop = node.child_by_field_name("property")?;
                (self.dotted(obj) == "process.env").then(|| self.text(prop).to_owned())
            }
            "call" | "call_expression" | "method_invocation" => {
                let call = self.call(node)?;
                let env_fn =
                    call.is(&["os.environ.get", "os.getenv", "os.Getenv", "os.LookupEnv", "System.getenv", "os.environ.setdefault"]);
                if !env_fn {
                    return None;
                }
                call.args.first().and_then(|a| self.plain_literal(*a))
            }
            _ => None,
        }
    }

    /// A string literal's text without folding anything else.
    pub fn plain_literal(&self, node: Node<'t>) -> Option<String> {
        match node.kind() {
            "string" | "string_literal" | "interpreted_string_literal" | "raw_string_literal" => {
                let mut acc = Folded::default();
                self.literal(node, MAX_DEPTH, &mut acc).filter(|s| !s.contains(HOLE))
            }
            _ => None,
        }
    }

    /// Well-known constants that name the temp folder.
    fn member_constant(&self, node: Node<'t>) -> Option<String> {
        matches!(self.dotted(node).as_str(), "tempfile.tempdir").then(|| "/tmp".to_owned())
    }

    fn call_value(&self, node: Node<'t>, d: u32, acc: &mut Folded<'t>) -> Option<String> {
        if let Some(v) = self.env_read(node, acc) {
            return Some(v);
        }
        let call = self.call(node)?;
        let args = &call.args;
        let fold_args = |acc: &mut Folded<'t>, from: usize| -> Vec<Option<String>> {
            args.iter().skip(from).map(|a| self.fold_in(*a, d, acc)).collect()
        };
        let callee = call.callee.as_str();
        match callee {
            "tempfile.gettempdir" | "os.tmpdir" | "os.TempDir" => Some("/tmp".to_owned()),
            "System.getProperty" => {
                let key = args.first().and_then(|a| self.plain_literal(*a))?;
                (key == "java.io.tmpdir").then(|| "/tmp".to_owned())
            }
            "os.path.join" | "posixpath.join" | "path.join" | "path.resolve" | "path.posix.join" | "filepath.Join" | "path.Join"
            | "Paths.get" | "Path.of" | "pathlib.Path" | "Path" | "pathlib.PurePath" | "PurePosixPath" | "new File"
            | "new java.io.File" | "filepath.Clean" | "os.path.abspath" | "os.path.realpath" | "os.path.normpath" | "path.normalize"
            | "str" | "String" | "string" | "String.valueOf" | "os.fsencode" | "os.fspath" => {
                let parts = fold_args(acc, 0);
                if parts.iter().all(Option::is_none) {
                    return None;
                }
                Some(join(&parts))
            }
            "fmt.Sprintf" | "String.format" | "util.format" => {
                let fmt = args.first().and_then(|a| self.fold_in(*a, d, acc))?;
                Some(printf(&fmt, &fold_args(acc, 1)))
            }
            "fmt.Sprint" | "String.join" => None,
            _ if !callee.contains(['.', '(']) && !callee.is_empty() => self.returned_value(callee, d, acc),
            _ => self.method_value(call, d, acc),
        }
    }

    /// What a function of this file returns, when every `return` gives the same string:
    /// `binary = _ffmpeg()` with `def _ffmpeg(): …; return FFMPEG`.
    fn returned_value(&self, name: &str, d: u32, acc: &mut Folded<'t>) -> Option<String> {
        let func = self.functions.iter().find(|f| f.child_by_field_name("name").is_some_and(|n| self.text(n) == name))?;
        let mut body = func.child_by_field_name("body")?;
        // Go wraps a block's statements in a `statement_list`.
        if let Some(list) = body.named_child(0).filter(|n| n.kind() == "statement_list") {
            body = list;
        }
        let mut value: Option<String> = None;
        for stmt in named_children(body) {
            if stmt.kind() != "return_statement" && !matches!(stmt.kind(), "if_statement" | "with_statement") {
                continue;
            }
            // Returns at the top of the body or one block down.
            let returns = if stmt.kind() == "return_statement" { vec![stmt] } else { self.nested_returns(stmt) };
            for r in returns {
                let v = self.fold_in(r.named_child(0)?, d, acc)?;
                if value.as_ref().is_some_and(|prev| *prev != v) {
                    return None;
                }
                value = Some(v);
            }
        }
        value
    }

    fn nested_returns(&self, stmt: Node<'t>) -> Vec<Node<'t>> {
        let Some(mut block) = stmt.child_by_field_name("body").or_else(|| stmt.child_by_field_name("consequence")) else {
            return Vec::new();
        };
        if let Some(list) = block.named_child(0).filter(|n| n.kind() == "statement_list") {
            block = list;
        }
        named_children(block).into_iter().filter(|n| n.kind() == "return_statement").collect()
    }

    /// String methods that keep a path's meaning: `'{}/environ'.format(pid)`,
    /// `Path(...).resolve()`, `file.getPath()`, `url.toString()`.
    fn method_value(&self, call: &crate::syntax::Call<'t>, d: u32, acc: &mut Folded<'t>) -> Option<String> {
        let recv = call.receiver?;
        match call.method() {
            "format" if self.lang() == fnwarden_code::Lang::Python => {
                let fmt = self.fold_in(recv, d, acc)?;
                Some(braces(&fmt))
            }
            "concat" => {
                let a = self.fold_in(recv, d, acc)?;
                let b: String = call.args.iter().map(|x| self.fold_in(*x, d, acc).unwrap_or_else(|| HOLE.to_string())).collect();
                Some(a + &b)
            }
            "resolve" | "absolute" | "toString" | "getPath" | "getAbsolutePath" | "toAbsolutePath" | "normalize" | "as_posix"
            | "expanduser" | "strip" | "trim" | "toFile" | "toPath" => {
                if call.args.is_empty() {
                    self.fold_in(recv, d, acc)
                } else {
                    None
                }
            }
            "joinpath" | "resolveSibling" => {
                let a = self.fold_in(recv, d, acc)?;
                let mut parts = vec![Some(a)];
                parts.extend(call.args.iter().map(|x| self.fold_in(*x, d, acc)));
                Some(join(&parts))
            }
            _ => None,
        }
    }
}

/// Path join: one `/` between parts; an unknown part is a hole.
fn join(parts: &[Option<String>]) -> String {
    let mut out = String::new();
    for p in parts {
        let p = p.clone().unwrap_or_else(|| HOLE.to_string());
        if p.starts_with('/') {
            out = p;
            continue;
        }
        if !out.is_empty() && !out.ends_with('/') {
            out.push('/');
        }
        out.push_str(&p);
    }
    out
}

/// `%s`-style formatting with the folded arguments in order (holes where unknown).
fn printf(fmt: &str, args: &[Option<String>]) -> String {
    let mut out = String::new();
    let mut args = args.iter();
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        if chars.peek() == Some(&'%') {
            chars.next();
            out.push('%');
            continue;
        }
        // `(name)`, then flags and width, then the verb.
        let mut named = false;
        if chars.peek() == Some(&'(') {
            named = true;
            for n in chars.by_ref() {
                if n == ')' {
                    break;
                }
            }
        }
        for n in chars.by_ref() {
            if n.is_ascii_alphabetic() {
                break;
            }
        }
        let arg = if named { None } else { args.next().cloned().flatten() };
        out.push_str(&arg.unwrap_or_else(|| HOLE.to_string()));
    }
    out
}

/// `str.format` placeholders become holes.
fn braces(fmt: &str) -> String {
    let mut out = String::new();
    let mut depth = 0u32;
    for c in fmt.chars() {
        match c {
            '{' => {
                if depth == 0 {
                    out.push(HOLE);
                }
                depth += 1;
            }
            '}' if depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

fn unescape(esc: &str) -> &str {
    match esc {
        "\\n" => "\n",
        "\\t" => "\t",
        "\\/" => "/",
        "\\\\" => "\\",
        "\\'" => "'",
        "\\\"" => "\"",
        "\\x2f" | "\\x2F" | "\\u002f" | "\\u002F" => "/",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printf_substitutes_in_order() {
        assert_eq!(printf("/proc/%d/%s", &[None, Some("mem".into())]), format!("/proc/{HOLE}/mem"));
        assert_eq!(printf("100%% %s", &[Some("x".into())]), "100% x");
        assert_eq!(printf("/proc/%(pid)s/environ", &[]), format!("/proc/{HOLE}/environ"));
    }

    #[test]
    fn join_keeps_one_slash_and_absolute_parts_restart() {
        assert_eq!(join(&[Some("/tmp/".into()), Some("x".into())]), "/tmp/x");
        assert_eq!(join(&[Some("/proc".into()), None, Some("environ".into())]), format!("/proc/{HOLE}/environ"));
        assert_eq!(join(&[Some("a".into()), Some("/tmp".into())]), "/tmp");
    }

    #[test]
    fn braces_become_holes() {
        assert_eq!(braces("/proc/{}/environ"), format!("/proc/{HOLE}/environ"));
        assert_eq!(braces("/proc/{pid:d}/maps"), format!("/proc/{HOLE}/maps"));
    }
}
