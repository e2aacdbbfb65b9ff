//! The supervisor's handle on one running sandbox: start, the runtime's output and seccomp
//! listener, its processes, its end, and a teardown that leaves nothing behind.

use std::fmt;
use std::fs::File;
use std::io::{self, Seek, Write};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use nix::errno::Errno;
use nix::fcntl::{OFlag, open};
use nix::sys::memfd::{MFdFlags, memfd_create};
use nix::sys::signal::{Signal, kill};
use nix::sys::socket::{AddressFamily, SockFlag, SockType, setsockopt, socketpair, sockopt};
use nix::sys::stat::Mode;
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::{Pid, pipe2};
use serde::Serialize;

use super::cgroup::{Cgroups, MemoryStats};
use super::protocol::{self, CONFIG_FD, CTL_FD, EXEC_FD, InitConfig, NETNS_FD, Received, Report, Stage};
use super::{IsolationError, Spec, launch, rootfs};

/// How long the init may take to get the runtime to its execve.
const START_TIMEOUT: Duration = Duration::from_secs(10);

/// How a sandbox ended.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ExitInfo {
    /// The runtime's exit code, when it exited.
    pub code: Option<i32>,
    /// The signal that ended the runtime, or the init (SIGKILL after [`Instance::kill`]).
    pub signal: Option<i32>,
    /// The kernel's OOM killer killed a process of the sandbox.
    pub oom_killed: bool,
}

impl fmt::Display for ExitInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.code, self.signal) {
            (Some(code), _) => write!(f, "exit code {code}")?,
            (None, Some(sig)) => write!(f, "killed by signal {sig}")?,
            (None, None) => write!(f, "status unknown")?,
        }
        if self.oom_killed {
            write!(f, ", out of memory")?;
        }
        Ok(())
    }
}

/// One running sandbox. Dropping it kills everything in it and removes its cgroups.
#[derive(Debug)]
pub struct Instance {
    init: Pid,
    runtime: i32,
    program: String,
    cgroups: Cgroups,
    ctl: OwnedFd,
    exec_pipe: Option<OwnedFd>,
    output: Option<(File, File)>,
    notify: Option<OwnedFd>,
    exit: Option<ExitInfo>,
    /// Read when the init was reaped, before the cgroups go.
    memory: MemoryStats,
}

impl Instance {
    /// Starts a sandbox and returns once its runtime is about to execve; unmonitored, once the
    /// execve succeeded. Monitored, the execve itself stops for the seccomp listener, so the
    /// caller serves [`take_notify_fd`](Self::take_notify_fd) and may then call
    /// [`wait_exec`](Self::wait_exec). Blocks (up to 10 s).
    pub fn start(spec: &Spec) -> Result<Instance, IsolationError> {
        let mut config = validate(spec)?;
        let cgroups = Cgroups::create(&unique_id(), &spec.limits)?;
        config.cgroup_procs = cgroups.procs_files();
        let config_fd = config_memfd(&config).map_err(io_error("writing the init's configuration"))?;
        let (ctl, ctl_init) = socketpair(AddressFamily::Unix, SockType::SeqPacket, None, SockFlag::SOCK_CLOEXEC)
            .map_err(io_error("creating the control socket"))?;
        // The runtime's host pid arrives as the credentials of its report.
        setsockopt(&ctl, sockopt::PassCred, &true).map_err(io_error("setting SO_PASSCRED"))?;
        let pipe = |what| pipe2(OFlag::O_CLOEXEC).map_err(io_error(what));
        let (exec_read, exec_write) = pipe("creating the exec pipe")?;
        let (stdout, stdout_init) = pipe("creating the stdout pipe")?;
        let (stderr, stderr_init) = pipe("creating the stderr pipe")?;
        let null = open("/dev/null", OFlag::O_RDONLY | OFlag::O_CLOEXEC, Mode::empty()).map_err(io_error("opening /dev/null"))?;
        let mut fds = vec![
            (null.as_fd(), 0),
            (stdout_init.as_fd(), 1),
            (stderr_init.as_fd(), 2),
            (config_fd.as_fd(), CONFIG_FD),
            (ctl_init.as_fd(), CTL_FD),
            (exec_write.as_fd(), EXEC_FD),
        ];
        if let Some(raw) = spec.netns {
            // SAFETY: `validate` checked the descriptor is open; the caller keeps it open for the
            // duration of `start`, as `Spec::netns` requires.
            fds.push((unsafe { BorrowedFd::borrow_raw(raw) }, NETNS_FD));
        }
        let init = launch::spawn(&spec.init_exe, &spec.init_args, &fds, exec_write.as_fd())
            .map_err(|source| IsolationError::Init { exe: spec.init_exe.clone(), source })?;
        // The sandbox's ends live in the sandbox only, or no EOF would ever come.
        drop(fds);
        drop((null, stdout_init, stderr_init, config_fd, ctl_init, exec_write));

        let mut instance = Instance {
            init,
            runtime: 0,
            program: spec.argv.first().cloned().unwrap_or_default(),
            cgroups,
            ctl,
            exec_pipe: Some(exec_read),
            output: Some((File::from(stdout), File::from(stderr))),
            notify: None,
            exit: None,
            memory: MemoryStats::default(),
        };
        // On error, dropping the instance tears the sandbox down.
        instance.await_exec(spec)?;
        if !spec.monitored {
            instance.wait_exec()?;
        }
        Ok(instance)
    }

