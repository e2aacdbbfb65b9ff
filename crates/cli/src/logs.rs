//! `fnwarden logs`: cloud audit logs and function execution logs, judged by the engine with the
//! built-in pack (plus SigmaHQ's cloud rules, unchanged, or any others) and the
//! invocation-metrics detector; `fnwarden logs timeline` shows the events around each alert.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, bail};
use fnwarden_alert::{Alert, Format, Sink};
use fnwarden_detect::{Engine, EngineConfig};
use fnwarden_event::{Event, Timestamp};
use fnwarden_logs::metrics::{self, Metrics, MetricsConfig};
use fnwarden_logs::{EventSink, Input, LogFormat, LogReader, ReadOptions, Rejection};
use fnwarden_rules::{RuleSet, Severity};
use serde::Deserialize;

use crate::detect::{Tally, emit, finish_output, open_output, parse_duration, parse_severity};
use crate::progress::Progress;
use crate::rulesource::{self, RuleArgs};

const REJECTED_SHOWN: u64 = 20;

#[derive(clap::Args, Debug)]
#[command(
    about = "Detect attacks in cloud audit logs and function execution logs",
    long_about = "Reads cloud audit logs (AWS CloudTrail, Azure Activity, GCP Cloud Audit Logs) and function \
execution logs (AWS Lambda text and JSON formats and Telemetry API records, CloudWatch Logs exports, Azure \
Functions, Google Cloud Functions) from files, folders (recursively), .gz files and stdin, recognising each \
file's format. Records are judged with the built-in serverless pack plus any --rules (SigmaHQ's cloud rules \
load unchanged), and invocation metrics with thresholds and the function's own history (surges, \
Denial-of-Wallet, error bursts, crash loops, the cryptomining signature).\n\n\
A record that cannot be read is reported on stderr as FILE:LINE: reason, counted, and skipped; the rest \
are still judged. A summary goes to stderr at the end.\n\n\
Examples:\n  fnwarden logs cloudtrail/\n  fnwarden logs trail.json.gz --rules sigma/rules/cloud --format json -o alerts.jsonl\n  \
aws logs tail /aws/lambda/api --since 1h | fnwarden logs - --function api\n  \
fnwarden logs timeline cloudtrail/ --by principal",
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
pub struct Args {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    common: Common,
    /// Alert format: table (for people), json (fnwarden's alert JSON lines), falco
    /// (Falco-compatible JSON lines), auto (table on a terminal, else json).
    #[arg(long, value_name = "auto|table|json|falco", default_value = "auto")]
    format: Format,
    /// Write alerts to FILE instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Also write every event read, as fnwarden event JSON lines (replay with `fnwarden detect`).
    #[arg(long, value_name = "FILE")]
    events: Option<PathBuf>,
    /// Exit with 1 when an alert at or above this severity was raised (info, low, medium, high,
    /// critical). Default: never.
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    fail_on: Option<Severity>,
    /// Print counters (inputs, rejections by reason, alerts, engine) as one JSON object on stderr.
    #[arg(long)]
    stats: bool,
}

#[derive(clap::Subcommand, Debug)]
enum Command {
    /// Show, for each alert, the events of the same principal or function around it
    #[command(long_about = "Reads the inputs twice: once to raise the alerts, once to gather, for each alert, \
the events of the same principal (cloud audit logs) or function (execution logs) within --window of its \
evidence. Inputs must be files or folders (stdin cannot be read twice).\n\nExamples:\n  \
fnwarden logs timeline cloudtrail/\n  fnwarden logs timeline trail.json --by principal --window 1h --json")]
    Timeline(TimelineArgs),
}

