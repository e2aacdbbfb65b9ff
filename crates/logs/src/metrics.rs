//! Invocation metrics from function execution logs, judged per function: an execution-time
//! threshold, invocation-rate surges and billed-cost surges against the function's own history
//! (Denial-of-Wallet), error bursts, crash loops, and the cryptomining signature (invocations
//! pinned at their timeout with memory near the limit).
//!
//! The detector plugs into the engine like any correlation: it is fed the matches of
//! [`FEED_RULE`] (every `invoke_report`) in event-time order, and judges tumbling windows of
//! event time.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;

use fnwarden_alert::{Alert, AlertRule};
use fnwarden_event::{Event, InvocationStatus, Timestamp};
use fnwarden_rules::Severity;
use serde::Deserialize;

/// The rule whose matches feed the detector; added to the rule set by whoever runs it.
pub const FEED_RULE: &str = "title: Invocation report (feeds fnwarden's invocation-metrics detector)
id: fnw-log-invocation-report
name: fnw_log_invocation_report
status: stable
description: Every invocation report from function execution logs. Raises no alert by itself.
author: fnwarden
logsource:
  product: fnwarden
detection:
  selection:
    evt.type: invoke_report
  condition: selection
level: informational
tags:
  - attack.impact
  - attack.t1496
";

/// The name the feed rule is wired by.
pub const FEED_NAME: &str = "fnw_log_invocation_report";

/// The feed rule only feeds the detector: its matches raise no alert of their own. Call after
/// loading a rule set that includes [`FEED_RULE`].
pub fn mute_feed(set: &mut fnwarden_rules::RuleSet) {
    for r in &mut set.rules {
        if r.meta.name.as_deref() == Some(FEED_NAME) {
            r.meta.generate = false;
        }
    }
}

const NS: i64 = 1_000_000_000;

/// Thresholds for one function; every field may be set in the defaults or per function.
#[derive(Clone, Debug, Deserialize, serde::Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Thresholds {
    /// An invocation running longer than this (ms) is reported; 0 turns it off.
    pub max_duration_ms: f64,
    /// The function's configured timeout (ms), when the logs do not say (Lambda's REPORT lines
    /// do not); used by the cryptomining signature.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<f64>,
    /// Length of the tumbling windows for rates, cost, errors and crashes (seconds).
    pub window_s: u64,
    /// Windows of history needed before a surge can be judged.
    pub baseline_windows: u32,
    /// A window with this many times the usual invocations is a surge…
    pub surge_factor: f64,
    /// …if it also has at least this many.
    pub surge_min_invocations: u64,
    /// A window costing this many times the usual GB-seconds is a cost surge…
    pub cost_factor: f64,
    /// …if it also costs at least this many GB-seconds.
    pub cost_min_gb_s: f64,
    /// Failed invocations in one window that make an error burst…
    pub error_burst: u64,
    /// …when at least this share of the window's invocations failed.
    pub error_ratio: f64,
    /// Crashes (runtime exits, init failures) in one window that make a crash loop.
    pub crash_loop: u64,
    /// Invocations at their timeout with memory near the limit, within `mining_window_s`, that
    /// make the cryptomining signature.
    pub mining_invocations: u64,
    pub mining_window_s: u64,
    /// Share of configured memory used that counts as "near the limit".
    pub mining_memory_ratio: f64,
    /// After a finding, the same finding for the same function is not raised again for this
    /// long (seconds): one alert per episode, not one per window.
    pub cooldown_s: u64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            max_duration_ms: 300_000.0,
            timeout_ms: None,
            window_s: 300,
            baseline_windows: 6,
            surge_factor: 5.0,
            surge_min_invocations: 100,
            cost_factor: 5.0,
            cost_min_gb_s: 50.0,
            error_burst: 10,
            error_ratio: 0.5,
            crash_loop: 5,
            mining_invocations: 3,
            mining_window_s: 3600,
            mining_memory_ratio: 0.8,
            cooldown_s: 6 * 3600,
        }
    }
}

