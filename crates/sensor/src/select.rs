//! Selecting what to monitor: cgroup v2 directories (by id, as `bpf_get_current_cgroup_id`
//! reports them), and cgroups fnwarden makes for a command it starts.

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::SensorError;

/// Where the cgroup v2 hierarchy is mounted: `/sys/fs/cgroup` on unified hosts,
/// `/sys/fs/cgroup/unified` on hybrid ones.
pub fn cgroup2_root() -> Result<PathBuf, SensorError> {
    let mounts =
        fs::read_to_string("/proc/self/mountinfo").map_err(|e| SensorError::Config(format!("reading /proc/self/mountinfo: {e}")))?;
    for line in mounts.lines() {
        // … mount-point … - fstype source options
        let Some((left, right)) = line.split_once(" - ") else { continue };
        if right.split_whitespace().next() == Some("cgroup2")
            && let Some(mp) = left.split_whitespace().nth(4)
        {
            return Ok(PathBuf::from(mp));
        }
    }
    Err(SensorError::Config("no cgroup v2 hierarchy is mounted: select processes with --pid, or mount cgroup2".into()))
}

/// The id the kernel reports for a cgroup v2 directory (its inode number).
pub fn cgroup_id(path: &Path) -> Result<u64, SensorError> {
    let m = fs::metadata(path).map_err(|e| SensorError::Config(format!("cgroup {}: {e}", path.display())))?;
    if !m.is_dir() {
        return Err(SensorError::Config(format!("cgroup {} is not a directory", path.display())));
    }
    Ok(m.ino())
}

/// Resolves a user's cgroup argument: an absolute path under the v2 root, or a path relative
/// to it (`kubepods.slice/…`, `/fnwarden/ID`).
pub fn resolve_cgroup(arg: &str) -> Result<PathBuf, SensorError> {
    let root = cgroup2_root()?;
    let p = Path::new(arg);
    let path = if p.starts_with(&root) { p.to_path_buf() } else { root.join(arg.trim_start_matches('/')) };
    if !path.is_dir() {
        return Err(SensorError::Config(format!("no cgroup {} (the cgroup v2 hierarchy is at {})", path.display(), root.display())));
    }
    Ok(path)
}

/// A cgroup v2 directory fnwarden made; removed on drop once empty.
pub struct OwnCgroup {
    pub path: PathBuf,
    pub id: u64,
}

impl OwnCgroup {
    pub fn create(name: &str) -> Result<OwnCgroup, SensorError> {
        let base = cgroup2_root()?.join("fnwarden-monitor");
        let path = base.join(name);
        fs::create_dir_all(&path).map_err(|e| SensorError::Config(format!("creating cgroup {}: {e}", path.display())))?;
        let id = cgroup_id(&path)?;
        Ok(OwnCgroup { path, id })
    }

    /// The file a process writes its pid to, to join.
    pub fn procs(&self) -> PathBuf {
        self.path.join("cgroup.procs")
    }
}

impl Drop for OwnCgroup {
    fn drop(&mut self) {
        // Processes may take a moment to leave after exiting.
        for _ in 0..50 {
            if fs::remove_dir(&self.path).is_ok() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_cgroup_has_the_inode_as_id_and_goes_away() {
        let Ok(root) = cgroup2_root() else {
            eprintln!("skipped: no cgroup v2 hierarchy");
            return;
        };
        let name = format!("unit-{}", std::process::id());
        let path = {
            let c = OwnCgroup::create(&name).unwrap();
            assert_eq!(c.id, fs::metadata(&c.path).unwrap().ino());
            assert!(c.path.starts_with(&root));
            assert_eq!(resolve_cgroup(c.path.to_str().unwrap()).unwrap(), c.path);
            c.path.clone()
        };
        assert!(!path.exists());
        assert!(resolve_cgroup("/no/such/cgroup").is_err());
    }
}
