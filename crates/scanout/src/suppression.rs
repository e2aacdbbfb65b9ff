//! Inline suppressions: `fnwarden-ignore` in a comment accepts findings on that line, and on the
//! next line when the comment stands alone.
//!
//! Lines are read one at a time, without the language's grammar: a small lexer skips quoted
//! strings (`"`, `'`, `` ` ``, with backslash escapes) and finds the first comment opener
//! outside them. The limits that follow are documented in docs/scan-output.md.

const MARKER: &str = "fnwarden-ignore";

/// An accepted finding's comment: which rules it silences and why.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Suppression {
    /// Rule ids as written, lower-cased; empty means every rule.
    pub rules: Vec<String>,
    /// The text after `--`, when given.
    pub reason: Option<String>,
}

impl Suppression {
    pub fn covers(&self, rule_id: &str) -> bool {
        self.rules.is_empty() || self.rules.iter().any(|r| r.eq_ignore_ascii_case(rule_id))
    }
}

/// The suppression comment on one line, if it has one. `fnwarden-ignore` alone covers every
/// rule; `fnwarden-ignore: fnw-scan-x, fnw-scan-y -- reason` covers those rules. Comments may
/// be `#`, `//`, `/* */`, `<!-- -->`, `--` or `;`, or a `*` continuation line of a block
/// comment; a marker inside a string literal is not a comment.
pub fn suppression(line_text: &str) -> Option<Suppression> {
    find(line_text).map(|(s, _)| s)
}

/// The suppression that applies to 1-based `line` of `source`: a comment on that line, or a
/// comment standing alone on the line just above.
pub fn suppression_at(source: &str, line: u32) -> Option<Suppression> {
    let index = usize::try_from(line).ok()?.checked_sub(1)?;
    let mut lines = source.lines().skip(index.saturating_sub(1));
    let above = if index > 0 { lines.next() } else { None };
    let own = lines.next()?;
    if let Some((s, _)) = find(own) {
        return Some(s);
    }
    above.and_then(find).filter(|(_, alone)| *alone).map(|(s, _)| s)
}

/// The suppression and whether its comment is all the line holds.
fn find(line: &str) -> Option<(Suppression, bool)> {
    if !line.to_ascii_lowercase().contains(MARKER) {
        return None;
    }
    match scan(line, b"\"'`") {
        Scan::Found(s, alone) => Some((s, alone)),
        // An apostrophe in prose (`it's  # fnwarden-ignore`) opened a string that never
        // closed: read the line again with `'` as an ordinary character.
        Scan::UnclosedQuote(b'\'') => match scan(line, b"\"`") {
            Scan::Found(s, alone) => Some((s, alone)),
            _ => None,
        },
        _ => None,
    }
}

enum Scan {
    Found(Suppression, bool),
    UnclosedQuote(u8),
    Nothing,
}

/// Comment openers, and the closer of those that end on the line.
const OPENERS: [(&str, Option<&str>); 6] =
    [("<!--", Some("-->")), ("/*", Some("*/")), ("//", None), ("--", None), ("#", None), (";", None)];

/// Whether `opener` starts a comment after the byte `prev`. Those that are also code (`a#b` in
/// a YAML value, `i--`, `a();`) need whitespace or the line's start before them, as YAML and
/// shell have it; `//` after `:` is a URL (`https://…`), not a comment.
fn opens_after(opener: &str, prev: Option<u8>) -> bool {
    match opener {
        "#" | "--" | ";" => prev.is_none_or(|b| b.is_ascii_whitespace()),
        "//" => prev != Some(b':'),
        _ => true,
    }
}

