//! IAM: what a function's execution role may do. SAM `Policies` and Serverless `provider.iam`
//! statements (on `Function::policies`) count the same as a declared role's.

mod action;
mod escalation;
mod lateral;
mod managed;
mod trust;
mod wildcard;

use fnwarden_project::{Policy, Project, ScanRule, Statement};

use crate::PostureOptions;
use crate::draft::Drafts;
use crate::text::clip;

pub use action::grant;

pub const RULES: &[&ScanRule] = &[
    &wildcard::WILDCARD_ACTION,
    &wildcard::WILDCARD_RESOURCE,
    &managed::MANAGED_FULL_ACCESS,
    &escalation::PRIVILEGE_ESCALATION,
    &lateral::INVOKE_ANY_FUNCTION,
    &lateral::MODIFY_FUNCTIONS,
    &trust::TRUST_FOREIGN_ACCOUNT,
    &trust::TRUST_ANYONE,
];

/// The permissions one execution role carries, and the functions that run with it. A role that no
/// function names still counts (with no function): it is deployed all the same.
pub struct Identity<'a> {
    pub functions: Vec<&'a str>,
    pub policies: Vec<&'a Policy>,
}

impl<'a> Identity<'a> {
    fn statements(&self) -> impl Iterator<Item = (&'a Policy, &'a Statement)> + '_ {
        self.policies.iter().flat_map(|p| p.statements.iter().map(move |s| (*p, s)))
    }

    /// Allow statements, less those of full-access managed policies (that rule names them).
    pub fn allows(&self) -> impl Iterator<Item = (&'a Policy, &'a Statement)> + '_ {
        self.statements().filter(|(p, s)| s.allow && managed::full_access(p).is_none())
    }

    /// Allow statements the project wrote itself: not AWS's managed policies, whose `*` resources
    /// (`AWSLambdaBasicExecutionRole` on logs) are AWS's design, not the project's choice.
    pub fn own_allows(&self) -> impl Iterator<Item = (&'a Policy, &'a Statement)> + '_ {
        self.statements().filter(|(p, s)| s.allow && p.managed.is_none())
    }
}

fn identities(project: &Project) -> Vec<Identity<'_>> {
    let mut out: Vec<Identity<'_>> = project
        .functions
        .iter()
        .map(|f| {
            let role = f.role.as_deref().and_then(|key| project.role(key));
            let policies = role.into_iter().flat_map(|r| r.policies.iter()).chain(f.policies.iter()).collect();
            Identity { functions: vec![f.name.as_str()], policies }
        })
        .collect();
    for role in &project.roles {
        let used = project.functions.iter().any(|f| f.role.as_deref() == Some(role.key.as_str()));
        if !used {
            out.push(Identity { functions: Vec::new(), policies: role.policies.iter().collect() });
        }
    }
    out
}

pub fn check(project: &Project, opts: &PostureOptions, drafts: &mut Drafts) {
    for identity in identities(project) {
        wildcard::check(&identity, drafts);
        managed::check(&identity, drafts);
        escalation::check(&identity, drafts);
        lateral::check(&identity, drafts);
    }
    trust::check(project, opts, drafts);
}

/// `a, b and c` with each in backticks, at most `limit` named.
pub fn list(items: &[&str], limit: usize) -> String {
    let shown: Vec<String> = items.iter().take(limit).map(|i| format!("`{}`", clip(i))).collect();
    let mut text = shown.join(", ");
    if items.len() > limit {
        text.push_str(&format!(" and {} more", items.len() - limit));
    }
    text
}
