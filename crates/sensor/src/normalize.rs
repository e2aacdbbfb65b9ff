//! Records → core events (source `ebpf`): the process from the table, the function from
//! attribution, arguments rendered as rules read them, and what a guard did.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use fnwarden_event::sysargs::{bpf_cmd, clean_path, clone_flags, memfd_flags, ptrace_request, socket_family};
use fnwarden_event::{Endpoint, Event, EventKind, FileAction, L4Proto, NetAction, Syscall, Timestamp};
use rustc_hash::FxHashMap;

use crate::guard::{Guard, action_name};
use crate::hook::RAW_SYSCALLS;
use crate::process::{Exec, Table};
use crate::wire::{Record, kind};

const AT_FDCWD: i64 = -100;

/// Syscall numbers of this machine's ABI, by name, for the records that carry one.
pub struct SyscallNames {
    by_nr: FxHashMap<u32, (&'static str, EventKind)>,
}

impl SyscallNames {
    pub fn native() -> SyscallNames {
        let mut by_nr = FxHashMap::default();
        let named: &[(&'static str, EventKind)] = &[
            ("openat", EventKind::Open),
            ("open", EventKind::Open),
            ("creat", EventKind::Open),
            ("openat2", EventKind::Open),
            ("ptrace", EventKind::Ptrace),
            ("process_vm_writev", EventKind::ProcessVmWritev),
            ("process_vm_readv", EventKind::ProcessVmReadv),
            ("init_module", EventKind::InitModule),
            ("finit_module", EventKind::FinitModule),
            ("kill", EventKind::Kill),
            ("tkill", EventKind::Kill),
            ("tgkill", EventKind::Kill),
            ("umount2", EventKind::Umount),
        ];
        for (name, k) in named.iter().chain(RAW_SYSCALLS) {
            if let Ok(s) = libseccomp::ScmpSyscall::from_name(name) {
                let nr: i32 = s.into();
                if let Ok(nr) = u32::try_from(nr) {
                    by_nr.insert(nr, (*name, *k));
                }
            }
        }
        SyscallNames { by_nr }
    }

    pub fn get(&self, nr: u32) -> Option<(&'static str, EventKind)> {
        self.by_nr.get(&nr).copied()
    }
}

/// Turns records into events, keeping the process table.
pub struct Normalizer {
    pub table: Table,
    names: SyscallNames,
    /// CLOCK_REALTIME − CLOCK_MONOTONIC, to date records.
    clock_offset: i64,
    host: Option<String>,
}

impl Normalizer {
    pub fn new(table: Table) -> Normalizer {
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname").ok().map(|s| s.trim().to_owned());
        Normalizer { table, names: SyscallNames::native(), clock_offset: clock_offset(), host }
    }

