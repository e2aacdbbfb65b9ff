//! The sandbox's cgroups: limits on memory, pids and CPU for the whole tree, the list of its
//! processes, and its OOM kills. cgroup v2 when `/sys/fs/cgroup` is a unified hierarchy, else
//! the v1 `memory`, `pids` and `cpu` hierarchies; either way under a `fnwarden/<id>` directory.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::IsolationError;
use super::limits::Limits;

const ROOT: &str = "/sys/fs/cgroup";
/// The CFS period the CPU quota is a share of, in µs.
const CPU_PERIOD_US: u64 = 100_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Version {
    V1,
    V2,
}

/// One sandbox's cgroup directories; removed on drop.
#[derive(Debug)]
pub(super) struct Cgroups {
    version: Version,
    /// v2: the one directory; v1: the memory, pids and cpu directories, in that order.
    dirs: Vec<PathBuf>,
}

/// Memory figures of a sandbox, read before its cgroups go.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct MemoryStats {
    pub peak_bytes: Option<u64>,
    pub oom_kills: u64,
}

impl Cgroups {
    /// Creates the cgroups for sandbox `id` and sets their limits.
    pub fn create(id: &str, limits: &Limits) -> Result<Cgroups, IsolationError> {
        let root = Path::new(ROOT);
        let version = if root.join("cgroup.controllers").exists() { Version::V2 } else { Version::V1 };
        let mut cgroups = Cgroups { version, dirs: Vec::new() };
        match version {
            Version::V2 => {
                let parent = root.join("fnwarden");
                enable_controllers(root)?;
                make_dir(&parent)?;
                sweep(&parent);
                enable_controllers(&parent)?;
                let dir = parent.join(id);
                make_instance_dir(&dir)?;
                cgroups.dirs.push(dir.clone());
                let memory = limits.cgroup_memory_bytes().to_string();
                write(&dir.join("memory.max"), &memory)?;
                if dir.join("memory.swap.max").exists() {
                    write(&dir.join("memory.swap.max"), "0")?;
                }
                write(&dir.join("pids.max"), &limits.pids_max.to_string())?;
                write(&dir.join("cpu.max"), &format!("{} {CPU_PERIOD_US}", cpu_quota_us(limits)))?;
            }
            Version::V1 => {
                let [memory, pids, cpu] = ["memory", "pids", "cpu"].map(|c| root.join(c).join("fnwarden"));
                for parent in [&memory, &pids, &cpu] {
                    make_dir(parent)?;
                    sweep(parent);
                    make_instance_dir(&parent.join(id))?;
                    cgroups.dirs.push(parent.join(id));
                }
                let [memory, pids, cpu] = [memory, pids, cpu].map(|p| p.join(id));
                let bytes = limits.cgroup_memory_bytes().to_string();
                write(&memory.join("memory.limit_in_bytes"), &bytes)?;
                // With swap accounting, the same figure for memory+swap means no swap.
                if memory.join("memory.memsw.limit_in_bytes").exists() {
                    write(&memory.join("memory.memsw.limit_in_bytes"), &bytes)?;
                }
                write(&pids.join("pids.max"), &limits.pids_max.to_string())?;
                write(&cpu.join("cpu.cfs_period_us"), &CPU_PERIOD_US.to_string())?;
                write(&cpu.join("cpu.cfs_quota_us"), &cpu_quota_us(limits).to_string())?;
            }
        }
        Ok(cgroups)
    }

    /// The `cgroup.procs` files the init joins.
    pub fn procs_files(&self) -> Vec<PathBuf> {
        self.dirs.iter().map(|d| d.join("cgroup.procs")).collect()
    }

    /// Host pids of the processes in the sandbox.
    pub fn pids(&self) -> Vec<i32> {
        let Some(dir) = self.pids_dir() else { return Vec::new() };
        let text = fs::read_to_string(dir.join("cgroup.procs")).unwrap_or_default();
        let mut pids: Vec<i32> = text.lines().filter_map(|l| l.trim().parse().ok()).collect();
        pids.sort_unstable();
        pids
    }

    /// Kills every process in the cgroup at once (cgroup v2's `cgroup.kill`; a no-op on v1,
    /// where killing the pid namespace's init does it).
    pub fn kill(&self) {
        if self.version == Version::V2
            && let Some(dir) = self.dirs.first()
            && let Err(e) = fs::write(dir.join("cgroup.kill"), "1")
        {
            tracing::debug!(dir = %dir.display(), error = %e, "cgroup.kill");
        }
    }

