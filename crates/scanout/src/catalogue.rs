//! The rules a report speaks of and the fixed orders every output lists things in.

use std::collections::HashMap;

use fnwarden_project::{Class, ScanReport, ScanRule, Severity};

/// Most severe first: the order of reports and summaries.
pub(crate) const SEVERITIES: [Severity; 5] = [Severity::Critical, Severity::High, Severity::Medium, Severity::Low, Severity::Info];

/// Every class, in the order summaries list them.
pub(crate) const CLASSES: [Class; 9] = [
    Class::Chain,
    Class::Injection,
    Class::Hijack,
    Class::Secret,
    Class::Iam,
    Class::Exposure,
    Class::DenialOfWallet,
    Class::Config,
    Class::Dependency,
];

/// Position in [`CLASSES`]; exhaustive, so a new class fails to compile until it is listed.
pub(crate) fn class_index(class: Class) -> usize {
    match class {
        Class::Chain => 0,
        Class::Injection => 1,
        Class::Hijack => 2,
        Class::Secret => 3,
        Class::Iam => 4,
        Class::Exposure => 5,
        Class::DenialOfWallet => 6,
        Class::Config => 7,
        Class::Dependency => 8,
    }
}

/// Position in [`SEVERITIES`].
pub(crate) fn severity_index(s: Severity) -> usize {
    match s {
        Severity::Critical => 0,
        Severity::High => 1,
        Severity::Medium => 2,
        Severity::Low => 3,
        Severity::Info => 4,
    }
}

/// The rules of a report: those the scan ran, then any a finding names that the list lacks,
/// each once. Formats that index rules (SARIF's `ruleIndex`) index this list.
pub(crate) struct Catalogue {
    pub(crate) rules: Vec<&'static ScanRule>,
    index: HashMap<&'static str, usize>,
}

impl Catalogue {
    pub(crate) fn of(report: &ScanReport) -> Catalogue {
        let mut cat = Catalogue { rules: Vec::new(), index: HashMap::new() };
        for rule in report.rules.iter().copied().chain(report.findings.iter().map(|f| f.rule)) {
            if !cat.index.contains_key(rule.id) {
                cat.index.insert(rule.id, cat.rules.len());
                cat.rules.push(rule);
            }
        }
        cat
    }

    /// Present for every rule of the report's findings, by construction.
    pub(crate) fn index(&self, rule: &ScanRule) -> Option<usize> {
        self.index.get(rule.id).copied()
    }
}

/// Findings per severity, indexed like [`SEVERITIES`].
pub(crate) fn severity_counts(report: &ScanReport) -> [u64; 5] {
    let mut counts = [0; 5];
    for f in &report.findings {
        counts[severity_index(f.severity)] += 1;
    }
    counts
}

/// `1 critical, 2 high`, most severe first, leaving out zeros.
pub(crate) fn describe_counts(counts: &[u64; 5]) -> String {
    let parts: Vec<String> = SEVERITIES.iter().zip(counts).filter(|(_, n)| **n > 0).map(|(s, n)| format!("{n} {}", s.name())).collect();
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_agree_with_their_indices() {
        for (i, s) in SEVERITIES.iter().enumerate() {
            assert_eq!(severity_index(*s), i);
        }
        for (i, c) in CLASSES.iter().enumerate() {
            assert_eq!(class_index(*c), i);
        }
        assert!(SEVERITIES.windows(2).all(|w| w[0] > w[1]), "most severe first");
    }

    #[test]
    fn counts_read_most_severe_first_without_zeros() {
        assert_eq!(describe_counts(&[1, 0, 2, 0, 3]), "1 critical, 2 medium, 3 info");
        assert_eq!(describe_counts(&[0; 5]), "");
    }
}
