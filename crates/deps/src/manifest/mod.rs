//! Dependency manifests and lock files: which ones are recognised, and the packages each pins,
//! with the line of the entry that pins it.

mod go;
mod json;
mod maven;
mod npm;
mod pnpm;
mod python;
mod yarn;

use std::path::Path;

use fnwarden_project::{DiagKind, Diagnostic, Location};

use crate::Ecosystem;

/// One pinned package of a manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Package {
    pub ecosystem: Ecosystem,
    /// As the manifest writes it (Maven: `group:artifact`).
    pub name: String,
    /// As the manifest pins it, without a leading `==` or `v`.
    pub version: String,
    /// The line of the entry that pins it.
    pub location: Location,
    /// A development or test dependency: not in the deployed bundle.
    pub dev: bool,
}

/// Larger manifests are refused rather than read: real lock files of big monorepos stay well
/// under this, and the readers keep the whole file in memory.
pub const MAX_MANIFEST_BYTES: usize = 64 << 20;

/// Stops a hostile file from producing an unbounded package list.
const MAX_PACKAGES: usize = 500_000;

/// The manifest kinds, by file name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    PackageLock,
    YarnLock,
    PnpmLock,
    Requirements,
    PipfileLock,
    PoetryLock,
    GoMod,
    GoSum,
    Pom,
    DistInfoMetadata,
}

fn kind(path: &Path) -> Option<Kind> {
    let name = path.file_name()?.to_str()?;
    Some(match name {
        "package-lock.json" | "npm-shrinkwrap.json" => Kind::PackageLock,
        "yarn.lock" => Kind::YarnLock,
        "pnpm-lock.yaml" => Kind::PnpmLock,
        "Pipfile.lock" => Kind::PipfileLock,
        "poetry.lock" => Kind::PoetryLock,
        "go.mod" => Kind::GoMod,
        "go.sum" => Kind::GoSum,
        "pom.xml" => Kind::Pom,
        "METADATA" => {
            let parent = path.parent()?.file_name()?.to_str()?;
            if parent.ends_with(".dist-info") {
                Kind::DistInfoMetadata
            } else {
                return None;
            }
        }
        _ if name.starts_with("requirements") && name.ends_with(".txt") => Kind::Requirements,
        _ => return None,
    })
}

/// True for the files `read_manifest` reads.
pub fn is_manifest(path: &Path) -> bool {
    kind(path).is_some()
}

/// The folder whose code a manifest describes: its own folder, except for a
/// `*.dist-info/METADATA`, which describes the folder the package was installed into (the one
/// holding the `.dist-info` folder). Attribution to functions compares handler files with it.
pub fn manifest_dir(path: &Path) -> &Path {
    let parent = path.parent().unwrap_or(Path::new(""));
    match kind(path) {
        Some(Kind::DistInfoMetadata) => parent.parent().unwrap_or(Path::new("")),
        _ => parent,
    }
}

/// The sibling file that, when present in the same folder, pins the same packages more
/// precisely, so this one adds only duplicates (or, for go.sum, versions the build discarded):
/// `go.sum` → `go.mod`; `package-lock.json` → `npm-shrinkwrap.json` (npm ignores the lock when
/// a shrinkwrap exists).
pub fn preferred_sibling(path: &Path) -> Option<&'static str> {
    match path.file_name()?.to_str()? {
        "go.sum" => Some("go.mod"),
        "package-lock.json" => Some("npm-shrinkwrap.json"),
        _ => None,
    }
}

/// The packages a manifest pins. `path` is relative to the scan root and only names the file;
/// `bytes` is its content. A file that does not parse is a `BadManifest` diagnostic with the
/// line where reading stopped.
pub fn read_manifest(path: &Path, bytes: &[u8]) -> Result<Vec<Package>, Diagnostic> {
    let Some(kind) = kind(path) else {
        return Err(Diagnostic::new(path, 0, DiagKind::BadManifest, "not a dependency manifest fnwarden reads"));
    };
    if bytes.len() > MAX_MANIFEST_BYTES {
        return Err(Diagnostic::new(path, 0, DiagKind::TooLarge, format!("manifest larger than {} MiB", MAX_MANIFEST_BYTES >> 20)));
    }
    if bytes.contains(&0) {
        return Err(Diagnostic::new(path, 0, DiagKind::BadManifest, "binary content (NUL bytes)"));
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t.strip_prefix('\u{feff}').unwrap_or(t),
        Err(e) => {
            let line = line_of(bytes, e.valid_up_to());
            return Err(Diagnostic::new(path, line, DiagKind::BadManifest, "not UTF-8 text"));
        }
    };
    let mut out = Sink { path, packages: Vec::new() };
    let result = match kind {
        Kind::PackageLock => npm::read(text, &mut out),
        Kind::YarnLock => yarn::read(text, &mut out),
        Kind::PnpmLock => pnpm::read(text, &mut out),
        Kind::Requirements => python::read_requirements(text, &mut out),
        Kind::PipfileLock => python::read_pipfile_lock(text, &mut out),
        Kind::PoetryLock => python::read_poetry_lock(text, &mut out),
        Kind::DistInfoMetadata => python::read_metadata(text, &mut out),
        Kind::GoMod => go::read_go_mod(text, &mut out),
        Kind::GoSum => go::read_go_sum(text, &mut out),
        Kind::Pom => maven::read(text, &mut out),
    };
    match result {
        Ok(()) => Ok(out.packages),
        Err(Bad { line, message }) => Err(Diagnostic::new(path, line, DiagKind::BadManifest, message)),
    }
}

