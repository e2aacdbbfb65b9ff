//! One Aho-Corasick pass per field decides every literal predicate of an event kind at once;
//! whole-value equalities are decided by one hash lookup instead.

use aho_corasick::{AhoCorasick, MatchKind};
use std::io::Write;

use fnwarden_event::{Event, FieldRef, Val};
use fnwarden_rules::StrOp;
use fnwarden_rules::eval::str_test;
// Keys are short strings hashed per event: a fast non-cryptographic hash; rule authors, not the
// analysed function, choose the keys.
use rustc_hash::FxHashMap as HashMap;

use crate::compile::PredId;

/// A literal predicate hanging off one automaton pattern.
pub struct LitCheck {
    pub pred: PredId,
    op: StrOp,
    cased: bool,
    needle: Box<str>,
    /// Rules (indices into the kind's rule list) for which this predicate is part of the guard.
    pub guarded: Vec<u32>,
}

impl LitCheck {
    fn holds(&self, hay: &str, start: usize, end: usize) -> bool {
        let placed = match self.op {
            StrOp::Eq => start == 0 && end == hay.len(),
            StrOp::StartsWith => start == 0,
            StrOp::EndsWith => end == hay.len(),
            StrOp::Contains => true,
        };
        placed && (!self.cased || &hay.as_bytes()[start..end] == self.needle.as_bytes())
    }
}

/// The automaton for one field of one event kind. Checks are numbered (indices into `all`) so
/// that a scan's outcome can be recorded and replayed.
pub struct FieldScan {
    pub field: FieldRef,
    all: Vec<LitCheck>,
    /// Substring, prefix and suffix tests; `None` when the field has few or none, which are
    /// then tested one by one (`direct`): setting up an automaton search costs more.
    ac: Option<AhoCorasick>,
    direct: Vec<u32>,
    /// Per automaton pattern, the checks it decides.
    checks: Vec<Vec<u32>>,
    /// Equalities by ASCII-lowercased value.
    eq: HashMap<Box<str>, Vec<u32>>,
}

/// Collects literal predicates for one kind, then builds automata.
#[derive(Default)]
pub struct ScanBuilder {
    fields: Vec<(FieldRef, Vec<(String, LitCheck)>)>,
}

impl ScanBuilder {
    /// Registers a literal predicate (once per kind).
    pub fn add(&mut self, field: &FieldRef, pred: PredId, op: StrOp, value: &str, cased: bool) {
        let idx = match self.fields.iter().position(|(f, _)| f == field) {
            Some(i) => i,
            None => {
                self.fields.push((field.clone(), Vec::new()));
                self.fields.len() - 1
            }
        };
        let list = &mut self.fields[idx].1;
        if list.iter().any(|(_, c)| c.pred == pred) {
            return;
        }
        let check = LitCheck { pred, op, cased, needle: value.into(), guarded: Vec::new() };
        list.push((value.to_ascii_lowercase(), check));
    }

    /// Marks `rule` as guarded by `pred`.
    pub fn guard(&mut self, pred: PredId, rule: u32) {
        for (_, list) in &mut self.fields {
            for (_, c) in list.iter_mut() {
                if c.pred == pred {
                    c.guarded.push(rule);
                }
            }
        }
    }

    pub fn build(self) -> Result<Vec<FieldScan>, aho_corasick::BuildError> {
        let mut out = Vec::with_capacity(self.fields.len());
        for (field, list) in self.fields {
            let mut all = Vec::with_capacity(list.len());
            let mut patterns: Vec<String> = Vec::new();
            let mut checks: Vec<Vec<u32>> = Vec::new();
            let mut eq: HashMap<Box<str>, Vec<u32>> = HashMap::default();
            for (needle, check) in list {
                let id = all.len() as u32;
                let is_eq = check.op == StrOp::Eq;
                all.push(check);
                if is_eq {
                    eq.entry(needle.into()).or_default().push(id);
                    continue;
                }
                match patterns.iter().position(|p| *p == needle) {
                    Some(i) => checks[i].push(id),
                    None => {
                        patterns.push(needle);
                        checks.push(vec![id]);
                    }
                }
            }
            let (ac, checks, direct) = if patterns.len() <= DIRECT_MAX {
                (None, Vec::new(), checks.into_iter().flatten().collect())
            } else {
                let ac = AhoCorasick::builder().ascii_case_insensitive(true).match_kind(MatchKind::Standard).build(&patterns)?;
                (Some(ac), checks, Vec::new())
            };
            out.push(FieldScan { field, all, ac, checks, direct, eq });
        }
        Ok(out)
    }
}

/// Up to this many substring/prefix/suffix patterns, a field is tested pattern by pattern.
const DIRECT_MAX: usize = 4;

impl FieldScan {
    /// Runs the automaton over the field's value(s) in `ev`, calling `hit` for each literal
    /// predicate that holds.
    /// `folded` is scratch space, reused across calls to spare an allocation per value.
    pub fn scan(&self, ev: &Event, folded: &mut String, hit: &mut dyn FnMut(u32, &LitCheck)) {
        let Some(v) = ev.get(&self.field) else { return };
        if let Val::Ip(ip) = v {
            // Addresses are matched as text (hints of IP predicates), rendered without allocating.
            let mut buf = [0u8; 48];
            let mut w = &mut buf[..];
            if write!(w, "{ip}").is_ok() {
                let len = 48 - w.len();
                if let Ok(s) = std::str::from_utf8(&buf[..len]) {
                    self.scan_str(s, folded, hit);
                }
            }
            return;
        }
        v.for_each_str(&mut |s| {
            self.scan_str(s, folded, hit);
            false
        });
    }

    fn scan_str(&self, s: &str, folded: &mut String, hit: &mut dyn FnMut(u32, &LitCheck)) {
        for &i in &self.direct {
            let c = &self.all[i as usize];
            if str_test(c.op, s, &c.needle, c.cased) {
                hit(i, c);
            }
        }
        let mut test = |i: u32, start: usize, end: usize| {
            let c = &self.all[i as usize];
            if c.holds(s, start, end) {
                hit(i, c);
            }
        };
        if !self.eq.is_empty() {
            folded.clear();
            folded.push_str(s);
            folded.make_ascii_lowercase();
            for &i in self.eq.get(folded.as_str()).into_iter().flatten() {
                test(i, 0, s.len());
            }
        }
        if let Some(ac) = &self.ac {
            for m in ac.find_overlapping_iter(s) {
                for &i in &self.checks[m.pattern().as_usize()] {
                    test(i, m.start(), m.end());
                }
            }
        }
    }

    /// A check by the number `scan` reported it with.
    pub fn check(&self, i: u32) -> &LitCheck {
        &self.all[i as usize]
    }

    /// Whether the field's value depends only on the acting process, so that a scan's outcome
    /// can be reused for later events of the same process.
    pub fn process_scoped(&self) -> bool {
        self.field.def().name.starts_with("proc.")
    }

    pub fn patterns(&self) -> usize {
        self.checks.len() + self.direct.len() + self.eq.len()
    }

    pub fn memory(&self) -> usize {
        let ids = self.checks.iter().chain(self.eq.values()).chain(std::iter::once(&self.direct)).map(|c| c.len() * 4).sum::<usize>();
        let checks = self.all.iter().map(|c| std::mem::size_of::<LitCheck>() + c.needle.len() + c.guarded.len() * 4).sum::<usize>();
        let keys = self.eq.keys().map(|k| k.len() + std::mem::size_of::<Box<str>>()).sum::<usize>();
        self.ac.as_ref().map_or(0, AhoCorasick::memory_usage) + ids + checks + keys
    }
}
