//! YAML into a [`Node`] tree from saphyr's event parser, so that every value keeps its line,
//! CloudFormation short-form tags (`!Ref`, `!GetAtt`, …) become the long-form intrinsics JSON
//! templates use, and hostile input stays bounded: nesting depth and the node count with
//! aliases expanded are capped, so an alias bomb is an error rather than an out-of-memory.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span, Tag};

use crate::error::SyntaxError;
use crate::node::{Kind, MAX_DEPTH, MAX_NODES, Node, to_u32};

/// A finished node with its size and height, as anchors remember it.
struct Built {
    node: Node,
    count: usize,
    height: usize,
}

enum Frame {
    Seq {
        items: Vec<Node>,
        start: (u32, u32),
        anchor: usize,
        tag: Option<String>,
        count: usize,
        height: usize,
    },
    Map {
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
        start: (u32, u32),
        anchor: usize,
        tag: Option<String>,
        count: usize,
        height: usize,
    },
}

/// Parses the first document of `text`. An empty stream is a null node.
pub(crate) fn parse(text: &str) -> Result<Node, SyntaxError> {
    let mut builder = Builder::default();
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| SyntaxError::new(to_u32(e.marker().line()), e.info().to_string()))?;
        if let Some(root) = builder.event(event, span)? {
            return Ok(root);
        }
    }
    Ok(Node::new(Kind::Null, 1, 1))
}

/// Checks that `text` is well-formed YAML without building a tree (for YAML that is not IaC).
pub(crate) fn validate(text: &str) -> Result<(), SyntaxError> {
    for event in Parser::new_from_str(text) {
        event.map_err(|e| SyntaxError::new(to_u32(e.marker().line()), e.info().to_string()))?;
    }
    Ok(())
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    anchors: HashMap<usize, Built>,
    nodes: usize,
    in_document: bool,
}

fn position(span: &Span) -> (u32, u32) {
    (to_u32(span.start.line()), to_u32(span.start.col() + 1))
}

/// Local tags (`!Ref`) name intrinsics; core-schema tags (`!!str`) are dropped.
fn local_tag(tag: Option<std::borrow::Cow<'_, Tag>>) -> Option<String> {
    let tag = tag?;
    (tag.handle == "!" && !tag.suffix.is_empty()).then(|| tag.suffix.clone())
}

impl Builder {
    /// Feeds one event; returns the document root once it is complete.
    fn event(&mut self, event: Event<'_>, span: Span) -> Result<Option<Node>, SyntaxError> {
        let (line, col) = position(&span);
        match event {
            Event::DocumentStart(_) => self.in_document = true,
            Event::DocumentEnd | Event::StreamEnd if self.in_document && self.stack.is_empty() => {
                return Ok(Some(Node::new(Kind::Null, 1, 1)));
            }
            Event::Scalar(value, style, anchor, tag) => {
                let kind = if style == ScalarStyle::Plain && matches!(&*value, "" | "~" | "null" | "Null" | "NULL") {
                    Kind::Null
                } else {
                    Kind::Scalar(value.into_owned())
                };
                self.charge(1, line)?;
                let built = Built { node: tagged(Node::new(kind, line, col), local_tag(tag)), count: 1, height: 1 };
                return self.finish(built, anchor);
            }
            Event::Alias(id) => {
                let Some(target) = self.anchors.get(&id) else {
                    return Err(SyntaxError::new(line, "alias to an unknown anchor"));
                };
                if self.stack.len() + target.height > MAX_DEPTH {
                    return Err(SyntaxError::new(line, "alias nests too deep"));
                }
                let (count, height) = (target.count, target.height);
                let mut node = target.node.clone();
                (node.line, node.col) = (line, col);
                self.charge(count, line)?;
                return self.finish(Built { node, count, height }, 0);
            }
            Event::SequenceStart(anchor, tag) => {
                self.open(line)?;
                self.stack.push(Frame::Seq { items: Vec::new(), start: (line, col), anchor, tag: local_tag(tag), count: 1, height: 1 });
            }
            Event::MappingStart(anchor, tag) => {
                self.open(line)?;
                self.stack.push(Frame::Map {
                    entries: Vec::new(),
                    key: None,
                    start: (line, col),
                    anchor,
                    tag: local_tag(tag),
                    count: 1,
                    height: 1,
                });
            }
            Event::SequenceEnd => {
                if let Some(Frame::Seq { items, start, anchor, tag, count, height }) = self.stack.pop() {
                    let node = tagged(Node::new(Kind::Seq(items), start.0, start.1), tag);
                    return self.finish(Built { node, count, height }, anchor);
                }
            }
            Event::MappingEnd => {
                if let Some(Frame::Map { entries, start, anchor, tag, count, height, .. }) = self.stack.pop() {
                    let node = tagged(Node::new(Kind::Map(merge_keys(entries)), start.0, start.1), tag);
                    return self.finish(Built { node, count, height }, anchor);
                }
            }
            _ => {}
        }
        Ok(None)
    }

