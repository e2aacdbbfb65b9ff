//! `fnwarden detect`: judge a stream of events and write alerts as they come.

use std::fs::File;
use std::io::{BufReader, BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use fnwarden_alert::{Alert, Format, Sink};
use fnwarden_detect::{Engine, EngineConfig};
use fnwarden_event::{EventReader, ReadError};
use fnwarden_rules::Severity;

use crate::progress::Progress;
use crate::rulesource::{self, RuleArgs};

/// Rejected input lines named one by one; past this only the count goes on.
const REJECTED_SHOWN: u64 = 20;

#[derive(clap::Args, Debug)]
#[command(
    about = "Judge events (JSON lines) with the rules and write alerts",
    long_about = "Reads events as JSON lines (schema fnwarden.event/v1, see docs/event-schema.md) from a \
file or stdin, judges each with the built-in rules plus any --rules, and writes alerts as they are \
raised. A malformed line is reported on stderr as FILE:LINE: message, counted, and skipped; the rest \
are still judged. A summary (events read, rejected, alerts) goes to stderr at the end.\n\n\
Examples:\n  fnwarden detect --input events.jsonl\n  my-sensor | fnwarden detect --input - --format falco\n  \
fnwarden detect --input events.jsonl --no-builtin --rules my-rules/ --format json --fail-on high"
)]
pub struct Args {
    /// Events as JSON lines, or `-` for stdin.
    #[arg(long, short, value_name = "FILE|-")]
    input: String,
    #[command(flatten)]
    rules: RuleArgs,
    /// Alert format: table (for people), json (fnwarden's alert JSON lines), falco
    /// (Falco-compatible JSON lines for falcosidekick), auto (table on a terminal, else json).
    #[arg(long, value_name = "auto|table|json|falco", default_value = "auto")]
    format: Format,
    /// Write alerts to FILE instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Exit with 1 when an alert at or above this severity was raised (info, low, medium, high,
    /// critical; Falco priorities work too). Default: never.
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    fail_on: Option<Severity>,
    /// Print counters (input, alerts, engine) as one JSON object on stderr at the end.
    #[arg(long)]
    stats: bool,
    /// How late (in event time) a match may arrive and still reach correlations in order:
    /// 5s, 500ms, 2m, or seconds.
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = parse_duration)]
    lateness: i64,
    /// Any rule that fails to load is an error (exit 2) instead of being reported and skipped.
    #[arg(long)]
    strict: bool,
}

pub(crate) fn parse_severity(s: &str) -> Result<Severity, String> {
    Severity::parse(s).ok_or_else(|| format!("unknown severity {s:?}: expected info, low, medium, high or critical"))
}

/// `5s`, `500ms`, `250us`, `2m`, `1h`, or a number of seconds; returns nanoseconds.
pub(crate) fn parse_duration(s: &str) -> Result<i64, String> {
    let s = s.trim();
    let split = s.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: f64 = num.parse().map_err(|_| format!("invalid duration {s:?}: expected e.g. 5s, 500ms, 2m"))?;
    let scale = match unit.trim() {
        "" | "s" => 1e9,
        "ms" => 1e6,
        "us" | "µs" => 1e3,
        "ns" => 1.0,
        "m" => 60e9,
        "h" => 3600e9,
        u => return Err(format!("invalid duration {s:?}: unknown unit {u:?} (ns, us, ms, s, m, h)")),
    };
    let ns = n * scale;
    if !(0.0..=i64::MAX as f64).contains(&ns) {
        return Err(format!("duration {s:?} out of range"));
    }
    Ok(ns as i64)
}

/// Alerts written so far, by severity.
#[derive(Default)]
pub(crate) struct Tally {
    by_severity: [u64; 5],
}

impl Tally {
    pub(crate) fn add(&mut self, s: Severity) {
        self.by_severity[s as usize] += 1;
    }

    pub(crate) fn total(&self) -> u64 {
        self.by_severity.iter().sum()
    }

    pub(crate) fn reached(&self, min: Severity) -> bool {
        self.by_severity[min as usize..].iter().any(|n| *n > 0)
    }

    /// `3 alerts (2 high, 1 medium)`, most severe first.
    pub(crate) fn summary(&self) -> String {
        match self.total() {
            0 => "no alerts".to_owned(),
            1 => format!("1 alert ({})", self.describe()),
            n => format!("{n} alerts ({})", self.describe()),
        }
    }

    /// `2 high, 1 medium`, most severe first.
    fn describe(&self) -> String {
        const ORDER: [Severity; 5] = [Severity::Critical, Severity::High, Severity::Medium, Severity::Low, Severity::Info];
        let parts: Vec<String> = ORDER
            .iter()
            .filter(|s| self.by_severity[**s as usize] > 0)
            .map(|s| format!("{} {}", self.by_severity[*s as usize], s.name()))
            .collect();
        parts.join(", ")
    }

    pub(crate) fn json(&self) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        for s in [Severity::Info, Severity::Low, Severity::Medium, Severity::High, Severity::Critical] {
            m.insert(s.name().to_owned(), self.by_severity[s as usize].into());
        }
        serde_json::Value::Object(m)
    }
}

/// The input stream and, for a file, its length.
fn open_input(input: &str) -> anyhow::Result<(Box<dyn Read>, Option<u64>)> {
    if input == "-" {
        return Ok((Box::new(std::io::stdin()), None));
    }
    let f = File::open(input).with_context(|| format!("cannot open --input {input}"))?;
    let len = f.metadata().ok().map(|m| m.len());
    Ok((Box::new(f), len))
}

