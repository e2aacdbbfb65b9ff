//! IAM rules over hand-built project models: must-match and must-not-match for each.

mod common;

use common::*;
use fnwarden_project::{Project, Severity};

fn with_policies(statements: Vec<fnwarden_project::Statement>) -> Project {
    let mut f = function("Api", 10);
    f.policies = vec![inline("ApiPolicy", 20, statements)];
    project(vec![f])
}

#[test]
fn wildcard_actions_on_sam_policies() {
    let p = with_policies(vec![
        allow(21, &["*"], &["*"]),
        allow(22, &["s3:*"], &["arn:aws:s3:::uploads/*"]),
        allow(23, &["dynamodb:GetItem", "dynamodb:PutItem"], &["!GetAtt Table.Arn"]),
        allow(24, &["s3:Get*"], &["arn:aws:s3:::uploads/*"]),
        deny(25, &["*"], &["*"]),
    ]);
    let found = run(&p);
    assert_eq!(of(&found, "fnw-scan-iam-wildcard-action"), vec![named(21, "Api"), named(22, "Api")]);
    let full = found.iter().find(|f| f.location.line == 21 && f.rule.id == "fnw-scan-iam-wildcard-action").unwrap();
    assert_eq!(full.severity, Severity::Critical);
    assert!(messages(&found, "fnw-scan-iam-wildcard-action")[1].contains("`s3:*`"));
}

#[test]
fn not_action_counts_as_broad() {
    let mut s = allow(21, &["iam:*"], &["*"]);
    s.not_action = true;
    let found = run(&with_policies(vec![s]));
    assert_eq!(of(&found, "fnw-scan-iam-wildcard-action"), vec![named(21, "Api")]);
    assert!(messages(&found, "fnw-scan-iam-wildcard-action")[0].contains("NotAction"));
    // Every resource with everything but IAM: the resource rule does not repeat it.
    assert!(of(&found, "fnw-scan-iam-wildcard-resource").is_empty());
}

#[test]
fn wildcard_resources_except_resourceless_actions() {
    let p = with_policies(vec![
        allow(21, &["s3:GetObject"], &["*"]),
        allow(22, &["dynamodb:Query"], &["arn:aws:dynamodb:*:*:table/*"]),
        allow(23, &["xray:PutTraceSegments", "xray:PutTelemetryRecords"], &["*"]),
        allow(24, &["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface"], &["*"]),
        allow(25, &["s3:GetObject"], &["arn:aws:s3:::uploads/*"]),
        allow(26, &["sqs:SendMessage"], &["arn:aws:sqs:*:*:orders"]),
        allow(27, &["logs:CreateLogStream", "logs:PutLogEvents"], &["*"]),
    ]);
    let found = run(&p);
    assert_eq!(of(&found, "fnw-scan-iam-wildcard-resource"), vec![named(21, "Api"), named(22, "Api"), named(27, "Api")]);
    let sev: Vec<Severity> = found.iter().filter(|f| f.rule.id == "fnw-scan-iam-wildcard-resource").map(|f| f.severity).collect();
    assert_eq!(sev, vec![Severity::Medium, Severity::Medium, Severity::Low]);
}

#[test]
fn serverless_provider_statements_shared_by_functions_are_one_finding() {
    let shared = inline("provider.iam.role.statements", 5, vec![allow(6, &["dynamodb:*"], &["*"])]);
    let mut a = function("create", 20);
    a.policies = vec![shared.clone()];
    let mut b = function("list", 30);
    b.policies = vec![shared];
    let found = run(&project(vec![a, b]));
    assert_eq!(of(&found, "fnw-scan-iam-wildcard-action"), vec![(6, None)]);
    assert!(messages(&found, "fnw-scan-iam-wildcard-action")[0].ends_with("(functions create, list)"));
}

#[test]
fn declared_roles_and_unused_roles() {
    let mut f = function("Worker", 10);
    f.role = Some("WorkerRole".into());
    let mut p = project(vec![f]);
    p.roles = vec![
        role("WorkerRole", 40, vec![], vec![inline("worker", 41, vec![allow(42, &["sqs:*"], &["!GetAtt Queue.Arn"])])]),
        role("Orphan", 50, vec![], vec![inline("orphan", 51, vec![allow(52, &["*"], &["*"])])]),
    ];
    let found = run(&p);
    assert_eq!(of(&found, "fnw-scan-iam-wildcard-action"), vec![named(42, "Worker"), (52, None)]);
}

