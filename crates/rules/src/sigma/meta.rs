//! The descriptive part of rules and correlations: title, id, level, tags …

use crate::ruleset::Dialect;
use crate::yaml::Node;
use crate::{RuleMeta, Severity, Source, mitre_from_tags};

use super::{Ctx, Fail};

/// How errors name a document: its title, else its id or name.
pub fn display_name(doc: &Node) -> Option<String> {
    ["title", "id", "name"].iter().find_map(|k| doc.get(k).and_then(Node::as_str)).map(str::to_owned)
}

/// The names other documents may use for this one: `id` and `name`.
pub fn keys(doc: &Node) -> Vec<String> {
    ["id", "name"].iter().filter_map(|k| doc.get(k).and_then(Node::as_str)).map(str::to_owned).collect()
}

/// Reads the descriptive keys. Status `deprecated` and `unsupported` load disabled: the rule is
/// checked and listed, but the engine does not run it.
pub fn parse(doc: &Node, ctx: &mut Ctx) -> Option<RuleMeta> {
    let mut ok = true;
    let mut text = |key: &str, ctx: &mut Ctx| -> Option<String> {
        let n = doc.get(key)?;
        match &n.kind {
            crate::yaml::NodeKind::Scalar { text, .. } => Some(text.clone()),
            crate::yaml::NodeKind::Null => None,
            _ => {
                ctx.err(n, format!("`{key}` must be a string"));
                ok = false;
                None
            }
        }
    };
    let title = text("title", ctx);
    let id = text("id", ctx);
    let name = text("name", ctx);
    let description = text("description", ctx).unwrap_or_default();
    // fnwarden's extension: what to do about an alert, carried into it.
    let remediation = text("remediation", ctx).unwrap_or_default();
    let license = text("license", ctx);
    let level = text("level", ctx);
    let status = text("status", ctx);
    let Some(title) = title.or_else(|| name.clone()).or_else(|| id.clone()) else {
        ctx.err(doc, "a Sigma rule needs a `title`");
        return None;
    };
    let mut list = |key: &str, ctx: &mut Ctx| match doc.get(key).map(str_list) {
        Some(Ok(v)) => v,
        Some(Err(f)) => {
            ctx.fail(f);
            ok = false;
            Vec::new()
        }
        None => Vec::new(),
    };
    let author = list("author", ctx).join(", ");
    let tags = list("tags", ctx);
    let references = list("references", ctx);
    let falsepositives = list("falsepositives", ctx);
    let severity = match &level {
        None => Severity::Medium,
        Some(l) => match Severity::parse(l) {
            Some(s) => s,
            None => {
                if let Some(n) = doc.get("level") {
                    ctx.err(n, format!("unknown level {l:?}: expected informational, low, medium, high or critical"));
                }
                return None;
            }
        },
    };
    let enabled = match status.as_deref() {
        None | Some("stable" | "test" | "experimental") => true,
        Some("deprecated" | "unsupported") => false,
        Some(other) => {
            if let Some(n) = doc.get("status") {
                ctx.err(n, format!("unknown status {other:?}: expected stable, test, experimental, deprecated or unsupported"));
            }
            return None;
        }
    };
    if !ok {
        return None;
    }
    Some(RuleMeta {
        id: id.unwrap_or_else(|| title.clone()),
        name,
        title,
        description,
        author,
        severity,
        priority: level,
        mitre: mitre_from_tags(&tags),
        tags,
        references,
        falsepositives,
        remediation: remediation.trim().to_owned(),
        license,
        source: Source { file: ctx.file.to_path_buf(), line: doc.line },
        dialect: Dialect::Sigma,
        enabled,
        generate: true,
    })
}

/// A string or a list of strings (numbers are read as written).
pub fn str_list(n: &Node) -> Result<Vec<String>, Fail> {
    match &n.kind {
        crate::yaml::NodeKind::Null => Ok(Vec::new()),
        crate::yaml::NodeKind::Scalar { text, .. } => Ok(vec![text.clone()]),
        crate::yaml::NodeKind::Seq(items) => items
            .iter()
            .filter(|i| !i.is_null())
            .map(|i| i.as_str().map(str::to_owned).ok_or_else(|| Fail::at(i, "expected a string")))
            .collect(),
        crate::yaml::NodeKind::Map(_) => Err(Fail::at(n, "expected a string or a list of strings")),
    }
}
