//! Terraform HCL into [`Node`] trees: each top-level block with its labels, and its body as a
//! mapping (attributes by key; nested blocks by name, as a list since they may repeat).
//! Literals become scalars; `jsonencode({...})` becomes the tree of its argument; any other
//! expression (`var.x`, `aws_iam_role.r.arn`, `"${local.p}-x"`) becomes [`Kind::Expr`] with its
//! text as written. hcl-edit bounds nesting while parsing; conversion is bounded by [`MAX_DEPTH`].

use hcl::edit::expr::{Expression, ObjectKey};
use hcl::edit::parser::parse_body;
use hcl::edit::structure::{Body, Structure};
use hcl::edit::template::Element;
use hcl::edit::{Span, structure::BlockLabel};

use crate::error::SyntaxError;
use crate::node::{Kind, LineIndex, MAX_DEPTH, Node, to_u32};

/// A top-level block: `resource "aws_lambda_function" "api" { … }`.
#[derive(Debug)]
pub(crate) struct Block {
    /// `resource`, `data`, `module`, `locals`, …
    pub kind: String,
    pub labels: Vec<String>,
    pub body: Node,
    pub line: u32,
}

pub(crate) fn parse(text: &str) -> Result<Vec<Block>, SyntaxError> {
    let body = parse_body(text).map_err(|e| SyntaxError::new(to_u32(e.location().line()), e.message().to_string()))?;
    let conv = Converter { text, lines: LineIndex::new(text) };
    let mut blocks = Vec::new();
    for structure in body.iter() {
        if let Structure::Block(block) = structure {
            let (line, _) = conv.pos(block.span());
            let labels = block.labels.iter().map(|l| label(l).to_string()).collect();
            blocks.push(Block { kind: block.ident.to_string(), labels, body: conv.body(&block.body, line, 1)?, line });
        }
    }
    Ok(blocks)
}

fn label(label: &BlockLabel) -> &str {
    label.as_str()
}

struct Converter<'a> {
    text: &'a str,
    lines: LineIndex,
}

impl Converter<'_> {
    fn pos(&self, span: Option<std::ops::Range<usize>>) -> (u32, u32) {
        span.map_or((0, 0), |s| self.lines.position(s.start))
    }

    fn source(&self, span: Option<std::ops::Range<usize>>) -> String {
        span.and_then(|s| self.text.get(s)).unwrap_or("").trim().to_string()
    }

    fn body(&self, body: &Body, line: u32, depth: usize) -> Result<Node, SyntaxError> {
        if depth > MAX_DEPTH {
            return Err(SyntaxError::new(line, "blocks nest too deep"));
        }
        let mut entries: Vec<(Node, Node)> = Vec::new();
        for structure in body.iter() {
            match structure {
                Structure::Attribute(attr) => {
                    let (l, c) = self.pos(attr.key.span());
                    let value = self.expr(&attr.value, depth + 1)?;
                    entries.push((Node::new(Kind::Scalar(attr.key.to_string()), l, c), value));
                }
                Structure::Block(block) => {
                    let (l, c) = self.pos(block.span());
                    let inner = self.body(&block.body, l, depth + 1)?;
                    let name = block.ident.to_string();
                    match entries.iter_mut().find(|(k, _)| k.as_str() == Some(&name)) {
                        Some((_, Node { kind: Kind::Seq(items), .. })) => items.push(inner),
                        _ => entries.push((Node::new(Kind::Scalar(name), l, c), Node::new(Kind::Seq(vec![inner]), l, c))),
                    }
                }
            }
        }
        Ok(Node::new(Kind::Map(entries), line, 1))
    }

    fn expr(&self, expr: &Expression, depth: usize) -> Result<Node, SyntaxError> {
        let (line, col) = self.pos(expr.span());
        if depth > MAX_DEPTH {
            return Err(SyntaxError::new(line, "expression nests too deep"));
        }
        let kind = match expr {
            Expression::Null(_) => Kind::Null,
            Expression::Bool(b) => Kind::Scalar(b.value().to_string()),
            Expression::Number(n) => Kind::Scalar(n.value().to_string()),
            Expression::String(s) => Kind::Scalar(s.value().clone()),
            Expression::Array(items) => Kind::Seq(items.iter().map(|e| self.expr(e, depth + 1)).collect::<Result<_, _>>()?),
            Expression::Object(object) => {
                let mut entries = Vec::new();
                for (key, value) in object.iter() {
                    let (kl, kc) = match key {
                        ObjectKey::Ident(i) => self.pos(i.span()),
                        ObjectKey::Expression(e) => self.pos(e.span()),
                    };
                    let key = match key {
                        ObjectKey::Ident(i) => Node::new(Kind::Scalar(i.to_string()), kl, kc),
                        ObjectKey::Expression(e) => Node { line: kl, col: kc, ..self.expr(e, depth + 1)? },
                    };
                    entries.push((key, self.expr(value.expr(), depth + 1)?));
                }
                Kind::Map(entries)
            }
            Expression::StringTemplate(template) => {
                let mut literal = String::new();
                let mut plain = true;
                for element in template.iter() {
                    match element {
                        Element::Literal(s) => literal.push_str(s.value()),
                        _ => plain = false,
                    }
                }
                if plain {
                    Kind::Scalar(literal)
                } else {
                    let text = self.source(expr.span());
                    Kind::Expr(text.strip_prefix('"').and_then(|t| t.strip_suffix('"')).map(str::to_string).unwrap_or(text))
                }
            }
            Expression::HeredocTemplate(heredoc) => {
                // The content as written, so heredoc JSON policies parse with their own lines.
                let text = self.source(heredoc.span());
                let body = text.split_once('\n').map_or("", |(_, rest)| rest);
                let body = body.rsplit_once('\n').map_or("", |(content, _)| content);
                let interpolated = heredoc.template.iter().any(|e| !matches!(e, Element::Literal(_)));
                let kind = if interpolated { Kind::Expr(body.to_string()) } else { Kind::Scalar(body.to_string()) };
                // The node sits on the content's first line, so that parsing it keeps file lines.
                return Ok(Node::new(kind, line.saturating_add(1), 1));
            }
            Expression::Parenthesis(inner) => return self.expr(inner.inner(), depth + 1),
            Expression::FuncCall(call) if call.name.name.as_str() == "jsonencode" && call.args.len() == 1 => {
                if let Some(arg) = call.args.get(0) {
                    return self.expr(arg, depth + 1);
                }
                Kind::Expr(self.source(expr.span()))
            }
            _ => Kind::Expr(self.source(expr.span())),
        };
        Ok(Node::new(kind, line, col))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TF: &str = r#"
resource "aws_lambda_function" "api" {
  function_name = "api-${var.stage}"
  handler       = "app.handler"
  timeout       = 30
  role          = aws_iam_role.api.arn

  environment {
    variables = {
      TABLE = "orders"
      QUEUE = aws_sqs_queue.q.url
    }
  }
}

resource "aws_iam_role_policy" "p" {
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["s3:*"], Resource = "*" }]
  })
}