#[test]
fn managed_full_access_by_name_or_arn() {
    let mut f = function("Api", 10);
    f.policies = vec![
        managed("AmazonS3FullAccess", 11),
        managed("arn:aws:iam::aws:policy/AdministratorAccess", 12),
        managed("!Sub arn:${AWS::Partition}:iam::aws:policy/PowerUserAccess", 13),
        managed("AWSLambdaBasicExecutionRole", 14),
        managed("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", 15),
        managed("arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole", 16),
    ];
    let found = run(&project(vec![f]));
    assert_eq!(of(&found, "fnw-scan-iam-managed-full-access"), vec![named(11, "Api"), named(12, "Api"), named(13, "Api")]);
    let sev: Vec<Severity> = found.iter().filter(|f| f.rule.id == "fnw-scan-iam-managed-full-access").map(|f| f.severity).collect();
    assert_eq!(sev, vec![Severity::High, Severity::Critical, Severity::Critical]);
}

#[test]
fn pass_role_with_create_function_across_statements_traces_each() {
    let p = with_policies(vec![
        allow(21, &["iam:PassRole"], &["arn:aws:iam::111111111111:role/admin"]),
        allow(22, &["lambda:CreateFunction"], &["*"]),
        allow(23, &["lambda:InvokeFunction"], &["arn:aws:lambda:us-east-1:111111111111:function:mine"]),
    ]);
    let found = run(&p);
    let esc: Vec<_> = found.iter().filter(|f| f.rule.id == "fnw-scan-iam-privilege-escalation").collect();
    assert_eq!(esc.len(), 1, "{esc:#?}");
    assert_eq!(esc[0].location.line, 21);
    assert_eq!(esc[0].function.as_deref(), Some("Api"));
    let lines: Vec<u32> = esc[0].trace.iter().map(|t| t.location.line).collect();
    assert_eq!(lines, vec![21, 22, 23]);
    assert!(esc[0].message.contains("`iam:PassRole` with `lambda:CreateFunction` and `lambda:InvokeFunction`"), "{}", esc[0].message);
}

#[test]
fn pass_role_without_a_way_to_run_is_not_the_create_path() {
    let p = with_policies(vec![allow(21, &["iam:PassRole", "lambda:CreateFunction"], &["*"])]);
    assert!(of(&run(&p), "fnw-scan-iam-privilege-escalation").is_empty());
    let p = with_policies(vec![allow(21, &["lambda:CreateFunction", "lambda:InvokeFunction"], &["*"])]);
    assert!(of(&run(&p), "fnw-scan-iam-privilege-escalation").is_empty());
}

#[test]
fn partial_wildcards_count_for_escalation() {
    let p = with_policies(vec![allow(21, &["iam:Put*"], &["*"]), allow(22, &["iam:Attach*Policy"], &["*"])]);
    let found = run(&p);
    assert_eq!(of(&found, "fnw-scan-iam-privilege-escalation"), vec![named(21, "Api"), named(22, "Api")]);
    assert!(of(&found, "fnw-scan-iam-wildcard-action").is_empty());
}

#[test]
fn one_combination_per_finding() {
    let p = with_policies(vec![allow(21, &["iam:CreatePolicyVersion", "iam:CreateAccessKey"], &["*"])]);
    let msgs = messages(&run(&p), "fnw-scan-iam-privilege-escalation");
    assert_eq!(msgs.len(), 2, "{msgs:?}");
    assert!(msgs[0].contains("iam:CreateAccessKey") != msgs[1].contains("iam:CreateAccessKey"));
}

#[test]
fn iam_star_is_one_escalation_finding() {
    let p = with_policies(vec![allow(21, &["iam:*"], &["*"])]);
    let found = run(&p);
    let esc = messages(&found, "fnw-scan-iam-privilege-escalation");
    assert_eq!(esc.len(), 1, "{esc:?}");
    assert!(esc[0].starts_with("`iam:*` opens"), "{}", esc[0]);
}