    fn open(&mut self, line: u32) -> Result<(), SyntaxError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(SyntaxError::new(line, format!("nesting deeper than {MAX_DEPTH} levels")));
        }
        self.charge(1, line)
    }

    fn charge(&mut self, count: usize, line: u32) -> Result<(), SyntaxError> {
        self.nodes = self.nodes.saturating_add(count);
        if self.nodes > MAX_NODES {
            return Err(SyntaxError::new(line, format!("more than {MAX_NODES} nodes (alias expansion?)")));
        }
        Ok(())
    }

    /// Hands a finished node to its parent, or returns it as the root.
    fn finish(&mut self, built: Built, anchor: usize) -> Result<Option<Node>, SyntaxError> {
        if anchor > 0 {
            self.anchors.insert(anchor, Built { node: built.node.clone(), count: built.count, height: built.height });
        }
        let Some(parent) = self.stack.last_mut() else {
            return Ok(Some(built.node));
        };
        match parent {
            Frame::Seq { items, count, height, .. } => {
                items.push(built.node);
                *count += built.count;
                *height = (*height).max(built.height + 1);
            }
            Frame::Map { entries, key, count, height, .. } => {
                match key.take() {
                    None => *key = Some(built.node),
                    Some(k) => entries.push((k, built.node)),
                }
                *count += built.count;
                *height = (*height).max(built.height + 1);
            }
        }
        Ok(None)
    }
}

/// `!Ref X` → `{Ref: X}`, `!Sub s` → `{Fn::Sub: s}`: the long form JSON templates use.
fn tagged(node: Node, tag: Option<String>) -> Node {
    let Some(tag) = tag else { return node };
    let key = match tag.as_str() {
        "Ref" | "Condition" => tag,
        _ => format!("Fn::{tag}"),
    };
    let (line, col) = (node.line, node.col);
    Node::new(Kind::Map(vec![(Node::new(Kind::Scalar(key), line, col), node)]), line, col)
}

/// YAML merge keys (`<<: *defaults`): the merged mapping's entries, where not overridden.
/// The merged nodes were charged when their alias was expanded, so this moves, never copies.
fn merge_keys(entries: Vec<(Node, Node)>) -> Vec<(Node, Node)> {
    if !entries.iter().any(|(k, _)| k.as_str() == Some("<<")) {
        return entries;
    }
    let (merges, mut own): (Vec<_>, Vec<_>) = entries.into_iter().partition(|(k, _)| k.as_str() == Some("<<"));
    let mut seen: std::collections::HashSet<String> = own.iter().filter_map(|(k, _)| k.as_str().map(str::to_string)).collect();
    for (_, source) in merges {
        let sources = match source.kind {
            Kind::Seq(items) => items,
            _ => vec![source],
        };
        for source in sources {
            if let Kind::Map(extra) = source.kind {
                for (k, v) in extra {
                    let fresh = k.as_str().is_none_or(|name| seen.insert(name.to_string()));
                    if fresh {
                        own.push((k, v));
                    }
                }
            }
        }
    }
    own
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_keep_their_lines_and_columns() {
        let root = parse("a: 1\nb:\n  c: [x, y]\n  d: hello\n").unwrap();
        let (key, value) = root.entry("b").unwrap();
        assert_eq!((key.line, key.col), (2, 1));
        assert!(value.is_map());
        let d = root.path(&["b", "d"]).unwrap();
        assert_eq!((d.line, d.col, d.as_str()), (4, 6, Some("hello")));
        let c = root.path(&["b", "c"]).unwrap().as_seq().unwrap();
        assert_eq!(c[1].as_str(), Some("y"));
        assert!(parse("k:\n").unwrap().get("k").unwrap().is_null());
    }

    #[test]
    fn short_form_tags_become_intrinsics() {
        let root = parse("a: !Ref Bucket\nb: !GetAtt Role.Arn\nc: !Sub\n  - '${X}'\n  - X: 1\nd: !!str 5\n").unwrap();
        assert_eq!(root.get("a").unwrap().intrinsic().map(|(n, _)| n), Some("Ref"));
        assert_eq!(root.get("b").unwrap().reference(), Some("Role"));
        assert_eq!(root.get("c").unwrap().intrinsic().map(|(n, _)| n), Some("Fn::Sub"));
        assert_eq!(root.get("d").unwrap().as_str(), Some("5"));
        assert_eq!(root.get("b").unwrap().line, 2);
    }

    #[test]
    fn merge_keys_and_aliases_expand() {
        let root = parse("base: &b\n  x: 1\n  y: 2\nit:\n  <<: *b\n  y: 3\nref: *b\n").unwrap();
        assert_eq!(root.path(&["it", "x"]).unwrap().as_str(), Some("1"));
        assert_eq!(root.path(&["it", "y"]).unwrap().as_str(), Some("3"));
        assert_eq!(root.path(&["ref", "y"]).unwrap().as_str(), Some("2"));
        assert_eq!(root.get("ref").unwrap().line, 7);
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let prev = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
            ));
        }
        let err = parse(&text).unwrap_err();
        assert!(err.message.contains("nodes"), "{err:?}");
    }

    #[test]
    fn self_referencing_anchors_are_refused() {
        assert!(parse("a: &a [x, *a]\n").is_err());
        assert!(parse("a: &a {k: *a}\n").is_err());
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
        // saphyr's own recursion limit or ours, whichever comes first.
        assert!(parse(&text).is_err());
        let err = parse(&"- ".repeat(400)).unwrap_err();
        assert!(err.message.contains("nesting"), "{err:?}");
    }

    #[test]
    fn malformed_yaml_names_the_line() {
        let err = parse("a: 1\nb: [1, 2\nc: 3\n").unwrap_err();
        assert!(err.line >= 2, "{err:?}");
        let err = parse("a: 1\n  b: 2\n").unwrap_err();
        assert_eq!(err.line, 2, "{err:?}");
        assert!(validate("a: [\n").is_err());
        assert!(validate("a: 1\n").is_ok());
    }

    #[test]
    fn empty_documents_are_null() {
        assert!(parse("").unwrap().is_null());
        assert!(parse("# only a comment\n").unwrap().is_null());
    }
}
