//! Exposure, Denial-of-Wallet, runtime, environment and layer rules over hand-built models.

mod common;

use common::*;
use fnwarden_posture::{PostureOptions, check, rules};
use fnwarden_project::{Severity, TriggerKind};
use time::macros::date;

#[test]
fn unauthenticated_routes_only() {
    let mut f = function("Api", 10);
    f.triggers = vec![
        trigger(TriggerKind::Http, true, "GET /items", 12),
        trigger(TriggerKind::Http, false, "POST /items", 14),
        trigger(TriggerKind::S3, true, "bucket public (s3:ObjectCreated:*)", 16),
    ];
    f.reserved_concurrency = Some(spanned(10, 11));
    let found = run(&project(vec![f]));
    assert_eq!(of(&found, "fnw-scan-exposure-unauthenticated-route"), vec![named(12, "Api")]);
}

#[test]
fn public_function_urls() {
    let mut open = function("Open", 10);
    open.url = Some(url(true, 12));
    open.triggers = vec![trigger(TriggerKind::Http, true, "function URL", 12)];
    let mut signed = function("Signed", 20);
    signed.url = Some(url(false, 22));
    let found = run(&project(vec![open, signed]));
    assert_eq!(of(&found, "fnw-scan-exposure-public-function-url"), vec![named(12, "Open")]);
    // The URL modelled as a trigger too is not also an unauthenticated route.
    assert!(of(&found, "fnw-scan-exposure-unauthenticated-route").is_empty());
}

#[test]
fn permissions() {
    let mut p = project(vec![function("Api", 10)]);
    let mut scoped_star = permission("Api", "*", "lambda:InvokeFunction", 35);
    scoped_star.source_arn = Some("arn:aws:execute-api:us-east-1:111111111111:abc/*".into());
    let mut scoped_s3 = permission("Api", "s3.amazonaws.com", "lambda:InvokeFunction", 36);
    scoped_s3.source_account = Some("111111111111".into());
    let mut url_none = permission("Api", "*", "lambda:InvokeFunctionUrl", 37);
    url_none.url_auth_type = Some("NONE".into());
    let mut url_iam = permission("Api", "*", "lambda:InvokeFunctionUrl", 38);
    url_iam.url_auth_type = Some("AWS_IAM".into());
    url_iam.source_account = Some("111111111111".into());
    p.permissions = vec![
        permission("Api", "*", "lambda:InvokeFunction", 30),
        permission("Api", "222222222222", "lambda:InvokeFunction", 31),
        permission("Api", "arn:aws:iam::111111111111:root", "lambda:InvokeFunction", 32),
        permission("Api", "s3.amazonaws.com", "lambda:InvokeFunction", 33),
        permission("Api", "apigateway.amazonaws.com", "lambda:InvokeFunction", 34),
        scoped_star,
        scoped_s3,
        url_none,
        url_iam,
    ];
    let found = run(&p);
    assert_eq!(of(&found, "fnw-scan-exposure-public-permission"), vec![named(30, "Api")]);
    assert_eq!(of(&found, "fnw-scan-exposure-foreign-permission"), vec![named(31, "Api")]);
    assert_eq!(of(&found, "fnw-scan-exposure-unscoped-service-permission"), vec![named(33, "Api"), named(34, "Api")]);
    assert_eq!(of(&found, "fnw-scan-exposure-public-url-permission"), vec![named(37, "Api")]);
    assert_eq!(found.len(), 5, "{found:#?}");
}

