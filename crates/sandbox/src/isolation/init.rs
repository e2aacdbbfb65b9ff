//! The sandbox's init, PID 1 of its pid namespace. It joins the cgroups and the network
//! namespace, builds the root, forks the runtime, then drops its privileges and reaps until the
//! runtime exits, or until the supervisor goes away; either way its exit makes the kernel kill
//! whatever is left in the sandbox.

use std::fmt::Display;
use std::fs::{self, File};
use std::io::Read;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};

use nix::errno::Errno;
use nix::fcntl::{FcntlArg, FdFlag, OFlag, fcntl, open};
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sched::{CloneFlags, setns, unshare};
use nix::sys::signal::{SigSet, Signal};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use nix::sys::stat::{Mode, umask};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::{ForkResult, Gid, Pid, Uid, fork, getpid, setgroups, sethostname, setresgid, setresuid};

use super::protocol::{self, CONFIG_FD, CTL_FD, EXEC_FD, InitConfig, NETNS_FD, Report, Stage};
use super::{rootfs, runtime};

/// The host id the init runs as once the runtime is started: not the runtime's, so that the
/// runtime cannot signal or trace it.
const INIT_ID: u32 = 65534;

/// Why a start failed, as reported to the supervisor.
#[derive(Debug)]
pub(super) struct Failure {
    pub stage: Stage,
    pub message: String,
}

/// Names the step a system call or I/O belonged to.
pub(super) trait At<T> {
    fn at(self, step: impl Display) -> Result<T, Failure>;
}

impl<T, E: Display> At<T> for Result<T, E> {
    fn at(self, step: impl Display) -> Result<T, Failure> {
        self.map_err(|e| Failure { stage: Stage::Setup, message: format!("{step}: {e}") })
    }
}

/// The init's entry point (the `fnwarden-sandbox-init` binary, `fnwarden __sandbox-init`).
pub fn init_main() -> ! {
    // SAFETY: F_GETFD only asks whether a descriptor number is open.
    let placed = [CONFIG_FD, CTL_FD, EXEC_FD].iter().all(|fd| unsafe { libc::fcntl(*fd, libc::F_GETFD) } >= 0);
    if getpid().as_raw() != 1 || !placed {
        eprintln!("fnwarden-sandbox-init is the init of fnwarden's sandbox; fnwarden starts it");
        std::process::exit(2);
    }
    // SAFETY: the supervisor placed the control socket and the exec pipe at these numbers for us
    // alone, and they were just checked to be open.
    let (ctl, exec) = unsafe { (OwnedFd::from_raw_fd(CTL_FD), OwnedFd::from_raw_fd(EXEC_FD)) };
    let code = match run(&ctl, exec) {
        Ok(code) => code,
        Err(failure) => {
            let report = Report::Failed { stage: failure.stage, message: failure.message };
            // Nobody to tell if the supervisor is gone.
            let _ = protocol::send(ctl.as_fd(), &report);
            1
        }
    };
    std::process::exit(code)
}

fn run(ctl: &OwnedFd, exec: OwnedFd) -> Result<i32, Failure> {
    // Neither may reach the runtime's execve: EOF on the exec pipe tells it succeeded.
    for fd in [ctl.as_fd(), exec.as_fd()] {
        fcntl(fd, FcntlArg::F_SETFD(FdFlag::FD_CLOEXEC)).at("marking the control descriptors close-on-exec")?;
    }
    let config = read_config()?;
    umask(Mode::from_bits_truncate(0o022));
    for procs in &config.cgroup_procs {
        fs::write(procs, "0").at(format_args!("joining the cgroup {}", procs.display()))?;
    }
    unshare(CloneFlags::CLONE_NEWCGROUP).at("creating the cgroup namespace")?;
    if config.join_netns {
        setns(borrow(NETNS_FD), CloneFlags::CLONE_NEWNET).at("joining the network namespace")?;
    } else {
        unshare(CloneFlags::CLONE_NEWNET).at("creating a network namespace")?;
    }
    // Drops the network namespace's descriptor and anything else inherited by mistake.
    // SAFETY: close_range closes descriptors no object of this process owns (all ours are below).
    unsafe { libc::close_range(NETNS_FD as libc::c_uint, libc::c_uint::MAX, 0) };
    rootfs::build(&config)?;
    sethostname(&config.hostname).at("setting the hostname")?;

    // SIGCHLD is read from a signalfd; blocked before the fork so that none is missed.
    let mut sigchld = SigSet::empty();
    sigchld.add(Signal::SIGCHLD);
    sigchld.thread_block().at("blocking SIGCHLD")?;
    let signals = SignalFd::with_flags(&sigchld, SfdFlags::SFD_CLOEXEC | SfdFlags::SFD_NONBLOCK).at("creating a signalfd")?;
    // SAFETY: the init is single-threaded, so the child may do anything after fork.
    match unsafe { fork() }.at("forking the runtime")? {
        ForkResult::Child => {
            drop(signals);
            runtime::exec(&config, ctl.as_fd(), exec)
        }
        ForkResult::Parent { child } => {
            drop(exec);
            stdio_to_null()?;
            drop_privileges()?;
            reap(child, ctl.as_fd(), &signals)
        }
    }
}

