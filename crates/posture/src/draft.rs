//! Findings before they are final: the same statement reached through several functions (a shared
//! role, Serverless `provider.iam` copied into every function) becomes one finding that names them
//! all, instead of one per function.

use std::collections::{BTreeMap, BTreeSet};

use fnwarden_project::{Finding, Location, ScanRule, Severity, TraceStep};

pub struct Draft {
    pub rule: &'static ScanRule,
    pub severity: Severity,
    pub message: String,
    pub location: Location,
    pub trace: Vec<TraceStep>,
    pub functions: BTreeSet<String>,
}

impl Draft {
    pub fn new(rule: &'static ScanRule, location: Location, message: impl Into<String>) -> Draft {
        Draft { rule, severity: rule.severity, message: message.into(), location, trace: Vec::new(), functions: BTreeSet::new() }
    }

    pub fn severity(mut self, severity: Severity) -> Draft {
        self.severity = severity;
        self
    }

    pub fn trace(mut self, trace: Vec<TraceStep>) -> Draft {
        self.trace = trace;
        self
    }

    pub fn functions<'a>(mut self, names: impl IntoIterator<Item = &'a str>) -> Draft {
        self.functions.extend(names.into_iter().map(str::to_owned));
        self
    }
}

#[derive(Default)]
pub struct Drafts {
    by_key: BTreeMap<(Location, &'static str, String), Draft>,
}

impl Drafts {
    /// Adds a draft, or merges its functions into an equal one (same rule, place and message).
    pub fn add(&mut self, draft: Draft) {
        let key = (draft.location.clone(), draft.rule.id, draft.message.clone());
        match self.by_key.get_mut(&key) {
            Some(existing) => {
                existing.functions.extend(draft.functions);
                existing.severity = existing.severity.max(draft.severity);
            }
            None => {
                self.by_key.insert(key, draft);
            }
        }
    }

    /// Sorted by file, line, rule. One function: it is the finding's; several: the message names them.
    pub fn into_findings(self) -> Vec<Finding> {
        self.by_key
            .into_values()
            .map(|d| {
                let mut message = d.message;
                let function = match d.functions.len() {
                    0 => None,
                    1 => d.functions.into_iter().next(),
                    _ => {
                        let names: Vec<String> = d.functions.into_iter().collect();
                        message.push_str(&format!(" (functions {})", names.join(", ")));
                        None
                    }
                };
                let mut f = Finding::new(d.rule, d.location, message).with_trace(d.trace);
                f.severity = d.severity;
                f.function = function;
                f
            })
            .collect()
    }
}
