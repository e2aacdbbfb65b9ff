//! Python: requirements files, Pipfile.lock, poetry.lock, and the METADATA of vendored
//! `*.dist-info` folders (packages installed into the deployment bundle with `pip -t`).

use serde::Deserialize;

use super::json::{self, Node};
use super::{Bad, Sink, line_of, numbered};
use crate::Ecosystem;

/// requirements*.txt. Only exact pins (`==1.2.3`, `===1.2.3`) say what gets installed; a range
/// (`>=2`, `~=1.4`, `==1.*`) or a bare name resolves at install time to a version this file does
/// not record, so it is not checked. `-r`/`-c` includes are not followed: the included file is
/// a manifest in its own right when it is in the tree. Files named like
/// `requirements-dev.txt` or `requirements_test.txt` are development dependencies.
pub(super) fn read_requirements(text: &str, out: &mut Sink<'_>) -> Result<(), Bad> {
    let file = out.path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_ascii_lowercase();
    let dev = ["dev", "test", "lint", "doc"].iter().any(|w| file.contains(w));
    let mut pending: Option<(u32, String)> = None;
    for (line, raw) in numbered(text) {
        let (start, mut logical) = pending.take().unwrap_or((line, String::new()));
        match raw.strip_suffix('\\') {
            Some(head) => {
                logical.push_str(head);
                logical.push(' ');
                pending = Some((start, logical));
                continue;
            }
            None => logical.push_str(raw),
        }
        requirement(&logical, start, dev, out)?;
    }
    if let Some((start, logical)) = pending {
        requirement(&logical, start, dev, out)?;
    }
    Ok(())
}

fn requirement(logical: &str, line: u32, dev: bool, out: &mut Sink<'_>) -> Result<(), Bad> {
    let text = strip_comment(logical).trim();
    if text.is_empty() {
        return Ok(());
    }
    if text.starts_with('-') {
        if let Some(included) = text.strip_prefix("-r").or_else(|| text.strip_prefix("--requirement")) {
            tracing::debug!(file = %out.path.display(), line, include = included.trim_start_matches('=').trim(), "requirements include not followed");
        }
        return Ok(());
    }
    // Per-requirement options (`--hash=…`) and environment markers do not change the pin.
    let text = text.split(" --").next().unwrap_or(text);
    let text = text.split(';').next().unwrap_or(text).trim();
    // A URL or local path to install (`./pkg`, `https://…/x.whl`, `git+https://…`) is not a
    // release; `name @ https://…` neither.
    if text.contains("://") || text.starts_with(['.', '/']) {
        return Ok(());
    }
    let name_end = text.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))).unwrap_or(text.len());
    let name = &text[..name_end];
    if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return Err(Bad::new(line, format!("not a requirement: {}", clip(text))));
    }
    let mut rest = text[name_end..].trim_start();
    if let Some(after) = rest.strip_prefix('[') {
        let Some(close) = after.find(']') else { return Err(Bad::new(line, "unclosed extras bracket")) };
        rest = after[close + 1..].trim_start();
    }
    let specs: Vec<&str> = rest.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
    for spec in &specs {
        if !spec.starts_with(['=', '<', '>', '!', '~']) {
            return Err(Bad::new(line, format!("bad version specifier: {}", clip(spec))));
        }
    }
    if let [spec] = specs.as_slice() {
        let version = spec.strip_prefix("===").or_else(|| spec.strip_prefix("=="));
        if let Some(v) = version.map(str::trim).filter(|v| !v.contains('*')) {
            out.push(Ecosystem::PyPI, name, v, line, dev)?;
        }
    }
    Ok(())
}

/// A `#` starts a comment at the line start or after whitespace (URLs keep their fragments).
fn strip_comment(s: &str) -> &str {
    let bytes = s.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'#' && (i == 0 || bytes[i - 1].is_ascii_whitespace()) {
            return &s[..i];
        }
    }
    s
}

fn clip(s: &str) -> String {
    s.chars().take(60).collect()
}