/// The `[metrics]` part of `fnwarden logs --config`: defaults and per-function overrides.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MetricsConfig {
    #[serde(default)]
    pub defaults: Thresholds,
    /// Function name → the settings that differ from the defaults (as a TOML table).
    #[serde(default)]
    pub functions: BTreeMap<String, toml::Table>,
}

impl MetricsConfig {
    /// Checks every per-function table now, so that a typo fails at start, not mid-stream.
    pub fn validate(&self) -> Result<(), String> {
        for name in self.functions.keys() {
            self.for_function(name)?;
        }
        let d = &self.defaults;
        if d.window_s == 0 || d.mining_window_s == 0 {
            return Err("window_s and mining_window_s must be at least 1 second".to_owned());
        }
        Ok(())
    }

    /// The thresholds of one function: its overrides on top of the defaults.
    pub fn for_function(&self, name: &str) -> Result<Thresholds, String> {
        let Some(over) = self.functions.get(name) else { return Ok(self.defaults.clone()) };
        let mut base = toml::Table::try_from(&self.defaults).map_err(|e| e.to_string())?;
        for (k, v) in over {
            base.insert(k.clone(), v.clone());
        }
        Thresholds::deserialize(toml::Value::Table(base)).map_err(|e| format!("[metrics.functions.{name:?}]: {e}"))
    }
}

/// The kinds of finding, each an alert rule of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Finding {
    Duration,
    Surge,
    Cost,
    Errors,
    Crashes,
    Mining,
}

const FINDINGS: [Finding; 6] = [Finding::Duration, Finding::Surge, Finding::Cost, Finding::Errors, Finding::Crashes, Finding::Mining];

impl Finding {
    fn meta(self) -> (&'static str, &'static str, Severity, &'static [&'static str], &'static str) {
        match self {
            Finding::Duration => (
                "fnw-log-duration-threshold",
                "Invocation ran longer than its threshold",
                Severity::Low,
                &["attack.impact", "attack.t1496"],
                "Check what the function did in that invocation (its log lines and any fnwarden alerts on the same environment); raise max_duration_ms for functions that are slow by design.",
            ),
            Finding::Surge => (
                "fnw-log-invocation-surge",
                "Invocation rate far above the function's own history",
                Severity::Medium,
                &["attack.impact", "attack.t1499", "attack.t1496"],
                "Find who invokes the function (API Gateway access logs, CloudTrail Invoke data events, event-source mappings); throttle with reserved concurrency, add authentication or rate limits to public triggers, and break recursive triggers.",
            ),
            Finding::Cost => (
                "fnw-log-denial-of-wallet",
                "Billed cost far above the function's own history (Denial-of-Wallet)",
                Severity::High,
                &["attack.impact", "attack.t1496", "attack.t1499"],
                "Cap the damage now (reserved concurrency, lower timeout and memory, budget alarms), then find the caller or the runaway loop: public endpoints without limits, recursive S3/SQS triggers, or a compromised environment doing work of its own.",
            ),
            Finding::Errors => (
                "fnw-log-error-burst",
                "Burst of failed invocations",
                Severity::Medium,
                &["attack.impact", "attack.t1499", "attack.initial-access", "attack.t1190"],
                "Read the failed invocations' errors: many failures in a short time are a fuzzing or injection campaign against the function's input, or a dependency down. Block the source if the inputs are hostile.",
            ),
            Finding::Crashes => (
                "fnw-log-crash-loop",
                "Function crashing repeatedly (runtime exits or init failures)",
                Severity::Medium,
                &["attack.impact", "attack.t1499", "attack.persistence", "attack.t1574"],
                "A runtime that keeps exiting or failing init has had its code, layers or environment changed (check recent UpdateFunctionCode/UpdateFunctionConfiguration calls) or is being fed crashing input; roll back to the last good version.",
            ),
            Finding::Mining => (
                "fnw-log-mining-signature",
                "Invocations pinned at their timeout with memory near the limit (cryptomining signature)",
                Severity::High,
                &["attack.impact", "attack.t1496.001"],
                "Miners keep every invocation busy until it is killed. Look for mining pools in the function's network traffic and for code or layer changes, retire the execution environments (publish a clean version), and lower the timeout.",
            ),
        }
    }

    /// The finding as alerts carry it: the rule, and what its alerts take from a rule's metadata.
    fn rule(self) -> (AlertRule, fnwarden_rules::RuleMeta) {
        let (id, title, severity, tags, remediation) = self.meta();
        let tags: Vec<String> = tags.iter().map(|t| (*t).to_owned()).collect();
        let rule = AlertRule {
            id: id.to_owned(),
            title: title.to_owned(),
            author: "fnwarden".to_owned(),
            description: String::new(),
            dialect: "detector".to_owned(),
            source: "fnwarden-logs invocation metrics".to_owned(),
            tags: tags.clone(),
            license: None,
            priority: Some(severity.name().to_owned()),
        };
        let meta = fnwarden_rules::RuleMeta {
            id: id.to_owned(),
            title: title.to_owned(),
            author: "fnwarden".to_owned(),
            severity,
            mitre: fnwarden_rules::mitre_from_tags(&tags),
            tags,
            remediation: remediation.to_owned(),
            ..Default::default()
        };
        (rule, meta)
    }
}