/// Why a manifest could not be read, and where.
#[derive(Debug)]
struct Bad {
    line: u32,
    message: String,
}

impl Bad {
    fn new(line: u32, message: impl Into<String>) -> Bad {
        Bad { line, message: message.into() }
    }
}

/// Collects one manifest's packages, located in its file.
struct Sink<'a> {
    path: &'a Path,
    packages: Vec<Package>,
}

impl Sink<'_> {
    fn push(&mut self, ecosystem: Ecosystem, name: &str, version: &str, line: u32, dev: bool) -> Result<(), Bad> {
        if self.packages.len() >= MAX_PACKAGES {
            return Err(Bad::new(line, format!("more than {MAX_PACKAGES} packages")));
        }
        let (name, version) = (name.trim(), version.trim());
        if name.is_empty() || version.is_empty() {
            return Ok(());
        }
        self.packages.push(Package {
            ecosystem,
            name: name.to_string(),
            version: version.to_string(),
            location: Location::new(self.path, line, 0),
            dev,
        });
        Ok(())
    }
}

/// The 1-based line of a byte offset.
fn line_of(bytes: &[u8], offset: usize) -> u32 {
    let upto = bytes.get(..offset).unwrap_or(bytes);
    u32::try_from(upto.iter().filter(|&&b| b == b'\n').count() + 1).unwrap_or(u32::MAX)
}

/// 1-based line numbers for `str::lines`.
fn numbered(text: &str) -> impl Iterator<Item = (u32, &str)> {
    text.lines().enumerate().map(|(i, l)| (u32::try_from(i + 1).unwrap_or(u32::MAX), l))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_manifests_by_name() {
        for p in [
            "package-lock.json",
            "a/npm-shrinkwrap.json",
            "yarn.lock",
            "pnpm-lock.yaml",
            "requirements.txt",
            "requirements-dev.txt",
            "Pipfile.lock",
            "poetry.lock",
            "go.mod",
            "go.sum",
            "svc/pom.xml",
            "vendor/PyYAML-5.3.1.dist-info/METADATA",
        ] {
            assert!(is_manifest(Path::new(p)), "{p}");
        }
        for p in ["package.json", "Pipfile", "METADATA", "x.egg-info/METADATA", "requirements.in", "go.work"] {
            assert!(!is_manifest(Path::new(p)), "{p}");
        }
    }

    #[test]
    fn dist_info_describes_the_folder_it_was_installed_into() {
        assert_eq!(manifest_dir(Path::new("src/jsonpickle-1.4.1.dist-info/METADATA")), Path::new("src"));
        assert_eq!(manifest_dir(Path::new("x-1.dist-info/METADATA")), Path::new(""));
        assert_eq!(manifest_dir(Path::new("svc/package-lock.json")), Path::new("svc"));
        assert_eq!(manifest_dir(Path::new("go.mod")), Path::new(""));
    }

    #[test]
    fn siblings_that_supersede() {
        assert_eq!(preferred_sibling(Path::new("svc/go.sum")), Some("go.mod"));
        assert_eq!(preferred_sibling(Path::new("package-lock.json")), Some("npm-shrinkwrap.json"));
        assert_eq!(preferred_sibling(Path::new("go.mod")), None);
    }

    #[test]
    fn binary_and_non_utf8_are_bad_manifests() {
        let d = read_manifest(Path::new("package-lock.json"), b"\x7fELF\0\0\x01").unwrap_err();
        assert_eq!((d.kind, d.file.as_path()), (DiagKind::BadManifest, Path::new("package-lock.json")));
        let d = read_manifest(Path::new("requirements.txt"), b"flask==2.0\n\xff\xfe==1\n").unwrap_err();
        assert_eq!((d.kind, d.line), (DiagKind::BadManifest, 2));
    }

    #[test]
    fn oversized_manifests_are_refused() {
        let big = vec![b' '; MAX_MANIFEST_BYTES + 1];
        assert_eq!(read_manifest(Path::new("yarn.lock"), &big).unwrap_err().kind, DiagKind::TooLarge);
    }
}
