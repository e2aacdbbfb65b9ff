//! Falco-compatible JSON lines, as Falco writes them with `json_output` and as falcosidekick
//! reads them: `output`, `priority`, `rule`, `time`, `output_fields`, `source`, `tags`,
//! `hostname`.

use std::collections::BTreeMap;
use std::io::Write;

use fnwarden_event::{Category, Timestamp};
use serde::Serialize;

use crate::{Alert, Sink, SinkError};

pub struct FalcoSink<W: Write> {
    out: W,
}

impl<W: Write> FalcoSink<W> {
    pub fn new(out: W) -> Self {
        FalcoSink { out }
    }
}

#[derive(Serialize)]
struct FalcoLine<'a> {
    output: String,
    priority: &'static str,
    rule: &'a str,
    time: String,
    output_fields: BTreeMap<&'a str, serde_json::Value>,
    source: String,
    tags: &'a [String],
    hostname: &'a str,
}

/// The eight Falco priorities, spelt as Falco writes them.
const PRIORITIES: [&str; 8] = ["Emergency", "Alert", "Critical", "Error", "Warning", "Notice", "Informational", "Debug"];

/// The rule's own priority when it is one Falco knows (any case; `info` is Falco's alias for
/// `informational`), else the severity's.
pub fn falco_priority(alert: &Alert) -> &'static str {
    let own = alert.rule.priority.as_deref().map(str::trim).and_then(|p| {
        let p = if p.eq_ignore_ascii_case("info") { "informational" } else { p };
        PRIORITIES.into_iter().find(|name| name.eq_ignore_ascii_case(p))
    });
    own.unwrap_or_else(|| alert.severity.falco_priority())
}

/// RFC 3339 in UTC with all nine fraction digits, as Falco writes `time`.
pub fn falco_time(t: Timestamp) -> String {
    let d = t.to_datetime();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}Z",
        d.year(),
        u8::from(d.month()),
        d.day(),
        d.hour(),
        d.minute(),
        d.second(),
        d.nanosecond()
    )
}

/// Falco's event source name for the event behind the alert: host sensor events are
/// `syscall`; audit logs are named after their plugin (`aws_cloudtrail`, `gcp_auditlog`).
fn source(alert: &Alert) -> String {
    let Some(ev) = alert.evidence.last() else { return "fnwarden".to_owned() };
    match ev.kind.category() {
        Category::Process | Category::File | Category::Network | Category::Kernel => "syscall".to_owned(),
        Category::Cloud => match ev.cloud.as_ref().map(|c| c.provider.as_str()) {
            Some("aws") => "aws_cloudtrail".to_owned(),
            Some("gcp") => "gcp_auditlog".to_owned(),
            Some(p) if !p.is_empty() => format!("{p}_auditlog"),
            _ => "cloud_auditlog".to_owned(),
        },
        Category::Invocation => "fnwarden_invocation".to_owned(),
        Category::Log => "fnwarden_log".to_owned(),
    }
}

impl<W: Write> Sink for FalcoSink<W> {
    fn emit(&mut self, alert: &Alert) -> Result<(), SinkError> {
        let priority = falco_priority(alert);
        let time = falco_time(alert.time);
        let mut output_fields: BTreeMap<&str, serde_json::Value> =
            alert.output_fields.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        output_fields.insert("evt.time", serde_json::Value::from(alert.time.0));
        let line = FalcoLine {
            // Rule outputs written as YAML block scalars end in a newline; Falco prints them trimmed.
            output: format!("{time}: {priority} {}", alert.message.trim()),
            priority,
            rule: &alert.rule.title,
            time,
            output_fields,
            source: source(alert),
            tags: &alert.rule.tags,
            hostname: alert.host.as_deref().unwrap_or(""),
        };
        crate::sink::json_line(&mut self.out, &line)
    }

    fn flush(&mut self) -> Result<(), SinkError> {
        Ok(self.out.flush()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture;
    use std::sync::Arc;

    fn line(a: &Alert) -> serde_json::Value {
        let mut sink = FalcoSink::new(Vec::new());
        sink.emit(a).unwrap();
        sink.finish().unwrap();
        let text = String::from_utf8(sink.out).unwrap();
        assert_eq!(text.matches('\n').count(), 1, "{text}");
        serde_json::from_str(&text).unwrap()
    }

    #[test]
    fn writes_what_falcosidekick_reads() {
        let v = line(&fixture::alert());
        assert_eq!(v["output"], "2026-11-22T10:00:01.250000000Z: Warning shell sh -c id spawned by python3.11");
        assert_eq!(v["priority"], "Warning");
        assert_eq!(v["rule"], "Shell spawned by function runtime");
        assert_eq!(v["time"], "2026-11-22T10:00:01.250000000Z");
        assert_eq!(v["source"], "syscall");
        assert_eq!(v["hostname"], "ip-10-0-0-7");
        assert_eq!(v["tags"], serde_json::json!(["serverless", "attack.execution", "attack.t1059.004"]));
        let fields = v["output_fields"].as_object().unwrap();
        assert_eq!(fields["proc.cmdline"], "sh -c id");
        assert_eq!(fields["proc.pname"], "python3.11");
        assert_eq!(fields["evt.time"], serde_json::json!(1_795_341_601_250_000_000_i64));
        assert_eq!(fields.len(), 3);
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 8, "{keys:?}");
    }

    #[test]
    fn priority_is_the_rules_own_when_falco_knows_it() {
        let mut a = fixture::alert();
        a.severity = fnwarden_rules::Severity::High;
        Arc::make_mut(&mut a.rule).priority = Some("critical".to_owned());
        assert_eq!(falco_priority(&a), "Critical");
        Arc::make_mut(&mut a.rule).priority = Some("INFO".to_owned());
        assert_eq!(falco_priority(&a), "Informational");
        // Sigma levels are not Falco priorities: the severity decides.
        Arc::make_mut(&mut a.rule).priority = Some("high".to_owned());
        assert_eq!(falco_priority(&a), "Error");
        Arc::make_mut(&mut a.rule).priority = None;
        a.severity = fnwarden_rules::Severity::Low;
        assert_eq!(falco_priority(&a), "Notice");
    }

    #[test]
    fn time_keeps_nine_fraction_digits_in_utc() {
        assert_eq!(falco_time(Timestamp(0)), "1970-01-01T00:00:00.000000000Z");
        assert_eq!(falco_time(Timestamp(1_795_341_601_000_000_007)), "2026-11-22T10:00:01.000000007Z");
    }

    #[test]
    fn cloud_events_name_their_audit_source() {
        let mut a = fixture::alert();
        let ev = fnwarden_event::parse_event(
            br#"{"time":1,"type":"cloud_api","cloud":{"provider":"aws","service":"lambda.amazonaws.com","operation":"GetFunction"}}"#,
        )
        .unwrap();
        a.evidence = vec![ev.into()];
        a.host = None;
        a.message = "function code replaced\n".to_owned();
        let v = line(&a);
        assert_eq!(v["source"], "aws_cloudtrail");
        assert_eq!(v["hostname"], "");
        assert_eq!(v["output"], "2026-11-22T10:00:01.250000000Z: Warning function code replaced");
    }
}
