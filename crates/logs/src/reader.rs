//! Reads log inputs into events: recognises each file's format, converts every record, and
//! reports every rejection with its place. Nothing is held beyond the record being read.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use fnwarden_event::{Event, FunctionId};
use serde_json::Value;

use crate::cloud;
use crate::format::{self, LogFormat, Sniffed};
use crate::function::FunctionLog;
use crate::input::{self, Input};
use crate::json::{self, Context, RecordSink};
use crate::reject::{ReadStats, Reason, Rejection};

/// Where events and rejections go.
pub trait EventSink {
    /// `false` stops reading (the consumer has gone away).
    fn event(&mut self, ev: Event) -> bool;
    fn rejected(&mut self, r: &Rejection);
}

#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    /// Read every input as this format instead of recognising it.
    pub format: Option<LogFormat>,
    /// The function that plain function logs belong to (they do not name it); by default the
    /// CloudWatch log group, else the file's name.
    pub function: Option<String>,
    /// Counts the bytes read from files, for a progress bar.
    pub bytes_read: Option<Arc<AtomicU64>>,
}

#[derive(Default)]
pub struct LogReader {
    opts: ReadOptions,
    stats: ReadStats,
    stopped: bool,
}

impl LogReader {
    pub fn new(opts: ReadOptions) -> Self {
        LogReader { opts, ..Default::default() }
    }

    pub fn stats(&self) -> &ReadStats {
        &self.stats
    }

    /// Reads every path (files, folders recursively, `-` for stdin) in order.
    pub fn read_paths(&mut self, paths: &[PathBuf], sink: &mut dyn EventSink) {
        let mut rejected = Vec::new();
        let inputs = input::expand(paths, &mut rejected);
        self.read_inputs(&inputs, &rejected, sink);
    }

    /// Reads inputs already expanded, reporting the rejections the expansion made first.
    pub fn read_inputs(&mut self, inputs: &[Input], expansion: &[Rejection], sink: &mut dyn EventSink) {
        for r in expansion {
            self.reject(r.clone(), sink);
        }
        for i in inputs {
            if self.stopped {
                break;
            }
            self.read_input(i, sink);
        }
    }

    pub fn read_input(&mut self, i: &Input, sink: &mut dyn EventSink) {
        let origin = i.origin();
        match input::open(i, self.opts.bytes_read.as_ref()) {
            Ok(mut r) => {
                let stem = match i {
                    Input::File(p) => file_stem(p),
                    Input::Stdin => String::new(),
                };
                self.read_stream(r.as_mut(), &origin, &stem, sink);
            }
            Err(e) => self.reject(Rejection::new(&origin, 0, Reason::Unreadable, format!("cannot open: {e}")), sink),
        }
    }

    /// Reads one stream; `stem` names the function of plain function logs by default.
    pub fn read_stream(&mut self, r: &mut dyn BufRead, origin: &str, stem: &str, sink: &mut dyn EventSink) {
        self.stats.files += 1;
        let head = match r.fill_buf() {
            Ok(h) => h,
            Err(e) => return self.io_error(origin, 0, &e, sink),
        };
        // A forced format still needs to know whether the file is JSON or text.
        let sniffed = match (self.opts.format, format::sniff(head)) {
            (Some(f), Sniffed::Text(_) | Sniffed::Unknown) => Sniffed::Text(f),
            (_, s) => s,
        };
        let function = self.opts.function.clone().unwrap_or_else(|| stem.to_owned());
        match sniffed {
            Sniffed::Empty => {}
            Sniffed::Binary => self.reject(Rejection::new(origin, 0, Reason::Binary, "binary data that is not gzip: skipped"), sink),
            Sniffed::Unknown => self.reject(
                Rejection::new(
                    origin,
                    0,
                    Reason::UnknownFormat,
                    format!("not a log format fnwarden reads (looked at the first lines); name one with --log-format: {}", format_names()),
                ),
                sink,
            ),
            Sniffed::Json => {
                let mut js = JsonFile { reader: self, sink, origin, function, logs: None, first: true, skip: false };
                let result = json::read(r, origin, &mut js);
                let dropped = js.logs.as_ref().map_or(0, |l| l.dropped);
                self.stats.platform_dropped += dropped;
                if let Err(e) = result {
                    self.io_error(origin, 0, &e, sink);
                }
            }
            Sniffed::Text(f @ (LogFormat::Lambda | LogFormat::AzureFunctions)) => self.read_text(r, origin, f, function, sink),
            Sniffed::Text(f) => self.reject(
                Rejection::new(
                    origin,
                    0,
                    Reason::UnknownFormat,
                    format!("--log-format {f}: this file is text, and {f} logs are JSON; skipped"),
                ),
                sink,
            ),
        }
    }