    /// The event for a record; `None` for a record that reports nothing by itself (a fork of a
    /// process the table did not know updates the table only when no rule wants forks).
    pub fn event(&mut self, r: &Record, selection: u32) -> Option<Event> {
        let time = Timestamp(i64::try_from(r.ts_ns).unwrap_or(i64::MAX).saturating_add(self.clock_offset));
        let (ev_kind, mut syscall) = match r.kind {
            kind::EXEC => {
                let mut args = r.str1_list();
                if args.is_empty() {
                    args.push(r.str0());
                }
                self.table.exec(Exec { pid: r.pid, ppid: r.ppid, exe: r.str0(), args, comm: r.comm(), uid: r.uid }, selection);
                (EventKind::Execve, None)
            }
            kind::FORK => {
                self.table.get_or_load(r.pid, r.ppid, selection);
                self.table.fork(r.pid, r.target, selection);
                (EventKind::Fork, Some(Syscall { res: Some(i64::from(r.target)), ..Syscall::default() }))
            }
            kind::EXIT => (EventKind::ProcExit, None),
            kind::OPEN => (EventKind::Open, None),
            kind::CONNECT => (EventKind::Connect, None),
            kind::PTRACE => {
                let k = self.names.get(r.nr).map_or(EventKind::Ptrace, |(_, k)| k);
                let mut args = BTreeMap::new();
                if k == EventKind::Ptrace {
                    args.insert("request".to_owned(), ptrace_request(r.args[0] as i64));
                }
                args.insert("pid".to_owned(), r.target.to_string());
                // The argument is in the caller's pid namespace; the probe names the host pid
                // of the caller's init, so that the target is described by the right process.
                let host = u32::try_from(r.args[1]).ok().filter(|p| *p != 0);
                if let Some(h) = host {
                    args.insert("host_pid".to_owned(), h.to_string());
                }
                let mut target = self.table.target(host.unwrap_or(r.target));
                target.pid = i64::from(r.target);
                let target = Some(target);
                (k, Some(Syscall { args, target, ..Syscall::default() }))
            }
            kind::MODULE => (self.names.get(r.nr).map_or(EventKind::InitModule, |(_, k)| k), Some(Syscall::default())),
            kind::BPF => {
                let args = BTreeMap::from([("cmd".to_owned(), bpf_cmd(r.args[0]))]);
                (EventKind::Bpf, Some(Syscall { args, ..Syscall::default() }))
            }
            kind::KILL => {
                let args = BTreeMap::from([("sig".to_owned(), signal_name(r.flags)), ("pid".to_owned(), (r.target as i32).to_string())]);
                let target = Some(self.table.target(r.target));
                (EventKind::Kill, Some(Syscall { args, target, ..Syscall::default() }))
            }
            kind::SYSCALL => {
                let (name, k) = self.names.get(r.nr)?;
                (k, Some(Syscall { args: raw_args(name, r), ..Syscall::default() }))
            }
            _ => return None,
        };
        let (attribution, mut process) = self.table.describe(r.pid, r.ppid, selection);
        let mut ev = Event::new(ev_kind, time);
        ev.source = "ebpf".to_owned();
        ev.host = self.host.clone();
        ev.function = attribution.function.clone();
        ev.container = attribution.container.clone();
        process.tid = (r.tid != r.pid).then_some(i64::from(r.tid));
        match r.kind {
            kind::EXIT => {
                process.exit_code = Some(r.ret);
                self.table.exit(r.pid);
            }
            kind::OPEN => {
                let at = matches!(self.names.get(r.nr), Some(("openat" | "openat2", _)));
                ev.file = Some(open_file(r, at));
            }
            kind::CONNECT => ev.net = Some(connect_net(r)),
            _ => {}
        }
        ev.process = Some(process);
        if let Some(g) = Guard::from_index(r.guard) {
            let s = syscall.get_or_insert_with(Syscall::default);
            s.args.insert("guard".to_owned(), g.name().to_owned());
            s.action = Some(action_name(r.action).unwrap_or("allowed").to_owned());
        }
        ev.syscall = syscall;
        ev.normalize();
        Some(ev)
    }
}

fn open_file(r: &Record, at_dirfd: bool) -> FileAction {
    let raw = r.str0();
    // The probes pass relative and `..` paths up unjudged: resolve them as the kernel would.
    let dirfd = if at_dirfd { i64::from(r.args[0] as i32) } else { AT_FDCWD };
    let path = resolve(r.pid, dirfd, &raw);
    FileAction { path, flags: r.flags, created: false, ..FileAction::default() }
}

/// The absolute, lexically clean form of `path` as process `pid` opened it relative to
/// `dirfd`; left as given when /proc no longer knows the process.
pub fn resolve(pid: u32, dirfd: i64, path: &str) -> String {
    let joined = if path.starts_with('/') {
        path.to_owned()
    } else {
        let base = if dirfd == AT_FDCWD { format!("/proc/{pid}/cwd") } else { format!("/proc/{pid}/fd/{dirfd}") };
        match std::fs::read_link(&base) {
            Ok(b) => format!("{}/{path}", b.to_string_lossy()),
            Err(_) => return path.to_owned(),
        }
    };
    clean_path(&joined)
}

fn connect_net(r: &Record) -> NetAction {
    const AF_INET: u16 = 2;
    const SOCK_DGRAM: u32 = 2;
    let ip = if r.family == AF_INET {
        IpAddr::V4(Ipv4Addr::new(r.addr[0], r.addr[1], r.addr[2], r.addr[3]))
    } else {
        let v6 = Ipv6Addr::from(r.addr);
        v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4)
    };
    // flags holds the socket type (SOCK_NONBLOCK/CLOEXEC bits are not part of it).
    let proto = if r.flags & 0xf == SOCK_DGRAM { L4Proto::Udp } else { L4Proto::Tcp };
    let family = if r.family == AF_INET { "inet" } else { "inet6" };
    NetAction { proto, remote: Some(Endpoint { ip, port: r.port }), family: Some(family.to_owned()), ..NetAction::default() }
}

fn raw_args(name: &str, r: &Record) -> BTreeMap<String, String> {
    let a = r.args;
    let mut m = BTreeMap::new();
    let mut put = |k: &str, v: String| {
        m.insert(k.to_owned(), v);
    };
    match name {
        "unshare" => put("flags", clone_flags(a[0])),
        "setns" => {
            put("fd", (a[0] as i32).to_string());
            put("nstype", clone_flags(a[1]));
        }
        "mount" => {
            put("target", r.str0());
            put("fstype", r.str1());
            put("flags", format!("{:#x}", a[3]));
        }
        "memfd_create" => put("flags", memfd_flags(a[1])),
        "socket" => {
            put("domain", socket_family(a[0] as i64));
            put("type", (a[1] & 0xf).to_string());
        }
        "dup2" | "dup3" => {
            put("oldfd", (a[0] as i32).to_string());
            put("newfd", (a[1] as i32).to_string());
        }
        "setuid" => put("uid", (a[0] as u32).to_string()),
        "keyctl" => put("cmd", a[0].to_string()),
        "splice" => {
            put("fd_in", (a[0] as i32).to_string());
            put("fd_out", (a[2] as i32).to_string());
        }
        _ => {}
    }
    m.insert("syscall".to_owned(), name.to_owned());
    m
}

fn signal_name(sig: u32) -> String {
    const NAMES: &[&str] = &[
        "",
        "SIGHUP",
        "SIGINT",
        "SIGQUIT",
        "SIGILL",
        "SIGTRAP",
        "SIGABRT",
        "SIGBUS",
        "SIGFPE",
        "SIGKILL",
        "SIGUSR1",
        "SIGSEGV",
        "SIGUSR2",
        "SIGPIPE",
        "SIGALRM",
        "SIGTERM",
        "SIGSTKFLT",
        "SIGCHLD",
        "SIGCONT",
        "SIGSTOP",
    ];
    NAMES.get(sig as usize).filter(|s| !s.is_empty()).map_or_else(|| sig.to_string(), |s| (*s).to_owned())
}

fn clock_offset() -> i64 {
    let read = |clock| {
        let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
        // SAFETY: a valid clock id and a timespec to write.
        unsafe { libc::clock_gettime(clock, &mut ts) };
        ts.tv_sec * 1_000_000_000 + ts.tv_nsec
    };
    read(libc::CLOCK_REALTIME) - read(libc::CLOCK_MONOTONIC)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_fold_and_relative_ones_resolve_against_the_cwd() {
        assert_eq!(clean_path("/tmp/../etc//shadow"), "/etc/shadow");
        let cwd = std::env::current_dir().unwrap();
        let got = resolve(std::process::id(), AT_FDCWD, "x/../y");
        assert_eq!(got, clean_path(&format!("{}/y", cwd.display())));
        // A process /proc no longer has: the path stays as the function gave it.
        assert_eq!(resolve(u32::MAX - 1, AT_FDCWD, "rel"), "rel");
    }

    #[test]
    fn syscall_numbers_resolve_on_this_abi() {
        let n = SyscallNames::native();
        let nr: i32 = libseccomp::ScmpSyscall::from_name("unshare").unwrap().into();
        assert_eq!(n.get(nr as u32), Some(("unshare", EventKind::Unshare)));
        assert_eq!(n.get(u32::MAX), None);
        assert_eq!(signal_name(9), "SIGKILL");
        assert_eq!(signal_name(64), "64");
    }
}
