//! The reporting thread: turns what the receive loop queued into core events, and notices
//! exits (a pidfd per process in an epoll set). Building events here keeps allocation and
//! normalisation off the path a stopped task waits on.

use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, TryRecvError};

use fnwarden_event::{Ancestor, Event, EventKind, SandboxFacts, Syscall, Timestamp};

use super::call::{Call, Exec, Refuse};
use super::process::{ProcessInfo, Role, THREAD_TAG};
use super::{EventSink, Shared, bump, decode};

/// What the receive loop saw, with the process as it was at that moment.
pub(super) enum Record {
    /// A process created a child (fork, vfork, clone without CLONE_THREAD): `info` is the parent.
    Fork {
        now: Timestamp,
        info: Arc<ProcessInfo>,
    },
    /// `info` already carries the new image.
    Exec {
        now: Timestamp,
        info: Arc<ProcessInfo>,
        exec: Exec,
    },
    Call(Box<Seen>),
    /// Every filtered task is gone.
    Hangup,
}

/// Any other syscall worth an event.
pub(super) struct Seen {
    pub now: Timestamp,
    pub info: Arc<ProcessInfo>,
    pub call: Call,
    /// The process it acts on, and that process's role when known.
    pub target: Option<(Ancestor, Option<Role>)>,
    pub denied: bool,
    /// Set for opens that only succeed on an existing file: the process's root, to check.
    pub root: Option<Arc<OwnedFd>>,
}

/// How long queued records may wait when nothing else wakes the reporter.
const BATCH_MS: i32 = 2;

/// `_IOWR(PIDFS_IOCTL_MAGIC, 11, struct pidfd_info)` with the first published, 64-byte struct.
const PIDFD_GET_INFO: libc::c_ulong = 0xC040_FF0B;
const PIDFD_INFO_EXIT: u64 = 1 << 3;

pub(super) struct Reporter {
    pub records: Receiver<Record>,
    pub epoll: Arc<OwnedFd>,
    pub stop: OwnedFd,
    pub shared: Arc<Shared>,
    pub sink: Box<dyn EventSink>,
    pub scratch: Vec<u8>,
    /// The receive loop has ended.
    pub hung_up: bool,
}

impl Reporter {
    pub fn run(mut self) {
        loop {
            let mut fds = [
                libc::pollfd { fd: self.epoll.as_raw_fd(), events: libc::POLLIN, revents: 0 },
                libc::pollfd { fd: self.stop.as_raw_fd(), events: libc::POLLIN, revents: 0 },
            ];
            // The receive loop never wakes us (that would cost it a syscall per record): a
            // short timeout collects its records in batches.
            // SAFETY: `fds` is a valid array of its length.
            let r = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, BATCH_MS) };
            if r < 0 && std::io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
                tracing::error!("monitor: poll failed: {}", std::io::Error::last_os_error());
                break;
            }
            if fds[1].revents != 0 {
                break;
            }
            if !self.drain() {
                self.finish();
                break;
            }
            if fds[0].revents & libc::POLLIN != 0 {
                self.reap();
            }
            if self.hung_up {
                self.finish();
                break;
            }
        }
        self.shared.finished.store(true, std::sync::atomic::Ordering::Release);
    }

    /// Turns every queued record into events; `false` once the receive loop has ended.
    fn drain(&mut self) -> bool {
        loop {
            match self.records.try_recv() {
                Ok(Record::Hangup) | Err(TryRecvError::Disconnected) => return false,
                Ok(r) => self.record(r),
                Err(TryRecvError::Empty) => return true,
            }
        }
    }

    fn emit(&self, mut e: Event) {
        e.normalize();
        if self.sink.send(e) {
            bump(&self.shared.counters.events);
        }
    }

    fn record(&mut self, r: Record) {
        let e = match r {
            Record::Fork { now, info } => Some(event(EventKind::Fork, now, &info)),
            Record::Exec { now, info, exec } => {
                let mut e = event(EventKind::Execve, now, &info);
                if let Some(p) = e.process.as_mut() {
                    p.env = exec.env;
                    p.cwd = exec.cwd;
                }
                Some(e)
            }
            Record::Call(seen) if seen.root.as_ref().is_some_and(|root| !exists(root, seen.call.path())) => {
                // The kernel fails it (ENOENT): nothing was opened. Library and import path
                // searches make many of these.
                bump(&self.shared.counters.missing_opens);
                None
            }
            Record::Call(seen) => {
                let Seen { now, info, call, target, denied, .. } = *seen;
                call_event(now, &info, call, target, denied)
            }
            Record::Hangup => None,
        };
        if let Some(e) = e {
            self.emit(e);
        }
    }

    /// Handles readable pidfds: processes and threads that exited.
    fn reap(&mut self) {
        let mut evs = [libc::epoll_event { events: 0, u64: 0 }; 32];
        loop {
            // SAFETY: `evs` is a valid array of its length.
            let n = unsafe { libc::epoll_wait(self.epoll.as_raw_fd(), evs.as_mut_ptr(), evs.len() as i32, 0) };
            if n <= 0 {
                return;
            }
            let now = Timestamp::now();
            let mut exited = Vec::new();
            {
                let mut table = self.shared.table();
                for ev in &evs[..n as usize] {
                    let data = ev.u64;
                    if data & THREAD_TAG != 0 {
                        table.thread_gone((data & !THREAD_TAG) as i32);
                    } else if let Some(entry) = table.remove(data as i32) {
                        exited.push(entry);
                    }
                }
            }
            // A task's records are queued before it resumes, hence before its exit: take them
            // now so that they come first.
            if !self.drain() {
                self.hung_up = true;
            }
            for entry in exited {
                let status = exit_status(&entry.pidfd, entry.info.host_pid, &mut self.scratch);
                self.emit(exit_event(now, &entry.info, status));
            }
            if (n as usize) < evs.len() {
                return;
            }
        }
    }

    /// Every filtered task is gone: reports the exits not seen yet.
    fn finish(&mut self) {
        self.hung_up = true;
        self.drain();
        self.reap();
        let now = Timestamp::now();
        let rest: Vec<_> = {
            let mut table = self.shared.table();
            table.host_pids().into_iter().filter_map(|h| table.remove(h)).collect()
        };
        for entry in rest {
            let status = exit_status(&entry.pidfd, entry.info.host_pid, &mut self.scratch);
            self.emit(exit_event(now, &entry.info, status));
        }
    }
}

