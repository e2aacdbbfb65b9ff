//! Guard modes from the rules: a rule with `action: kill` or `deny` sets the mode of the guard
//! that covers its events; the config's [rules] and [guards] override; --dry-run and
//! --no-enforce soften every enforcing mode.

use std::collections::BTreeMap;

use fnwarden_detect::Engine;
use fnwarden_event::EventKind;
use fnwarden_rules::{Action, RuleSet};
use fnwarden_sensor::{Guard, Mode, Sensor};
use serde_json::json;

use super::audit::Audit;
use super::config::MonitorConfig;

#[derive(Clone, Debug, PartialEq)]
pub struct GuardModes {
    /// Mode of each guard and the rules that set it.
    pub guards: BTreeMap<Guard, (Mode, Vec<String>)>,
}

impl GuardModes {
    pub fn from_rules(set: &RuleSet, engine: &Engine, cfg: &MonitorConfig, dry_run: bool, no_enforce: bool) -> GuardModes {
        let soften = |m: Mode| match m {
            m if m.enforces() && dry_run => Mode::DryRun,
            m if m.enforces() && no_enforce => Mode::Monitor,
            m => m,
        };
        let mut guards: BTreeMap<Guard, (Mode, Vec<String>)> = BTreeMap::new();
        // Self-protection reports by default: the rules on it need the guard's events.
        for g in [Guard::Kill, Guard::Tamper, Guard::Bpf] {
            guards.insert(g, (Mode::Monitor, Vec::new()));
        }
        let mut kinds: BTreeMap<String, Vec<EventKind>> = BTreeMap::new();
        for k in EventKind::ALL {
            if let Some(n) = engine.needs(*k, &[], &|_| true) {
                for r in n.rules {
                    kinds.entry(r).or_default().push(*k);
                }
            }
        }
        for r in set.rules.iter().filter(|r| r.meta.enabled) {
            let declared = match r.action {
                Action::Alert => None,
                Action::Kill => Some(Mode::Kill),
                Action::Deny => Some(Mode::Deny),
            };
            let Some(mode) = cfg.rules.get(&r.meta.id).copied().or(declared) else { continue };
            let ks = kinds.get(&r.meta.id).map(Vec::as_slice).unwrap_or_default();
            let Some(g) = Guard::for_kinds(ks) else {
                tracing::warn!("rule {} asks to {} but no guard covers its events; it only alerts", r.meta.id, mode.name());
                continue;
            };
            let e = guards.entry(g).or_insert((Mode::Off, Vec::new()));
            e.0 = e.0.max(soften(mode));
            e.1.push(r.meta.id.clone());
        }
        for (name, mode) in &cfg.guards {
            if let Some(g) = Guard::ALL.into_iter().find(|g| g.name() == name) {
                guards.entry(g).or_insert((Mode::Off, Vec::new())).0 = soften(*mode);
            }
        }
        GuardModes { guards }
    }

    pub fn mode(&self, g: Guard) -> Mode {
        self.guards.get(&g).map_or(Mode::Off, |(m, _)| *m)
    }

    /// Sets every guard's mode in the kernel and records the change.
    pub fn apply(&self, sensor: &Sensor, audit: &mut Audit, why: &str) -> anyhow::Result<()> {
        let mut p = sensor.probes();
        for g in Guard::ALL {
            let m = self.mode(g);
            p.set_mode(g, m)?;
            let rules = self.guards.get(&g).map(|(_, r)| r.clone()).unwrap_or_default();
            audit.record("mode", json!({"guard": g.name(), "mode": m.name(), "rules": rules, "why": why}));
        }
        Ok(())
    }
}
