//! Sigma filters (`filter:` documents): a condition that suppresses the matches of the rules it
//! names. fnwarden applies a filter to rules of the same file.

use crate::yaml::Node;
use crate::{Expr, Rule};

use super::detection::{compile_detection, simplify};
use super::logsource::LogSource;
use super::{Ctx, meta};

pub fn apply(doc: &Node, rules: &mut [Rule], ctx: &mut Ctx) {
    let Some(f) = doc.get("filter") else { return };
    let ls = match doc.get("logsource") {
        Some(n) => match LogSource::parse(n) {
            Ok(ls) => ls,
            Err(e) => return ctx.fail(e),
        },
        None => return ctx.err(doc, "a Sigma filter needs a `logsource`"),
    };
    let names = match f.get("rules").map(meta::str_list) {
        Some(Ok(v)) if !v.is_empty() => v,
        Some(Err(e)) => return ctx.fail(e),
        _ => return ctx.err(f, "a Sigma filter needs `rules:`, the ids or names of the rules it applies to"),
    };
    let Some(cond) = compile_detection(f, &ls, &["rules"], ctx) else { return };
    let cond = match ls.base {
        Some(base) => Expr::and(vec![base, cond]),
        None => cond,
    };
    let rules_node = f.get("rules").unwrap_or(f);
    for name in names {
        let mut found = false;
        for r in rules.iter_mut().filter(|r| r.meta.id == name || r.meta.name.as_deref() == Some(name.as_str())) {
            found = true;
            let c = std::mem::replace(&mut r.condition, Expr::Const(false));
            r.condition = simplify(Expr::and(vec![c, Expr::not(cond.clone())]));
        }
        if !found {
            ctx.err(
                rules_node,
                format!(
                    "filter names rule `{name}`, which is not in this file; fnwarden applies Sigma filters to the rules of their own file"
                ),
            );
        }
    }
}
