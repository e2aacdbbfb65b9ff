use serde::Serialize;

use crate::Severity;

/// What a finding is about; reports group by it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    /// Attacker-controlled data reaches a dangerous sink in the code.
    Injection,
    /// A public trigger feeds a handler with a tainted sink: the whole chain.
    Chain,
    /// Over-privileged or escalation-prone IAM.
    Iam,
    /// Anyone can reach the function (routes, URLs, permissions).
    Exposure,
    /// Denial-of-Wallet exposure: unbounded cost under attack.
    DenialOfWallet,
    /// Other configuration weaknesses (runtimes, env injection, layers).
    Config,
    Secret,
    Dependency,
    /// Code that hijacks the runtime or persists across invocations.
    Hijack,
}

impl Class {
    pub fn name(self) -> &'static str {
        match self {
            Class::Injection => "injection",
            Class::Chain => "chain",
            Class::Iam => "iam",
            Class::Exposure => "exposure",
            Class::DenialOfWallet => "denial-of-wallet",
            Class::Config => "config",
            Class::Secret => "secret",
            Class::Dependency => "dependency",
            Class::Hijack => "hijack",
        }
    }
}

/// One static-analysis rule. Analysers declare theirs as `static` items and export the list, so
/// the catalogue (docs, SARIF rule metadata, `--help`) is built from the code that raises them.
#[derive(Debug, Serialize)]
pub struct ScanRule {
    /// `fnw-scan-…`, stable: baselines and suppressions name it.
    pub id: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    pub class: Class,
    /// CWE numbers, for SARIF and SonarQube.
    pub cwe: &'static [u32],
    pub description: &'static str,
    pub remediation: &'static str,
}

impl PartialEq for ScanRule {
    fn eq(&self, other: &ScanRule) -> bool {
        self.id == other.id
    }
}