#[test]
fn reserved_concurrency_on_public_functions() {
    let public = |name: &str, line: u32| {
        let mut f = function(name, line);
        f.triggers = vec![trigger(TriggerKind::Http, true, "ANY /{proxy+}", line + 1)];
        f
    };
    let bare = public("Bare", 10);
    let mut capped = public("Capped", 20);
    capped.reserved_concurrency = Some(spanned(50, 22));
    let mut unreserved = public("Unreserved", 30);
    unreserved.reserved_concurrency = Some(spanned(-1, 32));
    let mut url_only = function("UrlOnly", 40);
    url_only.url = Some(url(true, 41));
    let mut private = function("Private", 50);
    private.triggers = vec![trigger(TriggerKind::Sqs, false, "queue orders", 51)];
    let found = run(&project(vec![bare, capped, unreserved, url_only, private]));
    assert_eq!(of(&found, "fnw-scan-dow-no-reserved-concurrency"), vec![named(10, "Bare"), named(30, "Unreserved"), named(40, "UrlOnly")]);
}

#[test]
fn timeouts_and_memory() {
    let mut api = function("Api", 10);
    api.triggers = vec![trigger(TriggerKind::Http, false, "GET /report", 11)];
    api.timeout = Some(spanned(60, 12));
    let mut batch = function("Batch", 20);
    batch.timeout = Some(spanned(900, 21));
    batch.memory = Some(spanned(10240, 22));
    let mut fine = function("Fine", 30);
    fine.timeout = Some(spanned(300, 31));
    fine.memory = Some(spanned(3008, 32));
    let mut streamed = function("Streamed", 40);
    streamed.url = Some(url(false, 41));
    streamed.triggers = vec![trigger(TriggerKind::Http, false, "function URL", 41)];
    streamed.timeout = Some(spanned(120, 42));
    let found = run(&project(vec![api, batch, fine, streamed]));
    assert_eq!(of(&found, "fnw-scan-dow-excessive-timeout"), vec![named(12, "Api"), named(21, "Batch")]);
    assert_eq!(of(&found, "fnw-scan-dow-excessive-memory"), vec![named(22, "Batch")]);
    assert!(messages(&found, "fnw-scan-dow-excessive-timeout")[0].contains("above 30 s for an HTTP-triggered function"));
}

#[test]
fn thresholds_come_from_the_options() {
    let mut f = function("Batch", 20);
    f.timeout = Some(spanned(900, 21));
    let strict = PostureOptions { max_timeout_secs: 900, ..opts() };
    assert!(check(&project(vec![f]), &strict).is_empty());
}

#[test]
fn batch_sizes() {
    let mut f = function("Consumer", 10);
    let mut big = trigger(TriggerKind::Kinesis, false, "stream clicks", 11);
    big.batch_size = Some(spanned(10000, 13));
    let mut small = trigger(TriggerKind::Sqs, false, "queue orders", 14);
    small.batch_size = Some(spanned(10, 15));
    let unset = trigger(TriggerKind::DynamoDb, false, "table Orders", 16);
    f.triggers = vec![big, small, unset];
    let found = run(&project(vec![f]));
    assert_eq!(of(&found, "fnw-scan-dow-large-batch"), vec![named(13, "Consumer")]);
}

#[test]
fn recursive_triggers() {
    let mut f = function("Thumbnail", 10);
    let mut uploads = trigger(TriggerKind::S3, false, "bucket uploads (s3:ObjectCreated:*)", 12);
    uploads.resource = Some("!Ref Uploads".into());
    let mut jobs = trigger(TriggerKind::Sqs, false, "queue jobs", 14);
    jobs.resource = Some("!GetAtt Jobs.Arn".into());
    f.triggers = vec![uploads, jobs];
    f.policies = vec![inline(
        "ThumbnailPolicy",
        20,
        vec![
            allow(21, &["s3:GetObject", "s3:PutObject"], &["${Uploads.Arn}/*"]),
            allow(22, &["sqs:ReceiveMessage", "sqs:DeleteMessage"], &["!GetAtt Jobs.Arn"]),
            allow(23, &["sqs:SendMessage"], &["!GetAtt Results.Arn"]),
        ],
    )];
    let found = run(&project(vec![f]));
    let rec: Vec<_> = found.iter().filter(|f| f.rule.id == "fnw-scan-dow-recursive-trigger").collect();
    assert_eq!(rec.len(), 1, "{rec:#?}");
    assert_eq!((rec[0].location.line, rec[0].function.as_deref()), (12, Some("Thumbnail")));
    assert_eq!(rec[0].trace.iter().map(|t| t.location.line).collect::<Vec<_>>(), vec![12, 21]);
}

