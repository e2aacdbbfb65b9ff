use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Broad class of an event; rules and the engine index on [`EventKind`], people read this.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    Process,
    File,
    Network,
    Kernel,
    Cloud,
    Invocation,
    Log,
}

impl Category {
    pub fn name(self) -> &'static str {
        match self {
            Category::Process => "process",
            Category::File => "file",
            Category::Network => "network",
            Category::Kernel => "kernel",
            Category::Cloud => "cloud",
            Category::Invocation => "invocation",
            Category::Log => "log",
        }
    }
}

macro_rules! kinds {
    ($( $variant:ident = $name:literal, $cat:ident, $doc:literal; )*) => {
        /// What happened. The name is the value of `evt.type` and follows Falco's syscall naming
        /// where Falco has one.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u8)]
        pub enum EventKind {
            $( #[doc = $doc] $variant, )*
        }

        impl EventKind {
            /// Every kind, in index order.
            pub const ALL: &'static [EventKind] = &[ $( EventKind::$variant, )* ];

            pub fn name(self) -> &'static str {
                match self { $( EventKind::$variant => $name, )* }
            }

            pub fn category(self) -> Category {
                match self { $( EventKind::$variant => Category::$cat, )* }
            }

            pub fn description(self) -> &'static str {
                match self { $( EventKind::$variant => $doc, )* }
            }

            pub fn from_name(s: &str) -> Option<EventKind> {
                match s {
                    $( $name => Some(EventKind::$variant), )*
                    // Falco's and the kernel's aliases for the same action.
                    "openat" | "openat2" | "creat" => Some(EventKind::Open),
                    "execveat" => Some(EventKind::Execve),
                    "clone" | "clone3" | "vfork" => Some(EventKind::Fork),
                    "renameat" | "renameat2" => Some(EventKind::Rename),
                    "unlinkat" => Some(EventKind::Unlink),
                    "fchmod" | "fchmodat" | "fchmodat2" => Some(EventKind::Chmod),
                    "dup2" | "dup3" => Some(EventKind::Dup),
                    "pwrite" | "pwrite64" | "writev" => Some(EventKind::Write),
                    "accept4" => Some(EventKind::Accept),
                    "umount2" => Some(EventKind::Umount),
                    _ => None,
                }
            }
        }
    };
}

kinds! {
    Execve = "execve", Process, "a process image was executed";
    Fork = "fork", Process, "a process or thread was created (fork, vfork, clone)";
    ProcExit = "procexit", Process, "a process exited";
    ProcAlive = "proc_alive", Process, "a process the function started was still running after the invocation's response";
    Open = "open", File, "a file was opened (open, openat, creat)";
    Write = "write", File, "data was written to a file";
    Rename = "rename", File, "a file was renamed";
    Unlink = "unlink", File, "a file was deleted";
    Chmod = "chmod", File, "a file's mode changed";
    MmapExec = "mmap_exec", File, "a file was mapped executable";
    Connect = "connect", Network, "an outbound connection";
    Bind = "bind", Network, "a socket was bound to a local address";
    Listen = "listen", Network, "a socket started listening";
    Accept = "accept", Network, "an inbound connection was accepted";
    Dns = "dns", Network, "a DNS query";
    Http = "http", Network, "an HTTP request seen on the wire or at a proxy";
    Tls = "tls", Network, "a TLS client hello (SNI)";
    Socket = "socket", Network, "a socket was created";
    Dup = "dup", Kernel, "a file descriptor was duplicated (dup2/dup3)";
    Ptrace = "ptrace", Kernel, "ptrace was called";
    ProcessVmWritev = "process_vm_writev", Kernel, "another process's memory was written";
    ProcessVmReadv = "process_vm_readv", Kernel, "another process's memory was read";
    Mount = "mount", Kernel, "a filesystem was mounted";
    Umount = "umount", Kernel, "a filesystem was unmounted";
    Setns = "setns", Kernel, "a thread joined another namespace";
    Unshare = "unshare", Kernel, "a thread created new namespaces";
    Bpf = "bpf", Kernel, "the bpf() syscall";
    InitModule = "init_module", Kernel, "a kernel module was loaded from memory";
    FinitModule = "finit_module", Kernel, "a kernel module was loaded from a file";
    DeleteModule = "delete_module", Kernel, "a kernel module was unloaded";
    MemfdCreate = "memfd_create", Kernel, "an anonymous memory file was created";
    Splice = "splice", Kernel, "data was spliced between descriptors";
    KexecLoad = "kexec_load", Kernel, "a new kernel was loaded for kexec";
    PerfEventOpen = "perf_event_open", Kernel, "a perf event was opened";
    Userfaultfd = "userfaultfd", Kernel, "a userfaultfd was created";
    Keyctl = "keyctl", Kernel, "the kernel keyring was manipulated";
    IoUringSetup = "io_uring_setup", Kernel, "an io_uring instance was created";
    OpenByHandleAt = "open_by_handle_at", Kernel, "a file was opened by handle";
    Kill = "kill", Kernel, "a signal was sent to another process";
    Setuid = "setuid", Kernel, "the process changed its user id";
    Capset = "capset", Kernel, "the process changed its capabilities";
    Chroot = "chroot", Kernel, "the process changed its root directory";
    PivotRoot = "pivot_root", Kernel, "the root filesystem was changed";
    Seccomp = "seccomp", Kernel, "a seccomp policy stopped or reported a syscall";
    SensorLoss = "sensor_loss", Kernel, "the sensor lost or shed records (evt.arg.stage, evt.arg.reason, evt.arg.lost)";
    CloudApi = "cloud_api", Cloud, "a cloud control-plane API call from an audit log";
    InvokeStart = "invoke_start", Invocation, "a function invocation started";
    InvokeEnd = "invoke_end", Invocation, "a function invocation ended";
    InvokeReport = "invoke_report", Invocation, "an invocation's report: duration, memory, status";
    Log = "log", Log, "a log line";
}

impl EventKind {
    pub const COUNT: usize = Self::ALL.len();

    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for EventKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for EventKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<str>::deserialize(d)?;
        EventKind::from_name(&s)
            .ok_or_else(|| serde::de::Error::custom(format_args!("unknown event type {s:?} (see `fnwarden fields --types`)")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_index_is_dense() {
        for (i, k) in EventKind::ALL.iter().enumerate() {
            assert_eq!(k.index(), i);
            assert_eq!(EventKind::from_name(k.name()), Some(*k));
        }
    }

    #[test]
    fn aliases_resolve() {
        assert_eq!(EventKind::from_name("openat"), Some(EventKind::Open));
        assert_eq!(EventKind::from_name("execveat"), Some(EventKind::Execve));
        assert_eq!(EventKind::from_name("nonsense"), None);
    }
}