fn read_config() -> Result<InitConfig, Failure> {
    // SAFETY: the supervisor placed the configuration's memfd at this number for us alone.
    let mut file = unsafe { File::from_raw_fd(CONFIG_FD) };
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).at("reading the configuration")?;
    serde_json::from_slice(&bytes).at("parsing the configuration")
}

/// The init keeps no handle on the runtime's output, so its EOF comes when the runtime's does.
fn stdio_to_null() -> Result<(), Failure> {
    let null = open("/dev/null", OFlag::O_RDWR | OFlag::O_CLOEXEC, Mode::empty()).at("opening /dev/null")?;
    for fd in 0..=2 {
        // SAFETY: dup2 onto the standard descriptors, which the init owns and replaces.
        if unsafe { libc::dup2(null.as_raw_fd(), fd) } < 0 {
            return Err(Errno::last()).at("redirecting the init's standard descriptors");
        }
    }
    Ok(())
}

fn drop_privileges() -> Result<(), Failure> {
    let (uid, gid) = (Uid::from_raw(INIT_ID), Gid::from_raw(INIT_ID));
    setgroups(&[]).at("dropping the init's groups")?;
    setresgid(gid, gid, gid).at("setting the init's gid")?;
    setresuid(uid, uid, uid).at("setting the init's uid")?;
    nix::sys::prctl::set_no_new_privs().at("setting no_new_privs on the init")
}

/// Reaps every process that ends up in its care until the runtime exits (its status goes to the
/// supervisor and becomes the init's) or the supervisor hangs up.
fn reap(runtime: Pid, ctl: BorrowedFd, signals: &SignalFd) -> Result<i32, Failure> {
    loop {
        let mut fds = [PollFd::new(signals.as_fd(), PollFlags::POLLIN), PollFd::new(ctl, PollFlags::empty())];
        match poll(&mut fds, PollTimeout::NONE) {
            Err(Errno::EINTR) => continue,
            result => result.at("waiting for the runtime")?,
        };
        if fds[1].revents().is_some_and(|r| r.intersects(PollFlags::POLLHUP | PollFlags::POLLERR)) {
            return Ok(137);
        }
        while let Ok(Some(_)) = signals.read_signal() {}
        loop {
            let (code, signal) = match waitpid(None, Some(WaitPidFlag::WNOHANG)) {
                Ok(WaitStatus::Exited(pid, code)) if pid == runtime => (Some(code), None),
                Ok(WaitStatus::Signaled(pid, sig, _)) if pid == runtime => (None, Some(sig as i32)),
                Ok(WaitStatus::StillAlive) | Err(_) => break,
                Ok(_) => continue,
            };
            let _ = protocol::send(ctl, &Report::Exit { code, signal });
            return Ok(code.unwrap_or_else(|| 128 + signal.unwrap_or(0)));
        }
    }
}

fn borrow(fd: RawFd) -> BorrowedFd<'static> {
    // SAFETY: only for the fixed descriptors the supervisor places, while they are open.
    unsafe { BorrowedFd::borrow_raw(fd) }
}
