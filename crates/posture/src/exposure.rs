//! Who can reach a function from outside: routes without an authorizer, function URLs without
//! auth, resource-based permissions for anyone or for other accounts.

use fnwarden_project::{Class, Permission, Project, ScanRule, Severity, TriggerKind};

use crate::PostureOptions;
use crate::account::{is_anyone, is_service_principal, literal_account};
use crate::draft::{Draft, Drafts};
use crate::text::clip;

pub static UNAUTHENTICATED_ROUTE: ScanRule = ScanRule {
    id: "fnw-scan-exposure-unauthenticated-route",
    title: "HTTP route reaches the function without authentication",
    severity: Severity::Medium,
    class: Class::Exposure,
    cwe: &[306],
    description: "An API Gateway or ALB route with no authorizer lets anyone on the internet send the function any input, as \
                  often as they like. Every flaw in the handler is then reachable anonymously.",
    remediation: "Add an authorizer (IAM, Cognito, JWT or a Lambda authorizer) to the route, or document why it is public and \
                  validate its input strictly.",
};

pub static PUBLIC_FUNCTION_URL: ScanRule = ScanRule {
    id: "fnw-scan-exposure-public-function-url",
    title: "Function URL with AuthType NONE",
    severity: Severity::High,
    class: Class::Exposure,
    cwe: &[306],
    description: "A function URL with `AuthType: NONE` is a public HTTPS endpoint with no API Gateway in front: no \
                  authorizer, no throttling, no WAF. Anyone who finds the URL invokes the function at will.",
    remediation: "Use `AuthType: AWS_IAM` (sign the requests), or put the function behind API Gateway with an authorizer and \
                  throttling.",
};

pub static PUBLIC_PERMISSION: ScanRule = ScanRule {
    id: "fnw-scan-exposure-public-permission",
    title: "Lambda permission lets anyone invoke the function",
    severity: Severity::High,
    class: Class::Exposure,
    cwe: &[284],
    description: "A resource-based permission with principal `*` and no `SourceArn` or `SourceAccount` lets any AWS account \
                  invoke the function directly.",
    remediation: "Name the principal (a service such as `apigateway.amazonaws.com`, or an account) and set `SourceArn` to the \
                  resource that may call it.",
};

pub static FOREIGN_PERMISSION: ScanRule = ScanRule {
    id: "fnw-scan-exposure-foreign-permission",
    title: "Lambda permission lets an outside account invoke the function",
    severity: Severity::Medium,
    class: Class::Exposure,
    cwe: &[284],
    description: "A resource-based permission names an account id that is not one of yours, without a `SourceArn` or \
                  `SourceAccount` to narrow it: that account can invoke the function with any input.",
    remediation: "Remove the permission, or scope it with `SourceArn`; list the account with `--own-account` if it is yours.",
};

pub static UNSCOPED_SERVICE_PERMISSION: ScanRule = ScanRule {
    id: "fnw-scan-exposure-unscoped-service-permission",
    title: "Lambda permission for a service without SourceArn or SourceAccount",
    severity: Severity::Medium,
    class: Class::Exposure,
    cwe: &[441],
    description: "A permission for a service principal (`s3.amazonaws.com`, `sns.amazonaws.com`, …) with neither `SourceArn` nor \
                  `SourceAccount` lets that service invoke the function on behalf of any resource in any account: a bucket \
                  or topic someone else owns can trigger it (confused deputy).",
    remediation: "Set `SourceArn` to the bucket, topic or API that triggers the function (and `SourceAccount` for S3).",
};

pub static PUBLIC_URL_PERMISSION: ScanRule = ScanRule {
    id: "fnw-scan-exposure-public-url-permission",
    title: "Lambda permission for lambda:InvokeFunctionUrl with auth type NONE",
    severity: Severity::High,
    class: Class::Exposure,
    cwe: &[306],
    description: "`lambda:InvokeFunctionUrl` with `FunctionUrlAuthType: NONE` is what makes a function URL public: anyone can \
                  call it without signing the request.",
    remediation: "Use `AWS_IAM` as the URL's auth type and grant `lambda:InvokeFunctionUrl` to the callers' roles only.",
};

pub const RULES: &[&ScanRule] = &[
    &UNAUTHENTICATED_ROUTE,
    &PUBLIC_FUNCTION_URL,
    &PUBLIC_PERMISSION,
    &FOREIGN_PERMISSION,
    &UNSCOPED_SERVICE_PERMISSION,
    &PUBLIC_URL_PERMISSION,
];

pub fn check(project: &Project, opts: &PostureOptions, drafts: &mut Drafts) {
    for f in &project.functions {
        let url_at = f.url.as_ref().map(|u| &u.location);
        for t in f.triggers.iter().filter(|t| t.kind == TriggerKind::Http && t.public) {
            // A reader may model the URL as an HTTP trigger too; the URL rule covers it.
            if Some(&t.location) == url_at {
                continue;
            }
            let msg = format!("route `{}` invokes function {} without an authorizer", clip(&t.detail), f.name);
            drafts.add(Draft::new(&UNAUTHENTICATED_ROUTE, t.location.clone(), msg).functions([f.name.as_str()]));
        }
        if let Some(url) = f.url.as_ref().filter(|u| u.auth_none) {
            let msg = format!("function {} has a public function URL (AuthType NONE)", f.name);
            drafts.add(Draft::new(&PUBLIC_FUNCTION_URL, url.location.clone(), msg).functions([f.name.as_str()]));
        }
    }
    for p in &project.permissions {
        if let Some(draft) = permission(p, opts) {
            drafts.add(draft.functions(p.function.as_deref()));
        }
    }
}

fn permission(p: &Permission, opts: &PostureOptions) -> Option<Draft> {
    let target = p.function.as_deref().map_or_else(|| "the function".to_owned(), |f| format!("function {f}"));
    let principal = p.principal.trim();
    let shown = clip(principal);
    let url_none = p.action.trim().eq_ignore_ascii_case("lambda:InvokeFunctionUrl")
        && p.url_auth_type.as_deref().is_some_and(|a| a.trim().eq_ignore_ascii_case("NONE"));
    if url_none {
        let msg = format!("`{}` for principal `{shown}` with auth type NONE makes the URL of {target} public", clip(&p.action));
        return Some(Draft::new(&PUBLIC_URL_PERMISSION, p.location.clone(), msg));
    }
    let scoped = p.source_arn.is_some() || p.source_account.is_some();
    if scoped {
        return None;
    }
    if is_anyone(principal) {
        let msg = format!("`{}` for principal `*` lets any account invoke {target}", clip(&p.action));
        return Some(Draft::new(&PUBLIC_PERMISSION, p.location.clone(), msg));
    }
    if is_service_principal(principal) {
        let msg =
            format!("`{}` for `{shown}` has no SourceArn or SourceAccount: any {shown} resource can invoke {target}", clip(&p.action));
        return Some(Draft::new(&UNSCOPED_SERVICE_PERMISSION, p.location.clone(), msg));
    }
    let account = literal_account(principal).filter(|a| !opts.is_own_account(a))?;
    let msg = format!("`{}` for account {account} (`{shown}`), not one of yours, on {target}", clip(&p.action));
    Some(Draft::new(&FOREIGN_PERMISSION, p.location.clone(), msg))
}
