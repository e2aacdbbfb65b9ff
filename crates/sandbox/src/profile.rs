//! An invocation's behaviour profile: what it ran, touched and contacted, and how often each
//! watched syscall happened. Built from the same events the engine judges.

use std::collections::{BTreeMap, BTreeSet};

use fnwarden_event::{Event, EventKind};
use serde::Serialize;

/// Most distinct entries kept per list: a hostile function must not grow the report unbounded.
const CAP: usize = 200;

#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Profile {
    /// Programs executed, as command lines, in order.
    pub processes: Vec<String>,
    pub forks: u64,
    /// Files opened for writing or created.
    pub files_written: BTreeSet<String>,
    /// Files opened read-only (outside the runtime's own code and libraries).
    pub files_read: BTreeSet<String>,
    pub files_deleted: BTreeSet<String>,
    /// `proto remote` of each distinct outbound flow (connect, sendto).
    pub flows: BTreeSet<String>,
    pub dns: BTreeSet<String>,
    /// `METHOD host/path` of HTTP requests seen by the sandbox's network.
    pub http: BTreeSet<String>,
    pub tls_sni: BTreeSet<String>,
    /// Events per type, and refused syscalls.
    pub syscalls: BTreeMap<String, u64>,
    /// Stops of the seccomp monitor per syscall (what the function asked the kernel for, among
    /// the watched calls, including those that produced no event).
    pub stops: BTreeMap<String, u64>,
    pub denied: u64,
    /// Entries left out past the cap.
    pub truncated: u64,
}

impl Profile {
    pub fn observe(&mut self, ev: &Event) {
        *self.syscalls.entry(ev.kind.name().to_owned()).or_default() += 1;
        if ev.syscall.as_ref().is_some_and(|s| s.action.as_deref() == Some("denied")) {
            self.denied += 1;
        }
        match ev.kind {
            EventKind::Execve => {
                if let Some(p) = &ev.process {
                    let line = if p.args.is_empty() { p.exe.clone() } else { p.args.join(" ") };
                    if self.processes.len() < CAP {
                        self.processes.push(line);
                    } else {
                        self.truncated += 1;
                    }
                }
            }
            EventKind::Fork => self.forks += 1,
            EventKind::Open => {
                if let Some(f) = &ev.file {
                    if f.opens_for_change() {
                        self.add(Set::Written, &f.path);
                    } else if !is_runtime_code(&f.path) {
                        self.add(Set::Read, &f.path);
                    }
                }
            }
            EventKind::Unlink => {
                if let Some(f) = &ev.file {
                    self.add(Set::Deleted, &f.path);
                }
            }
            EventKind::Connect | EventKind::Bind => {
                if let Some(n) = &ev.net
                    && let Some(r) = n.remote.or(n.local)
                    && ev.source == "sandbox"
                {
                    let flow = format!("{} {}:{}", n.proto.name(), r.ip, r.port);
                    self.add(Set::Flows, &flow);
                }
            }
            EventKind::Dns => {
                if let Some(d) = ev.net.as_ref().and_then(|n| n.dns.as_ref()) {
                    self.add(Set::Dns, &d.name);
                }
            }
            EventKind::Http => {
                if let Some(h) = ev.net.as_ref().and_then(|n| n.http.as_ref()) {
                    self.add(Set::Http, &format!("{} {}{}", h.method, h.host, h.path));
                }
            }
            EventKind::Tls => {
                if let Some(s) = ev.net.as_ref().and_then(|n| n.sni.as_ref()) {
                    self.add(Set::Sni, s);
                }
            }
            _ => {}
        }
    }

    fn add(&mut self, set: Set, value: &str) {
        let s = match set {
            Set::Written => &mut self.files_written,
            Set::Read => &mut self.files_read,
            Set::Deleted => &mut self.files_deleted,
            Set::Flows => &mut self.flows,
            Set::Dns => &mut self.dns,
            Set::Http => &mut self.http,
            Set::Sni => &mut self.tls_sni,
        };
        if s.len() < CAP || s.contains(value) {
            s.insert(value.to_owned());
        } else {
            self.truncated += 1;
        }
    }
}

enum Set {
    Written,
    Read,
    Deleted,
    Flows,
    Dns,
    Http,
    Sni,
}

/// Interpreter libraries and shared objects every invocation loads; listing them hides the
/// reads that matter.
fn is_runtime_code(path: &str) -> bool {
    ["/usr/lib/", "/usr/local/lib/", "/lib/", "/lib64/", "/usr/share/", "/etc/ld.so", "/var/runtime/", "/usr/lib64/", "/usr/local/share/"]
        .iter()
        .any(|p| path.starts_with(p))
        || path.ends_with(".pyc")
}

#[cfg(test)]
mod tests {
    use fnwarden_event::{FileAction, Process, Timestamp};

    use super::*;

    #[test]
    fn a_profile_lists_what_matters_and_stays_bounded() {
        let mut p = Profile::default();
        let mut exec = Event::new(EventKind::Execve, Timestamp(1));
        exec.process = Some(Process { exe: "/bin/sh".into(), args: vec!["sh".into(), "-c".into(), "id".into()], ..Default::default() });
        p.observe(&exec);
        let open = |path: &str, flags| {
            let mut e = Event::new(EventKind::Open, Timestamp(2));
            e.file = Some(FileAction { path: path.into(), flags, ..Default::default() });
            e
        };
        p.observe(&open("/proc/self/environ", 0));
        p.observe(&open("/usr/lib/python3.11/os.py", 0));
        for i in 0..(CAP + 10) {
            p.observe(&open(&format!("/tmp/f{i}"), 0o101));
        }
        assert_eq!(p.processes, ["sh -c id"]);
        assert_eq!(p.files_read.iter().collect::<Vec<_>>(), ["/proc/self/environ"]);
        assert_eq!((p.files_written.len(), p.truncated), (CAP, 10));
        assert_eq!(p.syscalls["open"], 2 + CAP as u64 + 10);
    }
}
