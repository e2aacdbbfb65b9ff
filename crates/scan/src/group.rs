//! Which source files ship with which function. A group is the source files under one code
//! folder in one language family, with the functions deployed from it: taint analysis runs
//! once per group, so files shared by a service's functions are parsed once.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use fnwarden_code::Lang;
use fnwarden_project::Project;

/// Language families a runtime can load.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    Python,
    Js,
    Go,
    Java,
}

impl Family {
    pub fn of(lang: Lang) -> Family {
        match lang {
            Lang::Python => Family::Python,
            Lang::JavaScript | Lang::TypeScript | Lang::Tsx => Family::Js,
            Lang::Go => Family::Go,
            Lang::Java => Family::Java,
        }
    }

    /// `None` when the runtime is unknown or custom: then every language is a candidate.
    pub fn of_runtime(runtime: &str) -> Option<Family> {
        let r = runtime.to_ascii_lowercase();
        Some(if r.starts_with("python") {
            Family::Python
        } else if r.starts_with("node") {
            Family::Js
        } else if r.starts_with("java") {
            Family::Java
        } else if r.starts_with("go") {
            Family::Go
        } else {
            return None;
        })
    }
}

pub struct Group {
    /// Indexes into `Project::functions`; empty for a convention group (no IaC).
    pub functions: Vec<usize>,
    /// Relative paths, sorted.
    pub files: Vec<PathBuf>,
}

/// The groups of a project with IaC: one per (code folder, family) its functions use. A
/// function whose runtime is unknown takes every family under its folder.
pub fn deployed(project: &Project, sources: &[(PathBuf, Lang)]) -> Vec<Group> {
    let mut by_key: BTreeMap<(PathBuf, Option<Family>), Vec<usize>> = BTreeMap::new();
    for (i, f) in project.functions.iter().enumerate() {
        let family = f.runtime.as_ref().and_then(|r| Family::of_runtime(&r.value));
        by_key.entry((f.code_dir.clone(), family)).or_default().push(i);
    }
    by_key
        .into_iter()
        .map(|((code_dir, family), functions)| {
            let files = sources
                .iter()
                .filter(|(p, l)| under(p, &code_dir) && family.is_none_or(|fam| Family::of(*l) == fam))
                .map(|(p, _)| p.clone())
                .collect();
            Group { functions, files }
        })
        .collect()
}

/// Files that mark the root of one deployable unit (a package, a module, a function app).
const UNIT_MARKERS: &[&str] =
    &["package.json", "requirements.txt", "pyproject.toml", "setup.py", "Pipfile", "go.mod", "pom.xml", "build.gradle", "host.json"];

/// Without IaC, handlers are found by convention. Files may import each other within one
/// deployable unit: the nearest folder above them holding a package or module manifest, else
/// the scan root.
pub fn conventional(sources: &[(PathBuf, Lang)], all_files: &[PathBuf]) -> Vec<Group> {
    let units: BTreeSet<&Path> = all_files
        .iter()
        .filter(|f| f.file_name().and_then(|n| n.to_str()).is_some_and(|n| UNIT_MARKERS.contains(&n)))
        .map(|f| f.parent().unwrap_or(Path::new("")))
        .collect();
    let mut by_unit: BTreeMap<(PathBuf, Family), Vec<PathBuf>> = BTreeMap::new();
    for (p, l) in sources {
        let unit = p.ancestors().skip(1).find(|a| units.contains(a)).unwrap_or(Path::new(""));
        by_unit.entry((unit.to_path_buf(), Family::of(*l))).or_default().push(p.clone());
    }
    by_unit.into_values().map(|files| Group { functions: Vec::new(), files }).collect()
}

pub fn under(path: &Path, dir: &Path) -> bool {
    dir.as_os_str().is_empty() || path.starts_with(dir)
}
