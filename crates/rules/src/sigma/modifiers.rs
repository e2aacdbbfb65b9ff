//! Sigma value modifiers (`Field|contains|all`) and the string values they transform: wildcards,
//! encodings and dash variants.

use base64::Engine as _;

use crate::{Cmp, TimePart};

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Modifier {
    Contains,
    StartsWith,
    EndsWith,
    All,
    Base64,
    Base64Offset,
    Utf16Le,
    Utf16Be,
    Utf16,
    Windash,
    Re,
    /// `re` sub-modifiers: case-insensitive, multi-line, dot matches newline.
    ReI,
    ReM,
    ReS,
    Cidr,
    Exists,
    Expand,
    FieldRef,
    Cmp(Cmp),
    Time(TimePart),
    Cased,
    Neq,
}

const NAMES: &[(&str, Modifier)] = &[
    ("contains", Modifier::Contains),
    ("startswith", Modifier::StartsWith),
    ("endswith", Modifier::EndsWith),
    ("all", Modifier::All),
    ("base64", Modifier::Base64),
    ("base64offset", Modifier::Base64Offset),
    ("wide", Modifier::Utf16Le),
    ("utf16le", Modifier::Utf16Le),
    ("utf16be", Modifier::Utf16Be),
    ("utf16", Modifier::Utf16),
    ("windash", Modifier::Windash),
    ("re", Modifier::Re),
    ("i", Modifier::ReI),
    ("m", Modifier::ReM),
    ("s", Modifier::ReS),
    ("cidr", Modifier::Cidr),
    ("exists", Modifier::Exists),
    ("expand", Modifier::Expand),
    ("fieldref", Modifier::FieldRef),
    ("gt", Modifier::Cmp(Cmp::Gt)),
    ("gte", Modifier::Cmp(Cmp::Ge)),
    ("lt", Modifier::Cmp(Cmp::Lt)),
    ("lte", Modifier::Cmp(Cmp::Le)),
    ("minute", Modifier::Time(TimePart::Minute)),
    ("hour", Modifier::Time(TimePart::Hour)),
    ("day", Modifier::Time(TimePart::Day)),
    ("week", Modifier::Time(TimePart::Week)),
    ("month", Modifier::Time(TimePart::Month)),
    ("year", Modifier::Time(TimePart::Year)),
    ("cased", Modifier::Cased),
    ("neq", Modifier::Neq),
];

impl Modifier {
    pub fn parse(s: &str) -> Result<Modifier, String> {
        NAMES.iter().find(|(n, _)| *n == s).map(|(_, m)| *m).ok_or_else(|| {
            let hint = super::did_you_mean(s, NAMES.iter().map(|(n, _)| *n).filter(|n| n.len() > 1));
            format!("unknown modifier `{s}`{hint}")
        })
    }

    pub fn name(self) -> &'static str {
        NAMES.iter().find(|(_, m)| *m == self).map_or("?", |(n, _)| n)
    }
}

/// What the values of a field are compared as.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    /// Strings with wildcards (the default), possibly transformed.
    Str,
    Regex {
        i: bool,
        m: bool,
        s: bool,
    },
    Cidr,
    Exists,
    FieldRef,
    Cmp(Cmp),
    Time(TimePart, Cmp),
}

/// A checked modifier chain.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    pub kind: Kind,
    /// Values are ANDed instead of ORed.
    pub all: bool,
    /// The field must differ from the values.
    pub neq: bool,
    pub cased: bool,
    /// String transformations, in the order written.
    pub transforms: Vec<Modifier>,
}

impl Default for Plan {
    /// A plain value: string equality, wildcards allowed.
    fn default() -> Self {
        Plan { kind: Kind::Str, all: false, neq: false, cased: false, transforms: Vec::new() }
    }
}