    fn read_text(&mut self, r: &mut dyn BufRead, origin: &str, fmt: LogFormat, function: String, sink: &mut dyn EventSink) {
        let mut log = FunctionLog::new(FunctionId { provider: fmt.provider().to_owned(), name: function, ..Default::default() });
        let mut buf = Vec::new();
        let mut too_long = false;
        let mut line = 0u64;
        loop {
            match json::read_line(r, &mut buf, 1 << 20, &mut too_long) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => return self.io_error(origin, line, &e, sink),
            }
            line += 1;
            if too_long {
                self.reject(Rejection::new(origin, line, Reason::TooLong, "line longer than 1 MiB, skipped"), sink);
                continue;
            }
            let text = String::from_utf8_lossy(&buf);
            if text.trim().is_empty() {
                continue;
            }
            self.stats.records += 1;
            let converted = match fmt {
                LogFormat::AzureFunctions => log.azure_line(&text, None),
                _ => log.lambda_line(&text, None),
            };
            match converted {
                Ok(ev) => {
                    if !self.emit(ev, fmt, sink) {
                        return;
                    }
                }
                Err((reason, msg)) => self.reject(Rejection::new(origin, line, reason, msg), sink),
            }
        }
    }

    fn emit(&mut self, mut ev: Event, fmt: LogFormat, sink: &mut dyn EventSink) -> bool {
        if ev.source.is_empty() {
            ev.source = fmt.name().to_owned();
        }
        self.stats.events += 1;
        match self.stats.events_by_format.get_mut(fmt.name()) {
            Some(n) => *n += 1,
            None => {
                self.stats.events_by_format.insert(fmt.name().to_owned(), 1);
            }
        }
        if !sink.event(ev) {
            self.stopped = true;
        }
        !self.stopped
    }

    fn reject(&mut self, r: Rejection, sink: &mut dyn EventSink) {
        self.stats.reject(&r);
        sink.rejected(&r);
    }

    fn io_error(&mut self, origin: &str, line: u64, e: &std::io::Error, sink: &mut dyn EventSink) {
        // A cut-off gzip stream shows up as an unexpected end of file.
        let reason = if e.kind() == std::io::ErrorKind::UnexpectedEof { Reason::Truncated } else { Reason::Unreadable };
        let what = if reason == Reason::Truncated { "input ends early (truncated gzip or file)" } else { "read failed" };
        self.reject(Rejection::new(origin, line, reason, format!("{what}: {e}; the rest of the file was skipped")), sink);
    }
}

fn format_names() -> String {
    format::ALL.iter().map(|f| f.name()).collect::<Vec<_>>().join(", ")
}

/// `logs/orders-api.log.gz` → `orders-api`.
fn file_stem(p: &Path) -> String {
    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.split('.').next().unwrap_or(name).to_owned()
}

/// One JSON file being read: each record is classified and converted.
struct JsonFile<'a> {
    reader: &'a mut LogReader,
    sink: &'a mut dyn EventSink,
    origin: &'a str,
    function: String,
    /// Function-log state, created on the first function record.
    logs: Option<FunctionLog>,
    first: bool,
    /// The first record was in no known format: the file is not a log we read.
    skip: bool,
}

impl JsonFile<'_> {
    fn function_log(&mut self, fmt: LogFormat, wrapper: &Context) -> &mut FunctionLog {
        let default = &self.function;
        let log = self.logs.get_or_insert_with(|| {
            FunctionLog::new(FunctionId { provider: fmt.provider().to_owned(), name: default.clone(), ..Default::default() })
        });
        if let Some(group) = wrapper.get("logGroup").and_then(Value::as_str) {
            let name = group.rsplit('/').next().unwrap_or(group);
            if !name.is_empty() {
                log.function.name = name.to_owned();
            }
            log.function.provider = "aws".to_owned();
        }
        if let Some(stream) = wrapper.get("logStream").and_then(Value::as_str) {
            log.stream = stream.to_owned();
        }
        if let Some(owner) = wrapper.get("owner").and_then(Value::as_str) {
            log.function.account = owner.to_owned();
        }
        log
    }

    fn convert(&mut self, fmt: LogFormat, value: Value, wrapper: &Context, text: Option<&str>) -> Result<Event, cloud::Refusal> {
        match fmt {
            LogFormat::CloudTrail => cloud::cloudtrail(value, text),
            LogFormat::AzureActivity => cloud::azure_activity(value, text),
            LogFormat::GcpAudit => cloud::gcp_audit(value, text),
            LogFormat::Fnwarden => {
                let mut ev: Event = serde_json::from_value(value).map_err(|e| (Reason::BadValue, format!("fnwarden event: {e}")))?;
                ev.normalize();
                Ok(ev)
            }
            LogFormat::Lambda => {
                let log = self.function_log(fmt, wrapper);
                match value.get("message") {
                    Some(_) => log.cloudwatch_event(&value),
                    None => Err((Reason::MissingField, "CloudWatch Logs event has no `message`".to_owned())),
                }
            }
            LogFormat::LambdaJson => self.function_log(fmt, wrapper).lambda_json(&value, None),
            LogFormat::AzureFunctions => self.function_log(fmt, wrapper).azure_record(&value),
            LogFormat::GcpFunctions => self.function_log(fmt, wrapper).gcp_entry(&value),
        }
    }
}

impl RecordSink for JsonFile<'_> {
    fn record(&mut self, line: u64, value: Value, wrapper: &Context, text: Option<&str>) {
        if self.done() {
            return;
        }
        self.reader.stats.records += 1;
        let first = std::mem::replace(&mut self.first, false);
        let fmt = match self.reader.opts.format.or_else(|| format::classify(&value, wrapper)) {
            Some(f) => f,
            None => {
                let mut msg = format!("{} is in no log format fnwarden reads ({})", format::keys_of(&value), format_names());
                if first {
                    // Said once for the file, not once per record.
                    self.skip = true;
                    msg = format!("{msg}; the file was skipped (name a format with --log-format)");
                    self.reader.reject(Rejection::new(self.origin, 0, Reason::UnknownFormat, msg), self.sink);
                    return;
                }
                return self.reader.reject(Rejection::new(self.origin, line, Reason::UnknownFormat, msg), self.sink);
            }
        };
        match self.convert(fmt, value, wrapper, text) {
            Ok(ev) => {
                self.reader.emit(ev, fmt, self.sink);
            }
            Err((reason, msg)) => self.reader.reject(Rejection::new(self.origin, line, reason, msg), self.sink),
        }
    }

    fn rejected(&mut self, r: Rejection) {
        self.reader.reject(r, self.sink);
    }

    fn done(&self) -> bool {
        self.skip || self.reader.stopped
    }
}