#[test]
fn recursion_through_a_declared_role_and_a_bucket_name() {
    let mut f = function("Resize", 10);
    f.role = Some("aws_iam_role.resize".into());
    let mut t = trigger(TriggerKind::S3, false, "bucket media", 12);
    t.resource = Some("media".into());
    f.triggers = vec![t];
    let mut p = project(vec![f]);
    p.roles =
        vec![role("aws_iam_role.resize", 30, vec![], vec![inline("resize", 31, vec![allow(32, &["s3:*"], &["arn:aws:s3:::media/*"])])])];
    assert_eq!(of(&run(&p), "fnw-scan-dow-recursive-trigger"), vec![named(12, "Resize")]);
    // Writing elsewhere is no loop.
    p.roles[0].policies[0].statements[0].resources = vec!["arn:aws:s3:::media-thumbnails/*".into()];
    assert!(of(&run(&p), "fnw-scan-dow-recursive-trigger").is_empty());
}

#[test]
fn deprecated_and_soon_deprecated_runtimes() {
    let rt = |name: &str, line: u32, runtime: &str| {
        let mut f = function(name, line);
        f.runtime = Some(spanned(runtime.to_owned(), line + 1));
        f
    };
    let p = project(vec![
        rt("Py38", 10, "python3.8"),
        rt("Node16", 20, "nodejs16.x"),
        rt("Go", 30, "go1.x"),
        rt("Node22", 40, "nodejs22.x"),
        rt("Py313", 50, "python3.13"),
        rt("Custom", 60, "provided.al2023"),
        rt("Unknown", 70, "!Ref Runtime"),
    ]);
    let found = run(&p);
    assert_eq!(of(&found, "fnw-scan-cfg-deprecated-runtime"), vec![named(11, "Py38"), named(21, "Node16"), named(31, "Go")]);
    assert_eq!(of(&found, "fnw-scan-cfg-runtime-deprecating-soon"), vec![named(41, "Node22")]);
    assert!(messages(&found, "fnw-scan-cfg-deprecated-runtime")[0].contains("2024-10-14"));
    let later = PostureOptions { today: date!(2029 - 07 - 01), ..opts() };
    assert_eq!(of(&check(&p, &later), "fnw-scan-cfg-deprecated-runtime").len(), 6);
}

#[test]
fn env_secrets_are_redacted_and_computed_values_never_secrets() {
    let mut f = function("Api", 10);
    let key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzq9Xk2Lm4T";
    f.env = vec![
        literal("AWS_SECRET_ACCESS_KEY", key, 12),
        literal("STAGE", "prod", 13),
        computed("DB_PASSWORD", "!Ref DbPassword", 14),
        computed("API_TOKEN", "${ssm:/app/api-token}", 15),
        literal("DB_PASSWORD", "changeme", 16),
        literal("TABLE_NAME", "orders-table-prod", 17),
    ];
    let found = run(&project(vec![f]));
    assert_eq!(of(&found, "fnw-scan-cfg-env-secret"), vec![named(12, "Api")]);
    let msg = &messages(&found, "fnw-scan-cfg-env-secret")[0];
    assert!(msg.contains("AWS_SECRET_ACCESS_KEY") && !msg.contains(key), "{msg}");
}

