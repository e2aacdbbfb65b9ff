//! `--discover`: cgroup v2 directories of containers and sandboxes, found as they appear.

use std::collections::BTreeSet;
use std::path::Path;

use fnwarden_sensor::attribution::container_of;
use fnwarden_sensor::select;

/// How deep the cgroup tree is searched (kubepods.slice/…/pod…/cri-containerd-….scope).
const DEPTH: usize = 8;

#[derive(Default)]
pub struct Discovery {
    seen: BTreeSet<u64>,
}

impl Discovery {
    /// Function cgroups not seen before: `(path, id)`.
    pub fn scan(&mut self) -> Vec<(String, u64)> {
        let Ok(root) = select::cgroup2_root() else { return Vec::new() };
        let mut found = Vec::new();
        walk(&root, &root, 0, &mut found);
        found.retain(|(_, id)| self.seen.insert(*id));
        found
    }
}

fn walk(root: &Path, dir: &Path, depth: usize, out: &mut Vec<(String, u64)>) {
    if depth > DEPTH {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if !e.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let rel = format!("/{}", p.strip_prefix(root).unwrap_or(&p).to_string_lossy());
        if is_function_cgroup(&rel) {
            if let Ok(id) = select::cgroup_id(&p) {
                out.push((rel, id));
            }
            // A container's own sub-cgroups are covered by fork inheritance.
            continue;
        }
        walk(root, &p, depth + 1, out);
    }
}

/// A container (by id in its name), a faasd function, or an fnwarden sandbox or command.
pub fn is_function_cgroup(rel: &str) -> bool {
    let segs: Vec<&str> = rel.split('/').filter(|s| !s.is_empty()).collect();
    let Some(last) = segs.last() else { return false };
    let parent = segs.len().checked_sub(2).and_then(|i| segs.get(i)).copied();
    container_of(last).is_some() || matches!(parent, Some("openfaas-fn" | "fnwarden" | "fnwarden-monitor"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn container_faasd_and_sandbox_cgroups_are_functions() {
        let id = "4f3c2a9b8e71d2c3a4b5c6d7e8f90123456789abcdef0123456789abcdef0123";
        assert!(is_function_cgroup(&format!("/system.slice/docker-{id}.scope")));
        assert!(is_function_cgroup(&format!("/kubepods.slice/kubepods-pod1.slice/cri-containerd-{id}.scope")));
        assert!(is_function_cgroup("/openfaas-fn/figlet"));
        assert!(is_function_cgroup("/fnwarden/42-1-ab"));
        assert!(!is_function_cgroup("/system.slice/ssh.service"));
        assert!(!is_function_cgroup("/openfaas-fn"));
        assert!(!is_function_cgroup("/"));
    }
}
