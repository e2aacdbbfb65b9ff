//! The monitor: answers the seccomp policy's user notifications (`crate::policy`) in a
//! dedicated thread (`notify`), keeps a table of the sandbox's processes (`process`), and turns
//! every stop into core events (`fnwarden_event::Event`, source `sandbox`) in a second thread
//! (`report`), off the path a stopped task waits on.
//!
//! Events carry pids as the function sees them (inside the sandbox's pid namespace:
//! `proc.pid`, `proc.ppid`, ancestors, `syscall.target.pid`); the process table is keyed by host
//! pid and holds both. `sandbox.role` / `sandbox.target_role` say whether the acting and the
//! targeted process is the runtime, init or a process of the function.
//!
//! Monitoring ends by itself once every filtered task is gone (the listener hangs up), after
//! reporting the exit of every process still in the table.

mod call;
mod decode;
mod handoff;
mod notify;
mod process;
mod report;

use std::collections::BTreeMap;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use fnwarden_event::Event;

pub use handoff::{Handoff, prepare_listener_socket, receive_listener};
pub use process::{ProcessInfo, Role, Roles};

use call::Sys;

/// Where the monitor sends its events. Sending must not block.
pub trait EventSink: Send + 'static {
    /// Delivers one event; `false` when nobody listens any more.
    fn send(&self, event: Event) -> bool;
}

impl EventSink for std::sync::mpsc::Sender<Event> {
    fn send(&self, event: Event) -> bool {
        std::sync::mpsc::Sender::send(self, event).is_ok()
    }
}

impl EventSink for tokio::sync::mpsc::UnboundedSender<Event> {
    fn send(&self, event: Event) -> bool {
        tokio::sync::mpsc::UnboundedSender::send(self, event).is_ok()
    }
}

/// Counters of one monitor.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct MonitorStats {
    /// Notifications received.
    pub notifications: u64,
    /// Events sent.
    pub events: u64,
    /// Syscalls answered `EPERM`.
    pub denied: u64,
    /// Notifications whose arguments could not be read (the syscall still ran).
    pub decode_errors: u64,
    /// Notifications whose task died (or whose id went stale) before the answer.
    pub stale: u64,
    /// `execve` of paths that name no executable file (a PATH search): not reported.
    pub exec_misses: u64,
    /// Opens (without O_CREAT) of files that do not exist (library and import path searches):
    /// not reported.
    pub missing_opens: u64,
    /// Processes seen.
    pub processes: u64,
    /// Notifications per syscall since the monitor started.
    pub syscalls: BTreeMap<&'static str, u64>,
}

#[derive(Default)]
struct Counters {
    notifications: AtomicU64,
    events: AtomicU64,
    denied: AtomicU64,
    decode_errors: AtomicU64,
    stale: AtomicU64,
    exec_misses: AtomicU64,
    missing_opens: AtomicU64,
    total: Vec<AtomicU64>,
    window: Vec<AtomicU64>,
}

impl Counters {
    fn new() -> Counters {
        let n = Sys::ALL.len();
        Counters {
            total: (0..n).map(|_| AtomicU64::new(0)).collect(),
            window: (0..n).map(|_| AtomicU64::new(0)).collect(),
            ..Counters::default()
        }
    }

    fn syscall(&self, sys: Sys) {
        self.total[sys.index()].fetch_add(1, Ordering::Relaxed);
        self.window[sys.index()].fetch_add(1, Ordering::Relaxed);
    }
}

fn bump(c: &AtomicU64) {
    c.fetch_add(1, Ordering::Relaxed);
}

/// State shared between the monitor thread and its handle.
struct Shared {
    table: Mutex<process::Table>,
    counters: Counters,
    finished: AtomicBool,
}

