//! Statements that allow more than they name: every action, a whole service, `NotAction`, or
//! every resource.

use fnwarden_project::{Class, ScanRule, Severity, Statement};

use super::action::is_broad_pattern;
use super::{Identity, list};
use crate::account::Arn;
use crate::draft::{Draft, Drafts};
use crate::text::clip;

pub static WILDCARD_ACTION: ScanRule = ScanRule {
    id: "fnw-scan-iam-wildcard-action",
    title: "IAM statement allows every action of a service, or every action",
    severity: Severity::High,
    class: Class::Iam,
    cwe: &[250, 732],
    description: "An Allow statement on a function's role with `*`, a service wildcard such as `s3:*`, or `NotAction` grants far \
                  more than the handler uses. Whoever gets code running in the function (an injection, a malicious \
                  dependency) inherits all of it.",
    remediation: "List the actions the handler calls (`s3:GetObject`, `dynamodb:PutItem`, …) instead of wildcards, and replace \
                  `NotAction` with an explicit `Action` list.",
};

pub static WILDCARD_RESOURCE: ScanRule = ScanRule {
    id: "fnw-scan-iam-wildcard-resource",
    title: "IAM statement applies to every resource",
    severity: Severity::Medium,
    class: Class::Iam,
    cwe: &[732],
    description: "An Allow statement on a function's role with `Resource: \"*\"` (or an ARN whose resource part is `*`) lets the \
                  function act on every bucket, table or queue of the account, not only its own.",
    remediation: "Name the resources: the bucket's or table's ARN (`!GetAtt Table.Arn`, `aws_s3_bucket.x.arn`), with a \
                  `/*` suffix for objects where needed.",
};

/// Actions IAM only grants on `*`: they have no resource type, so `Resource: "*"` is the only form.
const RESOURCELESS: &[&str] = &[
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
    "xray:GetSamplingStatisticSummaries",
    "cloudwatch:PutMetricData",
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
    "ec2:DescribeSubnets",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeVpcs",
    "sts:GetCallerIdentity",
    "s3:ListAllMyBuckets",
    "logs:DescribeLogGroups",
    "ssm:DescribeParameters",
    "secretsmanager:ListSecrets",
    "kms:ListKeys",
    "kms:ListAliases",
    "sqs:ListQueues",
    "sns:ListTopics",
    "dynamodb:ListTables",
    "lambda:ListFunctions",
    "lambda:GetAccountSettings",
    "iam:ListRoles",
    "cloudwatch:GetMetricData",
    "cloudwatch:ListMetrics",
];

pub fn check(identity: &Identity<'_>, drafts: &mut Drafts) {
    for (policy, s) in identity.own_allows() {
        let actions: Vec<&str> = s.actions.iter().map(String::as_str).collect();
        let full = s.not_action || actions.iter().any(|a| is_full(a));
        if s.not_action {
            let msg = format!("policy {} allows every action except {} (`NotAction`)", clip(&policy.name), list(&actions, 6));
            let sev = if covers_everything(s) { Severity::Critical } else { Severity::High };
            drafts.add(Draft::new(&WILDCARD_ACTION, s.location.clone(), msg).severity(sev).functions(identity.functions.iter().copied()));
        } else {
            let broad: Vec<&str> = actions.iter().copied().filter(|a| is_broad_pattern(a)).collect();
            if !broad.is_empty() {
                let sev = if full { Severity::Critical } else { Severity::High };
                let what = if full { "every action" } else { "every action of whole services" };
                let msg = format!("policy {} allows {what}: {}", clip(&policy.name), list(&broad, 6));
                drafts
                    .add(Draft::new(&WILDCARD_ACTION, s.location.clone(), msg).severity(sev).functions(identity.functions.iter().copied()));
            }
        }
        if full {
            continue;
        }
        let wild: Vec<&str> = s.resources.iter().map(String::as_str).filter(|r| is_wildcard_resource(r)).collect();
        let scoped: Vec<&str> = actions.iter().copied().filter(|a| !is_resourceless(a)).collect();
        if wild.is_empty() || scoped.is_empty() {
            continue;
        }
        let msg = format!("policy {} allows {} on {}", clip(&policy.name), list(&scoped, 6), list(&wild, 3));
        // Writing to any log group is the usual Lambda logging boilerplate: worth tightening, rarely a breach.
        let logs_only = scoped.iter().all(|a| a.trim().to_ascii_lowercase().starts_with("logs:"));
        let severity = if logs_only { Severity::Low } else { WILDCARD_RESOURCE.severity };
        drafts
            .add(Draft::new(&WILDCARD_RESOURCE, s.location.clone(), msg).severity(severity).functions(identity.functions.iter().copied()));
    }
}

fn is_full(action: &str) -> bool {
    matches!(action.trim(), "*" | "*:*")
}

fn covers_everything(s: &Statement) -> bool {
    s.resources.iter().any(|r| r.trim() == "*")
}

fn is_resourceless(action: &str) -> bool {
    RESOURCELESS.iter().any(|r| r.eq_ignore_ascii_case(action.trim()))
}

/// `*`, `arn:aws:s3:::*`, `arn:aws:dynamodb:*:*:table/*`, `arn:aws:lambda:*:*:function:*`; not a
/// named resource in any region (`arn:aws:sqs:*:*:orders`) nor a bucket's objects (`…:::b/*`).
pub fn is_wildcard_resource(resource: &str) -> bool {
    let r = resource.trim();
    if r == "*" {
        return true;
    }
    let Some(Arn { service, resource: part, .. }) = Arn::parse(r) else { return false };
    if part.starts_with('*') {
        return true;
    }
    if service == "s3" {
        return false;
    }
    part.split_once(['/', ':'])
        .is_some_and(|(kind, rest)| rest == "*" && !kind.is_empty() && kind.bytes().all(|b| b.is_ascii_alphabetic() || b == b'-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcard_resources() {
        assert!(is_wildcard_resource("*"));
        assert!(is_wildcard_resource("arn:aws:s3:::*"));
        assert!(is_wildcard_resource("arn:aws:s3:::*/*"));
        assert!(is_wildcard_resource("arn:aws:dynamodb:*:*:table/*"));
        assert!(is_wildcard_resource("arn:aws:lambda:us-east-1:123456789012:function:*"));
        assert!(!is_wildcard_resource("arn:aws:s3:::uploads/*"));
        assert!(!is_wildcard_resource("arn:aws:sqs:*:*:orders"));
        assert!(!is_wildcard_resource("arn:aws:dynamodb:*:*:table/orders"));
        assert!(!is_wildcard_resource("!GetAtt Table.Arn"));
        assert!(!is_wildcard_resource("${UploadsBucket.Arn}/*"));
        assert!(!is_wildcard_resource("arn:aws"));
    }
}