resource "aws_iam_policy" "h" {
  policy = <<EOF
{
  "Statement": []
}
EOF
}
"#;

    #[test]
    fn blocks_attributes_and_expressions() {
        let blocks = parse(TF).unwrap();
        assert_eq!(blocks.len(), 3);
        let f = &blocks[0];
        assert_eq!(
            (f.kind.as_str(), f.labels.as_slice(), f.line),
            ("resource", &["aws_lambda_function".to_string(), "api".to_string()][..], 2)
        );
        assert_eq!(f.body.get("function_name").unwrap().kind, Kind::Expr("api-${var.stage}".into()));
        assert_eq!(f.body.get("handler").unwrap().as_str(), Some("app.handler"));
        assert_eq!(f.body.get("timeout").unwrap().as_u64(), Some(30));
        assert_eq!(f.body.entry("timeout").unwrap().0.line, 5);
        assert_eq!(f.body.get("role").unwrap().kind, Kind::Expr("aws_iam_role.api.arn".into()));
        let env = &f.body.get("environment").unwrap().as_seq().unwrap()[0];
        let vars = env.get("variables").unwrap();
        assert_eq!(vars.entry("TABLE").unwrap().0.line, 10);
        assert_eq!(vars.get("QUEUE").unwrap().kind, Kind::Expr("aws_sqs_queue.q.url".into()));
    }

    #[test]
    fn jsonencode_and_heredoc_policies() {
        let blocks = parse(TF).unwrap();
        let doc = blocks[1].body.get("policy").unwrap();
        let stmt = &doc.get("Statement").unwrap().as_seq().unwrap()[0];
        assert_eq!(stmt.get("Resource").unwrap().as_str(), Some("*"));
        assert_eq!(stmt.line, 19);
        let heredoc = blocks[2].body.get("policy").unwrap();
        assert_eq!(heredoc.line, 25);
        assert_eq!(heredoc.as_str(), Some("{\n  \"Statement\": []\n}"));
    }

    #[test]
    fn malformed_hcl_names_the_line() {
        let err = parse("resource \"a\" \"b\" {\n  x = 1\n  y = \n}\n").unwrap_err();
        assert!(err.line >= 3, "{err:?}");
        assert!(parse(&format!("x = {}1{}", "[".repeat(10_000), "]".repeat(10_000))).is_err());
    }
}
