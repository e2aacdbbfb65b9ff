//! The one representation both dialects compile into, and the engine runs.

use std::path::PathBuf;

use fnwarden_event::field::KindMask;
use fnwarden_event::{Event, FieldRef, FieldType};

/// A boolean condition over one event.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Const(bool),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    Pred(Pred),
}

/// One test of one field. A missing field makes every operator false except under `Not`.
#[derive(Clone, Debug, PartialEq)]
pub struct Pred {
    pub field: FieldRef,
    pub op: Op,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StrOp {
    Eq,
    Contains,
    StartsWith,
    EndsWith,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    pub fn test(self, a: f64, b: f64) -> bool {
        match self {
            Cmp::Eq => a == b,
            Cmp::Ne => a != b,
            Cmp::Lt => a < b,
            Cmp::Le => a <= b,
            Cmp::Gt => a > b,
            Cmp::Ge => a >= b,
        }
    }
}

/// Parts of a timestamp, for Sigma's time modifiers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TimePart {
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Year,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    /// The field is present (non-empty for strings).
    Exists,
    /// String comparison; for lists and JSON, true when any element matches. `cased: false`
    /// folds ASCII case.
    Str {
        op: StrOp,
        value: String,
        cased: bool,
    },
    /// Shell glob (`*`, `?`, `[...]`) over the whole value. Build with [`Op::glob`].
    Glob(Pattern),
    /// A regular expression, unanchored unless the pattern anchors itself. Build with
    /// [`Op::regex`], which checks the pattern.
    Regex(Pattern),
    /// Numeric comparison.
    Num {
        cmp: Cmp,
        value: f64,
    },
    /// IP in a network; an address is a /32 or /128 network.
    Ip {
        net: ipnet::IpNet,
    },
    Bool(bool),
    /// Path prefix match against any of the given directories (Falco `pmatch`).
    PathPrefix(Vec<String>),
    /// Compare with another field of the same event (Sigma `fieldref`).
    FieldEq {
        other: FieldRef,
        cased: bool,
    },
    /// Compare a part of a timestamp field.
    TimePart {
        part: TimePart,
        cmp: Cmp,
        value: i64,
    },
}

impl Op {
    /// Whether the operator can apply to a field of type `ty`. Dialects call this at load.
    pub fn fits(&self, ty: FieldType) -> bool {
        use FieldType as T;
        match self {
            Op::Exists | Op::FieldEq { .. } => true,
            Op::Str { .. } | Op::Glob(_) | Op::Regex(_) | Op::PathPrefix(_) => matches!(ty, T::Str | T::StrList | T::Json),
            Op::Num { .. } => matches!(ty, T::Int | T::Float | T::Json),
            Op::Ip { .. } => matches!(ty, T::Ip | T::Str | T::Json),
            Op::Bool(_) => matches!(ty, T::Bool | T::Json),
            Op::TimePart { .. } => matches!(ty, T::Int | T::Str | T::Json),
        }
    }
}

/// A compiled regular expression (or glob) that compares by its source text.
#[derive(Clone, Debug)]
pub struct Pattern {
    /// The pattern as the rule wrote it.
    pub source: String,
    /// The regular expression it compiled to.
    pub regex: String,
    pub insensitive: bool,
    pub compiled: std::sync::Arc<regex_automata::meta::Regex>,
}

impl PartialEq for Pattern {
    fn eq(&self, o: &Self) -> bool {
        self.regex == o.regex && self.insensitive == o.insensitive
    }
}

impl Op {
    /// A regular expression with Sigma's `i`, `m` and `s` flags; errors name the problem.
    pub fn regex(pattern: &str, insensitive: bool, multiline: bool, dotall: bool) -> Result<Op, String> {
        Pattern::new(pattern, pattern.to_owned(), insensitive, multiline, dotall).map(Op::Regex)
    }