/// Counters of one window of one function.
#[derive(Clone, Debug, Default)]
struct Window {
    start: i64,
    invocations: u64,
    failed: u64,
    crashes: u64,
    gb_s: f64,
    evidence: VecDeque<Arc<Event>>,
}

/// A finding before it becomes an alert.
type Raised = (Finding, String, Vec<Arc<Event>>);

#[derive(Debug)]
struct FunctionState {
    name: String,
    t: Thresholds,
    window: Window,
    /// Exponentially weighted means of earlier, unremarkable windows.
    mean_invocations: f64,
    mean_gb_s: f64,
    history: u32,
    /// A surge is reported once, until the rate falls back.
    in_surge: bool,
    in_cost_surge: bool,
    /// Recent invocations that looked like mining, oldest first.
    mining: VecDeque<Arc<Event>>,
    /// Per finding, when it was last raised (event time, ns).
    raised_at: [Option<i64>; FINDINGS.len()],
    last_seen: Timestamp,
}

/// Weight of the newest window in the history means.
const ALPHA: f64 = 0.1;
/// Most functions tracked; past it the stalest is dropped and counted.
const MAX_FUNCTIONS: usize = 100_000;

impl FunctionState {
    fn new(name: &str, t: Thresholds, at: i64) -> Self {
        let len = t.window_s as i64 * NS;
        FunctionState {
            name: name.to_owned(),
            window: Window { start: at - at.rem_euclid(len), ..Default::default() },
            t,
            mean_invocations: 0.0,
            mean_gb_s: 0.0,
            history: 0,
            in_surge: false,
            in_cost_surge: false,
            mining: VecDeque::new(),
            raised_at: [None; FINDINGS.len()],
            last_seen: Timestamp(at),
        }
    }

    fn len(&self) -> i64 {
        self.t.window_s as i64 * NS
    }

    /// Whether `f` may be raised at `now`; if so, it counts as raised.
    fn may_raise(&mut self, f: Finding, now: i64) -> bool {
        let i = FINDINGS.iter().position(|x| *x == f).unwrap_or(0);
        let cooled = self.raised_at[i].is_none_or(|t| now.saturating_sub(t) >= self.t.cooldown_s as i64 * NS);
        if cooled {
            self.raised_at[i] = Some(now);
        }
        cooled
    }