#[test]
fn assume_role_only_on_any_role() {
    let any = with_policies(vec![allow(21, &["sts:AssumeRole"], &["*"])]);
    assert_eq!(of(&run(&any), "fnw-scan-iam-privilege-escalation"), vec![named(21, "Api")]);
    let one = with_policies(vec![allow(21, &["sts:AssumeRole"], &["arn:aws:iam::111111111111:role/reader"])]);
    assert!(of(&run(&one), "fnw-scan-iam-privilege-escalation").is_empty());
}

#[test]
fn deny_statements_grant_nothing() {
    let p = with_policies(vec![deny(21, &["iam:*"], &["*"]), deny(22, &["lambda:*"], &["*"])]);
    assert!(run(&p).is_empty());
}

#[test]
fn invoke_any_function_but_not_a_named_one() {
    let p = with_policies(vec![
        allow(21, &["lambda:InvokeFunction"], &["*"]),
        allow(22, &["lambda:InvokeFunction"], &["!GetAtt Worker.Arn"]),
        allow(23, &["lambda:Invoke*"], &["arn:aws:lambda:us-east-1:111111111111:function:*"]),
    ]);
    let found = run(&p);
    assert_eq!(of(&found, "fnw-scan-iam-invoke-any-function"), vec![named(21, "Api"), named(23, "Api")]);
}

#[test]
fn modify_other_functions() {
    let p = with_policies(vec![
        allow(21, &["lambda:UpdateFunctionCode"], &["*"]),
        allow(22, &["lambda:AddPermission"], &["!GetAtt Other.Arn"]),
        allow(23, &["lambda:GetFunction", "lambda:ListFunctions"], &["*"]),
        allow(24, &["lambda:*"], &["*"]),
    ]);
    let found = run(&p);
    assert_eq!(of(&found, "fnw-scan-iam-modify-functions"), vec![named(21, "Api"), named(22, "Api")]);
    let sev: Vec<Severity> = found.iter().filter(|f| f.rule.id == "fnw-scan-iam-modify-functions").map(|f| f.severity).collect();
    assert_eq!(sev, vec![Severity::High, Severity::Medium]);
    // `lambda:*` is named once, by the wildcard rule.
    assert_eq!(of(&found, "fnw-scan-iam-wildcard-action"), vec![named(24, "Api")]);
}

#[test]
fn trust_policies() {
    let mut f = function("Api", 10);
    f.role = Some("ApiRole".into());
    let mut p = project(vec![f]);
    p.roles = vec![role(
        "ApiRole",
        40,
        vec![
            trust(41, &["lambda.amazonaws.com"]),
            trust(42, &["arn:aws:iam::222222222222:root"]),
            trust(43, &["333333333333"]),
            trust(44, &["arn:aws:iam::111111111111:role/deployer"]),
            trust(45, &["arn:aws:iam::${AWS::AccountId}:root"]),
            trust(46, &["*"]),
        ],
        vec![],
    )];
    let found = run(&p);
    assert_eq!(of(&found, "fnw-scan-iam-trust-foreign-account"), vec![named(42, "Api"), named(43, "Api")]);
    assert!(messages(&found, "fnw-scan-iam-trust-foreign-account")[0].contains("222222222222"));
    assert_eq!(of(&found, "fnw-scan-iam-trust-anyone"), vec![named(46, "Api")]);
}

#[test]
fn conditional_star_trust_is_lower() {
    let mut s = trust(41, &["*"]);
    s.conditional = true;
    let mut p = project(vec![]);
    p.roles = vec![role("R", 40, vec![s], vec![])];
    let found = run(&p);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].severity, Severity::Medium);
}

#[test]
fn a_named_grant_is_preferred_over_a_broad_one() {
    let p = with_policies(vec![allow(21, &["iam:*"], &["*"]), allow(22, &["iam:CreateAccessKey"], &["*"])]);
    let found = run(&p);
    let esc: Vec<_> = found.iter().filter(|f| f.rule.id == "fnw-scan-iam-privilege-escalation").collect();
    // `iam:*` still opens the rest; the access-key path is told through the statement naming it.
    assert!(esc.iter().any(|f| f.location.line == 22 && f.message.starts_with("`iam:CreateAccessKey`")), "{esc:#?}");
    assert!(esc.iter().any(|f| f.location.line == 21 && f.message.starts_with("`iam:*` opens")), "{esc:#?}");
}
