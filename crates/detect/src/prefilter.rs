//! One Aho-Corasick pass per field decides every literal predicate of an event kind at once.

use aho_corasick::{AhoCorasick, MatchKind};
use fnwarden_event::{Event, FieldRef};
use fnwarden_rules::StrOp;

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

/// The automaton for one field of one event kind.
pub struct FieldScan {
    pub field: FieldRef,
    ac: AhoCorasick,
    /// Per automaton pattern, the predicates it decides.
    checks: Vec<Vec<LitCheck>>,
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
            let mut patterns: Vec<String> = Vec::new();
            let mut checks: Vec<Vec<LitCheck>> = Vec::new();
            for (needle, check) in list {
                match patterns.iter().position(|p| *p == needle) {
                    Some(i) => checks[i].push(check),
                    None => {
                        patterns.push(needle);
                        checks.push(vec![check]);
                    }
                }
            }
            let ac = AhoCorasick::builder().ascii_case_insensitive(true).match_kind(MatchKind::Standard).build(&patterns)?;
            out.push(FieldScan { field, ac, checks });
        }
        Ok(out)
    }
}

impl FieldScan {
    /// Runs the automaton over the field's value(s) in `ev`, calling `hit` for each literal
    /// predicate that holds.
    pub fn scan(&self, ev: &Event, hit: &mut dyn FnMut(&LitCheck)) {
        let Some(v) = ev.get(&self.field) else { return };
        v.for_each_str(&mut |s| {
            for m in self.ac.find_overlapping_iter(s) {
                for c in &self.checks[m.pattern().as_usize()] {
                    if c.holds(s, m.start(), m.end()) {
                        hit(c);
                    }
                }
            }
            false
        });
    }

    pub fn patterns(&self) -> usize {
        self.checks.len()
    }

    pub fn memory(&self) -> usize {
        self.ac.memory_usage() + self.checks.iter().map(|c| c.len() * std::mem::size_of::<LitCheck>()).sum::<usize>()
    }
}