    /// Closes every window that ends at or before `now`.
    fn close(&mut self, now: i64, out: &mut Vec<Raised>) {
        let len = self.len();
        while self.window.start.saturating_add(len) <= now {
            let w = std::mem::take(&mut self.window);
            let ready = self.history >= self.t.baseline_windows;
            let usual = self.mean_invocations.max(1.0);
            let usual_cost = self.mean_gb_s.max(0.001);
            let surge = ready && w.invocations >= self.t.surge_min_invocations && w.invocations as f64 >= self.t.surge_factor * usual;
            let cost = ready && w.gb_s >= self.t.cost_min_gb_s && w.gb_s >= self.t.cost_factor * usual_cost;
            let evidence = || w.evidence.iter().cloned().collect::<Vec<Arc<Event>>>();
            let end = w.start.saturating_add(len);
            if surge && !self.in_surge && self.may_raise(Finding::Surge, end) {
                let m = format!(
                    "{}: {} invocations in {} s, {:.1} times its usual {:.1}",
                    self.name,
                    w.invocations,
                    self.t.window_s,
                    w.invocations as f64 / usual,
                    self.mean_invocations
                );
                out.push((Finding::Surge, m, evidence()));
            }
            if cost && !self.in_cost_surge && self.may_raise(Finding::Cost, end) {
                let m = format!(
                    "{}: {:.1} GB-s billed in {} s ({} invocations), {:.1} times its usual {:.2} GB-s",
                    self.name,
                    w.gb_s,
                    self.t.window_s,
                    w.invocations,
                    w.gb_s / usual_cost,
                    self.mean_gb_s
                );
                out.push((Finding::Cost, m, evidence()));
            }
            self.in_surge = surge;
            self.in_cost_surge = cost;
            // Anomalous windows do not teach the baseline what an attack looks like.
            if !surge && !cost {
                if self.history == 0 {
                    (self.mean_invocations, self.mean_gb_s) = (w.invocations as f64, w.gb_s);
                } else {
                    self.mean_invocations += ALPHA * (w.invocations as f64 - self.mean_invocations);
                    self.mean_gb_s += ALPHA * (w.gb_s - self.mean_gb_s);
                }
                self.history = self.history.saturating_add(1);
            }
            let next = w.start.saturating_add(len);
            // A silence of many windows is folded in one step, each empty window decaying the means.
            let empty = ((now - next) / len).max(0);
            if empty > 0 {
                let decay = (1.0 - ALPHA).powf(empty as f64);
                self.mean_invocations *= decay;
                self.mean_gb_s *= decay;
                self.history = self.history.saturating_add(u32::try_from(empty).unwrap_or(u32::MAX));
                self.in_surge = false;
                self.in_cost_surge = false;
            }
            self.window.start = next.saturating_add(empty.saturating_mul(len));
        }
    }

