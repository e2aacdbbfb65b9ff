//! The receive loop, the monitor's hot path. Per notification: identify the task, read what
//! the syscall names, re-validate the notification id (the reads came from the right task only
//! if it is still waiting), answer, and queue what was seen for the reporting thread
//! (`report::Reporter`), which builds the events off this path. A stopped task waits for
//! exactly this much work.

use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::sync::Arc;
use std::sync::mpsc::Sender;

use fnwarden_event::{Ancestor, Timestamp};

use super::call::{self, Call, Refuse, SyscallMap, Target};
use super::process::Role;
use super::report::{Record, Seen};
use super::{Shared, bump, decode};

/// `SECCOMP_IOWR(0, struct seccomp_notif)`.
const NOTIF_RECV: libc::c_ulong = 0xC050_2100;
/// `SECCOMP_IOWR(1, struct seccomp_notif_resp)`.
const NOTIF_SEND: libc::c_ulong = 0xC018_2101;
/// `SECCOMP_IOW(2, __u64)`.
const NOTIF_ID_VALID: libc::c_ulong = 0x4008_2102;
const USER_NOTIF_FLAG_CONTINUE: u32 = 1;

pub(super) struct Loop {
    listener: OwnedFd,
    /// Pidfds of tracked processes and threads; the reporter waits on it for exits.
    epoll: Arc<OwnedFd>,
    stop: OwnedFd,
    shared: Arc<Shared>,
    records: Sender<Record>,
    syscalls: SyscallMap,
    scratch: Vec<u8>,
}

enum Answer {
    Continue,
    Errno(i32),
}

impl Loop {
    pub fn new(listener: OwnedFd, epoll: Arc<OwnedFd>, stop: OwnedFd, shared: Arc<Shared>, records: Sender<Record>) -> Loop {
        Loop { listener, epoll, stop, shared, records, syscalls: SyscallMap::native(), scratch: Vec::with_capacity(decode::STR_MAX) }
    }

