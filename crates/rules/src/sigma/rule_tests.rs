//! fnwarden's `tests:` extension: events a rule must and must not match, written in the event
//! schema. For correlations each entry is a sequence of events.

use crate::testevent::parse_test_event;
use crate::yaml::{Node, NodeKind};
use crate::{CorrelationTest, RuleTest};

use super::Ctx;

/// The `match` and `no_match` lists of `tests:`, with whether each must match.
fn lists<'n>(doc: &'n Node, ctx: &mut Ctx) -> Vec<(bool, &'n Node)> {
    let Some(tests) = doc.get("tests") else { return Vec::new() };
    let Some(map) = tests.as_map() else {
        ctx.err(tests, "`tests` must be a mapping with `match:` and/or `no_match:` lists");
        return Vec::new();
    };
    let mut out = Vec::new();
    for (k, v) in map {
        let should = match k.as_str() {
            Some("match") => true,
            Some("no_match") => false,
            _ => {
                ctx.err(k, "`tests` takes only `match:` and `no_match:`");
                continue;
            }
        };
        match &v.kind {
            NodeKind::Null => {}
            NodeKind::Seq(items) => out.extend(items.iter().map(|i| (should, i))),
            _ => ctx.err(v, format!("`{}` must be a list", k.as_str().unwrap_or(""))),
        }
    }
    out
}

pub fn for_rule(doc: &Node, ctx: &mut Ctx) -> Vec<crate::RuleTest> {
    let mut out = Vec::new();
    for (i, (should_match, n)) in lists(doc, ctx).into_iter().enumerate() {
        match parse_test_event(n, i) {
            Ok(event) => out.push(RuleTest { event, should_match, line: n.line }),
            Err(e) => ctx.err(n, format!("test event: {e}")),
        }
    }
    out
}

pub fn for_correlation(doc: &Node, ctx: &mut Ctx) -> Vec<CorrelationTest> {
    let mut out = Vec::new();
    for (should_match, n) in lists(doc, ctx) {
        let Some(seq) = n.as_seq() else {
            ctx.err(n, "a correlation test is a list of events");
            continue;
        };
        let mut events = Vec::with_capacity(seq.len());
        for (j, ev) in seq.iter().enumerate() {
            match parse_test_event(ev, j) {
                Ok(e) => events.push(e),
                Err(e) => ctx.err(ev, format!("test event: {e}")),
            }
        }
        if events.len() == seq.len() {
            out.push(CorrelationTest { events, should_match, line: n.line });
        }
    }
    out
}
