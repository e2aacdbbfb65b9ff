//! Privilege escalation: actions that, together, let the role give itself (or a function it
//! creates) more than it was given. The paths are the well-known IAM escalation methods.

use std::collections::BTreeMap;

use fnwarden_project::{Class, Location, Policy, ScanRule, Severity, Statement, TraceStep};

use super::action::{Grant, grant};
use super::wildcard::is_wildcard_resource;
use super::{Identity, list};
use crate::draft::{Draft, Drafts};
use crate::text::clip;

pub static PRIVILEGE_ESCALATION: ScanRule = ScanRule {
    id: "fnw-scan-iam-privilege-escalation",
    title: "Function role can escalate its own privileges",
    severity: Severity::High,
    class: Class::Iam,
    cwe: &[269],
    description: "The role holds a combination of actions that lets it gain more privileges than it was given: pass a role to a \
                  function it creates and run it, rewrite or attach policies, mint access keys, assume any role. Code \
                  execution in the function becomes control of the account.",
    remediation: "Remove the IAM and role-passing actions from the function's role; a function at run time almost never needs \
                  them. Where one is needed, scope `iam:PassRole` to one role ARN with an `iam:PassedToService` condition.",
};

/// One escalation method: every group must be granted (any action of a group will do).
struct Path {
    groups: &'static [&'static [&'static str]],
    /// The actions must be granted on every resource (`sts:AssumeRole` on `*`).
    on_any_resource: bool,
    what: &'static str,
}

const PASS_ROLE: &[&str] = &["iam:PassRole"];

const PATHS: &[Path] = &[
    Path {
        groups: &[
            PASS_ROLE,
            &["lambda:CreateFunction"],
            &["lambda:InvokeFunction", "lambda:CreateEventSourceMapping", "lambda:AddPermission", "lambda:CreateFunctionUrlConfig"],
        ],
        on_any_resource: false,
        what: "can create a function with a more privileged role and run it",
    },
    Path {
        groups: &[PASS_ROLE, &["lambda:UpdateFunctionConfiguration"]],
        on_any_resource: false,
        what: "can give an existing function a more privileged role",
    },
    Path { groups: &[PASS_ROLE, &["ec2:RunInstances"]], on_any_resource: false, what: "can start an instance with a more privileged role" },
    Path {
        groups: &[PASS_ROLE, &["cloudformation:CreateStack", "cloudformation:UpdateStack", "cloudformation:CreateChangeSet"]],
        on_any_resource: false,
        what: "can have CloudFormation deploy anything with a more privileged role",
    },
    Path {
        groups: &[PASS_ROLE, &["glue:CreateDevEndpoint", "glue:CreateJob"]],
        on_any_resource: false,
        what: "can run Glue code with a more privileged role",
    },
    Path {
        groups: &[PASS_ROLE, &["codebuild:CreateProject"]],
        on_any_resource: false,
        what: "can run a build with a more privileged role",
    },
    Path { groups: &[&["iam:CreatePolicyVersion"]], on_any_resource: false, what: "can rewrite a managed policy it holds" },
    Path {
        groups: &[&["iam:SetDefaultPolicyVersion"]],
        on_any_resource: false,
        what: "can switch a policy it holds to a more permissive version",
    },
    Path {
        groups: &[&["iam:AttachRolePolicy", "iam:AttachUserPolicy", "iam:AttachGroupPolicy"]],
        on_any_resource: false,
        what: "can attach AdministratorAccess to itself",
    },
    Path {
        groups: &[&["iam:PutRolePolicy", "iam:PutUserPolicy", "iam:PutGroupPolicy"]],
        on_any_resource: false,
        what: "can write itself an inline policy allowing anything",
    },
    Path { groups: &[&["iam:CreateAccessKey"]], on_any_resource: false, what: "can mint long-lived keys for other users" },
    Path {
        groups: &[&["iam:CreateLoginProfile", "iam:UpdateLoginProfile"]],
        on_any_resource: false,
        what: "can set console passwords for other users",
    },
    Path { groups: &[&["iam:AddUserToGroup"]], on_any_resource: false, what: "can join a more privileged group" },
    Path {
        groups: &[&["iam:UpdateAssumeRolePolicy"]],
        on_any_resource: false,
        what: "can let itself (or anyone) assume a more privileged role",
    },
    Path { groups: &[&["sts:AssumeRole"]], on_any_resource: true, what: "can assume any role that trusts the account" },
];

/// The statement that satisfied one group of a path.
struct Step<'a> {
    action: &'static str,
    grant: Grant<'a>,
    policy: &'a Policy,
    statement: &'a Statement,
}