#[derive(clap::Args, Debug)]
struct TimelineArgs {
    #[command(flatten)]
    common: Common,
    /// Group events by the alert's principal, its function, or whichever the alert has (auto).
    #[arg(long, value_name = "auto|principal|function", default_value = "auto", value_parser = ["auto", "principal", "function"])]
    by: String,
    /// How far before the first and after the last evidence event to look: 15m, 1h, 30s.
    #[arg(long, value_name = "DURATION", default_value = "15m", value_parser = parse_duration)]
    window: i64,
    /// Most events shown per alert (the closest to the evidence are kept).
    #[arg(long, value_name = "N", default_value_t = 50)]
    max_events: usize,
    /// One JSON object per alert (the alert and its events) instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args, Debug)]
struct Common {
    /// Log files or folders (read recursively; .gz recognised by content); `-` for stdin.
    #[arg(value_name = "PATH", required = true)]
    paths: Vec<PathBuf>,
    #[command(flatten)]
    rules: RuleArgs,
    /// Read every input as this format instead of recognising it: cloudtrail, azure-activity,
    /// gcp-audit, lambda, lambda-json, azure-functions, gcp-functions, fnwarden.
    #[arg(long, value_name = "FORMAT", default_value = "auto", value_parser = parse_format)]
    log_format: FormatChoice,
    /// The function plain execution logs belong to (default: the CloudWatch log group, else the
    /// file's name up to its first dot).
    #[arg(long, value_name = "NAME")]
    function: Option<String>,
    /// Thresholds and per-function settings (TOML, see docs/logs.md): [metrics.defaults] and
    /// [metrics.functions.NAME].
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// How late (in event time) a record may arrive and still reach correlations in order.
    /// CloudTrail delivers files up to about 15 minutes apart, out of order across files.
    #[arg(long, value_name = "DURATION", default_value = "15m", value_parser = parse_duration)]
    lateness: i64,
    /// Any rule that fails to load is an error (exit 2) instead of being reported and skipped.
    #[arg(long)]
    strict: bool,
}

/// `auto`, or a format every input is read as.
#[derive(Clone, Copy, Debug)]
struct FormatChoice(Option<LogFormat>);

fn parse_format(s: &str) -> Result<FormatChoice, String> {
    if s == "auto" { Ok(FormatChoice(None)) } else { s.parse().map(|f| FormatChoice(Some(f))) }
}

/// `fnwarden logs --config`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    #[serde(default)]
    metrics: MetricsConfig,
}

fn load_config(path: Option<&Path>) -> anyhow::Result<MetricsConfig> {
    let Some(p) = path else { return Ok(MetricsConfig::default()) };
    let text = std::fs::read_to_string(p).with_context(|| format!("cannot read --config {}", p.display()))?;
    let cfg: Config = toml::from_str(&text).map_err(|e| anyhow::anyhow!("--config {}: {e}", p.display()))?;
    cfg.metrics.validate().map_err(|e| anyhow::anyhow!("--config {}: {e}", p.display()))?;
    Ok(cfg.metrics)
}

impl Common {
    /// The rules (plus the metrics detector's feed) and an engine with the detector plugged in.
    fn engine(&self) -> anyhow::Result<(RuleSet, Engine)> {
        let metrics_cfg = load_config(self.config.as_deref())?;
        let mut set = self.rules.load_with(&[(metrics::FEED_RULE, "builtin:fnwarden-logs/invocation-report.yml")])?;
        metrics::mute_feed(&mut set);
        rulesource::check(&set, self.strict)?;
        tracing::info!(rules = set.rules.len(), correlations = set.correlations.len(), files = set.files, "rules loaded");
        let cfg = EngineConfig { lateness_ns: self.lateness, ..EngineConfig::default() };
        let mut engine = Engine::new(&set, cfg.clone());
        let detector = Metrics::new(metrics_cfg, cfg.max_evidence).map_err(|e| anyhow::anyhow!("--config: {e}"))?;
        engine.add_detector(Box::new(detector), &[metrics::FEED_NAME]).map_err(|e| anyhow::anyhow!("invocation metrics: {e}"))?;
        Ok((set, engine))
    }

    fn inputs(&self) -> (Vec<Input>, Vec<Rejection>) {
        let mut rejected = Vec::new();
        let inputs = fnwarden_logs::input::expand(&self.paths, &mut rejected);
        (inputs, rejected)
    }

    fn reader(&self, bytes: Option<Arc<AtomicU64>>) -> LogReader {
        LogReader::new(ReadOptions { format: self.log_format.0, function: self.function.clone(), bytes_read: bytes })
    }
}

/// Shows rejections (the first few by name, then a count) through the progress bar.
struct Rejections<'a> {
    progress: &'a Progress,
    shown: u64,
}

impl Rejections<'_> {
    fn show(&mut self, r: &Rejection) {
        self.shown += 1;
        if self.shown <= REJECTED_SHOWN {
            self.progress.eprintln(&r.to_string());
        }
    }

    fn finish(&self) {
        if self.shown > REJECTED_SHOWN {
            eprintln!("… and {} more rejected records (--stats counts them by reason)", self.shown - REJECTED_SHOWN);
        }
    }
}

