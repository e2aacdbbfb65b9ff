//! Falco condition syntax: `and`/`or`/`not`, parentheses, macro names, and field checks
//! (`field op value`, `field in (a, b)`, `field exists`). Parsing yields an [`Ast`] with byte
//! offsets; resolving names and types happens in `compile`.

/// A parsed condition.
#[derive(Clone, Debug, PartialEq)]
pub enum Ast {
    And(Vec<Ast>),
    Or(Vec<Ast>),
    Not(Box<Ast>),
    /// A bare name: a macro reference.
    Name {
        name: String,
        pos: usize,
    },
    Check(Check),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    pub field: String,
    pub pos: usize,
    pub op: String,
    pub op_pos: usize,
    pub rhs: Rhs,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Rhs {
    None,
    Value(Value),
    List(Vec<Value>),
    /// `val(other.field)`: compare with another field of the same event.
    Field {
        name: String,
        pos: usize,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Value {
    pub text: String,
    /// Quoted values are never list names.
    pub quoted: bool,
    pub pos: usize,
}

/// A syntax error at a byte offset of the condition.
#[derive(Clone, Debug, PartialEq)]
pub struct SyntaxError {
    pub pos: usize,
    pub message: String,
}

const UNARY: &[&str] = &["exists"];
const WORD_OPS: &[&str] = &[
    "contains",
    "icontains",
    "bcontains",
    "startswith",
    "bstartswith",
    "endswith",
    "glob",
    "iglob",
    "regex",
    "pmatch",
    "in",
    "intersects",
];
const LIST_OPS: &[&str] = &["in", "intersects", "pmatch"];
const SYMBOL_OPS: &[&str] = &["==", "!=", "<=", ">=", "=", "<", ">"];
/// Nesting limit so that a hostile condition cannot overflow the stack.
const MAX_DEPTH: usize = 200;

pub fn parse(src: &str) -> Result<Ast, SyntaxError> {
    let mut p = Parser { src, pos: 0, depth: 0 };
    let ast = p.or()?;
    p.ws();
    if p.pos < src.len() {
        return Err(p.err(format!("unexpected {}", p.describe_here())));
    }
    Ok(ast)
}

struct Parser<'a> {
    src: &'a str,
    pos: usize,
    depth: usize,
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.')
}

impl Parser<'_> {
    fn err(&self, message: String) -> SyntaxError {
        SyntaxError { pos: self.pos, message }
    }

    fn rest(&self) -> &str {
        &self.src[self.pos..]
    }

    fn ws(&mut self) {
        let trimmed = self.rest().trim_start();
        self.pos = self.src.len() - trimmed.len();
    }

    fn describe_here(&self) -> String {
        let r = self.rest();
        if r.is_empty() {
            return "end of condition".into();
        }
        let snippet: String = r.chars().take(24).collect();
        format!("{snippet:?}")
    }

    /// Consumes `word` when it stands alone (not a prefix of a longer name).
    fn keyword(&mut self, word: &str) -> bool {
        self.ws();
        let r = self.rest();
        // Compare bytes: the condition may hold non-ASCII text where a keyword could start.
        if r.as_bytes().get(..word.len()).is_some_and(|b| b.eq_ignore_ascii_case(word.as_bytes())) {
            let after = r[word.len()..].chars().next();
            if after.is_none_or(|c| !is_name_char(c) && c != '[') {
                self.pos += word.len();
                return true;
            }
        }
        false
    }

    fn or(&mut self) -> Result<Ast, SyntaxError> {
        let mut v = vec![self.and()?];
        while self.keyword("or") {
            v.push(self.and()?);
        }
        Ok(if v.len() == 1 { v.remove(0) } else { Ast::Or(v) })
    }

    fn and(&mut self) -> Result<Ast, SyntaxError> {
        let mut v = vec![self.not()?];
        while self.keyword("and") {
            v.push(self.not()?);
        }
        Ok(if v.len() == 1 { v.remove(0) } else { Ast::And(v) })
    }

    fn not(&mut self) -> Result<Ast, SyntaxError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err(format!("condition nested deeper than {MAX_DEPTH} levels")));
        }
        let r = if self.keyword("not") { self.not().map(|a| Ast::Not(Box::new(a))) } else { self.primary() };
        self.depth -= 1;
        r
    }

    fn primary(&mut self) -> Result<Ast, SyntaxError> {
        self.ws();
        if self.rest().starts_with('(') {
            self.pos += 1;
            let inner = self.or()?;
            self.ws();
            if !self.rest().starts_with(')') {
                return Err(self.err(format!("expected ')' but found {}", self.describe_here())));
            }
            self.pos += 1;
            return Ok(inner);
        }
        let pos = self.pos;
        let name = self.name()?;
        if ["and", "or", "not"].iter().any(|k| name.eq_ignore_ascii_case(k)) {
            self.pos = pos;
            return Err(self.err(format!("expected a field, macro or '(' but found the keyword {name:?}")));
        }
        self.ws();
        let op_pos = self.pos;
        if let Some(op) = SYMBOL_OPS.iter().find(|o| self.rest().starts_with(**o)) {
            self.pos += op.len();
            let rhs = self.value_or_field()?;
            return Ok(Ast::Check(Check { field: name, pos, op: (*op).to_owned(), op_pos, rhs }));
        }
        for op in UNARY {
            if self.keyword(op) {
                return Ok(Ast::Check(Check { field: name, pos, op: (*op).to_owned(), op_pos, rhs: Rhs::None }));
            }
        }
        for op in WORD_OPS {
            if self.keyword(op) {
                let rhs = if LIST_OPS.contains(op) { self.list()? } else { self.value_or_field()? };
                return Ok(Ast::Check(Check { field: name, pos, op: (*op).to_owned(), op_pos, rhs }));
            }
        }
        Ok(Ast::Name { name, pos })
    }

    /// A field or macro name: `proc.name`, `proc.aname[2]`, `evt.arg.flags`, `my_macro`.
    fn name(&mut self) -> Result<String, SyntaxError> {
        let start = self.pos;
        let bytes = self.src.as_bytes();
        while self.pos < bytes.len() {
            let c = bytes[self.pos] as char;
            if c == '[' {
                match self.rest().find(']') {
                    Some(end) => self.pos += end + 1,
                    None => return Err(self.err("missing ']' after field argument".into())),
                }
            } else if c.is_ascii() && is_name_char(c) {
                self.pos += 1;
            } else {
                break;
            }
        }
        if self.pos == start {
            return Err(self.err(format!("expected a field, macro or '(' but found {}", self.describe_here())));
        }
        Ok(self.src[start..self.pos].to_owned())
    }

    fn value_or_field(&mut self) -> Result<Rhs, SyntaxError> {
        self.ws();
        if self.rest().starts_with("val(") {
            self.pos += 4;
            self.ws();
            let pos = self.pos;
            let name = self.name()?;
            self.ws();
            if !self.rest().starts_with(')') {
                return Err(self.err("expected ')' to close val(".into()));
            }
            self.pos += 1;
            return Ok(Rhs::Field { name, pos });
        }
        if self.rest().starts_with('(') {
            return self.list();
        }
        self.value(false).map(Rhs::Value)
    }

    fn list(&mut self) -> Result<Rhs, SyntaxError> {
        self.ws();
        if !self.rest().starts_with('(') {
            return Err(self.err(format!("expected a list like (a, b) but found {}", self.describe_here())));
        }
        self.pos += 1;
        let mut items = Vec::new();
        loop {
            self.ws();
            if self.rest().starts_with(')') {
                self.pos += 1;
                return Ok(Rhs::List(items));
            }
            items.push(self.value(true)?);
            self.ws();
            if self.rest().starts_with(',') {
                self.pos += 1;
            } else if !self.rest().starts_with(')') {
                return Err(self.err(format!("expected ',' or ')' in list but found {}", self.describe_here())));
            }
        }
    }

    fn value(&mut self, in_list: bool) -> Result<Value, SyntaxError> {
        self.ws();
        let pos = self.pos;
        let Some(first) = self.rest().chars().next() else {
            return Err(self.err("expected a value but the condition ended".into()));
        };
        if first == '"' || first == '\'' {
            self.pos += 1;
            let mut text = String::new();
            let mut chars = self.rest().char_indices();
            while let Some((i, c)) = chars.next() {
                match c {
                    // Only the quote and the backslash itself are escapes; any other
                    // backslash is kept, so that regular expressions read as written.
                    '\\' => match chars.next() {
                        Some((_, n)) if n == first || n == '\\' => text.push(n),
                        Some((_, n)) => {
                            text.push('\\');
                            text.push(n);
                        }
                        None => break,
                    },
                    c if c == first => {
                        self.pos += i + 1;
                        return Ok(Value { text, quoted: true, pos });
                    }
                    c => text.push(c),
                }
            }
            self.pos = pos;
            return Err(self.err(format!("unterminated {first}quoted{first} value")));
        }
        let end = self
            .rest()
            .char_indices()
            .find(|&(_, c)| c.is_whitespace() || c == ')' || c == '(' || (in_list && c == ','))
            .map_or(self.rest().len(), |(i, _)| i);
        if end == 0 {
            return Err(self.err(format!("expected a value but found {}", self.describe_here())));
        }
        let text = self.rest()[..end].to_owned();
        self.pos += end;
        Ok(Value { text, quoted: false, pos })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(field: &str, op: &str, rhs: Rhs) -> Ast {
        Ast::Check(Check { field: field.into(), pos: 0, op: op.into(), op_pos: 0, rhs })
    }

    /// Positions are checked separately; this strips them.
    fn strip(a: Ast) -> Ast {
        match a {
            Ast::And(v) => Ast::And(v.into_iter().map(strip).collect()),
            Ast::Or(v) => Ast::Or(v.into_iter().map(strip).collect()),
            Ast::Not(b) => Ast::Not(Box::new(strip(*b))),
            Ast::Name { name, .. } => Ast::Name { name, pos: 0 },
            Ast::Check(mut c) => {
                c.pos = 0;
                c.op_pos = 0;
                c.rhs = match c.rhs {
                    Rhs::Value(v) => Rhs::Value(Value { pos: 0, ..v }),
                    Rhs::List(l) => Rhs::List(l.into_iter().map(|v| Value { pos: 0, ..v }).collect()),
                    Rhs::Field { name, .. } => Rhs::Field { name, pos: 0 },
                    Rhs::None => Rhs::None,
                };
                Ast::Check(c)
            }
        }
    }

    fn v(t: &str, quoted: bool) -> Value {
        Value { text: t.into(), quoted, pos: 0 }
    }

    #[test]
    fn precedence_is_not_then_and_then_or() {
        let a = strip(parse("a or not b and c").unwrap());
        let name = |n: &str| Ast::Name { name: n.into(), pos: 0 };
        assert_eq!(a, Ast::Or(vec![name("a"), Ast::And(vec![Ast::Not(Box::new(name("b"))), name("c")])]));
    }

    #[test]
    fn checks_values_lists_and_field_refs() {
        let a = strip(parse("evt.type=execve and proc.name in (sh, 'ba sh', shells) and fd.name exists").unwrap());
        assert_eq!(
            a,
            Ast::And(vec![
                check("evt.type", "=", Rhs::Value(v("execve", false))),
                check("proc.name", "in", Rhs::List(vec![v("sh", false), v("ba sh", true), v("shells", false)])),
                check("fd.name", "exists", Rhs::None),
            ])
        );
        let b = strip(parse("proc.aname[2] startswith \"py\\\"x\" or proc.name = val(proc.pname)").unwrap());
        assert_eq!(
            b,
            Ast::Or(vec![
                check("proc.aname[2]", "startswith", Rhs::Value(v("py\"x", true))),
                check("proc.name", "=", Rhs::Field { name: "proc.pname".into(), pos: 0 }),
            ])
        );
        // `evt.dir=<` must not read as `<=`.
        assert_eq!(strip(parse("evt.dir=<").unwrap()), check("evt.dir", "=", Rhs::Value(v("<", false))));
    }

    #[test]
    fn keywords_need_word_boundaries() {
        // `order` and `notes` are names, not `or`/`not` followed by something.
        assert_eq!(
            strip(parse("notes or order").unwrap()),
            Ast::Or(vec![Ast::Name { name: "notes".into(), pos: 0 }, Ast::Name { name: "order".into(), pos: 0 }])
        );
    }

    #[test]
    fn syntax_errors_have_positions() {
        let e = parse("proc.name = sh and (fd.name = x").unwrap_err();
        assert_eq!(e.pos, 31);
        assert!(e.message.contains("expected ')'"), "{}", e.message);
        let e = parse("proc.name in sh").unwrap_err();
        assert!(e.message.contains("expected a list"), "{}", e.message);
        assert_eq!(parse("proc.name = ").unwrap_err().pos, 12);
        assert!(parse("proc.name = 'x").unwrap_err().message.contains("unterminated"));
        let Ast::Check(c) = parse(r#"proc.name regex "a\.b\\c\"d""#).unwrap() else { panic!() };
        assert_eq!(c.rhs, Rhs::Value(Value { text: r#"a\.b\c"d"#.into(), quoted: true, pos: 16 }));
        assert!(parse("a and").unwrap_err().message.contains("end of condition"));
        assert!(parse("a b").unwrap_err().message.contains("unexpected"));
        assert!(parse(&"(".repeat(10_000)).unwrap_err().message.contains("nested deeper"));
        // Multi-byte text where a keyword may start (found by the rule_loader fuzz target).
        assert!(parse("a §1a o").is_err());
        assert!(parse("proc.name = é and ñot").is_err());
    }
}
