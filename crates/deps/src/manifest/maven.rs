//! Maven pom.xml: `<dependencies>` with literal versions, `${property}` references resolved
//! from `<properties>` and the project's own coordinates, and versions left out resolved from
//! the same pom's `<dependencyManagement>`. Versions inherited from a parent pom or a BOM
//! import are not in this file and are not guessed. `test` and `provided` scopes are not
//! packaged into the function's artifact, so they count as dev.

use std::collections::HashMap;

use roxmltree::{Document, Node, ParsingOptions};

use super::{Bad, Sink};
use crate::Ecosystem;

/// Bounds the tree built from a hostile file; real poms have a few thousand nodes.
const MAX_NODES: u32 = 1_000_000;
/// `${a}` → `${b}` → … chains longer than this are treated as unresolved (and cycles end).
const MAX_EXPANSIONS: usize = 16;

pub(super) fn read(text: &str, out: &mut Sink<'_>) -> Result<(), Bad> {
    // The XML reader recurses per element: refuse absurd nesting before it sees the file.
    if let Some(offset) = too_deep(text.as_bytes()) {
        return Err(Bad::new(super::line_of(text.as_bytes(), offset), format!("XML nested deeper than {MAX_DEPTH} elements")));
    }
    let options = ParsingOptions { allow_dtd: false, nodes_limit: MAX_NODES };
    let doc = Document::parse_with_options(text, options).map_err(|e| {
        // A truncated file fails at its unclosed root element: the end is the place to look.
        let row = match e {
            roxmltree::Error::UnclosedRootNode | roxmltree::Error::UnexpectedEndOfStream => super::line_of(text.as_bytes(), text.len()),
            _ => e.pos().row,
        };
        Bad::new(row, format!("XML: {e}"))
    })?;
    let project = doc.root_element();
    if project.tag_name().name() != "project" {
        return Err(Bad::new(line(&doc, project), "pom.xml root element is not <project>"));
    }
    let props = properties(project);
    let mut managed: HashMap<String, String> = HashMap::new();
    if let Some(deps) = child(project, "dependencyManagement").and_then(|m| child(m, "dependencies")) {
        for dep in children(deps, "dependency") {
            if let (Some(coord), Some(v)) = (coordinate(dep, &props), field(dep, "version")) {
                managed.insert(coord, v.to_string());
            }
        }
    }
    let Some(deps) = child(project, "dependencies") else { return Ok(()) };
    for dep in children(deps, "dependency") {
        let Some(coord) = coordinate(dep, &props) else { continue };
        let Some(raw) = field(dep, "version").map(str::to_string).or_else(|| managed.get(&coord).cloned()) else {
            tracing::debug!(file = %out.path.display(), dependency = coord, "version comes from a parent or BOM; not checked");
            continue;
        };
        let Some(version) = resolve(&raw, &props) else {
            tracing::debug!(file = %out.path.display(), dependency = coord, version = raw, "unresolved property; not checked");
            continue;
        };
        let dev = matches!(field(dep, "scope"), Some("test" | "provided"));
        out.push(Ecosystem::Maven, &coord, &version, line(&doc, dep), dev)?;
    }
    Ok(())
}

/// Real poms nest a handful of levels.
const MAX_DEPTH: usize = 256;

/// The offset of the first element opened deeper than MAX_DEPTH, by a scan of the tags that
/// skips comments, CDATA, declarations and processing instructions.
fn too_deep(b: &[u8]) -> Option<usize> {
    let find = |from: usize, pat: &[u8]| b.get(from..)?.windows(pat.len()).position(|w| w == pat).map(|p| from + p + pat.len());
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(off) = b.get(i..)?.iter().position(|&c| c == b'<') {
        let at = i + off;
        let rest = &b[at..];
        i = if rest.starts_with(b"<!--") {
            find(at, b"-->")?
        } else if rest.starts_with(b"<![CDATA[") {
            find(at, b"]]>")?
        } else if rest.starts_with(b"<?") || rest.starts_with(b"<!") {
            find(at, b">")?
        } else if rest.starts_with(b"</") {
            depth = depth.saturating_sub(1);
            find(at, b">")?
        } else {
            let end = find(at, b">")?;
            if b[end - 2] != b'/' {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(at);
                }
            }
            end
        };
    }
    None
}

fn line(doc: &Document<'_>, node: Node<'_, '_>) -> u32 {
    doc.text_pos_at(node.range().start).row
}

fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    children(node, name).next()
}

fn children<'a, 'i>(node: Node<'a, 'i>, name: &str) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children().filter(move |c| c.is_element() && c.tag_name().name() == name)
}

fn field<'a>(node: Node<'a, '_>, name: &str) -> Option<&'a str> {
    child(node, name).and_then(|c| c.text()).map(str::trim).filter(|t| !t.is_empty())
}

fn coordinate(dep: Node<'_, '_>, props: &HashMap<String, String>) -> Option<String> {
    let group = resolve(field(dep, "groupId")?, props)?;
    let artifact = resolve(field(dep, "artifactId")?, props)?;
    Some(format!("{group}:{artifact}"))
}

