//! Sigma correlation rules → [`Correlation`]. Referenced rules are linked by id or name when the
//! rule set is assembled; field names are resolved with the log source of each referenced rule
//! found in the same file.

use fnwarden_event::FieldRef;

use crate::yaml::{Node, NodeKind};
use crate::{Cmp, Correlation, CorrelationKind, GroupField, Threshold};

use super::taxonomy::{self, Target};
use super::{Ctx, Fail, Scope, meta, rule_tests};

const TYPES: &[&str] =
    &["event_count", "value_count", "temporal", "temporal_ordered", "value_sum", "value_avg", "value_percentile", "value_median"];

/// The rules a correlation document references, as written.
pub fn referenced(doc: &Node) -> Vec<String> {
    doc.get("correlation").and_then(|c| c.get("rules")).and_then(|r| meta::str_list(r).ok()).unwrap_or_default()
}

pub fn compile(doc: &Node, scope: &Scope, ctx: &mut Ctx) -> Option<Correlation> {
    let before = ctx.errors.len();
    let meta = meta::parse(doc, ctx);
    let tests = rule_tests::for_correlation(doc, ctx);
    let body = match parse_body(doc, scope) {
        Ok(b) => Some(b),
        Err(f) => {
            ctx.fail(f);
            None
        }
    };
    // The specification lists `generate` beside `correlation`; some tools nest it inside.
    let generate_node = doc.get("generate").or_else(|| doc.get("correlation").and_then(|c| c.get("generate")));
    let generate = match generate_node {
        None => false,
        Some(n) => match n.as_bool() {
            Some(b) => b,
            None => {
                ctx.err(n, "`generate` must be true or false");
                false
            }
        },
    };
    let (mut meta, body) = (meta?, body?);
    if ctx.errors.len() > before {
        return None;
    }
    // Sigma `generate` is about the referenced rules; the correlation itself always alerts.
    meta.generate = true;
    Some(Correlation {
        meta,
        kind: body.kind,
        rules: body.rules,
        group_by: body.group_by,
        timespan_ns: body.timespan_ns,
        threshold: body.threshold,
        generate,
        tests,
    })
}

struct Body {
    kind: CorrelationKind,
    rules: Vec<String>,
    group_by: Vec<GroupField>,
    timespan_ns: i64,
    threshold: Threshold,
}