#[test]
fn env_code_injection() {
    let mut f = function("Api", 10);
    f.env = vec![
        literal("AWS_LAMBDA_EXEC_WRAPPER", "/opt/wrapper", 11),
        literal("NODE_OPTIONS", "--require /tmp/hook.js", 12),
        literal("NODE_OPTIONS", "--enable-source-maps --max-old-space-size=512", 13),
        literal("JAVA_TOOL_OPTIONS", "-javaagent:/opt/agent.jar", 14),
        literal("JAVA_TOOL_OPTIONS", "-XX:+TieredCompilation -XX:TieredStopAtLevel=1", 15),
        literal("LD_PRELOAD", "/tmp/libhook.so", 16),
        literal("PYTHONPATH", "/opt/vendor", 17),
        computed("NODE_OPTIONS", "!Ref NodeOptions", 18),
        literal("LOG_LEVEL", "debug", 19),
        literal("NODE_OPTIONS", "-r=./instrument.js", 20),
        literal("ENV", "production", 21),
    ];
    let found = run(&project(vec![f]));
    assert_eq!(
        of(&found, "fnw-scan-cfg-env-code-injection"),
        vec![named(11, "Api"), named(12, "Api"), named(14, "Api"), named(16, "Api"), named(17, "Api"), named(20, "Api")]
    );
    let sev: Vec<Severity> = found.iter().filter(|f| f.rule.id == "fnw-scan-cfg-env-code-injection").map(|f| f.severity).collect();
    assert_eq!(sev[1], Severity::High);
    assert_eq!(sev[0], Severity::Medium);
}

#[test]
fn layers_from_other_accounts() {
    let mut f = function("Api", 10);
    f.layers = vec![
        spanned("arn:aws:lambda:us-east-1:444444444444:layer:helpers:3".to_owned(), 11),
        spanned("arn:aws:lambda:us-east-1:111111111111:layer:shared:1".to_owned(), 12),
        spanned("!Sub arn:aws:lambda:${AWS::Region}:580247275435:layer:LambdaInsightsExtension:38".to_owned(), 13),
        spanned("arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:layer:deps:2".to_owned(), 14),
        spanned("!Ref DepsLayer".to_owned(), 15),
        spanned("aws_lambda_layer_version.deps.arn".to_owned(), 16),
        spanned("arn:aws:lambda:eu-west-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-x86_64:7".to_owned(), 17),
        spanned("!Sub arn:aws:lambda:${AWS::Region}:555555555555:layer:x:1".to_owned(), 18),
    ];
    let found = run(&project(vec![f]));
    assert_eq!(of(&found, "fnw-scan-cfg-foreign-layer"), vec![named(11, "Api"), named(18, "Api")]);
}

#[test]
fn every_rule_is_listed_once_with_an_id_of_its_area() {
    let all = rules();
    assert_eq!(all.len(), 24);
    for (i, r) in all.iter().enumerate() {
        assert!(["fnw-scan-iam-", "fnw-scan-exposure-", "fnw-scan-dow-", "fnw-scan-cfg-"].iter().any(|p| r.id.starts_with(p)), "{}", r.id);
        assert!(all[i + 1..].iter().all(|o| o.id != r.id), "{} twice", r.id);
        assert!(!r.description.is_empty() && !r.remediation.is_empty() && !r.cwe.is_empty());
    }
}

#[test]
fn empty_and_odd_projects_do_not_panic() {
    assert!(run(&project(vec![])).is_empty());
    let mut f = function("", 0);
    f.runtime = Some(spanned(String::new(), 0));
    f.layers = vec![spanned("arn:".to_owned(), 0), spanned("arn:aws:lambda:${".to_owned(), 0)];
    f.env = vec![literal("", "", 0), literal("NODE_OPTIONS", "", 0)];
    f.policies = vec![inline("", 0, vec![allow(0, &[""], &[""]), allow(0, &[], &[])])];
    let mut t = trigger(TriggerKind::S3, false, "", 0);
    t.resource = Some("${".into());
    f.triggers = vec![t];
    let found = run(&project(vec![f]));
    assert!(found.is_empty(), "{found:#?}");
}
