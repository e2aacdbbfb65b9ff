//! fnwarden's own alert JSON: the [`Alert`] model as one object per line.

use std::io::Write;

use crate::{Alert, Sink, SinkError};

pub struct JsonSink<W: Write> {
    out: W,
}

impl<W: Write> JsonSink<W> {
    pub fn new(out: W) -> Self {
        JsonSink { out }
    }
}

impl<W: Write> Sink for JsonSink<W> {
    fn emit(&mut self, alert: &Alert) -> Result<(), SinkError> {
        crate::sink::json_line(&mut self.out, alert)
    }

    fn flush(&mut self) -> Result<(), SinkError> {
        Ok(self.out.flush()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture;

    #[test]
    fn one_object_per_line_that_reads_back_as_the_alert() {
        let a = fixture::alert();
        let mut sink = JsonSink::new(Vec::new());
        sink.emit(&a).unwrap();
        sink.emit(&a).unwrap();
        sink.finish().unwrap();
        let text = String::from_utf8(sink.out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        let v: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
        assert_eq!(v["rule"]["id"], "fnw-exec-shell-from-runtime");
        assert_eq!(v["rule"]["title"], "Shell spawned by function runtime");
        assert_eq!(v["severity"], "medium");
        assert_eq!(v["time"], "2026-11-22T10:00:01.25Z");
        assert_eq!(v["mitre"], serde_json::json!(["T1059.004"]));
        assert_eq!(v["function"]["instance"], "sbx-7");
        assert_eq!(v["evidence"][0]["type"], "execve");
        assert_eq!(v["output_fields"]["proc.pname"], "python3.11");
        let back: Alert = serde_json::from_str(lines[1]).unwrap();
        // `derived` is not serialised; compare what is.
        assert_eq!(serde_json::to_value(&back).unwrap(), v);
    }
}
