//! Sigma rules: `detection:` selections and their values → [`Expr`].

use std::net::IpAddr;

use fnwarden_event::{FieldId, FieldRef, FieldType};

use crate::yaml::{Node, NodeKind};
use crate::{Action, Expr, Op, Rule, StrOp};

use super::condition::{self, Cond};
use super::logsource::LogSource;
use super::modifiers::{self, Kind, Modifier, Plan, TextPiece};
use super::taxonomy::{self, Target};
use super::{Ctx, meta, rule_tests};

/// Compiles one rule document; errors go to `ctx` and leave the rule out.
pub fn compile_rule(doc: &Node, ctx: &mut Ctx) -> Option<Rule> {
    let before = ctx.errors.len();
    let meta = meta::parse(doc, ctx);
    let ls = match doc.get("logsource") {
        Some(n) => LogSource::parse(n).map_err(|f| ctx.fail(f)).ok(),
        None => {
            ctx.err(doc, "a Sigma rule needs a `logsource`");
            None
        }
    };
    if let Some(t) = doc.get("taxonomy")
        && !matches!(t.as_str(), Some("sigma" | "fnwarden"))
    {
        ctx.err(t, "only the default `sigma` taxonomy (plus fnwarden field names) is supported; convert the rule's field names");
    }
    let det = doc.get("detection")?;
    let cond = ls.as_ref().and_then(|ls| compile_detection(det, ls, &[], ctx));
    let tests = rule_tests::for_rule(doc, ctx);
    let (meta, ls, cond) = (meta?, ls?, cond?);
    if ctx.errors.len() > before {
        return None;
    }
    let condition = match ls.base {
        Some(base) => simplify(Expr::And(vec![base, cond])),
        None => cond,
    };
    Some(Rule { meta, condition, kinds: ls.kinds, output: None, action: Action::Alert, tests })
}

/// Compiles the selections of a `detection:` (or filter) map and its condition. Keys in `skip`
/// are not selections.
pub fn compile_detection(det: &Node, ls: &LogSource, skip: &[&str], ctx: &mut Ctx) -> Option<Expr> {
    let Some(map) = det.as_map() else {
        ctx.err(det, "`detection` must be a mapping of search identifiers and a `condition`");
        return None;
    };
    let mut c = Compiler { ls, ctx, never: Vec::new() };
    let mut names: Vec<&str> = Vec::new();
    let mut exprs: Vec<Option<Expr>> = Vec::new();
    let mut cond_node = None;
    for (k, v) in map {
        let Some(name) = k.as_str() else {
            c.ctx.err(k, "a search identifier must be a string");
            continue;
        };
        match name {
            "condition" => cond_node = Some(v),
            "timeframe" => c.ctx.err(k, "`timeframe` belongs to Sigma 1.x aggregations; write a correlation rule instead"),
            _ if skip.contains(&name) => {}
            _ => {
                names.push(name);
                let e = c.selection(name, k, v);
                exprs.push(e);
            }
        }
    }
    let Some(cond_node) = cond_node else {
        c.ctx.err(det, "`detection` has no `condition`");
        return None;
    };
    let conds: Vec<&Node> = match &cond_node.kind {
        NodeKind::Seq(items) => items.iter().collect(),
        _ => vec![cond_node],
    };
    let mut alternatives = Vec::new();
    for n in conds {
        let Some(text) = n.as_str() else {
            c.ctx.err(n, "`condition` must be a string (or a list of strings)");
            return None;
        };
        match condition::parse(text, &names) {
            Ok(cond) => alternatives.push(cond),
            Err(e) => {
                let (line, col) = place(n, e.offset);
                c.ctx.at(line, col, format!("condition: {}", e.msg));
                return None;
            }
        }
    }
    if alternatives.is_empty() {
        c.ctx.err(cond_node, "`condition` is empty");
        return None;
    }
    let exprs: Vec<Expr> = exprs.into_iter().collect::<Option<_>>()?;
    let expr = simplify(Expr::or(alternatives.iter().map(|a| build(a, &exprs)).collect()));
    match expr {
        Expr::Const(false) => {
            let why = if c.never.is_empty() { String::new() } else { format!(": {}", c.never.join("; ")) };
            c.ctx.err(cond_node, format!("the condition can never hold on fnwarden's events{why}"));
            None
        }
        Expr::Const(true) => {
            c.ctx.err(cond_node, "the condition holds for every event once mapped to fnwarden's events; it would alert on everything");
            None
        }
        e => Some(e),
    }
}