/// Judges events as they are read and writes alerts as they come.
struct Judge<'a> {
    engine: &'a mut Engine,
    sink: &'a mut dyn Sink,
    tally: &'a mut Tally,
    batch: Vec<Alert>,
    flush_each: bool,
    open: bool,
    error: Option<anyhow::Error>,
    events_out: Option<Box<dyn Write>>,
    rejections: Rejections<'a>,
    bytes: Arc<AtomicU64>,
    seen: u64,
}

impl EventSink for Judge<'_> {
    fn event(&mut self, ev: Event) -> bool {
        if let Some(w) = self.events_out.as_mut() {
            let written = serde_json::to_writer(&mut *w, &ev)
                .map_err(anyhow::Error::from)
                .and_then(|()| w.write_all(b"\n").map_err(anyhow::Error::from));
            if let Err(e) = written {
                self.error = Some(e.context("cannot write --events"));
                return false;
            }
        }
        self.seen += 1;
        if self.seen.is_multiple_of(4096) {
            self.rejections.progress.set(self.bytes.load(Ordering::Relaxed));
        }
        self.engine.process(ev, &mut self.batch);
        if !self.batch.is_empty() {
            match emit(self.sink, &mut self.batch, self.tally, self.flush_each) {
                Ok(true) => {}
                Ok(false) => {
                    self.open = false;
                    return false;
                }
                Err(e) => {
                    self.error = Some(e);
                    return false;
                }
            }
        }
        true
    }

    fn rejected(&mut self, r: &Rejection) {
        self.rejections.show(r);
    }
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    if let Some(Command::Timeline(t)) = a.command {
        return timeline(t);
    }
    let c = &a.common;
    let (set, mut engine) = c.engine()?;
    let (inputs, expansion) = c.inputs();
    let live = inputs.contains(&Input::Stdin);
    let (out, is_tty) = open_output(a.output.as_deref())?;
    let events_out: Option<Box<dyn Write>> = match &a.events {
        Some(p) => Some(Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("cannot create --events {}", p.display()))?,
        ))),
        None => None,
    };
    let progress = Progress::for_input(fnwarden_logs::input::total_len(&inputs), is_tty);
    let bytes = Arc::new(AtomicU64::new(0));
    let mut reader = c.reader(Some(Arc::clone(&bytes)));
    let mut sink = a.format.sink(out, is_tty);
    let mut tally = Tally::default();
    let mut judge = Judge {
        engine: &mut engine,
        sink: sink.as_mut(),
        tally: &mut tally,
        batch: Vec::new(),
        flush_each: live || is_tty,
        open: true,
        error: None,
        events_out,
        rejections: Rejections { progress: &progress, shown: 0 },
        bytes,
        seen: 0,
    };
    reader.read_inputs(&inputs, &expansion, &mut judge);
    progress.finish();
    judge.rejections.finish();
    if let Some(e) = judge.error.take() {
        return Err(e);
    }
    let open = judge.open;
    if let Some(mut w) = judge.events_out.take() {
        w.flush().context("cannot write --events")?;
    }
    let mut batch = std::mem::take(&mut judge.batch);
    drop(judge);
    finish_output(&mut engine, sink.as_mut(), &mut batch, &mut tally, open)?;
    let rs = reader.stats();
    let formats: Vec<String> = rs.events_by_format.iter().map(|(k, v)| format!("{k} {v}")).collect();
    let formats = if formats.is_empty() { String::new() } else { format!(" ({})", formats.join(", ")) };
    eprintln!(
        "fnwarden: {} files, {} records, {} events{formats}, {} rejected, {}",
        rs.files,
        rs.records,
        rs.events,
        rs.rejected,
        tally.summary()
    );
    if rs.platform_dropped > 0 {
        eprintln!(
            "fnwarden: the platform reported {} log records dropped before they reached the logs (platform.logsDropped)",
            rs.platform_dropped
        );
    }
    if a.stats {
        let stats = serde_json::json!({
            "input": rs,
            "alerts": {"total": tally.total(), "by_severity": tally.json()},
            "rules": {"loaded": set.rules.len(), "correlations": set.correlations.len(), "errors": set.errors.len(), "files": set.files},
            "engine": engine.stats(),
        });
        eprintln!("{stats}");
    }
    let unreadable = rs.rejected_by_reason.contains_key(&fnwarden_logs::Reason::Unreadable);
    Ok(if unreadable && rs.events == 0 {
        ExitCode::from(crate::EXIT_USAGE)
    } else if a.fail_on.is_some_and(|s| tally.reached(s)) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Collects alerts, for the timeline's first pass.
struct Collect<'a> {
    engine: &'a mut Engine,
    alerts: Vec<Alert>,
    rejections: Rejections<'a>,
}

