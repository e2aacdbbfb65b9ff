//! The process table: every process of the sandbox that has stopped at least once, keyed by
//! host pid, with its image, parent chain and role. Threads map to their process.

use std::collections::HashMap;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::Arc;

use fnwarden_event::{Ancestor, Process, Timestamp};

use super::decode;

/// What a process is to the sandbox.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The process serving invocations (the first one to stop: its own `execve`).
    Runtime,
    /// The sandbox's PID 1.
    Init,
    /// Anything the function started.
    Function,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Runtime => "runtime",
            Role::Init => "init",
            Role::Function => "function",
        }
    }
}

/// Which host pids are the runtime and the sandbox's init. Zero means unknown: the first
/// process to stop becomes the runtime and its parent init.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Roles {
    pub runtime: i32,
    pub init: i32,
}

/// One process as the monitor knows it.
#[derive(Clone, Debug)]
pub struct ProcessInfo {
    pub host_pid: i32,
    /// Pid inside the sandbox's pid namespace (what the function sees, and what events carry).
    pub pid: i32,
    pub host_ppid: i32,
    pub role: Role,
    /// `execve`s seen from this process; the runtime's own start counts as one, so a runtime
    /// with two has been re-executed.
    pub execs: u32,
    /// When the monitor first saw it.
    pub first_seen: Timestamp,
    /// What events about it carry: pid, ppid, uid, exe, name, args, ancestors.
    pub process: Process,
}

impl ProcessInfo {
    pub fn as_ancestor(&self) -> Ancestor {
        let p = &self.process;
        Ancestor { pid: p.pid, exe: p.exe.clone(), name: p.name.clone(), args: p.args.clone() }
    }
}

/// Longest parent chain kept per process.
const MAX_ANCESTORS: usize = 8;

pub(super) struct Entry {
    /// Shared with queued reports, copied on write.
    pub info: Arc<ProcessInfo>,
    pub pidfd: OwnedFd,
    /// Its root as the supervisor reads `/proc/<pid>/root`, to turn our paths into its own.
    pub root: String,
    /// The same root as a descriptor, to look paths up as the process does.
    pub root_fd: Option<Arc<OwnedFd>>,
    threads: Vec<i32>,
}

/// A thread other than its process's leader.
struct Thread {
    tgid: i32,
    /// Readable when the thread exits (Linux ≥ 6.9); without it the mapping lives until the
    /// process exits.
    pidfd: Option<OwnedFd>,
}

/// What `/proc/<tid>/status` says about a task.
#[derive(Clone, Debug, Default)]
pub(super) struct Status {
    pub name: String,
    pub tgid: i32,
    pub ppid: i32,
    pub uid: Option<u32>,
    /// Innermost pid-namespace value of the thread-group id.
    pub ns_tgid: i32,
}

pub(super) fn read_status(tid: i32, scratch: &mut Vec<u8>) -> Option<Status> {
    let text = decode::proc_read(tid, "status", scratch)?;
    let mut st = Status::default();
    for line in text.split(|&b| b == b'\n') {
        let Some(colon) = line.iter().position(|&b| b == b':') else { continue };
        let (key, rest) = (&line[..colon], &line[colon + 1..]);
        let value = String::from_utf8_lossy(rest);
        let last_num = || value.split_whitespace().last().and_then(|v| v.parse::<i32>().ok());
        match key {
            b"Name" => st.name = value.trim().to_owned(),
            b"Tgid" => st.tgid = value.trim().parse().ok()?,
            b"PPid" => st.ppid = value.trim().parse().ok()?,
            b"Uid" => st.uid = value.split_whitespace().next().and_then(|v| v.parse().ok()),
            b"NStgid" => st.ns_tgid = last_num()?,
            _ => {}
        }
    }
    if st.tgid == 0 {
        return None;
    }
    if st.ns_tgid == 0 {
        st.ns_tgid = st.tgid;
    }
    Some(st)
}

/// `uid` (as the supervisor sees it) translated into the task's own user namespace.
pub(super) fn uid_inside(pid: i32, uid: u32, scratch: &mut Vec<u8>) -> u32 {
    let Some(map) = decode::proc_read(pid, "uid_map", scratch) else { return uid };
    for line in String::from_utf8_lossy(map).lines() {
        let f: Vec<u64> = line.split_whitespace().filter_map(|v| v.parse().ok()).collect();
        if let [inside, outside, count] = f[..]
            && u64::from(uid) >= outside
            && u64::from(uid) < outside + count
        {
            return (inside + u64::from(uid) - outside) as u32;
        }
    }
    uid
}

/// argv from `/proc/<pid>/cmdline`.
pub(super) fn read_cmdline(pid: i32, scratch: &mut Vec<u8>) -> Vec<String> {
    let Some(raw) = decode::proc_read(pid, "cmdline", scratch) else { return Vec::new() };
    raw.split(|&b| b == 0).filter(|a| !a.is_empty()).take(decode::ARGS_MAX).map(|a| String::from_utf8_lossy(a).into_owned()).collect()
}