/// The line and column of a character offset into a scalar (exact for one-line scalars).
fn place(n: &Node, offset: usize) -> (usize, usize) {
    match &n.kind {
        NodeKind::Scalar { text, quoted } if !text.contains('\n') => (n.line, n.col + offset + usize::from(*quoted)),
        _ => (n.line, n.col),
    }
}

fn build(c: &Cond, sels: &[Expr]) -> Expr {
    let pick = |i: &usize| sels.get(*i).cloned().unwrap_or(Expr::Const(false));
    match c {
        Cond::Sel(i) => pick(i),
        Cond::And(v) => Expr::and(v.iter().map(|x| build(x, sels)).collect()),
        Cond::Or(v) => Expr::or(v.iter().map(|x| build(x, sels)).collect()),
        Cond::Not(x) => Expr::not(build(x, sels)),
        Cond::Of { all: true, sels: v } => Expr::and(v.iter().map(pick).collect()),
        Cond::Of { all: false, sels: v } => Expr::or(v.iter().map(pick).collect()),
    }
}

/// Folds constants and flattens nested `and`/`or`.
pub fn simplify(e: Expr) -> Expr {
    match e {
        Expr::And(v) => fold(v, true),
        Expr::Or(v) => fold(v, false),
        Expr::Not(x) => Expr::not(simplify(*x)),
        x => x,
    }
}

/// Simplifies the children of an `and` (`and: true`) or an `or`: the neutral constant drops out,
/// the absorbing one decides, and nested nodes of the same kind merge.
fn fold(v: Vec<Expr>, and: bool) -> Expr {
    let mut out = Vec::with_capacity(v.len());
    for c in v {
        match simplify(c) {
            Expr::Const(b) if b == and => {}
            Expr::Const(b) => return Expr::Const(b),
            Expr::And(inner) if and => out.extend(inner),
            Expr::Or(inner) if !and => out.extend(inner),
            x => out.push(x),
        }
    }
    match (out.is_empty(), and) {
        (true, _) => Expr::Const(and),
        (false, true) => Expr::and(out),
        (false, false) => Expr::or(out),
    }
}

struct Compiler<'c, 'a> {
    ls: &'c LogSource,
    ctx: &'c mut Ctx<'a>,
    /// Why parts of the rule can never hold (record types fnwarden does not have …).
    never: Vec<String>,
}

impl Compiler<'_, '_> {
    fn selection(&mut self, name: &str, key: &Node, v: &Node) -> Option<Expr> {
        match &v.kind {
            NodeKind::Map(entries) => self.map(entries),
            NodeKind::Seq(items) if items.is_empty() => {
                self.ctx.err(v, format!("selection `{name}` is an empty list"));
                None
            }
            NodeKind::Seq(items) => {
                let mut alts = Vec::new();
                let mut ok = true;
                for item in items {
                    let e = match &item.kind {
                        NodeKind::Map(entries) => self.map(entries),
                        NodeKind::Scalar { .. } => self.keyword(item, &Plan::default(), item),
                        _ => {
                            self.ctx.err(item, "a selection list holds keywords (strings) or maps of fields");
                            None
                        }
                    };
                    match e {
                        Some(e) => alts.push(e),
                        None => ok = false,
                    }
                }
                ok.then(|| Expr::or(alts))
            }
            NodeKind::Scalar { .. } => self.keyword(v, &Plan::default(), v),
            NodeKind::Null => {
                self.ctx.err(key, format!("selection `{name}` is empty"));
                None
            }
        }
    }