/// Pipfile.lock: `default` is what gets installed, `develop` the dev packages; versions are
/// written `==1.2.3`.
pub(super) fn read_pipfile_lock(text: &str, out: &mut Sink<'_>) -> Result<(), Bad> {
    let doc = json::parse(text).map_err(|e| Bad::new(e.line, e.message))?;
    if !doc.is_object() {
        return Err(Bad::new(doc.line, "Pipfile.lock is a JSON object"));
    }
    for (section, dev) in [("default", false), ("develop", true)] {
        for m in doc.get(section).map(Node::members).unwrap_or_default() {
            let Some(v) = m.value.get("version").and_then(Node::as_str) else { continue };
            if let Some(v) = v.strip_prefix("===").or_else(|| v.strip_prefix("==")) {
                out.push(Ecosystem::PyPI, &m.key, v, m.line, dev)?;
            }
        }
    }
    Ok(())
}

#[derive(Deserialize)]
struct PoetryLock {
    #[serde(default)]
    package: Vec<PoetryPackage>,
}

#[derive(Deserialize)]
struct PoetryPackage {
    name: toml::Spanned<String>,
    version: String,
    /// Poetry before 1.5: `main` or `dev`.
    category: Option<String>,
    /// Poetry 2: the dependency groups that pull the package in.
    groups: Option<Vec<String>>,
    source: Option<PoetrySource>,
}

#[derive(Deserialize)]
struct PoetrySource {
    #[serde(rename = "type")]
    kind: Option<String>,
}

/// poetry.lock: `[[package]]` tables. Dev-only is `category = "dev"` (Poetry < 1.5) or a
/// `groups` list without `main` (Poetry 2); lock files of Poetry 1.5–1.8 record neither, so their
/// packages all count as shipped. Local and VCS sources are not registry releases.
pub(super) fn read_poetry_lock(text: &str, out: &mut Sink<'_>) -> Result<(), Bad> {
    let lock: PoetryLock = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(0, |s| line_of(text.as_bytes(), s.start));
        Bad::new(line, format!("TOML: {}", e.message()))
    })?;
    for p in lock.package {
        if p.source.and_then(|s| s.kind).is_some_and(|k| matches!(k.as_str(), "directory" | "file" | "git" | "url")) {
            continue;
        }
        let dev = p.category.as_deref() == Some("dev") || p.groups.is_some_and(|g| !g.iter().any(|g| g == "main"));
        let line = line_of(text.as_bytes(), p.name.span().start);
        out.push(Ecosystem::PyPI, p.name.get_ref(), &p.version, line, dev)?;
    }
    Ok(())
}

