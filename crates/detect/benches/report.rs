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

/// Events per second, and alerts raised. Alerts are dropped as they come, as a sink would
/// write them out, so that the figure does not include holding a round's alerts in memory.
fn rate(engine: &mut Engine, events: &[fnwarden_event::Event]) -> (f64, usize) {
    let mut out = Vec::new();
    let mut alerts = 0;
    let start = Instant::now();
    for e in events {
        engine.process_ref(e, &mut out);
        alerts += out.len();
        out.clear();
    }
    let secs = start.elapsed().as_secs_f64();
    (events.len() as f64 / secs, alerts)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let events = mix::events(200_000);
    // `--profile [--builtin] [--rounds N]`: the indexed engine only, for `perf record` or
    // `valgrind --tool=callgrind`, whose instruction counts do not depend on machine load.
    if std::env::args().any(|a| a == "--profile") {
        let set =
            if std::env::args().any(|a| a == "--builtin") { rules::builtin() } else { rules::with_sigma().unwrap_or_else(rules::builtin) };
        let mut engine = Engine::new(&set, EngineConfig::default());
        let args: Vec<String> = std::env::args().collect();
        let rounds = args.iter().position(|a| a == "--rounds").and_then(|i| args.get(i + 1)).and_then(|n| n.parse().ok()).unwrap_or(20);
        for _ in 0..rounds {
            rate(&mut engine, &events);
        }
        return;
    }
    println!("events per round: {} (realistic mix, see benches/mix.rs); best of 5 interleaved rounds", events.len());
    measure("built-in rules", rules::builtin, &events);
    if rules::with_sigma().is_some() {
        measure("built-in + SigmaHQ linux rules", || rules::with_sigma().unwrap_or_default(), &events);
    }
}

/// Loads a rule set (counting the bytes it and its engine take), then times the indexed and
/// linear engines on the same events in alternating rounds.
fn measure(label: &str, load: impl Fn() -> fnwarden_rules::RuleSet, events: &[fnwarden_event::Event]) {
    let before = LIVE.load(Ordering::Relaxed);
    let set = load();
    let mut indexed = Engine::new(&set, EngineConfig::default());
    let loaded = LIVE.load(Ordering::Relaxed).saturating_sub(before);
    let n_rules = set.rules.len() + set.correlations.len();
    let mut linear = Engine::new(&set, EngineConfig { strategy: Strategy::Linear, ..Default::default() });
    let (mut best_i, mut best_l) = (0f64, 0f64);
    let (mut alerts_i, mut alerts_l) = (0, 0);
    for _ in 0..5 {
        let (r, a) = rate(&mut indexed, events);
        best_i = best_i.max(r);
        alerts_i = a;
        let (r, a) = rate(&mut linear, events);
        best_l = best_l.max(r);
        alerts_l = a;
    }
    let st = indexed.stats();
    println!("\n## {label}");
    println!("rules loaded: {} rules + {} correlations ({} load errors)", set.rules.len(), set.correlations.len(), set.errors.len());
    println!("predicates: {}, literal patterns: {}", st.predicates, st.literal_patterns);
    println!("alerts per round: indexed {alerts_i}, linear {alerts_l}");
    println!("indexed: {best_i:.0} events/s (one core)");
    println!("linear:  {best_l:.0} events/s (one core)");
    println!("ratio indexed/linear: {:.1}x", best_i / best_l);
    println!(
        "rule evaluations per event: indexed {:.2}, linear {:.2}",
        st.evaluations as f64 / st.events as f64,
        linear.stats().evaluations as f64 / linear.stats().events as f64
    );
    println!("memory: {loaded} bytes for rules + engine = {:.0} bytes per rule", loaded as f64 / n_rules.max(1) as f64);
    assert_eq!(alerts_i, alerts_l, "indexed and linear engines disagree");
}