impl Shared {
    fn table(&self) -> MutexGuard<'_, process::Table> {
        self.table.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A running monitor: a receive loop answering notifications and a reporter building events.
/// Dropping it stops both.
pub struct Monitor {
    shared: Arc<Shared>,
    stop: OwnedFd,
    /// The receive loop, then the reporter.
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Monitor {
    /// Starts answering notifications from `listener`; events go to `events`.
    pub fn start(listener: OwnedFd, roles: Roles, events: impl EventSink) -> std::io::Result<Monitor> {
        let shared =
            Arc::new(Shared { table: Mutex::new(process::Table::new(roles)), counters: Counters::new(), finished: AtomicBool::new(false) });
        // SAFETY: plain syscall.
        let stop = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC) };
        if stop < 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: the kernel just returned this descriptor to us.
        let stop = unsafe { OwnedFd::from_raw_fd(stop) };
        // SAFETY: plain syscall.
        let epoll = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
        if epoll < 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: the kernel just returned this descriptor to us.
        let epoll = Arc::new(unsafe { OwnedFd::from_raw_fd(epoll) });
        let (tx, rx) = std::sync::mpsc::channel();
        let reporter = report::Reporter {
            records: rx,
            epoll: epoll.clone(),
            stop: stop.try_clone()?,
            shared: shared.clone(),
            sink: Box::new(events),
            scratch: Vec::new(),
            hung_up: false,
        };
        let receiver = notify::Loop::new(listener, epoll, stop.try_clone()?, shared.clone(), tx);
        let spawn = |name: &str| std::thread::Builder::new().name(name.to_owned());
        let reporter = spawn("fnw-monitor-report").spawn(move || reporter.run())?;
        let receiver = spawn("fnw-monitor").spawn(move || receiver.run())?;
        Ok(Monitor { shared, stop, threads: vec![receiver, reporter] })
    }

    /// Tells the monitor which host pids are the runtime and init (e.g. once the runtime's pid is
    /// known from the listener hand-off).
    pub fn set_roles(&self, roles: Roles) {
        self.shared.table().set_roles(roles);
    }

    pub fn roles(&self) -> Roles {
        self.shared.table().roles
    }

    /// A snapshot of the live processes, keyed by host pid.
    pub fn processes(&self) -> BTreeMap<i32, ProcessInfo> {
        self.shared.table().iter().map(|e| (e.info.host_pid, ProcessInfo::clone(&e.info))).collect()
    }

    /// The process with this host pid as events show it (pid inside the sandbox).
    pub fn process_of(&self, host_pid: i32) -> Option<fnwarden_event::Process> {
        self.shared.table().get(host_pid).map(|e| e.info.process.clone())
    }

    /// What the process with this host pid is to the sandbox; `None` if the monitor never saw it.
    pub fn role_of(&self, host_pid: i32) -> Option<Role> {
        self.shared.table().role(host_pid)
    }

    pub fn stats(&self) -> MonitorStats {
        let c = &self.shared.counters;
        let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
        MonitorStats {
            notifications: load(&c.notifications),
            events: load(&c.events),
            denied: load(&c.denied),
            decode_errors: load(&c.decode_errors),
            stale: load(&c.stale),
            exec_misses: load(&c.exec_misses),
            missing_opens: load(&c.missing_opens),
            processes: self.shared.table().seen,
            syscalls: Sys::ALL.iter().map(|s| (s.name(), load(&c.total[s.index()]))).filter(|(_, n)| *n > 0).collect(),
        }
    }

    /// Notifications per syscall since the previous call (or the start), resetting the count:
    /// one invocation's syscall profile.
    pub fn take_syscall_counts(&self) -> BTreeMap<&'static str, u64> {
        let c = &self.shared.counters;
        Sys::ALL.iter().map(|s| (s.name(), c.window[s.index()].swap(0, Ordering::Relaxed))).filter(|(_, n)| *n > 0).collect()
    }

    /// Whether monitoring has ended (every filtered task is gone and every event was sent).
    pub fn is_finished(&self) -> bool {
        self.shared.finished.load(Ordering::Acquire)
    }

    /// Stops both threads and waits for them. Tasks still stopped in a notification are
    /// answered with ENOSYS by the kernel once the listener closes.
    pub fn stop(mut self) {
        self.shutdown();
    }

    /// Waits until monitoring ends by itself (every filtered task gone, every event sent).
    pub fn join(mut self) {
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }

    fn shutdown(&mut self) {
        if self.threads.is_empty() {
            return;
        }
        let one: u64 = 1;
        // SAFETY: writes 8 bytes from `one` to our eventfd.
        unsafe { libc::write(self.stop.as_raw_fd(), (&one as *const u64).cast(), 8) };
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

impl Drop for Monitor {
    fn drop(&mut self) {
        self.shutdown();
    }
}
