//! JSON records from a stream, never holding a whole file: JSON lines (one record, or one
//! wrapper object, per line), arrays of records, and wrapper objects (`{"Records": […]}`,
//! CloudWatch's `logEvents`, CloudTrail Lake's `QueryResultRows` …) of any size, streamed
//! element by element.

use std::cell::Cell;
use std::fmt;
use std::io::{BufRead, Read};
use std::rc::Rc;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::reject::{Reason, Rejection};

/// Keys whose array holds the records of a wrapper object.
pub const WRAPPERS: &[&str] = &["Records", "records", "logEvents", "events", "QueryResultRows", "value"];

/// Longest JSON line read as a line; a longer first line is streamed instead, a longer later
/// line is rejected.
pub const MAX_LINE: usize = 64 << 20;

/// The other keys of the wrapper a record came in (CloudWatch's `logGroup`, `logStream` …).
pub type Context = Map<String, Value>;

/// Where records go: each with the line it starts on, its wrapper's other keys, and its text
/// when the record is a whole line of its own (rules' `evt.text` then needs no rewriting).
pub trait RecordSink {
    fn record(&mut self, line: u64, value: Value, ctx: &Context, text: Option<&str>);
    fn rejected(&mut self, r: Rejection);
    /// Nothing more is wanted from this input: the rest is skipped without being parsed.
    fn done(&self) -> bool {
        false
    }
}

/// Whether the stream is JSON lines (its first line is a whole JSON value) rather than one
/// document spread over lines. Looks only at what is buffered.
pub fn is_json_lines(head: &[u8]) -> bool {
    let Some(end) = head.iter().position(|&b| b == b'\n') else { return false };
    let first = &head[..end];
    let starts_object = first.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    starts_object && serde_json::from_slice::<IgnoredAny>(first).is_ok()
}

/// Reads every record of a JSON stream into `sink`.
pub fn read(input: &mut dyn BufRead, origin: &str, sink: &mut dyn RecordSink) -> std::io::Result<()> {
    let lines = is_json_lines(input.fill_buf()?);
    if lines { read_lines(input, origin, sink) } else { read_document(input, origin, sink) }
}

/// Splits one parsed top-level value into records: a wrapper's elements, or the value itself.
pub fn unwrap_value(line: u64, value: Value, text: Option<&str>, sink: &mut dyn RecordSink) {
    match value {
        Value::Object(mut obj) => {
            let key = WRAPPERS.iter().find(|k| obj.get(**k).is_some_and(Value::is_array));
            match key {
                Some(k) => {
                    let items = match obj.remove(*k) {
                        Some(Value::Array(items)) => items,
                        _ => Vec::new(),
                    };
                    for item in items {
                        sink.record(line, item, &obj, None);
                    }
                }
                None => sink.record(line, Value::Object(obj), &Context::new(), text),
            }
        }
        Value::Array(items) => {
            for item in items {
                sink.record(line, item, &Context::new(), None);
            }
        }
        other => sink.rejected(Rejection::new("", line, Reason::UnknownFormat, format!("a JSON {} is not a log record", kind(&other)))),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Reads one line (without its newline) into `buf`; `Ok(false)` at the end. A line longer than
/// `max` is consumed but not kept: `Ok(true)` with `too_long` set.
pub fn read_line(input: &mut dyn BufRead, buf: &mut Vec<u8>, max: usize, too_long: &mut bool) -> std::io::Result<bool> {
    buf.clear();
    *too_long = false;
    let mut any = false;
    loop {
        let chunk = input.fill_buf()?;
        if chunk.is_empty() {
            return Ok(any);
        }
        any = true;
        let (take, done) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        let body = if done { &chunk[..take - 1] } else { &chunk[..take] };
        if buf.len() + body.len() > max {
            *too_long = true;
        } else if !*too_long {
            buf.extend_from_slice(body);
        }
        input.consume(take);
        if done {
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
            return Ok(true);
        }
    }
}

/// Rewrites a record-level rejection (from [`unwrap_value`]) with the file's name.
struct Named<'a> {
    origin: &'a str,
    inner: &'a mut dyn RecordSink,
}

impl RecordSink for Named<'_> {
    fn record(&mut self, line: u64, value: Value, ctx: &Context, text: Option<&str>) {
        self.inner.record(line, value, ctx, text);
    }
    fn rejected(&mut self, mut r: Rejection) {
        if r.origin.is_empty() {
            r.origin = self.origin.to_owned();
        }
        self.inner.rejected(r);
    }
    fn done(&self) -> bool {
        self.inner.done()
    }
}

fn read_lines(input: &mut dyn BufRead, origin: &str, sink: &mut dyn RecordSink) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let mut line = 0u64;
    let mut too_long = false;
    let mut named = Named { origin, inner: sink };
    while !named.done() && read_line(input, &mut buf, MAX_LINE, &mut too_long)? {
        line += 1;
        if too_long {
            named.rejected(Rejection::new(origin, line, Reason::TooLong, format!("line longer than {MAX_LINE} bytes, skipped")));
            continue;
        }
        if buf.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<Value>(&buf) {
            Ok(v) => unwrap_value(line, v, std::str::from_utf8(&buf).ok().map(str::trim), &mut named),
            Err(e) => named.rejected(Rejection::new(
                origin,
                line,
                Reason::NotJson,
                format!("not JSON: {} at column {}", describe(&e), e.column()),
            )),
        }
    }
    Ok(())
}

