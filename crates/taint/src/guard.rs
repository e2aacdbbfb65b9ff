//! Checks that really validate a value: allowlist membership, comparison with a constant, a
//! restrictive regular expression, a digit test, or a call to a function of the program that
//! itself performs one of those. A validator that always passes, a regex that matches
//! anything, or a check whose result is ignored validates nothing.

use fnwarden_code::Lang;
use fnwarden_code::tree_sitter::Node;

use crate::flow::{Engine, Frame, base_ident, is_string_literal, kids, text};

/// Whether a regular expression only accepts a narrow set of strings: anchored at both ends
/// (or applied with full-match semantics) and with no "anything" sub-pattern.
pub fn restrictive(pattern: &str, full: bool, start_anchored: bool) -> bool {
    let p = pattern.trim();
    if p.is_empty() {
        return false;
    }
    const ANYTHING: &[&str] = &[".*", ".+", "\\S*", "\\S+", "[\\s\\S]", "[\\w\\W]", "[\\d\\D]", "(?s)", "[^", ".{"];
    if ANYTHING.iter().any(|a| p.contains(a)) {
        return false;
    }
    // A top-level alternation anchors each branch on one side only.
    let mut depth = 0i32;
    let mut class = false;
    let mut escaped = false;
    for c in p.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '[' => class = true,
            ']' => class = false,
            '(' if !class => depth += 1,
            ')' if !class => depth -= 1,
            '|' if !class && depth == 0 && !full => return false,
            _ => {}
        }
    }
    let starts = full || start_anchored || p.starts_with('^') || p.starts_with("\\A");
    let ends = full || p.ends_with('$') || p.ends_with("\\Z") || p.ends_with("\\z");
    starts && ends
}

/// The pattern text of a string or regex literal, unescaped as the regex engine sees it.
fn pattern_text(fr: &Frame<'_>, n: Node<'_>) -> Option<String> {
    let raw = text(fr, n);
    match n.kind() {
        "regex" => n.child_by_field_name("pattern").map(|p| text(fr, p).to_owned()),
        "raw_string_literal" => Some(raw.trim_matches('`').to_owned()),
        "string" | "string_literal" | "interpreted_string_literal" => {
            let prefix = raw.len() - raw.trim_start_matches(|c: char| c.is_ascii_alphabetic()).len();
            let is_raw = raw[..prefix].contains(['r', 'R']);
            let body = raw[prefix..].trim_matches(|c| c == '"' || c == '\'');
            Some(if is_raw { body.to_owned() } else { body.replace("\\\\", "\\") })
        }
        _ => None,
    }
}

impl<'a> Engine<'a> {
    /// A pattern given inline or through a module constant (`PAT = re.compile(r'…')`).
    fn pattern_of(&self, fr: &Frame<'a>, n: Node<'a>, depth: u32) -> Option<String> {
        if depth > 4 {
            return None;
        }
        match n.kind() {
            "identifier" => {
                let v = *self.prog.info[fr.fi as usize].consts.get(text(fr, n))?;
                self.pattern_of(fr, v, depth + 1)
            }
            "call" | "call_expression" | "method_invocation" | "new_expression" => {
                let callee = n
                    .child_by_field_name("function")
                    .or_else(|| n.child_by_field_name("name"))
                    .or_else(|| n.child_by_field_name("constructor"))
                    .map(|c| text(fr, c))
                    .unwrap_or("");
                let compiles = callee.ends_with("compile") || callee.ends_with("MustCompile") || callee.ends_with("RegExp");
                if !compiles {
                    return None;
                }
                let arg = n.child_by_field_name("arguments")?.named_child(0)?;
                self.pattern_of(fr, arg, depth + 1)
            }
            _ => pattern_text(fr, n),
        }
    }

    /// If `cond` checks one variable, that variable and whether `cond` being true means valid.
    pub fn check_of(&mut self, fr: &mut Frame<'a>, cond: Node<'a>) -> Option<(&'a str, bool)> {
        self.check_depth(fr, cond, 0)
    }

