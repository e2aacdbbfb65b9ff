//! Resource limits of one sandbox: cgroup limits for the whole tree, rlimits for the runtime.

use nix::sys::resource::{Resource, setrlimit};
use serde::{Deserialize, Serialize};

/// Resource limits, with Lambda's defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// Memory for the sandbox's processes, in MiB. `/tmp` is a tmpfs whose pages are charged to
    /// the same memory cgroup, so the cgroup's limit is `memory_mb + tmp_mb`: a full `/tmp`
    /// fails with ENOSPC and leaves the runtime its `memory_mb`.
    pub memory_mb: u64,
    /// Size of `/tmp`, in MiB.
    pub tmp_mb: u64,
    /// Processes and threads in the sandbox (cgroup `pids.max`). There is no RLIMIT_NPROC: it
    /// counts per host uid, which every sandbox shares.
    pub pids_max: u64,
    /// CPU time, in percent of one CPU (cgroup CPU quota).
    pub cpu_percent: u32,
    /// Open files per process (RLIMIT_NOFILE).
    pub nofile: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { memory_mb: 128, tmp_mb: 512, pids_max: 1024, cpu_percent: 100, nofile: 1024 }
    }
}

impl Limits {
    /// The memory cgroup's limit, in bytes.
    pub(super) fn cgroup_memory_bytes(&self) -> u64 {
        self.memory_mb.saturating_add(self.tmp_mb).saturating_mul(1 << 20)
    }

    /// The runtime's rlimits: its open files, and no core dumps (a core of the runtime would
    /// hold the canary credentials).
    pub(super) fn apply_rlimits(&self) -> nix::Result<()> {
        setrlimit(Resource::RLIMIT_NOFILE, self.nofile, self.nofile)?;
        setrlimit(Resource::RLIMIT_CORE, 0, 0)
    }
}
