//! The seccomp policy: which syscalls stop for the supervisor and which are refused.
//!
//! Everything not listed runs untouched (default action: allow), so the function pays nothing on
//! its ordinary work. Listed syscalls stop in a user notification that the monitor
//! (`crate::monitor`) answers:
//! - [`watched`]: let through (`CONTINUE`) and reported;
//! - [`guarded`]: let through unless the target is the runtime or the sandbox's init, reported;
//! - [`refused`]: answered `EPERM` and reported as denied: the kernel attack surface a function
//!   never needs (module loading, kexec, bpf, perf, userfaultfd, keyrings, io_uring, mounts,
//!   namespaces, ptrace…). io_uring in particular would let the function do file and network
//!   I/O that no seccomp filter sees.
//!
//! Conditions on arguments keep hot paths out of the supervisor: `clone` stops only when it
//! creates a process (not a thread) or a namespace, `sendto` only with a destination address,
//! `socket` only for packet and raw sockets.
//!
//! `clone3` is answered `ENOSYS` by the filter itself: its flags live in a struct in memory that
//! a filter cannot read, so it could create namespaces unseen. glibc (and every libc that uses
//! clone3) falls back to `clone`, whose flags the filter and the monitor can inspect.
//!
//! Only the native architecture is allowed; a syscall from another ABI (32-bit `int 0x80` on
//! x86-64, x32) kills the process, so the filter cannot be bypassed through compat numbers.

use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};

use libseccomp::{ScmpAction, ScmpArgCompare, ScmpCompareOp, ScmpFilterContext, ScmpSyscall};

#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("seccomp: {0}")]
    Seccomp(String),
    #[error("loading the seccomp filter: {0}")]
    Load(std::io::Error),
    #[error("handing the seccomp listener to the supervisor: {0}")]
    Announce(std::io::Error),
}

/// Stopped, let through and reported.
const WATCHED: &[&str] = &[
    "execve",
    "execveat",
    "clone",
    "fork",
    "vfork",
    "open",
    "openat",
    "openat2",
    "creat",
    "unlink",
    "unlinkat",
    "rename",
    "renameat",
    "renameat2",
    "chmod",
    "fchmod",
    "fchmodat",
    "fchmodat2",
    "connect",
    "bind",
    "sendto",
    "sendmsg",
    "sendmmsg",
    "memfd_create",
    "dup2",
    "dup3",
    "socket",
    "splice",
];

/// Stopped and let through unless aimed at the runtime or init; always reported.
const GUARDED: &[&str] = &["process_vm_readv", "process_vm_writev"];

/// Stopped, answered `EPERM` and reported as denied.
const REFUSED: &[&str] = &[
    "init_module",
    "finit_module",
    "delete_module",
    "kexec_load",
    "kexec_file_load",
    "bpf",
    "perf_event_open",
    "userfaultfd",
    "keyctl",
    "add_key",
    "request_key",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "open_by_handle_at",
    "name_to_handle_at",
    "mount",
    "umount2",
    "pivot_root",
    "chroot",
    "swapon",
    "swapoff",
    "reboot",
    "iopl",
    "ioperm",
    "acct",
    "setns",
    "unshare",
    "ptrace",
    // The new mount API does what mount(2) does.
    "fsopen",
    "fsconfig",
    "fsmount",
    "fspick",
    "move_mount",
    "open_tree",
    "mount_setattr",
];

/// Answered by the filter itself, with this errno, without stopping.
const FILTER_ERRNO: &[(&str, i32)] = &[("clone3", libc::ENOSYS)];

/// Syscalls that stop for the monitor and are reported (some only under conditions, see the
/// module documentation).
pub fn watched() -> &'static [&'static str] {
    WATCHED
}

/// Syscalls allowed unless they target the runtime or the sandbox's init; always reported.
pub fn guarded() -> &'static [&'static str] {
    GUARDED
}

/// Syscalls refused with `EPERM` and reported as denied. `clone` with a `CLONE_NEW*` flag is
/// refused the same way.
pub fn refused() -> &'static [&'static str] {
    REFUSED
}

/// Syscalls the filter answers with an errno on its own: `clone3` → `ENOSYS`.
pub fn filter_errno() -> &'static [(&'static str, i32)] {
    FILTER_ERRNO
}

pub const CLONE_THREAD: u64 = libc::CLONE_THREAD as u64;

pub use fnwarden_event::sysargs::CLONE_NEW_FLAGS;

/// [`CLONE_NEW_FLAGS`] as one mask.
pub const CLONE_NEW_MASK: u64 = {
    let mut mask = 0;
    let mut i = 0;
    while i < CLONE_NEW_FLAGS.len() {
        mask |= CLONE_NEW_FLAGS[i].1;
        i += 1;
    }
    mask
};

/// Syscalls too new for the system's libseccomp; x86-64 and arm64 share these numbers.
const NEWER_SYSCALLS: &[(&str, i32)] = &[("mount_setattr", 442), ("fchmodat2", 452)];

