//! Compiling rule conditions for the engine: predicates are interned across rules, each rule is
//! specialised per event kind (so `evt.type` tests disappear), and a guard set of literal
//! predicates is derived so that rules whose literals are absent are never evaluated.

use std::collections::HashMap;

use fnwarden_event::field::KindMask;
use fnwarden_event::{Category, EventKind, FieldId, FieldRef};
use fnwarden_rules::{Expr, Op, Pred, StrOp};

pub type PredId = u32;

/// A condition over interned predicates.
#[derive(Clone, Debug, PartialEq)]
pub enum CExpr {
    Const(bool),
    And(Vec<CExpr>),
    Or(Vec<CExpr>),
    Not(Box<CExpr>),
    Pred(PredId),
}

/// Every distinct predicate of the loaded rules.
#[derive(Default)]
pub struct PredTable {
    pub preds: Vec<Pred>,
    index: HashMap<String, PredId>,
    /// For a glob or regex predicate, literal predicates one of which must hold for it to hold.
    hints: HashMap<PredId, Vec<PredId>>,
}

impl PredTable {
    pub fn intern(&mut self, p: &Pred) -> PredId {
        let key = pred_key(p);
        if let Some(id) = self.index.get(&key) {
            return *id;
        }
        let id = self.preds.len() as PredId;
        self.preds.push(p.clone());
        self.index.insert(key, id);
        id
    }

    /// The hint literals of a pattern, path-prefix or IP predicate, computed and interned on
    /// first request.
    pub fn hint(&mut self, id: PredId) -> Option<&[PredId]> {
        if !self.hints.contains_key(&id) {
            let p = self.preds[id as usize].clone();
            let (lits, cased) = crate::hint::necessary_literals(&p.op)?;
            let ids = lits
                .into_iter()
                .map(|(op, value)| self.intern(&Pred { field: p.field.clone(), op: Op::Str { op, value, cased } }))
                .collect();
            self.hints.insert(id, ids);
        }
        self.hints.get(&id).map(Vec::as_slice)
    }

    /// The hint literals already computed for `id`.
    pub fn known_hint(&self, id: PredId) -> Option<&[PredId]> {
        self.hints.get(&id).map(Vec::as_slice)
    }

    /// Whether the predicate is a plain substring/prefix/suffix/equality test that the
    /// Aho-Corasick pass resolves.
    pub fn literal(&self, id: PredId) -> Option<(&FieldRef, StrOp, &str, bool)> {
        let p = &self.preds[id as usize];
        match &p.op {
            Op::Str { op, value, cased } if !value.is_empty() => Some((&p.field, *op, value, *cased)),
            _ => None,
        }
    }
}

fn pred_key(p: &Pred) -> String {
    let op = match &p.op {
        Op::Glob(pt) => format!("glob:{}:{}", pt.insensitive, pt.regex),
        Op::Regex(pt) => format!("re:{}:{}", pt.insensitive, pt.regex),
        other => format!("{other:?}"),
    };
    format!("{}\u{1f}{op}", p.field)
}

/// Kinds on which `e` can be true. Every operator is false on a missing field, so a predicate
/// can only hold on kinds that carry its field.
pub fn infer_kinds(e: &Expr) -> KindMask {
    match e {
        Expr::Const(true) | Expr::Not(_) => KindMask::ALL,
        Expr::Const(false) => KindMask::NONE,
        Expr::And(v) => v.iter().fold(KindMask::ALL, |m, c| m.intersect(infer_kinds(c))),
        Expr::Or(v) => v.iter().fold(KindMask::NONE, |m, c| m.union(infer_kinds(c))),
        Expr::Pred(p) => match type_test(p) {
            Some(TypeTest::Kind(k)) => KindMask::of(k),
            Some(TypeTest::Category(c)) => KindMask::category(c),
            Some(TypeTest::Nothing) => KindMask::NONE,
            None => p.field.def().scope.mask(),
        },
    }
}

enum TypeTest {
    Kind(EventKind),
    Category(Category),
    Nothing,
}

