use fnwarden_alert::Alert;
use fnwarden_event::Event;
use fnwarden_rules::{Rule, RuleSet};

use crate::alerting;

/// How stateless rules are matched. `Indexed` is the product; `Linear` evaluates every rule on
/// every event and exists as the benchmark baseline and a cross-check in tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Strategy {
    #[default]
    Indexed,
    Linear,
}

#[derive(Clone, Debug)]
pub struct EngineConfig {
    /// How late (in event time) an event may arrive and still be ordered correctly for
    /// stateful detectors, in nanoseconds.
    pub lateness_ns: i64,
    /// Most evidence events kept on one correlation alert.
    pub max_evidence: usize,
    pub strategy: Strategy,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig { lateness_ns: 5_000_000_000, max_evidence: 16, strategy: Strategy::Indexed }
    }
}

/// What the engine has done so far.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct EngineStats {
    pub rules: usize,
    pub correlations: usize,
    pub events: u64,
    pub matches: u64,
    pub alerts: u64,
    /// Events that arrived later than the allowed lateness; matched, but out of order for
    /// stateful detectors.
    pub late_events: u64,
}

pub struct Engine {
    rules: Vec<Rule>,
    stats: EngineStats,
}

impl Engine {
    pub fn new(set: &RuleSet, cfg: EngineConfig) -> Engine {
        let _ = cfg;
        let rules: Vec<Rule> = set.rules.iter().filter(|r| r.meta.enabled).cloned().collect();
        let stats = EngineStats { rules: rules.len(), correlations: set.correlations.len(), ..Default::default() };
        Engine { rules, stats }
    }

    /// Judges one event; alerts are appended to `out`.
    pub fn process(&mut self, ev: Event, out: &mut Vec<Alert>) {
        self.stats.events += 1;
        for r in &self.rules {
            if r.kinds.contains(ev.kind) && r.condition.matches(&ev) {
                self.stats.matches += 1;
                if r.meta.generate {
                    self.stats.alerts += 1;
                    out.push(alerting::for_rule(r, &ev));
                }
            }
        }
    }

    /// End of input: stateful detectors emit what their windows hold.
    pub fn flush(&mut self, out: &mut Vec<Alert>) {
        let _ = out;
    }

    pub fn stats(&self) -> &EngineStats {
        &self.stats
    }
}