fn parse_body(doc: &Node, scope: &Scope) -> Result<Body, Fail> {
    let c = doc.get("correlation").ok_or_else(|| Fail::at(doc, "missing `correlation`"))?;
    if c.as_map().is_none() {
        return Err(Fail::at(c, "`correlation` must be a mapping with type, rules, group-by, timespan and condition"));
    }
    for (k, _) in c.as_map().unwrap_or(&[]) {
        let known = ["type", "rules", "aliases", "group-by", "timespan", "condition", "generate"];
        match k.as_str() {
            Some(s) if known.contains(&s) => {}
            Some(s) => return Err(Fail::at(k, format!("unknown correlation key `{s}`{}", super::did_you_mean(s, known)))),
            None => return Err(Fail::at(k, "correlation keys are strings")),
        }
    }
    let ty_node = c.get("type").ok_or_else(|| Fail::at(c, format!("correlation needs a `type`: one of {}", TYPES.join(", "))))?;
    let ty = ty_node.as_str().ok_or_else(|| Fail::at(ty_node, "`type` must be a string"))?;
    if !TYPES.contains(&ty) {
        return Err(Fail::at(
            ty_node,
            format!("unknown correlation type `{ty}`{} (one of {})", super::did_you_mean(ty, TYPES.iter().copied()), TYPES.join(", ")),
        ));
    }

    let rules_node = c.get("rules").ok_or_else(|| Fail::at(c, "correlation needs `rules`: the ids or names of the rules it correlates"))?;
    let rules = meta::str_list(rules_node)?;
    if rules.is_empty() {
        return Err(Fail::at(rules_node, "`rules` is empty"));
    }
    for (i, r) in rules.iter().enumerate() {
        if rules[..i].contains(r) {
            return Err(Fail::at(rules_node, format!("rule `{r}` is listed twice")));
        }
    }
    let temporal = matches!(ty, "temporal" | "temporal_ordered");
    if temporal && rules.len() < 2 {
        return Err(Fail::at(rules_node, format!("a {ty} correlation needs at least two rules")));
    }

    let timespan_node = c.get("timespan").ok_or_else(|| Fail::at(c, "correlation needs a `timespan` like 5m"))?;
    let timespan_ns = parse_timespan(timespan_node.as_str().unwrap_or("")).map_err(|e| Fail::at(timespan_node, e))?;

    let aliases = c.get("aliases");
    if let Some(a) = aliases
        && a.as_map().is_none()
    {
        return Err(Fail::at(a, "`aliases` must map alias → (rule → field)"));
    }
    let mut group_by = Vec::new();
    if let Some(g) = c.get("group-by") {
        for name in meta::str_list(g)? {
            let per_rule = fields_for(&name, &rules, aliases, scope).map_err(|e| Fail::at(g, format!("group-by `{name}`: {e}")))?;
            group_by.push(GroupField { name, per_rule });
        }
    }

    let cond = c.get("condition");
    let mut conditions = Vec::new();
    let mut field = None;
    let mut percentile = None;
    if let Some(cn) = cond {
        let Some(map) = cn.as_map() else {
            return Err(Fail::at(cn, "`condition` must be a mapping like {gte: 10}"));
        };
        for (k, v) in map {
            let key = k.as_str().unwrap_or("");
            let cmp = match key {
                "gt" => Cmp::Gt,
                "gte" => Cmp::Ge,
                "lt" => Cmp::Lt,
                "lte" => Cmp::Le,
                "eq" => Cmp::Eq,
                "neq" => Cmp::Ne,
                "field" => {
                    field = Some(v);
                    continue;
                }
                // fnwarden extension: which percentile value_percentile computes.
                "percentile" => {
                    let p = number(v)?;
                    if !(0.0..=100.0).contains(&p) {
                        return Err(Fail::at(v, "`percentile` is between 0 and 100"));
                    }
                    percentile = Some(p);
                    continue;
                }
                _ => {
                    let known = ["gt", "gte", "lt", "lte", "eq", "neq", "field", "percentile"];
                    return Err(Fail::at(k, format!("unknown condition key `{key}`{}", super::did_you_mean(key, known))));
                }
            };
            conditions.push((cmp, number(v)?));
        }
    }
    let at = cond.unwrap_or(c);
    if conditions.is_empty() && !temporal {
        return Err(Fail::at(at, format!("a {ty} correlation needs a `condition` such as {{gte: 10}}")));
    }
    if temporal {
        // The engine raises a temporal correlation when every rule matched in the window.
        let n = rules.len() as f64;
        let all = conditions.iter().all(|(c, v)| match c {
            Cmp::Ge | Cmp::Eq => *v == n,
            Cmp::Gt => *v == n - 1.0,
            Cmp::Le => *v >= n,
            Cmp::Lt => *v > n,
            Cmp::Ne => *v != n,
        });
        if !all {
            return Err(Fail::at(
                at,
                format!("fnwarden runs {ty} correlations as \"all {n} rules matched\"; a condition on fewer rules is not supported"),
            ));
        }
    }
    let value_field = |field: Option<&Node>| -> Result<FieldRef, Fail> {
        let f = field.ok_or_else(|| Fail::at(at, format!("a {ty} correlation needs `field` in its condition")))?;
        let name = match &f.kind {
            NodeKind::Scalar { text, .. } => text.clone(),
            NodeKind::Seq(_) => return Err(Fail::at(f, "several value fields are not supported; give one `field`")),
            _ => return Err(Fail::at(f, "`field` must be a field name")),
        };
        let per = fields_for(&name, &rules, aliases, scope).map_err(|e| Fail::at(f, format!("field `{name}`: {e}")))?;
        let first = per.first().cloned().ok_or_else(|| Fail::at(f, "no rules"))?;
        if per.iter().any(|x| *x != first) {
            let list: Vec<String> = per.iter().map(ToString::to_string).collect();
            return Err(Fail::at(
                f,
                format!("field `{name}` maps to different fields across the rules ({}); name one fnwarden field", list.join(", ")),
            ));
        }
        Ok(first)
    };
    let kind = match ty {
        "event_count" => CorrelationKind::EventCount,
        "temporal" => CorrelationKind::Temporal,
        "temporal_ordered" => CorrelationKind::TemporalOrdered,
        "value_count" => CorrelationKind::ValueCount { field: value_field(field)? },
        "value_sum" => CorrelationKind::ValueSum { field: value_field(field)? },
        "value_avg" => CorrelationKind::ValueAvg { field: value_field(field)? },
        "value_median" => CorrelationKind::ValueMedian { field: value_field(field)? },
        _ => {
            let field = value_field(field)?;
            let percentile = percentile.ok_or_else(|| {
                Fail::at(at, "the Sigma specification leaves open which percentile value_percentile computes; add `percentile: 95` (0-100) to the condition")
            })?;
            CorrelationKind::ValuePercentile { field, percentile }
        }
    };
    Ok(Body { kind, rules, group_by, timespan_ns, threshold: Threshold { conditions } })
}

