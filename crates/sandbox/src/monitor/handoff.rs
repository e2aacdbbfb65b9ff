//! Getting the seccomp listener from the process that loaded the filter.
//!
//! The listener cannot travel by `SCM_RIGHTS`: `sendmsg` is watched, and its stop would wait for
//! a supervisor that does not hold the listener yet. So the child writes the descriptor's
//! number with `write` (`Policy::load_and_announce`), the kernel attaches the writer's
//! credentials because our end has `SO_PASSCRED`, and we copy the descriptor out of the writer
//! with `pidfd_getfd` while it waits at its next watched syscall (its `execve`).

use std::io::IoSliceMut;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};

use nix::sys::socket::{ControlMessageOwned, MsgFlags, recvmsg, setsockopt, sockopt};

use super::{decode, process};

/// The listener, and the host pid of the process that loaded the filter (the runtime).
#[derive(Debug)]
pub struct Handoff {
    pub listener: OwnedFd,
    pub pid: i32,
}

/// Prepares our end of the unix socket the child will announce the listener on. Call before
/// the child can write.
pub fn prepare_listener_socket(sock: BorrowedFd<'_>) -> std::io::Result<()> {
    setsockopt(&sock, sockopt::PassCred, &true).map_err(std::io::Error::from)
}

/// Waits for the announcement on `sock` and copies the listener out of the announcing process.
pub fn receive_listener(sock: BorrowedFd<'_>) -> std::io::Result<Handoff> {
    let bad = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, format!("listener announcement: {what}"));
    let mut msg = [0u8; 8];
    let mut cmsg = nix::cmsg_space!(libc::ucred);
    let (n, pid) = {
        let mut iov = [IoSliceMut::new(&mut msg)];
        let r = loop {
            match recvmsg::<()>(sock.as_raw_fd(), &mut iov, Some(&mut cmsg), MsgFlags::MSG_CMSG_CLOEXEC) {
                Err(nix::errno::Errno::EINTR) => continue,
                r => break r.map_err(std::io::Error::from)?,
            }
        };
        let mut pid = None;
        for c in r.cmsgs().map_err(std::io::Error::from)? {
            if let ControlMessageOwned::ScmCredentials(cred) = c {
                pid = Some(cred.pid());
            }
        }
        (r.bytes, pid)
    };
    if n == 0 {
        return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "the child exited before announcing its seccomp listener"));
    }
    if n != msg.len() || &msg[..4] != crate::policy::ANNOUNCE_MAGIC {
        return Err(bad("malformed"));
    }
    let pid = pid.filter(|p| *p > 0).ok_or_else(|| bad("no sender credentials (SO_PASSCRED not set?)"))?;
    let fd = i32::from_le_bytes([msg[4], msg[5], msg[6], msg[7]]);
    let pidfd = process::pidfd_open(pid, 0)?;
    let listener = decode::steal_fd(pidfd.as_fd(), fd)?;
    Ok(Handoff { listener, pid })
}