    /// One invocation report: counted in its window; immediate findings are raised.
    fn observe(&mut self, ev: &Arc<Event>, max_evidence: usize, out: &mut Vec<Raised>) {
        let Some(inv) = ev.invocation.as_ref() else { return };
        let now = ev.time.0;
        self.close(now, out);
        self.last_seen = ev.time;
        let t = self.t.clone();
        let w = &mut self.window;
        let crashed = inv.error_type.contains("ExitError")
            || inv.error_type.starts_with("Runtime.Init")
            || (inv.duration_ms.is_none()
                && inv.init_ms.is_some()
                && matches!(inv.status, Some(InvocationStatus::Error | InvocationStatus::Failure)));
        let failed = matches!(inv.status, Some(InvocationStatus::Error | InvocationStatus::Failure | InvocationStatus::Timeout));
        // Init reports without a handler duration are not invocations.
        if inv.duration_ms.is_some() {
            w.invocations += 1;
            if let (Some(mem), Some(billed)) = (inv.memory_mb, inv.billed_ms.or(inv.duration_ms)) {
                w.gb_s += mem / 1024.0 * billed / 1000.0;
            }
        }
        if failed {
            w.failed += 1;
        }
        if crashed {
            w.crashes += 1;
        }
        let notable = failed || crashed || inv.duration_ms.is_some_and(|d| t.max_duration_ms > 0.0 && d > t.max_duration_ms);
        if notable || w.evidence.len() < max_evidence {
            if w.evidence.len() >= max_evidence {
                w.evidence.pop_front();
            }
            w.evidence.push_back(Arc::clone(ev));
        }
        let evidence: Vec<Arc<Event>> = w.evidence.iter().cloned().collect();
        let (failed, invocations, crashes) = (w.failed, w.invocations, w.crashes);
        if let Some(d) = inv.duration_ms
            && t.max_duration_ms > 0.0
            && d > t.max_duration_ms
            && self.may_raise(Finding::Duration, now)
        {
            let m = format!(
                "{}: an invocation ran {d:.0} ms, over the {:.0} ms threshold (request {})",
                self.name, t.max_duration_ms, ev.function.request_id
            );
            out.push((Finding::Duration, m, vec![Arc::clone(ev)]));
        }
        if failed >= t.error_burst && (failed as f64) >= t.error_ratio * invocations.max(1) as f64 && self.may_raise(Finding::Errors, now) {
            out.push((
                Finding::Errors,
                format!("{}: {failed} failed invocations of {invocations} within {} s", self.name, t.window_s),
                evidence.clone(),
            ));
        }
        if crashes >= t.crash_loop && self.may_raise(Finding::Crashes, now) {
            out.push((
                Finding::Crashes,
                format!("{}: {crashes} crashes (runtime exits or init failures) within {} s", self.name, t.window_s),
                evidence,
            ));
        }
        // Mining: the invocation hit its timeout (said by the log, or known from the settings)
        // while using most of its memory.
        let at_timeout = inv.status == Some(InvocationStatus::Timeout)
            || matches!((inv.duration_ms, inv.timeout_ms.or(t.timeout_ms)), (Some(d), Some(limit)) if limit > 0.0 && d >= 0.98 * limit);
        let memory_high =
            matches!((inv.max_memory_mb, inv.memory_mb), (Some(used), Some(size)) if size > 0.0 && used >= t.mining_memory_ratio * size);
        if at_timeout && memory_high {
            let horizon = now - t.mining_window_s as i64 * NS;
            while self.mining.front().is_some_and(|e| e.time.0 < horizon) {
                self.mining.pop_front();
            }
            self.mining.push_back(Arc::clone(ev));
            if self.mining.len() as u64 >= t.mining_invocations && self.may_raise(Finding::Mining, now) {
                let m = format!(
                    "{}: {} invocations within {} s ran into their timeout using at least {:.0}% of their memory",
                    self.name,
                    self.mining.len(),
                    t.mining_window_s,
                    t.mining_memory_ratio * 100.0
                );
                let ev: Vec<Arc<Event>> = self.mining.iter().rev().take(max_evidence).rev().cloned().collect();
                out.push((Finding::Mining, m, ev));
            }
        }
    }
}

pub struct Metrics {
    config: MetricsConfig,
    functions: HashMap<String, FunctionState>,
    /// Per finding, in [`FINDINGS`] order.
    rules: Vec<(Arc<AlertRule>, fnwarden_rules::RuleMeta)>,
    max_evidence: usize,
    evicted: u64,
    raised: Vec<Raised>,
    /// No function's window ends before this event time (ns): `advance` skips its scan until then.
    next_close: i64,
}

impl Metrics {
    pub fn new(config: MetricsConfig, max_evidence: usize) -> Result<Self, String> {
        config.validate()?;
        let rules = FINDINGS
            .iter()
            .map(|f| {
                let (rule, meta) = f.rule();
                (Arc::new(rule), meta)
            })
            .collect();
        Ok(Metrics {
            config,
            functions: HashMap::new(),
            rules,
            max_evidence: max_evidence.max(1),
            evicted: 0,
            raised: Vec::new(),
            next_close: i64::MAX,
        })
    }

    /// The ids of the alerts this detector raises, with their titles.
    pub fn alert_rules() -> Vec<(&'static str, &'static str)> {
        FINDINGS.iter().map(|f| (f.meta().0, f.meta().1)).collect()
    }

    fn emit(&mut self, out: &mut Vec<Alert>) {
        for (f, message, evidence) in self.raised.drain(..) {
            let (rule, meta) = &self.rules[FINDINGS.iter().position(|x| *x == f).unwrap_or(0)];
            let mut a = fnwarden_detect::alert_from_meta(meta, Arc::clone(rule), message, evidence);
            a.group.insert("function.name".to_owned(), a.function.name.clone());
            out.push(a);
        }
    }
}