    fn check_depth(&mut self, fr: &mut Frame<'a>, n: Node<'a>, depth: u32) -> Option<(&'a str, bool)> {
        if depth > 16 {
            return None;
        }
        let flip = |c: Option<(&'a str, bool)>| c.map(|(v, p)| (v, !p));
        match n.kind() {
            "parenthesized_expression" | "await" | "await_expression" | "expression_list" => {
                let inner = kids(n).next()?;
                self.check_depth(fr, inner, depth + 1)
            }
            "not_operator" => {
                let a = n.child_by_field_name("argument")?;
                flip(self.check_depth(fr, a, depth + 1))
            }
            "unary_expression" => {
                let op = n.child_by_field_name("operator").map(|o| text(fr, o)).unwrap_or("");
                let a = n.child_by_field_name("argument").or_else(|| n.child_by_field_name("operand"))?;
                if op == "!" { flip(self.check_depth(fr, a, depth + 1)) } else { None }
            }
            "identifier" => fr.checks.get(text(fr, n)).copied(),
            "boolean_operator" | "binary_expression" if self.is_and(fr, n) => {
                let l = n.child_by_field_name("left")?;
                let r = n.child_by_field_name("right")?;
                self.check_depth(fr, l, depth + 1).filter(|c| c.1).or_else(|| self.check_depth(fr, r, depth + 1).filter(|c| c.1))
            }
            "comparison_operator" => self.py_comparison(fr, n, depth),
            "binary_expression" => self.c_comparison(fr, n, depth),
            // Go `allowed[x]` on a `map[string]bool`.
            "index_expression" if fr.lang == Lang::Go => {
                let idx = n.child_by_field_name("index")?;
                base_ident(fr, idx).map(|v| (v, true))
            }
            "call" | "call_expression" | "method_invocation" => self.call_check(fr, n, depth),
            _ => None,
        }
    }

    fn is_and(&self, fr: &Frame<'a>, n: Node<'a>) -> bool {
        n.child_by_field_name("operator").is_some_and(|o| matches!(text(fr, o), "and" | "&&"))
    }

    /// Python `x in ALLOWED`, `x not in ALLOWED`, `x == 'a'`, `m is not None`.
    fn py_comparison(&mut self, fr: &mut Frame<'a>, n: Node<'a>, depth: u32) -> Option<(&'a str, bool)> {
        if n.named_child_count() != 2 {
            return None;
        }
        let left = n.named_child(0)?;
        let right = n.named_child(1)?;
        let mut op = String::new();
        let mut c = n.walk();
        for child in n.children(&mut c).filter(|c| !c.is_named()) {
            if !op.is_empty() {
                op.push(' ');
            }
            op.push_str(child.kind());
        }
        match op.as_str() {
            "in" => self.member_of(fr, left, right).map(|v| (v, true)),
            "not in" => self.member_of(fr, left, right).map(|v| (v, false)),
            "==" if literal(right) => base_ident(fr, left).map(|v| (v, true)),
            "!=" if literal(right) => base_ident(fr, left).map(|v| (v, false)),
            "is not" if right.kind() == "none" => self.check_depth(fr, left, depth + 1),
            "is" if right.kind() == "none" => self.check_depth(fr, left, depth + 1).map(|(v, p)| (v, !p)),
            _ => None,
        }
    }

    /// The variable a membership test is about, when the collection is a constant one.
    fn member_of(&self, fr: &Frame<'a>, item: Node<'a>, collection: Node<'a>) -> Option<&'a str> {
        let constant = match collection.kind() {
            "list" | "set" | "tuple" | "dictionary" | "array" => kids(collection).all(literal),
            "identifier" | "attribute" => !fr.env.get(text(fr, collection)).is_some_and(|t| t.is_tainted()),
            _ => false,
        };
        if !constant {
            return None;
        }
        let var = base_ident(fr, item).or_else(|| derived_var(fr, item))?;
        Some(var)
    }

    /// JS/Go/Java `x === 'a'`, `x != "a"`, `LIST.indexOf(x) === -1`.
    fn c_comparison(&mut self, fr: &mut Frame<'a>, n: Node<'a>, depth: u32) -> Option<(&'a str, bool)> {
        let op = text(fr, n.child_by_field_name("operator")?);
        let left = n.child_by_field_name("left")?;
        let right = n.child_by_field_name("right")?;
        let eq = matches!(op, "==" | "===");
        let ne = matches!(op, "!=" | "!==");
        let text_l = text(fr, left);
        if text_l.contains(".indexOf(") {
            let arg = left.child_by_field_name("arguments").and_then(|a| a.named_child(0))?;
            let minus_one = text(fr, right).replace(' ', "") == "-1";
            let var = base_ident(fr, arg)?;
            return match (op, minus_one) {
                ("===" | "==", true) => Some((var, false)),
                ("!==" | "!=" | ">", true) => Some((var, true)),
                (">=", false) if text(fr, right) == "0" => Some((var, true)),
                _ => None,
            };
        }
        if (eq || ne) && literal(right) && text(fr, right) != "nil" && right.kind() != "null" {
            if let Some(inner) = self.check_depth(fr, left, depth + 1).filter(|_| matches!(text(fr, right), "true" | "false")) {
                return Some(inner);
            }
            return base_ident(fr, left).map(|v| (v, eq));
        }
        None
    }

    fn call_check(&mut self, fr: &mut Frame<'a>, n: Node<'a>, depth: u32) -> Option<(&'a str, bool)> {
        let (callee, receiver, method) = match n.kind() {
            "method_invocation" => {
                let name = n.child_by_field_name("name").map(|m| text(fr, m)).unwrap_or("");
                (None, n.child_by_field_name("object"), name)
            }
            _ => {
                let f = n.child_by_field_name("function")?;
                let recv = f.child_by_field_name("object").or_else(|| f.child_by_field_name("operand"));
                let method = f
                    .child_by_field_name("attribute")
                    .or_else(|| f.child_by_field_name("property"))
                    .or_else(|| f.child_by_field_name("field"))
                    .map(|m| text(fr, m))
                    .unwrap_or_else(|| text(fr, f));
                (Some(f), recv, method)
            }
        };
        let args = n.child_by_field_name("arguments");
        let arg = |i: usize| args.and_then(|a| kids(a).nth(i));
        let recv_text = receiver.map(|r| text(fr, r)).unwrap_or("");
        let prog = self.prog;
        let fi = fr.fi as usize;
        let module = |name: &'a str| -> &'a str { prog.info[fi].aliases.get(name).map(String::as_str).unwrap_or(name) };
        match method {
            "bool" | "Boolean" => return self.check_depth(fr, arg(0)?, depth + 1),
            "isdigit" | "isalnum" | "isalpha" | "isdecimal" | "isnumeric" | "isidentifier" => {
                return receiver.and_then(|r| base_ident(fr, r)).map(|v| (v, true));
            }
            "includes" | "has" | "contains" | "containsKey" | "Contains" if fr.lang != Lang::Python => {
                // `ALLOWED.includes(x)`; Go `slices.Contains(ALLOWED, x)`.
                let (collection, item) = if module(recv_text) == "slices" { (arg(0)?, arg(1)?) } else { (receiver?, arg(0)?) };
                let coll_clean = !fr.env.get(text(fr, collection)).is_some_and(|t| t.is_tainted()) && !is_string_literal(collection.kind());
                return if coll_clean { base_ident(fr, item).or_else(|| derived_var(fr, item)).map(|v| (v, true)) } else { None };
            }
            "fullmatch" | "match" | "search" | "test" | "MatchString" | "matches" => {
                let full = method == "fullmatch" || method == "matches";
                let start = method == "match" && fr.lang == Lang::Python;
                // Module functions take (pattern, value); compiled patterns take (value).
                let module_fn = matches!(module(recv_text), "re" | "regex" | "regexp" | "Pattern");
                let (pat, value) = if module_fn {
                    (self.pattern_of(fr, arg(0)?, 0)?, arg(1)?)
                } else if method == "matches" && fr.lang == Lang::Java && receiver.is_some_and(|r| text(fr, r).contains("matcher(")) {
                    // `P.matcher(x).matches()`.
                    let m = receiver?;
                    let p = m.child_by_field_name("object")?;
                    let v = m.child_by_field_name("arguments").and_then(|a| a.named_child(0))?;
                    (self.pattern_of(fr, p, 0)?, v)
                } else if method == "matches" && fr.lang == Lang::Java {
                    // `x.matches("[a-z]+")`.
                    (self.pattern_of(fr, arg(0)?, 0)?, receiver?)
                } else {
                    (self.pattern_of(fr, receiver?, 0)?, arg(0)?)
                };
                if !restrictive(&pat, full, start) {
                    return None;
                }
                return base_ident(fr, value).map(|v| (v, true));
            }
            _ => {}
        }
        if fr.lang.is_js_family() && recv_text == "validator" && method.starts_with("is") {
            return base_ident(fr, arg(0)?).map(|v| (v, true));
        }
        if matches!(method, "isInteger" | "isSafeInteger") {
            return base_ident(fr, arg(0)?).map(|v| (v, true));
        }
        // A function of the program: a validator if its summary says it checks that parameter.
        let (tfi, def) = self.resolve(fr, n, callee, "")?;
        let s = self.summary(tfi, def);
        let offset = usize::from(receiver.is_some() && s.param_names.first().is_some_and(|p| p == "self" || p == "cls"));
        let i = (0..64usize).find(|i| s.validates & (1 << i) != 0)?;
        let a = arg(i.checked_sub(offset)?)?;
        base_ident(fr, a).map(|v| (v, true))
    }
}

fn literal(n: Node<'_>) -> bool {
    matches!(
        n.kind(),
        "string"
            | "string_literal"
            | "interpreted_string_literal"
            | "raw_string_literal"
            | "integer"
            | "float"
            | "number"
            | "int_literal"
            | "decimal_integer_literal"
            | "true"
            | "false"
            | "none"
            | "null"
            | "nil"
            | "null_literal"
    ) || (n.kind() == "template_string" && n.named_child_count() == 0)
}

/// `urlparse(url).hostname` → `url`: the variable a parsed value comes from.
fn derived_var<'a>(fr: &Frame<'a>, n: Node<'a>) -> Option<&'a str> {
    let mut cur = n;
    for _ in 0..16 {
        match cur.kind() {
            "attribute" | "member_expression" | "field_access" | "selector_expression" => {
                cur = cur.child_by_field_name("object").or_else(|| cur.child_by_field_name("operand"))?
            }
            "method_invocation" => cur = cur.child_by_field_name("object")?,
            "call" | "call_expression" | "new_expression" => {
                cur = cur.child_by_field_name("arguments")?.named_child(0)?;
            }
            "identifier" => return Some(text(fr, cur)),
            _ => return None,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::restrictive;

    #[test]
    fn regexes_that_match_anything_are_not_restrictive() {
        assert!(restrictive("^[a-z0-9-]{1,64}$", false, false));
        assert!(restrictive("[A-Za-z0-9_]+", true, false));
        assert!(!restrictive(".*", true, false));
        assert!(!restrictive("^.*$", false, false));
        assert!(!restrictive("[a-z]+", false, false), "unanchored search matches a substring");
        assert!(!restrictive("^[a-z]+", false, false));
        assert!(restrictive("[a-z]+$", false, true), "re.match anchors the start");
        assert!(!restrictive("^a$|b", false, false));
        assert!(!restrictive("^[^;|&]+$", false, false), "a denylist class lets $( ) through");
    }
}