/// serde_json's message without its own " at line L column C".
pub fn describe(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_owned(),
        None => s,
    }
}

/// Counts newlines in what the JSON parser has consumed, so that records know their line.
struct Counting<'a> {
    inner: &'a mut dyn BufRead,
    line: Rc<Cell<u64>>,
}

impl Read for Counting<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(out)?;
        let newlines = out[..n].iter().filter(|&&b| b == b'\n').count() as u64;
        self.line.set(self.line.get() + newlines);
        Ok(n)
    }
}

struct Ctx<'a> {
    sink: &'a mut dyn RecordSink,
    line: Rc<Cell<u64>>,
}

impl Ctx<'_> {
    fn here(&self) -> u64 {
        self.line.get() + 1
    }
}

/// A top-level value: an array streams its records, an object is a wrapper or a record.
struct Top<'a, 'b>(&'a mut Ctx<'b>);

impl<'de> DeserializeSeed<'de> for Top<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Top<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object or array of log records")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        stream_seq(self.0, seq, &Context::new())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        // The opening brace has been read: this is the object's first line.
        let start = self.0.here();
        let mut ctx = Context::new();
        let mut wrapped = false;
        while let Some(key) = map.next_key::<String>()? {
            if !wrapped && WRAPPERS.contains(&key.as_str()) {
                match map.next_value_seed(Elements { ctx: self.0, wrapper: &ctx })? {
                    None => wrapped = true,
                    // The key held no array after all: its value is a field of the record.
                    Some(v) => {
                        ctx.insert(key, v);
                    }
                }
            } else {
                let v: Value = map.next_value()?;
                ctx.insert(key, v);
            }
        }
        if !wrapped {
            self.0.sink.record(start, Value::Object(ctx), &Context::new(), None);
        }
        Ok(())
    }
    fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<(), E> {
        Err(E::custom("a JSON string is not a log record"))
    }
}

fn stream_seq<'de, A: SeqAccess<'de>>(ctx: &mut Ctx<'_>, mut seq: A, wrapper: &Context) -> Result<(), A::Error> {
    loop {
        if ctx.sink.done() {
            // Skip the rest without building values.
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(());
        }
        match seq.next_element_seed(Located(&ctx.line))? {
            Some((line, v)) => ctx.sink.record(line, v, wrapper, None),
            None => return Ok(()),
        }
    }
}

/// A value with the line it starts on: serde has skipped the whitespace before it (and read its
/// first byte) by the time `deserialize` is called.
struct Located<'a>(&'a Rc<Cell<u64>>);

impl<'de> DeserializeSeed<'de> for Located<'_> {
    type Value = (u64, Value);
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(u64, Value), D::Error> {
        let line = self.0.get() + 1;
        serde::Deserialize::deserialize(d).map(|v| (line, v))
    }
}

/// A wrapper key's value: its records are streamed when it is an array (`None`); any other value
/// is returned, to stay a field of the record.
struct Elements<'a, 'b, 'c> {
    ctx: &'a mut Ctx<'b>,
    wrapper: &'c Context,
}