    fn map(&mut self, entries: &[(Node, Node)]) -> Option<Expr> {
        if entries.is_empty() {
            return Some(Expr::Const(true));
        }
        let mut all = Vec::with_capacity(entries.len());
        let mut ok = true;
        for (k, v) in entries {
            match self.field(k, v) {
                Some(e) => all.push(e),
                None => ok = false,
            }
        }
        ok.then(|| Expr::and(all))
    }

    /// One `Field|modifiers: value(s)` entry.
    fn field(&mut self, key: &Node, value: &Node) -> Option<Expr> {
        let Some(text) = key.as_str() else {
            self.ctx.err(key, "a field name must be a string");
            return None;
        };
        let mut parts = text.split('|');
        let name = parts.next().unwrap_or("").trim();
        let mods: Result<Vec<Modifier>, String> = parts.map(|m| Modifier::parse(m.trim())).collect();
        let plan = self.ctx.check(key, mods.and_then(|m| Plan::new(&m)).map_err(|e| format!("`{text}`: {e}")))?;
        let values: Vec<&Node> = match &value.kind {
            NodeKind::Null => {
                if plan != Plan::default() {
                    self.ctx.err(value, format!("`{text}`: a null value takes no modifiers (it means the field is absent)"));
                    return None;
                }
                return self.null(name, key);
            }
            NodeKind::Scalar { .. } => vec![value],
            NodeKind::Seq(items) if items.is_empty() => {
                self.ctx.err(value, format!("`{text}`: empty list of values"));
                return None;
            }
            NodeKind::Seq(items) => {
                if let Some(n) = items.iter().find(|i| i.is_null()) {
                    self.ctx.err(n, "null cannot be part of a list of values; put `field: null` in a selection of its own");
                    return None;
                }
                if let Some(n) = items.iter().find(|i| i.as_str().is_none()) {
                    self.ctx.err(n, "a list of values holds strings or numbers only");
                    return None;
                }
                items.iter().collect()
            }
            NodeKind::Map(_) => {
                self.ctx.err(value, format!("`{text}`: a value must be a string, a number or a list of them"));
                return None;
            }
        };
        if name.is_empty() {
            let mut ok = true;
            let mut out = Vec::new();
            for v in values {
                match self.keyword(v, &plan, key) {
                    Some(e) => out.push(e),
                    None => ok = false,
                }
            }
            return ok.then(|| combine(&plan, out));
        }
        let target = self.ctx.check(key, taxonomy::resolve(name, self.ls))?;
        let mut ok = true;
        let mut out = Vec::new();
        for v in values {
            match self.target_value(&target, name, &plan, v, key) {
                Some(e) => out.push(e),
                None => ok = false,
            }
        }
        ok.then(|| combine(&plan, out))
    }

    /// `Field: null`: the field is absent.
    fn null(&mut self, name: &str, key: &Node) -> Option<Expr> {
        match taxonomy::resolve(name, self.ls) {
            Ok(Target::Field(f)) => Some(Expr::not(Expr::pred(f, Op::Exists))),
            Ok(Target::Alt(alts)) => Some(Expr::and(alts.into_iter().map(|(_, f)| Expr::not(Expr::pred(f, Op::Exists))).collect())),
            Ok(Target::Special(_)) => {
                self.ctx.err(key, format!("`{name}` names an event type and is never absent"));
                None
            }
            Err(e) => {
                self.ctx.err(key, e);
                None
            }
        }
    }

    /// A keyword: searched in the event's text (`evt.text`), anywhere unless placed.
    fn keyword(&mut self, v: &Node, plan: &Plan, key: &Node) -> Option<Expr> {
        let mut plan = plan.clone();
        if plan.kind == Kind::Str && !plan.positioned() {
            plan.transforms.push(Modifier::Contains);
        }
        self.value(&FieldRef::plain(FieldId::EvtText), &plan, v, key)
    }

