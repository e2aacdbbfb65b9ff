//! Go modules: go.mod (`require` lines and blocks, `replace` directives) and go.sum. Test-only
//! modules cannot be told apart in either, so every module counts as shipped.

use std::collections::HashMap;

use super::{Bad, Sink, numbered};
use crate::Ecosystem;
use crate::version::go_semver;

/// A `require` entry after `replace` directives: where it is pinned (the replace line when one
/// applies, since that is the line to change).
struct Require {
    module: String,
    version: String,
    line: u32,
}

struct Replace {
    old: String,
    old_version: Option<String>,
    /// None when replaced by a local folder: the project's own code, not a release.
    new: Option<(String, String)>,
    line: u32,
}

pub(super) fn read_go_mod(text: &str, out: &mut Sink<'_>) -> Result<(), Bad> {
    let mut requires = Vec::new();
    let mut replaces = Vec::new();
    let mut block: Option<(&str, u32)> = None;
    for (line, raw) in numbered(text) {
        let text = raw.split("//").next().unwrap_or(raw).trim();
        if text.is_empty() {
            continue;
        }
        if let Some((verb, _)) = block {
            if text == ")" {
                block = None;
                continue;
            }
            directive(verb, text, line, &mut requires, &mut replaces)?;
            continue;
        }
        let (verb, rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
        let rest = rest.trim();
        if rest == "(" {
            block = Some((verb, line));
        } else {
            directive(verb, rest, line, &mut requires, &mut replaces)?;
        }
    }
    if let Some((verb, line)) = block {
        return Err(Bad::new(line, format!("unclosed {verb} block")));
    }
    for mut r in requires {
        // A replace naming a version applies to that version only, and wins over one naming none.
        let rep = replaces
            .iter()
            .filter(|p| p.old == r.module && p.old_version.as_ref().is_none_or(|v| *v == r.version))
            .max_by_key(|p| p.old_version.is_some());
        match rep {
            Some(Replace { new: None, .. }) => continue,
            Some(Replace { new: Some((module, version)), line, .. }) => {
                (r.module, r.version, r.line) = (module.clone(), version.clone(), *line);
            }
            None => {}
        }
        out.push(Ecosystem::Go, &r.module, &r.version, r.line, false)?;
    }
    Ok(())
}

fn directive(verb: &str, args: &str, line: u32, requires: &mut Vec<Require>, replaces: &mut Vec<Replace>) -> Result<(), Bad> {
    let words: Vec<&str> = args.split_whitespace().map(|w| w.trim_matches('"')).collect();
    match verb {
        "require" => match words.as_slice() {
            [module, version] => requires.push(Require { module: module.to_string(), version: version.to_string(), line }),
            _ => return Err(Bad::new(line, "require takes a module path and a version")),
        },
        "replace" => {
            let Some(arrow) = words.iter().position(|w| *w == "=>") else {
                return Err(Bad::new(line, "replace without =>"));
            };
            let (old, new) = words.split_at(arrow);
            let (old, old_version) = match old {
                [m] => (m, None),
                [m, v] => (m, Some(v.to_string())),
                _ => return Err(Bad::new(line, "replace: bad module before =>")),
            };
            let new = match &new[1..] {
                [path] if path.starts_with(['.', '/']) => None,
                [m, v] => Some((m.to_string(), v.to_string())),
                _ => return Err(Bad::new(line, "replace: bad target after =>")),
            };
            replaces.push(Replace { old: old.to_string(), old_version, new, line });
        }
        "module" | "go" | "toolchain" | "exclude" | "retract" | "godebug" | "tool" | "ignore" => {}
        _ => return Err(Bad::new(line, format!("unknown go.mod directive {verb}"))),
    }
    Ok(())
}

/// go.sum lists every module version the build graph mentions, including versions minimal
/// version selection discarded. Only the highest version of each module (the one selected)
/// is kept; `/go.mod`-only lines are hashes of go.mod files, not of shipped code.
pub(super) fn read_go_sum(text: &str, out: &mut Sink<'_>) -> Result<(), Bad> {
    let mut best: HashMap<&str, (&str, u32)> = HashMap::new();
    let mut order = Vec::new();
    for (line, raw) in numbered(text) {
        let words: Vec<&str> = raw.split_whitespace().collect();
        let [module, version, hash] = words.as_slice() else {
            if words.is_empty() {
                continue;
            }
            return Err(Bad::new(line, "go.sum lines are: module version hash"));
        };
        if !hash.starts_with("h1:") && !hash.contains(':') {
            return Err(Bad::new(line, "go.sum hash missing its algorithm prefix"));
        }
        if version.ends_with("/go.mod") {
            continue;
        }
        match best.get(module) {
            Some((v, _)) if !newer(version, v) => {}
            Some(_) => {
                best.insert(module, (version, line));
            }
            None => {
                order.push(*module);
                best.insert(module, (version, line));
            }
        }
    }
    for module in order {
        if let Some((version, line)) = best.get(module) {
            out.push(Ecosystem::Go, module, version, *line, false)?;
        }
    }
    Ok(())
}

fn newer(a: &str, b: &str) -> bool {
    match (go_semver(a), go_semver(b)) {
        (Some(a), Some(b)) => a > b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::read_manifest;
    use fnwarden_project::DiagKind;

    fn read(path: &str, text: &str) -> Vec<(String, String, u32)> {
        read_manifest(Path::new(path), text.as_bytes()).unwrap().into_iter().map(|p| (p.name, p.version, p.location.line)).collect()
    }

    #[test]
    fn go_mod_requires_and_replaces() {
        let text = "module example.com/ingest\n\ngo 1.21\n\nrequire (\n\tgithub.com/aws/aws-lambda-go v1.41.0\n\tgolang.org/x/net v0.7.0 // indirect\n\tgithub.com/local/lib v0.0.0\n\tgolang.org/x/text v0.3.0\n)\n\nrequire github.com/gin-gonic/gin v1.9.0\n\nreplace github.com/local/lib => ../lib\n\nreplace golang.org/x/text v0.3.0 => golang.org/x/text v0.3.8\nreplace golang.org/x/net v0.6.0 => golang.org/x/net v0.1.0\n";
        assert_eq!(
            read("go.mod", text),
            vec![
                ("github.com/aws/aws-lambda-go".into(), "v1.41.0".into(), 6),
                ("golang.org/x/net".into(), "v0.7.0".into(), 7),
                ("golang.org/x/text".into(), "v0.3.8".into(), 16),
                ("github.com/gin-gonic/gin".into(), "v1.9.0".into(), 12),
            ]
        );
    }

    #[test]
    fn go_mod_errors_name_the_line() {
        let d = read_manifest(Path::new("go.mod"), b"module m\n\nrequire (\n\ta v1.0.0\n").unwrap_err();
        assert_eq!((d.kind, d.line), (DiagKind::BadManifest, 3));
        let d = read_manifest(Path::new("go.mod"), b"module m\nrequire a\n").unwrap_err();
        assert_eq!(d.line, 2);
        let d = read_manifest(Path::new("go.mod"), b"module m\nfrobnicate x\n").unwrap_err();
        assert_eq!(d.line, 2);
    }

    #[test]
    fn go_sum_keeps_the_selected_version() {
        let text = "golang.org/x/net v0.0.0-20190620200207-3b0461eec859/go.mod h1:a=\ngolang.org/x/net v0.1.0 h1:b=\ngolang.org/x/net v0.7.0 h1:c=\ngolang.org/x/net v0.7.0/go.mod h1:d=\ngolang.org/x/net v0.5.0 h1:e=\ngithub.com/gin-gonic/gin v1.9.0 h1:f=\n";
        assert_eq!(
            read("go.sum", text),
            vec![("golang.org/x/net".into(), "v0.7.0".into(), 3), ("github.com/gin-gonic/gin".into(), "v1.9.0".into(), 6)]
        );
        let d = read_manifest(Path::new("go.sum"), b"a v1 h1:x\nbroken\n").unwrap_err();
        assert_eq!((d.kind, d.line), (DiagKind::BadManifest, 2));
    }
}
