//! fnwarden's own JSON report: one document, field names documented in docs/scan-output.md and
//! kept stable (`format` changes if they ever must).

use std::io::Write;

use fnwarden_project::{Diagnostic, Finding, Location, ScanReport, ScanRule};
use serde_json::{Map, Value, json};

use crate::catalogue::{CLASSES, Catalogue, SEVERITIES, class_index, severity_counts};
use crate::paths;

/// Names the document's shape for consumers.
const FORMAT: &str = "fnwarden-scan/v1";

pub fn write_json(report: &ScanReport, w: &mut dyn Write) -> std::io::Result<()> {
    let cat = Catalogue::of(report);
    let doc = json!({
        "format": FORMAT,
        "tool": { "name": "fnwarden", "version": crate::VERSION },
        "root": root(report),
        "summary": summary(report),
        "rules": cat.rules.iter().map(|r| rule(r)).collect::<Vec<_>>(),
        "findings": report.findings.iter().map(finding).collect::<Vec<_>>(),
        "diagnostics": report.diagnostics.iter().map(diagnostic).collect::<Vec<_>>(),
        "stats": stats(report),
    });
    serde_json::to_writer_pretty(&mut *w, &doc)?;
    writeln!(w)
}

/// The root as given, `/`-separated; `.` stays `.`.
fn root(report: &ScanReport) -> String {
    match paths::portable(&report.root) {
        r if r.is_empty() => ".".to_owned(),
        r => r,
    }
}

fn summary(report: &ScanReport) -> Value {
    let counts = severity_counts(report);
    let by_severity: Map<String, Value> = SEVERITIES.iter().zip(counts).map(|(s, n)| (s.name().to_owned(), n.into())).collect();
    let mut classes = [0u64; CLASSES.len()];
    for f in &report.findings {
        classes[class_index(f.rule.class)] += 1;
    }
    let by_class: Map<String, Value> = CLASSES.iter().zip(classes).map(|(c, n)| (c.name().to_owned(), n.into())).collect();
    json!({
        "findings": report.findings.len(),
        "by_severity": by_severity,
        "by_class": by_class,
        "suppressed": report.stats.suppressed,
        "baselined": report.stats.baselined,
        "diagnostics": report.diagnostics.len(),
        "files_skipped": report.stats.skipped.values().sum::<u64>(),
    })
}

fn rule(r: &ScanRule) -> Value {
    json!({
        "id": r.id,
        "title": r.title,
        "severity": r.severity.name(),
        "class": r.class.name(),
        "cwe": r.cwe,
        "description": r.description,
        "remediation": r.remediation,
    })
}

fn location(l: &Location) -> Value {
    json!({ "file": paths::portable(&l.file), "line": l.line, "column": l.column })
}

fn finding(f: &Finding) -> Value {
    json!({
        "rule": f.rule.id,
        "title": f.rule.title,
        "class": f.rule.class.name(),
        "severity": f.severity.name(),
        "message": f.message,
        "location": location(&f.location),
        "function": f.function,
        "trace": f.trace.iter().map(|s| json!({ "location": location(&s.location), "note": s.note })).collect::<Vec<_>>(),
        "fingerprint": f.fingerprint,
    })
}

fn diagnostic(d: &Diagnostic) -> Value {
    json!({
        "file": paths::portable(&d.file),
        "line": d.line,
        "kind": d.kind.name(),
        "skipped_file": d.kind.skips_file(),
        "message": d.message,
    })
}

fn stats(report: &ScanReport) -> Value {
    let s = &report.stats;
    json!({
        "files_seen": s.files_seen,
        "files_analysed": s.files_analysed,
        "bytes_read": s.bytes_read,
        "skipped": s.skipped,
        "suppressed": s.suppressed,
        "baselined": s.baselined,
        "elapsed_ms": s.elapsed_ms,
    })
}
