//! The running sensor: probes in the kernel, a reader thread draining the ring buffer into a
//! bounded queue, and the counters of both.

use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::SensorError;
use crate::plan::Plan;
use crate::probe::{LoadOptions, Probes};
use crate::stats::{KernelCounters, UserCounters, UserSnapshot};
use crate::wire::{self, Record};

#[derive(Clone, Debug)]
pub struct SensorConfig {
    pub load: LoadOptions,
    /// Records between the reader and the consumer.
    pub queue: usize,
    /// Shed low-priority records in the kernel once this many bytes are unread; 0 never sheds.
    pub shed_bytes: u64,
}

impl Default for SensorConfig {
    fn default() -> Self {
        SensorConfig { load: LoadOptions::default(), queue: 65536, shed_bytes: 12 << 20 }
    }
}

pub struct Sensor {
    probes: Arc<Mutex<Probes>>,
    counters: Arc<UserCounters>,
    rx: Receiver<Record>,
    stop: Arc<AtomicBool>,
    reader: Option<JoinHandle<()>>,
}

impl Sensor {
    pub fn start(cfg: &SensorConfig, plan: &Plan) -> Result<Sensor, SensorError> {
        if cfg.shed_bytes >= u64::from(cfg.load.ring_bytes) {
            return Err(SensorError::Config(format!(
                "the shed mark ({} bytes) must be below the ring buffer size ({} bytes)",
                cfg.shed_bytes, cfg.load.ring_bytes
            )));
        }
        let mut probes = Probes::load(&cfg.load, plan)?;
        probes.set_config(wire::config::SHED_BYTES, cfg.shed_bytes)?;
        // A sixteenth of the ring, at most 256 KiB: the reader is woken long before it fills.
        probes.set_config(wire::config::WAKE_BYTES, (u64::from(cfg.load.ring_bytes) / 16).min(256 << 10))?;
        let ring = probes.take_ring()?;
        let (tx, rx) = sync_channel(cfg.queue.max(1));
        let counters = Arc::new(UserCounters::default());
        let stop = Arc::new(AtomicBool::new(false));
        let reader = {
            let (counters, stop) = (counters.clone(), stop.clone());
            std::thread::Builder::new()
                .name("fnwarden-ring".into())
                .spawn(move || read_ring(ring, tx, &counters, &stop))
                .map_err(|e| SensorError::Load(format!("cannot start the reader thread: {e}")))?
        };
        Ok(Sensor { probes: Arc::new(Mutex::new(probes)), counters, rx, stop, reader: Some(reader) })
    }

    /// The next record, waiting at most `timeout`.
    pub fn recv_timeout(&self, timeout: Duration) -> Result<Record, RecvTimeoutError> {
        self.rx.recv_timeout(timeout)
    }

    pub fn try_recv(&self) -> Option<Record> {
        self.rx.try_recv().ok()
    }

    /// The probes, to change selections, prefilters and modes while running.
    pub fn probes(&self) -> MutexGuard<'_, Probes> {
        self.probes.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn shared_probes(&self) -> Arc<Mutex<Probes>> {
        self.probes.clone()
    }

    pub fn kernel_counters(&self) -> Result<KernelCounters, SensorError> {
        self.probes().counters()
    }

    pub fn user_counters(&self) -> UserSnapshot {
        self.counters.snapshot()
    }

    /// Stops reading and detaches every program. Records still queued are dropped with the
    /// sensor; drain with `try_recv` first.
    pub fn stop(mut self) {
        self.halt();
    }

    fn halt(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.reader.take() {
            let _ = h.join();
        }
    }
}

impl Drop for Sensor {
    fn drop(&mut self) {
        self.halt();
    }
}

/// Drains the ring buffer until told to stop. A full queue drops low-priority records and
/// makes high-priority ones wait (the ring buffer fills meanwhile, and the kernel sheds by the
/// same priorities).
fn read_ring(mut ring: aya::maps::RingBuf<aya::maps::MapData>, tx: SyncSender<Record>, c: &UserCounters, stop: &AtomicBool) {
    let fd = ring.as_raw_fd();
    while !stop.load(Ordering::Relaxed) {
        let mut pfd = libc::pollfd { fd, events: libc::POLLIN, revents: 0 };
        // SAFETY: one valid pollfd. The probes wake the reader only for guarded calls and past
        // the wake mark; the 10 ms timeout bounds how long other records wait.
        unsafe { libc::poll(&mut pfd, 1, 10) };
        while let Some(item) = ring.next() {
            c.received.fetch_add(1, Ordering::Relaxed);
            let Some(rec) = Record::from_bytes(&item) else {
                c.malformed.fetch_add(1, Ordering::Relaxed);
                continue;
            };
            drop(item);
            match tx.try_send(rec) {
                Ok(()) => {
                    c.queued.fetch_add(1, Ordering::Relaxed);
                }
                Err(TrySendError::Full(rec)) if rec.low == 0 => {
                    c.queue_waits.fetch_add(1, Ordering::Relaxed);
                    // Waits in steps so that a stop is still seen.
                    let mut rec = rec;
                    loop {
                        match tx.try_send(rec) {
                            Ok(()) => break,
                            Err(TrySendError::Full(r)) if !stop.load(Ordering::Relaxed) => {
                                rec = r;
                                std::thread::sleep(Duration::from_micros(200));
                            }
                            Err(_) => return,
                        }
                    }
                    c.queued.fetch_add(1, Ordering::Relaxed);
                }
                Err(TrySendError::Full(_)) => {
                    c.queue_dropped.fetch_add(1, Ordering::Relaxed);
                }
                Err(TrySendError::Disconnected(_)) => return,
            }
        }
    }
}
