//! SonarQube's generic issue import format, the current one (SonarQube Server 10.3 and later,
//! SonarQube Cloud): a `rules` table with clean-code attributes and impacts, and `issues` that
//! name a rule and carry no severity or type of their own.

use std::io::Write;
use std::path::Path;

use fnwarden_project::{Class, Finding, ScanReport, ScanRule, Severity};
use serde_json::{Map, Value, json};

use crate::catalogue::Catalogue;
use crate::paths;

/// Sonar names the analyser of external issues by this.
const ENGINE: &str = "fnwarden";

pub fn write_sonar(report: &ScanReport, w: &mut dyn Write) -> std::io::Result<()> {
    let cat = Catalogue::of(report);
    // Sonar's impacts belong to the rule; a finding whose severity differs from its rule's
    // (chains, unshipped packages) gets a rule of its own at that severity.
    let mut rules: Vec<(&'static ScanRule, Severity)> = Vec::new();
    for r in &cat.rules {
        rules.push((r, r.severity));
    }
    for f in &report.findings {
        if f.severity != f.rule.severity && !rules.iter().any(|(r, s)| r.id == f.rule.id && *s == f.severity) {
            rules.push((f.rule, f.severity));
        }
    }
    let doc = json!({
        "rules": rules.iter().map(|(r, s)| rule(r, *s)).collect::<Vec<_>>(),
        "issues": report.findings.iter().map(|f| issue(f, &report.root)).collect::<Vec<_>>(),
    });
    serde_json::to_writer_pretty(&mut *w, &doc)?;
    writeln!(w)
}

/// The rule id an issue refers to: the rule's own, or `id@severity` for a finding raised at
/// another severity than its rule's.
fn rule_id(rule: &ScanRule, severity: Severity) -> String {
    if severity == rule.severity { rule.id.to_owned() } else { format!("{}@{}", rule.id, severity.name()) }
}

/// Impact severities of SonarQube's MQR mode.
fn impact_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "BLOCKER",
        Severity::High => "HIGH",
        Severity::Medium => "MEDIUM",
        Severity::Low => "LOW",
        Severity::Info => "INFO",
    }
}

/// The clean-code attribute a finding of the class breaks.
fn attribute(class: Class) -> &'static str {
    match class {
        // Input used without the checks it needed.
        Class::Injection | Class::Chain => "COMPLETE",
        Class::DenialOfWallet => "EFFICIENT",
        Class::Config => "CONVENTIONAL",
        Class::Iam | Class::Exposure | Class::Secret | Class::Dependency | Class::Hijack => "TRUSTWORTHY",
    }
}

fn rule(r: &ScanRule, severity: Severity) -> Value {
    let mut impacts = vec![json!({ "softwareQuality": "SECURITY", "severity": impact_severity(severity) })];
    if r.class == Class::DenialOfWallet {
        // Unbounded cost is an outage too: the account's concurrency or budget runs out.
        impacts.push(json!({ "softwareQuality": "RELIABILITY", "severity": impact_severity(severity) }));
    }
    let cwe: Vec<String> = r.cwe.iter().map(|n| format!("CWE-{n}")).collect();
    let mut description = format!("{}\n\nRemediation: {}", r.description, r.remediation);
    if !cwe.is_empty() {
        description.push_str(&format!("\n\n{}", cwe.join(", ")));
    }
    json!({
        "id": rule_id(r, severity),
        "name": r.title,
        "description": description,
        "engineId": ENGINE,
        "cleanCodeAttribute": attribute(r.class),
        "impacts": impacts,
    })
}

/// Sonar resolves paths against the folder the scanner runs in, so they are written under the
/// scan root as given.
fn location(root: &Path, file: &Path, line: u32, message: &str) -> Value {
    let mut l = Map::new();
    l.insert("message".into(), message.into());
    l.insert("filePath".into(), paths::under_root(root, file).into());
    if line > 0 {
        l.insert("textRange".into(), json!({ "startLine": line }));
    }
    Value::Object(l)
}

fn issue(f: &Finding, root: &Path) -> Value {
    let message = if f.message.trim().is_empty() { f.rule.title } else { &f.message };
    let mut issue = Map::new();
    issue.insert("ruleId".into(), rule_id(f.rule, f.severity).into());
    issue.insert("primaryLocation".into(), location(root, &f.location.file, f.location.line, message));
    // Secondary locations need a line; whole-file steps are left out.
    let steps: Vec<Value> =
        f.trace.iter().filter(|s| s.location.line > 0).map(|s| location(root, &s.location.file, s.location.line, &s.note)).collect();
    if !steps.is_empty() {
        issue.insert("secondaryLocations".into(), Value::Array(steps));
    }
    Value::Object(issue)
}
