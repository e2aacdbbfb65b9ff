//! pnpm-lock.yaml. Package keys changed with the format: v5 `/name/1.2.3_peer@1`, v6
//! `/name@1.2.3(peer@1)`, v9 `name@1.2.3`. v5 and v6 mark dev-only packages `dev: true`; v9
//! drops the flag, so dev-only is worked out from `importers` (which roots are dev) and the
//! `snapshots` graph (what each root pulls in).

use std::collections::{HashMap, HashSet, VecDeque};

use saphyr::{MarkedYaml, YamlData, YamlLoader};

use super::{Bad, Sink};
use crate::Ecosystem;

pub(super) fn read(text: &str, out: &mut Sink<'_>) -> Result<(), Bad> {
    let doc = load(text)?;
    let Some(doc) = doc else { return Ok(()) };
    let lock_version = get(&doc, "lockfileVersion").and_then(text_of).unwrap_or("");
    let legacy = lock_version.split('.').next().and_then(|m| m.parse::<u32>().ok()).is_some_and(|m| m < 6);
    let Some(packages) = get(&doc, "packages").and_then(|p| p.data.as_mapping()) else { return Ok(()) };
    let prod = if get(&doc, "snapshots").is_some() { Some(prod_reachable(&doc)) } else { None };
    for (key, entry) in packages {
        let Some(k) = text_of(key) else { continue };
        let Some((name, version)) = split_key(k, legacy) else { continue };
        let dev = match &prod {
            Some(prod) => !prod.contains(&(name.to_string(), version.to_string())),
            None => get(entry, "dev").and_then(text_of) == Some("true"),
        };
        out.push(Ecosystem::Npm, name, version, line(key), dev)?;
    }
    Ok(())
}

/// Scalars are kept as written (`1.10` stays `1.10`, not a float).
fn load(text: &str) -> Result<Option<MarkedYaml<'_>>, Bad> {
    let mut parser = saphyr_parser::Parser::new_from_str(text);
    let mut loader: YamlLoader<'_, MarkedYaml<'_>> = YamlLoader::default();
    loader.early_parse(false);
    // Lock files need no aliases; a few are tolerated, an expansion bomb is not.
    loader.alias_limit(10_000);
    parser.load(&mut loader, true).map_err(scan_error)?;
    if let Some(e) = loader.error() {
        return Err(scan_error(e.clone()));
    }
    Ok(loader.into_documents().into_iter().next())
}

fn scan_error(e: saphyr::ScanError) -> Bad {
    Bad::new(u32::try_from(e.marker().line()).unwrap_or(u32::MAX), format!("YAML: {}", e.info()))
}

fn line(node: &MarkedYaml<'_>) -> u32 {
    u32::try_from(node.span.start.line()).unwrap_or(u32::MAX)
}

fn text_of<'a>(node: &'a MarkedYaml<'_>) -> Option<&'a str> {
    match &node.data {
        YamlData::Representation(s, _, _) => Some(s),
        YamlData::Value(saphyr::Scalar::String(s)) => Some(s),
        _ => None,
    }
}

fn get<'a, 'i>(node: &'a MarkedYaml<'i>, key: &str) -> Option<&'a MarkedYaml<'i>> {
    node.data.as_mapping()?.iter().find(|(k, _)| text_of(k) == Some(key)).map(|(_, v)| v)
}

fn entries<'a, 'i>(node: Option<&'a MarkedYaml<'i>>) -> impl Iterator<Item = (&'a str, &'a MarkedYaml<'i>)> {
    node.and_then(|n| n.data.as_mapping()).into_iter().flatten().filter_map(|(k, v)| Some((text_of(k)?, v)))
}

/// `(name, version)` from a `packages` key; peer-dependency suffixes dropped.
fn split_key(key: &str, legacy: bool) -> Option<(&str, &str)> {
    let key = key.strip_prefix('/').unwrap_or(key);
    let key = key.split('(').next().unwrap_or(key);
    if legacy {
        let (name, version) = key.rsplit_once('/')?;
        let version = version.split('_').next().unwrap_or(version);
        return (!name.is_empty()).then_some((name, version));
    }
    let at = key.char_indices().skip(1).filter(|&(_, c)| c == '@').last()?.0;
    Some((&key[..at], &key[at + 1..]))
}