fn number(v: &Node) -> Result<f64, Fail> {
    v.as_str().and_then(|s| s.trim().parse::<f64>().ok()).filter(|x| x.is_finite()).ok_or_else(|| Fail::at(v, "expected a number"))
}

/// `30s`, `5m`, `1h`, `7d`.
fn parse_timespan(s: &str) -> Result<i64, String> {
    let bad = || format!("timespan {s:?}: expected a number and a unit s, m, h or d (like 90m)");
    let unit = s.chars().last().ok_or_else(bad)?;
    let n: i64 = s[..s.len() - unit.len_utf8()].parse().map_err(|_| bad())?;
    let secs = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3_600,
        'd' => 86_400,
        _ => return Err(bad()),
    };
    if n <= 0 {
        return Err(format!("timespan {s:?} must be positive"));
    }
    n.checked_mul(secs).and_then(|x| x.checked_mul(1_000_000_000)).ok_or_else(|| format!("timespan {s:?} is too long"))
}

/// The field `name` stands for in the events of each referenced rule: through an alias, or
/// resolved under that rule's log source.
fn fields_for(name: &str, rules: &[String], aliases: Option<&Node>, scope: &Scope) -> Result<Vec<FieldRef>, String> {
    let alias = aliases.and_then(|a| a.get(name));
    rules
        .iter()
        .map(|r| {
            let field_name = match alias {
                Some(map) => {
                    let entries = map.as_map().ok_or_else(|| format!("alias `{name}` must map rule names to fields"))?;
                    entries
                        .iter()
                        .find(|(k, _)| k.as_str().is_some_and(|k| scope.same(k, r)))
                        .and_then(|(_, v)| v.as_str())
                        .ok_or_else(|| format!("alias `{name}` gives no field for rule `{r}`"))?
                        .to_owned()
                }
                None => name.to_owned(),
            };
            resolve(&field_name, r, scope)
        })
        .collect()
}

fn resolve(field: &str, rule: &str, scope: &Scope) -> Result<FieldRef, String> {
    match scope.logsource(rule) {
        Some(ls) => match taxonomy::resolve(field, ls)? {
            Target::Field(f) => Ok(f),
            _ => Err(format!("`{field}` names event types, not a value to group or count by")),
        },
        None => taxonomy::resolve_unscoped(field).ok_or_else(|| {
            format!(
                "rule `{rule}` is not in this file, so the meaning of `{field}` is unknown here; \
                 use an fnwarden field name (e.g. user.name, cloud.principal) or keep the rule in the same file"
            )
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timespans() {
        assert_eq!(parse_timespan("90m").unwrap(), 5_400_000_000_000);
        assert_eq!(parse_timespan("1d").unwrap(), 86_400_000_000_000);
        assert!(parse_timespan("1w").is_err());
        assert!(parse_timespan("m").is_err());
        assert!(parse_timespan("0s").is_err());
        assert!(parse_timespan("").is_err());
        assert!(parse_timespan("99999999999999999d").unwrap_err().contains("too long"));
        assert!(parse_timespan("5é").is_err());
    }
}