    /// A glob over the whole value: `*` any run, `?` one character, `[abc]` a class.
    pub fn glob(pattern: &str, cased: bool) -> Result<Op, String> {
        let mut re = String::from("^");
        let mut chars = pattern.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '*' => re.push_str("(?s:.*)"),
                '?' => re.push_str("(?s:.)"),
                '\\' => match chars.next() {
                    Some(n) => push_escaped(&mut re, n),
                    None => push_escaped(&mut re, '\\'),
                },
                '[' => {
                    let mut class = String::new();
                    let mut closed = false;
                    for n in chars.by_ref() {
                        if n == ']' && !class.is_empty() {
                            closed = true;
                            break;
                        }
                        class.push(n);
                    }
                    if !closed {
                        return Err(format!("glob {pattern:?}: unclosed '['"));
                    }
                    re.push('[');
                    if let Some(rest) = class.strip_prefix('!') {
                        re.push('^');
                        re.push_str(&rest.replace('\\', "\\\\"));
                    } else {
                        re.push_str(&class.replace('\\', "\\\\"));
                    }
                    re.push(']');
                }
                c => push_escaped(&mut re, c),
            }
        }
        re.push('$');
        Pattern::new(&re, pattern.to_owned(), !cased, false, false).map(Op::Glob)
    }
}

fn push_escaped(re: &mut String, c: char) {
    if r"\.+*?()|[]{}^$#&-~".contains(c) {
        re.push('\\');
    }
    re.push(c);
}

impl Pattern {
    fn new(regex: &str, source: String, insensitive: bool, multiline: bool, dotall: bool) -> Result<Pattern, String> {
        let syntax =
            regex_automata::util::syntax::Config::new().case_insensitive(insensitive).multi_line(multiline).dot_matches_new_line(dotall);
        let compiled = regex_automata::meta::Builder::new()
            .syntax(syntax)
            .configure(regex_automata::meta::Config::new().nfa_size_limit(Some(8 << 20)))
            .build(regex)
            .map_err(|e| format!("bad regular expression {source:?}: {e}"))?;
        Ok(Pattern { source, regex: regex.to_owned(), insensitive, compiled: std::sync::Arc::new(compiled) })
    }

    pub fn is_match(&self, s: &str) -> bool {
        self.compiled.is_match(s)
    }
}

impl Expr {
    pub fn and(v: Vec<Expr>) -> Expr {
        if v.len() == 1 { v.into_iter().next().unwrap_or(Expr::Const(true)) } else { Expr::And(v) }
    }

    pub fn or(v: Vec<Expr>) -> Expr {
        if v.len() == 1 { v.into_iter().next().unwrap_or(Expr::Const(false)) } else { Expr::Or(v) }
    }

    #[allow(clippy::should_implement_trait)]
    pub fn not(e: Expr) -> Expr {
        match e {
            Expr::Not(inner) => *inner,
            Expr::Const(b) => Expr::Const(!b),
            e => Expr::Not(Box::new(e)),
        }
    }

    pub fn pred(field: FieldRef, op: Op) -> Expr {
        Expr::Pred(Pred { field, op })
    }

    /// Visits every predicate.
    pub fn for_each_pred<'a>(&'a self, f: &mut dyn FnMut(&'a Pred)) {
        match self {
            Expr::Const(_) => {}
            Expr::And(v) | Expr::Or(v) => v.iter().for_each(|e| e.for_each_pred(f)),
            Expr::Not(e) => e.for_each_pred(f),
            Expr::Pred(p) => f(p),
        }
    }
}

/// Severity on one scale for every dialect and source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    #[default]
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// The padded upper-case label terminal tables show, in ANSI colour when `colour`.
    pub fn label(self, colour: bool) -> String {
        let label = format!("{:<8}", self.name().to_ascii_uppercase());
        if !colour {
            return label;
        }
        let code = match self {
            Severity::Critical => "1;31",
            Severity::High => "31",
            Severity::Medium => "33",
            Severity::Low => "36",
            Severity::Info => "2",
        };
        format!("\x1b[{code}m{label}\x1b[0m")
    }

    /// Parses Sigma levels and Falco priorities alike (case-insensitive).
    pub fn parse(s: &str) -> Option<Severity> {
        Some(match s.to_ascii_lowercase().as_str() {
            "informational" | "info" | "debug" => Severity::Info,
            "low" | "notice" => Severity::Low,
            "medium" | "warning" | "warn" => Severity::Medium,
            "high" | "error" => Severity::High,
            "critical" | "alert" | "emergency" => Severity::Critical,
            _ => return None,
        })
    }

    /// The Falco priority for Falco-compatible output.
    pub fn falco_priority(self) -> &'static str {
        match self {
            Severity::Info => "Informational",
            Severity::Low => "Notice",
            Severity::Medium => "Warning",
            Severity::High => "Error",
            Severity::Critical => "Critical",
        }
    }
}

