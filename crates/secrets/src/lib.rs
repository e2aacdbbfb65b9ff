//! Secrets detection for fnwarden scan: provider patterns and keyword plus entropy, in one pass
//! per file. See docs/scan-secrets.md for the patterns, the entropy model and the placeholders.

mod assignment;
mod entropy;
mod judge;
mod key;
mod lines;
mod provider;
mod redact;
mod rules;
mod scanner;
mod value;

use std::sync::OnceLock;

use fnwarden_project::ScanRule;

pub use redact::redact;
pub use rules::*;
pub use scanner::Scanner;

fn shared() -> &'static Scanner {
    static SCANNER: OnceLock<Scanner> = OnceLock::new();
    SCANNER.get_or_init(Scanner::new)
}

/// Would this key/value assignment be a secret? A provider pattern in the value, or a
/// secret-named key with a literal, non-placeholder value of enough entropy. Used for IaC
/// environment blocks, whose readers have already split key from value.
pub fn check_assignment(key: &str, value: &str) -> Option<&'static ScanRule> {
    let v = value.trim();
    let v = v.strip_prefix(['"', '\'']).and_then(|s| s.strip_suffix(['"', '\''])).unwrap_or(v);
    if let Some(hit) = shared().detect(v.as_bytes(), true).into_iter().find(|h| h.is_provider()) {
        return Some(hit.rule);
    }
    judge::judge(key::classify(key)?, v).map(|j| j.rule)
}
