use std::borrow::Cow;
use std::sync::Arc;

use fnwarden_alert::Alert;
use fnwarden_event::{Event, EventKind};
use fnwarden_rules::{Rule, RuleSet};

use crate::alerting;
use crate::compile::{self, CExpr, PredId, PredTable};
use crate::correlate::{CorrelationDetector, Detector};
use crate::order::{Pending, Reorder};
use crate::prefilter::{FieldScan, LitCheck, ScanBuilder};
use crate::proccache::ProcCache;

/// How stateless rules are matched. `Indexed` is the product; `Linear` evaluates every rule's
/// condition on every event and exists as the benchmark baseline and a cross-check in tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Strategy {
    #[default]
    Indexed,
    Linear,
}

#[derive(Clone, Debug)]
pub struct EngineConfig {
    /// How late (in event time) a match may arrive and still reach stateful detectors in
    /// order, in nanoseconds.
    pub lateness_ns: i64,
    /// Most evidence events kept on one correlation alert.
    pub max_evidence: usize,
    /// Most matches waiting in the reorder buffer; past it the oldest go early (counted).
    pub reorder_capacity: usize,
    pub strategy: Strategy,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig { lateness_ns: 5_000_000_000, max_evidence: 16, reorder_capacity: 1 << 20, strategy: Strategy::Indexed }
    }
}

/// What the engine has done so far. Nothing is dropped without a count here.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct EngineStats {
    pub rules: usize,
    pub correlations: usize,
    /// Distinct predicates after interning across rules.
    pub predicates: usize,
    /// Literal patterns in the prefilter automata.
    pub literal_patterns: usize,
    pub events: u64,
    /// Rule conditions fully evaluated (the prefilter skipped the rest).
    pub evaluations: u64,
    pub matches: u64,
    pub alerts: u64,
    /// Matches that arrived after the watermark had passed them (handled out of order).
    pub late_matches: u64,
    /// Matches released before their lateness elapsed because the reorder buffer was full.
    pub reorder_forced: u64,
    /// Correlation groups dropped because a detector reached its group cap.
    pub groups_evicted: u64,
    /// Bytes held by compiled rules and automata.
    pub memory_bytes: usize,
}

/// One rule specialised for one event kind.
struct KindRule {
    rule: u32,
    expr: CExpr,
}

#[derive(Default)]
struct KindProgram {
    rules: Vec<KindRule>,
    /// Process-scoped scans (`proc.*`) first, then the rest, from `proc_split` on.
    scans: Vec<FieldScan>,
    proc_split: usize,
    /// Rules with no literal guard: evaluated on every event of the kind.
    always: Vec<u32>,
    /// The automata could not be built: literals are tested directly.
    unscanned: bool,
}

/// Per-event scratch, reused: generation stamps avoid clearing arrays per event.
#[derive(Default)]
struct Scratch {
    stamp: u32,
    literal_true: Vec<u32>,
    evaluated: Vec<u32>,
    value: Vec<bool>,
    candidate: Vec<u32>,
    queue: Vec<u32>,
}

/// Cloud providers whose events get programs of their own: a rule for one provider's audit
/// records never costs another's events anything. Other providers use the kind's program.
const PROVIDERS: [&str; 3] = ["aws", "azure", "gcp"];

/// The program an event is judged by: its kind's, or its provider's for cloud events. The
/// provider must be spelled exactly as the program assumed when it folded the provider tests.
fn slot(ev: &Event) -> usize {
    if ev.kind == EventKind::CloudApi
        && let Some(c) = &ev.cloud
        && let Some(i) = PROVIDERS.iter().position(|p| c.provider == *p)
    {
        return EventKind::COUNT + i;
    }
    ev.kind.index()
}

pub struct Engine {
    rules: Vec<Rule>,
    strategy: Strategy,
    table: PredTable,
    /// Per event kind, then per cloud provider (see [`slot`]).
    programs: Vec<KindProgram>,
    is_literal: Vec<bool>,
    /// Per predicate, the hint literals of a glob or regex (see [`crate::hint`]).
    hints: Vec<Option<Box<[PredId]>>>,
    scratch: Scratch,
    /// Per rule, what its alerts share.
    alerting: Vec<alerting::RuleAlerting>,
    /// For each rule, the detectors (and their input number) that consume its matches.
    feeds: Vec<Vec<(usize, usize)>>,
    detectors: Vec<Box<dyn Detector>>,
    reorder: Reorder,
    stats: EngineStats,
    proc_cache: ProcCache,
    /// Scratch for lowercased field values in equality lookups.
    folded: String,
}