impl Plan {
    /// Checks that the modifiers make sense together.
    pub fn new(mods: &[Modifier]) -> Result<Plan, String> {
        use Modifier as M;
        let mut plan = Plan::default();
        let mut kind_by: Option<Modifier> = None;
        for (i, m) in mods.iter().enumerate() {
            if mods[..i].contains(m) {
                return Err(format!("modifier `{}` is repeated", m.name()));
            }
            match m {
                M::All => plan.all = true,
                M::Neq => plan.neq = true,
                M::Cased => plan.cased = true,
                M::Contains
                | M::StartsWith
                | M::EndsWith
                | M::Base64
                | M::Base64Offset
                | M::Utf16Le
                | M::Utf16Be
                | M::Utf16
                | M::Windash
                | M::Expand => plan.transforms.push(*m),
                M::Re => set_kind(&mut plan, &mut kind_by, *m, Kind::Regex { i: false, m: false, s: false })?,
                M::ReI | M::ReM | M::ReS => match &mut plan.kind {
                    Kind::Regex { i, m: ml, s } => match m {
                        M::ReI => *i = true,
                        M::ReM => *ml = true,
                        _ => *s = true,
                    },
                    _ => return Err(format!("`{}` is a sub-modifier of `re` and must follow it", m.name())),
                },
                M::Cidr => set_kind(&mut plan, &mut kind_by, *m, Kind::Cidr)?,
                M::Exists => set_kind(&mut plan, &mut kind_by, *m, Kind::Exists)?,
                M::FieldRef => set_kind(&mut plan, &mut kind_by, *m, Kind::FieldRef)?,
                M::Cmp(c) => set_kind(&mut plan, &mut kind_by, *m, Kind::Cmp(*c))?,
                M::Time(p) => match plan.kind {
                    // `|gte|hour` reads as well as `|hour|gte`.
                    Kind::Cmp(c) if kind_by.is_some_and(|k| matches!(k, M::Cmp(_))) => {
                        plan.kind = Kind::Time(*p, c);
                        kind_by = Some(*m);
                    }
                    _ => set_kind(&mut plan, &mut kind_by, *m, Kind::Time(*p, Cmp::Eq))?,
                },
            }
        }
        if plan.kind != Kind::Str
            && let Some(t) = plan.transforms.iter().find(|t| **t != M::Expand)
        {
            let k = kind_by.map_or("?", |k| k.name());
            return Err(format!("modifier `{}` transforms strings and cannot be combined with `{k}`", t.name()));
        }
        if plan.cased && !matches!(plan.kind, Kind::Str | Kind::FieldRef) {
            let k = kind_by.map_or("?", |k| k.name());
            return Err(format!(
                "`cased` has no meaning with `{k}`{}",
                if k == "re" { " (regular expressions are cased unless `|i`)" } else { "" }
            ));
        }
        if plan.kind == Kind::Exists && (plan.all || plan.neq) {
            return Err("`exists` takes a single true/false and cannot be combined with `all` or `neq`".into());
        }
        Ok(plan)
    }

    /// Whether the chain places the value (contains/startswith/endswith).
    pub fn positioned(&self) -> bool {
        self.transforms.iter().any(|t| matches!(t, Modifier::Contains | Modifier::StartsWith | Modifier::EndsWith))
    }
}

/// Sets the comparison kind; only a time part and a comparison go together (`|hour|gte`).
fn set_kind(plan: &mut Plan, kind_by: &mut Option<Modifier>, m: Modifier, k: Kind) -> Result<(), String> {
    match (*kind_by, plan.kind, k) {
        (None, _, _) => {}
        (Some(Modifier::Time(_)), Kind::Time(p, Cmp::Eq), Kind::Cmp(c)) => {
            plan.kind = Kind::Time(p, c);
            return Ok(());
        }
        (Some(prev), _, _) => return Err(format!("modifiers `{}` and `{}` cannot be combined", prev.name(), m.name())),
    }
    *kind_by = Some(m);
    plan.kind = k;
    Ok(())
}

/// A piece of a Sigma string: literal bytes or a wildcard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    Lit(Vec<u8>),
    /// `*`
    Star,
    /// `?`
    One,
}

/// A Sigma string value.
pub type Pattern = Vec<Piece>;

