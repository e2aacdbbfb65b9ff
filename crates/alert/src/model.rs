use std::collections::BTreeMap;
use std::sync::Arc;

use fnwarden_event::{Event, FunctionId, Timestamp};
use fnwarden_rules::{RuleMeta, Severity};
use serde::{Deserialize, Serialize};

/// The rule behind an alert, as alerts carry it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct AlertRule {
    pub id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub author: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// falco or sigma.
    pub dialect: String,
    /// `file:line` of the rule.
    pub source: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// License terms that must travel with the alert (SigmaHQ's DRL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
    /// Priority as the rule wrote it, for Falco-compatible output.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<String>,
}

impl From<&RuleMeta> for AlertRule {
    fn from(m: &RuleMeta) -> Self {
        AlertRule {
            id: m.id.clone(),
            title: m.title.clone(),
            author: m.author.clone(),
            description: m.description.clone(),
            dialect: m.dialect.name().to_owned(),
            source: format!("{}:{}", m.source.file.display(), m.source.line),
            tags: m.tags.clone(),
            license: m.license.clone(),
            priority: m.priority.clone(),
        }
    }
}

/// One finding.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Alert {
    /// Unique within a run and sortable by detection order.
    pub id: String,
    /// Event time of the event that completed the detection.
    pub time: Timestamp,
    /// When fnwarden raised it (processing time).
    pub detected_at: Timestamp,
    /// Shared by every alert of the same rule.
    pub rule: Arc<AlertRule>,
    pub severity: Severity,
    /// MITRE ATT&CK technique ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mitre: Vec<String>,
    #[serde(default, skip_serializing_if = "FunctionId::is_empty")]
    pub function: FunctionId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// For people: the rule's rendered output, or its title.
    pub message: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub remediation: String,
    /// The events that made the detection, oldest first; shared with other alerts on the same
    /// events rather than copied.
    pub evidence: Vec<Arc<Event>>,
    /// Field values named in the rule's output, for Falco-compatible consumers.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub output_fields: BTreeMap<String, serde_json::Value>,
    /// For correlations: the group the detection is about (`function.instance=…`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub group: BTreeMap<String, String>,
}
