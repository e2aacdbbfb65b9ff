//! Reordering rule matches by event time before stateful detectors see them.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::Arc;

use fnwarden_event::{Event, Timestamp};

/// A match waiting for the watermark.
pub struct Pending {
    pub rule: u32,
    pub ev: Arc<Event>,
}

/// Holds matches until event time has moved `lateness` past them, then releases them in order.
pub struct Reorder {
    heap: BinaryHeap<Reverse<(Timestamp, u64, usize)>>,
    slots: Vec<Option<Pending>>,
    free: Vec<usize>,
    seq: u64,
    lateness: i64,
    max_seen: Timestamp,
    cap: usize,
    /// Matches released early because the buffer was full.
    pub forced: u64,
    /// Matches that arrived after the watermark had passed them.
    pub late: u64,
}

impl Reorder {
    pub fn new(lateness_ns: i64, cap: usize) -> Self {
        Reorder {
            heap: BinaryHeap::new(),
            slots: Vec::new(),
            free: Vec::new(),
            seq: 0,
            lateness: lateness_ns.max(0),
            max_seen: Timestamp::MIN,
            cap: cap.max(1),
            forced: 0,
            late: 0,
        }
    }

    pub fn watermark(&self) -> Timestamp {
        self.max_seen.saturating_sub_ns(self.lateness)
    }

    /// Notes that event time has reached `t` (every event counts, matched or not).
    pub fn observe_time(&mut self, t: Timestamp) {
        if t > self.max_seen {
            self.max_seen = t;
        }
    }

    pub fn push(&mut self, p: Pending) {
        if p.ev.time < self.watermark() {
            self.late += 1;
        }
        let t = p.ev.time;
        let slot = match self.free.pop() {
            Some(i) => {
                self.slots[i] = Some(p);
                i
            }
            None => {
                self.slots.push(Some(p));
                self.slots.len() - 1
            }
        };
        self.heap.push(Reverse((t, self.seq, slot)));
        self.seq += 1;
    }

    /// Releases, oldest first, everything at or before the watermark (or everything when
    /// `all`), and the oldest entries past the capacity.
    pub fn release(&mut self, all: bool, f: &mut dyn FnMut(Pending)) {
        let wm = self.watermark();
        while let Some(Reverse((t, _, slot))) = self.heap.peek().copied() {
            let over = self.heap.len() > self.cap;
            if !(all || t <= wm || over) {
                break;
            }
            if over && !(all || t <= wm) {
                self.forced += 1;
            }
            self.heap.pop();
            if let Some(p) = self.slots[slot].take() {
                self.free.push(slot);
                f(p);
            }
        }
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fnwarden_event::EventKind;

    fn p(rule: u32, t: i64) -> Pending {
        Pending { rule, ev: Arc::new(Event::new(EventKind::Open, Timestamp(t))) }
    }

    #[test]
    fn releases_in_event_time_order_after_lateness() {
        let mut r = Reorder::new(10, 100);
        for (rule, t) in [(0, 100), (1, 95), (2, 103)] {
            r.observe_time(Timestamp(t));
            r.push(p(rule, t));
        }
        let mut got = Vec::new();
        r.release(false, &mut |x| got.push(x.rule));
        assert!(got.is_empty(), "watermark 93 releases nothing");
        r.observe_time(Timestamp(111));
        r.release(false, &mut |x| got.push(x.rule));
        assert_eq!(got, vec![1, 0]);
        r.release(true, &mut |x| got.push(x.rule));
        assert_eq!(got, vec![1, 0, 2]);
    }

    #[test]
    fn late_and_overflow_are_counted() {
        let mut r = Reorder::new(10, 1);
        r.observe_time(Timestamp(1000));
        r.push(p(0, 5));
        assert_eq!(r.late, 1);
        r.push(p(1, 995));
        r.push(p(2, 996));
        let mut got = Vec::new();
        r.release(false, &mut |x| got.push(x.rule));
        // Rule 0 is past the watermark; rule 1 is forced out by the cap.
        assert_eq!(got, vec![0, 1]);
        assert_eq!(r.forced, 1);
    }
}
