//! Stateful detectors: Sigma-style correlations over rule matches, per group, within a window.
//!
//! Matches reach detectors in event-time order through a reorder buffer (see
//! [`crate::order::Reorder`]), so a window means event time, not arrival time.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;

use fnwarden_alert::Alert;
use fnwarden_event::{Event, Timestamp};
use fnwarden_rules::{Cmp, Correlation, CorrelationKind};

use crate::alerting;

/// A stateful detector fed with rule matches in event-time order. Correlations implement it;
/// learned baselines can be added as further implementations.
pub trait Detector: Send {
    /// The rule matched by `ev` is the detector's input number `input`.
    fn observe(&mut self, input: usize, ev: &Arc<Event>, out: &mut Vec<Alert>);
    /// Event time has reached `watermark`: close windows that ended before it.
    fn advance(&mut self, watermark: Timestamp, out: &mut Vec<Alert>);
    /// Groups currently held, for stats and memory bounds.
    fn groups(&self) -> usize;
    /// Groups dropped because the cap was reached.
    fn evicted(&self) -> u64;
}

struct Entry {
    time: Timestamp,
    input: usize,
    /// Held only while the entry can still be evidence: among the newest `max_evidence`, or the
    /// newest match of its rule. Counting needs only time, rule and value, so a long window over
    /// a busy group does not hold every event it counted.
    ev: Option<Arc<Event>>,
    value: Option<String>,
}

#[derive(Default)]
struct Group {
    entries: VecDeque<Entry>,
    /// For value_count: how often each distinct value is in the window.
    distinct: HashMap<String, usize>,
    /// For temporal: matches per input in the window.
    per_input: Vec<usize>,
    /// Start of a tumbling window, for conditions that can only be judged when it closes.
    opened: Option<Timestamp>,
    /// The group alerted at this time: it does not alert again within the timespan (one alert
    /// per burst, not one per match after the threshold).
    fired: Option<Timestamp>,
}

/// Most groups one correlation holds; past it, the stalest groups are evicted and counted.
const MAX_GROUPS: usize = 100_000;

pub struct CorrelationDetector {
    corr: Correlation,
    groups: HashMap<String, Group>,
    max_evidence: usize,
    /// Conditions like `lt 5` can only be judged when the window closes.
    judge_at_close: bool,
    evicted: u64,
    alert_rule: Arc<fnwarden_alert::AlertRule>,
    /// No group can close before this event time (ns): `advance` skips its scan until then.
    next_close: i64,
}

impl CorrelationDetector {
    pub fn new(corr: Correlation, max_evidence: usize) -> Self {
        let upper_bounded = corr.threshold.conditions.iter().any(|(c, _)| !matches!(c, Cmp::Gt | Cmp::Ge));
        let judge_at_close = upper_bounded
            && matches!(corr.kind, CorrelationKind::EventCount | CorrelationKind::ValueCount { .. } | CorrelationKind::ValueSum { .. });
        let alert_rule = Arc::new(fnwarden_alert::AlertRule::from(&corr.meta));
        CorrelationDetector { corr, groups: HashMap::new(), max_evidence, judge_at_close, evicted: 0, alert_rule, next_close: i64::MAX }
    }

    fn key(&self, input: usize, ev: &Event) -> (String, BTreeMap<String, String>) {
        let mut key = String::new();
        let mut shown = BTreeMap::new();
        for g in &self.corr.group_by {
            let v = g.per_rule.get(input).or(g.per_rule.first()).and_then(|f| ev.get(f)).map(|v| v.render()).unwrap_or_default();
            key.push_str(&v);
            key.push('\u{1f}');
            shown.insert(g.name.clone(), v);
        }
        (key, shown)
    }

    fn value_field(&self) -> Option<&fnwarden_event::FieldRef> {
        match &self.corr.kind {
            CorrelationKind::ValueCount { field }
            | CorrelationKind::ValueSum { field }
            | CorrelationKind::ValueAvg { field }
            | CorrelationKind::ValuePercentile { field, .. }
            | CorrelationKind::ValueMedian { field } => Some(field),
            _ => None,
        }
    }