pub(super) fn pidfd_open(pid: i32, flags: u32) -> std::io::Result<OwnedFd> {
    // SAFETY: plain syscall; the result is a new descriptor we own.
    let r = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, flags) };
    if r < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: the kernel just returned this descriptor to us.
    Ok(unsafe { OwnedFd::from_raw_fd(r as i32) })
}

/// The processes of one sandbox.
#[derive(Default)]
pub(super) struct Table {
    procs: HashMap<i32, Entry>,
    threads: HashMap<i32, Thread>,
    by_ns: HashMap<i32, i32>,
    pub roles: Roles,
    /// The sandbox's init as an ancestor (it never stops, so it is not in `procs`).
    init: Option<(i32, Ancestor)>,
    pub seen: u64,
}

/// Tags epoll data of thread pidfds (process pidfds carry the bare host pid).
pub(super) const THREAD_TAG: u64 = 1 << 63;

impl Table {
    pub fn new(roles: Roles) -> Table {
        Table { roles, ..Table::default() }
    }

    pub fn set_roles(&mut self, roles: Roles) {
        self.roles = roles;
        self.init = None;
        for e in self.procs.values_mut() {
            let role = role_of(&roles, e.info.host_pid);
            if e.info.role != role {
                Arc::make_mut(&mut e.info).role = role;
            }
        }
    }

    /// The process a task belongs to, if known.
    pub fn tgid_of(&self, tid: i32) -> Option<i32> {
        if self.procs.contains_key(&tid) {
            return Some(tid);
        }
        self.threads.get(&tid).map(|t| t.tgid)
    }

