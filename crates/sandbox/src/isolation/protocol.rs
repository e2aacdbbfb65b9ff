//! What the supervisor and the sandbox's init tell each other. The init finds its inputs at fixed
//! descriptors: its configuration (JSON in a memfd), the control socket and the exec pipe.
//!
//! The control socket is a SOCK_SEQPACKET pair carrying JSON [`Report`]s, each with its sender's
//! pid (SO_PASSCRED), and, when monitored, the runtime's announcement of its seccomp listener
//! (`crate::policy::Policy::load_and_announce`). The exec pipe is close-on-exec in the runtime:
//! its EOF means the runtime's execve succeeded, its four bytes, if any, are a failed one's errno.

use std::io;
use std::io::{IoSlice, IoSliceMut};
use std::os::fd::{AsRawFd, BorrowedFd, RawFd};
use std::path::PathBuf;
use std::time::Instant;

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::socket::{ControlMessageOwned, MsgFlags, recvmsg, sendmsg};
use serde::{Deserialize, Serialize};

use super::limits::Limits;

pub(super) const CONFIG_FD: RawFd = 3;
pub(super) const CTL_FD: RawFd = 4;
pub(super) const EXEC_FD: RawFd = 5;
pub(super) const NETNS_FD: RawFd = 6;

/// The init's configuration.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct InitConfig {
    /// The `cgroup.procs` files the init moves itself into.
    pub cgroup_procs: Vec<PathBuf>,
    /// Join the network namespace at [`NETNS_FD`] (else make an empty one).
    pub join_netns: bool,
    pub hostname: String,
    pub task_dir: PathBuf,
    pub opt_dir: Option<PathBuf>,
    pub files: Vec<(PathBuf, Vec<u8>, u32)>,
    pub argv: Vec<String>,
    pub env: Vec<(String, String)>,
    pub uid: u32,
    pub gid: u32,
    pub host_uid: u32,
    pub host_gid: u32,
    pub limits: Limits,
    pub monitored: bool,
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) enum Report {
    Failed {
        stage: Stage,
        message: String,
    },
    /// The runtime is about to execve (monitored: to load the seccomp filter, then execve).
    Exec,
    /// The runtime exited; the init sends this just before it exits too.
    Exit {
        code: Option<i32>,
        signal: Option<i32>,
    },
}

/// Where a start failed, which decides the error the supervisor reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(super) enum Stage {
    Setup,
    Executable,
    Policy,
}

pub(super) fn send(sock: BorrowedFd, report: &Report) -> io::Result<()> {
    let bytes = serde_json::to_vec(report).map_err(io::Error::other)?;
    sendmsg::<()>(sock.as_raw_fd(), &[IoSlice::new(&bytes)], &[], MsgFlags::MSG_NOSIGNAL, None)?;
    Ok(())
}

/// A report and the host pid of its sender (the receiver set SO_PASSCRED).
pub(super) struct Received {
    pub report: Report,
    pub pid: Option<i32>,
}

/// The next report, or `None` once every sender has closed its end.
pub(super) fn recv(sock: BorrowedFd) -> io::Result<Option<Received>> {
    let mut buf = vec![0u8; 64 * 1024];
    let mut cmsg = nix::cmsg_space!(libc::ucred);
    let mut iov = [IoSliceMut::new(&mut buf)];
    let msg = recvmsg::<()>(sock.as_raw_fd(), &mut iov, Some(&mut cmsg), MsgFlags::MSG_CMSG_CLOEXEC)?;
    let pid = msg.cmsgs()?.find_map(|c| match c {
        ControlMessageOwned::ScmCredentials(creds) => Some(creds.pid()),
        _ => None,
    });
    let len = msg.bytes;
    if len == 0 {
        return Ok(None);
    }
    let report = serde_json::from_slice(&buf[..len]).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
    Ok(Some(Received { report, pid }))
}

/// Whether the next message is the runtime's seccomp listener announcement (left unread).
pub(super) fn announces_listener(sock: BorrowedFd) -> io::Result<bool> {
    let magic = crate::policy::ANNOUNCE_MAGIC;
    let mut head = [0u8; 4];
    let n = nix::sys::socket::recv(sock.as_raw_fd(), &mut head, MsgFlags::MSG_PEEK)?;
    Ok(n == magic.len() && &head == magic)
}

/// Waits until `fd` is readable (or hung up); false when `deadline` passed first.
pub(super) fn readable_by(fd: BorrowedFd, deadline: Instant) -> io::Result<bool> {
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let ms = u16::try_from(left.as_millis()).unwrap_or(u16::MAX);
        let mut fds = [PollFd::new(fd, PollFlags::POLLIN)];
        match poll(&mut fds, PollTimeout::from(ms)) {
            Ok(0) if left.is_zero() => return Ok(false),
            Ok(0) => continue,
            Ok(_) => return Ok(true),
            Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => return Err(e.into()),
        }
    }
}