    /// The aggregate of a group's window, and how to say it.
    fn aggregate(&self, g: &Group) -> Option<(f64, String)> {
        let n = self.corr.rules.len();
        let nums = || g.entries.iter().filter_map(|e| e.value.as_deref().and_then(|v| v.trim().parse::<f64>().ok()));
        Some(match &self.corr.kind {
            CorrelationKind::EventCount => (g.entries.len() as f64, format!("{} events", g.entries.len())),
            CorrelationKind::ValueCount { field } => (g.distinct.len() as f64, format!("{} distinct {field}", g.distinct.len())),
            CorrelationKind::Temporal => {
                let all = g.per_input.len() == n && g.per_input.iter().all(|c| *c > 0);
                (if all { 1.0 } else { 0.0 }, format!("all {n} rules matched"))
            }
            CorrelationKind::TemporalOrdered => {
                let mut k = 0;
                for e in &g.entries {
                    if e.input == k {
                        k += 1;
                        if k == n {
                            break;
                        }
                    }
                }
                (if k == n { 1.0 } else { 0.0 }, format!("all {n} rules matched in order"))
            }
            CorrelationKind::ValueSum { field } => {
                let s: f64 = nums().sum();
                (s, format!("sum of {field} = {s}"))
            }
            CorrelationKind::ValueAvg { field } => {
                let v: Vec<f64> = nums().collect();
                if v.is_empty() {
                    return None;
                }
                let a = v.iter().sum::<f64>() / v.len() as f64;
                (a, format!("average {field} = {a:.2}"))
            }
            CorrelationKind::ValuePercentile { field, percentile } => {
                let p = percentile_of(nums().collect(), *percentile)?;
                (p, format!("p{percentile} of {field} = {p}"))
            }
            CorrelationKind::ValueMedian { field } => {
                let p = percentile_of(nums().collect(), 50.0)?;
                (p, format!("median {field} = {p}"))
            }
        })
    }

    fn fires(&self, g: &Group) -> Option<String> {
        let (v, said) = self.aggregate(g)?;
        let ok = match self.corr.kind {
            CorrelationKind::Temporal | CorrelationKind::TemporalOrdered => v >= 1.0,
            _ => self.corr.threshold.test(v),
        };
        ok.then_some(said)
    }

    fn alert(&self, g: &Group, said: &str, shown: BTreeMap<String, String>) -> Alert {
        // The newest events, and the newest match of each rule (a temporal correlation's evidence
        // shows every rule it needed), oldest first.
        let mut evidence: Vec<Arc<Event>> = g.entries.iter().filter_map(|e| e.ev.clone()).collect();
        let skip = evidence.len().saturating_sub(self.max_evidence.max(self.corr.rules.len()));
        evidence.drain(..skip);
        let group_text: Vec<String> = shown.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let span = fmt_span(self.corr.timespan_ns);
        let message = if group_text.is_empty() {
            format!("{}: {said} within {span}", self.corr.meta.title)
        } else {
            format!("{}: {said} within {span} ({})", self.corr.meta.title, group_text.join(" "))
        };
        let mut a = alerting::from_meta(&self.corr.meta, Arc::clone(&self.alert_rule), message, evidence);
        a.group = shown;
        a
    }

    /// When a group's window ends: after its tumbling window, or its newest match's span.
    fn closes_at(&self, g: &Group) -> i64 {
        let from = match g.opened {
            Some(o) => o.0,
            None => g.entries.back().map_or(i64::MIN, |e| e.time.0),
        };
        from.saturating_add(self.corr.timespan_ns)
    }

    fn evict_if_full(&mut self) {
        if self.groups.len() < MAX_GROUPS {
            return;
        }
        // Drop the tenth of groups whose newest entry is oldest.
        let mut ages: Vec<(Timestamp, String)> =
            self.groups.iter().map(|(k, g)| (g.entries.back().map_or(Timestamp::MIN, |e| e.time), k.clone())).collect();
        ages.sort_unstable();
        for (_, k) in ages.into_iter().take(MAX_GROUPS / 10) {
            self.groups.remove(&k);
            self.evicted += 1;
        }
    }
}

fn percentile_of(mut v: Vec<f64>, p: f64) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let rank = (p.clamp(0.0, 100.0) / 100.0 * (v.len() - 1) as f64).round() as usize;
    v.get(rank).copied()
}

fn fmt_span(ns: i64) -> String {
    let s = ns / 1_000_000_000;
    match s {
        s if s > 0 && s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s > 0 && s % 3_600 == 0 => format!("{}h", s / 3_600),
        s if s > 0 && s % 60 == 0 => format!("{}m", s / 60),
        s if s > 0 => format!("{s}s"),
        _ => format!("{}ms", ns / 1_000_000),
    }
}

fn drop_front(g: &mut Group) {
    if let Some(e) = g.entries.pop_front() {
        if let Some(v) = e.value
            && let Some(c) = g.distinct.get_mut(&v)
        {
            *c -= 1;
            if *c == 0 {
                g.distinct.remove(&v);
            }
        }
        if let Some(c) = g.per_input.get_mut(e.input) {
            *c = c.saturating_sub(1);
        }
    }
}

