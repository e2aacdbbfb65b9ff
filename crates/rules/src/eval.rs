//! Reference semantics of every operator. The engine's compiled matcher must agree with this
//! (a property test checks it); dialect tests and the naive baseline use it directly.

use std::net::IpAddr;

use fnwarden_event::{Event, Timestamp, Val};

use crate::{Expr, Op, Pred, StrOp, TimePart};

impl Expr {
    pub fn matches(&self, ev: &Event) -> bool {
        match self {
            Expr::Const(b) => *b,
            Expr::And(v) => v.iter().all(|e| e.matches(ev)),
            Expr::Or(v) => v.iter().any(|e| e.matches(ev)),
            Expr::Not(e) => !e.matches(ev),
            Expr::Pred(p) => p.matches(ev),
        }
    }
}

/// ASCII case-insensitive string test; `cased` keeps case.
pub fn str_test(op: StrOp, hay: &str, needle: &str, cased: bool) -> bool {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    let eq = |a: &[u8], b: &[u8]| if cased { a == b } else { a.eq_ignore_ascii_case(b) };
    match op {
        StrOp::Eq => eq(h, n),
        StrOp::StartsWith => h.len() >= n.len() && eq(&h[..n.len()], n),
        StrOp::EndsWith => h.len() >= n.len() && eq(&h[h.len() - n.len()..], n),
        StrOp::Contains => {
            if n.is_empty() {
                return true;
            }
            if cased {
                return hay.contains(needle);
            }
            // Jump between occurrences of the needle's first byte, either case, then compare.
            let (lo, up) = (n[0].to_ascii_lowercase(), n[0].to_ascii_uppercase());
            let last = match h.len().checked_sub(n.len()) {
                Some(l) => l,
                None => return false,
            };
            let mut i = 0;
            while i <= last {
                match h[i..=last].iter().position(|&c| c == lo || c == up) {
                    None => return false,
                    Some(p) => i += p,
                }
                if h[i..i + n.len()].eq_ignore_ascii_case(n) {
                    return true;
                }
                i += 1;
            }
            false
        }
    }
}

fn path_prefix(value: &str, prefix: &str) -> bool {
    let p = prefix.trim_end_matches('/');
    if p.is_empty() {
        return value.starts_with('/');
    }
    value == p || (value.starts_with(p) && value.as_bytes().get(p.len()) == Some(&b'/'))
}

fn as_ip(v: &Val<'_>) -> Option<IpAddr> {
    match v {
        Val::Ip(ip) => Some(*ip),
        Val::Str(s) => s.parse().ok(),
        Val::Json(serde_json::Value::String(s)) => s.parse().ok(),
        _ => None,
    }
}

fn as_timestamp(v: &Val<'_>) -> Option<Timestamp> {
    match v {
        Val::Int(n) => Some(Timestamp(*n)),
        Val::Str(s) => Timestamp::parse(s).ok(),
        Val::Json(serde_json::Value::String(s)) => Timestamp::parse(s).ok(),
        _ => None,
    }
}

fn time_part(t: Timestamp, part: TimePart) -> i64 {
    let dt = t.to_datetime();
    match part {
        TimePart::Minute => dt.minute().into(),
        TimePart::Hour => dt.hour().into(),
        TimePart::Day => dt.day().into(),
        TimePart::Week => dt.iso_week().into(),
        TimePart::Month => u8::from(dt.month()).into(),
        TimePart::Year => dt.year().into(),
    }
}

/// Calls `f` on the value's text: strings as they are; numbers, booleans and IPs rendered.
fn any_text(v: &Val<'_>, f: &mut dyn FnMut(&str) -> bool) -> bool {
    match v {
        Val::Int(_) | Val::Float(_) | Val::Bool(_) | Val::Ip(_) => f(&v.render()),
        _ => v.for_each_str(f),
    }
}

impl Pred {
    pub fn matches(&self, ev: &Event) -> bool {
        let Some(v) = ev.get(&self.field) else { return false };
        self.op.test(&v, ev)
    }
}