    pub fn get(&self, host_pid: i32) -> Option<&Entry> {
        self.procs.get(&host_pid)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Entry> {
        self.procs.values()
    }

    pub fn host_pids(&self) -> Vec<i32> {
        self.procs.keys().copied().collect()
    }

    /// Role of a host pid, including init, which never stops.
    pub fn role(&self, host_pid: i32) -> Option<Role> {
        match self.procs.get(&host_pid) {
            Some(e) => Some(e.info.role),
            None if host_pid != 0 && host_pid == self.roles.init => Some(Role::Init),
            None => None,
        }
    }

    /// A process named by its pid inside the sandbox, as an ancestor-shaped record, with its role.
    pub fn by_ns_pid(&mut self, ns_pid: i32, scratch: &mut Vec<u8>) -> Option<(Ancestor, Role)> {
        if let Some(e) = self.by_ns.get(&ns_pid).and_then(|h| self.procs.get(h)) {
            return Some((e.info.as_ancestor(), e.info.role));
        }
        let init = self.init_ancestor(scratch)?;
        (init.pid == i64::from(ns_pid)).then_some((init, Role::Init))
    }

    fn init_ancestor(&mut self, scratch: &mut Vec<u8>) -> Option<Ancestor> {
        let host = self.roles.init;
        if host == 0 {
            return None;
        }
        if self.init.as_ref().is_none_or(|(h, _)| *h != host) {
            let st = read_status(host, scratch)?;
            let exe = decode::proc_link(host, "exe").unwrap_or_default();
            // Named like Lambda's init, which rules about the runtime's parent expect.
            self.init = Some((host, Ancestor { pid: i64::from(st.ns_tgid), exe, name: "init".to_owned(), args: Vec::new() }));
        }
        self.init.as_ref().map(|(_, a)| a.clone())
    }

    /// Registers task `tid` (stopped in a notification, so it cannot go away meanwhile).
    /// Returns its process's host pid and, when the process is new, `true`.
    pub fn register(&mut self, tid: i32, now: Timestamp, epoll: &OwnedFd, scratch: &mut Vec<u8>) -> Option<(i32, bool)> {
        let st = read_status(tid, scratch)?;
        let tgid = st.tgid;
        if self.procs.contains_key(&tgid) {
            self.add_thread(tid, tgid, epoll);
            return Some((tgid, false));
        }
        let pidfd = pidfd_open(tgid, 0).ok()?;
        if self.roles.runtime == 0 && !self.procs.values().any(|e| e.info.role == Role::Runtime) {
            self.roles.runtime = tgid;
            if self.roles.init == 0 {
                self.roles.init = st.ppid;
            }
        }
        let role = role_of(&self.roles, tgid);
        let root = decode::proc_link(tgid, "root").unwrap_or_else(|| "/".to_owned());
        let root_fd = decode::open_root(tgid).ok().map(Arc::new);
        let uid = st.uid.map(|u| i64::from(uid_inside(tgid, u, scratch)));
        let (ppid, exe, name, args, ancestors) = match self.procs.get(&st.ppid) {
            // A fork: the child runs its parent's image until it execs.
            Some(parent) => {
                let p = &parent.info.process;
                let mut chain = Vec::with_capacity(MAX_ANCESTORS);
                chain.push(parent.info.as_ancestor());
                chain.extend(p.ancestors.iter().take(MAX_ANCESTORS - 1).cloned());
                (p.pid, p.exe.clone(), p.name.clone(), p.args.clone(), chain)
            }
            None => {
                let exe = decode::proc_link(tgid, "exe").map(|e| decode::inside_root(e, &root)).unwrap_or_default();
                let args = read_cmdline(tgid, scratch);
                let parent = if st.ppid == self.roles.init {
                    self.init_ancestor(scratch)
                } else {
                    read_status(st.ppid, scratch).map(|pst| Ancestor {
                        pid: i64::from(pst.ns_tgid),
                        exe: decode::proc_link(st.ppid, "exe").unwrap_or_default(),
                        name: pst.name,
                        args: Vec::new(),
                    })
                };
                let ppid = parent.as_ref().map(|a| a.pid).unwrap_or(0);
                (ppid, exe, st.name.clone(), args, parent.into_iter().collect())
            }
        };
        let process = Process { pid: i64::from(st.ns_tgid), ppid, uid, exe, name, args, ancestors, ..Process::default() };
        watch(epoll, &pidfd, tgid as u64);
        self.by_ns.insert(st.ns_tgid, tgid);
        let info = ProcessInfo { host_pid: tgid, pid: st.ns_tgid, host_ppid: st.ppid, role, execs: 0, first_seen: now, process };
        self.procs.insert(tgid, Entry { info: Arc::new(info), pidfd, root, root_fd, threads: Vec::new() });
        self.seen += 1;
        if tid != tgid {
            self.add_thread(tid, tgid, epoll);
        }
        Some((tgid, true))
    }

    fn add_thread(&mut self, tid: i32, tgid: i32, epoll: &OwnedFd) {
        let pidfd = pidfd_open(tid, libc::O_EXCL as u32).ok(); // PIDFD_THREAD
        if let Some(fd) = &pidfd {
            watch(epoll, fd, THREAD_TAG | tid as u64);
        }
        self.threads.insert(tid, Thread { tgid, pidfd });
        if let Some(e) = self.procs.get_mut(&tgid) {
            e.threads.push(tid);
        }
    }

    /// Forgets a thread that exited.
    pub fn thread_gone(&mut self, tid: i32) {
        if let Some(t) = self.threads.remove(&tid) {
            drop(t.pidfd);
            if let Some(e) = self.procs.get_mut(&t.tgid) {
                e.threads.retain(|&x| x != tid);
            }
        }
    }

    /// Takes a process out of the table (it exited, or its registration is void).
    pub fn remove(&mut self, host_pid: i32) -> Option<Entry> {
        let e = self.procs.remove(&host_pid)?;
        for t in &e.threads {
            self.threads.remove(t);
        }
        if self.by_ns.get(&e.info.pid) == Some(&host_pid) {
            self.by_ns.remove(&e.info.pid);
        }
        Some(e)
    }

    /// The process replaced its image.
    pub fn exec(&mut self, host_pid: i32, exe: String, name: String, args: Vec<String>) {
        let Some(e) = self.procs.get_mut(&host_pid) else { return };
        // Every other thread dies in execve.
        for t in e.threads.drain(..) {
            self.threads.remove(&t);
        }
        let info = Arc::make_mut(&mut e.info);
        info.execs += 1;
        info.process.name = if name.is_empty() { exe.rsplit('/').next().unwrap_or_default().to_owned() } else { name };
        info.process.exe = exe;
        info.process.args = args;
    }
}

fn role_of(roles: &Roles, host_pid: i32) -> Role {
    if host_pid == roles.runtime {
        Role::Runtime
    } else if host_pid == roles.init {
        Role::Init
    } else {
        Role::Function
    }
}

fn watch(epoll: &OwnedFd, fd: &OwnedFd, data: u64) {
    let mut ev = libc::epoll_event { events: libc::EPOLLIN as u32, u64: data };
    // SAFETY: both descriptors are open; `ev` is valid for the call.
    unsafe { libc::epoll_ctl(epoll.as_raw_fd(), libc::EPOLL_CTL_ADD, fd.as_raw_fd(), &mut ev) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_status_parses() {
        let mut scratch = Vec::new();
        let me = std::process::id() as i32;
        let st = read_status(me, &mut scratch).unwrap();
        assert_eq!(st.tgid, me);
        assert_eq!(st.ppid, std::os::unix::process::parent_id() as i32);
        assert!(st.uid.is_some());
        assert!(!read_cmdline(me, &mut scratch).is_empty());
    }
}
