//! What the process-level part of the prefilter found, per (event kind, process), so that the
//! many events of one process scan `proc.*` fields once. Entries are checked for equality on
//! lookup, so a hash collision costs a rescan, never a wrong result; the cache is cleared when
//! full, so its memory is bounded.

use std::hash::{Hash, Hasher};

use fnwarden_event::{EventKind, Process};
use rustc_hash::{FxHashMap, FxHasher};

/// Most entries held; a stream with more live processes than this only loses speed.
const CAPACITY: usize = 4096;

/// A recorded hit: which process-scoped scan, and which of its checks.
pub type Hit = (u16, u32);

struct Entry {
    kind: EventKind,
    process: Process,
    hits: Vec<Hit>,
}

#[derive(Default)]
pub struct ProcCache {
    entries: FxHashMap<u64, Entry>,
    pub lookups: u64,
    pub misses: u64,
}

fn key(kind: EventKind, p: &Process) -> u64 {
    let mut h = FxHasher::default();
    kind.hash(&mut h);
    p.hash(&mut h);
    h.finish()
}

impl ProcCache {
    /// The recorded hits for `kind` and `p`, computing them with `fill` on a miss.
    pub fn hits(&mut self, kind: EventKind, p: &Process, fill: impl FnOnce(&mut Vec<Hit>)) -> &[Hit] {
        self.lookups += 1;
        let k = key(kind, p);
        let fresh = !self.entries.get(&k).is_some_and(|e| e.kind == kind && e.process == *p);
        if fresh {
            self.misses += 1;
            if self.entries.len() >= CAPACITY {
                self.entries.clear();
            }
            let mut hits = Vec::new();
            fill(&mut hits);
            self.entries.insert(k, Entry { kind, process: p.clone(), hits });
        }
        self.entries.get(&k).map_or(&[], |e| e.hits.as_slice())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proc(exe: &str) -> Process {
        Process { pid: 7, exe: exe.into(), args: vec![exe.into()], ..Default::default() }
    }

    #[test]
    fn entries_are_per_kind_and_process_and_filled_once() {
        let mut c = ProcCache::default();
        let mut fills = 0;
        for _ in 0..3 {
            let hits = c.hits(EventKind::Open, &proc("/bin/sh"), |h| {
                fills += 1;
                h.push((0, 1));
            });
            assert_eq!(hits, &[(0, 1)]);
        }
        assert_eq!(fills, 1);
        // Another kind, or another process, is another entry.
        assert!(c.hits(EventKind::Connect, &proc("/bin/sh"), |_| {}).is_empty());
        assert!(c.hits(EventKind::Open, &proc("/bin/bash"), |_| {}).is_empty());
        assert_eq!((c.lookups, c.misses), (5, 3));
    }

    #[test]
    fn a_full_cache_starts_over() {
        let mut c = ProcCache::default();
        for i in 0..CAPACITY + 10 {
            c.hits(EventKind::Open, &proc(&format!("/bin/p{i}")), |h| h.push((0, i as u32)));
        }
        assert!(c.entries.len() <= CAPACITY);
        assert_eq!(c.hits(EventKind::Open, &proc("/bin/p3"), |h| h.push((0, 3))), &[(0, 3)]);
    }
}