/// `cloud.provider = X`: the provider and whether the comparison is cased.
fn provider_test(p: &Pred) -> Option<(&str, bool)> {
    match &p.op {
        Op::Str { op: StrOp::Eq, value, cased } if p.field.id == FieldId::CloudProvider => Some((value.as_str(), *cased)),
        _ => None,
    }
}

/// `evt.type = X` and `evt.category = X` are decided by the kind alone.
fn type_test(p: &Pred) -> Option<TypeTest> {
    let Op::Str { op: StrOp::Eq, value, .. } = &p.op else { return None };
    match p.field.id {
        FieldId::EvtType => Some(EventKind::from_name(&value.to_ascii_lowercase()).map_or(TypeTest::Nothing, TypeTest::Kind)),
        FieldId::EvtCategory => Some(
            EventKind::ALL
                .iter()
                .map(|k| k.category())
                .find(|c| c.name().eq_ignore_ascii_case(value))
                .map_or(TypeTest::Nothing, TypeTest::Category),
        ),
        _ => None,
    }
}

/// Specialises `e` for events of kind `k` and interns its predicates.
/// With a `provider`, for cloud events of that provider: `cloud.provider` tests become constants.
pub fn specialise(e: &Expr, k: EventKind, provider: Option<&str>, table: &mut PredTable) -> CExpr {
    match e {
        Expr::Const(b) => CExpr::Const(*b),
        Expr::Not(x) => match specialise(x, k, provider, table) {
            CExpr::Const(b) => CExpr::Const(!b),
            CExpr::Not(inner) => *inner,
            x => CExpr::Not(Box::new(x)),
        },
        Expr::And(v) => {
            let mut out = Vec::with_capacity(v.len());
            for c in v {
                match specialise(c, k, provider, table) {
                    CExpr::Const(true) => {}
                    CExpr::Const(false) => return CExpr::Const(false),
                    CExpr::And(inner) => out.extend(inner),
                    x => out.push(x),
                }
            }
            match out.len() {
                0 => CExpr::Const(true),
                1 => out.pop().unwrap_or(CExpr::Const(true)),
                _ => CExpr::And(out),
            }
        }
        Expr::Or(v) => {
            let mut out = Vec::with_capacity(v.len());
            for c in v {
                match specialise(c, k, provider, table) {
                    CExpr::Const(false) => {}
                    CExpr::Const(true) => return CExpr::Const(true),
                    CExpr::Or(inner) => out.extend(inner),
                    x => out.push(x),
                }
            }
            match out.len() {
                0 => CExpr::Const(false),
                1 => out.pop().unwrap_or(CExpr::Const(false)),
                _ => CExpr::Or(out),
            }
        }
        Expr::Pred(p) => match type_test(p) {
            Some(TypeTest::Kind(x)) => CExpr::Const(x == k),
            Some(TypeTest::Category(c)) => CExpr::Const(k.category() == c),
            Some(TypeTest::Nothing) => CExpr::Const(false),
            None if !p.field.def().scope.mask().contains(k) => CExpr::Const(false),
            None => match (provider, provider_test(p)) {
                (Some(have), Some((want, cased))) => CExpr::Const(if cased { have == want } else { have.eq_ignore_ascii_case(want) }),
                _ => CExpr::Pred(table.intern(p)),
            },
        },
    }
}

/// A set of literal predicates at least one of which holds whenever `e` holds; `None` when no
/// such set exists (the rule must always be evaluated).
pub fn guard(e: &CExpr, table: &PredTable) -> Option<Vec<PredId>> {
    match e {
        CExpr::Const(false) => Some(Vec::new()),
        CExpr::Const(true) | CExpr::Not(_) => None,
        CExpr::Pred(p) => match table.literal(*p) {
            Some(_) => Some(vec![*p]),
            None => table.known_hint(*p).map(<[PredId]>::to_vec),
        },
        CExpr::And(v) => v.iter().filter_map(|c| guard(c, table)).min_by_key(Vec::len),
        CExpr::Or(v) => {
            let mut all = Vec::new();
            for c in v {
                all.extend(guard(c, table)?);
            }
            all.sort_unstable();
            all.dedup();
            Some(all)
        }
    }
}

