//! What the readers could not turn into events: every rejection names its place and is counted.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

/// Why input was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// A line or document that is not JSON where JSON was expected.
    NotJson,
    /// A record without a field its format requires (CloudTrail `eventName`, a time …).
    MissingField,
    /// A field whose value cannot be read (a time that is not a time, a negative duration …).
    BadValue,
    /// A file, or a JSON record, in no format fnwarden reads.
    UnknownFormat,
    /// Input that ends in the middle of a record: a cut-off gzip stream or JSON document.
    Truncated,
    /// A line longer than the reader accepts.
    TooLong,
    /// A binary file that is not gzip.
    Binary,
    /// A file or folder that cannot be opened or read.
    Unreadable,
    /// A folder reached again through a symbolic link.
    SymlinkLoop,
}

impl Reason {
    pub fn name(self) -> &'static str {
        match self {
            Reason::NotJson => "not_json",
            Reason::MissingField => "missing_field",
            Reason::BadValue => "bad_value",
            Reason::UnknownFormat => "unknown_format",
            Reason::Truncated => "truncated",
            Reason::TooLong => "too_long",
            Reason::Binary => "binary",
            Reason::Unreadable => "unreadable",
            Reason::SymlinkLoop => "symlink_loop",
        }
    }
}

/// One rejected piece of input. `line` is 0 when the whole file is meant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Rejection {
    pub origin: String,
    pub line: u64,
    pub reason: Reason,
    pub message: String,
}

impl Rejection {
    pub fn new(origin: &str, line: u64, reason: Reason, message: impl Into<String>) -> Self {
        Rejection { origin: origin.to_owned(), line, reason, message: message.into() }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.origin, self.message)
        } else {
            write!(f, "{}:{}: {}", self.origin, self.line, self.message)
        }
    }
}

impl std::error::Error for Rejection {}

/// What the readers saw, over every input.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ReadStats {
    /// Files opened (stdin counts as one).
    pub files: u64,
    /// Files left out whole (unknown format, binary, unreadable, symlink loops).
    pub files_skipped: u64,
    /// Records (JSON records or log lines) looked at.
    pub records: u64,
    /// Events produced.
    pub events: u64,
    /// Rejections, all reasons.
    pub rejected: u64,
    pub rejected_by_reason: BTreeMap<Reason, u64>,
    /// Events per source format (`cloudtrail`, `lambda-text` …).
    pub events_by_format: BTreeMap<String, u64>,
    /// Log records the platform itself reported as dropped (Lambda `platform.logsDropped`).
    pub platform_dropped: u64,
}

impl ReadStats {
    pub fn reject(&mut self, r: &Rejection) {
        self.rejected += 1;
        *self.rejected_by_reason.entry(r.reason).or_default() += 1;
        if r.line == 0 && matches!(r.reason, Reason::UnknownFormat | Reason::Binary | Reason::Unreadable | Reason::SymlinkLoop) {
            self.files_skipped += 1;
        }
    }

    pub fn merge(&mut self, o: &ReadStats) {
        self.files += o.files;
        self.files_skipped += o.files_skipped;
        self.records += o.records;
        self.events += o.events;
        self.rejected += o.rejected;
        for (k, v) in &o.rejected_by_reason {
            *self.rejected_by_reason.entry(*k).or_default() += v;
        }
        for (k, v) in &o.events_by_format {
            *self.events_by_format.entry(k.clone()).or_default() += v;
        }
        self.platform_dropped += o.platform_dropped;
    }
}