/// Reads wildcards and escapes: `\*`, `\?` and `\\` are literal; any other backslash is itself.
pub fn parse_wild(s: &str) -> Pattern {
    let mut out = Vec::new();
    let mut lit = Vec::new();
    let mut chars = s.chars().peekable();
    let mut buf = [0u8; 4];
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.peek() {
                Some(&n @ ('*' | '?' | '\\')) => {
                    chars.next();
                    lit.extend_from_slice(n.encode_utf8(&mut buf).as_bytes());
                }
                _ => lit.push(b'\\'),
            },
            '*' | '?' => {
                if !lit.is_empty() {
                    out.push(Piece::Lit(std::mem::take(&mut lit)));
                }
                let w = if c == '*' { Piece::Star } else { Piece::One };
                // `**` is one `*`.
                if !(w == Piece::Star && out.last() == Some(&Piece::Star)) {
                    out.push(w);
                }
            }
            c => lit.extend_from_slice(c.encode_utf8(&mut buf).as_bytes()),
        }
    }
    if !lit.is_empty() {
        out.push(Piece::Lit(lit));
    }
    out
}

/// `%name%` placeholders are resolved by a configuration fnwarden does not have; a value without
/// one just loses its `\%` escapes.
pub fn expand(s: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' if chars.peek().map(|(_, n)| *n) == Some('%') => {
                chars.next();
                out.push('%');
            }
            '%' => {
                let rest = s.get(i + 1..).unwrap_or("");
                if let Some(end) = rest.find('%')
                    && end > 0
                    && rest[..end].chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-')
                {
                    return Err(format!(
                        "placeholder %{}% needs a value list from a processing configuration, which fnwarden does not have; \
                         replace it with the values",
                        &rest[..end]
                    ));
                }
                out.push('%');
            }
            c => out.push(c),
        }
    }
    Ok(out)
}

fn has_wildcards(p: &Pattern) -> bool {
    p.iter().any(|x| !matches!(x, Piece::Lit(_)))
}

fn literal(p: &Pattern) -> Vec<u8> {
    p.iter()
        .flat_map(|x| match x {
            Piece::Lit(b) => b.as_slice(),
            _ => &[],
        })
        .copied()
        .collect()
}

/// Applies one transformation to every value; some make several values of one.
pub fn transform(m: Modifier, values: Vec<Pattern>) -> Result<Vec<Pattern>, String> {
    let mut out = Vec::with_capacity(values.len());
    for mut v in values {
        match m {
            Modifier::Contains => {
                if v.first() != Some(&Piece::Star) {
                    v.insert(0, Piece::Star);
                }
                if v.last() != Some(&Piece::Star) {
                    v.push(Piece::Star);
                }
                out.push(v);
            }
            Modifier::StartsWith => {
                if v.last() != Some(&Piece::Star) {
                    v.push(Piece::Star);
                }
                out.push(v);
            }
            Modifier::EndsWith => {
                if v.first() != Some(&Piece::Star) {
                    v.insert(0, Piece::Star);
                }
                out.push(v);
            }
            Modifier::Base64 | Modifier::Base64Offset => {
                if has_wildcards(&v) {
                    return Err(format!("`{}` cannot encode wildcards; escape them (\\*, \\?) or place contains after it", m.name()));
                }
                let bytes = literal(&v);
                if m == Modifier::Base64 {
                    out.push(vec![Piece::Lit(base64::engine::general_purpose::STANDARD.encode(&bytes).into_bytes())]);
                } else {
                    let variants = base64_offsets(&bytes);
                    if variants.is_empty() {
                        return Err("`base64offset` needs a longer value".into());
                    }
                    out.extend(variants.into_iter().map(|s| vec![Piece::Lit(s.into_bytes())]));
                }
            }
            Modifier::Utf16Le | Modifier::Utf16Be | Modifier::Utf16 => {
                let mut first = true;
                let mut enc = Vec::with_capacity(v.len());
                for piece in v {
                    match piece {
                        Piece::Lit(b) => {
                            let s = String::from_utf8(b).map_err(|_| format!("`{}` needs text, not encoded bytes", m.name()))?;
                            let mut bytes = Vec::new();
                            if first && m == Modifier::Utf16 {
                                bytes.extend_from_slice(&[0xFF, 0xFE]);
                            }
                            for u in s.encode_utf16() {
                                let pair = if m == Modifier::Utf16Be { u.to_be_bytes() } else { u.to_le_bytes() };
                                bytes.extend_from_slice(&pair);
                            }
                            enc.push(Piece::Lit(bytes));
                        }
                        w => enc.push(w),
                    }
                    first = false;
                }
                out.push(enc);
            }
            Modifier::Windash => out.extend(windash(v)?),
            // Handled before wildcards are read.
            _ => out.push(v),
        }
    }
    Ok(out)
}

