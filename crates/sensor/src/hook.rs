//! The kernel hooks: which programs of the object attach where, and which event kinds each
//! one reports.

use fnwarden_event::EventKind;

/// A group of programs attached together.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Hook {
    Exec,
    Fork,
    Exit,
    Open,
    Connect,
    Ptrace,
    Module,
    Bpf,
    Kill,
    /// One syscall reported with its raw arguments.
    Syscall(&'static str),
}

/// Where a program attaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Attach {
    /// A BTF-typed tracepoint (`tp_btf`).
    BtfTracepoint(&'static str),
    /// A `syscalls:sys_enter_*` tracepoint.
    SyscallEnter(&'static str),
    /// A BPF LSM hook.
    Lsm(&'static str),
}

/// Program name in the object, and where it attaches.
pub struct Program {
    pub name: &'static str,
    pub attach: Attach,
}

const fn p(name: &'static str, attach: Attach) -> Program {
    Program { name, attach }
}

/// Syscalls reported with their raw arguments, by the kind they report.
pub const RAW_SYSCALLS: &[(&str, EventKind)] = &[
    ("unshare", EventKind::Unshare),
    ("setns", EventKind::Setns),
    ("mount", EventKind::Mount),
    ("umount", EventKind::Umount),
    ("memfd_create", EventKind::MemfdCreate),
    ("userfaultfd", EventKind::Userfaultfd),
    ("io_uring_setup", EventKind::IoUringSetup),
    ("keyctl", EventKind::Keyctl),
    ("perf_event_open", EventKind::PerfEventOpen),
    ("open_by_handle_at", EventKind::OpenByHandleAt),
    ("delete_module", EventKind::DeleteModule),
    ("kexec_load", EventKind::KexecLoad),
    ("chroot", EventKind::Chroot),
    ("pivot_root", EventKind::PivotRoot),
    ("setuid", EventKind::Setuid),
    ("capset", EventKind::Capset),
    ("splice", EventKind::Splice),
    ("socket", EventKind::Socket),
    ("dup2", EventKind::Dup),
    ("dup3", EventKind::Dup),
];

impl Hook {
    pub fn name(&self) -> &'static str {
        match self {
            Hook::Exec => "exec",
            Hook::Fork => "fork",
            Hook::Exit => "exit",
            Hook::Open => "open",
            Hook::Connect => "connect",
            Hook::Ptrace => "ptrace",
            Hook::Module => "module",
            Hook::Bpf => "bpf",
            Hook::Kill => "kill",
            Hook::Syscall(s) => s,
        }
    }

    /// The hook that reports `kind`; `None` when this sensor does not observe it.
    pub fn for_kind(kind: EventKind) -> Option<Hook> {
        use EventKind as K;
        Some(match kind {
            K::Execve => Hook::Exec,
            K::Fork => Hook::Fork,
            K::ProcExit => Hook::Exit,
            K::Open => Hook::Open,
            K::Connect => Hook::Connect,
            K::Ptrace | K::ProcessVmWritev | K::ProcessVmReadv => Hook::Ptrace,
            K::InitModule | K::FinitModule => Hook::Module,
            K::Bpf => Hook::Bpf,
            K::Kill => Hook::Kill,
            other => return RAW_SYSCALLS.iter().find(|(_, k)| *k == other).map(|(s, _)| Hook::Syscall(s)),
        })
    }

    /// Every hook that reports `kind` (dup2 and dup3 both report `dup`).
    pub fn all_for_kind(kind: EventKind) -> Vec<Hook> {
        let raw: Vec<Hook> = RAW_SYSCALLS.iter().filter(|(_, k)| *k == kind).map(|(s, _)| Hook::Syscall(s)).collect();
        if raw.is_empty() { Hook::for_kind(kind).into_iter().collect() } else { raw }
    }

    /// The programs of this hook.
    pub fn programs(&self) -> Vec<Program> {
        use Attach::*;
        match self {
            Hook::Exec => vec![p("fnw_exec", BtfTracepoint("sched_process_exec"))],
            Hook::Fork => vec![p("fnw_fork", BtfTracepoint("sched_process_fork"))],
            Hook::Exit => vec![p("fnw_exit", BtfTracepoint("sched_process_exit"))],
            Hook::Open => vec![
                p("fnw_openat", SyscallEnter("openat")),
                p("fnw_open", SyscallEnter("open")),
                p("fnw_creat", SyscallEnter("creat")),
                p("fnw_openat2", SyscallEnter("openat2")),
            ],
            Hook::Connect => vec![p("fnw_connect", SyscallEnter("connect"))],
            Hook::Ptrace => vec![
                p("fnw_ptrace", SyscallEnter("ptrace")),
                p("fnw_vm_writev", SyscallEnter("process_vm_writev")),
                p("fnw_vm_readv", SyscallEnter("process_vm_readv")),
            ],
            Hook::Module => vec![p("fnw_init_module", SyscallEnter("init_module")), p("fnw_finit_module", SyscallEnter("finit_module"))],
            Hook::Bpf => vec![p("fnw_bpf", SyscallEnter("bpf"))],
            Hook::Kill => vec![
                p("fnw_sys_kill", SyscallEnter("kill")),
                p("fnw_sys_tgkill", SyscallEnter("tgkill")),
                p("fnw_sys_tkill", SyscallEnter("tkill")),
            ],
            Hook::Syscall(s) => vec![Program { name: raw_program(s), attach: SyscallEnter(s) }],
        }
    }

    /// Every hook the object has.
    pub fn all() -> Vec<Hook> {
        let mut v = vec![Hook::Exec, Hook::Fork, Hook::Exit, Hook::Open, Hook::Connect, Hook::Ptrace, Hook::Module, Hook::Bpf, Hook::Kill];
        v.extend(RAW_SYSCALLS.iter().map(|(s, _)| Hook::Syscall(s)));
        v
    }
}

/// The BPF LSM programs: they fail guarded calls with -EPERM where the kernel accepts them.
pub const LSM_PROGRAMS: &[Program] = &[
    p("fnw_lsm_file_open", Attach::Lsm("file_open")),
    p("fnw_lsm_ptrace", Attach::Lsm("ptrace_access_check")),
    p("fnw_lsm_module_file", Attach::Lsm("kernel_read_file")),
    p("fnw_lsm_module_data", Attach::Lsm("kernel_load_data")),
    p("fnw_lsm_bpf", Attach::Lsm("bpf")),
    p("fnw_lsm_task_kill", Attach::Lsm("task_kill")),
];

fn raw_program(s: &'static str) -> &'static str {
    match s {
        "unshare" => "fnw_sys_unshare",
        "setns" => "fnw_sys_setns",
        "mount" => "fnw_sys_mount",
        "umount" => "fnw_sys_umount",
        "memfd_create" => "fnw_sys_memfd_create",
        "userfaultfd" => "fnw_sys_userfaultfd",
        "io_uring_setup" => "fnw_sys_io_uring_setup",
        "keyctl" => "fnw_sys_keyctl",
        "perf_event_open" => "fnw_sys_perf_event_open",
        "open_by_handle_at" => "fnw_sys_open_by_handle_at",
        "delete_module" => "fnw_sys_delete_module",
        "kexec_load" => "fnw_sys_kexec_load",
        "chroot" => "fnw_sys_chroot",
        "pivot_root" => "fnw_sys_pivot_root",
        "setuid" => "fnw_sys_setuid",
        "capset" => "fnw_sys_capset",
        "splice" => "fnw_sys_splice",
        "socket" => "fnw_sys_socket",
        "dup2" => "fnw_sys_dup2",
        _ => "fnw_sys_dup3",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_raw_syscall_has_its_own_program() {
        let mut names: Vec<&str> = RAW_SYSCALLS.iter().map(|(s, _)| raw_program(s)).collect();
        assert_eq!(names.iter().filter(|n| **n == "fnw_sys_dup3").count(), 1);
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), RAW_SYSCALLS.len());
    }

    #[test]
    fn kinds_map_to_hooks() {
        assert_eq!(Hook::for_kind(EventKind::ProcessVmWritev), Some(Hook::Ptrace));
        assert_eq!(Hook::for_kind(EventKind::Unshare), Some(Hook::Syscall("unshare")));
        assert_eq!(Hook::for_kind(EventKind::Dns), None);
        assert_eq!(Hook::for_kind(EventKind::Write), None);
    }
}
