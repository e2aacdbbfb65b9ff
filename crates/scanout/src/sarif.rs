//! SARIF 2.1.0, as GitHub code scanning reads it: one run, the rule table in `tool.driver`,
//! traces as code flows, diagnostics as tool execution notifications.

use std::io::Write;

use fnwarden_project::{Diagnostic, Finding, Location, ScanReport, ScanRule, Severity};
use serde_json::{Map, Value, json};

use crate::catalogue::Catalogue;
use crate::paths::SarifBase;

const SCHEMA: &str = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// Paths in results are relative to this base id; see [`SarifBase`].
const SRCROOT: &str = "%SRCROOT%";

/// The `partialFingerprints` key; the `/v1` follows the fingerprint scheme's version.
const FINGERPRINT_KEY: &str = "fnwardenFingerprint/v1";

pub fn write_sarif(report: &ScanReport, w: &mut dyn Write) -> std::io::Result<()> {
    let cat = Catalogue::of(report);
    let base = SarifBase::of(&report.root);
    let results: Vec<Value> = report.findings.iter().map(|f| result(f, &cat, &base)).collect();
    let mut run = Map::new();
    run.insert(
        "tool".into(),
        json!({ "driver": {
            "name": "fnwarden",
            "version": crate::VERSION,
            "semanticVersion": crate::VERSION,
            "informationUri": env!("CARGO_PKG_REPOSITORY"),
            "rules": cat.rules.iter().map(|r| rule(r)).collect::<Vec<_>>(),
        }}),
    );
    run.insert(
        "invocations".into(),
        json!([{
            // The scan ran to its end; what it could not read is in the notifications.
            "executionSuccessful": true,
            "toolExecutionNotifications": report.diagnostics.iter().map(|d| notification(d, &base)).collect::<Vec<_>>(),
        }]),
    );
    if let Some(uri) = &base.uri {
        run.insert("originalUriBaseIds".into(), json!({ SRCROOT: { "uri": uri } }));
    }
    run.insert("results".into(), Value::Array(results));
    let doc = json!({ "$schema": SCHEMA, "version": "2.1.0", "runs": [Value::Object(run)] });
    serde_json::to_writer_pretty(&mut *w, &doc)?;
    writeln!(w)
}

/// GitHub's `security-severity`: a CVSS-like score it turns back into critical (≥ 9.0), high
/// (≥ 7.0), medium (≥ 4.0) and low.
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// `fnw-scan-iam-wildcard-action` → `IamWildcardAction`: SARIF wants a name for people that
/// is still an identifier.
fn rule_name(id: &str) -> String {
    let stem = id.strip_prefix("fnw-scan-").unwrap_or(id);
    stem.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            cs.next().map(|c| c.to_ascii_uppercase().to_string() + cs.as_str()).unwrap_or_default()
        })
        .collect()
}

fn rule(r: &ScanRule) -> Value {
    let mut tags = vec!["security".to_owned(), r.class.name().to_owned()];
    tags.extend(r.cwe.iter().map(|n| format!("CWE-{n}")));
    let cwe_links: Vec<String> = r.cwe.iter().map(|n| format!("[CWE-{n}](https://cwe.mitre.org/data/definitions/{n}.html)")).collect();
    let mut markdown = format!("**{}**\n\n{}\n\n**Remediation:** {}", r.title, r.description, r.remediation);
    if !cwe_links.is_empty() {
        markdown.push_str(&format!("\n\n{}", cwe_links.join(", ")));
    }
    json!({
        "id": r.id,
        "name": rule_name(r.id),
        "shortDescription": { "text": r.title },
        "fullDescription": { "text": r.description },
        "help": {
            "text": format!("{}\n\nRemediation: {}", r.description, r.remediation),
            "markdown": markdown,
        },
        "defaultConfiguration": { "level": level(r.severity) },
        "properties": {
            "tags": tags,
            "security-severity": security_severity(r.severity),
        },
    })
}

fn artifact(file: &std::path::Path, base: &SarifBase) -> Value {
    json!({ "uri": base.uri_of(file), "uriBaseId": SRCROOT })
}

/// A result's place. Line 0 means the whole file; SARIF regions start at line 1.
fn physical(l: &Location, base: &SarifBase) -> Value {
    let mut region = Map::new();
    region.insert("startLine".into(), l.line.max(1).into());
    if l.line > 0 && l.column > 0 {
        region.insert("startColumn".into(), l.column.into());
    }
    json!({ "artifactLocation": artifact(&l.file, base), "region": region })
}

/// Never empty: SARIF messages need text, and GitHub shows it as the alert's title line.
fn text_or<'a>(text: &'a str, fallback: &'a str) -> &'a str {
    if text.trim().is_empty() { fallback } else { text }
}

fn result(f: &Finding, cat: &Catalogue, base: &SarifBase) -> Value {
    let mut r = Map::new();
    r.insert("ruleId".into(), f.rule.id.into());
    if let Some(i) = cat.index(f.rule) {
        r.insert("ruleIndex".into(), i.into());
    }
    r.insert("level".into(), level(f.severity).into());
    r.insert("message".into(), json!({ "text": text_or(&f.message, f.rule.title) }));
    r.insert("locations".into(), json!([{ "physicalLocation": physical(&f.location, base) }]));
    if !f.trace.is_empty() {
        let steps: Vec<Value> = f
            .trace
            .iter()
            .map(|s| {
                json!({ "location": {
                    "physicalLocation": physical(&s.location, base),
                    "message": { "text": text_or(&s.note, "step") },
                }})
            })
            .collect();
        r.insert("codeFlows".into(), json!([{ "threadFlows": [{ "locations": steps }] }]));
    }
    if !f.fingerprint.is_empty() {
        r.insert("partialFingerprints".into(), json!({ FINGERPRINT_KEY: f.fingerprint }));
    }
    let mut props = Map::new();
    props.insert("severity".into(), f.severity.name().into());
    if let Some(function) = &f.function {
        props.insert("function".into(), function.as_str().into());
    }
    r.insert("properties".into(), Value::Object(props));
    Value::Object(r)
}

fn notification(d: &Diagnostic, base: &SarifBase) -> Value {
    let mut physical = Map::new();
    physical.insert("artifactLocation".into(), artifact(&d.file, base));
    if d.line > 0 {
        physical.insert("region".into(), json!({ "startLine": d.line }));
    }
    json!({
        "level": "warning",
        "message": { "text": text_or(&d.message, d.kind.name()) },
        "descriptor": { "id": d.kind.name() },
        "locations": [{ "physicalLocation": physical }],
        "properties": { "skippedFile": d.kind.skips_file() },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_names_are_identifiers() {
        assert_eq!(rule_name("fnw-scan-iam-wildcard-action"), "IamWildcardAction");
        assert_eq!(rule_name("fnw-scan-dow-no-reserved-concurrency"), "DowNoReservedConcurrency");
        assert_eq!(rule_name("custom"), "Custom");
    }

    #[test]
    fn severities_land_in_githubs_bands() {
        let band = |s: Severity| {
            let score: f64 = security_severity(s).parse().unwrap();
            match score {
                x if x >= 9.0 => "critical",
                x if x >= 7.0 => "high",
                x if x >= 4.0 => "medium",
                x if x >= 0.1 => "low",
                _ => "none",
            }
        };
        assert_eq!(band(Severity::Critical), "critical");
        assert_eq!(band(Severity::High), "high");
        assert_eq!(band(Severity::Medium), "medium");
        assert_eq!(band(Severity::Low), "low");
        assert_eq!(band(Severity::Info), "low");
    }
}
