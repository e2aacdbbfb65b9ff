//! Where a command's rules come from: the built-in pack and `--rules` paths.

use std::path::PathBuf;

use anyhow::bail;
use fnwarden_rules::RuleSet;
use fnwarden_rules::ruleset::Builder;

use crate::builtin;

#[derive(clap::Args, Debug)]
pub struct RuleArgs {
    /// Rule file or directory (every .yaml/.yml below it); Falco-style or Sigma, detected per
    /// file. Repeatable; added to the built-in rules.
    #[arg(long = "rules", value_name = "PATH")]
    pub rules: Vec<PathBuf>,
    /// Leave out the built-in rule pack.
    #[arg(long)]
    pub no_builtin: bool,
    /// Turn off the rule or correlation with this id (or Sigma name), built in or loaded with
    /// --rules, for example a SigmaHQ rule too broad for your traffic. Repeatable.
    #[arg(long = "disable", value_name = "ID")]
    pub disable: Vec<String>,
}

impl RuleArgs {
    /// Loads the rules. A path that does not exist is a usage error; a bad rule is not (it is in
    /// `RuleSet::errors`).
    pub fn load(&self) -> anyhow::Result<RuleSet> {
        self.load_with(&[])
    }

    /// Loads the rules plus rule texts a command always needs (`(text, name in errors)`).
    pub fn load_with(&self, extra: &[(&str, &str)]) -> anyhow::Result<RuleSet> {
        for p in &self.rules {
            if !p.exists() {
                bail!("--rules {}: no such file or directory", p.display());
            }
        }
        let mut b = Builder::default();
        if !self.no_builtin {
            builtin::add(&mut b);
        }
        for (text, name) in extra {
            b.add_str(text, std::path::Path::new(name));
        }
        for p in &self.rules {
            b.add_path(p);
        }
        let mut set = b.finish();
        for id in &self.disable {
            let named = |m: &fnwarden_rules::RuleMeta| m.id == *id || m.name.as_deref() == Some(id.as_str());
            let mut found = false;
            for m in set.rules.iter_mut().map(|r| &mut r.meta).chain(set.correlations.iter_mut().map(|c| &mut c.meta)) {
                if named(m) {
                    m.enabled = false;
                    found = true;
                }
            }
            if !found {
                bail!("--disable {id}: no loaded rule or correlation has this id or name (`fnwarden rules list` shows them)");
            }
        }
        Ok(set)
    }
}

/// Rule load errors named one by one (`rules validate` lists them all).
pub const RULE_ERRORS_SHOWN: usize = 20;

/// Reports load errors (the first [`RULE_ERRORS_SHOWN`]); with `strict`, any error fails.
pub fn check(set: &RuleSet, strict: bool) -> anyhow::Result<()> {
    report_errors(set, Some(RULE_ERRORS_SHOWN));
    if strict && !set.errors.is_empty() {
        bail!("{} rule errors (--strict)", set.errors.len());
    }
    Ok(())
}

/// Prints load errors on stderr, at most `cap` of them (all with `None`), then how many more.
pub fn report_errors(set: &RuleSet, cap: Option<usize>) {
    let shown = cap.unwrap_or(usize::MAX).min(set.errors.len());
    for e in &set.errors[..shown] {
        eprintln!("{e}");
    }
    if shown < set.errors.len() {
        eprintln!("… and {} more rule errors (`fnwarden rules validate PATH` lists them all)", set.errors.len() - shown);
    }
}
