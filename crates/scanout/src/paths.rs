//! Paths as the outputs write them: `/`-separated whatever the platform, and as URIs for SARIF.

use std::path::{Component, Path, PathBuf};

/// `src/app.py` for a relative path, on every platform; `.` parts dropped.
pub(crate) fn portable(path: &Path) -> String {
    let mut out = String::new();
    for c in path.components() {
        let part = match c {
            Component::Normal(s) => s.to_string_lossy(),
            Component::ParentDir => "..".into(),
            Component::RootDir => {
                out.push('/');
                continue;
            }
            Component::Prefix(p) => p.as_os_str().to_string_lossy(),
            Component::CurDir => continue,
        };
        if !out.is_empty() && !out.ends_with('/') {
            out.push('/');
        }
        out.push_str(&part);
    }
    out
}

/// `root/file`, for tools that resolve paths against the folder they run in (SonarQube).
pub(crate) fn under_root(root: &Path, file: &Path) -> String {
    portable(&root.join(file))
}

/// Where SARIF's `%SRCROOT%` points, and the way from there to the scan root. GitHub reads
/// URIs as relative to the repository root, which is where CI runs fnwarden: so `%SRCROOT%` is
/// the working directory when the scan root lies inside it (`fnwarden scan services/api` gives
/// `services/api/handler.py`), and the scan root itself otherwise.
pub(crate) struct SarifBase {
    /// An absolute `file:` URI ending in `/`; `None` without a working directory.
    pub(crate) uri: Option<String>,
    prefix: PathBuf,
}

impl SarifBase {
    pub(crate) fn of(root: &Path) -> SarifBase {
        let inside = |p: &Path| !p.components().any(|c| matches!(c, Component::ParentDir | Component::RootDir | Component::Prefix(_)));
        let Ok(cwd) = std::env::current_dir() else {
            let prefix = if inside(root) { root.to_path_buf() } else { PathBuf::new() };
            return SarifBase { uri: None, prefix };
        };
        let abs = fold(&cwd.join(root));
        match abs.strip_prefix(&cwd) {
            Ok(rest) if inside(rest) => SarifBase { uri: Some(dir_uri(&cwd)), prefix: rest.to_path_buf() },
            _ => SarifBase { uri: Some(dir_uri(&abs)), prefix: PathBuf::new() },
        }
    }

    /// A scan-root-relative path as a URI reference relative to `%SRCROOT%`.
    pub(crate) fn uri_of(&self, file: &Path) -> String {
        encode(&portable(&self.prefix.join(file)))
    }
}

/// `..` and `.` folded away without asking the file system.
fn fold(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            c => out.push(c),
        }
    }
    out
}

/// An absolute folder as a `file:` URI ending in `/`, as `originalUriBaseIds` requires.
fn dir_uri(abs: &Path) -> String {
    let mut path = encode(&portable(abs));
    if !path.starts_with('/') {
        // A Windows path (`C:/x`) still needs the empty authority's slash.
        path.insert(0, '/');
    }
    if !path.ends_with('/') {
        path.push('/');
    }
    format!("file://{path}")
}

/// Percent-encodes everything but RFC 3986 unreserved characters and `/`.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_read_the_same_everywhere() {
        assert_eq!(portable(Path::new("./src/app.py")), "src/app.py");
        assert_eq!(portable(Path::new("a/../b")), "a/../b");
        assert_eq!(portable(Path::new("/abs/x")), "/abs/x");
        assert_eq!(under_root(Path::new("."), Path::new("src/app.py")), "src/app.py");
        assert_eq!(under_root(Path::new("services/api"), Path::new("h.py")), "services/api/h.py");
    }

    #[test]
    fn uris_encode_what_a_uri_cannot_hold() {
        assert_eq!(encode("src/my app/ü#1.py"), "src/my%20app/%C3%BC%231.py");
        assert_eq!(dir_uri(Path::new("/srv/my repo")), "file:///srv/my%20repo/");
    }

    #[test]
    fn srcroot_is_the_working_directory_when_the_scan_is_inside_it() {
        let cwd = std::env::current_dir().unwrap();
        let inner = SarifBase::of(Path::new("services/api"));
        assert_eq!(inner.uri, Some(dir_uri(&cwd)));
        assert_eq!(inner.uri_of(Path::new("h.py")), "services/api/h.py");
        let here = SarifBase::of(Path::new("."));
        assert_eq!(here.uri_of(Path::new("src/h.py")), "src/h.py");
        let outside = SarifBase::of(Path::new("/srv/other"));
        assert_eq!(outside.uri.as_deref(), Some("file:///srv/other/"));
        assert_eq!(outside.uri_of(Path::new("h.py")), "h.py");
        let above = SarifBase::of(Path::new("../sibling"));
        let uri = above.uri.clone().unwrap();
        assert!(uri.ends_with("/sibling/") && !uri.contains(".."), "{uri}");
        assert_eq!(above.uri_of(Path::new("h.py")), "h.py");
    }
}
