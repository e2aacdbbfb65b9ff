//! Falco conditions to IR: macros and lists resolved, every field checked against the registry
//! and every operator against the field's type.

use std::collections::HashMap;

use fnwarden_event::{FieldRef, FieldType};

use super::parser::{self, Ast, Check, Rhs, Value};
use crate::{Cmp, Expr, Op, StrOp};

/// An error at a byte offset of the condition being compiled, or (`pos: None`) somewhere else,
/// such as inside a macro, which the message then names.
#[derive(Clone, Debug, PartialEq)]
pub struct CompileError {
    pub pos: Option<usize>,
    pub message: String,
}

impl CompileError {
    fn at(pos: usize, message: impl Into<String>) -> Self {
        CompileError { pos: Some(pos), message: message.into() }
    }
}

impl From<parser::SyntaxError> for CompileError {
    fn from(e: parser::SyntaxError) -> Self {
        CompileError { pos: Some(e.pos), message: e.message }
    }
}

/// A macro as written, with where it stands for error messages.
pub struct MacroSrc {
    pub condition: String,
    pub location: String,
}

/// Resolves names while compiling; macros compile once, on first use.
pub struct Scope<'a> {
    pub lists: &'a HashMap<String, Vec<String>>,
    pub macros: &'a HashMap<String, MacroSrc>,
    compiled: HashMap<String, Result<Expr, CompileError>>,
    visiting: Vec<String>,
}

/// Falco field names that fnwarden spells differently.
const ALIASES: &[(&str, &str)] = &[("evt.rawres", "evt.res")];

impl<'a> Scope<'a> {
    pub fn new(lists: &'a HashMap<String, Vec<String>>, macros: &'a HashMap<String, MacroSrc>) -> Self {
        Scope { lists, macros, compiled: HashMap::new(), visiting: Vec::new() }
    }

    /// Compiles condition text.
    pub fn condition(&mut self, text: &str) -> Result<Expr, CompileError> {
        let ast = parser::parse(text)?;
        self.expr(&ast)
    }

    /// A macro's own compile result, for reporting errors at the macro.
    pub fn macro_expr(&mut self, name: &str) -> Result<Expr, CompileError> {
        if let Some(r) = self.compiled.get(name) {
            return r.clone();
        }
        let Some(src) = self.macros.get(name) else {
            return Err(CompileError { pos: None, message: format!("undefined macro {name:?}") });
        };
        if let Some(i) = self.visiting.iter().position(|m| m == name) {
            let mut cycle = self.visiting[i..].to_vec();
            cycle.push(name.to_owned());
            return Err(CompileError { pos: None, message: format!("macros reference each other in a cycle: {}", cycle.join(" → ")) });
        }
        self.visiting.push(name.to_owned());
        let r = self.condition(&src.condition);
        self.visiting.pop();
        self.compiled.insert(name.to_owned(), r.clone());
        r
    }

    fn expr(&mut self, a: &Ast) -> Result<Expr, CompileError> {
        Ok(match a {
            Ast::And(v) => Expr::and(v.iter().map(|a| self.expr(a)).collect::<Result<_, _>>()?),
            Ast::Or(v) => Expr::or(v.iter().map(|a| self.expr(a)).collect::<Result<_, _>>()?),
            Ast::Not(a) => Expr::not(self.expr(a)?),
            Ast::Name { name, pos } => self.name(name, *pos)?,
            Ast::Check(c) => self.check(c)?,
        })
    }