/// `<properties>` plus `project.version`, `project.groupId` and their `parent` fallbacks.
fn properties(project: Node<'_, '_>) -> HashMap<String, String> {
    let mut props = HashMap::new();
    if let Some(p) = child(project, "properties") {
        for prop in p.children().filter(Node::is_element) {
            props.insert(prop.tag_name().name().to_string(), prop.text().unwrap_or("").trim().to_string());
        }
    }
    let parent = child(project, "parent");
    for key in ["version", "groupId"] {
        let own = field(project, key).or_else(|| parent.and_then(|p| field(p, key)));
        if let Some(v) = own {
            props.insert(format!("project.{key}"), v.to_string());
            props.insert(format!("pom.{key}"), v.to_string());
        }
        if let Some(v) = parent.and_then(|p| field(p, key)) {
            props.insert(format!("project.parent.{key}"), v.to_string());
        }
    }
    props
}

/// Expands `${name}` references; None when one stays unresolved.
fn resolve(raw: &str, props: &HashMap<String, String>) -> Option<String> {
    let mut value = raw.to_string();
    for _ in 0..MAX_EXPANSIONS {
        let Some(start) = value.find("${") else { return Some(value) };
        let end = start + value[start..].find('}')?;
        let replacement = props.get(&value[start + 2..end])?;
        value.replace_range(start..=end, replacement);
        if value.len() > 1024 {
            return None;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::read_manifest;
    use fnwarden_project::DiagKind;

    const POM: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.example</groupId>
  <artifactId>billing</artifactId>
  <version>1.0.0</version>
  <properties>
    <jackson.version>2.9.10</jackson.version>
    <log4j.version>${log4j.base}.1</log4j.version>
    <log4j.base>2.14</log4j.base>
  </properties>
  <dependencyManagement>
    <dependencies>
      <dependency>
        <groupId>com.amazonaws</groupId>
        <artifactId>aws-lambda-java-core</artifactId>
        <version>1.2.3</version>
      </dependency>
    </dependencies>
  </dependencyManagement>
  <dependencies>
    <dependency>
      <groupId>com.fasterxml.jackson.core</groupId>
      <artifactId>jackson-databind</artifactId>
      <version>${jackson.version}</version>
    </dependency>
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-core</artifactId>
      <version>${log4j.version}</version>
    </dependency>
    <dependency>
      <groupId>com.amazonaws</groupId>
      <artifactId>aws-lambda-java-core</artifactId>
    </dependency>
    <dependency>
      <groupId>junit</groupId>
      <artifactId>junit</artifactId>
      <version>4.12</version>
      <scope>test</scope>
    </dependency>
    <dependency>
      <groupId>com.example</groupId>
      <artifactId>shared</artifactId>
      <version>${project.version}</version>
    </dependency>
    <dependency>
      <groupId>org.x</groupId>
      <artifactId>from-parent</artifactId>
    </dependency>
    <dependency>
      <groupId>org.x</groupId>
      <artifactId>undefined</artifactId>
      <version>${nope}</version>
    </dependency>
  </dependencies>
</project>
"#;

    #[test]
    fn dependencies_with_properties_and_management() {
        let got: Vec<_> = read_manifest(Path::new("pom.xml"), POM.as_bytes())
            .unwrap()
            .into_iter()
            .map(|p| (p.name, p.version, p.location.line, p.dev))
            .collect();
        assert_eq!(
            got,
            vec![
                ("com.fasterxml.jackson.core:jackson-databind".into(), "2.9.10".into(), 22, false),
                ("org.apache.logging.log4j:log4j-core".into(), "2.14.1".into(), 27, false),
                ("com.amazonaws:aws-lambda-java-core".into(), "1.2.3".into(), 32, false),
                ("junit:junit".into(), "4.12".into(), 36, true),
                ("com.example:shared".into(), "1.0.0".into(), 42, false),
            ]
        );
    }

    #[test]
    fn bad_xml_is_a_bad_manifest_with_its_line() {
        let cut = &POM[..POM.find("<scope>").unwrap()];
        let d = read_manifest(Path::new("pom.xml"), cut.as_bytes()).unwrap_err();
        assert_eq!(d.kind, DiagKind::BadManifest);
        assert!(d.line >= 39, "{d:?}");
        let d = read_manifest(Path::new("pom.xml"), b"<project>\n<a></b>\n</project>").unwrap_err();
        assert_eq!(d.line, 2);
        let bomb =
            "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;\">]>\n<project>&lol2;</project>";
        assert_eq!(read_manifest(Path::new("pom.xml"), bomb.as_bytes()).unwrap_err().kind, DiagKind::BadManifest);
        let d = read_manifest(Path::new("pom.xml"), b"<settings/>").unwrap_err();
        assert_eq!(d.kind, DiagKind::BadManifest);
    }

    #[test]
    fn self_referencing_properties_end() {
        let pom = "<project><properties><a>${a}</a></properties><dependencies><dependency><groupId>g</groupId><artifactId>x</artifactId><version>${a}</version></dependency></dependencies></project>";
        assert!(read_manifest(Path::new("pom.xml"), pom.as_bytes()).unwrap().is_empty());
    }
}
