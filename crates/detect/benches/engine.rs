//! Criterion benchmark: events/s through the engine with every built-in rule and every
//! SigmaHQ Linux rule loaded, indexed against the linear baseline.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use fnwarden_detect::{Engine, EngineConfig, Strategy};

#[path = "mix.rs"]
mod mix;
#[path = "rules.rs"]
mod rules;

fn bench(c: &mut Criterion) {
    let set = rules::with_sigma().unwrap_or_else(rules::builtin);
    let events = mix::events(20_000);
    let mut g = c.benchmark_group("engine");
    g.throughput(Throughput::Elements(events.len() as u64));
    // A linear round takes most of a second: fewer samples keep the run to a minute or two.
    g.sample_size(20);
    for (name, strategy) in [("indexed", Strategy::Indexed), ("linear", Strategy::Linear)] {
        let mut engine = Engine::new(&set, EngineConfig { strategy, ..Default::default() });
        let mut out = Vec::new();
        g.bench_function(name, |b| {
            b.iter(|| {
                for e in &events {
                    engine.process_ref(e, &mut out);
                    // A sink writes alerts out as they come.
                    out.clear();
                }
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
