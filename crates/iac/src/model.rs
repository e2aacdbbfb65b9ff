//! Small builders shared by the framework readers.

use std::path::{Component, Path, PathBuf};

use fnwarden_project::{EnvValue, EnvVar, Framework, Function, Spanned, Trigger, TriggerKind};

use crate::node::Node;
use crate::source::Source;

/// Most functions, events or policies read from one collection (hostile input bound).
pub(crate) const MAX_ITEMS: usize = 10_000;
/// Most environment variables read for one function (Lambda allows 4 KB of them in all).
pub(crate) const MAX_ENV: usize = 256;

pub(crate) fn function(name: &str, location: fnwarden_project::Location, framework: Framework, code_dir: PathBuf) -> Function {
    Function {
        name: name.to_string(),
        location,
        framework,
        runtime: None,
        handler: None,
        code_dir,
        env: Vec::new(),
        timeout: None,
        memory: None,
        reserved_concurrency: None,
        layers: Vec::new(),
        role: None,
        policies: Vec::new(),
        triggers: Vec::new(),
        url: None,
    }
}

pub(crate) fn text(src: &Source, node: &Node) -> Spanned<String> {
    Spanned::new(node.text(), src.at(node))
}

pub(crate) fn number(src: &Source, node: &Node) -> Option<Spanned<u64>> {
    node.as_u64().map(|n| Spanned::new(n, src.at(node)))
}

pub(crate) fn signed(src: &Source, node: &Node) -> Option<Spanned<i64>> {
    node.as_i64().map(|n| Spanned::new(n, src.at(node)))
}

/// Sets or replaces a variable, keeping the order of first definition.
pub(crate) fn set_env(env: &mut Vec<EnvVar>, var: EnvVar) {
    match env.iter_mut().find(|v| v.name == var.name) {
        Some(old) => *old = var,
        None => env.push(var),
    }
}

/// A variable from a literal scalar, or computed from anything else.
pub(crate) fn env_var(src: &Source, key: &Node, name: &str, value: &Node) -> EnvVar {
    let value = if value.is_literal() {
        EnvValue::Literal(value.text())
    } else if value.is_null() {
        EnvValue::Literal(String::new())
    } else {
        EnvValue::Computed(value.text())
    };
    EnvVar { name: name.to_string(), value, location: src.at(key) }
}

pub(crate) fn trigger(src: &Source, kind: TriggerKind, at: &Node, detail: String) -> Trigger {
    Trigger { kind, public: false, detail, resource: None, batch_size: None, location: src.at(at) }
}

/// The event source kind an ARN names (`arn:aws:sqs:…`, `arn:aws:kinesis:…`, a DynamoDB stream).
pub(crate) fn kind_of_arn(arn: &str) -> TriggerKind {
    let lower = arn.to_ascii_lowercase();
    if lower.contains(":sqs:") || lower.contains("queue") {
        TriggerKind::Sqs
    } else if lower.contains(":dynamodb:") || lower.contains("streamarn") || lower.contains("table") {
        TriggerKind::DynamoDb
    } else if lower.contains(":kinesis:") || lower.contains("stream") {
        TriggerKind::Kinesis
    } else if lower.contains(":kafka:") || lower.contains("msk") || lower.contains("kafka") {
        TriggerKind::Kafka
    } else {
        TriggerKind::Other
    }
}

/// `dir/./a/../b` → `dir/b`, lexically; never climbs above the scan root.
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
            Component::ParentDir => {
                out.pop();
            }
            Component::Normal(p) => out.push(p),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_normalise_within_the_root() {
        assert_eq!(normalize(Path::new("svc/./src/../lib")), PathBuf::from("svc/lib"));
        assert_eq!(normalize(Path::new("../../etc")), PathBuf::from("etc"));
        assert_eq!(normalize(Path::new("")), PathBuf::new());
    }

    #[test]
    fn arns_name_their_source() {
        assert_eq!(kind_of_arn("arn:aws:sqs:us-east-1:1:orders"), TriggerKind::Sqs);
        assert_eq!(kind_of_arn("arn:aws:dynamodb:us-east-1:1:table/t/stream/x"), TriggerKind::DynamoDb);
        assert_eq!(kind_of_arn("arn:aws:kinesis:us-east-1:1:stream/clicks"), TriggerKind::Kinesis);
        assert_eq!(kind_of_arn("!GetAtt OrdersQueue.Arn"), TriggerKind::Sqs);
    }
}
