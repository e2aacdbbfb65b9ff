//! Chains across IaC and code: a trigger an anonymous or outside party controls, feeding a
//! handler in which their data reaches a dangerous sink. One critical finding tells the whole
//! story; the taint finding it grew from is folded into it.

use fnwarden_project::{Class, Finding, Project, ScanRule, Severity, TraceStep, TriggerKind};

pub static PUBLIC_TRIGGER_TO_SINK: ScanRule = ScanRule {
    id: "fnw-scan-chain-public-to-sink",
    title: "Anyone can reach a dangerous sink through a public trigger",
    severity: Severity::Critical,
    class: Class::Chain,
    cwe: &[20],
    description: "A trigger that an anonymous or outside party controls (an API route without an authorizer, a \
function URL with AuthType NONE, a public bucket or topic) invokes a handler in which event data reaches a \
dangerous sink. Each part alone may look minor; together they are an exploitable path from the internet into \
the function, its role's credentials and everything they reach.",
    remediation: "Break the chain at both ends: put an authorizer (or AWS_IAM auth) in front of the trigger, and fix \
the sink (sanitize or parameterize the tainted value; see the sink's own rule).",
};

/// For each taint finding of a function with a public trigger or an unauthenticated URL, the
/// chain finding that replaces it; other findings pass through.
pub fn link(project: &Project, findings: Vec<Finding>) -> Vec<Finding> {
    findings
        .into_iter()
        .map(|f| {
            if f.rule.class != Class::Injection {
                return f;
            }
            let Some(function) = f.function.as_deref().and_then(|n| project.function(n)) else { return f };
            let mut doors: Vec<TraceStep> = function
                .triggers
                .iter()
                .filter(|t| t.public)
                .map(|t| TraceStep { location: t.location.clone(), note: format!("public {} trigger: {}", kind_name(t.kind), t.detail) })
                .collect();
            if let Some(url) = function.url.as_ref().filter(|u| u.auth_none) {
                doors.push(TraceStep { location: url.location.clone(), note: "function URL with AuthType NONE".into() });
            }
            if doors.is_empty() {
                return f;
            }
            let door = doors.iter().map(|d| d.note.as_str()).collect::<Vec<_>>().join("; ");
            let mut trace = doors;
            trace.push(TraceStep { location: function.location.clone(), note: format!("invokes function {}", function.name) });
            trace.extend(f.trace.iter().cloned());
            Finding {
                rule: &PUBLIC_TRIGGER_TO_SINK,
                severity: Severity::Critical,
                message: format!("{door} → {} [{}]: {}", function.name, f.rule.id, f.message),
                location: f.location,
                function: f.function,
                trace,
                fingerprint: String::new(),
            }
        })
        .collect()
}

fn kind_name(kind: TriggerKind) -> &'static str {
    match kind {
        TriggerKind::Http => "HTTP",
        TriggerKind::S3 => "S3",
        TriggerKind::Sqs => "SQS",
        TriggerKind::Sns => "SNS",
        TriggerKind::Kinesis => "Kinesis",
        TriggerKind::DynamoDb => "DynamoDB stream",
        TriggerKind::Kafka => "Kafka",
        TriggerKind::Schedule => "schedule",
        TriggerKind::EventBridge => "EventBridge",
        TriggerKind::Cognito => "Cognito",
        TriggerKind::Iot => "IoT",
        TriggerKind::Other => "event",
    }
}