/// Where a rule came from.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Source {
    pub file: PathBuf,
    pub line: usize,
}

/// What a rule is, for people and for alerts.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct RuleMeta {
    /// Stable id: Sigma's `id`, or the Falco rule name.
    pub id: String,
    /// Sigma `name`, when given (correlations may reference it).
    pub name: Option<String>,
    pub title: String,
    pub description: String,
    pub author: String,
    pub severity: Severity,
    /// Priority as the rule wrote it, for Falco output (`Warning`, `CRITICAL` …).
    pub priority: Option<String>,
    pub tags: Vec<String>,
    /// MITRE ATT&CK technique ids (`T1552.001`), from tags.
    pub mitre: Vec<String>,
    pub references: Vec<String>,
    pub falsepositives: Vec<String>,
    pub remediation: String,
    /// License terms that travel with alerts (SigmaHQ's DRL asks for author and title).
    pub license: Option<String>,
    pub source: Source,
    pub dialect: crate::Dialect,
    pub enabled: bool,
    /// Whether a match raises an alert by itself (Sigma rules used only by a correlation do not).
    pub generate: bool,
}

/// Extracts ATT&CK technique ids from tags like `attack.t1059.004`, `T1611`, `mitre_T1055`.
pub fn mitre_from_tags(tags: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in tags {
        let lower = t.to_ascii_lowercase();
        let parts: Vec<&str> = lower.split(['.', '_', ':', ' ', '-']).collect();
        let is_technique = |p: &str| p.len() == 5 && p.starts_with('t') && p[1..].bytes().all(|b| b.is_ascii_digit());
        let Some(i) = parts.iter().position(|p| is_technique(p)) else { continue };
        let mut id = parts[i].to_ascii_uppercase();
        if let Some(sub) = parts.get(i + 1).filter(|s| s.len() == 3 && s.bytes().all(|b| b.is_ascii_digit())) {
            id.push('.');
            id.push_str(sub);
        }
        if !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

/// A piece of an output template.
#[derive(Clone, Debug, PartialEq)]
pub enum TemplatePart {
    Lit(String),
    Field(FieldRef),
}

/// A Falco output line with `%field` references, checked at load.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Template {
    pub parts: Vec<TemplatePart>,
}

impl Template {
    /// Parses `text`, where `%proc.name` or `%proc.aname[2]` name fields. `%%` is a literal `%`.
    pub fn parse(text: &str) -> Result<Template, String> {
        let mut parts = Vec::new();
        let mut lit = String::new();
        let mut rest = text;
        while let Some(i) = rest.find('%') {
            lit.push_str(&rest[..i]);
            rest = &rest[i + 1..];
            if let Some(r) = rest.strip_prefix('%') {
                lit.push('%');
                rest = r;
                continue;
            }
            let end = field_token_end(rest);
            if end == 0 {
                lit.push('%');
                continue;
            }
            let name = rest[..end].trim_end_matches('.');
            let field = FieldRef::parse(name)?;
            if !lit.is_empty() {
                parts.push(TemplatePart::Lit(std::mem::take(&mut lit)));
            }
            parts.push(TemplatePart::Field(field));
            rest = &rest[name.len()..];
        }
        lit.push_str(rest);
        if !lit.is_empty() {
            parts.push(TemplatePart::Lit(lit));
        }
        Ok(Template { parts })
    }

    /// Renders against an event; missing fields print as `<NA>` like Falco.
    pub fn render(&self, ev: &Event) -> String {
        let mut s = String::new();
        for p in &self.parts {
            match p {
                TemplatePart::Lit(l) => s.push_str(l),
                TemplatePart::Field(f) => match ev.get(f) {
                    Some(v) => s.push_str(&v.render()),
                    None => s.push_str("<NA>"),
                },
            }
        }
        s
    }

    pub fn fields(&self) -> impl Iterator<Item = &FieldRef> {
        self.parts.iter().filter_map(|p| match p {
            TemplatePart::Field(f) => Some(f),
            TemplatePart::Lit(_) => None,
        })
    }
}

fn field_token_end(s: &str) -> usize {
    let mut depth = 0;
    for (i, c) in s.char_indices() {
        match c {
            '[' => depth += 1,
            ']' if depth > 0 => depth -= 1,
            c if depth > 0 || c.is_ascii_alphanumeric() || c == '.' || c == '_' => {}
            _ => return i,
        }
    }
    s.len()
}

/// An event that a rule's embedded test says must, or must not, match.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleTest {
    pub event: Event,
    pub should_match: bool,
    /// Where the test event stands in the rule file.
    pub line: usize,
}