/// Functions are told apart by provider and name.
fn key(ev: &Event) -> String {
    format!("{}/{}", ev.function.provider, ev.function.name)
}

impl fnwarden_detect::Detector for Metrics {
    fn observe(&mut self, _input: usize, ev: &Arc<Event>, out: &mut Vec<Alert>) {
        let k = key(ev);
        if !self.functions.contains_key(&k) {
            if self.functions.len() >= MAX_FUNCTIONS
                && let Some(stalest) = self.functions.iter().min_by_key(|(_, s)| s.last_seen).map(|(k, _)| k.clone())
            {
                self.functions.remove(&stalest);
                self.evicted += 1;
            }
            // Validated at start, so a function's settings always parse.
            let t = self.config.for_function(&ev.function.name).unwrap_or_else(|_| self.config.defaults.clone());
            self.functions.insert(k.clone(), FunctionState::new(&ev.function.name, t, ev.time.0));
        }
        if let Some(st) = self.functions.get_mut(&k) {
            st.observe(ev, self.max_evidence, &mut self.raised);
            self.next_close = self.next_close.min(st.window.start.saturating_add(st.len()));
        }
        self.emit(out);
    }

    fn advance(&mut self, watermark: Timestamp, out: &mut Vec<Alert>) {
        // At the end of input (MAX) every open window closes; otherwise only those the
        // watermark has passed, and none before the earliest window's end.
        let end = watermark == Timestamp::MAX;
        if !end && watermark.0 < self.next_close {
            return;
        }
        let mut next = i64::MAX;
        for st in self.functions.values_mut() {
            let now = if end { st.window.start.saturating_add(st.len()) } else { watermark.0 };
            st.close(now, &mut self.raised);
            next = next.min(st.window.start.saturating_add(st.len()));
        }
        self.next_close = next;
        self.emit(out);
    }

    fn groups(&self) -> usize {
        self.functions.len()
    }