/// Visits every predicate id.
pub fn for_each_pred(e: &CExpr, f: &mut dyn FnMut(PredId)) {
    match e {
        CExpr::Const(_) => {}
        CExpr::And(v) | CExpr::Or(v) => v.iter().for_each(|c| for_each_pred(c, f)),
        CExpr::Not(c) => for_each_pred(c, f),
        CExpr::Pred(p) => f(*p),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(field: &str, op: StrOp, v: &str) -> Expr {
        Expr::pred(FieldRef::parse(field).unwrap(), Op::Str { op, value: v.into(), cased: true })
    }

    #[test]
    fn kinds_come_from_evt_type_and_fields() {
        let e = Expr::And(vec![p("evt.type", StrOp::Eq, "execve"), p("proc.name", StrOp::Eq, "sh")]);
        assert_eq!(infer_kinds(&e), KindMask::of(EventKind::Execve));
        let cloud = p("cloud.api", StrOp::Eq, "x");
        assert_eq!(infer_kinds(&cloud), KindMask::of(EventKind::CloudApi));
        let either = Expr::Or(vec![p("evt.type", StrOp::Eq, "open"), p("evt.type", StrOp::Eq, "connect")]);
        assert_eq!(infer_kinds(&either), KindMask::of(EventKind::Open).union(KindMask::of(EventKind::Connect)));
    }

    #[test]
    fn specialising_removes_type_tests_and_dedupes_preds() {
        let mut t = PredTable::default();
        let e = Expr::And(vec![
            Expr::Or(vec![p("evt.type", StrOp::Eq, "open"), p("evt.type", StrOp::Eq, "openat")]),
            p("fd.name", StrOp::StartsWith, "/etc"),
        ]);
        let c = specialise(&e, EventKind::Open, None, &mut t);
        assert_eq!(c, CExpr::Pred(0));
        assert_eq!(specialise(&e, EventKind::Connect, None, &mut t), CExpr::Const(false));
        specialise(&e, EventKind::Open, None, &mut t);
        assert_eq!(t.preds.len(), 1);
    }

    #[test]
    fn guards_pick_literals() {
        let mut t = PredTable::default();
        let e = Expr::And(vec![
            Expr::Or(vec![p("proc.name", StrOp::Eq, "sh"), p("proc.name", StrOp::Eq, "bash")]),
            Expr::not(p("proc.pname", StrOp::Eq, "make")),
        ]);
        let c = specialise(&e, EventKind::Execve, None, &mut t);
        assert_eq!(guard(&c, &t), Some(vec![0, 1]));
        let only_not = specialise(&Expr::not(p("proc.name", StrOp::Eq, "sh")), EventKind::Execve, None, &mut t);
        assert_eq!(guard(&only_not, &t), None);
    }

    #[test]
    fn provider_tests_fold_for_a_provider_and_stay_otherwise() {
        let mut t = PredTable::default();
        let azure = Expr::And(vec![p("cloud.provider", StrOp::Eq, "azure"), p("cloud.api", StrOp::Eq, "MICROSOFT.WEB/SITES/WRITE")]);
        assert_eq!(specialise(&azure, EventKind::CloudApi, Some("aws"), &mut t), CExpr::Const(false));
        // The test is cased: only the provider's own spelling folds to true.
        assert!(matches!(specialise(&azure, EventKind::CloudApi, Some("azure"), &mut t), CExpr::Pred(_)));
        assert_eq!(specialise(&azure, EventKind::CloudApi, Some("AZURE"), &mut t), CExpr::Const(false));
        // Negated, and without a provider (the kind's own program): kept as a test.
        let not_aws = Expr::not(p("cloud.provider", StrOp::Eq, "aws"));
        assert_eq!(specialise(&not_aws, EventKind::CloudApi, Some("gcp"), &mut t), CExpr::Const(true));
        assert!(matches!(specialise(&not_aws, EventKind::CloudApi, None, &mut t), CExpr::Not(_)));
    }
}
