//! Loss accounting: what each stage received, delivered and dropped. The kernel counts per
//! program (`KernelCounters`); userspace counts its queue and decoding (`UserCounters`).

use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

use crate::wire::{HOOKS, STATS, stat};

/// The programs' counters, summed over CPUs: `rows[hook][stat]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KernelCounters {
    pub rows: [[u64; STATS.len()]; HOOKS.len()],
}

impl KernelCounters {
    pub fn total(&self, s: usize) -> u64 {
        self.rows.iter().map(|r| r[s]).sum()
    }

    /// Calls the probes ran, of monitored processes or not.
    pub fn seen(&self) -> u64 {
        self.total(stat::SEEN)
    }

    /// Records the kernel kept: not of a monitored process, or no rule can match them.
    pub fn filtered(&self) -> u64 {
        self.total(stat::UNMONITORED) + self.total(stat::PREFILTERED)
    }

    pub fn emitted(&self) -> u64 {
        self.total(stat::EMITTED)
    }

    /// Records lost in the kernel: the ring buffer was full, or the overload policy shed them.
    pub fn lost(&self) -> u64 {
        self.total(stat::RESERVE_FAILED) + self.total(stat::SHED)
    }

    /// The share of calls the kernel filtered, 0 to 1.
    pub fn filtered_fraction(&self) -> f64 {
        let seen = self.seen();
        if seen == 0 { 0.0 } else { self.filtered() as f64 / seen as f64 }
    }

    pub fn to_report(&self) -> Vec<HookCounters> {
        HOOKS
            .iter()
            .zip(self.rows.iter())
            .filter(|(_, r)| r[stat::SEEN] > 0)
            .map(|(h, r)| HookCounters {
                hook: h,
                seen: r[stat::SEEN],
                unmonitored: r[stat::UNMONITORED],
                prefiltered: r[stat::PREFILTERED],
                emitted: r[stat::EMITTED],
                reserve_failed: r[stat::RESERVE_FAILED],
                shed: r[stat::SHED],
                unresolved_paths: r[6],
            })
            .collect()
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct HookCounters {
    pub hook: &'static str,
    pub seen: u64,
    pub unmonitored: u64,
    pub prefiltered: u64,
    pub emitted: u64,
    pub reserve_failed: u64,
    pub shed: u64,
    /// Relative or unnormalised paths passed up for userspace to resolve.
    pub unresolved_paths: u64,
}

/// Userspace stages, shared between the reader thread and whoever reports.
#[derive(Debug, Default)]
pub struct UserCounters {
    /// Records read from the ring buffer.
    pub received: AtomicU64,
    /// Records whose size was not a record's.
    pub malformed: AtomicU64,
    /// Low-priority records dropped because the queue to the engine was full.
    pub queue_dropped: AtomicU64,
    /// High-priority records that waited for room in the queue.
    pub queue_waits: AtomicU64,
    /// Records handed to the queue.
    pub queued: AtomicU64,
}

impl UserCounters {
    pub fn snapshot(&self) -> UserSnapshot {
        let g = |a: &AtomicU64| a.load(Ordering::Relaxed);
        UserSnapshot {
            received: g(&self.received),
            malformed: g(&self.malformed),
            queue_dropped: g(&self.queue_dropped),
            queue_waits: g(&self.queue_waits),
            queued: g(&self.queued),
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct UserSnapshot {
    pub received: u64,
    pub malformed: u64,
    pub queue_dropped: u64,
    pub queue_waits: u64,
    pub queued: u64,
}

/// Losses since the last look, by stage and reason, for the loss alert.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Losses {
    pub reserve_failed: u64,
    pub shed: u64,
    pub queue_dropped: u64,
    pub malformed: u64,
}

impl Losses {
    pub fn between(before: (&KernelCounters, &UserSnapshot), after: (&KernelCounters, &UserSnapshot)) -> Losses {
        Losses {
            reserve_failed: after.0.total(stat::RESERVE_FAILED).saturating_sub(before.0.total(stat::RESERVE_FAILED)),
            shed: after.0.total(stat::SHED).saturating_sub(before.0.total(stat::SHED)),
            queue_dropped: after.1.queue_dropped.saturating_sub(before.1.queue_dropped),
            malformed: after.1.malformed.saturating_sub(before.1.malformed),
        }
    }

    pub fn any(&self) -> bool {
        self.total() > 0
    }

    pub fn total(&self) -> u64 {
        self.reserve_failed + self.shed + self.queue_dropped + self.malformed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fraction_and_losses_add_up() {
        let mut k = KernelCounters::default();
        k.rows[3] = [100, 60, 30, 10, 0, 0, 0];
        k.rows[0] = [10, 0, 0, 8, 1, 1, 0];
        assert_eq!(k.seen(), 110);
        assert_eq!(k.filtered(), 90);
        assert!((k.filtered_fraction() - 90.0 / 110.0).abs() < 1e-9);
        assert_eq!(k.lost(), 2);
        let mut later = k.clone();
        later.rows[0][stat::RESERVE_FAILED] += 5;
        let u0 = UserSnapshot::default();
        let u1 = UserSnapshot { queue_dropped: 3, ..u0 };
        let l = Losses::between((&k, &u0), (&later, &u1));
        assert_eq!(l, Losses { reserve_failed: 5, shed: 0, queue_dropped: 3, malformed: 0 });
        assert!(l.any());
        assert_eq!(KernelCounters::default().filtered_fraction(), 0.0);
    }
}