    fn evicted(&self) -> u64 {
        self.evicted
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fnwarden_detect::Detector;
    use fnwarden_event::{EventKind, FunctionId, Invocation};

    fn report(t_s: i64, name: &str, duration: f64, memory: f64, used: f64, status: InvocationStatus) -> Arc<Event> {
        let mut e = Event::new(EventKind::InvokeReport, Timestamp(t_s * NS));
        e.function = FunctionId { provider: "aws".into(), name: name.into(), request_id: format!("r{t_s}"), ..Default::default() };
        e.invocation = Some(Invocation {
            duration_ms: Some(duration),
            billed_ms: Some(duration.ceil()),
            memory_mb: Some(memory),
            max_memory_mb: Some(used),
            status: Some(status),
            ..Default::default()
        });
        Arc::new(e)
    }

    fn run(m: &mut Metrics, evs: &[Arc<Event>]) -> Vec<String> {
        let mut out = Vec::new();
        for e in evs {
            m.observe(0, e, &mut out);
            m.advance(Timestamp(e.time.0 - 5 * NS), &mut out);
        }
        m.advance(Timestamp::MAX, &mut out);
        out.iter().map(|a| a.rule.id.clone()).collect()
    }

    fn steady(from_s: i64, minutes: i64, per_min: i64, name: &str) -> Vec<Arc<Event>> {
        (0..minutes * per_min).map(|i| report(from_s + i * 60 / per_min, name, 120.0, 256.0, 90.0, InvocationStatus::Success)).collect()
    }

    #[test]
    fn a_flood_after_steady_history_is_a_surge_and_a_cost_spike() {
        let mut m = Metrics::new(MetricsConfig::default(), 8).unwrap();
        let mut evs = steady(0, 120, 2, "api");
        // 20 minutes at 300 a minute, each a heavy invocation.
        evs.extend((0..6000).map(|i| report(7200 + i / 5, "api", 2900.0, 1024.0, 300.0, InvocationStatus::Success)));
        let got = run(&mut m, &evs);
        assert!(got.contains(&"fnw-log-invocation-surge".to_owned()), "{got:?}");
        assert!(got.contains(&"fnw-log-denial-of-wallet".to_owned()), "{got:?}");
        // One alert per episode, not one per window.
        assert_eq!(got.iter().filter(|i| *i == "fnw-log-invocation-surge").count(), 1, "{got:?}");
        assert_eq!(got.iter().filter(|i| *i == "fnw-log-denial-of-wallet").count(), 1, "{got:?}");
    }

    #[test]
    fn steady_traffic_and_a_gentle_daily_rise_raise_nothing() {
        let mut m = Metrics::new(MetricsConfig::default(), 8).unwrap();
        let mut evs = steady(0, 120, 2, "api");
        evs.extend(steady(7200, 60, 5, "api"));
        assert_eq!(run(&mut m, &evs), Vec::<String>::new());
    }

    #[test]
    fn no_history_no_surge() {
        // A function first seen in a flood has no history to compare with.
        let mut m = Metrics::new(MetricsConfig::default(), 8).unwrap();
        let evs: Vec<_> = (0..3000).map(|i| report(i / 5, "new", 100.0, 128.0, 50.0, InvocationStatus::Success)).collect();
        assert_eq!(run(&mut m, &evs), Vec::<String>::new());
    }

    #[test]
    fn errors_crashes_mining_and_duration() {
        let mut m = Metrics::new(MetricsConfig::default(), 8).unwrap();
        let errors: Vec<_> = (0..12).map(|i| report(i * 10, "form", 30.0, 128.0, 60.0, InvocationStatus::Error)).collect();
        assert_eq!(run(&mut m, &errors), vec!["fnw-log-error-burst"]);
        let mut crash = Vec::new();
        for i in 0..5 {
            let mut e = (*report(1000 + i * 20, "worker", 5.0, 128.0, 30.0, InvocationStatus::Error)).clone();
            if let Some(inv) = e.invocation.as_mut() {
                inv.error_type = "Runtime.ExitError".into();
            }
            crash.push(Arc::new(e));
        }
        assert!(run(&mut m, &crash).contains(&"fnw-log-crash-loop".to_owned()));
        let mining: Vec<_> =
            (0..3).map(|i| report(5000 + i * 900, "resize", 900_000.0, 1024.0, 1000.0, InvocationStatus::Timeout)).collect();
        let got = run(&mut m, &mining);
        assert!(got.contains(&"fnw-log-mining-signature".to_owned()), "{got:?}");
        assert!(got.contains(&"fnw-log-duration-threshold".to_owned()), "{got:?}");
        // Timeouts with little memory use are a hung dependency, not a miner.
        let mut quiet = Metrics::new(MetricsConfig::default(), 8).unwrap();
        let hung: Vec<_> = (0..3).map(|i| report(i * 60, "slow", 3000.0, 1024.0, 100.0, InvocationStatus::Timeout)).collect();
        assert_eq!(run(&mut quiet, &hung), Vec::<String>::new());
    }

    #[test]
    fn per_function_settings_override_the_defaults_and_typos_fail_at_start() {
        let cfg: MetricsConfig = toml::from_str("[defaults]\nmax_duration_ms = 1000\n[functions.batch]\nmax_duration_ms = 0\n").unwrap();
        assert_eq!(cfg.for_function("batch").unwrap().max_duration_ms, 0.0);
        assert_eq!(cfg.for_function("api").unwrap().max_duration_ms, 1000.0);
        let mut m = Metrics::new(cfg, 4).unwrap();
        let evs = vec![
            report(0, "batch", 5000.0, 128.0, 10.0, InvocationStatus::Success),
            report(1, "api", 5000.0, 128.0, 10.0, InvocationStatus::Success),
        ];
        assert_eq!(run(&mut m, &evs), vec!["fnw-log-duration-threshold"]);
        let typo: MetricsConfig = toml::from_str("[functions.batch]\nmax_duraton_ms = 0\n").unwrap();
        assert!(typo.validate().unwrap_err().contains("max_duraton_ms"));
        assert!(toml::from_str::<MetricsConfig>("[defaults]\nsurge = 3\n").is_err());
    }
}