    /// Waits for the runtime's execve to complete; an error if it failed. `start` does it when
    /// unmonitored; monitored, call it once the seccomp listener is being served.
    pub fn wait_exec(&mut self) -> Result<(), IsolationError> {
        let Some(pipe) = self.exec_pipe.take() else { return Ok(()) };
        match read_errno(&pipe)? {
            None => Ok(()),
            Some(errno) => {
                Err(IsolationError::Executable { program: self.program.clone(), message: io::Error::from_raw_os_error(errno).to_string() })
            }
        }
    }

    /// The seccomp user-notification listener of a monitored sandbox (once).
    pub fn take_notify_fd(&mut self) -> Option<OwnedFd> {
        self.notify.take()
    }

    /// Host pid of the sandbox's init, PID 1 of its pid namespace.
    pub fn init_pid(&self) -> i32 {
        self.init.as_raw()
    }

    /// Host pid of the runtime.
    pub fn runtime_pid(&self) -> i32 {
        self.runtime
    }

    /// Host pids of every process in the sandbox.
    pub fn pids(&self) -> Vec<i32> {
        self.cgroups.pids()
    }

    /// The runtime's stdout and stderr (the function's logs), once.
    pub fn take_output(&mut self) -> Option<(File, File)> {
        self.output.take()
    }

    /// How the sandbox ended, if it has; does not block.
    pub fn exited(&mut self) -> Option<ExitInfo> {
        self.reap(Some(WaitPidFlag::WNOHANG))
    }

    /// Waits for the sandbox to end: its runtime exits, or [`kill`](Self::kill) is called.
    pub fn wait(&mut self) -> ExitInfo {
        self.reap(None).unwrap_or_default()
    }

    /// Kills every process of the sandbox, waits for them and removes its cgroups. Idempotent.
    pub fn kill(&mut self) {
        if self.exit.is_none() {
            self.cgroups.kill();
            // Killing the init kills its whole pid namespace; it is unreaped, so the pid is its.
            if let Err(e) = kill(self.init, Signal::SIGKILL) {
                tracing::debug!(pid = self.init.as_raw(), error = %e, "killing the sandbox init");
            }
            self.wait();
        }
        let _ = self.cgroups.remove();
    }

    /// The highest memory use of the sandbox, in MiB.
    pub fn memory_peak_mb(&self) -> Option<u64> {
        self.memory_stats().peak_bytes.map(|b| b.div_ceil(1 << 20))
    }

    /// Whether the OOM killer struck in the sandbox.
    pub fn oom_killed(&self) -> bool {
        self.memory_stats().oom_kills > 0
    }

