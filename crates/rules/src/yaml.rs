//! YAML documents as a small tree that remembers where each node stands, so that rule errors can
//! name the line. Scalars keep their source text: Sigma needs `0x10` or `1.0` as written.

use saphyr::{MarkedYaml, Scalar, ScalarStyle, YamlData, YamlLoader};
use saphyr_parser::Parser;

#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    /// `text` as written; `quoted` when the source used quotes or a block scalar.
    Scalar {
        text: String,
        quoted: bool,
    },
    Seq(Vec<Node>),
    /// Keys in source order.
    Map(Vec<(Node, Node)>),
    Null,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub kind: NodeKind,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub col: usize,
}

/// A YAML syntax error with its place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YamlError {
    pub line: usize,
    pub col: usize,
    pub message: String,
}

/// Parses every document of `src`.
pub fn parse(src: &str) -> Result<Vec<Node>, YamlError> {
    let mut parser = Parser::new_from_str(src);
    let mut loader: YamlLoader<'_, MarkedYaml<'_>> = YamlLoader::default();
    loader.early_parse(false);
    parser.load(&mut loader, true).map_err(|e| YamlError {
        line: e.marker().line(),
        col: e.marker().col() + 1,
        message: e.info().to_owned(),
    })?;
    if let Some(e) = loader.error() {
        return Err(YamlError { line: e.marker().line(), col: e.marker().col() + 1, message: e.info().to_owned() });
    }
    Ok(loader.into_documents().into_iter().map(convert).collect())
}

fn convert(y: MarkedYaml<'_>) -> Node {
    let line = y.span.start.line();
    let col = y.span.start.col() + 1;
    let kind = match y.data {
        YamlData::Representation(text, style, _) => {
            let quoted = !matches!(style, ScalarStyle::Plain);
            if !quoted && matches!(&*text, "~" | "null" | "Null" | "NULL" | "") {
                NodeKind::Null
            } else {
                NodeKind::Scalar { text: text.into_owned(), quoted }
            }
        }
        YamlData::Value(s) => match s {
            Scalar::Null => NodeKind::Null,
            Scalar::Boolean(b) => NodeKind::Scalar { text: b.to_string(), quoted: false },
            Scalar::Integer(i) => NodeKind::Scalar { text: i.to_string(), quoted: false },
            Scalar::FloatingPoint(f) => NodeKind::Scalar { text: f.to_string(), quoted: false },
            Scalar::String(s) => NodeKind::Scalar { text: s.into_owned(), quoted: true },
        },
        YamlData::Sequence(v) => NodeKind::Seq(v.into_iter().map(convert).collect()),
        YamlData::Mapping(m) => NodeKind::Map(m.into_iter().map(|(k, v)| (convert(k), convert(v))).collect()),
        YamlData::Tagged(_, inner) => return convert(*inner),
        YamlData::Alias(_) | YamlData::BadValue => NodeKind::Null,
    };
    Node { kind, line, col }
}

impl Node {
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.kind {
            NodeKind::Seq(v) => Some(v),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.kind {
            NodeKind::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.kind, NodeKind::Null)
    }

    /// A mapping's value for `key`.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?.iter().find(|(k, _)| k.as_str() == Some(key)).map(|(_, v)| v)
    }

    /// A plain scalar read as a YAML 1.2 boolean.
    pub fn as_bool(&self) -> Option<bool> {
        match &self.kind {
            NodeKind::Scalar { text, quoted: false } => match text.as_str() {
                "true" | "True" | "TRUE" => Some(true),
                "false" | "False" | "FALSE" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// Converts to JSON, typing plain scalars the way YAML 1.2 core schema does.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.kind {
            NodeKind::Null => J::Null,
            NodeKind::Scalar { text, quoted: true } => J::String(text.clone()),
            NodeKind::Scalar { text, quoted: false } => {
                if let Some(b) = self.as_bool() {
                    J::Bool(b)
                } else if let Ok(i) = text.parse::<i64>() {
                    J::from(i)
                } else if let Some(n) = text.parse::<f64>().ok().and_then(serde_json::Number::from_f64) {
                    J::Number(n)
                } else {
                    J::String(text.clone())
                }
            }
            NodeKind::Seq(v) => J::Array(v.iter().map(Node::to_json).collect()),
            NodeKind::Map(m) => J::Object(
                m.iter().map(|(k, v)| (k.as_str().map(str::to_owned).unwrap_or_else(|| k.to_json().to_string()), v.to_json())).collect(),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_keep_text_and_lines() {
        let docs = parse("a: 0x10\nb: '1.0'\nc:\n  - x\n  - ~\n---\nd: true\n").unwrap();
        assert_eq!(docs.len(), 2);
        let a = docs[0].get("a").unwrap();
        assert_eq!(a.as_str(), Some("0x10"));
        assert_eq!(a.line, 1);
        let b = docs[0].get("b").unwrap();
        assert_eq!(b.kind, NodeKind::Scalar { text: "1.0".into(), quoted: true });
        let c = docs[0].get("c").unwrap().as_seq().unwrap();
        assert_eq!(c[0].line, 4);
        assert!(c[1].is_null());
        assert_eq!(docs[1].get("d").unwrap().as_bool(), Some(true));
    }

    #[test]
    fn syntax_errors_have_a_place() {
        let e = parse("a: [1, 2\nb: c\n").unwrap_err();
        assert!(e.line >= 1, "{e:?}");
        assert!(!e.message.is_empty());
    }

    #[test]
    fn to_json_types_plain_scalars() {
        let d = &parse("n: 3\nf: 1.5\ns: '3'\nb: false\nx: hi\n").unwrap()[0];
        assert_eq!(d.to_json(), serde_json::json!({"n": 3, "f": 1.5, "s": "3", "b": false, "x": "hi"}));
    }
}