fn scan(line: &str, quotes: &[u8]) -> Scan {
    let bytes = line.as_bytes();
    let mut quote: Option<u8> = None;
    let mut code_before = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if let Some(q) = quote {
            match b {
                b'\\' => i += 2,
                _ if b == q => {
                    quote = None;
                    i += 1
                }
                _ => i += 1,
            }
            continue;
        }
        if quotes.contains(&b) {
            quote = Some(b);
            code_before = true;
            i += 1;
            continue;
        }
        let rest = &line[i..];
        let prev = i.checked_sub(1).map(|p| bytes[p]);
        let opener = OPENERS.iter().find(|(open, _)| rest.starts_with(open) && opens_after(open, prev));
        // `* fnwarden-ignore` inside a multi-line `/* … */` or `/** … */` block.
        let continuation = !code_before && b == b'*' && !rest.starts_with("*/");
        if opener.is_some() || continuation {
            let (open_len, close) = opener.map_or((1, None), |(open, close)| (open.len(), *close));
            let start = i + open_len;
            let (end, next) = match close.and_then(|c| line[start..].find(c).map(|k| (start + k, start + k + c.len()))) {
                Some(span) => span,
                None => (bytes.len(), bytes.len()),
            };
            if let Some(s) = parse_body(&line[start..end]) {
                let alone = !code_before && line[next..].trim().is_empty();
                return Scan::Found(s, alone);
            }
            i = next;
            continue;
        }
        if !b.is_ascii_whitespace() {
            code_before = true;
        }
        // Every opener and quote is ASCII, so stepping by bytes stays on char boundaries
        // where it matters; slicing happens only at ASCII positions.
        i += 1;
        while i < bytes.len() && !line.is_char_boundary(i) {
            i += 1;
        }
    }
    match quote {
        Some(q) => Scan::UnclosedQuote(q),
        None => Scan::Nothing,
    }
}

/// The marker as a word of a comment's text, and what follows it.
fn parse_body(body: &str) -> Option<Suppression> {
    let lower = body.to_ascii_lowercase();
    let mut from = 0;
    while let Some(k) = lower[from..].find(MARKER).map(|k| from + k) {
        from = k + MARKER.len();
        let before_ok = lower[..k].chars().next_back().is_none_or(|c| c.is_whitespace() || "#/*!;(".contains(c));
        let after_ok = lower[from..].chars().next().is_none_or(|c| c.is_whitespace() || c == ':' || c == ',');
        if before_ok && after_ok {
            return Some(parse_arguments(&body[from..]));
        }
    }
    None
}