    fn target_value(&mut self, target: &Target, name: &str, plan: &Plan, v: &Node, key: &Node) -> Option<Expr> {
        match target {
            Target::Field(f) => self.value(f, plan, v, key),
            Target::Alt(alts) => {
                let mut out = Vec::with_capacity(alts.len());
                for (guard, f) in alts {
                    out.push(Expr::and(vec![guard.clone(), self.value(f, plan, v, key)?]));
                }
                Some(Expr::or(out))
            }
            Target::Special(s) => {
                if *plan != Plan::default() && *plan != Plan::new(&[Modifier::All]).ok()? {
                    self.ctx.err(key, format!("`{name}` names event types and takes exact values only, without modifiers"));
                    return None;
                }
                let text = v.as_str().unwrap_or("");
                let sv = self.ctx.check(v, s.value(text))?;
                if let Some(why) = sv.never {
                    self.never.push(why);
                }
                Some(sv.expr)
            }
        }
    }

    /// One value of one field.
    fn value(&mut self, f: &FieldRef, plan: &Plan, v: &Node, key: &Node) -> Option<Expr> {
        let text = v.as_str().unwrap_or("");
        let op = match plan.kind {
            Kind::Str => return self.strings(f, plan, v, key),
            Kind::Regex { i, m, s } => Op::regex(text, i, m, s),
            Kind::Cidr => parse_net(text).map(|net| Op::Ip { net }),
            Kind::Exists => match text.to_ascii_lowercase().as_str() {
                "true" => Ok(Op::Exists),
                "false" => return Some(Expr::not(self.pred(f, Op::Exists, key)?)),
                _ => Err(format!("`exists` takes true or false, not {text:?}")),
            },
            Kind::FieldRef => match taxonomy::resolve(text, self.ls) {
                Ok(Target::Field(other)) => Ok(Op::FieldEq { other, cased: plan.cased }),
                Ok(_) => Err(format!("`{text}` names event types, not a value to compare with")),
                Err(e) => Err(e),
            },
            Kind::Cmp(cmp) => parse_num(text).map(|value| Op::Num { cmp, value }),
            Kind::Time(part, cmp) => text
                .trim()
                .parse::<i64>()
                .map(|value| Op::TimePart { part, cmp, value })
                .map_err(|_| format!("a time part compares with an integer, not {text:?}")),
        };
        let op = self.ctx.check(v, op)?;
        let e = self.pred(f, op, key)?;
        Some(if plan.neq { negate(f, e) } else { e })
    }

    /// String values: wildcards, transformations, then the field's type decides the operator.
    fn strings(&mut self, f: &FieldRef, plan: &Plan, v: &Node, key: &Node) -> Option<Expr> {
        let raw = v.as_str().unwrap_or("");
        let text = if plan.transforms.contains(&Modifier::Expand) { self.ctx.check(v, modifiers::expand(raw))? } else { raw.to_owned() };
        let ty = f.ty();
        if text.is_empty() && plan.transforms.iter().all(|t| *t == Modifier::Expand) {
            // `Field: ''`: empty, which for fnwarden is the same as absent.
            let absent = Expr::not(Expr::pred(f.clone(), Op::Exists));
            let e = if matches!(ty, FieldType::Str | FieldType::StrList | FieldType::Json) {
                Expr::or(vec![absent, self.pred(f, Op::Str { op: StrOp::Eq, value: String::new(), cased: true }, key)?])
            } else {
                absent
            };
            return Some(if plan.neq { Expr::not(e) } else { e });
        }
        let mut pats = vec![modifiers::parse_wild(&text)];
        for t in &plan.transforms {
            pats = self.ctx.check(key, modifiers::transform(*t, pats))?;
        }
        let mut variants = Vec::with_capacity(pats.len());
        for p in pats {
            let op = modifiers::to_text(p).and_then(|pieces| string_op(pieces, plan.cased, ty, f));
            let op = self.ctx.check(v, op)?;
            let e = self.pred(f, op, key)?;
            variants.push(if plan.neq { negate(f, e) } else { e });
        }
        // Variants of one value (encodings, dashes) are alternatives.
        Some(if plan.neq { Expr::and(variants) } else { Expr::or(variants) })
    }

