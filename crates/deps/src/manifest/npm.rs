//! npm's package-lock.json and npm-shrinkwrap.json: v2 and v3 list every installed package in
//! `packages` by its node_modules path; v1 nests them in a `dependencies` tree.

use super::json::{self, Node};
use super::{Bad, Sink};
use crate::Ecosystem;

pub(super) fn read(text: &str, out: &mut Sink<'_>) -> Result<(), Bad> {
    let doc = json::parse(text).map_err(|e| Bad::new(e.line, e.message))?;
    if !doc.is_object() {
        return Err(Bad::new(doc.line, "a package lock is a JSON object"));
    }
    if let Some(packages) = doc.get("packages") {
        return read_packages(packages, out);
    }
    if let Some(deps) = doc.get("dependencies") {
        return read_tree(deps, out);
    }
    Ok(())
}

/// v2/v3: `"node_modules/a/node_modules/@s/b": { "version": …, "dev": true }`. The root (`""`)
/// and workspace folders are the project's own code; links point at them.
fn read_packages(packages: &Node, out: &mut Sink<'_>) -> Result<(), Bad> {
    for m in packages.members() {
        let Some(idx) = m.key.rfind("node_modules/") else { continue };
        let entry = &m.value;
        if entry.get("link").and_then(Node::as_bool) == Some(true) {
            continue;
        }
        let Some(version) = entry.get("version").and_then(Node::as_str) else { continue };
        let name = entry.get("name").and_then(Node::as_str).unwrap_or(&m.key[idx + "node_modules/".len()..]);
        let dev = entry.get("dev").and_then(Node::as_bool) == Some(true);
        out.push(Ecosystem::Npm, name, version, m.line, dev)?;
    }
    Ok(())
}

/// v1: `"dependencies": { "a": { "version": …, "dev": true, "dependencies": { … } } }`.
/// Depth is bounded by the JSON reader.
fn read_tree(deps: &Node, out: &mut Sink<'_>) -> Result<(), Bad> {
    for m in deps.members() {
        let entry = &m.value;
        if let Some(version) = entry.get("version").and_then(Node::as_str) {
            let dev = entry.get("dev").and_then(Node::as_bool) == Some(true);
            // `npm:real-name@1.2.3` for aliases; git, file and URL versions name no release.
            match version.strip_prefix("npm:").and_then(|alias| alias.rsplit_once('@')) {
                Some((name, v)) if !name.is_empty() => out.push(Ecosystem::Npm, name, v, m.line, dev)?,
                _ if registry_version(version) => out.push(Ecosystem::Npm, &m.key, version, m.line, dev)?,
                _ => {}
            }
        }
        if let Some(nested) = entry.get("dependencies") {
            read_tree(nested, out)?;
        }
    }
    Ok(())
}

fn registry_version(v: &str) -> bool {
    v.starts_with(|c: char| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::{Package, read_manifest};
    use fnwarden_project::DiagKind;

    fn read(text: &str) -> Vec<Package> {
        read_manifest(Path::new("app/package-lock.json"), text.as_bytes()).unwrap()
    }

    fn summary(p: &[Package]) -> Vec<(String, String, u32, bool)> {
        p.iter().map(|p| (p.name.clone(), p.version.clone(), p.location.line, p.dev)).collect()
    }

    const V3: &str = r#"{
  "name": "orders",
  "version": "1.0.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {
      "name": "orders",
      "dependencies": { "lodash": "^4.17.15" },
      "devDependencies": { "jest-ish": "^1.0.0" }
    },
    "node_modules/lodash": {
      "version": "4.17.15",
      "resolved": "https://registry.npmjs.org/lodash/-/lodash-4.17.15.tgz",
      "integrity": "sha512-x"
    },
    "node_modules/minimist": {
      "version": "1.2.5",
      "dev": true
    },
    "node_modules/@aws-sdk/client-s3": {
      "version": "3.500.0"
    },
    "node_modules/a/node_modules/minimist": {
      "version": "0.0.8"
    },
    "node_modules/shared": {
      "resolved": "packages/shared",
      "link": true
    },
    "packages/shared": {
      "version": "0.1.0"
    },
    "node_modules/my-alias": {
      "name": "real-pkg",
      "version": "2.0.0"
    }
  }
}"#;

    #[test]
    fn v3_lists_packages_by_node_modules_path_with_lines() {
        let p = read(V3);
        assert_eq!(
            summary(&p),
            vec![
                ("lodash".into(), "4.17.15".into(), 12, false),
                ("minimist".into(), "1.2.5".into(), 17, true),
                ("@aws-sdk/client-s3".into(), "3.500.0".into(), 21, false),
                ("minimist".into(), "0.0.8".into(), 24, false),
                ("real-pkg".into(), "2.0.0".into(), 34, false),
            ]
        );
        assert_eq!(p[0].location.file, Path::new("app/package-lock.json"));
    }

    #[test]
    fn v2_prefers_packages_over_the_legacy_tree() {
        let text = r#"{"lockfileVersion": 2,
"packages": {"node_modules/qs": {"version": "6.5.2"}},
"dependencies": {"qs": {"version": "6.5.2"}}}"#;
        assert_eq!(summary(&read(text)), vec![("qs".into(), "6.5.2".into(), 2, false)]);
    }

    #[test]
    fn v1_walks_the_nested_tree() {
        let text = r#"{
  "lockfileVersion": 1,
  "dependencies": {
    "node-serialize": {
      "version": "0.0.4"
    },
    "mocha": {
      "version": "5.0.0",
      "dev": true,
      "dependencies": {
        "minimist": {
          "version": "0.0.8",
          "dev": true
        }
      }
    },
    "aliased": { "version": "npm:lodash@4.17.4" },
    "from-git": { "version": "git+https://github.com/x/y.git#abc" }
  }
}"#;
        assert_eq!(
            summary(&read(text)),
            vec![
                ("node-serialize".into(), "0.0.4".into(), 4, false),
                ("mocha".into(), "5.0.0".into(), 7, true),
                ("minimist".into(), "0.0.8".into(), 11, true),
                ("lodash".into(), "4.17.4".into(), 17, false),
            ]
        );
    }

    #[test]
    fn truncated_lock_is_a_bad_manifest_at_its_last_line() {
        let cut = &V3[..V3.find("\"node_modules/minimist\"").unwrap()];
        let d = read_manifest(Path::new("package-lock.json"), cut.as_bytes()).unwrap_err();
        assert_eq!(d.kind, DiagKind::BadManifest);
        assert_eq!(d.line, 17);
        assert_eq!(d.file, Path::new("package-lock.json"));
    }

    #[test]
    fn a_lock_that_is_not_an_object_is_bad() {
        let d = read_manifest(Path::new("package-lock.json"), b"\n[1, 2]").unwrap_err();
        assert_eq!((d.kind, d.line), (DiagKind::BadManifest, 2));
    }
}
