//! Isolation of a function's runtime. The function is hostile, so its runtime runs in its own
//! user, pid, mount, network, ipc, uts and cgroup namespaces, on a read-only root that holds only
//! the system's `/usr`, a synthesized `/etc`, the code at `/var/task`, the layers at `/opt` and a
//! size-limited `/tmp`, under cgroup limits on memory, pids and CPU.
//!
//! The process tree, from the supervisor down:
//! - the sandbox *init*, cloned by [`Instance::start`] into fresh pid, mount, ipc and uts
//!   namespaces and re-executed (`Spec::init_exe`, a single-threaded program running
//!   [`init_main`]) so it is PID 1 of the sandbox. It joins the cgroups, the network namespace,
//!   builds the root and forks the runtime, then drops its privileges and reaps;
//! - the *runtime* (PID 2), which sets its rlimits, moves to an unprivileged host id inside a user
//!   namespace of its own (uid 993 inside), sets `no_new_privs`, installs the seccomp policy when
//!   monitored, and executes the runtime's command.
//!
//! When the runtime exits, the init exits with its status and the kernel kills what is left of
//! the pid namespace; [`Instance::kill`] does the same at once by killing the init.

mod cgroup;
mod init;
mod instance;
mod launch;
mod limits;
mod protocol;
mod rootfs;
mod runtime;

use std::os::fd::RawFd;
use std::path::PathBuf;

pub use init::init_main;
pub use instance::{ExitInfo, Instance};
pub use limits::Limits;

/// Everything that defines one sandbox instance.
#[derive(Clone, Debug)]
pub struct Spec {
    /// The program that becomes the sandbox's init: it must call [`init_main`] (the
    /// `fnwarden-sandbox-init` binary, or `fnwarden __sandbox-init`).
    pub init_exe: PathBuf,
    pub init_args: Vec<String>,
    /// The function's code, bound read-only at `/var/task`.
    pub task_dir: PathBuf,
    /// The layers, bound read-only at `/opt` (an empty directory when `None`).
    pub opt_dir: Option<PathBuf>,
    /// Files written into the sandbox's root before it turns read-only: absolute path inside the
    /// sandbox, content, mode (e.g. the bootstrap at `/var/runtime/bootstrap.py`).
    pub files: Vec<(PathBuf, Vec<u8>, u32)>,
    /// The runtime's command; `argv[0]` without a `/` is looked up in the `PATH` of `env`.
    pub argv: Vec<String>,
    pub env: Vec<(String, String)>,
    /// The network namespace to join, as an open fd that must stay open during `start`; `None`
    /// gives the sandbox a new, empty one (loopback down).
    pub netns: Option<RawFd>,
    pub limits: Limits,
    /// Install the seccomp policy (`crate::policy::install`) in the runtime and hand its
    /// notification fd to the supervisor (see [`Instance::take_notify_fd`]).
    pub monitored: bool,
    pub hostname: String,
    /// The runtime's user and group inside the sandbox (Lambda's `sbx_user1051`: 993, 990).
    pub uid: u32,
    pub gid: u32,
    /// The unprivileged host ids those map to.
    pub host_uid: u32,
    pub host_gid: u32,
}

impl Spec {
    /// A spec with Lambda-like defaults for everything but what must be given.
    pub fn new(init_exe: impl Into<PathBuf>, task_dir: impl Into<PathBuf>, argv: Vec<String>) -> Spec {
        Spec {
            init_exe: init_exe.into(),
            init_args: Vec::new(),
            task_dir: task_dir.into(),
            opt_dir: None,
            files: Vec::new(),
            argv,
            env: vec![("PATH".to_owned(), DEFAULT_PATH.to_owned())],
            netns: None,
            limits: Limits::default(),
            monitored: false,
            hostname: "fnwarden-sandbox".to_owned(),
            uid: 993,
            gid: 990,
            host_uid: 3_000_993,
            host_gid: 3_000_990,
        }
    }
}

/// Where a command is looked up when `env` has no `PATH`.
const DEFAULT_PATH: &str = "/usr/local/bin:/usr/bin:/bin";

#[derive(Debug, thiserror::Error)]
pub enum IsolationError {
    #[error("function directory {}: {source}", path.display())]
    TaskDir { path: PathBuf, source: std::io::Error },
    #[error("layers directory {}: {source}", path.display())]
    OptDir { path: PathBuf, source: std::io::Error },
    #[error("invalid sandbox spec: {0}")]
    Spec(String),
    #[error("cgroup {}: {source}", path.display())]
    Cgroup { path: PathBuf, source: std::io::Error },
    #[error("{what}: {source}")]
    Io { what: &'static str, source: std::io::Error },
    #[error("starting the sandbox init {}: {source}", exe.display())]
    Init { exe: PathBuf, source: std::io::Error },
    #[error("sandbox setup failed: {0}")]
    Setup(String),
    #[error("runtime executable {program}: {message}")]
    Executable { program: String, message: String },
    #[error("seccomp policy: {0}")]
    Policy(String),
    #[error("the sandbox init exited before the runtime started ({0})")]
    InitExited(ExitInfo),
    #[error("the sandbox did not start within {0} s")]
    Timeout(u64),
}
