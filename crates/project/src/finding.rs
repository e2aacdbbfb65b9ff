use serde::{Serialize, Serializer};

use crate::{Location, ScanRule, Severity};

/// One step of a finding's story: source → … → sink for taint, trigger → handler → sink for
/// chains, statement → statement for escalation combinations.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TraceStep {
    pub location: Location,
    pub note: String,
}

/// One problem found by a static analyser.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    #[serde(serialize_with = "rule_id")]
    pub rule: &'static ScanRule,
    /// Usually the rule's; chains and unshipped packages change it.
    pub severity: Severity,
    /// For people: what is wrong here, naming the values involved.
    pub message: String,
    /// Where to look (for taint: the sink).
    pub location: Location,
    /// The deployed function this concerns, by its IaC name. Analysers set it when they know;
    /// the scan fills it in from the file's owner otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub function: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub trace: Vec<TraceStep>,
    /// Stable across line shifts (rule, file, function, the flagged line's text); the scan
    /// fills it in. Baselines and SARIF `partialFingerprints` use it.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub fingerprint: String,
}

fn rule_id<S: Serializer>(rule: &&'static ScanRule, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(rule.id)
}

impl Finding {
    /// A finding at the rule's own severity.
    pub fn new(rule: &'static ScanRule, location: Location, message: impl Into<String>) -> Finding {
        Finding {
            rule,
            severity: rule.severity,
            message: message.into(),
            location,
            function: None,
            trace: Vec::new(),
            fingerprint: String::new(),
        }
    }

    pub fn with_function(mut self, function: impl Into<String>) -> Finding {
        self.function = Some(function.into());
        self
    }

    pub fn with_trace(mut self, trace: Vec<TraceStep>) -> Finding {
        self.trace = trace;
        self
    }
}