    /// A predicate, checked against the field's type.
    fn pred(&mut self, f: &FieldRef, op: Op, key: &Node) -> Option<Expr> {
        let ty = f.ty();
        if !op.fits(ty) {
            let what = match &op {
                Op::Str { .. } | Op::Glob(_) => "a string comparison",
                Op::Regex(_) => "a regular expression",
                Op::Num { .. } => "a numeric comparison",
                Op::Ip { .. } => "a network (cidr) test",
                Op::Bool(_) => "a true/false test",
                Op::TimePart { .. } => "a time-part comparison",
                _ => "this test",
            };
            let name = key.as_str().unwrap_or("");
            self.ctx.err(key, format!("`{name}` maps to {f}, a {} field; {what} does not apply to it", ty.name()));
            return None;
        }
        Some(Expr::pred(f.clone(), op))
    }
}

/// `neq`: the field is present and differs.
fn negate(f: &FieldRef, e: Expr) -> Expr {
    Expr::and(vec![Expr::pred(f.clone(), Op::Exists), Expr::not(e)])
}

/// Values of one field: any of them, or all with `|all`; `neq` wants the field to differ from
/// every value.
fn combine(plan: &Plan, v: Vec<Expr>) -> Expr {
    if plan.all || plan.neq { Expr::and(v) } else { Expr::or(v) }
}

fn parse_num(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let n = match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(hex) => i64::from_str_radix(hex, 16).map(|n| n as f64).ok(),
        None => t.parse::<f64>().ok().filter(|x| x.is_finite()),
    };
    n.ok_or_else(|| format!("expected a number, not {text:?}"))
}

fn parse_net(text: &str) -> Result<ipnet::IpNet, String> {
    let t = text.trim();
    t.parse::<ipnet::IpNet>()
        .or_else(|_| t.parse::<IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| format!("expected a network like 10.0.0.0/8 or an address, not {text:?}"))
}

/// The operator for a (wildcarded) string value against a field of type `ty`.
fn string_op(pieces: Vec<TextPiece>, cased: bool, ty: FieldType, f: &FieldRef) -> Result<Op, String> {
    let single = match pieces.as_slice() {
        [] => Some(""),
        [TextPiece::Lit(s)] => Some(s.as_str()),
        _ => None,
    };
    match ty {
        FieldType::Int | FieldType::Float => {
            let s = single.ok_or_else(|| format!("{f} is a number field; wildcards and contains/startswith/endswith do not apply"))?;
            parse_num(s).map(|value| Op::Num { cmp: crate::Cmp::Eq, value }).map_err(|e| format!("{f} is a number field: {e}"))
        }
        FieldType::Bool => match single.map(str::to_ascii_lowercase).as_deref() {
            Some("true") => Ok(Op::Bool(true)),
            Some("false") => Ok(Op::Bool(false)),
            _ => Err(format!("{f} is a true/false field")),
        },
        FieldType::Ip => {
            if let Some(s) = single {
                return parse_net(s).map(|net| Op::Ip { net }).map_err(|e| format!("{f} is an IP field: {e}"));
            }
            // `10.1.*` is the network 10.1.0.0/16.
            if let [TextPiece::Lit(prefix), TextPiece::Star] = pieces.as_slice()
                && let Some(net) = octet_prefix(prefix)
            {
                return Ok(Op::Ip { net });
            }
            Err(format!("{f} is an IP field: use an address, `|cidr`, or a whole-octet prefix like 10.1.*"))
        }
        FieldType::Str | FieldType::StrList | FieldType::Json => Ok(match pieces.as_slice() {
            [] => Op::Str { op: StrOp::Eq, value: String::new(), cased },
            [TextPiece::Lit(s)] => Op::Str { op: StrOp::Eq, value: s.clone(), cased },
            [TextPiece::Star] => Op::Exists,
            [TextPiece::Star, TextPiece::Lit(s)] => Op::Str { op: StrOp::EndsWith, value: s.clone(), cased },
            [TextPiece::Lit(s), TextPiece::Star] => Op::Str { op: StrOp::StartsWith, value: s.clone(), cased },
            [TextPiece::Star, TextPiece::Lit(s), TextPiece::Star] => Op::Str { op: StrOp::Contains, value: s.clone(), cased },
            _ => Op::glob(&glob_text(&pieces), cased)?,
        }),
    }
}