impl Engine {
    pub fn new(set: &RuleSet, cfg: EngineConfig) -> Engine {
        let rules: Vec<Rule> = set.rules.iter().filter(|r| r.meta.enabled).cloned().collect();
        let mut table = PredTable::default();
        let slots = EventKind::COUNT + PROVIDERS.len();
        let mut programs: Vec<KindProgram> = (0..slots).map(|_| KindProgram::default()).collect();
        let mut builders: Vec<ScanBuilder> = (0..slots).map(|_| ScanBuilder::default()).collect();
        // Specialise every rule for each kind it can apply to; its literals, and the hint
        // literals of its patterns, go into the kind's automata; its guard picks among them.
        for (ri, r) in rules.iter().enumerate() {
            let kinds = r.kinds.intersect(compile::infer_kinds(&r.condition));
            let variants = kinds.iter().flat_map(|k| {
                let by_provider = (k == EventKind::CloudApi).then_some(PROVIDERS.iter().enumerate()).into_iter().flatten();
                std::iter::once((k, None, k.index())).chain(by_provider.map(move |(i, p)| (k, Some(*p), EventKind::COUNT + i)))
            });
            for (k, provider, at) in variants {
                let expr = compile::specialise(&r.condition, k, provider, &mut table);
                if expr == CExpr::Const(false) {
                    continue;
                }
                let prog = &mut programs[at];
                let local = prog.rules.len() as u32;
                let b = &mut builders[at];
                let mut preds = Vec::new();
                compile::for_each_pred(&expr, &mut |p| preds.push(p));
                for p in preds {
                    let lits = match table.literal(p) {
                        Some(_) => vec![p],
                        None => table.hint(p).map(<[PredId]>::to_vec).unwrap_or_default(),
                    };
                    for l in lits {
                        if let Some((field, op, value, cased)) = table.literal(l) {
                            b.add(field, l, op, value, cased);
                        }
                    }
                }
                match compile::guard(&expr, &table) {
                    Some(g) => g.iter().for_each(|p| b.guard(*p, local)),
                    None => prog.always.push(local),
                }
                prog.rules.push(KindRule { rule: ri as u32, expr });
            }
        }
        for (prog, b) in programs.iter_mut().zip(builders) {
            match b.build() {
                Ok(mut scans) => {
                    scans.sort_by_key(|s| !s.process_scoped());
                    prog.proc_split = scans.iter().filter(|s| s.process_scoped()).count();
                    prog.scans = scans;
                }
                Err(e) => {
                    // Automaton too large: evaluate every rule of the kind, literals directly.
                    tracing::warn!("prefilter not built, evaluating rules directly: {e}");
                    prog.always = (0..prog.rules.len() as u32).collect();
                    prog.unscanned = true;
                }
            }
        }
        let is_literal = (0..table.preds.len() as u32).map(|p| table.literal(p).is_some()).collect();
        let hints = (0..table.preds.len() as u32).map(|p| table.known_hint(p).map(Box::from)).collect();

        let mut feeds = vec![Vec::new(); rules.len()];
        let mut detectors: Vec<Box<dyn Detector>> = Vec::new();
        let mut correlations = 0;
        for c in &set.correlations {
            if !c.meta.enabled {
                continue;
            }
            let d = detectors.len();
            for (input, name) in c.rules.iter().enumerate() {
                for (ri, r) in rules.iter().enumerate() {
                    if r.meta.id == *name || r.meta.name.as_deref() == Some(name.as_str()) {
                        feeds[ri].push((d, input));
                    }
                }
            }
            detectors.push(Box::new(CorrelationDetector::new(c.clone(), cfg.max_evidence)));
            correlations += 1;
        }

        let literal_patterns = programs.iter().flat_map(|p| &p.scans).map(FieldScan::patterns).sum();
        let memory_bytes = programs.iter().flat_map(|p| &p.scans).map(FieldScan::memory).sum::<usize>()
            + table.preds.len() * std::mem::size_of::<fnwarden_rules::Pred>()
            + programs.iter().map(|p| p.rules.len() * std::mem::size_of::<KindRule>()).sum::<usize>();
        let stats = EngineStats {
            rules: rules.len(),
            correlations,
            predicates: table.preds.len(),
            literal_patterns,
            memory_bytes,
            ..Default::default()
        };
        let n = table.preds.len();
        let max_rules = programs.iter().map(|p| p.rules.len()).max().unwrap_or(0);
        let scratch = Scratch {
            stamp: 0,
            literal_true: vec![0; n],
            evaluated: vec![0; n],
            value: vec![false; n],
            candidate: vec![0; max_rules],
            queue: Vec::with_capacity(max_rules),
        };
        let alerting = rules.iter().map(|r| alerting::RuleAlerting::new(&r.meta, r.output.as_ref())).collect();
        Engine {
            alerting,
            rules,
            strategy: cfg.strategy,
            table,
            programs,
            is_literal,
            hints,
            scratch,
            feeds,
            detectors,
            reorder: Reorder::new(cfg.lateness_ns, cfg.reorder_capacity),
            proc_cache: ProcCache::default(),
            folded: String::new(),
            stats,
        }
    }