/// v9: the (name, version) pairs reachable from any importer's `dependencies` or
/// `optionalDependencies` through `snapshots`. The rest are reachable only from
/// `devDependencies`.
fn prod_reachable(doc: &MarkedYaml<'_>) -> HashSet<(String, String)> {
    // Snapshot key `name@version(peers)` → its dependency snapshot keys.
    let mut graph: HashMap<&str, Vec<String>> = HashMap::new();
    for (key, snap) in entries(get(doc, "snapshots")) {
        let deps = ["dependencies", "optionalDependencies"]
            .into_iter()
            .flat_map(|field| entries(get(snap, field)))
            .filter_map(|(name, v)| Some(format!("{name}@{}", text_of(v)?)))
            .collect();
        graph.insert(key, deps);
    }
    let mut queue: VecDeque<String> = VecDeque::new();
    for (_, importer) in entries(get(doc, "importers")) {
        for field in ["dependencies", "optionalDependencies"] {
            for (name, dep) in entries(get(importer, field)) {
                if let Some(v) = get(dep, "version").and_then(text_of).or_else(|| text_of(dep)) {
                    queue.push_back(format!("{name}@{v}"));
                }
            }
        }
    }
    let mut seen: HashSet<String> = HashSet::new();
    while let Some(key) = queue.pop_front() {
        if !seen.insert(key.clone()) {
            continue;
        }
        if let Some(deps) = graph.get(key.as_str()) {
            queue.extend(deps.iter().filter(|d| !seen.contains(*d)).cloned());
        }
    }
    seen.iter().filter_map(|k| split_key(k, false)).map(|(n, v)| (n.to_string(), v.to_string())).collect()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::read_manifest;
    use fnwarden_project::DiagKind;

    fn read(text: &str) -> Vec<(String, String, u32, bool)> {
        read_manifest(Path::new("pnpm-lock.yaml"), text.as_bytes())
            .unwrap()
            .into_iter()
            .map(|p| (p.name, p.version, p.location.line, p.dev))
            .collect()
    }

    #[test]
    fn v5_keys_and_dev_flags() {
        let text = "lockfileVersion: 5.4\n\nspecifiers:\n  lodash: ^4.17.15\n\npackages:\n\n  /lodash/4.17.15:\n    resolution: {integrity: sha512-x}\n    dev: false\n\n  /@types/node/18.0.0:\n    dev: true\n\n  /react-dom/17.0.2_react@17.0.2:\n    dev: false\n";
        assert_eq!(
            read(text),
            vec![
                ("lodash".into(), "4.17.15".into(), 8, false),
                ("@types/node".into(), "18.0.0".into(), 12, true),
                ("react-dom".into(), "17.0.2".into(), 15, false),
            ]
        );
    }

    #[test]
    fn v6_keys() {
        let text = "lockfileVersion: '6.0'\n\npackages:\n\n  /minimist@1.2.5:\n    resolution: {integrity: sha512-x}\n    dev: true\n\n  /@scope/pkg@1.10(react@18.2.0):\n    dev: false\n";
        assert_eq!(read(text), vec![("minimist".into(), "1.2.5".into(), 5, true), ("@scope/pkg".into(), "1.10".into(), 9, false)]);
    }

    #[test]
    fn v9_works_out_dev_only_packages_from_the_graph() {
        let text = r#"lockfileVersion: '9.0'

importers:

  .:
    dependencies:
      express:
        specifier: ^4.17.1
        version: 4.17.1
    devDependencies:
      mocha:
        specifier: ^10.0.0
        version: 10.0.0

packages:

  express@4.17.1:
    resolution: {integrity: sha512-a}

  qs@6.7.0:
    resolution: {integrity: sha512-b}

  mocha@10.0.0:
    resolution: {integrity: sha512-c}

  minimist@1.2.5:
    resolution: {integrity: sha512-d}

snapshots:

  express@4.17.1:
    dependencies:
      qs: 6.7.0

  qs@6.7.0: {}

  mocha@10.0.0:
    dependencies:
      minimist: 1.2.5

  minimist@1.2.5: {}
"#;
        assert_eq!(
            read(text),
            vec![
                ("express".into(), "4.17.1".into(), 17, false),
                ("qs".into(), "6.7.0".into(), 20, false),
                ("mocha".into(), "10.0.0".into(), 23, true),
                ("minimist".into(), "1.2.5".into(), 26, true),
            ]
        );
    }

    #[test]
    fn bad_yaml_is_a_bad_manifest_with_its_line() {
        let d = read_manifest(Path::new("pnpm-lock.yaml"), b"lockfileVersion: '9.0'\npackages:\n  a@1: {\n  b: [\n").unwrap_err();
        assert_eq!(d.kind, DiagKind::BadManifest);
        assert!(d.line >= 3, "{d:?}");
        let d = read_manifest(Path::new("pnpm-lock.yaml"), b"packages:\n  x: 1\n   y: 2\n").unwrap_err();
        assert_eq!(d.line, 3);
    }
}
