//! Roles that reach other functions: invoke any of them, or change their code and configuration.
//! Broad patterns (`*`, `lambda:*`) are left to the wildcard rule, which already names them.

use fnwarden_project::{Class, ScanRule, Severity};

use super::action::{Grant, grant};
use super::wildcard::is_wildcard_resource;
use super::{Identity, list};
use crate::draft::{Draft, Drafts};
use crate::text::clip;

pub static INVOKE_ANY_FUNCTION: ScanRule = ScanRule {
    id: "fnw-scan-iam-invoke-any-function",
    title: "Function role can invoke every function",
    severity: Severity::Medium,
    class: Class::Iam,
    cwe: &[732],
    description: "`lambda:InvokeFunction` on `*` lets a compromised function call every function of the account with input it \
                  chooses, including internal ones that trust their callers.",
    remediation: "Scope the statement to the ARNs of the functions this one calls (`!GetAtt Worker.Arn`, \
                  `aws_lambda_function.worker.arn`).",
};

pub static MODIFY_FUNCTIONS: ScanRule = ScanRule {
    id: "fnw-scan-iam-modify-functions",
    title: "Function role can change functions' code or configuration",
    severity: Severity::High,
    class: Class::Iam,
    cwe: &[269, 732],
    description: "A role allowed to update function code or configuration, add invoke permissions or function URLs can plant \
                  code in other functions (and their roles) or open them to the internet: one compromised function \
                  becomes all of them.",
    remediation: "Remove these actions from run-time roles; deployments belong to the CI role. If a function must manage \
                  another, scope it to that function's ARN.",
};

const INVOKE: &[&str] = &["lambda:InvokeFunction", "lambda:InvokeAsync", "lambda:InvokeFunctionUrl"];

const MODIFY: &[&str] = &[
    "lambda:UpdateFunctionCode",
    "lambda:UpdateFunctionConfiguration",
    "lambda:AddPermission",
    "lambda:CreateFunctionUrlConfig",
    "lambda:UpdateFunctionUrlConfig",
    "lambda:UpdateAlias",
    "lambda:DeleteFunction",
];

pub fn check(identity: &Identity<'_>, drafts: &mut Drafts) {
    for (policy, s) in identity.allows() {
        let granted = |actions: &[&'static str]| -> Vec<&'static str> {
            actions.iter().copied().filter(|a| grant(s, a).is_some_and(|g| !Grant::is_broad(g))).collect()
        };
        let wild: Vec<&str> = s.resources.iter().map(String::as_str).filter(|r| is_wildcard_resource(r)).collect();
        let invoke = granted(INVOKE);
        if !invoke.is_empty() && !wild.is_empty() {
            let msg = format!("policy {} allows {} on {}", clip(&policy.name), list(&invoke, 3), list(&wild, 3));
            drafts.add(Draft::new(&INVOKE_ANY_FUNCTION, s.location.clone(), msg).functions(identity.functions.iter().copied()));
        }
        let modify = granted(MODIFY);
        if !modify.is_empty() {
            let resources: Vec<&str> = s.resources.iter().map(String::as_str).collect();
            let on = if wild.is_empty() { list(&resources, 3) } else { format!("every function ({})", list(&wild, 3)) };
            let msg = format!("policy {} allows {} on {on}", clip(&policy.name), list(&modify, 7));
            let severity = if wild.is_empty() { Severity::Medium } else { Severity::High };
            drafts.add(
                Draft::new(&MODIFY_FUNCTIONS, s.location.clone(), msg).severity(severity).functions(identity.functions.iter().copied()),
            );
        }
    }
}