    /// Plugs in a further stateful detector (a learned baseline, say), fed with the matches of
    /// the named rules in event-time order; input `i` is `rules[i]`. Rules used only as feeds
    /// should have `generate: false`. Fails when a name matches no loaded rule.
    pub fn add_detector(&mut self, detector: Box<dyn Detector>, rules: &[&str]) -> Result<(), String> {
        let d = self.detectors.len();
        let mut wired = Vec::new();
        for (input, name) in rules.iter().enumerate() {
            let found: Vec<usize> = (0..self.rules.len())
                .filter(|&i| self.rules[i].meta.id == *name || self.rules[i].meta.name.as_deref() == Some(*name))
                .collect();
            if found.is_empty() {
                return Err(format!("detector input {name:?} names no loaded rule"));
            }
            wired.extend(found.into_iter().map(|ri| (ri, input)));
        }
        for (ri, input) in wired {
            self.feeds[ri].push((d, input));
        }
        self.detectors.push(detector);
        Ok(())
    }

    /// Judges one event; alerts are appended to `out`.
    /// An event that matches moves into its alerts' evidence without a copy.
    pub fn process(&mut self, ev: Event, out: &mut Vec<Alert>) {
        self.judge(Cow::Owned(ev), out);
    }

    /// Judges one borrowed event; it is cloned only when it becomes evidence.
    pub fn process_ref(&mut self, ev: &Event, out: &mut Vec<Alert>) {
        self.judge(Cow::Borrowed(ev), out);
    }

    fn judge(&mut self, event: Cow<'_, Event>, out: &mut Vec<Alert>) {
        let ev: &Event = &event;
        self.stats.events += 1;
        self.reorder.observe_time(ev.time);
        let mut matched: Vec<u32> = Vec::new();
        match self.strategy {
            Strategy::Indexed => self.match_indexed(ev, &mut matched),
            Strategy::Linear => {
                for (i, r) in self.rules.iter().enumerate() {
                    if r.kinds.contains(ev.kind) {
                        self.stats.evaluations += 1;
                        if r.condition.matches(ev) {
                            matched.push(i as u32);
                        }
                    }
                }
            }
        }
        if !matched.is_empty() {
            let shared = Arc::new(event.into_owned());
            for ri in matched {
                self.stats.matches += 1;
                let rule = &self.rules[ri as usize];
                if rule.meta.generate {
                    self.stats.alerts += 1;
                    out.push(alerting::for_rule(rule, &self.alerting[ri as usize], &shared));
                }
                if !self.feeds[ri as usize].is_empty() {
                    self.reorder.push(Pending { rule: ri, ev: Arc::clone(&shared) });
                }
            }
        }
        if !self.detectors.is_empty() {
            self.drain(false, out);
        }
    }

