//! Runs log inputs through the real rules and engine, as `fnwarden logs` does.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use fnwarden_alert::Alert;
use fnwarden_detect::{Engine, EngineConfig};
use fnwarden_event::Event;
use fnwarden_logs::metrics::{self, Metrics, MetricsConfig};
use fnwarden_logs::{EventSink, LogReader, ReadOptions, ReadStats, Rejection};
use fnwarden_rules::RuleSet;
use fnwarden_rules::ruleset::Builder;

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// `../shared/datasets/<rel>`, or `None` (with a message) in a clone without it.
pub fn shared(rel: &str) -> Option<PathBuf> {
    let p = repo().join("../shared/datasets").join(rel);
    if p.exists() {
        Some(p)
    } else {
        println!("skipped: {} not found (a clone without ../shared)", p.display());
        None
    }
}

/// The built-in pack, plus `extra` rule paths, plus the metrics detector's feed.
pub fn rules(extra: &[PathBuf]) -> RuleSet {
    let mut b = Builder::default();
    b.add_path(&repo().join("rules"));
    b.add_str(metrics::FEED_RULE, Path::new("feed.yml"));
    for p in extra {
        b.add_path(p);
    }
    let mut set = b.finish();
    metrics::mute_feed(&mut set);
    let errors: Vec<String> = set.errors.iter().map(ToString::to_string).collect();
    assert!(errors.is_empty(), "rule errors:\n{}", errors.join("\n"));
    set
}

struct Judge<'a> {
    engine: &'a mut Engine,
    alerts: Vec<Alert>,
    events: Vec<Event>,
    keep_events: bool,
    rejected: Vec<Rejection>,
}

impl EventSink for Judge<'_> {
    fn event(&mut self, ev: Event) -> bool {
        if self.keep_events {
            self.events.push(ev.clone());
        }
        self.engine.process(ev, &mut self.alerts);
        true
    }
    fn rejected(&mut self, r: &Rejection) {
        self.rejected.push(r.clone());
    }
}

pub struct Outcome {
    pub alerts: Vec<Alert>,
    pub events: Vec<Event>,
    pub rejected: Vec<Rejection>,
    pub stats: ReadStats,
}

impl Outcome {
    pub fn ids(&self) -> std::collections::BTreeSet<String> {
        self.alerts.iter().map(|a| a.rule.id.clone()).collect()
    }
}

pub fn run_with(set: &RuleSet, paths: &[PathBuf], opts: ReadOptions, config: MetricsConfig) -> Outcome {
    let cfg = EngineConfig { lateness_ns: 15 * 60 * 1_000_000_000, ..EngineConfig::default() };
    let mut engine = Engine::new(set, cfg);
    engine.add_detector(Box::new(Metrics::new(config, 16).expect("metrics config")), &[metrics::FEED_NAME]).expect("feed rule loaded");
    let mut judge = Judge { engine: &mut engine, alerts: Vec::new(), events: Vec::new(), keep_events: true, rejected: Vec::new() };
    let mut reader = LogReader::new(opts);
    reader.read_paths(paths, &mut judge);
    let (mut alerts, events, rejected) = (judge.alerts, judge.events, judge.rejected);
    engine.flush(&mut alerts);
    Outcome { alerts, events, rejected, stats: reader.stats().clone() }
}

pub fn run(set: &RuleSet, paths: &[PathBuf]) -> Outcome {
    run_with(set, paths, ReadOptions::default(), MetricsConfig::default())
}
