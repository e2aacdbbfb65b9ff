//! One document tree for YAML, JSON and HCL, with the line and column of every value, so that
//! the framework readers are written once and every model value keeps its place.

use std::fmt::Write as _;

/// Deepest nesting any reader builds or walks; deeper input is rejected as malformed.
pub(crate) const MAX_DEPTH: usize = 128;
/// Most nodes one document may hold, aliases expanded (billion-laughs bound).
pub(crate) const MAX_NODES: usize = 1_000_000;
/// Longest text a computed expression is rendered to.
const MAX_RENDER: usize = 240;

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Kind {
    Null,
    /// Strings, numbers and booleans, as written.
    Scalar(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
    /// A non-literal HCL expression (`var.x`, `aws_iam_role.r.arn`, `"${local.p}-x"`), as written.
    Expr(String),
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Node {
    pub kind: Kind,
    /// 1-based.
    pub line: u32,
    /// 1-based; 0 when unknown.
    pub col: u32,
}

static NULL: Node = Node { kind: Kind::Null, line: 0, col: 0 };

impl Node {
    pub fn new(kind: Kind, line: u32, col: u32) -> Node {
        Node { kind, line, col }
    }

    /// `{Ref: id}` at a position: how a template refers to its own resource.
    pub fn ref_to(id: &str, line: u32, col: u32) -> Node {
        let key = Node::new(Kind::Scalar("Ref".into()), line, col);
        Node::new(Kind::Map(vec![(key, Node::new(Kind::Scalar(id.to_string()), line, col))]), line, col)
    }

    pub fn null() -> &'static Node {
        &NULL
    }

    pub fn is_null(&self) -> bool {
        matches!(self.kind, Kind::Null)
    }

    /// The value under `key` of a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// The key node and value under `key` of a mapping.
    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        match &self.kind {
            Kind::Map(entries) => entries.iter().find(|(k, _)| k.as_str() == Some(key)).map(|(k, v)| (k, v)),
            _ => None,
        }
    }

    /// Follows a path of mapping keys.
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |n, k| n.get(k))
    }

    /// Mapping entries whose key is a string; empty for anything else.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &Node, &Node)> {
        let entries: &[(Node, Node)] = match &self.kind {
            Kind::Map(e) => e,
            _ => &[],
        };
        entries.iter().filter_map(|(k, v)| k.as_str().map(|s| (s, k, v)))
    }

    pub fn is_map(&self) -> bool {
        matches!(self.kind, Kind::Map(_))
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.kind {
            Kind::Seq(items) => Some(items),
            _ => None,
        }
    }

    /// A single value or a list of them, as a list (IAM's `Action: x` or `Action: [x, y]`).
    pub fn one_or_many(&self) -> Vec<&Node> {
        match &self.kind {
            Kind::Seq(items) => items.iter().collect(),
            Kind::Null => Vec::new(),
            _ => vec![self],
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Scalar(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_u64(&self) -> Option<u64> {
        let s = self.as_str()?.trim();
        s.parse::<u64>().ok().or_else(|| s.parse::<f64>().ok().filter(|f| f.is_finite() && *f >= 0.0).map(|f| f as u64))
    }

    pub fn as_i64(&self) -> Option<i64> {
        let s = self.as_str()?.trim();
        s.parse::<i64>().ok().or_else(|| s.parse::<f64>().ok().filter(|f| f.is_finite()).map(|f| f as i64))
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.as_str()?.trim() {
            "true" | "True" | "TRUE" => Some(true),
            "false" | "False" | "FALSE" => Some(false),
            _ => None,
        }
    }

    /// The CloudFormation intrinsic this node is (`{"Ref": x}`, `{"Fn::GetAtt": …}`): its name and argument.
    pub fn intrinsic(&self) -> Option<(&str, &Node)> {
        match &self.kind {
            Kind::Map(entries) if entries.len() == 1 => {
                let (k, v) = &entries[0];
                let name = k.as_str()?;
                (name == "Ref" || name == "Condition" || name.starts_with("Fn::")).then_some((name, v))
            }
            _ => None,
        }
    }

    /// The logical id a `!Ref X` / `!GetAtt X.Arn` / `Fn::GetAtt: [X, Arn]` points at.
    pub fn reference(&self) -> Option<&str> {
        let (name, arg) = self.intrinsic()?;
        match name {
            "Ref" => arg.as_str(),
            "Fn::GetAtt" => match &arg.kind {
                Kind::Scalar(s) => s.split('.').next(),
                Kind::Seq(items) => items.first().and_then(Node::as_str),
                _ => None,
            },
            _ => None,
        }
    }

    /// The value as text: scalars as written, intrinsics in their short form (`!GetAtt B.Arn`),
    /// HCL expressions as written. Bounded in depth and length.
    pub fn text(&self) -> String {
        let mut out = String::new();
        render(self, &mut out, 0);
        if out.len() > MAX_RENDER {
            let mut cut = MAX_RENDER;
            while !out.is_char_boundary(cut) {
                cut -= 1;
            }
            out.truncate(cut);
            out.push('…');
        }
        out
    }

    /// True when the value is a plain literal (a scalar), not something resolved at deploy time.
    pub fn is_literal(&self) -> bool {
        matches!(self.kind, Kind::Scalar(_))
    }
}

fn render(node: &Node, out: &mut String, depth: usize) {
    if depth > MAX_DEPTH || out.len() > MAX_RENDER {
        out.push('…');
        return;
    }
    if let Some((name, arg)) = node.intrinsic() {
        let short = name.strip_prefix("Fn::").unwrap_or(name);
        let _ = write!(out, "!{short} ");
        if short == "GetAtt"
            && let Some(items) = arg.as_seq()
        {
            let parts: Vec<String> = items.iter().map(Node::text).collect();
            out.push_str(&parts.join("."));
            return;
        }
        render(arg, out, depth + 1);
        return;
    }
    match &node.kind {
        Kind::Null => out.push_str("null"),
        Kind::Scalar(s) | Kind::Expr(s) => out.push_str(s),
        Kind::Seq(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                render(item, out, depth + 1);
                if out.len() > MAX_RENDER {
                    break;
                }
            }
            out.push(']');
        }
        Kind::Map(entries) => {
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                render(k, out, depth + 1);
                out.push_str(": ");
                render(v, out, depth + 1);
                if out.len() > MAX_RENDER {
                    break;
                }
            }
            out.push('}');
        }
    }
}