    pub fn memory(&self) -> MemoryStats {
        let Some(dir) = self.dirs.first() else { return MemoryStats::default() };
        let (peak, events) = match self.version {
            Version::V2 => ("memory.peak", "memory.events"),
            Version::V1 => ("memory.max_usage_in_bytes", "memory.oom_control"),
        };
        let peak_bytes = fs::read_to_string(dir.join(peak)).ok().and_then(|s| s.trim().parse().ok());
        let oom_kills = fs::read_to_string(dir.join(events))
            .ok()
            .and_then(|s| s.lines().find_map(|l| l.strip_prefix("oom_kill ").and_then(|n| n.trim().parse().ok())))
            .unwrap_or(0);
        MemoryStats { peak_bytes, oom_kills }
    }

    /// Removes the directories. The processes must be gone; a cgroup whose last process just
    /// exited may stay busy for a moment, hence the retries.
    pub fn remove(&mut self) -> io::Result<()> {
        let mut result = Ok(());
        for dir in std::mem::take(&mut self.dirs) {
            let mut attempt = 0;
            loop {
                match fs::remove_dir(&dir) {
                    Err(e) if e.raw_os_error() == Some(libc::EBUSY) && attempt < 100 => {
                        attempt += 1;
                        std::thread::sleep(Duration::from_millis(10));
                    }
                    Err(e) if e.kind() == io::ErrorKind::NotFound => break,
                    Err(e) => {
                        tracing::warn!(dir = %dir.display(), error = %e, "cannot remove the sandbox's cgroup");
                        result = Err(e);
                        break;
                    }
                    Ok(()) => break,
                }
            }
        }
        result
    }

    fn pids_dir(&self) -> Option<&PathBuf> {
        match self.version {
            Version::V2 => self.dirs.first(),
            Version::V1 => self.dirs.get(1),
        }
    }
}

impl Drop for Cgroups {
    fn drop(&mut self) {
        let _ = self.remove();
    }
}

/// Removes the cgroups a dead supervisor left (its sandboxes die with it, their cgroups stay).
/// Directory names start with the supervisor's pid; a live one's, or a busy cgroup, stays.
fn sweep(parent: &Path) {
    for entry in fs::read_dir(parent).into_iter().flatten().flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.split_once('-')).map(|(pid, _)| pid).filter(|p| p.parse::<u32>().is_ok()) else {
            continue;
        };
        if entry.path().is_dir() && !Path::new("/proc").join(pid).exists() {
            let _ = fs::remove_dir(entry.path());
        }
    }
}

fn cpu_quota_us(limits: &Limits) -> u64 {
    (CPU_PERIOD_US * u64::from(limits.cpu_percent) / 100).max(1000)
}

/// Lets the children of `dir` have the memory, pids and cpu controllers (cgroup v2).
fn enable_controllers(dir: &Path) -> Result<(), IsolationError> {
    let path = dir.join("cgroup.subtree_control");
    let enabled = fs::read_to_string(&path).map_err(|source| IsolationError::Cgroup { path: path.clone(), source })?;
    let missing: Vec<String> =
        ["memory", "pids", "cpu"].iter().filter(|c| !enabled.split_whitespace().any(|e| e == **c)).map(|c| format!("+{c}")).collect();
    if missing.is_empty() {
        return Ok(());
    }
    write(&path, &missing.join(" "))
}

fn make_dir(dir: &Path) -> Result<(), IsolationError> {
    match fs::create_dir(dir) {
        Err(e) if e.kind() != io::ErrorKind::AlreadyExists => Err(IsolationError::Cgroup { path: dir.to_owned(), source: e }),
        _ => Ok(()),
    }
}

/// The sandbox's own directory, which must be new: an existing one belongs to someone else.
fn make_instance_dir(dir: &Path) -> Result<(), IsolationError> {
    fs::create_dir(dir).map_err(|source| IsolationError::Cgroup { path: dir.to_owned(), source })
}

fn write(path: &Path, value: &str) -> Result<(), IsolationError> {
    fs::write(path, value).map_err(|source| IsolationError::Cgroup { path: path.to_owned(), source })
}
