//! Literal tests that must hold for a glob, regular expression, path-prefix or IP predicate to
//! hold. They join the prefilter, so that such rules are guarded like literal ones and the
//! predicate itself only runs when one of its hints held.

use fnwarden_rules::{Op, Pattern, StrOp};
use regex_syntax::hir::literal::{ExtractKind, Extractor};

/// Shorter literals would hold on too many values to filter anything.
const MIN_LEN: usize = 3;

/// Literal tests one of which holds whenever `op` does, and whether they compare with case.
pub fn necessary_literals(op: &Op) -> Option<(Vec<(StrOp, String)>, bool)> {
    let contains = |v: Vec<String>| v.into_iter().map(|l| (StrOp::Contains, l)).collect();
    match op {
        Op::Glob(p) => glob_literal(&p.source).map(|l| (contains(vec![l]), !p.insensitive)),
        Op::Regex(p) => regex_literals(p).map(|(l, cased)| (contains(l), cased)),
        Op::PathPrefix(dirs) => Some((dirs.iter().flat_map(|d| path_literals(d)).collect(), true)),
        Op::Ip { net } => ip_literal(net).map(|l| (vec![l], true)),
        _ => None,
    }
}

/// `pmatch` holds for the directory itself or anything below it.
fn path_literals(dir: &str) -> Vec<(StrOp, String)> {
    let d = dir.trim_end_matches('/');
    if d.is_empty() {
        return vec![(StrOp::StartsWith, "/".to_owned())];
    }
    vec![(StrOp::Eq, d.to_owned()), (StrOp::StartsWith, format!("{d}/"))]
}

/// An address, or an IPv4 network on an octet boundary, as the text every member starts with.
fn ip_literal(net: &ipnet::IpNet) -> Option<(StrOp, String)> {
    match net {
        ipnet::IpNet::V4(n) => {
            let octets = n.network().octets();
            match n.prefix_len() {
                32 => Some((StrOp::Eq, n.addr().to_string())),
                p @ (8 | 16 | 24) => {
                    let kept: Vec<String> = octets[..usize::from(p / 8)].iter().map(u8::to_string).collect();
                    Some((StrOp::StartsWith, format!("{}.", kept.join("."))))
                }
                _ => None,
            }
        }
        ipnet::IpNet::V6(n) if n.prefix_len() == 128 => Some((StrOp::Eq, n.addr().to_string())),
        ipnet::IpNet::V6(_) => None,
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
    fn paths_and_networks_yield_prefixes() {
        let net = |s: &str| Op::Ip { net: s.parse().unwrap() };
        assert_eq!(necessary_literals(&net("169.254.169.254/32")), Some((vec![(StrOp::Eq, "169.254.169.254".into())], true)));
        assert_eq!(necessary_literals(&net("10.0.0.0/8")), Some((vec![(StrOp::StartsWith, "10.".into())], true)));
        assert_eq!(necessary_literals(&net("172.16.0.0/12")), None);
        assert_eq!(necessary_literals(&net("::1/128")), Some((vec![(StrOp::Eq, "::1".into())], true)));
        let p = Op::PathPrefix(vec!["/tmp/".into(), "/".into()]);
        assert_eq!(
            necessary_literals(&p),
            Some((vec![(StrOp::Eq, "/tmp".into()), (StrOp::StartsWith, "/tmp/".into()), (StrOp::StartsWith, "/".into())], true))
        );
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