/// Line numbers of byte offsets, for parsers that report offsets.
pub(crate) struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// 1-based line and column of a byte offset.
    pub fn position(&self, offset: usize) -> (u32, u32) {
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let col = offset - self.starts[line - 1] + 1;
        (to_u32(line), to_u32(col))
    }
}

pub(crate) fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Node {
        Node::new(Kind::Scalar(v.into()), 1, 1)
    }

    fn map(entries: Vec<(&str, Node)>) -> Node {
        Node::new(Kind::Map(entries.into_iter().map(|(k, v)| (s(k), v)).collect()), 1, 1)
    }

    #[test]
    fn intrinsics_render_in_short_form_and_name_their_target() {
        let getatt = map(vec![("Fn::GetAtt", Node::new(Kind::Seq(vec![s("Bucket"), s("Arn")]), 1, 1))]);
        assert_eq!(getatt.text(), "!GetAtt Bucket.Arn");
        assert_eq!(getatt.reference(), Some("Bucket"));
        let r = map(vec![("Ref", s("Table"))]);
        assert_eq!(r.text(), "!Ref Table");
        assert_eq!(r.reference(), Some("Table"));
        assert_eq!(map(vec![("Fn::Sub", s("${A}-x"))]).text(), "!Sub ${A}-x");
        assert!(map(vec![("Other", s("x"))]).intrinsic().is_none());
    }

    #[test]
    fn long_renders_are_cut() {
        let long = Node::new(Kind::Seq((0..500).map(|i| s(&format!("item{i}"))).collect()), 1, 1);
        assert!(long.text().chars().count() <= MAX_RENDER + 1);
    }

    #[test]
    fn line_index_maps_offsets() {
        let idx = LineIndex::new("ab\ncd\n\nef");
        assert_eq!(idx.position(0), (1, 1));
        assert_eq!(idx.position(4), (2, 2));
        assert_eq!(idx.position(7), (4, 1));
    }

    #[test]
    fn numbers_and_booleans_read_from_scalars() {
        assert_eq!(s("30").as_u64(), Some(30));
        assert_eq!(s("-1").as_i64(), Some(-1));
        assert_eq!(s("-1").as_u64(), None);
        assert_eq!(s("true").as_bool(), Some(true));
        assert_eq!(s("yes").as_bool(), None);
    }
}