/// What fnwarden does when a rule matches, beyond alerting (enforcement comes with the sensor).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Action {
    #[default]
    Alert,
    Kill,
    Deny,
}

/// A stateless rule: one condition over one event.
#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    pub meta: RuleMeta,
    pub condition: Expr,
    /// Event kinds the rule is restricted to (from a Sigma logsource); the engine narrows this
    /// further from the condition.
    pub kinds: KindMask,
    pub output: Option<Template>,
    pub action: Action,
    pub tests: Vec<RuleTest>,
}

/// Sigma correlation types.
#[derive(Clone, Debug, PartialEq)]
pub enum CorrelationKind {
    EventCount,
    ValueCount { field: FieldRef },
    Temporal,
    TemporalOrdered,
    ValueSum { field: FieldRef },
    ValueAvg { field: FieldRef },
    ValuePercentile { field: FieldRef, percentile: f64 },
    ValueMedian { field: FieldRef },
}

/// The threshold a correlation's aggregate is compared with.
#[derive(Clone, Debug, PartialEq)]
pub struct Threshold {
    pub conditions: Vec<(Cmp, f64)>,
}

impl Threshold {
    pub fn test(&self, v: f64) -> bool {
        self.conditions.iter().all(|(c, x)| c.test(v, *x))
    }
}

/// A stateful rule over the matches of other rules within a window, per group.
#[derive(Clone, Debug, PartialEq)]
pub struct Correlation {
    pub meta: RuleMeta,
    pub kind: CorrelationKind,
    /// Referenced rules by id or name, as written.
    pub rules: Vec<String>,
    /// Group-by fields; each referenced rule may map an alias to its own field, so this is
    /// `group_by[i][rule_index_in_rules]`.
    pub group_by: Vec<GroupField>,
    pub timespan_ns: i64,
    /// For temporal kinds, unused (every rule must be seen).
    pub threshold: Threshold,
    /// Sigma `generate`: whether the referenced rules still alert on their own.
    pub generate: bool,
    pub tests: Vec<CorrelationTest>,
}

/// A group-by key: one field, or per referenced rule its own field (Sigma aliases).
#[derive(Clone, Debug, PartialEq)]
pub struct GroupField {
    pub name: String,
    /// Same order as [`Correlation::rules`]; all equal when there is no alias.
    pub per_rule: Vec<FieldRef>,
}

/// A sequence of events that must, or must not, raise the correlation.
#[derive(Clone, Debug, PartialEq)]
pub struct CorrelationTest {
    pub events: Vec<Event>,
    pub should_match: bool,
    pub line: usize,
}

#[cfg(test)]
mod tests {
    use super::*;
    use fnwarden_event::{EventKind, Process, Timestamp};

    #[test]
    fn mitre_ids_come_from_tags() {
        let tags: Vec<String> =
            ["attack.t1059.004", "attack.execution", "T1611", "mitre_t1055", "attack.t1059.004"].iter().map(|s| s.to_string()).collect();
        assert_eq!(mitre_from_tags(&tags), vec!["T1059.004", "T1611", "T1055"]);
    }

    #[test]
    fn templates_render_fields() {
        let t = Template::parse("shell %proc.name (parent=%proc.pname) 100%% sure").unwrap();
        let mut e = Event::new(EventKind::Execve, Timestamp(0));
        e.process = Some(Process { exe: "/bin/sh".into(), ..Default::default() });
        e.normalize();
        assert_eq!(t.render(&e), "shell sh (parent=<NA>) 100% sure");
        assert!(Template::parse("%proc.nope").is_err());
    }

    #[test]
    fn severities_parse_from_both_dialects() {
        assert_eq!(Severity::parse("WARNING"), Some(Severity::Medium));
        assert_eq!(Severity::parse("critical"), Some(Severity::Critical));
        assert_eq!(Severity::parse("informational"), Some(Severity::Info));
        assert_eq!(Severity::parse("bogus"), None);
    }
}
