//! Alerts for people at a terminal: one block per alert, a count by severity at the end.

use std::io::Write;

use fnwarden_event::FunctionId;
use fnwarden_rules::Severity;

use crate::{Alert, Sink, SinkError};

const SEVERITIES: [Severity; 5] = [Severity::Critical, Severity::High, Severity::Medium, Severity::Low, Severity::Info];

pub struct TableSink<W: Write> {
    out: W,
    colour: bool,
    /// Alerts written, per severity (indexed like [`SEVERITIES`]).
    counts: [u64; 5],
}

impl<W: Write> TableSink<W> {
    /// `colour` adds ANSI colours to severities; see [`crate::colour_wanted`].
    pub fn new(out: W, colour: bool) -> Self {
        TableSink { out, colour, counts: [0; 5] }
    }

    fn severity(&self, s: Severity) -> String {
        s.label(self.colour)
    }
}

/// `aws/thumbnailer:3 instance=sbx-7 request=8f1c…`, leaving out what is unknown.
pub fn function_identity(f: &FunctionId) -> String {
    let mut parts = Vec::new();
    let name = match (f.provider.as_str(), f.name.as_str()) {
        ("", "") => String::new(),
        ("", n) => n.to_owned(),
        (p, "") => format!("{p}/?"),
        (p, n) => format!("{p}/{n}"),
    };
    if !name.is_empty() {
        parts.push(if f.version.is_empty() { name } else { format!("{name}:{}", f.version) });
    }
    for (key, value) in [("instance", &f.instance), ("request", &f.request_id), ("runtime", &f.runtime)] {
        if !value.is_empty() {
            parts.push(format!("{key}={value}"));
        }
    }
    parts.join(" ")
}

impl<W: Write> Sink for TableSink<W> {
    fn emit(&mut self, a: &Alert) -> Result<(), SinkError> {
        if let Some(i) = SEVERITIES.iter().position(|s| *s == a.severity) {
            self.counts[i] += 1;
        }
        let sev = self.severity(a.severity);
        writeln!(self.out, "{}  {sev}  {}", a.time, a.rule.title)?;
        let mut line = |label: &str, value: &str| -> std::io::Result<()> {
            if value.is_empty() { Ok(()) } else { writeln!(self.out, "    {label:<12} {value}") }
        };
        line("function", &function_identity(&a.function))?;
        line("host", a.host.as_deref().unwrap_or(""))?;
        line("message", a.message.trim())?;
        line("mitre", &a.mitre.join(", "))?;
        let group: Vec<String> = a.group.iter().map(|(k, v)| format!("{k}={v}")).collect();
        line("group", &group.join(" "))?;
        if a.evidence.len() > 1 {
            line("evidence", &format!("{} events", a.evidence.len()))?;
        }
        line("remediation", &a.remediation)?;
        line("rule", &format!("{} ({})", a.rule.id, a.rule.source))?;
        writeln!(self.out)?;
        Ok(())
    }

    fn flush(&mut self) -> Result<(), SinkError> {
        Ok(self.out.flush()?)
    }

    fn finish(&mut self) -> Result<(), SinkError> {
        let total: u64 = self.counts.iter().sum();
        let by: Vec<String> =
            SEVERITIES.iter().zip(self.counts).filter(|(_, n)| *n > 0).map(|(s, n)| format!("{n} {}", s.name())).collect();
        match total {
            0 => writeln!(self.out, "no alerts")?,
            1 => writeln!(self.out, "1 alert: {}", by.join(", "))?,
            n => writeln!(self.out, "{n} alerts: {}", by.join(", "))?,
        }
        self.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture;

    fn render(colour: bool, alerts: &[Alert]) -> String {
        let mut sink = TableSink::new(Vec::new(), colour);
        for a in alerts {
            sink.emit(a).unwrap();
        }
        sink.finish().unwrap();
        String::from_utf8(sink.out).unwrap()
    }

    #[test]
    fn shows_the_pieces_a_responder_needs() {
        let mut high = fixture::alert();
        high.severity = Severity::High;
        let text = render(false, &[fixture::alert(), high.clone(), high]);
        let first = text.lines().next().unwrap();
        assert!(first.starts_with("2026-11-22T10:00:01.25Z  MEDIUM"), "{first}");
        assert!(first.ends_with("Shell spawned by function runtime"), "{first}");
        for piece in [
            "function     aws/thumbnailer instance=sbx-7 request=8f1c",
            "host         ip-10-0-0-7",
            "message      shell sh -c id spawned by python3.11",
            "mitre        T1059.004",
            "remediation  Remove shell access",
            "rule         fnw-exec-shell-from-runtime (rules/exec.yaml:12)",
        ] {
            assert!(text.contains(piece), "missing {piece:?} in\n{text}");
        }
        assert_eq!(text.lines().last(), Some("3 alerts: 2 high, 1 medium"));
        assert!(!text.contains('\x1b'), "colour without a terminal:\n{text}");
    }

    #[test]
    fn colours_severity_only_when_asked() {
        let text = render(true, &[fixture::alert()]);
        assert!(text.contains("\x1b[33mMEDIUM"), "{text:?}");
        assert_eq!(text.lines().last(), Some("1 alert: 1 medium"));
    }

    #[test]
    fn says_so_when_nothing_was_found() {
        assert_eq!(render(false, &[]), "no alerts\n");
    }

    #[test]
    fn function_identity_leaves_out_the_unknown() {
        assert_eq!(function_identity(&FunctionId::default()), "");
        let f = FunctionId { name: "f".into(), version: "3".into(), ..Default::default() };
        assert_eq!(function_identity(&f), "f:3");
    }
}