pub fn check(identity: &Identity<'_>, drafts: &mut Drafts) {
    // Paths met only through `*`, `iam:*` or `NotAction` on one set of statements are one finding:
    // a dozen findings on the same `iam:*` line say nothing more than one.
    let mut broad: BTreeMap<Vec<Location>, (Vec<Step<'_>>, Vec<&'static str>)> = BTreeMap::new();
    for path in PATHS {
        let Some(steps) = satisfy(identity, path) else { continue };
        if steps.iter().all(|s| s.grant.is_broad()) {
            let mut key: Vec<Location> = steps.iter().map(|s| s.statement.location.clone()).collect();
            key.sort();
            key.dedup();
            let entry = broad.entry(key).or_insert_with(|| (Vec::new(), Vec::new()));
            if entry.0.is_empty() {
                entry.0 = steps;
            }
            entry.1.push(path.what);
            continue;
        }
        let actions: Vec<&str> = steps.iter().map(|s| s.action).collect();
        let msg = format!("{}: {}", joined(&actions), path.what);
        add(identity, drafts, &steps, msg);
    }
    for (_, (steps, whats)) in broad {
        let grants: Vec<String> = steps.iter().map(|s| s.grant.describe()).collect();
        let mut grants: Vec<&str> = grants.iter().map(String::as_str).collect();
        grants.dedup();
        let paths = if whats.len() == 1 { "an escalation path".to_owned() } else { format!("{} escalation paths", whats.len()) };
        let msg = format!("{} opens {paths}: it {}", grants.join(" with "), whats.join("; "));
        add(identity, drafts, &steps, msg);
    }
}

fn add(identity: &Identity<'_>, drafts: &mut Drafts, steps: &[Step<'_>], msg: String) {
    let Some(first) = steps.first() else { return };
    let trace = steps
        .iter()
        .map(|s| TraceStep {
            location: s.statement.location.clone(),
            note: format!("policy {} grants `{}` through {}", clip(&s.policy.name), s.action, s.grant.describe()),
        })
        .collect();
    drafts.add(
        Draft::new(&PRIVILEGE_ESCALATION, first.statement.location.clone(), msg).trace(trace).functions(identity.functions.iter().copied()),
    );
}

/// The statements that meet each group, preferring ones that name the action over `*` or
/// `NotAction`, so a named grant is reported as such.
fn satisfy<'a>(identity: &Identity<'a>, path: &Path) -> Option<Vec<Step<'a>>> {
    path.groups
        .iter()
        .map(|group| {
            let mut steps = identity.allows().filter_map(|(policy, statement)| {
                if path.on_any_resource && !statement.resources.iter().any(|r| is_wildcard_resource(r)) {
                    return None;
                }
                group.iter().find_map(|&action| grant(statement, action).map(|grant| Step { action, grant, policy, statement }))
            });
            let first = steps.next()?;
            if !first.grant.is_broad() {
                return Some(first);
            }
            Some(steps.find(|s| !s.grant.is_broad()).unwrap_or(first))
        })
        .collect()
}

fn joined(actions: &[&str]) -> String {
    match actions {
        [one] => format!("`{one}`"),
        [first, rest @ ..] => format!("`{first}` with {}", list(rest, 4).replace(", ", " and ")),
        [] => String::new(),
    }
}
