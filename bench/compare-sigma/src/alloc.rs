//! A counting global allocator for the memory figures: live bytes and their peak while a rule set
//! is loaded. Counting is switched off before the timed rounds so that neither engine pays for the
//! bookkeeping on its hot path (beyond one relaxed load per allocation, the same for both).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

pub struct Counting;

static ON: AtomicBool = AtomicBool::new(true);
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        if ON.load(Ordering::Relaxed) {
            let live = LIVE.fetch_add(l.size(), Ordering::Relaxed) + l.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        unsafe { System.alloc(l) }
    }

    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        if ON.load(Ordering::Relaxed) {
            LIVE.fetch_sub(l.size(), Ordering::Relaxed);
        }
        unsafe { System.dealloc(p, l) }
    }
}

/// Bytes held by what `build` returns, and the most held at once while building it, both over
/// what was live before. Whatever `build` drops before returning (parsed rule files) is not
/// counted in the first figure.
pub fn measure<T>(build: impl FnOnce() -> T) -> (T, usize, usize) {
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let value = build();
    let held = LIVE.load(Ordering::Relaxed).saturating_sub(before);
    let peak = PEAK.load(Ordering::Relaxed).saturating_sub(before);
    (value, held, peak)
}

/// Stops counting for good: from here on the live figure would be wrong, and nothing reads it.
pub fn stop() {
    ON.store(false, Ordering::Relaxed);
}