impl EventSink for Collect<'_> {
    fn event(&mut self, ev: Event) -> bool {
        self.engine.process(ev, &mut self.alerts);
        true
    }
    fn rejected(&mut self, r: &Rejection) {
        self.rejections.show(r);
    }
}

/// What ties events to an alert in the timeline.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Key {
    Principal(String),
    Function(String),
}

impl Key {
    fn label(&self) -> String {
        match self {
            Key::Principal(p) => format!("principal {p}"),
            Key::Function(f) => format!("function {f}"),
        }
    }
}

fn principal_of(ev: &Event) -> Option<&str> {
    ev.cloud.as_ref().map(|c| c.principal.as_str()).filter(|p| !p.is_empty())
}

fn function_of(ev: &Event) -> Option<&str> {
    Some(ev.function.name.as_str()).filter(|n| !n.is_empty())
}

fn key_for(alert: &Alert, by: &str) -> Option<Key> {
    let first = alert.evidence.first()?;
    let principal = || principal_of(first).map(|p| Key::Principal(p.to_owned()));
    let function = || function_of(first).map(|f| Key::Function(f.to_owned()));
    match by {
        "principal" => principal(),
        "function" => function(),
        _ => principal().or_else(function),
    }
}

/// One alert and the events gathered for it.
struct Entry {
    alert: Alert,
    key: Key,
    from: Timestamp,
    to: Timestamp,
    events: Vec<Event>,
}

/// Gathers, for each alert, the events of its key within its window; the second pass.
struct Gather<'a> {
    entries: &'a mut [Entry],
    by_key: HashMap<Key, Vec<usize>>,
    max: usize,
}

impl EventSink for Gather<'_> {
    fn event(&mut self, ev: Event) -> bool {
        let keys = [principal_of(&ev).map(|p| Key::Principal(p.to_owned())), function_of(&ev).map(|f| Key::Function(f.to_owned()))];
        for k in keys.into_iter().flatten() {
            let Some(idx) = self.by_key.get(&k) else { continue };
            for &i in idx {
                let e = &mut self.entries[i];
                if ev.time >= e.from && ev.time <= e.to {
                    e.events.push(ev.clone());
                    // Keep memory bounded: past twice the cap, keep the events nearest the evidence.
                    if e.events.len() > 2 * self.max {
                        trim(e, self.max);
                    }
                }
            }
        }
        true
    }
    fn rejected(&mut self, _: &Rejection) {}
}

fn trim(e: &mut Entry, max: usize) {
    let (from, to) = evidence_span(&e.alert);
    let distance = |t: Timestamp| {
        if t < from {
            from.0 - t.0
        } else if t > to {
            t.0 - to.0
        } else {
            0
        }
    };
    e.events.sort_by_key(|ev| distance(ev.time));
    e.events.truncate(max);
    e.events.sort_by_key(|ev| ev.time);
}

fn evidence_span(a: &Alert) -> (Timestamp, Timestamp) {
    let from = a.evidence.iter().map(|e| e.time).min().unwrap_or(a.time);
    let to = a.evidence.iter().map(|e| e.time).max().unwrap_or(a.time);
    (from, to)
}

