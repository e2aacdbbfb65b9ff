//! The `condition:` expression over search identifiers.
//!
//! Precedence, loosest first: `or`, `and`, `not`, `1 of`/`all of`, parentheses. Operators are
//! case-insensitive; identifiers are not.

/// A parsed condition; selections are indices into the names it was parsed against.
#[derive(Clone, Debug, PartialEq)]
pub enum Cond {
    Sel(usize),
    And(Vec<Cond>),
    Or(Vec<Cond>),
    Not(Box<Cond>),
    /// `all of …` (true) or `1 of …` (false) over the matched selections.
    Of {
        all: bool,
        sels: Vec<usize>,
    },
}

/// A problem at a character offset of the condition text.
#[derive(Debug, PartialEq)]
pub struct CondError {
    pub offset: usize,
    pub msg: String,
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Open,
    Close,
    Word(String),
}

/// Nesting beyond this is refused rather than risk the stack.
const MAX_DEPTH: usize = 64;

fn tokenize(text: &str) -> Vec<(Tok, usize)> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut start = 0;
    for (i, c) in text.chars().enumerate() {
        if c.is_whitespace() || c == '(' || c == ')' {
            if !word.is_empty() {
                out.push((Tok::Word(std::mem::take(&mut word)), start));
            }
            match c {
                '(' => out.push((Tok::Open, i)),
                ')' => out.push((Tok::Close, i)),
                _ => {}
            }
        } else {
            if word.is_empty() {
                start = i;
            }
            word.push(c);
        }
    }
    if !word.is_empty() {
        out.push((Tok::Word(word), start));
    }
    out
}

/// Parses `text` against the search identifiers `names`.
pub fn parse(text: &str, names: &[&str]) -> Result<Cond, CondError> {
    if let Some(i) = text.chars().position(|c| c == '|') {
        return Err(CondError {
            offset: i,
            msg: "aggregations (`| count() …`) are Sigma 1.x; write a correlation rule (correlation: type: event_count …)".into(),
        });
    }
    let toks = tokenize(text);
    let end = text.chars().count();
    let mut p = Parser { toks, pos: 0, names, end, depth: 0 };
    let c = p.or()?;
    match p.toks.get(p.pos) {
        None => Ok(c),
        Some((t, off)) => Err(CondError { offset: *off, msg: format!("unexpected {} after a complete condition", show(t)) }),
    }
}

fn show(t: &Tok) -> String {
    match t {
        Tok::Open => "`(`".into(),
        Tok::Close => "`)`".into(),
        Tok::Word(w) => format!("`{w}`"),
    }
}

struct Parser<'a> {
    toks: Vec<(Tok, usize)>,
    pos: usize,
    names: &'a [&'a str],
    end: usize,
    depth: usize,
}

