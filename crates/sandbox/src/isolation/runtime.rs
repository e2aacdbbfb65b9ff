//! The runtime's process, PID 2 of the sandbox, forked by the init: it sets its rlimits, becomes
//! an unprivileged host user mapped to the function's uid in a user namespace of its own, sets
//! `no_new_privs`, installs the seccomp policy when monitored, and executes the runtime.
//! Every step before the execve is this crate's own code; the function's starts with it.

use std::ffi::CString;
use std::fs;
use std::os::fd::{BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};

use nix::sched::{CloneFlags, unshare};
use nix::sys::signal::{SigHandler, SigSet, SigmaskHow, Signal, signal, sigprocmask};
use nix::unistd::{AccessFlags, Gid, Uid, access, chdir, execve, setgroups, setresgid, setresuid};

use super::DEFAULT_PATH;
use super::init::{At, Failure};
use super::protocol::{self, InitConfig, Report, Stage};
use crate::policy::{LoadOptions, Policy, PolicyError};

/// Never returns: the runtime's image replaces this one, or the child exits with 127 after
/// telling the supervisor why (on the control socket, or as errno on the exec pipe).
pub(super) fn exec(cfg: &InitConfig, ctl: BorrowedFd, exec_pipe: OwnedFd) -> ! {
    match prepare(cfg, ctl) {
        Ok((path, argv, env)) => {
            let errno = match execve(&path, &argv, &env) {
                Err(e) => e as i32,
                Ok(never) => match never {},
            };
            let _ = nix::unistd::write(&exec_pipe, &errno.to_ne_bytes());
        }
        Err(failure) => {
            let _ = protocol::send(ctl, &Report::Failed { stage: failure.stage, message: failure.message });
        }
    }
    // SAFETY: _exit ends this forked child without running the parent's exit handlers.
    unsafe { libc::_exit(127) }
}

type Command = (CString, Vec<CString>, Vec<CString>);

fn prepare(cfg: &InitConfig, ctl: BorrowedFd) -> Result<Command, Failure> {
    reset_signals()?;
    cfg.limits.apply_rlimits().at("setting the rlimits")?;
    chdir("/var/task").at("entering /var/task")?;
    let (uid, gid) = (Uid::from_raw(cfg.host_uid), Gid::from_raw(cfg.host_gid));
    setgroups(&[]).at("dropping the groups")?;
    setresgid(gid, gid, gid).at("setting the runtime's gid")?;
    setresuid(uid, uid, uid).at("setting the runtime's uid")?;
    // The uid change made the process non-dumpable, which would leave its /proc files to root.
    nix::sys::prctl::set_dumpable(true).at("making the runtime dumpable")?;
    unshare(CloneFlags::CLONE_NEWUSER).at("creating the user namespace")?;
    fs::write("/proc/self/uid_map", format!("{} {} 1\n", cfg.uid, cfg.host_uid)).at("writing the uid map")?;
    fs::write("/proc/self/setgroups", "deny").at("denying setgroups")?;
    fs::write("/proc/self/gid_map", format!("{} {} 1\n", cfg.gid, cfg.host_gid)).at("writing the gid map")?;
    nix::sys::prctl::set_no_new_privs().at("setting no_new_privs")?;
    let command = command(cfg)?;
    // Before the filter, which stops sendmsg.
    protocol::send(ctl, &Report::Exec).at("reporting the execve")?;
    if cfg.monitored {
        install_policy(ctl)?;
    }
    Ok(command)
}

/// Loads the seccomp filter and announces its listener, which the supervisor copies out of this
/// process (see `crate::monitor::receive_listener`) while the execve waits for its answer.
fn install_policy(ctl: BorrowedFd) -> Result<(), Failure> {
    let failure = |e: PolicyError| Failure { stage: Stage::Policy, message: e.to_string() };
    match Policy::compile().map_err(failure)?.load_and_announce(ctl, LoadOptions::default()) {
        Ok(()) => Ok(()),
        // The filter is loaded and stops sendmsg, which nobody would answer: the exit is the report.
        // SAFETY: _exit ends this forked child without running the parent's exit handlers.
        Err(PolicyError::Announce(_)) => unsafe { libc::_exit(127) },
        Err(e) => Err(failure(e)),
    }
}

/// Default dispositions and an empty mask, whatever the init had (it blocks SIGCHLD, and Rust
/// programs ignore SIGPIPE): both survive execve.
fn reset_signals() -> Result<(), Failure> {
    for sig in Signal::iterator().filter(|s| !matches!(s, Signal::SIGKILL | Signal::SIGSTOP)) {
        // SAFETY: installs the default disposition, no handler code is involved.
        unsafe { signal(sig, SigHandler::SigDfl) }.at(format_args!("resetting {sig}"))?;
    }
    sigprocmask(SigmaskHow::SIG_SETMASK, Some(&SigSet::empty()), None).at("unblocking signals")
}

/// The executable, argv and environment, checked now so that a missing runtime is reported as
/// such rather than as an exit status.
fn command(cfg: &InitConfig) -> Result<Command, Failure> {
    let program = cfg.argv.first().map(String::as_str).unwrap_or_default();
    let path = resolve(program, &cfg.env).map_err(|message| Failure { stage: Stage::Executable, message })?;
    let cstring = |s: String| CString::new(s).at("a NUL byte in the runtime's command");
    let exe = cstring(path.to_string_lossy().into_owned())?;
    let argv = cfg.argv.iter().map(|a| cstring(a.clone())).collect::<Result<_, _>>()?;
    let env = cfg.env.iter().map(|(k, v)| cstring(format!("{k}={v}"))).collect::<Result<_, _>>()?;
    Ok((exe, argv, env))
}

/// Finds `program` the way execvp does, in the `PATH` of the runtime's environment.
fn resolve(program: &str, env: &[(String, String)]) -> Result<PathBuf, String> {
    let runnable = |p: &Path| -> Result<(), String> {
        match fs::metadata(p) {
            Ok(meta) if !meta.is_file() => Err("not a regular file".to_owned()),
            Ok(_) => access(p, AccessFlags::X_OK).map_err(|e| e.desc().to_owned()),
            Err(e) => Err(e.to_string()),
        }
    };
    if program.contains('/') {
        return runnable(Path::new(program)).map(|()| PathBuf::from(program));
    }
    let search = env.iter().rev().find(|(k, _)| k == "PATH").map_or(DEFAULT_PATH, |(_, v)| v.as_str());
    search
        .split(':')
        .filter(|dir| !dir.is_empty())
        .map(|dir| Path::new(dir).join(program))
        .find(|p| runnable(p).is_ok())
        .ok_or_else(|| format!("not found in PATH {search}"))
}