/// `: fnw-scan-x, fnw-scan-y -- reason`. The id list ends at `--` or at the first word that
/// cannot be an id; a misspelt id stays in the list and matches nothing, so a typo shows a
/// finding rather than hiding every other one.
fn parse_arguments(text: &str) -> Suppression {
    let text = text.trim_start();
    let text = text.strip_prefix(':').unwrap_or(text);
    let (ids, reason) = match text.find("--") {
        Some(k) => (&text[..k], Some(text[k + 2..].trim())),
        None => (text, None),
    };
    let rules = ids
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .take_while(|w| w.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')))
        .map(|w| w.to_ascii_lowercase())
        .collect();
    Suppression { rules, reason: reason.filter(|r| !r.is_empty()).map(str::to_owned) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all() -> Suppression {
        Suppression::default()
    }

    fn only(ids: &[&str], reason: Option<&str>) -> Suppression {
        Suppression { rules: ids.iter().map(|s| s.to_string()).collect(), reason: reason.map(str::to_owned) }
    }

    #[test]
    fn every_comment_style_carries_it() {
        let cases = [
            ("os.system(cmd)  # fnwarden-ignore", all()),
            ("eval(code); // fnwarden-ignore: fnw-scan-taint-eval", only(&["fnw-scan-taint-eval"], None)),
            (
                "const k = load(); /* fnwarden-ignore: fnw-scan-secret-generic -- test key */",
                only(&["fnw-scan-secret-generic"], Some("test key")),
            ),
            (
                "<!-- fnwarden-ignore -- rendered by the CDN, not the function -->",
                Suppression { rules: vec![], reason: Some("rendered by the CDN, not the function".into()) },
            ),
            ("SELECT * FROM t WHERE id = :id -- fnwarden-ignore: fnw-scan-taint-sql", only(&["fnw-scan-taint-sql"], None)),
            ("password = hunter2 ; fnwarden-ignore", all()),
            ("   * fnwarden-ignore: fnw-scan-hijack-runtime-api", only(&["fnw-scan-hijack-runtime-api"], None)),
            (
                "Timeout: 900  # fnwarden-ignore: fnw-scan-dow-timeout, fnw-scan-dow-memory -- batch job",
                only(&["fnw-scan-dow-timeout", "fnw-scan-dow-memory"], Some("batch job")),
            ),
            ("x = 1  ## FNWARDEN-IGNORE:FNW-SCAN-X,fnw-scan-y", only(&["fnw-scan-x", "fnw-scan-y"], None)),
            ("/// fnwarden-ignore", all()),
            ("call() /* first */ /* fnwarden-ignore */ more()", all()),
            ("title: it's fine  # fnwarden-ignore", all()),
        ];
        for (line, want) in cases {
            assert_eq!(suppression(line), Some(want), "{line:?}");
        }
    }

    #[test]
    fn strings_prose_and_lookalikes_do_not() {
        for line in [
            "os.system(cmd)",
            r##"print("# fnwarden-ignore")"##,
            "log('// fnwarden-ignore: fnw-scan-taint-eval')",
            "msg = `/* fnwarden-ignore */`",
            r##"s = "escaped \" # fnwarden-ignore""##,
            "fnwarden_ignore = True",
            "x = 1  # fnwarden-ignored",
            "x = 1  # fnwarden-ignore-next-line",
            "x = 1  # my-fnwarden-ignore",
            "url: http://host/a#fnwarden-ignore",
            "i--fnwarden-ignore",
            r#"a(); b("x fnwarden-ignore")"#,
            "fnwarden-ignore",
            "",
        ] {
            assert_eq!(suppression(line), None, "{line:?}");
        }
    }

    #[test]
    fn a_misspelt_or_unfinished_list_silences_nothing_else() {
        let typo = suppression("run(x)  # fnwarden-ignore: fnw-scan-taint-comand").unwrap();
        assert!(!typo.covers("fnw-scan-taint-command"));
        let prose = suppression("run(x)  # fnwarden-ignore because legacy").unwrap();
        assert!(!prose.covers("fnw-scan-taint-command"), "{prose:?}");
        let stop = suppression("run(x)  # fnwarden-ignore: fnw-scan-a (see #12)").unwrap();
        assert_eq!(stop.rules, vec!["fnw-scan-a"]);
    }

    #[test]
    fn covers_listed_rules_or_all() {
        assert!(all().covers("fnw-scan-anything"));
        let s = only(&["fnw-scan-a", "fnw-scan-b"], None);
        assert!(s.covers("fnw-scan-b") && s.covers("FNW-SCAN-A"));
        assert!(!s.covers("fnw-scan-c"));
    }

    #[test]
    fn applies_to_its_line_and_below_a_standalone_comment() {
        let src = "def handler(event, context):\n    # fnwarden-ignore: fnw-scan-taint-command -- fixed input\n    os.system(event['cmd'])\n    os.system(x)  # fnwarden-ignore\n    os.system(y)\n";
        let standalone = suppression_at(src, 3).unwrap();
        assert_eq!(standalone, only(&["fnw-scan-taint-command"], Some("fixed input")));
        assert!(suppression_at(src, 2).is_some(), "its own line too");
        assert_eq!(suppression_at(src, 4), Some(all()));
        assert_eq!(suppression_at(src, 5), None, "a trailing comment does not reach the next line");
        assert_eq!(suppression_at(src, 1), None);
        assert_eq!(suppression_at(src, 0), None);
        assert_eq!(suppression_at(src, 99), None);
        assert_eq!(suppression_at("# fnwarden-ignore\n", 1), Some(all()));
    }

    #[test]
    fn no_mix_of_its_syntax_makes_it_panic() {
        const TOKENS: [&str; 19] =
            ["#", "//", "/*", "*/", "<!--", "-->", "--", ";", "*", "'", "\"", "`", "\\", "fnwarden-ignore", ":", " ", "é", "x", ","];
        let mut found = 0;
        for a in TOKENS {
            for b in TOKENS {
                for c in TOKENS {
                    for d in TOKENS {
                        let line = [a, b, c, d].concat();
                        if let Some(s) = suppression(&line) {
                            found += 1;
                            assert!(s.rules.iter().all(|r| !r.is_empty()), "{line:?}");
                        }
                        let _ = suppression_at(&format!("{line}\n{line}"), 2);
                    }
                }
            }
        }
        assert!(found > 0);
    }

    #[test]
    fn hostile_lines_end_quickly() {
        let long = format!("{}# fnwarden-ignore", "\"\\".repeat(100_000));
        assert_eq!(suppression(&long), None);
        let many = "/* */".repeat(50_000) + " // fnwarden-ignore";
        assert_eq!(suppression(&many), Some(all()));
        assert_eq!(suppression("é\u{301}ü # fnwarden-ignore"), Some(all()));
        assert_eq!(suppression("/* fnwarden-ignore"), Some(all()), "unclosed block runs to the end of the line");
    }
}
