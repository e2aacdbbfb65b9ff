//! Finding the files of a project: sorted, without build output and dependency folders, with
//! symlinks followed only inside the tree and loops reported.

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use fnwarden_project::{DiagKind, Diagnostic};
use walkdir::WalkDir;

/// Folders that hold generated or third-party files rather than the project's own: build
/// output (`.aws-sam`, `.serverless`, `cdk.out`), package managers' trees (lock files cover
/// them), caches and VCS metadata.
const SKIPPED_DIRS: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    ".serverless",
    ".aws-sam",
    "cdk.out",
    ".terraform",
    "__pycache__",
    ".venv",
    "venv",
    ".tox",
    ".mypy_cache",
    ".pytest_cache",
    ".next",
    ".nuxt",
    "coverage",
    ".gradle",
    ".idea",
    // Rust and Maven build output.
    "target",
    ".vscode",
];

/// One regular file to analyse.
#[derive(Clone, Debug)]
pub struct FileEntry {
    /// Relative to the scan root.
    pub rel: PathBuf,
    pub abs: PathBuf,
    pub size: u64,
}

pub struct Walk {
    pub files: Vec<FileEntry>,
    pub diagnostics: Vec<Diagnostic>,
}

/// True when `rel` falls under one of the user's `--exclude` patterns: a path prefix
/// (`frontend/`, `services/legacy`) or a folder or file name anywhere (`tests`, `fixtures`).
fn excluded(rel: &Path, exclude: &[String]) -> bool {
    exclude.iter().any(|pat| {
        let pat = pat.trim_end_matches('/');
        !pat.is_empty() && (rel.starts_with(pat) || rel.iter().any(|c| c == std::ffi::OsStr::new(pat)))
    })
}

pub fn walk(root: &Path, exclude: &[String]) -> std::io::Result<Walk> {
    let canonical_root = root.canonicalize()?;
    let diagnostics = RefCell::new(Vec::new());
    let rel_of = |p: &Path| p.strip_prefix(root).map(Path::to_path_buf).unwrap_or_else(|_| p.to_path_buf());
    let mut files = Vec::new();
    let walker = WalkDir::new(root).follow_links(true).sort_by_file_name().into_iter().filter_entry(|e| {
        let rel = rel_of(e.path());
        if e.depth() > 0 && e.file_type().is_dir() && e.file_name().to_str().is_some_and(|n| SKIPPED_DIRS.contains(&n)) {
            return false;
        }
        if e.depth() > 0 && excluded(&rel, exclude) {
            return false;
        }
        if e.path_is_symlink() {
            // Resolve the target: anything outside the root is not ours to read.
            match e.path().canonicalize() {
                Ok(target) if target.starts_with(&canonical_root) => {}
                Ok(target) => {
                    diagnostics.borrow_mut().push(Diagnostic::new(
                        rel,
                        0,
                        DiagKind::SymlinkOutside,
                        format!("symlink to {} leaves the scanned tree; not followed", target.display()),
                    ));
                    return false;
                }
                // A dangling link or a loop; walkdir reports loops itself below.
                Err(_) => return true,
            }
        }
        true
    });
    for entry in walker {
        match entry {
            Ok(e) if e.file_type().is_file() => {
                let size = e.metadata().map(|m| m.len()).unwrap_or(0);
                files.push(FileEntry { rel: rel_of(e.path()), abs: e.path().to_path_buf(), size });
            }
            Ok(_) => {}
            Err(err) => {
                let rel = err.path().map(&rel_of).unwrap_or_default();
                let diag = if let Some(ancestor) = err.loop_ancestor() {
                    Diagnostic::new(
                        rel,
                        0,
                        DiagKind::SymlinkLoop,
                        format!("symlink loop back to {}; not followed", rel_of(ancestor).display()),
                    )
                } else {
                    Diagnostic::new(
                        rel,
                        0,
                        DiagKind::Unreadable,
                        format!("cannot read: {}", err.io_error().map_or_else(|| err.to_string(), |e| e.to_string())),
                    )
                };
                diagnostics.borrow_mut().push(diag);
            }
        }
    }
    Ok(Walk { files, diagnostics: diagnostics.into_inner() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_dependency_folders_and_reports_loops_and_escapes() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("src/node_modules/x")).unwrap();
        std::fs::write(root.join("src/app.py"), "x = 1\n").unwrap();
        std::fs::write(root.join("src/node_modules/x/index.js"), "").unwrap();
        std::os::unix::fs::symlink("..", root.join("src/loop")).unwrap();
        std::os::unix::fs::symlink("/etc", root.join("etc")).unwrap();
        let w = walk(root, &[]).unwrap();
        let rels: Vec<_> = w.files.iter().map(|f| f.rel.to_string_lossy().into_owned()).collect();
        assert_eq!(rels, ["src/app.py"]);
        let kinds: Vec<_> = w.diagnostics.iter().map(|d| (d.kind, d.file.to_string_lossy().into_owned())).collect();
        assert!(kinds.contains(&(DiagKind::SymlinkLoop, "src/loop".into())), "{kinds:?}");
        assert!(kinds.contains(&(DiagKind::SymlinkOutside, "etc".into())), "{kinds:?}");
    }

    #[test]
    fn exclude_by_prefix_or_name() {
        assert!(excluded(Path::new("frontend/src/a.js"), &["frontend/".into()]));
        assert!(excluded(Path::new("svc/tests/a.py"), &["tests".into()]));
        assert!(!excluded(Path::new("svc/testsuite/a.py"), &["tests".into()]));
    }
}
