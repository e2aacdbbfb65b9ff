//! The rule files: which ones each engine accepts, and building both engines from the same list.

use std::path::{Path, PathBuf};

use fnwarden_rules::RuleSet;
use rsigma_parser::SigmaCollection;

/// Every `.yml`/`.yaml` file under `dir`, sorted so that runs load in the same order.
pub fn files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if matches!(path.extension().and_then(|e| e.to_str()), Some("yml" | "yaml")) {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// A file fnwarden refuses, and why (its first load error).
pub fn fnwarden_refusal(file: &Path) -> Option<String> {
    let set = RuleSet::load(&[file.to_path_buf()]);
    match set.errors.first() {
        Some(e) => Some(e.message.clone()),
        None if set.rules.is_empty() && set.correlations.is_empty() => Some("no rule in file".into()),
        None => None,
    }
}

/// A file rsigma-eval refuses, and why: a parse error, a document it could not read, or a rule
/// its engine does not compile.
pub fn rsigma_refusal(file: &Path) -> Option<String> {
    match rsigma_collection(file) {
        Err(e) => Some(e),
        Ok(c) if c.rules.is_empty() => Some("no detection rule in file".into()),
        Ok(c) => rsigma_eval::Engine::new().add_collection(&c).err().map(|e| e.to_string()),
    }
}

fn rsigma_collection(file: &Path) -> Result<SigmaCollection, String> {
    let text = std::fs::read_to_string(file).map_err(|e| e.to_string())?;
    let c = rsigma_parser::parse_sigma_yaml(&text).map_err(|e| e.to_string())?;
    match c.errors.first() {
        Some(e) => Err(e.clone()),
        None => Ok(c),
    }
}

/// fnwarden's engine over `files`, as a user builds it.
pub fn fnwarden_engine(files: &[PathBuf]) -> (fnwarden_detect::Engine, usize) {
    let set = RuleSet::load(files);
    let engine = fnwarden_detect::Engine::new(&set, fnwarden_detect::EngineConfig::default());
    (engine, set.rules.len() + set.correlations.len())
}

/// rsigma-eval's engine over `files`: every file parsed, the collections merged and added at once
/// (one index build, as its docs recommend for large sets).
pub fn rsigma_engine(files: &[PathBuf]) -> Result<rsigma_eval::Engine, String> {
    let mut all = SigmaCollection::new();
    for f in files {
        let c = rsigma_collection(f).map_err(|e| format!("{}: {e}", f.display()))?;
        all.rules.extend(c.rules);
        all.filters.extend(c.filters);
        all.correlations.extend(c.correlations);
    }
    let mut engine = rsigma_eval::Engine::new();
    engine.add_collection(&all).map_err(|e| e.to_string())?;
    Ok(engine)
}
