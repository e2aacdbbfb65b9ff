//! Reading events from JSON lines: one bad line is an error naming its place; the rest go on.

use std::io::BufRead;

use crate::{Event, SCHEMA};

/// Longest line accepted; a longer one is rejected, not buffered without bound.
pub const MAX_LINE: usize = 4 << 20;

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{origin}:{line}: {message}")]
    Malformed { origin: String, line: u64, message: String },
    #[error("{origin}:{line}: line longer than {MAX_LINE} bytes, skipped")]
    TooLong { origin: String, line: u64 },
    #[error("{origin}: read failed after line {line}: {source}")]
    Io { origin: String, line: u64, source: std::io::Error },
}

/// What a reader saw.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReaderStats {
    pub lines: u64,
    pub events: u64,
    pub rejected: u64,
}

/// Iterates over the events of a JSON-lines stream. Blank lines and `#` comments are skipped.
pub struct EventReader<R> {
    input: R,
    origin: String,
    buf: Vec<u8>,
    stats: ReaderStats,
    failed: bool,
}

impl<R: BufRead> EventReader<R> {
    /// `origin` names the input in errors (a path, or `-` for stdin).
    pub fn new(input: R, origin: impl Into<String>) -> Self {
        EventReader { input, origin: origin.into(), buf: Vec::new(), stats: ReaderStats::default(), failed: false }
    }

    pub fn stats(&self) -> ReaderStats {
        self.stats
    }

    fn malformed(&mut self, message: String) -> ReadError {
        self.stats.rejected += 1;
        ReadError::Malformed { origin: self.origin.clone(), line: self.stats.lines, message }
    }

    /// Reads one line into `buf`, never holding more than [`MAX_LINE`] bytes of it.
    fn read_line(&mut self) -> std::io::Result<Option<bool>> {
        self.buf.clear();
        let mut too_long = false;
        loop {
            let chunk = self.input.fill_buf()?;
            if chunk.is_empty() {
                return Ok(if self.buf.is_empty() && !too_long { None } else { Some(too_long) });
            }
            let (take, done) = match memchr(chunk) {
                Some(i) => (i + 1, true),
                None => (chunk.len(), false),
            };
            if !too_long {
                if self.buf.len() + take > MAX_LINE + 1 {
                    too_long = true;
                    self.buf.clear();
                } else {
                    self.buf.extend_from_slice(&chunk[..take]);
                }
            }
            self.input.consume(take);
            if done {
                return Ok(Some(too_long));
            }
        }
    }
}

fn memchr(b: &[u8]) -> Option<usize> {
    b.iter().position(|&c| c == b'\n')
}

/// Parses one JSON event and normalizes it.
pub fn parse_event(line: &[u8]) -> Result<Event, String> {
    let mut ev: Event = serde_json::from_slice(line).map_err(|e| {
        // The line number is the reader's to give; keep serde's column and its message.
        let full = e.to_string();
        let msg = full.rsplit_once(" at line ").map_or(full.as_str(), |(m, _)| m);
        format!("column {}: {msg}", e.column())
    })?;
    if ev.schema != SCHEMA {
        return Err(format!("unsupported schema {:?}; this build reads {SCHEMA:?}", ev.schema));
    }
    ev.normalize();
    Ok(ev)
}

impl<R: BufRead> Iterator for EventReader<R> {
    type Item = Result<Event, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        loop {
            match self.read_line() {
                Ok(None) => return None,
                Ok(Some(too_long)) => {
                    self.stats.lines += 1;
                    if too_long {
                        self.stats.rejected += 1;
                        return Some(Err(ReadError::TooLong { origin: self.origin.clone(), line: self.stats.lines }));
                    }
                    let text = self.buf.trim_ascii();
                    if text.is_empty() || text.starts_with(b"#") {
                        continue;
                    }
                    return Some(match parse_event(text) {
                        Ok(ev) => {
                            self.stats.events += 1;
                            Ok(ev)
                        }
                        Err(m) => Err(self.malformed(m)),
                    });
                }
                Err(source) => {
                    self.failed = true;
                    self.stats.rejected += 1;
                    return Some(Err(ReadError::Io { origin: self.origin.clone(), line: self.stats.lines, source }));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::EventKind;

    const GOOD: &str = r#"{"time":"2026-11-22T10:00:00Z","type":"execve","proc":{"pid":7,"exe":"/bin/sh","args":["sh","-c","id"]}}"#;

    #[test]
    fn reads_good_lines_and_names_bad_ones() {
        let input = format!(
            "{GOOD}\n\n# comment\nnot json\n{{\"time\":1,\"type\":\"bogus\"}}\n{{\"time\":1,\"type\":\"open\",\"file\":{{\"path\":\"/x\",\"flags\":\"O_WRONLY|O_NOPE\"}}}}\n{GOOD}\n"
        );
        let mut r = EventReader::new(input.as_bytes(), "t.jsonl");
        let out: Vec<_> = r.by_ref().collect();
        assert_eq!(out.len(), 5);
        assert_eq!(out[0].as_ref().unwrap().kind, EventKind::Execve);
        let e1 = out[1].as_ref().unwrap_err().to_string();
        assert!(e1.starts_with("t.jsonl:4: "), "{e1}");
        let e2 = out[2].as_ref().unwrap_err().to_string();
        assert!(e2.contains("t.jsonl:5") && e2.contains("unknown event type"), "{e2}");
        let e3 = out[3].as_ref().unwrap_err().to_string();
        assert!(e3.contains("O_NOPE"), "{e3}");
        assert!(out[4].is_ok());
        assert_eq!(r.stats(), ReaderStats { lines: 7, events: 2, rejected: 3 });
    }

    #[test]
    fn unknown_fields_and_schemas_are_rejected() {
        let bad_field = r#"{"time":1,"type":"open","file":{"path":"/x","colour":"red"}}"#;
        let e = parse_event(bad_field.as_bytes()).unwrap_err();
        assert!(e.starts_with("column ") && e.contains("colour") && !e.contains("at line"), "{e}");
        let bad_schema = r#"{"schema":"fnwarden.event/v9","time":1,"type":"open"}"#;
        assert!(parse_event(bad_schema.as_bytes()).unwrap_err().contains("unsupported schema"));
    }

    #[test]
    fn overlong_lines_are_skipped_not_buffered() {
        let mut input = vec![b'x'; MAX_LINE + 10];
        input.push(b'\n');
        input.extend_from_slice(GOOD.as_bytes());
        let mut r = EventReader::new(&input[..], "big");
        assert!(matches!(r.next(), Some(Err(ReadError::TooLong { line: 1, .. }))));
        assert!(r.next().unwrap().is_ok());
        assert_eq!(r.stats().rejected, 1);
    }

    #[test]
    fn events_round_trip_through_json() {
        let ev = parse_event(GOOD.as_bytes()).unwrap();
        let again = parse_event(serde_json::to_string(&ev).unwrap().as_bytes()).unwrap();
        assert_eq!(ev, again);
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(data in proptest::collection::vec(proptest::num::u8::ANY, 0..512)) {
            let r = EventReader::new(&data[..], "p");
            for _ in r {}
        }
    }
}
