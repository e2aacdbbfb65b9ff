//! Literals that must occur in a value for a glob or regular expression to match it. They join
//! the Aho-Corasick pass, so that pattern rules are guarded like literal ones and a pattern is
//! only run when one of its literals was seen.

use fnwarden_rules::{Op, Pattern};
use regex_syntax::hir::literal::{ExtractKind, Extractor};

/// Shorter literals would hold on too many values to filter anything.
const MIN_LEN: usize = 3;

/// Substrings one of which every match contains, and whether they compare with case.
pub fn necessary_literals(op: &Op) -> Option<(Vec<String>, bool)> {
    match op {
        Op::Glob(p) => glob_literal(&p.source).map(|l| (vec![l], !p.insensitive)),
        Op::Regex(p) => regex_literals(p),
        _ => None,
    }
}

/// The longest run of plain characters in a glob.
fn glob_literal(glob: &str) -> Option<String> {
    let mut best = String::new();
    let mut cur = String::new();
    let mut chars = glob.chars();
    let end_run = |cur: &mut String, best: &mut String| {
        if cur.len() > best.len() {
            *best = std::mem::take(cur);
        }
        cur.clear();
    };
    while let Some(c) = chars.next() {
        match c {
            '*' | '?' => end_run(&mut cur, &mut best),
            '[' => {
                end_run(&mut cur, &mut best);
                for n in chars.by_ref() {
                    if n == ']' {
                        break;
                    }
                }
            }
            '\\' => cur.push(chars.next().unwrap_or('\\')),
            c => cur.push(c),
        }
    }
    end_run(&mut cur, &mut best);
    (best.len() >= MIN_LEN).then_some(best)
}

/// Prefixes (or else suffixes) of every match, when the set is small and each long enough.
fn regex_literals(p: &Pattern) -> Option<(Vec<String>, bool)> {
    let hir = regex_syntax::ParserBuilder::new().case_insensitive(p.insensitive).build().parse(&p.regex).ok()?;
    for kind in [ExtractKind::Prefix, ExtractKind::Suffix] {
        let mut ex = Extractor::new();
        ex.kind(kind).limit_total(64);
        let seq = ex.extract(&hir);
        let Some(lits) = seq.literals() else { continue };
        let mut out: Vec<String> = Vec::new();
        let mut ok = !lits.is_empty();
        for l in lits {
            match std::str::from_utf8(l.as_bytes()) {
                Ok(s) if s.len() >= MIN_LEN => {
                    // Case variants fold into one case-insensitive literal.
                    let s = if p.insensitive { s.to_ascii_lowercase() } else { s.to_owned() };
                    if !out.contains(&s) {
                        out.push(s);
                    }
                }
                _ => ok = false,
            }
        }
        if ok {
            return Some((out, !p.insensitive));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_yield_their_longest_plain_run() {
        assert_eq!(glob_literal("/proc/*/environ"), Some("/environ".into()));
        assert_eq!(glob_literal("*a*b*"), None);
        assert_eq!(glob_literal(r"*\*lit[ab]erals*"), Some("erals".into()));
    }

    #[test]
    fn regexes_yield_prefixes_or_suffixes() {
        let Op::Regex(p) = Op::regex("(curl|wget) .*", false, false, false).unwrap() else { panic!() };
        assert_eq!(regex_literals(&p), Some((vec!["curl ".into(), "wget ".into()], true)));
        let Op::Regex(p) = Op::regex(".*\\.onion", true, false, false).unwrap() else { panic!() };
        assert_eq!(regex_literals(&p), Some((vec![".onion".into()], false)));
        let Op::Regex(p) = Op::regex("[a-z]+[0-9]", false, false, false).unwrap() else { panic!() };
        assert_eq!(regex_literals(&p), None);
    }
}
