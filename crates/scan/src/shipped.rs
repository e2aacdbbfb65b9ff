//! Which function ships which dependency manifest: the nearest manifest of the runtime's
//! ecosystem above the handler file (how Node, pip packaging and Go modules resolve), plus
//! vendored `*.dist-info` folders inside a Python function's code folder. A manifest no
//! function ships (a frontend, tooling) is not blamed on one.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use fnwarden_deps::{Ecosystem, ecosystem_for_runtime};
use fnwarden_project::Project;

use crate::group::under;
use crate::pipeline::Manifest;

/// Manifest path → names of the functions that ship it.
pub fn owners(
    project: &Project,
    handler_files: &BTreeMap<String, PathBuf>,
    manifests: &BTreeMap<PathBuf, Manifest>,
) -> BTreeMap<PathBuf, BTreeSet<String>> {
    let mut owners: BTreeMap<PathBuf, BTreeSet<String>> = BTreeMap::new();
    for f in &project.functions {
        let Some(eco) = f.runtime.as_ref().and_then(|r| ecosystem_for_runtime(&r.value)) else { continue };
        let start = handler_files.get(&f.name).and_then(|h| h.parent()).map(Path::to_path_buf).unwrap_or_else(|| f.code_dir.clone());
        let of_eco = |m: &PathBuf| manifests.get(m).is_some_and(|p| p.ecosystem.is_none_or(|e| e == eco)) && !is_vendored(m);
        // Nearest folder above the handler holding a manifest of this ecosystem.
        let mut dir = Some(start.as_path());
        while let Some(d) = dir {
            let here: Vec<&PathBuf> = manifests.keys().filter(|m| m.parent().unwrap_or(Path::new("")) == d && of_eco(m)).collect();
            if !here.is_empty() {
                for m in here {
                    owners.entry(m.clone()).or_default().insert(f.name.clone());
                }
                break;
            }
            dir = d.parent();
        }
        if eco == Ecosystem::PyPI {
            for m in manifests.keys().filter(|m| is_vendored(m) && under(m, &f.code_dir)) {
                owners.entry(m.clone()).or_default().insert(f.name.clone());
            }
        }
    }
    owners
}

fn is_vendored(manifest: &Path) -> bool {
    manifest.parent().and_then(Path::file_name).and_then(|n| n.to_str()).is_some_and(|n| n.ends_with(".dist-info"))
}
