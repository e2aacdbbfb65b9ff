//! IAM policy documents, in whatever form the IaC writes them, into model statements.

use fnwarden_project::{Policy, Statement};

use crate::json;
use crate::node::{Kind, Node};
use crate::source::Source;

/// Most statements read from one document (hostile input bound).
const MAX_STATEMENTS: usize = 1_000;

/// The statements of a policy document: a mapping with `Statement`, or JSON text of one (a
/// heredoc or a string). Other shapes yield nothing.
pub(crate) fn document(src: &Source, doc: &Node) -> Vec<Statement> {
    match &doc.kind {
        Kind::Map(_) => match doc.get("Statement") {
            Some(statements) => statements.one_or_many().into_iter().take(MAX_STATEMENTS).filter_map(|s| statement(src, s)).collect(),
            None => Vec::new(),
        },
        Kind::Scalar(text) | Kind::Expr(text) if text.trim_start().starts_with('{') => match json::parse(text, doc.line) {
            Ok(parsed) => document(src, &parsed),
            Err(e) => {
                tracing::debug!(file = %src.path.display(), line = e.line, "policy text is not JSON: {e}");
                Vec::new()
            }
        },
        _ => Vec::new(),
    }
}

/// One `{Effect, Action|NotAction, Resource, Principal, Condition}` statement.
pub(crate) fn statement(src: &Source, node: &Node) -> Option<Statement> {
    if !node.is_map() {
        return None;
    }
    let allow = node.get("Effect").and_then(Node::as_str).is_none_or(|e| !e.eq_ignore_ascii_case("deny"));
    let (actions, not_action) = match (node.get("Action"), node.get("NotAction")) {
        (Some(a), _) => (texts(a), false),
        (None, Some(a)) => (texts(a), true),
        (None, None) => (Vec::new(), false),
    };
    let resources = node.get("Resource").or_else(|| node.get("NotResource")).map(texts).unwrap_or_default();
    let principals = node.get("Principal").map(principals).unwrap_or_default();
    let conditional = node.get("Condition").is_some_and(|c| !c.is_null());
    Some(Statement { allow, actions, not_action, resources, principals, conditional, location: src.at(node) })
}

/// Values as text: one string or a list of them; intrinsics as their short form.
pub(crate) fn texts(node: &Node) -> Vec<String> {
    node.one_or_many().into_iter().map(Node::text).collect()
}

/// `"*"`, `{AWS: [...], Service: x, Federated: y}`: every principal as written.
pub(crate) fn principals(node: &Node) -> Vec<String> {
    if node.is_map() && node.intrinsic().is_none() { node.entries().flat_map(|(_, _, v)| texts(v)).collect() } else { texts(node) }
}

/// A policy of inline statements.
pub(crate) fn inline(src: &Source, name: impl Into<String>, at: &Node, doc: &Node) -> Policy {
    Policy { name: name.into(), managed: None, statements: document(src, doc), location: src.at(at) }
}

/// A list of bare statements (Serverless `iam.role.statements`).
pub(crate) fn statement_list(src: &Source, name: &str, at: &Node, list: &Node) -> Policy {
    let statements = list.one_or_many().into_iter().take(MAX_STATEMENTS).filter_map(|s| statement(src, s)).collect();
    Policy { name: name.to_string(), managed: None, statements, location: src.at(at) }
}

/// Terraform `data "aws_iam_policy_document"` statement blocks.
pub(crate) fn terraform_document(src: &Source, body: &Node) -> Vec<Statement> {
    let Some(blocks) = body.get("statement").and_then(Node::as_seq) else { return Vec::new() };
    blocks
        .iter()
        .take(MAX_STATEMENTS)
        .map(|b| {
            let allow = b.get("effect").and_then(Node::as_str).is_none_or(|e| !e.eq_ignore_ascii_case("deny"));
            let (actions, not_action) = match (b.get("actions"), b.get("not_actions")) {
                (Some(a), _) => (texts(a), false),
                (None, Some(a)) => (texts(a), true),
                (None, None) => (Vec::new(), false),
            };
            let resources = b.get("resources").or_else(|| b.get("not_resources")).map(texts).unwrap_or_default();
            let principals = b
                .get("principals")
                .and_then(Node::as_seq)
                .map(|ps| ps.iter().filter_map(|p| p.get("identifiers")).flat_map(texts).collect())
                .unwrap_or_default();
            let conditional = b.get("condition").is_some();
            Statement { allow, actions, not_action, resources, principals, conditional, location: src.at(b) }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml;
    use std::path::Path;

    #[test]
    fn statements_read_every_form() {
        let src = Source::new(Path::new("t.yml"));
        let doc = yaml::parse(
            "Statement:\n  - Effect: Allow\n    Action: s3:*\n    Resource: !GetAtt B.Arn\n  - Effect: Deny\n    NotAction: [iam:*]\n    Resource: ['*']\n    Principal: {AWS: ['123456789012'], Service: lambda.amazonaws.com}\n    Condition: {Bool: {x: y}}\n",
        )
        .unwrap();
        let s = document(&src, &doc);
        assert_eq!(s.len(), 2);
        assert!(s[0].allow && !s[0].not_action && !s[0].conditional);
        assert_eq!(s[0].actions, vec!["s3:*"]);
        assert_eq!(s[0].resources, vec!["!GetAtt B.Arn"]);
        assert_eq!(s[0].location.line, 2);
        assert!(!s[1].allow && s[1].not_action && s[1].conditional);
        assert_eq!(s[1].principals, vec!["123456789012", "lambda.amazonaws.com"]);
    }

    #[test]
    fn json_text_documents_parse_with_their_lines() {
        let src = Source::new(Path::new("t.tf"));
        let text = Node::new(
            Kind::Scalar(
                "{\n \"Statement\": {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\", \"Principal\": \"*\"}\n}".into(),
            ),
            7,
            1,
        );
        let s = document(&src, &text);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].location.line, 8);
        assert_eq!(s[0].principals, vec!["*"]);
        let bad = Node::new(Kind::Scalar("{ not json".into()), 1, 1);
        assert!(document(&src, &bad).is_empty());
    }
}
