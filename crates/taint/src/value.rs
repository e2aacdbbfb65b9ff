//! The abstract value the analysis tracks for each variable: where its taint comes from (the
//! event, or which parameters of the function being summarised), which sink classes it has
//! been sanitized for, and one trace that explains it.

use std::rc::Rc;

use fnwarden_project::ScanRule;

use crate::rules;

/// A sink class, as a bit so sanitizers can clear several at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sink {
    Command = 1,
    Eval = 2,
    Sql = 4,
    Deserialize = 8,
    Path = 16,
    Ssrf = 32,
    Html = 64,
}

pub const ALL_SINKS: u8 = 127;

impl Sink {
    pub fn rule(self) -> &'static ScanRule {
        match self {
            Sink::Command => &rules::COMMAND,
            Sink::Eval => &rules::EVAL,
            Sink::Sql => &rules::SQL,
            Sink::Deserialize => &rules::DESERIALIZE,
            Sink::Path => &rules::PATH,
            Sink::Ssrf => &rules::SSRF,
            Sink::Html => &rules::HTML,
        }
    }

    pub fn what(self) -> &'static str {
        match self {
            Sink::Command => "OS command",
            Sink::Eval => "code evaluation",
            Sink::Sql => "SQL query",
            Sink::Deserialize => "unsafe deserializer",
            Sink::Path => "file path",
            Sink::Ssrf => "outbound request URL",
            Sink::Html => "HTML output",
        }
    }
}

/// The label of attacker data proper (the event, a framework request object).
pub const SOURCE: u64 = 1 << 63;
/// Labels 0..MAX_PARAMS stand for the parameters of the function being summarised.
pub const MAX_PARAMS: usize = 62;
/// Traces longer than this stop growing (loops would otherwise lengthen them forever).
const MAX_STEPS: u16 = 24;

/// One step of a trace, linked to the step before it; shared between values, never copied.
#[derive(Debug)]
pub struct Step {
    pub file: u32,
    pub line: u32,
    pub note: String,
    /// The label this chain started from (a parameter bit, or `SOURCE`).
    pub root: u64,
    pub len: u16,
    pub prev: Option<Rc<Step>>,
}

pub type Trace = Option<Rc<Step>>;

#[derive(Clone, Debug, Default)]
pub struct Taint {
    /// Which labels reach this value; 0 is clean.
    pub labels: u64,
    /// Sink classes this value was sanitized for.
    pub cleared: u8,
    /// Built with HTML markup around attacker data, or declared `text/html`.
    pub html: bool,
    /// Built by string concatenation or formatting (an SQL string, not a query object).
    pub built: bool,
    pub trace: Trace,
}

impl Taint {
    pub fn clean() -> Taint {
        Taint::default()
    }

    pub fn root(label: u64, file: u32, line: u32, note: String) -> Taint {
        let step = Step { file, line, note, root: label, len: 1, prev: None };
        Taint { labels: label, cleared: 0, html: false, built: false, trace: Some(Rc::new(step)) }
    }

    pub fn is_tainted(&self) -> bool {
        self.labels != 0
    }

    /// Tainted for this sink class: some label reaches it and no sanitizer cleared the class.
    pub fn reaches(&self, sink: Sink) -> bool {
        self.labels != 0 && self.cleared & sink as u8 == 0
    }

    /// The join of two values: labels add up, a class stays cleared only if both cleared it.
    pub fn join(&mut self, other: &Taint) {
        if !other.is_tainted() {
            return;
        }
        if !self.is_tainted() {
            *self = other.clone();
            return;
        }
        self.labels |= other.labels;
        self.cleared &= other.cleared;
        self.html |= other.html;
        self.built |= other.built;
        // Prefer the trace that starts at the event: it is the one findings print.
        let mine = self.trace.as_ref().map(|s| s.root);
        if mine != Some(SOURCE) && other.trace.as_ref().is_some_and(|s| s.root == SOURCE) {
            self.trace = other.trace.clone();
        }
    }

    pub fn sanitized(mut self, classes: u8) -> Taint {
        self.cleared |= classes;
        if self.cleared == ALL_SINKS { Taint::clean() } else { self }
    }

    /// The same value, one step further along its trace.
    pub fn step(&self, file: u32, line: u32, note: impl FnOnce() -> String) -> Taint {
        let Some(prev) = &self.trace else { return self.clone() };
        if prev.len >= MAX_STEPS || (prev.file == file && prev.line == line) {
            return self.clone();
        }
        let step = Step { file, line, note: note(), root: prev.root, len: prev.len + 1, prev: Some(prev.clone()) };
        Taint { trace: Some(Rc::new(step)), ..self.clone() }
    }
}

/// The steps of a trace, first to last.
pub fn steps(trace: &Trace) -> Vec<&Step> {
    let mut out = Vec::new();
    let mut cur = trace.as_deref();
    while let Some(s) = cur {
        out.push(s);
        cur = s.prev.as_deref();
    }
    out.reverse();
    out
}