/// Before a match of rule `input` is appended: the entry leaving the evidence tail (the newest
/// `tail`) lets go of its event unless it is its rule's newest match, and the rule's previous
/// newest match lets go of its event unless it is still in the tail.
fn release_evidence(g: &mut Group, input: usize, tail: usize) {
    let len = g.entries.len();
    // After the push the tail is entries[len + 1 - tail ..= len].
    let first_kept = (len + 1).saturating_sub(tail);
    if let Some(p) = g.entries.iter().rposition(|e| e.input == input)
        && p < first_kept
    {
        g.entries[p].ev = None;
    }
    if tail > 0 && len + 1 > tail {
        let leaving = len - tail;
        let rule = g.entries[leaving].input;
        // Still its rule's newest when no later entry (nor the one being appended) is of it.
        let newest = rule != input && !g.entries.iter().skip(leaving + 1).any(|e| e.input == rule);
        if !newest {
            g.entries[leaving].ev = None;
        }
    }
}

fn reset(g: &mut Group) {
    g.entries.clear();
    g.distinct.clear();
    g.per_input.iter_mut().for_each(|c| *c = 0);
    g.opened = None;
}

impl Detector for CorrelationDetector {
    fn observe(&mut self, input: usize, ev: &Arc<Event>, out: &mut Vec<Alert>) {
        let (key, shown) = self.key(input, ev);
        let value = self.value_field().map(|f| ev.get(f).map(|v| v.render()).unwrap_or_default());
        if matches!(self.corr.kind, CorrelationKind::ValueCount { .. }) && value.as_deref() == Some("") {
            return; // Events without the counted field do not count.
        }
        if !self.groups.contains_key(&key) {
            self.evict_if_full();
        }
        let span = self.corr.timespan_ns;
        let n = self.corr.rules.len();
        let judge_at_close = self.judge_at_close;
        let g = self.groups.entry(key.clone()).or_default();
        if g.per_input.len() != n {
            g.per_input = vec![0; n];
        }
        if judge_at_close {
            if g.opened.is_some_and(|o| ev.time.0 - o.0 > span) {
                // The previous tumbling window ended; `advance` judges it, this event opens anew.
                reset(g);
            }
            g.opened.get_or_insert(ev.time);
        } else {
            while g.entries.front().is_some_and(|e| ev.time.0 - e.time.0 > span) {
                drop_front(g);
            }
        }
        if let Some(v) = &value {
            *g.distinct.entry(v.clone()).or_default() += 1;
        }
        if let Some(c) = g.per_input.get_mut(input) {
            *c += 1;
        }
        if matches!(self.corr.kind, CorrelationKind::Temporal) {
            // Its condition (every rule matched within the window) needs only each rule's newest
            // match, which expires last: a new match replaces the rule's previous one, so a group
            // over a busy key holds one entry per rule however long the window.
            if let Some(i) = g.entries.iter().position(|e| e.input == input) {
                g.entries.remove(i);
                if let Some(c) = g.per_input.get_mut(input) {
                    *c -= 1;
                }
            }
        } else {
            // The ordered kind's evidence is each rule's newest match; counting kinds show the
            // newest few.
            let tail = if matches!(self.corr.kind, CorrelationKind::TemporalOrdered) { 0 } else { self.max_evidence.max(1) };
            release_evidence(g, input, tail);
        }
        g.entries.push_back(Entry { time: ev.time, input, ev: Some(Arc::clone(ev)), value });
        let from = g.opened.map_or(ev.time.0, |o| o.0);
        self.next_close = self.next_close.min(from.saturating_add(span));
        if judge_at_close {
            return;
        }
        let Some(g) = self.groups.get(&key) else { return };
        if let Some(said) = self.fires(g) {
            let quiet = g.fired.is_some_and(|f| ev.time.0.saturating_sub(f.0) <= span);
            if !quiet {
                out.push(self.alert(g, &said, shown));
            }
            if let Some(g) = self.groups.get_mut(&key) {
                reset(g);
                if !quiet {
                    g.fired = Some(ev.time);
                }
            }
        }
    }

    fn advance(&mut self, watermark: Timestamp, out: &mut Vec<Alert>) {
        if watermark.0 <= self.next_close {
            return;
        }
        let mut closed = Vec::new();
        let mut next = i64::MAX;
        for (k, g) in &self.groups {
            let at = self.closes_at(g);
            if watermark.0 > at {
                closed.push(k.clone());
            } else {
                next = next.min(at);
            }
        }
        self.next_close = next;
        for k in closed {
            let Some(g) = self.groups.remove(&k) else { continue };
            if self.judge_at_close
                && !g.entries.is_empty()
                && let Some(said) = self.fires(&g)
            {
                let shown = g.entries.iter().rev().find_map(|e| e.ev.as_ref().map(|ev| self.key(e.input, ev).1)).unwrap_or_default();
                out.push(self.alert(&g, &said, shown));
            }
        }
    }

    fn groups(&self) -> usize {
        self.groups.len()
    }