    fn name(&mut self, name: &str, pos: usize) -> Result<Expr, CompileError> {
        if self.macros.contains_key(name) {
            return self.macro_expr(name).map_err(|e| {
                let location = self.macros.get(name).map_or("", |m| m.location.as_str());
                match e.pos {
                    // The error is in the macro's own text: point there.
                    Some(p) => CompileError::at(pos, format!("macro {name:?} ({location}), at column {}: {}", p + 1, e.message)),
                    None => CompileError::at(pos, format!("macro {name:?} ({location}): {}", e.message)),
                }
            });
        }
        if self.lists.contains_key(name) {
            return Err(CompileError::at(pos, format!("{name:?} is a list; use it as a value, e.g. `proc.name in ({name})`")));
        }
        if FieldRef::parse(name).is_ok() {
            return Err(CompileError::at(pos, format!("field {name:?} needs an operator, e.g. `{name} exists` or `{name} = value`")));
        }
        let mut msg = format!("undefined macro {name:?}");
        if let Some(s) = closest(name, self.macros.keys().chain(self.lists.keys()).map(String::as_str)) {
            msg.push_str(&format!("; did you mean {s:?}?"));
        } else if name.contains('.') {
            msg = match FieldRef::parse(name) {
                Err(e) => e,
                Ok(_) => msg,
            };
        }
        Err(CompileError::at(pos, msg))
    }

    /// Values of a list operand, with list names expanded.
    fn values(&self, items: &[Value]) -> Vec<(String, usize)> {
        let mut out = Vec::new();
        for v in items {
            match self.lists.get(&v.text).filter(|_| !v.quoted) {
                Some(l) => out.extend(l.iter().map(|s| (s.clone(), v.pos))),
                None => out.push((v.text.clone(), v.pos)),
            }
        }
        out
    }

