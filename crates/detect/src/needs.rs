//! What the loaded rules need a sensor to deliver. A kernel sensor uses it to drop events no
//! rule can match before they cross into userspace.

use fnwarden_event::{EventKind, FieldRef};
use fnwarden_rules::{Cmp, Op, StrOp};

use crate::compile::{CExpr, PredTable};
use crate::engine::Engine;

/// A test one of a rule's events must pass.
#[derive(Clone, Debug, PartialEq)]
pub enum Bound {
    /// A string test on a field; `cased: false` folds ASCII case.
    Str { field: FieldRef, op: StrOp, value: String, cased: bool },
    /// A numeric field equals this value.
    Num { field: FieldRef, value: f64 },
    /// The field is present.
    Exists { field: FieldRef },
}

/// The rules that can match one kind of event, and what bounds them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KindNeed {
    /// Every rule that can match the kind (ids).
    pub rules: Vec<String>,
    /// Tests on the asked-for fields, one of which holds on every event some rule can match.
    pub bounds: Vec<Bound>,
    /// Rules that no such test bounds: with any of them, every event of the kind is needed.
    pub unbounded: Vec<String>,
}

impl KindNeed {
    pub fn is_bounded(&self) -> bool {
        self.unbounded.is_empty()
    }
}

impl Engine {
    /// What the rules need of events of `kind`, bounded by tests on `fields` only; `None` when
    /// no rule can match the kind. Where a rule offers several bounds (conjuncts), one that
    /// `usable` accepts throughout is preferred: the sensor can apply it.
    pub fn needs(&self, kind: EventKind, fields: &[FieldRef], usable: &dyn Fn(&Bound) -> bool) -> Option<KindNeed> {
        let mut need = KindNeed::default();
        for (rule, expr) in self.kind_rules(kind) {
            let id = rule.meta.id.clone();
            if !need.rules.contains(&id) {
                need.rules.push(id.clone());
            }
            match bound(expr, self.pred_table(), fields, usable) {
                Some(b) => {
                    for x in b {
                        if !need.bounds.contains(&x) {
                            need.bounds.push(x);
                        }
                    }
                }
                None => {
                    if !need.unbounded.contains(&id) {
                        need.unbounded.push(id);
                    }
                }
            }
        }
        (!need.rules.is_empty()).then_some(need)
    }
}

/// Tests on `fields`, one of which holds whenever `e` does; `None` when there are none.
fn bound(e: &CExpr, table: &PredTable, fields: &[FieldRef], usable: &dyn Fn(&Bound) -> bool) -> Option<Vec<Bound>> {
    match e {
        CExpr::Const(false) => Some(Vec::new()),
        CExpr::Const(true) | CExpr::Not(_) => None,
        CExpr::Pred(p) => {
            let pred = &table.preds[*p as usize];
            if !fields.contains(&pred.field) {
                return None;
            }
            match &pred.op {
                Op::Str { op, value, cased } if !value.is_empty() => {
                    Some(vec![Bound::Str { field: pred.field.clone(), op: *op, value: value.clone(), cased: *cased }])
                }
                Op::Num { cmp: Cmp::Eq, value } => Some(vec![Bound::Num { field: pred.field.clone(), value: *value }]),
                Op::Exists => Some(vec![Bound::Exists { field: pred.field.clone() }]),
                // A glob's literal head (or tail) must hold: `/proc/*/environ` starts with
                // `/proc/`, `*.py` ends with `.py`.
                Op::Glob(g) if !g.insensitive && glob_edge(&g.source).is_some() => {
                    let (op, value) = glob_edge(&g.source)?;
                    Some(vec![Bound::Str { field: pred.field.clone(), op, value, cased: true }])
                }
                _ => {
                    let hints = table.known_hint(*p)?;
                    let mut out = Vec::new();
                    for h in hints {
                        let (field, op, value, cased) = table.literal(*h)?;
                        out.push(Bound::Str { field: field.clone(), op, value: value.to_owned(), cased });
                    }
                    Some(out)
                }
            }
        }
        // Any conjunct's bound is a bound: a usable one first, then the narrowest.
        CExpr::And(v) => v.iter().filter_map(|c| bound(c, table, fields, usable)).min_by_key(|b| (!b.iter().all(usable), b.len())),
        CExpr::Or(v) => {
            let mut all = Vec::new();
            for c in v {
                all.extend(bound(c, table, fields, usable)?);
            }
            Some(all)
        }
    }
}

/// The literal start of a glob (two bytes or more), else its literal end.
fn glob_edge(glob: &str) -> Option<(StrOp, String)> {
    const SPECIAL: &[char] = &['*', '?', '[', ']', '\\', '{', '}'];
    let head: String = glob.chars().take_while(|c| !SPECIAL.contains(c)).collect();
    if head.len() == glob.len() {
        return Some((StrOp::Eq, head));
    }
    if head.len() >= 2 {
        return Some((StrOp::StartsWith, head));
    }
    let tail: String = glob.chars().rev().take_while(|c| !SPECIAL.contains(c)).collect::<Vec<_>>().into_iter().rev().collect();
    (!tail.is_empty()).then_some((StrOp::EndsWith, tail))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_edges_are_literal_heads_or_tails() {
        assert_eq!(glob_edge("/proc/*/environ"), Some((StrOp::StartsWith, "/proc/".to_owned())));
        assert_eq!(glob_edge("*.py"), Some((StrOp::EndsWith, ".py".to_owned())));
        assert_eq!(glob_edge("/etc/shadow"), Some((StrOp::Eq, "/etc/shadow".to_owned())));
        assert_eq!(glob_edge("*"), None);
        assert_eq!(glob_edge("*[ab]"), None);
    }
}
