//! Who may assume a function's role: the trust policy.

use fnwarden_project::{Class, Project, ScanRule, Severity};

use crate::PostureOptions;
use crate::account::{is_anyone, literal_account};
use crate::draft::{Draft, Drafts};
use crate::text::clip;

pub static TRUST_FOREIGN_ACCOUNT: ScanRule = ScanRule {
    id: "fnw-scan-iam-trust-foreign-account",
    title: "Role trust policy names an outside account",
    severity: Severity::High,
    class: Class::Iam,
    cwe: &[250, 284],
    description: "The role can be assumed from an account id hard-coded in its trust policy that is not one of yours. Whoever \
                  controls that account gets the function's permissions, without deploying anything.",
    remediation: "Remove the foreign principal, or, if the access is intended, pass the account id as a parameter, require an \
                  `sts:ExternalId` condition, and list the account with `--own-account` once it is yours.",
};

pub static TRUST_ANYONE: ScanRule = ScanRule {
    id: "fnw-scan-iam-trust-anyone",
    title: "Role trust policy allows any principal",
    severity: Severity::Critical,
    class: Class::Iam,
    cwe: &[284],
    description: "`Principal: \"*\"` (or `AWS: \"*\"`) in a trust policy lets any AWS identity, in any account, assume the role \
                  unless a condition stops it.",
    remediation: "Trust `lambda.amazonaws.com` (and the accounts that really need the role) only.",
};

pub fn check(project: &Project, opts: &PostureOptions, drafts: &mut Drafts) {
    for role in &project.roles {
        let users = project.functions.iter().filter(|f| f.role.as_deref() == Some(role.key.as_str())).map(|f| f.name.as_str());
        let users: Vec<&str> = users.collect();
        for s in role.trust.iter().filter(|s| s.allow) {
            for principal in &s.principals {
                let draft = if is_anyone(principal) {
                    let (severity, note) =
                        if s.conditional { (Severity::Medium, ", limited only by its condition") } else { (Severity::Critical, "") };
                    Draft::new(
                        &TRUST_ANYONE,
                        s.location.clone(),
                        format!("role {} can be assumed by any principal (`*`){note}", clip(&role.key)),
                    )
                    .severity(severity)
                } else if let Some(account) = literal_account(principal).filter(|a| !opts.is_own_account(a)) {
                    Draft::new(
                        &TRUST_FOREIGN_ACCOUNT,
                        s.location.clone(),
                        format!("role {} can be assumed from account {account} (`{}`), not one of yours", clip(&role.key), clip(principal)),
                    )
                } else {
                    continue;
                };
                drafts.add(draft.functions(users.iter().copied()));
            }
        }
    }
}