/// The native number of a syscall, or `None` when this architecture has no such syscall
/// (`open`, `fork`… on arm64).
pub fn number(name: &str) -> Option<i32> {
    match ScmpSyscall::from_name(name) {
        Ok(s) if s.as_raw_syscall() >= 0 => Some(s.as_raw_syscall()),
        _ => NEWER_SYSCALLS.iter().find(|(n, _)| *n == name).map(|(_, nr)| *nr),
    }
}

/// How the listener behaves once loaded.
#[derive(Clone, Copy, Debug)]
pub struct LoadOptions {
    /// Ask the kernel to wake the supervisor synchronously, on the notifying task's CPU
    /// (`SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP`, Linux ≥ 6.6; ignored where unsupported). Each
    /// stop becomes a direct hand-off between the two tasks instead of a cross-CPU wake-up.
    pub sync_wake_up: bool,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions { sync_wake_up: true }
    }
}

/// The compiled filter (classic BPF), ready to load. Compile before `fork` and load in the
/// child: loading only makes syscalls, so it is safe between `fork` and `exec`.
#[derive(Clone, Debug)]
pub struct Policy {
    program: Vec<libc::sock_filter>,
}

const SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV: libc::c_ulong = 1 << 5;
/// `_IOW('!', 4, __u64)`.
const SECCOMP_IOCTL_NOTIF_SET_FLAGS: libc::c_ulong = 0x4008_2104;
const SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP: libc::c_ulong = 1;

impl Policy {
    /// Builds the filter with libseccomp.
    pub fn compile() -> Result<Policy, PolicyError> {
        let err = |what: &str, e: libseccomp::error::SeccompError| PolicyError::Seccomp(format!("{what}: {e}"));
        let mut ctx = ScmpFilterContext::new(ScmpAction::Allow).map_err(|e| err("new filter", e))?;
        ctx.set_act_badarch(ScmpAction::KillProcess).map_err(|e| err("bad-arch action", e))?;
        for name in WATCHED.iter().chain(GUARDED).chain(REFUSED) {
            let Some(nr) = number(name) else { continue };
            let sys = ScmpSyscall::from(nr);
            let add = |ctx: &mut ScmpFilterContext, cmp: &[ScmpArgCompare]| {
                ctx.add_rule_conditional(ScmpAction::Notify, sys, cmp).map(|_| ()).map_err(|e| err(name, e))
            };
            match *name {
                // A new process, or a thread that also asks for a namespace.
                "clone" => {
                    add(&mut ctx, &[ScmpArgCompare::new(0, ScmpCompareOp::MaskedEqual(CLONE_THREAD), 0)])?;
                    for (_, flag) in CLONE_NEW_FLAGS {
                        add(&mut ctx, &[ScmpArgCompare::new(0, ScmpCompareOp::MaskedEqual(*flag), *flag)])?;
                    }
                }
                // send() is sendto() without an address: only addressed datagrams matter.
                "sendto" => add(&mut ctx, &[ScmpArgCompare::new(4, ScmpCompareOp::NotEqual, 0)])?,
                "socket" => {
                    add(&mut ctx, &[ScmpArgCompare::new(0, ScmpCompareOp::Equal, libc::AF_PACKET as u64)])?;
                    add(&mut ctx, &[ScmpArgCompare::new(1, ScmpCompareOp::MaskedEqual(0xf), libc::SOCK_RAW as u64)])?;
                }
                _ => add(&mut ctx, &[])?,
            }
        }
        for (name, errno) in FILTER_ERRNO {
            if let Some(nr) = number(name) {
                ctx.add_rule(ScmpAction::Errno(*errno), ScmpSyscall::from(nr)).map_err(|e| err(name, e))?;
            }
        }
        let program = export(&ctx)?;
        Ok(Policy { program })
    }

    /// Number of BPF instructions.
    pub fn instructions(&self) -> usize {
        self.program.len()
    }

    /// Loads the filter into the calling thread and returns the notification listener (close-on-
    /// exec). The caller must have set `no_new_privs` (or hold CAP_SYS_ADMIN). Makes no
    /// allocation.
    pub fn load(&self, options: LoadOptions) -> Result<OwnedFd, PolicyError> {
        let prog = libc::sock_fprog { len: self.program.len() as libc::c_ushort, filter: self.program.as_ptr().cast_mut() };
        let seccomp = |flags: libc::c_ulong| {
            // SAFETY: `prog` points at the program, which outlives the call; the kernel copies it.
            unsafe { libc::syscall(libc::SYS_seccomp, libc::SECCOMP_SET_MODE_FILTER, flags, &prog as *const libc::sock_fprog) }
        };
        // Once the supervisor has taken a notification, only a fatal signal interrupts the
        // wait (Linux ≥ 5.19): a signal storm cannot make the syscall restart and stop again.
        let mut fd = seccomp(libc::SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV);
        if fd < 0 && std::io::Error::last_os_error().raw_os_error() == Some(libc::EINVAL) {
            fd = seccomp(libc::SECCOMP_FILTER_FLAG_NEW_LISTENER);
        }
        if fd < 0 {
            return Err(PolicyError::Load(std::io::Error::last_os_error()));
        }
        // SAFETY: the kernel just returned this descriptor to us.
        let listener = unsafe { OwnedFd::from_raw_fd(fd as RawFd) };
        if options.sync_wake_up {
            // Older kernels refuse the flag; the listener works without it.
            let _ = set_sync_wake_up(listener.as_fd());
        }
        Ok(listener)
    }