    fn memory_stats(&self) -> MemoryStats {
        if self.exit.is_some() { self.memory } else { self.cgroups.memory() }
    }

    /// Reads reports until the runtime's `Exec` (and, monitored, its listener announcement), or
    /// the reason there will be none.
    fn await_exec(&mut self, spec: &Spec) -> Result<(), IsolationError> {
        let deadline = Instant::now() + START_TIMEOUT;
        let mut exec_reported = false;
        loop {
            if !protocol::readable_by(self.ctl.as_fd(), deadline).map_err(io_error("waiting for the sandbox"))? {
                return Err(IsolationError::Timeout(START_TIMEOUT.as_secs()));
            }
            if exec_reported && protocol::announces_listener(self.ctl.as_fd()).map_err(io_error("reading the sandbox's report"))? {
                let handoff = crate::monitor::receive_listener(self.ctl.as_fd()).map_err(io_error("taking the seccomp listener"))?;
                self.runtime = handoff.pid;
                self.notify = Some(handoff.listener);
                return Ok(());
            }
            match protocol::recv(self.ctl.as_fd()).map_err(io_error("reading the sandbox's report"))? {
                Some(Received { report: Report::Exec, pid }) => {
                    self.runtime = pid.unwrap_or_default();
                    if !spec.monitored {
                        return Ok(());
                    }
                    exec_reported = true;
                }
                Some(Received { report: Report::Failed { stage, message }, .. }) => {
                    return Err(match stage {
                        Stage::Setup => IsolationError::Setup(message),
                        Stage::Executable => IsolationError::Executable { program: self.program.clone(), message },
                        Stage::Policy => IsolationError::Policy(message),
                    });
                }
                Some(Received { report: Report::Exit { .. }, .. }) | None => {
                    // The init is gone: maybe its own execve failed, which left the errno.
                    if !exec_reported
                        && let Some(pipe) = self.exec_pipe.take()
                        && let Some(errno) = read_errno(&pipe)?
                    {
                        return Err(IsolationError::Init { exe: spec.init_exe.clone(), source: io::Error::from_raw_os_error(errno) });
                    }
                    return Err(IsolationError::InitExited(self.wait()));
                }
            }
        }
    }

    fn reap(&mut self, flags: Option<WaitPidFlag>) -> Option<ExitInfo> {
        if self.exit.is_some() {
            return self.exit;
        }
        let status = loop {
            match waitpid(self.init, flags) {
                Err(Errno::EINTR) => continue,
                Ok(WaitStatus::StillAlive) => return None,
                Ok(status) => break Some(status),
                // Reaped by someone else: the status is lost, the sandbox is not less gone.
                Err(_) => break None,
            }
        };
        let mut info = self.runtime_exit().unwrap_or(match status {
            Some(WaitStatus::Exited(_, code)) => ExitInfo { code: Some(code), ..ExitInfo::default() },
            Some(WaitStatus::Signaled(_, sig, _)) => ExitInfo { signal: Some(sig as i32), ..ExitInfo::default() },
            _ => ExitInfo::default(),
        });
        self.memory = self.cgroups.memory();
        info.oom_killed = self.memory.oom_kills > 0;
        self.exit = Some(info);
        self.exit
    }

    /// The runtime's status, which the init reported before it exited.
    fn runtime_exit(&self) -> Option<ExitInfo> {
        while protocol::readable_by(self.ctl.as_fd(), Instant::now()).ok()? {
            if let Report::Exit { code, signal } = protocol::recv(self.ctl.as_fd()).ok()??.report {
                return Some(ExitInfo { code, signal, oom_killed: false });
            }
        }
        None
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.kill();
    }
}

fn io_error<E: Into<io::Error>>(what: &'static str) -> impl Fn(E) -> IsolationError {
    move |e| IsolationError::Io { what, source: e.into() }
}