    pub fn check(&mut self, c: &Check) -> Result<Expr, CompileError> {
        // fnwarden reports each syscall once, on exit, so every direction test holds.
        if c.field == "evt.dir" {
            return Ok(Expr::Const(true));
        }
        let name = ALIASES.iter().find(|(a, _)| *a == c.field).map_or(c.field.as_str(), |(_, to)| to);
        let field = FieldRef::parse(name).map_err(|e| CompileError::at(c.pos, e))?;
        let ty = field.ty();
        let op = c.op.as_str();
        let bad_type = |what: &str| CompileError::at(c.op_pos, format!("operator `{op}` {what}; {} is {}", c.field, article(ty)));

        if let Rhs::Field { name, pos } = &c.rhs {
            let other = FieldRef::parse(name).map_err(|e| CompileError::at(*pos, e))?;
            let eq = Expr::pred(field, Op::FieldEq { other, cased: true });
            return match op {
                "=" | "==" => Ok(eq),
                "!=" => Ok(Expr::not(eq)),
                _ => Err(CompileError::at(c.op_pos, format!("val(…) can only be compared with = or !=, not `{op}`"))),
            };
        }
        let single = |rhs: &Rhs| -> Result<(String, usize), CompileError> {
            match rhs {
                Rhs::Value(v) => Ok((v.text.clone(), v.pos)),
                _ => Err(CompileError::at(c.op_pos, format!("operator `{op}` takes one value, not a list"))),
            }
        };
        let list = |s: &Self| -> Result<Vec<(String, usize)>, CompileError> {
            match &c.rhs {
                Rhs::List(items) => Ok(s.values(items)),
                Rhs::Value(v) => Ok(s.values(std::slice::from_ref(v))),
                _ => Err(CompileError::at(c.op_pos, format!("operator `{op}` needs a list like (a, b)"))),
            }
        };
        let pred = |op: Op| Expr::pred(field.clone(), op);

        if op == "exists" {
            return Ok(pred(Op::Exists));
        }
        // JSON values compare as text, except under ordering operators.
        let stringy =
            matches!(ty, FieldType::Str | FieldType::StrList) || (ty == FieldType::Json && !matches!(op, "<" | "<=" | ">" | ">="));
        let expr = match ty {
            _ if stringy => {
                let s = |sop: StrOp, value: String, cased: bool| pred(Op::Str { op: sop, value, cased });
                match op {
                    "=" | "==" => s(StrOp::Eq, single(&c.rhs)?.0, true),
                    "!=" => Expr::And(vec![pred(Op::Exists), Expr::not(s(StrOp::Eq, single(&c.rhs)?.0, true))]),
                    "contains" | "bcontains" => s(StrOp::Contains, single(&c.rhs)?.0, true),
                    "icontains" => s(StrOp::Contains, single(&c.rhs)?.0, false),
                    "startswith" | "bstartswith" => s(StrOp::StartsWith, single(&c.rhs)?.0, true),
                    "endswith" => s(StrOp::EndsWith, single(&c.rhs)?.0, true),
                    "glob" | "iglob" => {
                        let (v, pos) = single(&c.rhs)?;
                        pred(Op::glob(&v, op == "glob").map_err(|e| CompileError::at(pos, e))?)
                    }
                    "regex" => {
                        // Falco's regex must match the whole value (RE2 full match).
                        let (v, pos) = single(&c.rhs)?;
                        pred(Op::regex(&format!("^(?:{v})$"), false, false, false).map_err(|e| CompileError::at(pos, e))?)
                    }
                    "in" | "intersects" => Expr::or(list(self)?.into_iter().map(|(v, _)| s(StrOp::Eq, v, true)).collect()),
                    "pmatch" => pred(Op::PathPrefix(list(self)?.into_iter().map(|(v, _)| v).collect())),
                    _ => return Err(bad_type("compares numbers")),
                }
            }
            FieldType::Int | FieldType::Float | FieldType::Json | FieldType::Str | FieldType::StrList => {
                let num = |(v, pos): (String, usize)| -> Result<f64, CompileError> {
                    parse_number(&v).ok_or_else(|| CompileError::at(pos, format!("{v:?} is not a number, and {} is numeric", c.field)))
                };
                let n = |cmp: Cmp, value: f64| pred(Op::Num { cmp, value });
                match op {
                    "=" | "==" => n(Cmp::Eq, num(single(&c.rhs)?)?),
                    "!=" => n(Cmp::Ne, num(single(&c.rhs)?)?),
                    "<" => n(Cmp::Lt, num(single(&c.rhs)?)?),
                    "<=" => n(Cmp::Le, num(single(&c.rhs)?)?),
                    ">" => n(Cmp::Gt, num(single(&c.rhs)?)?),
                    ">=" => n(Cmp::Ge, num(single(&c.rhs)?)?),
                    "in" | "intersects" => {
                        Expr::or(list(self)?.into_iter().map(|v| num(v).map(|x| n(Cmp::Eq, x))).collect::<Result<_, _>>()?)
                    }
                    _ => return Err(bad_type("applies to strings")),
                }
            }
            FieldType::Ip => {
                let ip = |(v, pos): (String, usize)| -> Result<Op, CompileError> {
                    parse_net(&v)
                        .map(|net| Op::Ip { net })
                        .ok_or_else(|| CompileError::at(pos, format!("{v:?} is not an IP address or network, and {} is an IP", c.field)))
                };
                match op {
                    "=" | "==" => pred(ip(single(&c.rhs)?)?),
                    "!=" => Expr::And(vec![pred(Op::Exists), Expr::not(pred(ip(single(&c.rhs)?)?))]),
                    "in" | "intersects" => Expr::or(list(self)?.into_iter().map(|v| ip(v).map(pred)).collect::<Result<_, _>>()?),
                    _ => return Err(bad_type("does not apply to IP addresses (use =, != or in, with addresses or CIDR networks)")),
                }
            }
            FieldType::Bool => {
                let (v, pos) = single(&c.rhs)?;
                let b = match v.to_ascii_lowercase().as_str() {
                    "true" => true,
                    "false" => false,
                    _ => return Err(CompileError::at(pos, format!("{v:?} is not true or false, and {} is a boolean", c.field))),
                };
                match op {
                    "=" | "==" => pred(Op::Bool(b)),
                    "!=" => pred(Op::Bool(!b)),
                    _ => return Err(bad_type("does not apply to booleans (use = true or = false)")),
                }
            }
        };
        // Belt and braces: the IR's own typing must agree with what was built.
        let mut ok = true;
        expr.for_each_pred(&mut |p| ok &= p.op.fits(p.field.ty()));
        if !ok {
            return Err(bad_type("does not fit the field's type"));
        }
        Ok(expr)
    }
}

