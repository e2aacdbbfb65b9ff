//! The rule set the benchmarks load: every built-in rule plus SigmaHQ's Linux rules when
//! ../shared is present.

use std::path::PathBuf;

use fnwarden_rules::RuleSet;

/// The rules, and whether SigmaHQ's were found.
pub fn load() -> (RuleSet, bool) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut paths: Vec<PathBuf> = vec![root.join("rules")];
    let sigma = root.join("../shared/datasets/sigma/linux");
    let have_sigma = sigma.is_dir();
    if have_sigma {
        paths.push(sigma);
    } else {
        eprintln!("note: {} not found; benchmarking built-in rules only", sigma.display());
    }
    (RuleSet::load(&paths), have_sigma)
}