/// The errno a failed execve left on the exec pipe; `None` at EOF (the execve succeeded).
fn read_errno(pipe: &OwnedFd) -> Result<Option<i32>, IsolationError> {
    if !protocol::readable_by(pipe.as_fd(), Instant::now() + START_TIMEOUT).map_err(io_error("waiting for the runtime's execve"))? {
        return Err(IsolationError::Timeout(START_TIMEOUT.as_secs()));
    }
    let mut bytes = [0u8; 4];
    let mut got = 0;
    while got < bytes.len() {
        match nix::unistd::read(pipe.as_fd(), &mut bytes[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(Errno::EINTR) => {}
            Err(e) => return Err(io_error("reading the exec pipe")(e)),
        }
    }
    Ok((got == bytes.len()).then(|| i32::from_ne_bytes(bytes)))
}

fn unique_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    format!("{}-{}-{nanos:08x}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed))
}

fn config_memfd(config: &InitConfig) -> io::Result<OwnedFd> {
    let fd = memfd_create(c"fnwarden-sandbox-config", MFdFlags::MFD_CLOEXEC)?;
    let mut file = File::from(fd);
    serde_json::to_writer(&mut file, config).map_err(io::Error::other)?;
    file.flush()?;
    file.rewind()?;
    Ok(file.into())
}

/// Checks the spec and turns it into the init's configuration (cgroups still to be filled in).
fn validate(spec: &Spec) -> Result<InitConfig, IsolationError> {
    let bad = |m: String| Err(IsolationError::Spec(m));
    let dir = |path: &Path| -> io::Result<PathBuf> {
        let path = path.canonicalize()?;
        if path.is_dir() { Ok(path) } else { Err(io::Error::new(io::ErrorKind::NotADirectory, "not a directory")) }
    };
    let task_dir = dir(&spec.task_dir).map_err(|source| IsolationError::TaskDir { path: spec.task_dir.clone(), source })?;
    let opt_dir = match &spec.opt_dir {
        Some(opt) => Some(dir(opt).map_err(|source| IsolationError::OptDir { path: opt.clone(), source })?),
        None => None,
    };
    if spec.argv.first().is_none_or(|p| p.is_empty()) {
        return bad("the runtime's command is empty".to_owned());
    }
    let strings = spec.argv.iter().chain(spec.env.iter().flat_map(|(k, v)| [k, v])).chain([&spec.hostname]);
    if strings.into_iter().any(|s| s.contains('\0')) {
        return bad("a NUL byte in the command, the environment or the hostname".to_owned());
    }
    if let Some((key, _)) = spec.env.iter().find(|(k, _)| k.is_empty() || k.contains('=')) {
        return bad(format!("invalid environment variable name {key:?}"));
    }
    if spec.hostname.is_empty() || spec.hostname.len() > 64 {
        return bad(format!("invalid hostname {:?}", spec.hostname));
    }
    for (path, _, _) in &spec.files {
        let normal = path.components().skip(1).all(|c| matches!(c, Component::Normal(_)));
        if !path.is_absolute() || !normal || path.parent().is_none() {
            return bad(format!("file {}: the path must be absolute, without `..`", path.display()));
        }
        if rootfs::is_mounted_over(path) {
            return bad(format!("file {}: that directory is a mount of its own", path.display()));
        }
    }
    let l = &spec.limits;
    if l.memory_mb == 0 || l.tmp_mb == 0 || l.pids_max == 0 || l.cpu_percent == 0 || l.nofile == 0 {
        return bad(format!("every limit must be positive: {l:?}"));
    }
    if let Some(raw) = spec.netns {
        // SAFETY: F_GETFD only asks whether the descriptor number is open.
        if unsafe { libc::fcntl(raw, libc::F_GETFD) } < 0 {
            return bad(format!("the network namespace descriptor {raw} is not open"));
        }
    }
    Ok(InitConfig {
        cgroup_procs: Vec::new(),
        join_netns: spec.netns.is_some(),
        hostname: spec.hostname.clone(),
        task_dir,
        opt_dir,
        files: spec.files.clone(),
        argv: spec.argv.clone(),
        env: spec.env.clone(),
        uid: spec.uid,
        gid: spec.gid,
        host_uid: spec.host_uid,
        host_gid: spec.host_gid,
        limits: spec.limits,
        monitored: spec.monitored,
    })
}