fn timeline(t: TimelineArgs) -> anyhow::Result<ExitCode> {
    let c = &t.common;
    if c.paths.iter().any(|p| p.as_os_str() == "-") {
        bail!("timeline reads its inputs twice: give files or folders, not `-` (save stdin to a file first)");
    }
    let (_set, mut engine) = c.engine()?;
    let (inputs, expansion) = c.inputs();
    let progress = Progress::for_input(None, false);
    let mut collect = Collect { engine: &mut engine, alerts: Vec::new(), rejections: Rejections { progress: &progress, shown: 0 } };
    c.reader(None).read_inputs(&inputs, &expansion, &mut collect);
    collect.rejections.finish();
    let mut alerts = std::mem::take(&mut collect.alerts);
    engine.flush(&mut alerts);
    alerts.sort_by_key(|a| a.time);

    let mut entries: Vec<Entry> = Vec::new();
    let mut by_key: HashMap<Key, Vec<usize>> = HashMap::new();
    for a in alerts {
        let Some(key) = key_for(&a, &t.by) else { continue };
        let (from, to) = evidence_span(&a);
        by_key.entry(key.clone()).or_default().push(entries.len());
        entries.push(Entry {
            alert: a,
            key,
            from: from.saturating_sub_ns(t.window),
            to: to.saturating_add_ns(t.window),
            events: Vec::new(),
        });
    }
    let mut gather = Gather { entries: &mut entries, by_key, max: t.max_events };
    c.reader(None).read_inputs(&inputs, &[], &mut gather);
    for e in entries.iter_mut() {
        trim(e, t.max_events);
    }

    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let written = if t.json { write_json(&mut out, &entries) } else { write_text(&mut out, &entries) };
    match written.and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => return Err(e.into()),
        _ => {}
    }
    eprintln!("fnwarden: {} alerts with their timelines", entries.len());
    Ok(ExitCode::SUCCESS)
}

fn write_json(out: &mut impl Write, entries: &[Entry]) -> std::io::Result<()> {
    for e in entries {
        let v = serde_json::json!({
            "alert": {"id": e.alert.id, "rule": e.alert.rule.id, "title": e.alert.rule.title, "severity": e.alert.severity.name(), "time": e.alert.time, "message": e.alert.message},
            "key": match &e.key { Key::Principal(p) => serde_json::json!({"principal": p}), Key::Function(f) => serde_json::json!({"function": f}) },
            "from": e.from,
            "to": e.to,
            "events": e.events,
        });
        serde_json::to_writer(&mut *out, &v)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// One line for an event: what happened, by whom, from where.
fn describe(ev: &Event) -> String {
    if let Some(c) = &ev.cloud {
        let err = if c.error_code.is_empty() { String::new() } else { format!(" ERROR {}", c.error_code) };
        return format!("{} {} from {} ({}){err}", c.service, c.operation, c.source_ip, brief_agent(&c.user_agent));
    }
    if let Some(i) = &ev.invocation {
        let mut parts = vec![ev.kind.name().to_owned(), ev.function.request_id.clone()];
        if let Some(d) = i.duration_ms {
            parts.push(format!("{d:.0} ms"));
        }
        if let (Some(u), Some(m)) = (i.max_memory_mb, i.memory_mb) {
            parts.push(format!("{u:.0}/{m:.0} MB"));
        }
        if let Some(s) = i.status {
            parts.push(s.name().to_owned());
        }
        if !i.error_type.is_empty() {
            parts.push(i.error_type.clone());
        }
        return parts.join(" ");
    }
    if let Some(l) = &ev.log {
        return format!("log {} {}", l.level, l.message.chars().take(100).collect::<String>());
    }
    format!("{} {}", ev.kind.name(), ev.derived.text.chars().take(100).collect::<String>())
}

/// A user agent in brief: its start (the tool) and, when it names one, the SDK's execution
/// environment (`exec-env/AWS_Lambda_python3.12`), which tells a function's calls from others.
fn brief_agent(ua: &str) -> String {
    let head: String = ua.chars().take(40).collect();
    let env = ua.split_whitespace().find(|w| w.starts_with("exec-env/"));
    match env {
        Some(e) if !head.contains(e) => format!("{head}… {e}"),
        _ if head.len() < ua.len() => format!("{head}…"),
        _ => head,
    }
}

fn write_text(out: &mut impl Write, entries: &[Entry]) -> std::io::Result<()> {
    for e in entries {
        let a = &e.alert;
        writeln!(out, "== {} [{}] {} ({})", a.time, a.severity.name().to_ascii_uppercase(), a.rule.title, a.rule.id)?;
        writeln!(out, "   {}", a.message)?;
        writeln!(out, "   {}: {} events from {} to {}", e.key.label(), e.events.len(), e.from, e.to)?;
        for ev in &e.events {
            let marker = if a.evidence.iter().any(|x| {
                x.time == ev.time && x.cloud.as_ref().map(|c| &c.raw) == ev.cloud.as_ref().map(|c| &c.raw) && x.function == ev.function
            }) {
                "▶"
            } else {
                " "
            };
            writeln!(out, " {marker} {} {}", ev.time, describe(ev))?;
        }
        writeln!(out)?;
    }
    Ok(())
}
