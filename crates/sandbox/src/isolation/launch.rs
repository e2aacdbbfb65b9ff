//! Starting the sandbox's init: a clone into new pid, mount, ipc and uts namespaces that puts the
//! init's descriptors in place and executes it, so the init is PID 1 of the sandbox and a child
//! of the supervisor. The supervisor is multi-threaded, so between clone and execve the child
//! only makes system calls: everything it needs is prepared before.

use std::ffi::CString;
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use nix::sched::{CloneFlags, clone};
use nix::unistd::Pid;

/// Descriptors at or above this are out of the way of the init's fixed ones.
const HIGH_FD: RawFd = 64;
const STACK_SIZE: usize = 128 * 1024;

/// Clones and executes `exe args…` with `fds` (descriptor, number it gets in the init) and an
/// empty environment. A failed execve writes its errno to `errno_pipe` (given in `fds` too).
pub(super) fn spawn(exe: &Path, args: &[String], fds: &[(BorrowedFd, RawFd)], errno_pipe: BorrowedFd) -> io::Result<Pid> {
    let invalid = |e| io::Error::new(io::ErrorKind::InvalidInput, e);
    let exe_c = CString::new(exe.as_os_str().as_bytes()).map_err(invalid)?;
    let mut argv_c = vec![exe_c.clone()];
    for a in args {
        argv_c.push(CString::new(a.as_bytes()).map_err(invalid)?);
    }
    let mut argv: Vec<*const libc::c_char> = argv_c.iter().map(|a| a.as_ptr()).collect();
    argv.push(std::ptr::null());
    let envp: [*const libc::c_char; 1] = [std::ptr::null()];

    // Copies above HIGH_FD, so that no dup2 into place overwrites a source still to be placed.
    let mut high = Vec::with_capacity(fds.len() + 1);
    for fd in fds.iter().map(|(fd, _)| fd).chain([&errno_pipe]) {
        // SAFETY: F_DUPFD_CLOEXEC only duplicates a descriptor we borrow; the result is new and ours.
        let raw = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_DUPFD_CLOEXEC, HIGH_FD) };
        if raw < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `raw` was just returned by fcntl and is owned by nobody else.
        high.push(unsafe { OwnedFd::from_raw_fd(raw) });
    }
    let moves: Vec<(RawFd, RawFd)> = high.iter().zip(fds).map(|(h, (_, target))| (h.as_raw_fd(), *target)).collect();
    let errno_fd = high.last().map_or(-1, |h| h.as_raw_fd());

    let child = move || -> isize {
        // SAFETY: in the cloned child, before execve: only async-signal-safe system calls on
        // memory prepared by the parent (no allocation, no locks).
        unsafe {
            let mut none: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut none);
            libc::sigprocmask(libc::SIG_SETMASK, &none, std::ptr::null_mut());
            for &(from, to) in &moves {
                if libc::dup2(from, to) < 0 {
                    fail(errno_fd);
                }
            }
            libc::execve(exe_c.as_ptr(), argv.as_ptr(), envp.as_ptr());
            fail(errno_fd)
        }
    };
    let mut stack = vec![0u8; STACK_SIZE];
    let flags = CloneFlags::CLONE_NEWPID | CloneFlags::CLONE_NEWNS | CloneFlags::CLONE_NEWIPC | CloneFlags::CLONE_NEWUTS;
    // SAFETY: the child runs `child` on `stack`, which is far larger than the few calls it makes,
    // and it never returns into the parent's code (execve or _exit).
    let pid = unsafe { clone(Box::new(child), &mut stack, flags, Some(libc::SIGCHLD)) }?;
    Ok(pid)
}

/// Reports errno on the exec pipe and exits (cloned child only).
fn fail(errno_fd: RawFd) -> ! {
    // SAFETY: async-signal-safe calls on a descriptor the child owns; _exit never returns.
    unsafe {
        let errno = *libc::__errno_location();
        libc::write(errno_fd, (&raw const errno).cast(), size_of::<i32>());
        libc::_exit(127)
    }
}