    pub fn run(mut self) {
        loop {
            // poll(2) rather than epoll: its wake-up keeps the kernel's synchronous hand-off
            // (SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP), so the target and this thread trade one CPU.
            let mut fds = [
                libc::pollfd { fd: self.listener.as_raw_fd(), events: libc::POLLIN, revents: 0 },
                libc::pollfd { fd: self.stop.as_raw_fd(), events: libc::POLLIN, revents: 0 },
            ];
            // SAFETY: `fds` is a valid array of its length.
            let r = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, -1) };
            if r < 0 {
                if std::io::Error::last_os_error().raw_os_error() == Some(libc::EINTR) {
                    continue;
                }
                tracing::error!("monitor: poll failed: {}", std::io::Error::last_os_error());
                break;
            }
            if fds[1].revents != 0 {
                return;
            }
            if fds[0].revents & libc::POLLIN != 0 {
                self.handle();
            } else if fds[0].revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0 {
                // Every filtered task is gone.
                break;
            }
        }
        let _ = self.records.send(Record::Hangup);
    }

    fn queue(&self, record: Record) {
        // The reporter only goes away when stopping.
        let _ = self.records.send(record);
    }

    fn handle(&mut self) {
        // SAFETY: an all-zero seccomp_notif is valid, and the kernel insists on it.
        let mut req: libc::seccomp_notif = unsafe { std::mem::zeroed() };
        // SAFETY: `req` is the struct this ioctl fills.
        if unsafe { libc::ioctl(self.listener.as_raw_fd(), NOTIF_RECV as _, &mut req as *mut libc::seccomp_notif) } < 0 {
            // ENOENT: the task was killed between the wake-up and here.
            return;
        }
        let counters = &self.shared.counters;
        bump(&counters.notifications);
        let now = Timestamp::now();
        let Some(sys) = self.syscalls.get(req.data.nr) else {
            self.answer(req.id, Answer::Continue);
            return;
        };
        counters.syscall(sys);
        let tid = req.pid as i32;
        let shared = self.shared.clone();
        let mut table = shared.table();
        let (host, new) = match table.tgid_of(tid) {
            Some(h) => (h, false),
            None => match table.register(tid, now, &self.epoll, &mut self.scratch) {
                Some(r) => r,
                None => {
                    drop(table);
                    bump(&self.shared.counters.stale);
                    self.answer(req.id, Answer::Continue);
                    return;
                }
            },
        };
        let decoded = match table.get(host) {
            Some(e) => {
                let target = Target { tid, pidfd: e.pidfd.as_fd(), root: &e.root };
                call::decode(sys, &req.data.args, &target, &mut self.scratch)
            }
            None => return,
        };
        // What we read (and the pidfd we opened) belong to the notifying task only if it is
        // still waiting on this very notification.
        if !self.id_valid(req.id) {
            if new {
                table.remove(host);
            } else if tid != host {
                table.thread_gone(tid);
            }
            bump(&self.shared.counters.stale);
            return;
        }
        let call = decoded.unwrap_or_else(|err| {
            tracing::debug!("monitor: {} from {tid}: {err}", sys.name());
            bump(&self.shared.counters.decode_errors);
            Call::Nothing
        });
        let target_pid = match &call {
            Call::Kernel(k) => k.target,
            Call::File { target, .. } => *target,
            _ => None,
        };
        let target = target_pid.map(|ns| match table.by_ns_pid(ns, &mut self.scratch) {
            Some((a, role)) => (a, Some(role)),
            None => (Ancestor { pid: i64::from(ns), ..Ancestor::default() }, None),
        });
        let denied = match call.refuse() {
            Refuse::Never => false,
            Refuse::Always => true,
            Refuse::IfProtectedTarget => target.as_ref().is_some_and(|(_, r)| matches!(r, Some(Role::Runtime | Role::Init))),
        };
        // Everything is queued before the answer, so that a task's records always precede its
        // exit. An exec's image is looked up while the task still waits (a short-lived child
        // would be gone).
        let info = table.get(host).map(|e| e.info.clone());
        match call {
            Call::Exec(exec) => match exec.image(table.get(host).and_then(|e| e.root_fd.as_ref()).map(|r| r.as_fd())) {
                Some(img) => {
                    table.exec(host, img.exe, img.name, img.args);
                    if let Some(info) = table.get(host).map(|e| e.info.clone()) {
                        self.queue(Record::Exec { now, info, exec });
                    }
                }
                None => bump(&self.shared.counters.exec_misses),
            },
            // The parent's stop is the creation: the child may never stop itself (a fork bomb's
            // children only fork or sleep), so it is counted here, with the parent as actor.
            Call::Spawn => {
                if let Some(info) = info {
                    self.queue(Record::Fork { now, info });
                }
            }
            Call::Nothing => {}
            call => {
                if let Some(info) = info {
                    let root = if call.needs_existing_file() { table.get(host).and_then(|e| e.root_fd.clone()) } else { None };
                    self.queue(Record::Call(Box::new(Seen { now, info, call, target, denied, root })));
                }
            }
        }
        drop(table);
        self.answer(req.id, if denied { Answer::Errno(libc::EPERM) } else { Answer::Continue });
        if denied {
            bump(&self.shared.counters.denied);
        }
    }

    fn answer(&self, id: u64, answer: Answer) {
        let (error, flags) = match answer {
            Answer::Continue => (0, USER_NOTIF_FLAG_CONTINUE),
            Answer::Errno(e) => (-e, 0),
        };
        let mut resp = libc::seccomp_notif_resp { id, val: 0, error, flags };
        // SAFETY: `resp` is the struct this ioctl reads.
        if unsafe { libc::ioctl(self.listener.as_raw_fd(), NOTIF_SEND as _, &mut resp as *mut libc::seccomp_notif_resp) } < 0 {
            bump(&self.shared.counters.stale);
        }
    }

    fn id_valid(&self, id: u64) -> bool {
        // SAFETY: the ioctl reads the id.
        unsafe { libc::ioctl(self.listener.as_raw_fd(), NOTIF_ID_VALID as _, &id as *const u64) == 0 }
    }
}