impl Parser<'_> {
    fn peek_word(&self, w: &str) -> bool {
        matches!(self.toks.get(self.pos), Some((Tok::Word(x), _)) if x.eq_ignore_ascii_case(w))
    }

    fn eat_word(&mut self, w: &str) -> bool {
        let yes = self.peek_word(w);
        if yes {
            self.pos += 1;
        }
        yes
    }

    fn here(&self) -> usize {
        self.toks.get(self.pos).map_or(self.end, |(_, o)| *o)
    }

    fn err<T>(&self, offset: usize, msg: impl Into<String>) -> Result<T, CondError> {
        Err(CondError { offset, msg: msg.into() })
    }

    fn enter(&mut self) -> Result<(), CondError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH { self.err(self.here(), format!("condition nested deeper than {MAX_DEPTH} levels")) } else { Ok(()) }
    }

    fn or(&mut self) -> Result<Cond, CondError> {
        self.enter()?;
        let mut v = vec![self.and()?];
        while self.eat_word("or") {
            v.push(self.and()?);
        }
        self.depth -= 1;
        Ok(if v.len() == 1 { v.remove(0) } else { Cond::Or(v) })
    }

    fn and(&mut self) -> Result<Cond, CondError> {
        let mut v = vec![self.not()?];
        while self.eat_word("and") {
            v.push(self.not()?);
        }
        Ok(if v.len() == 1 { v.remove(0) } else { Cond::And(v) })
    }

    fn not(&mut self) -> Result<Cond, CondError> {
        if self.eat_word("not") {
            self.enter()?;
            let inner = self.not()?;
            self.depth -= 1;
            return Ok(Cond::Not(Box::new(inner)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Cond, CondError> {
        let Some((tok, off)) = self.toks.get(self.pos).cloned() else {
            return self.err(self.end, "condition ends early: expected a search identifier, `not`, `1 of`, `all of` or `(`");
        };
        self.pos += 1;
        let word = match tok {
            Tok::Open => {
                let inner = self.or()?;
                return match self.toks.get(self.pos) {
                    Some((Tok::Close, _)) => {
                        self.pos += 1;
                        Ok(inner)
                    }
                    _ => self.err(self.here(), format!("missing `)` for the `(` at column {}", off + 1)),
                };
            }
            Tok::Close => return self.err(off, "unexpected `)`"),
            Tok::Word(w) => w,
        };
        let lower = word.to_ascii_lowercase();
        if self.peek_word("of") {
            let all = match lower.as_str() {
                "1" => false,
                "all" => true,
                "any" => return self.err(off, "`any of` is not Sigma; write `1 of`"),
                _ if lower.bytes().all(|b| b.is_ascii_digit()) => {
                    return self.err(off, format!("`{word} of` is not Sigma: only `1 of` and `all of` are defined"));
                }
                _ => return self.err(off, format!("`{word} of`: expected `1 of` or `all of`")),
            };
            self.pos += 1;
            return self.quantified(all);
        }
        match lower.as_str() {
            "and" | "or" | "of" | "them" | "not" => self.err(off, format!("unexpected `{word}`: expected a search identifier")),
            _ if word.contains('*') => self.err(off, format!("`{word}` is a pattern: write `1 of {word}` or `all of {word}`")),
            _ => match self.names.iter().position(|n| *n == word) {
                Some(i) => Ok(Cond::Sel(i)),
                None => {
                    let hint = super::did_you_mean(&word, self.names.iter().copied());
                    self.err(off, format!("unknown search identifier `{word}`{hint}"))
                }
            },
        }
    }

    fn quantified(&mut self, all: bool) -> Result<Cond, CondError> {
        let Some((Tok::Word(target), off)) = self.toks.get(self.pos).cloned() else {
            return self.err(self.here(), "expected `them` or a search-identifier pattern after `of`");
        };
        self.pos += 1;
        let sels: Vec<usize> = if target.eq_ignore_ascii_case("them") {
            // By convention identifiers starting with `_` are left out of `them`.
            (0..self.names.len()).filter(|i| !self.names[*i].starts_with('_')).collect()
        } else {
            (0..self.names.len()).filter(|i| wildcard_match(&target, self.names[*i])).collect()
        };
        if sels.is_empty() {
            let hint = super::did_you_mean(&target, self.names.iter().copied());
            return self.err(off, format!("`{target}` matches no search identifier{hint}"));
        }
        Ok(Cond::Of { all, sels })
    }
}

/// `*` matches any run of characters; everything else is literal.
fn wildcard_match(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let (Some(first), Some(last)) = (parts.first(), parts.last()) else { return false };
    if parts.len() == 1 {
        return pattern == name;
    }
    if !name.starts_with(first) || name.len() < first.len() + last.len() || !name.ends_with(last) {
        return false;
    }
    let mut rest = &name[first.len()..name.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAMES: &[&str] = &["selection", "selection_b", "filter_main", "filter_opt", "_hidden", "keywords"];

    fn p(s: &str) -> Result<Cond, CondError> {
        parse(s, NAMES)
    }

    #[test]
    fn precedence_and_grouping() {
        use Cond::*;
        assert_eq!(p("selection or keywords and not filter_main").unwrap(), Or(vec![Sel(0), And(vec![Sel(5), Not(Box::new(Sel(2)))])]));
        assert_eq!(p("(selection OR keywords) AND filter_opt").unwrap(), And(vec![Or(vec![Sel(0), Sel(5)]), Sel(3)]));
        assert_eq!(p("not not selection").unwrap(), Not(Box::new(Not(Box::new(Sel(0))))));
    }

    #[test]
    fn quantifiers() {
        assert_eq!(p("1 of selection*").unwrap(), Cond::Of { all: false, sels: vec![0, 1] });
        assert_eq!(p("all of filter_*").unwrap(), Cond::Of { all: true, sels: vec![2, 3] });
        assert_eq!(p("1 of them").unwrap(), Cond::Of { all: false, sels: vec![0, 1, 2, 3, 5] });
        assert_eq!(p("all of *_b").unwrap(), Cond::Of { all: true, sels: vec![1] });
        assert_eq!(p("1 of sel*_b").unwrap(), Cond::Of { all: false, sels: vec![1] });
    }

    #[test]
    fn errors_are_placed_and_helpful() {
        let e = p("selection and not filtre_main").unwrap_err();
        assert_eq!(e.offset, 18);
        assert!(e.msg.contains("did you mean `filter_main`"), "{}", e.msg);
        assert!(p("any of selection*").unwrap_err().msg.contains("1 of"));
        assert!(p("2 of selection*").unwrap_err().msg.contains("only `1 of`"));
        assert!(p("1 of nothing*").unwrap_err().msg.contains("matches no"));
        assert!(p("selection | count() > 5").unwrap_err().msg.contains("correlation"));
        assert!(p("(selection").unwrap_err().msg.contains("missing `)`"));
        assert!(p("selection)").unwrap_err().msg.contains("unexpected `)`"));
        assert!(p("selection and").unwrap_err().msg.contains("ends early"));
        assert!(p("selection*").unwrap_err().msg.contains("pattern"));
        assert!(p("selection keywords").unwrap_err().msg.contains("unexpected `keywords`"));
        assert!(p(&"(".repeat(200)).unwrap_err().msg.contains("nested"));
        assert!(p(&"not ".repeat(200)).unwrap_err().msg.contains("nested"));
    }
}
