//! Turning rule matches into alerts.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use fnwarden_alert::{Alert, AlertRule};
use fnwarden_event::{Event, Timestamp};
use fnwarden_rules::{Rule, RuleMeta, Template};

static NEXT_ID: AtomicU64 = AtomicU64::new(0);

/// A unique, sortable alert id: detection time plus a process-wide counter.
pub fn alert_id(now: Timestamp) -> String {
    let n = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    format!("{:016x}-{n:06x}", now.0)
}

/// What every alert of one rule shares, prepared once when the engine is built.
pub struct RuleAlerting {
    pub rule: Arc<AlertRule>,
    /// The names of the output's fields, in template order.
    output_names: Vec<String>,
}

impl RuleAlerting {
    pub fn new(meta: &RuleMeta, output: Option<&Template>) -> Self {
        let output_names = output.map(|t| t.fields().map(ToString::to_string).collect()).unwrap_or_default();
        RuleAlerting { rule: Arc::new(AlertRule::from(meta)), output_names }
    }
}

/// An alert of `rule` on its evidence (oldest first), with the severity, ATT&CK ids and remediation
/// of `meta`; for rules and for any other detector.
pub fn from_meta(meta: &RuleMeta, rule: Arc<AlertRule>, message: String, evidence: Vec<Arc<Event>>) -> Alert {
    let last = evidence.last();
    let now = Timestamp::now();
    Alert {
        id: alert_id(now),
        time: last.map_or(now, |e| e.time),
        detected_at: now,
        rule,
        severity: meta.severity,
        mitre: meta.mitre.clone(),
        function: last.map(|e| e.function.clone()).unwrap_or_default(),
        host: last.and_then(|e| e.host.clone()),
        message,
        remediation: meta.remediation.clone(),
        evidence,
        output_fields: BTreeMap::new(),
        group: BTreeMap::new(),
    }
}

/// The alert for a stateless rule's match on `ev`.
pub fn for_rule(rule: &Rule, prepared: &RuleAlerting, ev: &Arc<Event>) -> Alert {
    let message = match &rule.output {
        Some(t) => t.render(ev),
        None => rule.meta.title.clone(),
    };
    let mut a = from_meta(&rule.meta, Arc::clone(&prepared.rule), message, vec![Arc::clone(ev)]);
    if let Some(t) = &rule.output {
        a.output_fields = t
            .fields()
            .zip(&prepared.output_names)
            .map(|(f, name)| (name.clone(), ev.get(f).map_or(serde_json::Value::Null, |v| serde_json::Value::String(v.render()))))
            .collect();
    }
    a
}