/// `*.dist-info/METADATA`: RFC 822 style headers, `Name:` and `Version:` before the first blank
/// line. The package is located at its `Name:` header.
pub(super) fn read_metadata(text: &str, out: &mut Sink<'_>) -> Result<(), Bad> {
    let (mut name, mut version) = (None, None);
    for (line, raw) in numbered(text) {
        if raw.trim().is_empty() {
            break;
        }
        if let Some(v) = raw.strip_prefix("Name:") {
            name = Some((v.trim(), line));
        } else if let Some(v) = raw.strip_prefix("Version:") {
            version = Some(v.trim());
        }
    }
    match (name, version) {
        (Some((name, line)), Some(version)) => out.push(Ecosystem::PyPI, name, version, line, false),
        _ => Err(Bad::new(1, "METADATA without Name and Version headers")),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::read_manifest;
    use fnwarden_project::DiagKind;

    fn read(path: &str, text: &str) -> Vec<(String, String, u32, bool)> {
        read_manifest(Path::new(path), text.as_bytes()).unwrap().into_iter().map(|p| (p.name, p.version, p.location.line, p.dev)).collect()
    }

    #[test]
    fn requirements_keep_only_exact_pins() {
        let text = "# service deps\n-r base.txt\nPyYAML==5.3.1  # pinned for the loader\nrequests>=2.20\nJinja2[i18n] == 2.10.1 ; python_version >= \"3.6\"\nflask\nboto3==1.26.*\nurllib3===1.24.1\nsimplejson==3.17.2 \\\n    --hash=sha256:abc \\\n    --hash=sha256:def\ngit+https://github.com/x/y.git#egg=y\nDjango==3.2.0,<4\n";
        assert_eq!(
            read("src/requirements.txt", text),
            vec![
                ("PyYAML".into(), "5.3.1".into(), 3, false),
                ("Jinja2".into(), "2.10.1".into(), 5, false),
                ("urllib3".into(), "1.24.1".into(), 8, false),
                ("simplejson".into(), "3.17.2".into(), 9, false),
            ]
        );
    }

    #[test]
    fn dev_requirement_files_are_dev() {
        assert_eq!(read("requirements-dev.txt", "pytest==6.0.0\n"), vec![("pytest".into(), "6.0.0".into(), 1, true)]);
    }

    #[test]
    fn malformed_requirements_name_the_line() {
        let d = read_manifest(Path::new("requirements.txt"), b"flask==2.0\n!!!\n").unwrap_err();
        assert_eq!((d.kind, d.line), (DiagKind::BadManifest, 2));
        let d = read_manifest(Path::new("requirements.txt"), b"a==1\nb[x==2\n").unwrap_err();
        assert_eq!(d.line, 2);
        let d = read_manifest(Path::new("requirements.txt"), b"a 1.0\n").unwrap_err();
        assert_eq!(d.line, 1);
    }

    #[test]
    fn pipfile_lock_default_and_develop() {
        let text = r#"{
    "_meta": {"hash": {"sha256": "x"}, "pipfile-spec": 6},
    "default": {
        "requests": {
            "hashes": ["sha256:a"],
            "version": "==2.19.1"
        },
        "mylib": {"editable": true, "path": "."}
    },
    "develop": {
        "pytest": {"version": "==5.0.0"}
    }
}"#;
        assert_eq!(
            read("Pipfile.lock", text),
            vec![("requests".into(), "2.19.1".into(), 4, false), ("pytest".into(), "5.0.0".into(), 11, true)]
        );
        let d = read_manifest(Path::new("Pipfile.lock"), &text.as_bytes()[..60]).unwrap_err();
        assert_eq!((d.kind, d.line), (DiagKind::BadManifest, 2));
    }

    #[test]
    fn poetry_lock_categories_and_groups() {
        let text = r#"# This file is automatically @generated by Poetry.

[[package]]
name = "jsonpickle"
version = "1.4.1"
description = "Python library for serializing any arbitrary object graph into JSON"
optional = false
python-versions = ">=2.7"
category = "main"

[[package]]
name = "pytest"
version = "6.2.0"
category = "dev"

[[package]]
name = "black"
version = "24.1.0"
groups = ["lint"]

[[package]]
name = "mylib"
version = "0.1.0"

[package.source]
type = "directory"
url = "../mylib"

[metadata]
lock-version = "2.1"
"#;
        assert_eq!(
            read("poetry.lock", text),
            vec![
                ("jsonpickle".into(), "1.4.1".into(), 4, false),
                ("pytest".into(), "6.2.0".into(), 12, true),
                ("black".into(), "24.1.0".into(), 17, true),
            ]
        );
    }

    #[test]
    fn bad_toml_is_a_bad_manifest_with_its_line() {
        let d = read_manifest(Path::new("poetry.lock"), b"[[package]]\nname = \"a\"\nversion = 1.0.0\n").unwrap_err();
        assert_eq!((d.kind, d.line), (DiagKind::BadManifest, 3));
        let d = read_manifest(Path::new("poetry.lock"), b"[[package]]\nname = \"a\"\n").unwrap_err();
        assert_eq!(d.kind, DiagKind::BadManifest);
    }

    #[test]
    fn dist_info_metadata() {
        let text =
            "Metadata-Version: 2.1\nName: PyYAML\nVersion: 5.3.1\nSummary: YAML parser and emitter for Python\n\nName: not-a-header\n";
        assert_eq!(read("vendor/PyYAML-5.3.1.dist-info/METADATA", text), vec![("PyYAML".into(), "5.3.1".into(), 2, false)]);
        let d = read_manifest(Path::new("v/x-1.dist-info/METADATA"), b"Metadata-Version: 2.1\nSummary: x\n").unwrap_err();
        assert_eq!(d.kind, DiagKind::BadManifest);
    }
}