impl Op {
    /// Tests one present value. `ev` is needed only by field references.
    pub fn test(&self, v: &Val<'_>, ev: &Event) -> bool {
        match self {
            Op::Exists => match v {
                Val::Str(s) => !s.is_empty(),
                Val::Strs(l) => !l.is_empty(),
                Val::Ancestors(a, _) => !a.is_empty(),
                Val::Json(j) => !j.is_null(),
                _ => true,
            },
            Op::Str { op, value, cased } => any_text(v, &mut |s| str_test(*op, s, value, *cased)),
            Op::Glob(p) | Op::Regex(p) => any_text(v, &mut |s| p.is_match(s)),
            Op::Num { cmp, value } => match v {
                Val::JsonMany(vs) => vs.iter().any(|j| Val::Json(j).as_f64().is_some_and(|x| cmp.test(x, *value))),
                _ => v.as_f64().is_some_and(|x| cmp.test(x, *value)),
            },
            Op::Ip { net } => as_ip(v).is_some_and(|ip| net.contains(&ip)),
            Op::Bool(b) => match v {
                Val::Bool(x) => x == b,
                Val::Json(serde_json::Value::Bool(x)) => x == b,
                Val::Str(s) => s.eq_ignore_ascii_case(if *b { "true" } else { "false" }),
                Val::Json(serde_json::Value::String(s)) => s.eq_ignore_ascii_case(if *b { "true" } else { "false" }),
                _ => false,
            },
            Op::PathPrefix(prefixes) => v.for_each_str(&mut |s| prefixes.iter().any(|p| path_prefix(s, p))),
            Op::FieldEq { other, cased } => match ev.get(other) {
                Some(o) => {
                    let other = o.render();
                    any_text(v, &mut |s| str_test(StrOp::Eq, s, &other, *cased))
                }
                None => false,
            },
            Op::TimePart { part, cmp, value } => as_timestamp(v).is_some_and(|t| cmp.test(time_part(t, *part) as f64, *value as f64)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Cmp;
    use fnwarden_event::{EventKind, FieldRef, FileAction, Process};

    fn ev() -> Event {
        let mut e = Event::new(EventKind::Open, Timestamp::parse("2026-11-22T10:30:00Z").unwrap());
        e.process = Some(Process {
            pid: 4,
            exe: "/usr/bin/Python3".into(),
            args: vec!["python3".into(), "-c".into(), "x".into()],
            ..Default::default()
        });
        e.file = Some(FileAction { path: "/proc/self/environ".into(), ..Default::default() });
        e.normalize();
        e
    }

    fn p(field: &str, op: Op) -> Expr {
        Expr::pred(FieldRef::parse(field).unwrap(), op)
    }

    fn s(op: StrOp, v: &str, cased: bool) -> Op {
        Op::Str { op, value: v.into(), cased }
    }

    #[test]
    fn string_ops_and_case() {
        let e = ev();
        assert!(p("proc.exepath", s(StrOp::EndsWith, "/python3", false)).matches(&e));
        assert!(!p("proc.exepath", s(StrOp::EndsWith, "/python3", true)).matches(&e));
        assert!(p("fd.name", s(StrOp::Contains, "self/env", true)).matches(&e));
        assert!(p("fd.name", s(StrOp::StartsWith, "/proc/", true)).matches(&e));
        assert!(!p("fd.name", s(StrOp::Eq, "/proc/self", true)).matches(&e));
        assert!(p("proc.argv", s(StrOp::Eq, "-c", true)).matches(&e));
        // Missing field: false, and true under Not.
        assert!(!p("fd.sip", Op::Exists).matches(&e));
        assert!(Expr::not(p("net.dns.query", s(StrOp::Eq, "x", true))).matches(&e));
    }

    #[test]
    fn globs_regexes_and_paths() {
        let e = ev();
        assert!(p("fd.name", Op::glob("/proc/*/environ", true).unwrap()).matches(&e));
        assert!(!p("fd.name", Op::glob("/proc/?/environ", true).unwrap()).matches(&e));
        assert!(p("fd.name", Op::glob("/proc/[sx]elf/environ", true).unwrap()).matches(&e));
        assert!(p("fd.name", Op::regex("^/proc/[^/]+/environ$", false, false, false).unwrap()).matches(&e));
        assert!(Op::regex("(", false, false, false).is_err());
        assert!(p("fd.name", Op::PathPrefix(vec!["/proc".into()])).matches(&e));
        assert!(!p("fd.name", Op::PathPrefix(vec!["/pro".into()])).matches(&e));
    }

    #[test]
    fn numbers_ips_time() {
        let e = ev();
        assert!(p("proc.pid", Op::Num { cmp: Cmp::Lt, value: 5.0 }).matches(&e));
        assert!(!p("proc.pid", Op::Num { cmp: Cmp::Gt, value: 5.0 }).matches(&e));
        assert!(p("evt.time", Op::TimePart { part: TimePart::Hour, cmp: Cmp::Eq, value: 10 }).matches(&e));
        let mut c = Event::new(EventKind::Connect, Timestamp(0));
        c.net = Some(fnwarden_event::NetAction {
            remote: Some(fnwarden_event::Endpoint { ip: "169.254.169.254".parse().unwrap(), port: 80 }),
            ..Default::default()
        });
        c.normalize();
        assert!(p("fd.sip", Op::Ip { net: "169.254.0.0/16".parse().unwrap() }).matches(&c));
        assert!(!p("fd.sip", Op::Ip { net: "10.0.0.0/8".parse().unwrap() }).matches(&c));
    }

    proptest::proptest! {
        /// The first-byte skipping search agrees with lowercasing both sides.
        #[test]
        fn insensitive_contains_agrees_with_lowercasing(hay in "[aAbB/ä.-]{0,24}", needle in "[aAbB/ä.-]{1,4}") {
            let want = hay.to_ascii_lowercase().contains(&needle.to_ascii_lowercase());
            proptest::prop_assert_eq!(str_test(StrOp::Contains, &hay, &needle, false), want);
            proptest::prop_assert_eq!(str_test(StrOp::Contains, &hay, &needle, true), hay.contains(&needle));
        }
    }
}