/// Where alerts go, and whether that is a terminal.
pub(crate) fn open_output(path: Option<&Path>) -> anyhow::Result<(Box<dyn Write>, bool)> {
    Ok(match path {
        Some(p) => {
            let f = File::create(p).with_context(|| format!("cannot create --output {}", p.display()))?;
            (Box::new(BufWriter::new(f)), false)
        }
        None => (Box::new(BufWriter::new(std::io::stdout())), std::io::stdout().is_terminal()),
    })
}

/// Writes a batch of alerts; `Ok(false)` when the reader of our output has gone away.
pub(crate) fn emit(sink: &mut dyn Sink, batch: &mut Vec<Alert>, tally: &mut Tally, flush: bool) -> anyhow::Result<bool> {
    for a in batch.drain(..) {
        tally.add(a.severity);
        match sink.emit(&a) {
            Ok(()) => {}
            Err(e) if e.is_broken_pipe() => return Ok(false),
            Err(e) => return Err(e.into()),
        }
    }
    if flush {
        match sink.flush() {
            Ok(()) => {}
            Err(e) if e.is_broken_pipe() => return Ok(false),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(true)
}

/// End of input: every window closes, the last alerts are written and the sink finishes. Does
/// nothing when the reader of the output has gone away (`open` false).
pub(crate) fn finish_output(
    engine: &mut Engine,
    sink: &mut dyn Sink,
    batch: &mut Vec<Alert>,
    tally: &mut Tally,
    open: bool,
) -> anyhow::Result<()> {
    if !open {
        return Ok(());
    }
    engine.flush(batch);
    if emit(sink, batch, tally, false)? {
        match sink.finish() {
            Err(e) if !e.is_broken_pipe() => return Err(e.into()),
            _ => {}
        }
    }
    Ok(())
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let set = a.rules.load()?;
    rulesource::check(&set, a.strict)?;
    if set.rules.is_empty() && set.correlations.is_empty() {
        bail!("no rules loaded ({} rule errors); give rules with --rules PATH", set.errors.len());
    }
    tracing::info!(rules = set.rules.len(), correlations = set.correlations.len(), files = set.files, "rules loaded");

    let live = a.input == "-";
    // Input first: a missing input must not truncate an existing --output.
    let (raw, len) = open_input(&a.input)?;
    let (out, is_tty) = open_output(a.output.as_deref())?;
    let progress = Progress::for_input(len, is_tty);
    let mut reader = EventReader::new(BufReader::with_capacity(1 << 16, progress.wrap(raw)), a.input.clone());
    let mut sink = a.format.sink(out, is_tty);
    let cfg = EngineConfig { lateness_ns: a.lateness, ..EngineConfig::default() };
    let mut engine = Engine::new(&set, cfg);

    let mut tally = Tally::default();
    let mut batch = Vec::new();
    let mut read_failed = false;
    let mut rejected = 0u64;
    let mut open = true;
    for item in reader.by_ref() {
        match item {
            Ok(ev) => {
                engine.process(ev, &mut batch);
                // A person at a terminal, or the reader of a live stream, wants each alert now,
                // not when a buffer fills.
                if !batch.is_empty() && !emit(sink.as_mut(), &mut batch, &mut tally, live || is_tty)? {
                    open = false;
                    break;
                }
            }
            Err(e @ ReadError::Io { .. }) => {
                read_failed = true;
                progress.eprintln(&e.to_string());
            }
            Err(e) => {
                rejected += 1;
                if rejected <= REJECTED_SHOWN {
                    progress.eprintln(&e.to_string());
                }
            }
        }
    }
    progress.finish();
    finish_output(&mut engine, sink.as_mut(), &mut batch, &mut tally, open)?;

    let rs = reader.stats();
    if rejected > REJECTED_SHOWN {
        eprintln!("… and {} more rejected lines", rejected - REJECTED_SHOWN);
    }
    eprintln!("fnwarden: {} events read, {} rejected, {}", rs.events, rs.rejected, tally.summary());
    if a.stats {
        let stats = serde_json::json!({
            "input": {"origin": a.input, "lines": rs.lines, "events": rs.events, "rejected": rs.rejected},
            "alerts": {"total": tally.total(), "by_severity": tally.json()},
            "rules": {"loaded": set.rules.len(), "correlations": set.correlations.len(), "errors": set.errors.len(), "files": set.files},
            "engine": engine.stats(),
        });
        eprintln!("{stats}");
    }

    Ok(if read_failed {
        ExitCode::from(crate::EXIT_USAGE)
    } else if a.fail_on.is_some_and(|s| tally.reached(s)) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_units_and_refuse_nonsense() {
        assert_eq!(parse_duration("5s"), Ok(5_000_000_000));
        assert_eq!(parse_duration("500ms"), Ok(500_000_000));
        assert_eq!(parse_duration("2m"), Ok(120_000_000_000));
        assert_eq!(parse_duration("1.5"), Ok(1_500_000_000));
        assert_eq!(parse_duration("0"), Ok(0));
        assert!(parse_duration("5 parsecs").is_err());
        assert!(parse_duration("-1s").is_err());
        assert!(parse_duration("1e30h").is_err());
    }

    #[test]
    fn fail_on_counts_alerts_at_or_above() {
        let mut t = Tally::default();
        t.add(Severity::Medium);
        t.add(Severity::Medium);
        t.add(Severity::Critical);
        assert!(t.reached(Severity::Info) && t.reached(Severity::Critical));
        assert_eq!(t.describe(), "1 critical, 2 medium");
        let mut low = Tally::default();
        low.add(Severity::Low);
        assert!(!low.reached(Severity::Medium));
    }
}
