//! Falco rule exceptions: named tuples of fields and comparisons, whose values say when the rule
//! must not fire. A rule with exceptions compiles to `condition and not (exception …)`.

use super::compile::Scope;
use super::item::{self, Loc};
use super::parser::{Check, Rhs, Value};
use crate::yaml::{Node, NodeKind};
use crate::{Expr, LoadError};

#[derive(Clone, Debug)]
pub struct ExceptionDef {
    pub name: String,
    pub fields: Vec<String>,
    /// One field written as a scalar: values are single values, and `comps` defaults to `in`.
    pub single: bool,
    pub comps: Vec<String>,
    /// One row per value: a tuple (a list with one cell per field) or, for a single field, a
    /// value. Rows are read at compile time, once appends have brought in the fields.
    pub values: Vec<(Node, Loc)>,
    pub loc: Loc,
}

const LIST_COMPS: &[&str] = &["in", "intersects", "pmatch"];

pub fn parse(node: &Node, loc: &Loc, rule: &str) -> Result<Vec<ExceptionDef>, LoadError> {
    let at = |n: &Node, msg: &str| LoadError::new(&*loc.file, n.line, n.col, Some(rule), msg);
    let Some(items) = node.as_seq() else { return Err(at(node, "`exceptions:` is a list of {name, fields, comps, values}")) };
    let mut out = Vec::new();
    for e in items {
        let eloc = Loc { file: loc.file.clone(), line: e.line, col: e.col };
        let name = e.get("name").and_then(Node::as_str).ok_or_else(|| at(e, "an exception needs `name:`"))?.to_owned();
        if let Some(map) = e.as_map() {
            for (k, _) in map {
                if !matches!(k.as_str(), Some("name" | "fields" | "comps" | "values")) {
                    return Err(at(k, &format!("unknown key `{}` in exception {name:?}", k.as_str().unwrap_or(""))));
                }
            }
        }
        // Fields may be left out when appending values to an exception defined earlier.
        let (fields, single) = match e.get("fields").map(|f| &f.kind) {
            Some(NodeKind::Scalar { text, .. }) => (vec![text.clone()], true),
            Some(NodeKind::Seq(_)) => {
                (item::scalars(e.get("fields").unwrap_or(e), &eloc, rule)?.into_iter().map(|(s, _)| s).collect::<Vec<_>>(), false)
            }
            None | Some(NodeKind::Null) => (Vec::new(), false),
            Some(_) => return Err(at(e, &format!("`fields:` of exception {name:?} must be a field or a list of fields"))),
        };
        let comps = match e.get("comps").map(|c| &c.kind) {
            None | Some(NodeKind::Null) => vec![if single { "in" } else { "=" }.to_owned(); fields.len()],
            Some(NodeKind::Scalar { text, .. }) => vec![text.clone(); fields.len()],
            Some(_) => item::scalars(e.get("comps").unwrap_or(e), &eloc, rule)?.into_iter().map(|(s, _)| s).collect(),
        };
        if comps.len() != fields.len() {
            return Err(at(e, &format!("exception {name:?} has {} fields but {} comps", fields.len(), comps.len())));
        }
        let values = match e.get("values") {
            Some(v) => match (&v.kind, v.as_seq()) {
                (_, Some(rows)) => rows.iter().map(|r| (r.clone(), Loc { file: loc.file.clone(), line: r.line, col: r.col })).collect(),
                (NodeKind::Null, _) => Vec::new(),
                _ => return Err(at(v, &format!("`values:` of exception {name:?} must be a list"))),
            },
            None => Vec::new(),
        };
        out.push(ExceptionDef { name, fields, single, comps, values, loc: eloc });
    }
    Ok(out)
}

/// Appends new exceptions; values of a same-named exception are added to it.
pub fn merge(into: &mut Vec<ExceptionDef>, new: Vec<ExceptionDef>) {
    for e in new {
        match into.iter_mut().find(|x| x.name == e.name) {
            Some(x) => x.values.extend(e.values),
            None => into.push(e),
        }
    }
}

fn value(n: &Node) -> Option<Value> {
    match &n.kind {
        NodeKind::Scalar { text, quoted } => Some(Value { text: text.clone(), quoted: *quoted, pos: 0 }),
        _ => None,
    }
}

/// The disjunction of every exception's value tuples, or `None` when nothing is excepted.
pub fn compile(defs: &[ExceptionDef], scope: &mut Scope<'_>) -> Result<Option<Expr>, (Loc, String)> {
    let mut any = Vec::new();
    for d in defs {
        if d.single {
            // One field: `field comp (v1, v2 …)`.
            if d.values.is_empty() {
                continue;
            }
            let vals: Option<Vec<Value>> = d.values.iter().map(|(row, _)| value(row)).collect();
            let vals = vals.ok_or_else(|| (d.loc.clone(), format!("values of exception {:?} must be single values", d.name)))?;
            let comp = d.comps[0].clone();
            let rhs = if LIST_COMPS.contains(&comp.as_str()) {
                Rhs::List(vals)
            } else if vals.len() == 1 {
                Rhs::Value(vals.into_iter().next().unwrap_or(Value { text: String::new(), quoted: true, pos: 0 }))
            } else {
                Rhs::List(vals)
            };
            let check = Check { field: d.fields[0].clone(), pos: 0, op: comp, op_pos: 0, rhs };
            any.push(scope.check(&check).map_err(|e| (d.loc.clone(), format!("exception {:?}: {}", d.name, e.message)))?);
            continue;
        }
        if d.fields.is_empty() && !d.values.is_empty() {
            return Err((d.loc.clone(), format!("exception {:?} has values but no `fields:`", d.name)));
        }
        for (row, rloc) in &d.values {
            let cells = match row.as_seq() {
                Some(cells) if cells.len() == d.fields.len() => cells,
                Some(cells) => {
                    return Err((
                        rloc.clone(),
                        format!("exception {:?} has {} fields but this value has {}", d.name, d.fields.len(), cells.len()),
                    ));
                }
                None => return Err((rloc.clone(), format!("each value of exception {:?} is a list with one item per field", d.name))),
            };
            let mut all = Vec::new();
            for ((field, comp), cell) in d.fields.iter().zip(&d.comps).zip(cells) {
                let rhs = match (&cell.kind, LIST_COMPS.contains(&comp.as_str())) {
                    (NodeKind::Seq(items), true) => Rhs::List(items.iter().filter_map(value).collect()),
                    (NodeKind::Scalar { .. }, true) => Rhs::List(value(cell).into_iter().collect()),
                    (NodeKind::Scalar { .. }, false) => {
                        Rhs::Value(value(cell).unwrap_or(Value { text: String::new(), quoted: true, pos: 0 }))
                    }
                    _ => return Err((rloc.clone(), format!("exception {:?}: `{comp}` on {field} takes a single value", d.name))),
                };
                let check = Check { field: field.clone(), pos: 0, op: comp.clone(), op_pos: 0, rhs };
                all.push(scope.check(&check).map_err(|e| (rloc.clone(), format!("exception {:?}: {}", d.name, e.message)))?);
            }
            any.push(Expr::and(all));
        }
    }
    Ok(if any.is_empty() { None } else { Some(Expr::or(any)) })
}
