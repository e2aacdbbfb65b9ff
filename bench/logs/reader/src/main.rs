//! Where `fnwarden logs` spends its time on a file, with its own reader (crates/logs) in-process,
//! in interleaved rounds of three stages:
//!
//! - `read`: the reader alone (format recognition, line reading, JSON parsing, conversion to
//!   events); events dropped;
//! - `judge`: the same, each event judged by the engine with the rules `fnwarden logs --rules
//!   DIR` loads (DIR plus the built-in pack from the repository's rules/); alerts dropped;
//! - `write`: the same, alerts also written as JSON lines (fnwarden's JSON sink) to a sink that
//!   discards them, as `-o /dev/null` does.
//!
//! usage: logs-reader-bench FILE [--rules DIR]... [--no-builtin] [--rounds N]

use std::error::Error;
use std::path::PathBuf;
use std::time::Instant;

use fnwarden_alert::{Alert, Format, Sink};
use fnwarden_detect::{Engine, EngineConfig};
use fnwarden_event::Event;
use fnwarden_logs::{EventSink, LogReader, ReadOptions, Rejection};
use fnwarden_rules::RuleSet;

#[derive(Clone, Copy, PartialEq)]
enum Stage {
    Read,
    Judge,
    Write,
}

struct Counter<'a> {
    stage: Stage,
    engine: Option<Engine>,
    sink: Option<Box<dyn Sink + 'a>>,
    batch: Vec<Alert>,
    events: u64,
    alerts: u64,
    rejected: u64,
}

impl Counter<'_> {
    fn drain(&mut self) {
        self.alerts += self.batch.len() as u64;
        match self.sink.as_mut() {
            Some(s) => {
                for a in self.batch.drain(..) {
                    s.emit(&a).expect("discarding sink");
                }
            }
            None => self.batch.clear(),
        }
    }
}

impl EventSink for Counter<'_> {
    fn event(&mut self, ev: Event) -> bool {
        self.events += 1;
        if self.stage != Stage::Read {
            if let Some(e) = self.engine.as_mut() {
                e.process(ev, &mut self.batch);
            }
            self.drain();
        }
        true
    }
    fn rejected(&mut self, _: &Rejection) {
        self.rejected += 1;
    }
}

fn pass(file: &PathBuf, set: &RuleSet, stage: Stage) -> (f64, u64, u64) {
    let engine = (stage != Stage::Read).then(|| Engine::new(set, EngineConfig::default()));
    let sink = (stage == Stage::Write).then(|| Format::Json.sink(std::io::BufWriter::with_capacity(1 << 16, std::io::sink()), false));
    let mut c = Counter { stage, engine, sink, batch: Vec::new(), events: 0, alerts: 0, rejected: 0 };
    let mut reader = LogReader::new(ReadOptions::default());
    let start = Instant::now();
    reader.read_paths(std::slice::from_ref(file), &mut c);
    if let Some(e) = c.engine.as_mut() {
        e.flush(&mut c.batch);
    }
    c.drain();
    if let Some(s) = c.sink.as_mut() {
        s.finish().expect("discarding sink");
    }
    (start.elapsed().as_secs_f64(), c.events, c.alerts)
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let (mut file, mut rules, mut builtin, mut rounds) = (None, Vec::new(), true, 3usize);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--rules" => rules.push(PathBuf::from(args.next().ok_or("--rules needs a path")?)),
            "--no-builtin" => builtin = false,
            "--rounds" => rounds = args.next().ok_or("--rounds needs a number")?.parse()?,
            s if s.starts_with('-') => {
                return Err(format!("unknown option {s}; usage: logs-reader-bench FILE [--rules DIR]... [--no-builtin] [--rounds N]").into());
            }
            _ => file = Some(PathBuf::from(a)),
        }
    }
    let file = file.ok_or("usage: logs-reader-bench FILE [--rules DIR]... [--no-builtin] [--rounds N]")?;
    if builtin {
        rules.insert(0, PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../rules").canonicalize()?);
    }
    let set = RuleSet::load(&rules);
    println!(
        "rules: {} rules, {} correlations, {} load errors ({})",
        set.rules.len(),
        set.correlations.len(),
        set.errors.len(),
        rules.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
    );
    let stages = [("read (reader only)", Stage::Read), ("judge (+ engine)", Stage::Judge), ("write (+ JSON alerts)", Stage::Write)];
    let mut best = [f64::MAX; 3];
    let mut counts = [(0u64, 0u64); 3];
    for r in 1..=rounds.max(1) {
        let mut line = format!("round {r}:");
        for (i, (label, stage)) in stages.iter().enumerate() {
            let (secs, events, alerts) = pass(&file, &set, *stage);
            line.push_str(&format!(" {label} {:.0}/s;", events as f64 / secs));
            best[i] = best[i].min(secs);
            counts[i] = (events, alerts);
        }
        println!("{}", line.trim_end_matches(';'));
    }
    println!();
    let mut prev = 0.0;
    for (i, (label, _)) in stages.iter().enumerate() {
        let (events, alerts) = counts[i];
        let per = best[i] * 1e9 / events.max(1) as f64;
        println!(
            "{label:<24} {:>9.0} events/s  {:>7.0} ns/event  (+{:>5.0} ns)  {alerts} alerts",
            events as f64 / best[i],
            per,
            per - prev
        );
        prev = per;
    }
    Ok(())
}