    fn evicted(&self) -> u64 {
        self.evicted
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fnwarden_event::EventKind;
    use fnwarden_rules::{GroupField, RuleMeta, Threshold};

    #[test]
    fn a_temporal_group_holds_a_bounded_number_of_matches_and_still_fires() {
        let corr = Correlation {
            meta: RuleMeta { id: "t".into(), title: "t".into(), ..Default::default() },
            kind: CorrelationKind::Temporal,
            rules: vec!["inside".into(), "outside".into()],
            group_by: vec![GroupField { name: "k".into(), per_rule: vec![] }],
            timespan_ns: 12 * 3600 * 1_000_000_000,
            threshold: Threshold { conditions: vec![] },
            generate: false,
            tests: vec![],
        };
        let mut d = CorrelationDetector::new(corr, 16);
        let mut out = Vec::new();
        for i in 0..5000 {
            d.observe(0, &Arc::new(Event::new(EventKind::CloudApi, Timestamp(i * 1_000_000_000))), &mut out);
        }
        let held: usize = d.groups.values().map(|g| g.entries.len()).sum();
        assert_eq!(held, 1, "one entry per rule, the newest");
        assert!(out.is_empty());
        d.observe(1, &Arc::new(Event::new(EventKind::CloudApi, Timestamp(6000 * 1_000_000_000))), &mut out);
        assert_eq!(out.len(), 1);
    }

    #[test]
    fn a_burst_alerts_once_per_timespan_and_a_later_burst_again() {
        let corr = Correlation {
            meta: RuleMeta { id: "burst".into(), title: "burst".into(), ..Default::default() },
            kind: CorrelationKind::EventCount,
            rules: vec!["denied".into()],
            group_by: vec![],
            timespan_ns: 60 * 1_000_000_000,
            threshold: Threshold { conditions: vec![(Cmp::Ge, 3.0)] },
            generate: false,
            tests: vec![],
        };
        let mut d = CorrelationDetector::new(corr, 16);
        let mut out = Vec::new();
        let at = |s: i64| Arc::new(Event::new(EventKind::CloudApi, Timestamp(s * 1_000_000_000)));
        for s in 0..12 {
            d.observe(0, &at(s), &mut out);
        }
        assert_eq!(out.len(), 1, "twelve matches in twelve seconds are one burst");
        for s in 200..203 {
            d.observe(0, &at(s), &mut out);
        }
        assert_eq!(out.len(), 2, "a burst after the timespan alerts again");
    }

    #[test]
    fn windows_count_every_match_but_hold_only_the_evidence_events() {
        let corr = Correlation {
            meta: RuleMeta { id: "t".into(), title: "t".into(), ..Default::default() },
            kind: CorrelationKind::Temporal,
            rules: vec!["outside".into(), "inside".into()],
            group_by: vec![],
            timespan_ns: 12 * 3600 * 1_000_000_000,
            threshold: Threshold { conditions: vec![] },
            generate: false,
            tests: vec![],
        };
        let mut d = CorrelationDetector::new(corr, 4);
        let mut out = Vec::new();
        let at = |s: i64| {
            let mut e = Event::new(EventKind::CloudApi, Timestamp(s * 1_000_000_000));
            e.source = format!("t{s}");
            Arc::new(e)
        };
        // One outside use, then many inside uses of rule 1 only.
        d.observe(0, &at(0), &mut out);
        let mut probe = CorrelationDetector::new(d.corr.clone(), 4);
        for s in 1..40 {
            probe.observe(1, &at(s), &mut out);
        }
        let held: usize = probe.groups.values().flat_map(|g| g.entries.iter()).filter(|e| e.ev.is_some()).count();
        assert_eq!(held, 1, "a temporal group holds each rule's newest match only");
        let mut counting = d.corr.clone();
        counting.kind = CorrelationKind::EventCount;
        counting.threshold = Threshold { conditions: vec![(Cmp::Ge, 1000.0)] };
        let mut count = CorrelationDetector::new(counting, 4);
        for s in 1..40 {
            count.observe(0, &at(s), &mut out);
        }
        let held: usize = count.groups.values().flat_map(|g| g.entries.iter()).filter(|e| e.ev.is_some()).count();
        let counted: usize = count.groups.values().map(|g| g.entries.len()).sum();
        assert_eq!((held, counted), (4, 39), "every match counted, the newest 4 held as evidence");
        // Inside uses after the outside one: the alert's evidence shows both rules.
        for s in 1..30 {
            d.observe(1, &at(s), &mut out);
        }
        assert_eq!(out.len(), 1);
        let sources: Vec<&str> = out[0].evidence.iter().map(|e| e.source.as_str()).collect();
        assert_eq!(sources.first(), Some(&"t0"), "{sources:?}");
        assert_eq!(sources.last(), Some(&"t1"), "{sources:?}");
    }
}