    /// Loads the filter and tells the supervisor where the listener is by writing its
    /// descriptor number to `sock` (a unix socket whose receiving end has `SO_PASSCRED`, see
    /// `crate::monitor::receive_listener`); the supervisor then copies it with `pidfd_getfd`.
    /// The listener is deliberately left open: it is close-on-exec, and the supervisor takes it
    /// while this process is stopped at its next `execve`.
    ///
    /// Why not `SCM_RIGHTS`: `sendmsg` is itself watched, and nobody could answer that stop
    /// before the supervisor holds the listener. `write` is not watched.
    pub fn load_and_announce(&self, sock: BorrowedFd<'_>, options: LoadOptions) -> Result<(), PolicyError> {
        let listener = self.load(options)?;
        let fd = listener.as_raw_fd();
        let mut msg = [0u8; 8];
        msg[..4].copy_from_slice(ANNOUNCE_MAGIC);
        msg[4..].copy_from_slice(&fd.to_le_bytes());
        // SAFETY: `msg` is a valid buffer of its length.
        let n = unsafe { libc::write(sock.as_raw_fd(), msg.as_ptr().cast(), msg.len()) };
        if n != msg.len() as isize {
            return Err(PolicyError::Announce(std::io::Error::last_os_error()));
        }
        // Stays open until exec closes it (see above).
        std::mem::forget(listener);
        Ok(())
    }
}

/// Prefix of the 8-byte listener announcement (magic, then the fd number, little-endian).
pub const ANNOUNCE_MAGIC: &[u8; 4] = b"FNWL";

/// Turns on synchronous wake-up of the supervisor for `listener` (Linux ≥ 6.6).
pub fn set_sync_wake_up(listener: BorrowedFd<'_>) -> std::io::Result<()> {
    // SAFETY: the ioctl takes its flags by value.
    let r = unsafe { libc::ioctl(listener.as_raw_fd(), SECCOMP_IOCTL_NOTIF_SET_FLAGS as _, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP) };
    if r < 0 { Err(std::io::Error::last_os_error()) } else { Ok(()) }
}

/// The program as libseccomp generates it (through a memfd: the system's libseccomp predates
/// `seccomp_export_bpf_mem`).
fn export(ctx: &ScmpFilterContext) -> Result<Vec<libc::sock_filter>, PolicyError> {
    use std::io::{Read, Seek};
    let io = |e: std::io::Error| PolicyError::Seccomp(format!("exporting the filter: {e}"));
    // SAFETY: a plain syscall with a static name.
    let raw = unsafe { libc::memfd_create(c"fnwarden-seccomp".as_ptr(), libc::MFD_CLOEXEC) };
    if raw < 0 {
        return Err(io(std::io::Error::last_os_error()));
    }
    // SAFETY: the kernel just returned this descriptor to us.
    let mut file = std::fs::File::from(unsafe { OwnedFd::from_raw_fd(raw) });
    ctx.export_bpf(&file).map_err(|e| PolicyError::Seccomp(format!("exporting the filter: {e}")))?;
    file.rewind().map_err(io)?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(io)?;
    let size = std::mem::size_of::<libc::sock_filter>();
    if bytes.is_empty() || bytes.len() % size != 0 {
        return Err(PolicyError::Seccomp(format!("exported filter has {} bytes", bytes.len())));
    }
    Ok(bytes
        .chunks_exact(size)
        .map(|c| libc::sock_filter {
            code: u16::from_ne_bytes([c[0], c[1]]),
            jt: c[2],
            jf: c[3],
            k: u32::from_ne_bytes([c[4], c[5], c[6], c[7]]),
        })
        .collect())
}

/// Builds the policy and loads it into the calling process (which must have set
/// `no_new_privs`); returns the user-notification listener for the supervisor.
pub fn install() -> Result<OwnedFd, PolicyError> {
    Policy::compile()?.load(LoadOptions::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_resolve_on_this_architecture() {
        for name in ["execve", "openat", "connect", "clone", "clone3", "bpf", "fchmodat2", "io_uring_setup"] {
            assert!(number(name).is_some(), "{name}");
        }
        assert_eq!(number("no_such_syscall"), None);
        let p = Policy::compile().unwrap();
        assert!(p.instructions() > 50, "{} instructions", p.instructions());
    }

    #[test]
    fn lists_do_not_overlap() {
        for w in WATCHED {
            assert!(!REFUSED.contains(w) && !GUARDED.contains(w), "{w}");
        }
    }
}