/// The three base64 encodings of `value` at offsets 0, 1 and 2 of a longer string, without the
/// characters that depend on the neighbouring bytes.
fn base64_offsets(value: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    for shift in 0..3usize {
        let mut buf = vec![b' '; shift];
        buf.extend_from_slice(value);
        let enc = base64::engine::general_purpose::STANDARD.encode(&buf);
        let start = [0, 2, 3][shift];
        let trim = [0, 3, 2][(value.len() + shift) % 3];
        let end = enc.len().saturating_sub(trim);
        if let Some(s) = enc.get(start..end).filter(|s| !s.is_empty())
            && !out.iter().any(|o: &String| o == s)
        {
            out.push(s.to_owned());
        }
    }
    out
}

const DASHES: [char; 5] = ['-', '/', '\u{2013}', '\u{2014}', '\u{2015}'];
const MAX_VARIANTS: usize = 4096;

/// Every spelling of the command-line flags in `v` with each dash character.
fn windash(v: Pattern) -> Result<Vec<Pattern>, String> {
    let mut variants: Vec<Pattern> = vec![Vec::new()];
    for piece in v {
        let Piece::Lit(bytes) = piece else {
            variants.iter_mut().for_each(|x| x.push(piece.clone()));
            continue;
        };
        let s = String::from_utf8(bytes).map_err(|_| "`windash` needs text, not encoded bytes".to_owned())?;
        let chars: Vec<char> = s.chars().collect();
        // A flag dash starts a word: nothing word-like before it, a word character after.
        let word = |c: &char| c.is_alphanumeric() || *c == '_';
        let mut texts = vec![String::new()];
        for (i, c) in chars.iter().enumerate() {
            let flag = DASHES.contains(c) && (i == 0 || !word(&chars[i - 1])) && chars.get(i + 1).is_some_and(word);
            if flag {
                if texts.len() * DASHES.len() > MAX_VARIANTS {
                    return Err(format!("`windash` would make more than {MAX_VARIANTS} variants"));
                }
                texts = texts.iter().flat_map(|t| DASHES.iter().map(move |d| format!("{t}{d}"))).collect();
            } else {
                texts.iter_mut().for_each(|t| t.push(*c));
            }
        }
        if variants.len() * texts.len() > MAX_VARIANTS {
            return Err(format!("`windash` would make more than {MAX_VARIANTS} variants"));
        }
        variants = variants
            .iter()
            .flat_map(|x| texts.iter().map(move |t| [x.clone(), vec![Piece::Lit(t.clone().into_bytes())]].concat()))
            .collect();
    }
    Ok(variants)
}

/// A pattern's pieces with literal bytes as text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TextPiece {
    Lit(String),
    Star,
    One,
}

