//! Which source files ship with which function. A group is the source files under one code
//! folder in one language family, with the functions deployed from it: taint analysis runs
//! once per group, so files shared by a service's functions are parsed once.

use std::collections::BTreeMap;
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

/// Without IaC, handlers are found by convention; files of one top-level folder may import
/// each other, so that folder is the unit.
pub fn conventional(sources: &[(PathBuf, Lang)]) -> Vec<Group> {
    let mut by_top: BTreeMap<(PathBuf, Family), Vec<PathBuf>> = BTreeMap::new();
    for (p, l) in sources {
        let top = match p.components().count() {
            0 | 1 => PathBuf::new(),
            _ => p.components().next().map(|c| PathBuf::from(c.as_os_str())).unwrap_or_default(),
        };
        by_top.entry((top, Family::of(*l))).or_default().push(p.clone());
    }
    by_top.into_iter().map(|(_, files)| Group { functions: Vec::new(), files }).collect()
}

pub fn under(path: &Path, dir: &Path) -> bool {
    dir.as_os_str().is_empty() || path.starts_with(dir)
}