/// Whether `path` names something under `root` (looked up now, just after the open).
fn exists(root: &OwnedFd, path: &str) -> bool {
    use std::os::fd::AsFd;
    match decode::open_beneath(root.as_fd(), path, libc::O_PATH) {
        Ok(_) => true,
        Err(e) => !matches!(e.raw_os_error(), Some(libc::ENOENT | libc::ENOTDIR | libc::ELOOP)),
    }
}

fn event(kind: EventKind, now: Timestamp, info: &ProcessInfo) -> Event {
    let mut e = Event::new(kind, now);
    e.source = "sandbox".to_owned();
    e.process = Some(info.process.clone());
    e.sandbox = Some(SandboxFacts { role: info.role.name().to_owned(), ..SandboxFacts::default() });
    e
}

/// `status` is the wait status; `exit_code` becomes the exit code, or 128 + the killing signal.
fn exit_event(now: Timestamp, info: &ProcessInfo, status: Option<i32>) -> Event {
    let mut e = event(EventKind::ProcExit, now, info);
    if let (Some(p), Some(st)) = (e.process.as_mut(), status) {
        p.exit_code = Some(if st & 0x7f == 0 { i64::from((st >> 8) & 0xff) } else { 128 + i64::from(st & 0x7f) });
    }
    e
}

/// The event for a decoded syscall, if it says anything. `target` is the process it acts on.
fn call_event(now: Timestamp, info: &ProcessInfo, call: Call, target: Option<(Ancestor, Option<Role>)>, denied: bool) -> Option<Event> {
    let target_role = target.as_ref().and_then(|(_, r)| *r).map(|r| r.name().to_owned()).unwrap_or_default();
    let target = target.map(|(a, _)| a);
    let mut e = match call {
        Call::File { kind, file, .. } => {
            let mut e = event(kind, now, info);
            e.file = Some(file);
            if target.is_some() {
                e.syscall = Some(Syscall { target, ..Syscall::default() });
            }
            e
        }
        Call::Net { kind, net } => {
            let mut e = event(kind, now, info);
            e.net = Some(net);
            e
        }
        Call::Kernel(k) => {
            let mut e = event(k.kind, now, info);
            e.net = k.net;
            let action = if denied {
                Some("denied")
            } else if k.refuse != Refuse::Never {
                Some("allowed")
            } else {
                None
            };
            e.syscall =
                Some(Syscall { res: denied.then_some(-i64::from(libc::EPERM)), args: k.args, target, action: action.map(str::to_owned) });
            e
        }
        Call::Exec(_) | Call::Spawn | Call::Nothing => return None,
    };
    if let Some(s) = e.sandbox.as_mut() {
        s.target_role = target_role;
    }
    Some(e)
}

/// The wait status of an exited process: from the pidfd once reaped (Linux ≥ 6.15), else from
/// `/proc/<pid>/stat` while it is a zombie.
fn exit_status(pidfd: &OwnedFd, pid: i32, scratch: &mut Vec<u8>) -> Option<i32> {
    let from_pidfd = || {
        let mut info = [0u8; 64];
        info[..8].copy_from_slice(&PIDFD_INFO_EXIT.to_ne_bytes());
        // SAFETY: `info` is the 64-byte struct the ioctl number declares.
        let r = unsafe { libc::ioctl(pidfd.as_raw_fd(), PIDFD_GET_INFO as _, info.as_mut_ptr()) };
        let mask = u64::from_ne_bytes(info[..8].try_into().unwrap_or([0; 8]));
        (r == 0 && mask & PIDFD_INFO_EXIT != 0).then(|| i32::from_ne_bytes(info[60..64].try_into().unwrap_or([0; 4])))
    };
    if let Some(s) = from_pidfd() {
        return Some(s);
    }
    let from_stat = decode::proc_read(pid, "stat", scratch).and_then(|stat| {
        let close = stat.iter().rposition(|&b| b == b')')?;
        let text = std::str::from_utf8(&stat[close + 1..]).ok()?;
        // Field 52 (exit_code); the text after `)` starts at field 3.
        text.split_whitespace().nth(49)?.parse::<i32>().ok()
    });
    from_stat.or_else(from_pidfd)
}
