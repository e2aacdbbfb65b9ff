//! Loading rule files of either dialect into one [`RuleSet`].

use std::path::{Path, PathBuf};

use crate::yaml::{self, Node, NodeKind};
use crate::{Correlation, LoadError, Rule, falco, sigma};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Dialect {
    #[default]
    Falco,
    Sigma,
}

impl Dialect {
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Falco => "falco",
            Dialect::Sigma => "sigma",
        }
    }
}

/// Every rule and correlation that loaded, and an error for each that did not.
#[derive(Debug, Default)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
    pub correlations: Vec<Correlation>,
    pub errors: Vec<LoadError>,
    pub files: usize,
}

/// Collects files, then links them: Falco lists, macros and appends span files, and Sigma
/// correlations reference rules in other files.
#[derive(Default)]
pub struct Builder {
    falco: falco::Loader,
    rules: Vec<Rule>,
    correlations: Vec<Correlation>,
    errors: Vec<LoadError>,
    files: usize,
}

/// The file extensions read when a directory is given.
const EXTENSIONS: &[&str] = &["yml", "yaml"];

impl Builder {
    /// Adds a file, or every `.yml`/`.yaml` file below a directory, in name order.
    pub fn add_path(&mut self, path: &Path) {
        if path.is_dir() {
            let mut files = Vec::new();
            collect(path, &mut files, &mut self.errors, 0);
            files.sort();
            for f in files {
                self.add_file(&f);
            }
        } else {
            self.add_file(path);
        }
    }

    fn add_file(&mut self, path: &Path) {
        match std::fs::read_to_string(path) {
            Ok(text) => self.add_str(&text, path),
            Err(e) => self.errors.push(LoadError::new(path, 0, 0, None, format!("cannot read: {e}"))),
        }
    }

    /// Adds rule text; `file` names it in errors.
    pub fn add_str(&mut self, text: &str, file: &Path) {
        self.files += 1;
        let docs = match yaml::parse(text) {
            Ok(d) => d,
            Err(e) => {
                self.errors.push(LoadError::new(file, e.line, e.col, None, format!("YAML syntax: {}", e.message)));
                return;
            }
        };
        match detect(&docs) {
            Some(Dialect::Falco) => self.falco.add(docs, file),
            Some(Dialect::Sigma) => {
                let (rules, corr, errs) = sigma::load(docs, file);
                self.rules.extend(rules);
                self.correlations.extend(corr);
                self.errors.extend(errs);
            }
            None => {
                if docs.iter().all(Node::is_null) {
                    return;
                }
                self.errors.push(LoadError::new(
                    file,
                    docs.first().map_or(0, |d| d.line),
                    1,
                    None,
                    "not a rule file: expected a Falco list of `- rule:`/`- macro:`/`- list:` items, or a Sigma rule with `detection:` or `correlation:`",
                ));
            }
        }
    }

    pub fn finish(mut self) -> RuleSet {
        let (rules, corr, errs) = self.falco.finish();
        self.rules.extend(rules);
        self.correlations.extend(corr);
        self.errors.extend(errs);
        let mut set = RuleSet { rules: self.rules, correlations: self.correlations, errors: self.errors, files: self.files };
        set.link();
        set
    }
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>, errors: &mut Vec<LoadError>, depth: usize) {
    // Guard against symlink loops and absurd trees.
    if depth > 32 {
        errors.push(LoadError::new(dir, 0, 0, None, "directory nesting deeper than 32 levels, not read"));
        return;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            errors.push(LoadError::new(dir, 0, 0, None, format!("cannot read directory: {e}")));
            return;
        }
    };
    for entry in entries.flatten() {
        let p = entry.path();
        let Ok(ft) = entry.file_type() else { continue };
        if ft.is_dir() {
            collect(&p, out, errors, depth + 1);
        } else if p.extension().and_then(|e| e.to_str()).is_some_and(|e| EXTENSIONS.contains(&e)) {
            out.push(p);
        }
    }
}

/// Which dialect a parsed file is written in.
pub fn detect(docs: &[Node]) -> Option<Dialect> {
    let first = docs.iter().find(|d| !d.is_null())?;
    match &first.kind {
        NodeKind::Seq(items) => items
            .iter()
            .any(|i| ["rule", "macro", "list", "required_engine_version", "required_plugin_versions"].iter().any(|k| i.get(k).is_some()))
            .then_some(Dialect::Falco),
        NodeKind::Map(_) => {
            let sigma_doc = |d: &Node| ["detection", "correlation", "action", "title", "logsource"].iter().any(|k| d.get(k).is_some());
            docs.iter().any(sigma_doc).then_some(Dialect::Sigma)
        }
        _ => None,
    }
}

impl RuleSet {
    /// Loads every path; errors are collected, never fatal.
    pub fn load(paths: &[PathBuf]) -> RuleSet {
        let mut b = Builder::default();
        for p in paths {
            b.add_path(p);
        }
        b.finish()
    }

    /// Checks ids are unique and resolves correlation references.
    fn link(&mut self) {
        let mut seen = std::collections::HashMap::new();
        for r in &self.rules {
            if let Some(prev) = seen.insert(r.meta.id.clone(), r.meta.source.clone()) {
                self.errors.push(LoadError::new(
                    &r.meta.source.file,
                    r.meta.source.line,
                    1,
                    Some(&r.meta.id),
                    format!("duplicate rule id; first defined at {}:{}", prev.file.display(), prev.line),
                ));
            }
        }
        // A correlation may reference rules or other correlations, in any file order. Drop those
        // with a missing reference until none is left, so that a chain fails as a whole.
        let mut keep = std::mem::take(&mut self.correlations);
        loop {
            let names: std::collections::HashSet<&str> = self
                .rules
                .iter()
                .flat_map(|r| [Some(r.meta.id.as_str()), r.meta.name.as_deref()])
                .chain(keep.iter().flat_map(|c| [Some(c.meta.id.as_str()), c.meta.name.as_deref()]))
                .flatten()
                .collect();
            let broken: Vec<(usize, String)> = keep
                .iter()
                .enumerate()
                .filter_map(|(i, c)| c.rules.iter().find(|n| !names.contains(n.as_str())).map(|n| (i, n.clone())))
                .collect();
            if broken.is_empty() {
                break;
            }
            for (i, name) in broken.into_iter().rev() {
                let c = keep.remove(i);
                self.errors.push(LoadError::new(
                    &c.meta.source.file,
                    c.meta.source.line,
                    1,
                    Some(&c.meta.id),
                    format!("correlation references rule {name:?}, which is not loaded"),
                ));
            }
        }
        for c in keep.iter().filter(|c| !c.generate) {
            for r in self.rules.iter_mut().filter(|r| c.rules.iter().any(|n| *n == r.meta.id || r.meta.name.as_deref() == Some(n.as_str())))
            {
                r.meta.generate = false;
            }
        }
        self.correlations = keep;
    }
}

/// Loads rules from files or directories.
pub fn load_path(paths: &[PathBuf]) -> RuleSet {
    RuleSet::load(paths)
}

/// Loads rules from text; `file` names it in errors.
pub fn load_str(text: &str, file: &str) -> RuleSet {
    let mut b = Builder::default();
    b.add_str(text, Path::new(file));
    b.finish()
}