impl<'de> DeserializeSeed<'de> for Elements<'_, '_, '_> {
    type Value = Option<Value>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<Value>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Elements<'_, '_, '_> {
    type Value = Option<Value>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of records, or a field's value")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Option<Value>, A::Error> {
        stream_seq(self.ctx, seq, self.wrapper).map(|()| None)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<Value>, A::Error> {
        let mut m = Map::new();
        while let Some((k, v)) = map.next_entry::<String, Value>()? {
            m.insert(k, v);
        }
        Ok(Some(Value::Object(m)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Option<Value>, E> {
        Ok(Some(Value::String(v.to_owned())))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Option<Value>, E> {
        Ok(Some(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Option<Value>, E> {
        Ok(Some(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Option<Value>, E> {
        Ok(Some(v.into()))
    }
    fn visit_bool<E>(self, v: bool) -> Result<Option<Value>, E> {
        Ok(Some(v.into()))
    }
    fn visit_unit<E>(self) -> Result<Option<Value>, E> {
        Ok(Some(Value::Null))
    }
}

/// One JSON document (or several, back to back), streamed. A syntax error ends the file: what
/// follows cannot be resynchronised, so the rejection says from where on it was skipped.
fn read_document(input: &mut dyn BufRead, origin: &str, sink: &mut dyn RecordSink) -> std::io::Result<()> {
    let line = Rc::new(Cell::new(0u64));
    let counting = Counting { inner: input, line: Rc::clone(&line) };
    let mut named = Named { origin, inner: sink };
    let mut ctx = Ctx { sink: &mut named, line: Rc::clone(&line) };
    let mut de = serde_json::Deserializer::from_reader(counting);
    loop {
        match Top(&mut ctx).deserialize(&mut de) {
            Ok(()) => {}
            Err(e) if e.is_eof() && e.line() <= 1 && e.column() == 0 => return Ok(()),
            Err(e) if e.is_io() => return Err(std::io::Error::other(describe(&e))),
            Err(e) => {
                let reason = if e.is_eof() { Reason::Truncated } else { Reason::NotJson };
                let what = if e.is_eof() { "input ends inside a JSON record" } else { "not JSON" };
                ctx.sink.rejected(Rejection::new(
                    origin,
                    e.line() as u64,
                    reason,
                    format!("{what}: {} at column {}; the rest of the file was skipped", describe(&e), e.column()),
                ));
                return Ok(());
            }
        }
        if ctx.sink.done() {
            return Ok(());
        }
        // Only whitespace may separate documents; stop cleanly at the end.
        match de.end() {
            Ok(()) => return Ok(()),
            Err(_) => continue,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Collect {
        records: Vec<(u64, Value, Context)>,
        rejected: Vec<Rejection>,
    }

    impl RecordSink for Collect {
        fn record(&mut self, line: u64, value: Value, ctx: &Context, _text: Option<&str>) {
            self.records.push((line, value, ctx.clone()));
        }
        fn rejected(&mut self, r: Rejection) {
            self.rejected.push(r);
        }
    }

    fn run(text: &str) -> Collect {
        let mut c = Collect::default();
        read(&mut std::io::Cursor::new(text.as_bytes().to_vec()), "t.json", &mut c).unwrap();
        c
    }

    #[test]
    fn arrays_wrappers_and_lines_give_the_same_records() {
        let pretty = run("[\n  {\"a\": 1},\n  {\"a\": 2}\n]\n");
        let wrapped = run("{\"Records\": [{\"a\": 1}, {\"a\": 2}]}");
        let lines = run("{\"a\": 1}\n\n{\"a\": 2}\n");
        for c in [&pretty, &wrapped, &lines] {
            let vals: Vec<&Value> = c.records.iter().map(|r| &r.1).collect();
            assert_eq!(vals, vec![&serde_json::json!({"a": 1}), &serde_json::json!({"a": 2})]);
            assert!(c.rejected.is_empty());
        }
        assert_eq!(pretty.records.iter().map(|r| r.0).collect::<Vec<_>>(), vec![2, 3]);
        assert_eq!(lines.records.iter().map(|r| r.0).collect::<Vec<_>>(), vec![1, 3]);
    }

    #[test]
    fn wrapper_keys_travel_with_their_records() {
        let c = run("{\n\"logGroup\": \"/aws/lambda/f\",\n\"logEvents\": [{\"message\": \"m\"}],\n\"owner\": \"1\"\n}");
        assert_eq!(c.records.len(), 1);
        assert_eq!(c.records[0].2.get("logGroup"), Some(&serde_json::json!("/aws/lambda/f")));
        // A wrapper key whose value is no array is an ordinary record field, kept whole.
        let odd = run("{\n\"events\": 3,\n\"value\": {\"a\": \"b\"},\n\"x\": 1\n}");
        assert_eq!(odd.records.len(), 1);
        assert_eq!(odd.records[0].1, serde_json::json!({"events": 3, "value": {"a": "b"}, "x": 1}));
    }

    #[test]
    fn a_bad_line_is_rejected_and_the_rest_read() {
        let c = run("{\"a\": 1}\nnot json\n{\"a\": 3}\n\"text\"\n");
        assert_eq!(c.records.len(), 2);
        assert_eq!(c.rejected.len(), 2);
        assert_eq!((c.rejected[0].line, c.rejected[0].reason), (2, Reason::NotJson));
        assert_eq!(c.rejected[0].origin, "t.json");
        assert_eq!((c.rejected[1].line, c.rejected[1].reason), (4, Reason::UnknownFormat));
    }

    #[test]
    fn a_cut_document_keeps_what_came_before() {
        let c = run("{\"Records\": [\n{\"a\": 1},\n{\"a\": 2},\n{\"a\": ");
        assert_eq!(c.records.len(), 2);
        assert_eq!(c.rejected.len(), 1);
        assert_eq!(c.rejected[0].reason, Reason::Truncated);
        assert_eq!(c.rejected[0].line, 4);
        let garbage = run("[\n{\"a\": 1},\n}\n");
        assert_eq!((garbage.records.len(), garbage.rejected[0].reason, garbage.rejected[0].line), (1, Reason::NotJson, 3));
    }

    #[test]
    fn long_lines_are_rejected_not_buffered() {
        let mut input = std::io::Cursor::new(b"aaaaaaaaaa\nbb\n".to_vec());
        let (mut buf, mut long) = (Vec::new(), false);
        assert!(read_line(&mut input, &mut buf, 4, &mut long).unwrap());
        assert!(long && buf.len() <= 4);
        assert!(read_line(&mut input, &mut buf, 4, &mut long).unwrap());
        assert_eq!((buf.as_slice(), long), (&b"bb"[..], false));
        assert!(!read_line(&mut input, &mut buf, 4, &mut long).unwrap());
    }
}
