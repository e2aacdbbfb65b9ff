//! Guards: the escape primitives the probes can stop before the call completes, and the mode
//! each one runs in.

use std::fmt;
use std::str::FromStr;

use fnwarden_event::EventKind;

/// A kernel-side check, numbered as in `enum fnw_guard`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Guard {
    /// Opening release_agent, notify_on_release, core_pattern, uevent_helper, modprobe … for
    /// writing: the host kernel would run a program of the writer's choosing.
    EscapeFile = 1,
    /// init_module / finit_module.
    Module = 2,
    /// ptrace attach or poke, or process_vm_writev, against PID 1 or a protected process.
    Ptrace = 3,
    /// bpf() from a monitored process.
    Bpf = 4,
    /// A signal to a protected process (the monitor itself).
    Kill = 5,
    /// Opening the monitor's own files for writing.
    Tamper = 6,
}

impl Guard {
    pub const ALL: [Guard; 6] = [Guard::EscapeFile, Guard::Module, Guard::Ptrace, Guard::Bpf, Guard::Kill, Guard::Tamper];

    pub fn name(self) -> &'static str {
        match self {
            Guard::EscapeFile => "escape-file",
            Guard::Module => "module",
            Guard::Ptrace => "ptrace",
            Guard::Bpf => "bpf",
            Guard::Kill => "self-kill",
            Guard::Tamper => "self-tamper",
        }
    }

    pub fn from_index(i: u32) -> Option<Guard> {
        Guard::ALL.into_iter().find(|g| *g as u32 == i)
    }

    /// The guard that enforces a rule over these kinds, if one does. A rule chooses the mode;
    /// the guard's own kernel-side test decides which calls it stops.
    pub fn for_kinds(kinds: &[EventKind]) -> Option<Guard> {
        use EventKind as K;
        let covers = |g: &[EventKind]| !kinds.is_empty() && kinds.iter().all(|k| g.contains(k));
        if covers(&[K::Open, K::Write]) {
            Some(Guard::EscapeFile)
        } else if covers(&[K::InitModule, K::FinitModule, K::DeleteModule, K::KexecLoad, K::Execve]) {
            Some(Guard::Module)
        } else if covers(&[K::Ptrace, K::ProcessVmWritev, K::ProcessVmReadv]) {
            Some(Guard::Ptrace)
        } else if covers(&[K::Bpf]) {
            Some(Guard::Bpf)
        } else if covers(&[K::Kill]) {
            Some(Guard::Kill)
        } else {
            None
        }
    }
}

impl fmt::Display for Guard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// File names whose write-open the escape-file guard stops.
pub const ESCAPE_FILE_NAMES: &[&str] = &["release_agent", "notify_on_release", "core_pattern", "uevent_helper", "modprobe"];

/// How a guard acts, numbered as in `enum fnw_mode`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// Nothing beyond the events the rules ask for.
    #[default]
    Off = 0,
    /// Report every guarded call.
    Monitor = 1,
    /// Report what enforcement would have done.
    DryRun = 2,
    /// Fail the call with -EPERM (BPF LSM); where the LSM is unavailable, kill instead.
    Deny = 3,
    /// Kill the caller before the call returns.
    Kill = 4,
}

impl Mode {
    pub fn name(self) -> &'static str {
        match self {
            Mode::Off => "off",
            Mode::Monitor => "monitor",
            Mode::DryRun => "dry-run",
            Mode::Deny => "deny",
            Mode::Kill => "kill",
        }
    }

    pub fn enforces(self) -> bool {
        self >= Mode::Deny
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Mode {
    type Err = String;
    fn from_str(s: &str) -> Result<Mode, String> {
        match s {
            "off" => Ok(Mode::Off),
            "monitor" => Ok(Mode::Monitor),
            "dry-run" => Ok(Mode::DryRun),
            "deny" => Ok(Mode::Deny),
            "kill" => Ok(Mode::Kill),
            other => Err(format!("unknown mode {other:?}; use off, monitor, dry-run, deny or kill")),
        }
    }
}

/// What a probe did about a call (`enum fnw_action`), as `syscall.action` reports it.
pub fn action_name(a: u32) -> Option<&'static str> {
    match a {
        crate::wire::action::DENIED => Some("denied"),
        crate::wire::action::KILLED => Some("killed"),
        crate::wire::action::WOULD_DENY => Some("would-deny"),
        crate::wire::action::WOULD_KILL => Some("would-kill"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_map_to_the_guard_that_covers_them() {
        use EventKind as K;
        assert_eq!(Guard::for_kinds(&[K::Open, K::Write]), Some(Guard::EscapeFile));
        assert_eq!(Guard::for_kinds(&[K::Open]), Some(Guard::EscapeFile));
        assert_eq!(Guard::for_kinds(&[K::ProcessVmWritev]), Some(Guard::Ptrace));
        assert_eq!(Guard::for_kinds(&[K::InitModule, K::FinitModule]), Some(Guard::Module));
        // A rule over opens and connects: no single guard enforces it.
        assert_eq!(Guard::for_kinds(&[K::Open, K::Connect]), None);
        assert_eq!(Guard::for_kinds(&[]), None);
    }

    #[test]
    fn modes_parse_and_order() {
        assert_eq!("dry-run".parse::<Mode>(), Ok(Mode::DryRun));
        assert!("enforce".parse::<Mode>().is_err());
        assert!(Mode::Kill.enforces() && Mode::Deny.enforces() && !Mode::DryRun.enforces());
        for g in Guard::ALL {
            assert_eq!(Guard::from_index(g as u32), Some(g));
        }
        assert_eq!(Guard::from_index(0), None);
    }
}