fn octet_prefix(prefix: &str) -> Option<ipnet::IpNet> {
    let p = prefix.strip_suffix('.')?;
    let octets: Vec<u8> = p.split('.').map(|o| o.parse().ok()).collect::<Option<_>>()?;
    if octets.is_empty() || octets.len() > 3 {
        return None;
    }
    let mut full = [0u8; 4];
    full[..octets.len()].copy_from_slice(&octets);
    ipnet::Ipv4Net::new(full.into(), (octets.len() * 8) as u8).ok().map(ipnet::IpNet::V4)
}

/// The glob syntax of [`Op::glob`], with literal glob characters escaped.
fn glob_text(pieces: &[TextPiece]) -> String {
    let mut s = String::new();
    for p in pieces {
        match p {
            TextPiece::Star => s.push('*'),
            TextPiece::One => s.push('?'),
            TextPiece::Lit(l) => {
                for c in l.chars() {
                    if matches!(c, '*' | '?' | '[' | ']' | '\\') {
                        s.push('\\');
                    }
                    s.push(c);
                }
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ops(v: &str, ty: FieldType) -> Result<Op, String> {
        let f = FieldRef::plain(FieldId::ProcExepath);
        string_op(modifiers::to_text(modifiers::parse_wild(v)).unwrap(), false, ty, &f)
    }

    #[test]
    fn wildcards_become_string_ops_when_they_can() {
        let s = |op, v: &str| Op::Str { op, value: v.into(), cased: false };
        assert_eq!(ops("/bin/sh", FieldType::Str).unwrap(), s(StrOp::Eq, "/bin/sh"));
        assert_eq!(ops("*/sh", FieldType::Str).unwrap(), s(StrOp::EndsWith, "/sh"));
        assert_eq!(ops("/tmp/*", FieldType::Str).unwrap(), s(StrOp::StartsWith, "/tmp/"));
        assert_eq!(ops("*dev/tcp*", FieldType::Str).unwrap(), s(StrOp::Contains, "dev/tcp"));
        assert_eq!(ops(r"*\**", FieldType::Str).unwrap(), s(StrOp::Contains, "*"));
        assert!(matches!(ops("/home/*/.bashrc", FieldType::Str).unwrap(), Op::Glob(_)));
        assert!(matches!(ops("prog?.exe", FieldType::Str).unwrap(), Op::Glob(_)));
        assert_eq!(ops("*", FieldType::Str).unwrap(), Op::Exists);
    }

    #[test]
    fn field_types_pick_the_operator() {
        assert_eq!(ops("4444", FieldType::Int).unwrap(), Op::Num { cmp: crate::Cmp::Eq, value: 4444.0 });
        assert_eq!(ops("0x10", FieldType::Int).unwrap(), Op::Num { cmp: crate::Cmp::Eq, value: 16.0 });
        assert!(ops("44*", FieldType::Int).is_err());
        assert_eq!(ops("TRUE", FieldType::Bool).unwrap(), Op::Bool(true));
        assert_eq!(ops("10.1.*", FieldType::Ip).unwrap(), Op::Ip { net: "10.1.0.0/16".parse().unwrap() });
        assert_eq!(ops("::1", FieldType::Ip).unwrap(), Op::Ip { net: "::1/128".parse().unwrap() });
        assert!(ops("10.1*", FieldType::Ip).is_err());
    }

    #[test]
    fn constants_fold() {
        let p = Expr::pred(FieldRef::plain(FieldId::ProcName), Op::Exists);
        assert_eq!(simplify(Expr::Or(vec![Expr::Const(false), Expr::And(vec![Expr::Const(true), p.clone()])])), p);
        assert_eq!(simplify(Expr::And(vec![p.clone(), Expr::Not(Box::new(Expr::Const(true)))])), Expr::Const(false));
    }
}
