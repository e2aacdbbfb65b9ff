//! Secrets matching throughput per core over generated source text (see corpus/mod.rs).

use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use fnwarden_secrets::Scanner;

mod corpus;

fn bench(c: &mut Criterion) {
    let scanner = Scanner::new();
    // What is measured must be the scanner that works: every planted file gives a finding.
    for (path, text) in corpus::planted(11) {
        assert!(!scanner.scan(Path::new(&path), text.as_bytes()).is_empty(), "nothing found in {path}");
    }
    let mut group = c.benchmark_group("secrets");
    group.sample_size(20);
    for (name, files) in [("realistic", corpus::realistic(7, 32 << 20)), ("dense-keywords", corpus::dense(7, 16 << 20))] {
        let bytes: usize = files.iter().map(|f| f.1.len()).sum();
        group.throughput(Throughput::Bytes(bytes as u64));
        group.bench_function(name, |b| {
            b.iter(|| files.iter().map(|(p, t)| scanner.scan(Path::new(p), t.as_bytes()).len()).sum::<usize>());
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
