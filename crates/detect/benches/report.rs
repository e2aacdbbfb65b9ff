//! Prints the figures docs/benchmarks.md records: events/s on one core for the indexed engine
//! and the linear baseline in the same run (interleaved rounds, best of each), their ratio,
//! and memory per loaded rule (bytes allocated by loading and compiling, over rule count).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use fnwarden_detect::{Engine, EngineConfig, Strategy};

#[path = "mix.rs"]
mod mix;
#[path = "rules.rs"]
mod rules;

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        LIVE.fetch_add(l.size(), Ordering::Relaxed);
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size(), Ordering::Relaxed);
        unsafe { System.dealloc(p, l) }
    }
}

#[global_allocator]
static A: Counting = Counting;

fn rate(engine: &mut Engine, events: &[fnwarden_event::Event]) -> (f64, usize) {
    let mut out = Vec::new();
    let start = Instant::now();
    for e in events {
        engine.process_ref(e, &mut out);
    }
    let secs = start.elapsed().as_secs_f64();
    (events.len() as f64 / secs, out.len())
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let before = LIVE.load(Ordering::Relaxed);
    let (set, have_sigma) = rules::load();
    let indexed_engine = Engine::new(&set, EngineConfig::default());
    let loaded = LIVE.load(Ordering::Relaxed) - before;
    let n_rules = set.rules.len() + set.correlations.len();
    let mut indexed = indexed_engine;
    let mut linear = Engine::new(&set, EngineConfig { strategy: Strategy::Linear, ..Default::default() });
    let events = mix::events(200_000);

    let (mut best_i, mut best_l) = (0f64, 0f64);
    let (mut alerts_i, mut alerts_l) = (0, 0);
    // `--profile`: the indexed engine only, many rounds, for `perf record`.
    if std::env::args().any(|a| a == "--profile") {
        for _ in 0..20 {
            rate(&mut indexed, &events);
        }
        return;
    }
    for _ in 0..5 {
        let (r, a) = rate(&mut indexed, &events);
        best_i = best_i.max(r);
        alerts_i = a;
        let (r, a) = rate(&mut linear, &events);
        best_l = best_l.max(r);
        alerts_l = a;
    }
    let st = indexed.stats();
    println!(
        "rules loaded: {} rules + {} correlations ({} load errors){}",
        set.rules.len(),
        set.correlations.len(),
        set.errors.len(),
        if have_sigma { ", SigmaHQ linux included" } else { "" }
    );
    println!("predicates: {}, literal patterns: {}", st.predicates, st.literal_patterns);
    println!("events per round: {}, alerts per round: indexed {alerts_i}, linear {alerts_l}", events.len());
    println!("indexed: {:.0} events/s (one core)", best_i);
    println!("linear:  {:.0} events/s (one core)", best_l);
    println!("ratio indexed/linear: {:.1}x", best_i / best_l);
    println!(
        "rule evaluations per event: indexed {:.2}, linear {:.2}",
        st.evaluations as f64 / st.events as f64,
        linear.stats().evaluations as f64 / linear.stats().events as f64
    );
    println!("memory: {} bytes for rules + engine = {:.0} bytes per rule", loaded, loaded as f64 / n_rules.max(1) as f64);
    assert_eq!(alerts_i, alerts_l, "indexed and linear engines disagree");
}
