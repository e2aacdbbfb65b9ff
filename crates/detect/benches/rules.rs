//! The rule sets the benchmarks load: the built-in pack alone, and with SigmaHQ's Linux rules
//! when ../shared is present.

use std::path::PathBuf;

use fnwarden_rules::RuleSet;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every built-in rule.
pub fn builtin() -> RuleSet {
    RuleSet::load(&[root().join("rules")])
}

/// Built-in rules plus SigmaHQ's Linux rules; `None` without ../shared.
pub fn with_sigma() -> Option<RuleSet> {
    let sigma = root().join("../shared/datasets/sigma/linux");
    if !sigma.is_dir() {
        eprintln!("note: {} not found; benchmarking built-in rules only", sigma.display());
        return None;
    }
    Some(RuleSet::load(&[root().join("rules"), sigma]))
}