fn article(ty: FieldType) -> &'static str {
    match ty {
        FieldType::Str => "a string",
        FieldType::Int => "an integer",
        FieldType::Float => "a number",
        FieldType::Bool => "a boolean",
        FieldType::Ip => "an IP address",
        FieldType::StrList => "a list of strings",
        FieldType::Json => "a JSON value",
    }
}

fn parse_number(v: &str) -> Option<f64> {
    if let Some(hex) = v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
        return i64::from_str_radix(hex, 16).ok().map(|n| n as f64);
    }
    v.parse::<f64>().ok().filter(|f| f.is_finite())
}

pub fn parse_net(v: &str) -> Option<ipnet::IpNet> {
    v.parse::<ipnet::IpNet>().ok().or_else(|| v.parse::<std::net::IpAddr>().ok().map(ipnet::IpNet::from))
}

/// The candidate closest to `name`, if close enough to be a likely typo.
pub fn closest<'b>(name: &str, candidates: impl Iterator<Item = &'b str>) -> Option<&'b str> {
    fnwarden_event::field::suggest(name, candidates).into_iter().next()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope_parts() -> (HashMap<String, Vec<String>>, HashMap<String, MacroSrc>) {
        let lists = HashMap::from([("shells".to_owned(), vec!["sh".to_owned(), "bash".to_owned()])]);
        let macros = HashMap::from([
            ("spawned".to_owned(), MacroSrc { condition: "evt.type = execve".into(), location: "m.yaml:1".into() }),
            ("loop_a".to_owned(), MacroSrc { condition: "loop_b".into(), location: "m.yaml:2".into() }),
            ("loop_b".to_owned(), MacroSrc { condition: "loop_a".into(), location: "m.yaml:3".into() }),
            ("broken".to_owned(), MacroSrc { condition: "proc.nme = x".into(), location: "m.yaml:4".into() }),
        ]);
        (lists, macros)
    }

    fn compile(text: &str) -> Result<Expr, CompileError> {
        let (l, m) = scope_parts();
        Scope::new(&l, &m).condition(text)
    }

    #[test]
    fn lists_and_macros_expand() {
        let e = compile("spawned and proc.name in (shells, zsh)").unwrap();
        let Expr::And(parts) = e else { panic!("{e:?}") };
        assert_eq!(parts.len(), 2);
        let Expr::Or(names) = &parts[1] else { panic!() };
        assert_eq!(names.len(), 3);
    }

    #[test]
    fn errors_name_the_problem() {
        let e = compile("proc.name = sh and spawnd").unwrap_err();
        assert_eq!(e.pos, Some(19));
        assert!(e.message.contains("did you mean \"spawned\""), "{}", e.message);
        let e = compile("proc.pid contains 3").unwrap_err();
        assert!(e.message.contains("applies to strings") && e.message.contains("integer"), "{}", e.message);
        let e = compile("proc.name > 3").unwrap_err();
        assert!(e.message.contains("compares numbers"), "{}", e.message);
        let e = compile("loop_a").unwrap_err();
        assert!(e.message.contains("cycle"), "{}", e.message);
        let e = compile("broken").unwrap_err();
        assert!(e.message.contains("m.yaml:4") && e.message.contains("proc.nme"), "{}", e.message);
        assert!(compile("fd.sip = notanip").unwrap_err().message.contains("not an IP"));
        assert!(compile("proc.pid = abc").unwrap_err().message.contains("not a number"));
        assert!(compile("proc.tty = maybe").unwrap_err().message.contains("true or false"));
        assert!(compile("shells").unwrap_err().message.contains("is a list"));
        assert!(compile("proc.name").unwrap_err().message.contains("needs an operator"));
        assert!(compile("proc.name regex '('").unwrap_err().message.contains("bad regular expression"));
    }

    #[test]
    fn evt_dir_always_holds() {
        assert_eq!(compile("evt.dir = <").unwrap(), Expr::Const(true));
    }

    #[test]
    fn typos_get_suggestions() {
        assert_eq!(closest("spawnd", ["spawned", "other"].into_iter()), Some("spawned"));
        assert_eq!(closest("zzzzzz", ["spawned"].into_iter()), None);
    }
}