    fn match_indexed(&mut self, ev: &Event, matched: &mut Vec<u32>) {
        let prog = &self.programs[slot(ev)];
        if prog.rules.is_empty() {
            return;
        }
        let s = &mut self.scratch;
        s.stamp = s.stamp.wrapping_add(1);
        if s.stamp == 0 {
            s.literal_true.iter_mut().for_each(|x| *x = 0);
            s.evaluated.iter_mut().for_each(|x| *x = 0);
            s.candidate.iter_mut().for_each(|x| *x = 0);
            s.stamp = 1;
        }
        let stamp = s.stamp;
        s.queue.clear();
        let mut apply = |c: &LitCheck| {
            s.literal_true[c.pred as usize] = stamp;
            for &r in &c.guarded {
                if s.candidate[r as usize] != stamp {
                    s.candidate[r as usize] = stamp;
                    s.queue.push(r);
                }
            }
        };
        let (proc_scans, event_scans) = prog.scans.split_at(prog.proc_split);
        // `proc.*` fields are absent without a process, so nothing can hit then.
        if let (false, Some(p)) = (proc_scans.is_empty(), ev.process.as_ref()) {
            let folded = &mut self.folded;
            let hits = self.proc_cache.hits(ev.kind, p, |hits| {
                for (si, scan) in proc_scans.iter().enumerate() {
                    scan.scan(ev, folded, &mut |i, _| hits.push((si as u16, i)));
                }
            });
            for &(si, i) in hits {
                apply(proc_scans[si as usize].check(i));
            }
        }
        for scan in event_scans {
            scan.scan(ev, &mut self.folded, &mut |_, c| apply(c));
        }
        for &r in &prog.always {
            if s.candidate[r as usize] != stamp {
                s.candidate[r as usize] = stamp;
                s.queue.push(r);
            }
        }
        // Rule order, so that alerts come out the same whatever the prefilter found first.
        s.queue.sort_unstable();
        let queue = std::mem::take(&mut s.queue);
        for &local in &queue {
            let kr = &prog.rules[local as usize];
            self.stats.evaluations += 1;
            let t = Tables { preds: &self.table, is_literal: &self.is_literal, hints: &self.hints, unscanned: prog.unscanned };
            if eval(&kr.expr, ev, &t, &mut self.scratch) {
                matched.push(kr.rule);
            }
        }
        self.scratch.queue = queue;
    }

    fn drain(&mut self, all: bool, out: &mut Vec<Alert>) {
        let before = out.len();
        let (feeds, detectors) = (&self.feeds, &mut self.detectors);
        self.reorder.release(all, &mut |p| {
            for &(d, input) in &feeds[p.rule as usize] {
                detectors[d].observe(input, &p.ev, out);
            }
        });
        let wm = if all { fnwarden_event::Timestamp::MAX } else { self.reorder.watermark() };
        for d in self.detectors.iter_mut() {
            d.advance(wm, out);
        }
        self.stats.alerts += (out.len() - before) as u64;
        self.stats.late_matches = self.reorder.late;
        self.stats.reorder_forced = self.reorder.forced;
        self.stats.groups_evicted = self.detectors.iter().map(|d| d.evicted()).sum();
    }

    /// End of input: every pending match reaches the detectors and every window closes.
    pub fn flush(&mut self, out: &mut Vec<Alert>) {
        self.drain(true, out);
    }

    /// The rules specialised for `kind`, with their compiled conditions.
    pub(crate) fn kind_rules(&self, kind: EventKind) -> impl Iterator<Item = (&Rule, &CExpr)> {
        self.programs[kind.index()].rules.iter().map(|r| (&self.rules[r.rule as usize], &r.expr))
    }

    pub(crate) fn pred_table(&self) -> &PredTable {
        &self.table
    }

    pub fn stats(&self) -> &EngineStats {
        &self.stats
    }

    /// Matches waiting for the watermark, plus correlation groups held.
    pub fn pending(&self) -> (usize, usize) {
        (self.reorder.len(), self.detectors.iter().map(|d| d.groups()).sum())
    }
}

/// What evaluation reads besides the event.
struct Tables<'a> {
    preds: &'a PredTable,
    is_literal: &'a [bool],
    hints: &'a [Option<Box<[PredId]>>],
    unscanned: bool,
}

fn eval(e: &CExpr, ev: &Event, t: &Tables<'_>, s: &mut Scratch) -> bool {
    match e {
        CExpr::Const(b) => *b,
        CExpr::And(v) => v.iter().all(|c| eval(c, ev, t, s)),
        CExpr::Or(v) => v.iter().any(|c| eval(c, ev, t, s)),
        CExpr::Not(c) => !eval(c, ev, t, s),
        CExpr::Pred(p) => {
            let i = *p as usize;
            if t.is_literal[i] && !t.unscanned {
                return s.literal_true[i] == s.stamp;
            }
            if s.evaluated[i] != s.stamp {
                s.evaluated[i] = s.stamp;
                // A pattern none of whose necessary literals occurred cannot match.
                let possible = t.unscanned || t.hints[i].as_ref().is_none_or(|h| h.iter().any(|&l| s.literal_true[l as usize] == s.stamp));
                s.value[i] = possible && t.preds.preds[i].matches(ev);
            }
            s.value[i]
        }
    }
}