pub fn to_text(p: Pattern) -> Result<Vec<TextPiece>, String> {
    let mut out: Vec<TextPiece> = Vec::with_capacity(p.len());
    for piece in p {
        match piece {
            Piece::Lit(b) => {
                let s =
                    String::from_utf8(b).map_err(|_| "the encoded value is not valid text; encode it further with base64".to_owned())?;
                match out.last_mut() {
                    Some(TextPiece::Lit(prev)) => prev.push_str(&s),
                    _ => out.push(TextPiece::Lit(s)),
                }
            }
            Piece::Star if out.last() == Some(&TextPiece::Star) => {}
            Piece::Star => out.push(TextPiece::Star),
            Piece::One => out.push(TextPiece::One),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(s: &str) -> Piece {
        Piece::Lit(s.as_bytes().to_vec())
    }

    fn texts(v: Vec<Pattern>) -> Vec<String> {
        v.into_iter().map(|p| String::from_utf8(literal(&p)).unwrap()).collect()
    }

    #[test]
    fn wildcards_and_escapes() {
        assert_eq!(parse_wild("a*b?c"), vec![lit("a"), Piece::Star, lit("b"), Piece::One, lit("c")]);
        assert_eq!(parse_wild(r"a\*b"), vec![lit("a*b")]);
        assert_eq!(parse_wild(r"C:\Windows\\*"), vec![lit(r"C:\Windows\"), Piece::Star]);
        assert_eq!(parse_wild(r"x\\\*"), vec![lit(r"x\*")]);
        assert_eq!(parse_wild(r"\\\\"), vec![lit(r"\\")]);
        assert_eq!(parse_wild("a**"), vec![lit("a"), Piece::Star]);
    }

    #[test]
    fn plans_reject_nonsense() {
        let p = |s: &[&str]| Plan::new(&s.iter().map(|m| Modifier::parse(m).unwrap()).collect::<Vec<_>>());
        assert_eq!(p(&["re", "i", "s"]).unwrap().kind, Kind::Regex { i: true, m: false, s: true });
        assert_eq!(p(&["hour", "gte"]).unwrap().kind, Kind::Time(TimePart::Hour, Cmp::Ge));
        assert_eq!(p(&["gte", "hour"]).unwrap().kind, Kind::Time(TimePart::Hour, Cmp::Ge));
        assert!(p(&["i"]).unwrap_err().contains("sub-modifier"));
        assert!(p(&["re", "cidr"]).unwrap_err().contains("cannot be combined"));
        assert!(p(&["contains", "re"]).unwrap_err().contains("contains"));
        assert!(p(&["re", "cased"]).is_err());
        assert!(p(&["contains", "contains"]).unwrap_err().contains("repeated"));
        assert!(p(&["exists", "all"]).is_err());
        assert!(Modifier::parse("contain").unwrap_err().contains("did you mean `contains`"));
    }

    #[test]
    fn encodings() {
        let b = transform(Modifier::Base64, vec![vec![lit("cmd")]]).unwrap();
        assert_eq!(texts(b), ["Y21k"]);
        let w = transform(Modifier::Utf16Le, vec![vec![lit("cmd")]]).unwrap();
        assert_eq!(literal(&w[0]), b"c\0m\0d\0");
        let w = transform(Modifier::Utf16Be, vec![vec![lit("cmd")]]).unwrap();
        assert_eq!(literal(&w[0]), b"\0c\0m\0d");
        let w = transform(Modifier::Utf16, vec![vec![lit("cmd")]]).unwrap();
        assert_eq!(literal(&w[0]), b"\xFF\xFEc\0m\0d\0");
        assert!(transform(Modifier::Base64, vec![parse_wild("a*")]).is_err());
        // Each variant is found in the base64 of the value embedded at that offset.
        let offs = texts(transform(Modifier::Base64Offset, vec![vec![lit("/bin/sh -i")]]).unwrap());
        assert_eq!(offs.len(), 3);
        for pre in ["", "x", "xy"] {
            let whole = base64::engine::general_purpose::STANDARD.encode(format!("{pre}/bin/sh -i tail"));
            assert!(offs.iter().any(|o| whole.contains(o.as_str())), "{pre:?}: {offs:?} in {whole}");
        }
    }

    #[test]
    fn windash_spells_every_dash() {
        let v = texts(transform(Modifier::Windash, vec![vec![lit("-ep bypass -nop")]]).unwrap());
        assert_eq!(v.len(), 25);
        assert!(v.contains(&"/ep bypass \u{2013}nop".to_owned()));
        // A dash inside a word is not a flag.
        let v = texts(transform(Modifier::Windash, vec![vec![lit("foo-bar")]]).unwrap());
        assert_eq!(v, ["foo-bar"]);
    }

    #[test]
    fn placeholders_are_refused() {
        assert!(expand("%Servers%").unwrap_err().contains("%Servers%"));
        assert_eq!(expand(r"\%plain%").unwrap(), "%plain%");
        assert_eq!(expand("100%").unwrap(), "100%");
    }
}
