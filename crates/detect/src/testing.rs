//! Running the must-match / must-not-match events embedded in rule files.

use fnwarden_rules::{Rule, RuleSet};

use crate::{Engine, EngineConfig};

/// One embedded test's outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestOutcome {
    pub rule: String,
    /// `file:line` of the test event.
    pub location: String,
    pub should_match: bool,
    pub matched: bool,
}

impl TestOutcome {
    pub fn passed(&self) -> bool {
        self.should_match == self.matched
    }
}

/// Runs every embedded test of every rule and correlation, each against an engine holding only
/// the rule under test (plus, for correlations, the rules they reference).
pub fn run(set: &RuleSet) -> Vec<TestOutcome> {
    let mut out = Vec::new();
    for rule in &set.rules {
        for t in &rule.tests {
            let mut r: Rule = rule.clone();
            r.meta.generate = true;
            r.meta.enabled = true;
            let single = RuleSet { rules: vec![r], ..Default::default() };
            let mut engine = Engine::new(&single, EngineConfig::default());
            let mut alerts = Vec::new();
            engine.process(t.event.clone(), &mut alerts);
            engine.flush(&mut alerts);
            out.push(TestOutcome {
                rule: rule.meta.id.clone(),
                location: format!("{}:{}", rule.meta.source.file.display(), t.line),
                should_match: t.should_match,
                matched: !alerts.is_empty(),
            });
        }
    }
    for c in &set.correlations {
        for t in &c.tests {
            let rules = set
                .rules
                .iter()
                .filter(|r| c.rules.iter().any(|n| *n == r.meta.id || r.meta.name.as_deref() == Some(n.as_str())))
                .map(|r| {
                    let mut r = r.clone();
                    r.meta.generate = false;
                    r.meta.enabled = true;
                    r
                })
                .collect();
            let single = RuleSet { rules, correlations: vec![c.clone()], ..Default::default() };
            let mut engine = Engine::new(&single, EngineConfig::default());
            let mut alerts = Vec::new();
            for ev in &t.events {
                engine.process(ev.clone(), &mut alerts);
            }
            engine.flush(&mut alerts);
            out.push(TestOutcome {
                rule: c.meta.id.clone(),
                location: format!("{}:{}", c.meta.source.file.display(), t.line),
                should_match: t.should_match,
                matched: alerts.iter().any(|a| a.rule.id == c.meta.id),
            });
        }
    }
    out
}
