//! AWS managed policies that hand a function a whole service, or the account.

use fnwarden_project::{Class, Policy, ScanRule, Severity};

use super::Identity;
use crate::draft::{Draft, Drafts};

pub static MANAGED_FULL_ACCESS: ScanRule = ScanRule {
    id: "fnw-scan-iam-managed-full-access",
    title: "Function role has an AWS managed full-access policy",
    severity: Severity::High,
    class: Class::Iam,
    cwe: &[250],
    description: "AdministratorAccess, PowerUserAccess, IAMFullAccess and the `*FullAccess` managed policies grant every action \
                  of a service (or of the account) on every resource. A function needs a handful of actions on its own \
                  resources; the rest is what an attacker gets from one injection.",
    remediation: "Replace the managed policy with an inline policy (or a SAM policy template such as `S3ReadPolicy`) naming \
                  the actions and resources the handler uses.",
};

/// These reach past one service (the account, IAM, every function): Critical, with why.
const ACCOUNT_WIDE: &[(&str, &str)] = &[
    ("AdministratorAccess", "every action in the account"),
    ("PowerUserAccess", "every action in the account but IAM management"),
    ("IAMFullAccess", "every IAM action: it can make itself administrator"),
    ("AWSLambda_FullAccess", "every Lambda action, and passing roles to functions"),
    ("AWSLambdaFullAccess", "every Lambda action, and passing roles to functions"),
];

pub fn check(identity: &Identity<'_>, drafts: &mut Drafts) {
    for policy in &identity.policies {
        let Some((name, severity, what)) = full_access(policy) else { continue };
        let msg = format!("managed policy `{name}` grants {what}");
        drafts.add(
            Draft::new(&MANAGED_FULL_ACCESS, policy.location.clone(), msg).severity(severity).functions(identity.functions.iter().copied()),
        );
    }
}

/// A full-access managed policy: its name, severity and what it grants. Statement rules skip these
/// (their expansion would only repeat this finding).
pub fn full_access(policy: &Policy) -> Option<(&str, Severity, &'static str)> {
    let managed = policy.managed.as_deref()?;
    let name = managed.trim().rsplit('/').next().unwrap_or(managed).trim();
    match ACCOUNT_WIDE.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
        Some((_, what)) => Some((name, Severity::Critical, what)),
        None if name.to_ascii_lowercase().ends_with("fullaccess") => {
            Some((name, Severity::High, "every action of its service on every resource"))
        }
        None => None,
    }
}
