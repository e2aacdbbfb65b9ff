//! The IaC corpus apps under tests/scan/iac-*: each is read as a scan root, and the project model
//! is asserted (functions, handlers, code folders, env, triggers, policies, roles, permissions)
//! with the lines they were written at.

use std::path::{Path, PathBuf};

use fnwarden_iac::read_project;
use fnwarden_project::{EnvValue, Framework, Function, Project, TriggerKind};

fn app_root(app: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scan").join(app)
}

fn files(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                out.push(path.strip_prefix(root).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

fn read(app: &str) -> Project {
    let root = app_root(app);
    let (project, diagnostics) = read_project(&root, &files(&root));
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    project
}

/// The 1-based line of the only line of `file` containing `needle` (after `after`, when given).
fn line_of(app: &str, file: &str, needle: &str) -> u32 {
    line_after(app, file, "", needle)
}

fn line_after(app: &str, file: &str, after: &str, needle: &str) -> u32 {
    let text = std::fs::read_to_string(app_root(app).join(file)).unwrap();
    let start = text.lines().position(|l| l.contains(after)).unwrap();
    let hits: Vec<usize> = text.lines().enumerate().skip(start).filter(|(_, l)| l.contains(needle)).map(|(i, _)| i + 1).collect();
    assert!(!hits.is_empty(), "{needle} not in {file}");
    if after.is_empty() {
        assert_eq!(hits.len(), 1, "{needle} is not unique in {file}");
    }
    hits[0] as u32
}

fn function<'a>(project: &'a Project, name: &str) -> &'a Function {
    project
        .function(name)
        .unwrap_or_else(|| panic!("no function {name}: {:?}", project.functions.iter().map(|f| &f.name).collect::<Vec<_>>()))
}

fn env<'a>(f: &'a Function, name: &str) -> &'a EnvValue {
    &f.env.iter().find(|v| v.name == name).unwrap_or_else(|| panic!("{} has no env {name}", f.name)).value
}

fn literal(s: &str) -> EnvValue {
    EnvValue::Literal(s.to_string())
}

mod serverless {
    use super::*;

    const APP: &str = "iac-serverless-orders";
    const FILE: &str = "serverless.yml";

    #[test]
    fn functions_with_provider_defaults() {
        let p = read(APP);
        assert_eq!(p.functions.len(), 7);
        let create = function(&p, "createOrder");
        assert_eq!(create.framework, Framework::Serverless);
        assert_eq!(create.location.line, line_of(APP, FILE, "  createOrder:"));
        assert_eq!(create.handler.as_ref().unwrap().value, "src/orders.create");
        assert_eq!(create.handler.as_ref().unwrap().location.line, line_of(APP, FILE, "handler: src/orders.create"));
        assert_eq!(create.runtime.as_ref().unwrap().value, "nodejs18.x");
        assert_eq!(create.runtime.as_ref().unwrap().location.line, line_of(APP, FILE, "runtime: nodejs18.x"));
        assert_eq!(create.timeout.as_ref().unwrap().value, 20);
        assert_eq!(create.memory.as_ref().unwrap().value, 512);
        assert_eq!(create.reserved_concurrency.as_ref().unwrap().value, 20);
        assert_eq!(create.reserved_concurrency.as_ref().unwrap().location.line, line_of(APP, FILE, "reservedConcurrency: 20"));
        assert_eq!(create.code_dir, PathBuf::new());
        let ingest = function(&p, "ingestUpload");
        assert_eq!(ingest.timeout.as_ref().unwrap().value, 900);
        assert_eq!(ingest.memory.as_ref().unwrap().value, 3008);
        assert_eq!(ingest.memory.as_ref().unwrap().location.line, line_of(APP, FILE, "memorySize: 3008"));
        assert!(ingest.reserved_concurrency.is_none());
    }

    #[test]
    fn environment_resolves_self_and_keeps_deploy_time_values_computed() {
        let p = read(APP);
        let create = function(&p, "createOrder");
        assert_eq!(env(create, "TABLE_NAME"), &literal("orders-eu-west-1"));
        assert_eq!(env(create, "PAYMENTS_URL"), &EnvValue::Computed("${ssm:/orders/payments-url}".into()));
        assert_eq!(env(create, "LOG_LEVEL"), &literal("info"));
        assert_eq!(env(create, "REGION"), &literal("eu-west-1"));
        assert_eq!(env(create, "STAGE"), &EnvValue::Computed("${opt:stage, 'dev'}".into()));
        let var = create.env.iter().find(|v| v.name == "PAYMENTS_URL").unwrap();
        assert_eq!(var.location.line, line_of(APP, FILE, "PAYMENTS_URL:"));
        let ingest = function(&p, "ingestUpload");
        assert_eq!(env(ingest, "LOG_LEVEL"), &literal("debug"));
        assert_eq!(env(ingest, "BUCKET_ARN"), &EnvValue::Computed("!GetAtt UploadsBucket.Arn".into()));
        assert_eq!(env(ingest, "TABLE_NAME"), &literal("orders-eu-west-1"));
    }

    #[test]
    fn http_routes_are_public_without_an_authorizer() {
        let p = read(APP);
        let create = &function(&p, "createOrder").triggers;
        assert_eq!(create.len(), 1);
        assert_eq!((create[0].kind, create[0].public), (TriggerKind::Http, true));
        assert_eq!(create[0].detail, "POST orders");
        assert_eq!(create[0].location.line, line_after(APP, FILE, "  createOrder:", "- http:"));
        let get = &function(&p, "getOrder").triggers[0];
        assert_eq!((get.kind, get.public), (TriggerKind::Http, false));
        let list = &function(&p, "listOrders").triggers[0];
        assert_eq!((list.kind, list.public, list.detail.as_str()), (TriggerKind::Http, false, "GET /orders"));
    }

    #[test]
    fn s3_trigger_on_a_bucket_with_a_public_policy_is_public() {
        let p = read(APP);
        let t = &function(&p, "ingestUpload").triggers[0];
        assert_eq!(t.kind, TriggerKind::S3);
        assert!(t.public);
        assert_eq!(t.resource.as_deref(), Some("orders-uploads-archive"));
        assert_eq!(t.location.line, line_of(APP, FILE, "- s3:"));
    }

    #[test]
    fn queue_and_stream_triggers_carry_resource_and_batch_size() {
        let p = read(APP);
        let f = function(&p, "fulfil");
        let sqs = &f.triggers[0];
        assert_eq!((sqs.kind, sqs.public), (TriggerKind::Sqs, false));
        assert_eq!(sqs.resource.as_deref(), Some("FulfilQueue"));
        let batch = sqs.batch_size.as_ref().unwrap();
        assert_eq!((batch.value, batch.location.line), (10, line_of(APP, FILE, "batchSize: 10")));
        let stream = &f.triggers[1];
        assert_eq!(stream.kind, TriggerKind::DynamoDb);
        assert!(stream.batch_size.is_none());
        let schedule = &function(&p, "adminReport").triggers[0];
        assert_eq!((schedule.kind, schedule.public), (TriggerKind::Schedule, false));
    }

    #[test]
    fn provider_iam_is_shared_unless_a_function_has_its_own_role() {
        let p = read(APP);
        let create = function(&p, "createOrder");
        assert!(create.role.is_none());
        assert_eq!(create.policies.len(), 2);
        let statements = &create.policies[0];
        assert_eq!(statements.name, "provider.iam.role.statements");
        assert_eq!(statements.location.line, line_of(APP, FILE, "statements:"));
        assert_eq!(statements.statements.len(), 2);
        assert_eq!(statements.statements[0].resources, vec!["!GetAtt OrdersTable.Arn"]);
        let wildcard = &statements.statements[1];
        assert_eq!((wildcard.actions.clone(), wildcard.resources.clone()), (vec!["s3:*".to_string()], vec!["*".to_string()]));
        assert_eq!(wildcard.location.line, line_after(APP, FILE, "statements:", "- Effect: Allow") + 5);
        let managed = &create.policies[1];
        assert_eq!(managed.managed.as_deref(), Some("arn:aws:iam::aws:policy/AmazonSQSFullAccess"));
        assert_eq!(managed.statements[0].actions, vec!["sqs:*"]);

        let fulfil = function(&p, "fulfil");
        assert_eq!(fulfil.role.as_deref(), Some("FulfilRole"));
        assert!(fulfil.policies.is_empty());
        let role = p.role("FulfilRole").unwrap();
        assert_eq!(role.location.line, line_of(APP, FILE, "FulfilRole:"));
        assert_eq!(role.trust[0].principals, vec!["lambda.amazonaws.com"]);
        assert_eq!(role.policies[0].name, "fulfil");
        assert_eq!(role.policies[0].statements[0].actions, vec!["sqs:ReceiveMessage", "sqs:DeleteMessage"]);
    }

    #[test]
    fn urls_and_permissions() {
        let p = read(APP);
        let url = function(&p, "webhook").url.as_ref().unwrap();
        assert!(url.auth_none);
        assert_eq!(url.location.line, line_of(APP, FILE, "url: true"));
        assert!(!function(&p, "adminReport").url.as_ref().unwrap().auth_none);
        assert!(function(&p, "createOrder").url.is_none());
        assert_eq!(p.permissions.len(), 1);
        let perm = &p.permissions[0];
        assert_eq!(perm.function.as_deref(), Some("webhook"));
        assert_eq!((perm.principal.as_str(), perm.action.as_str()), ("*", "lambda:InvokeFunctionUrl"));
        assert_eq!(perm.url_auth_type.as_deref(), Some("NONE"));
        assert_eq!(perm.location.line, line_of(APP, FILE, "WebhookPartnerInvoke:"));
    }
}

mod sam {
    use super::*;

    const APP: &str = "iac-sam-thumbnails";
    const FILE: &str = "template.yaml";

    #[test]
    fn globals_merge_into_functions() {
        let p = read(APP);
        assert_eq!(p.functions.len(), 3);
        let thumb = function(&p, "ThumbnailFunction");
        assert_eq!(thumb.framework, Framework::Sam);
        assert_eq!(thumb.location.line, line_of(APP, FILE, "  ThumbnailFunction:"));
        assert_eq!(thumb.code_dir, PathBuf::from("src/thumbnails"));
        assert_eq!(thumb.handler.as_ref().unwrap().value, "app.lambda_handler");
        assert_eq!(thumb.runtime.as_ref().unwrap().value, "python3.12");
        assert_eq!(thumb.runtime.as_ref().unwrap().location.line, line_of(APP, FILE, "Runtime: python3.12"));
        // `Timeout: !Ref WorkerTimeout` takes the parameter's default.
        assert_eq!(thumb.timeout.as_ref().unwrap().value, 60);
        assert_eq!(thumb.memory.as_ref().unwrap().value, 256);
        assert_eq!(env(thumb, "STAGE"), &EnvValue::Computed("!Ref Stage".into()));
        assert_eq!(env(thumb, "POWERTOOLS_SERVICE_NAME"), &literal("thumbnails"));
        assert_eq!(env(thumb, "OUTPUT_PREFIX"), &literal("thumbs/"));
        assert_eq!(env(thumb, "TABLE"), &EnvValue::Computed("!Ref CatalogueTable".into()));
        let catalogue = function(&p, "CatalogueFunction");
        assert_eq!(catalogue.code_dir, PathBuf::from("src/api"));
        assert_eq!(catalogue.timeout.as_ref().unwrap().value, 30);
        assert_eq!(catalogue.reserved_concurrency.as_ref().unwrap().value, 5);
        let worker = function(&p, "ResizeWorker");
        assert_eq!(worker.runtime.as_ref().unwrap().value, "python3.8");
        assert_eq!(worker.runtime.as_ref().unwrap().location.line, line_of(APP, FILE, "Runtime: python3.8"));
    }

    #[test]
    fn policies_templates_managed_and_inline() {
        let p = read(APP);
        let thumb = function(&p, "ThumbnailFunction");
        assert_eq!(thumb.policies.len(), 3);
        let crud = &thumb.policies[0];
        assert_eq!(crud.name, "S3CrudPolicy");
        assert_eq!(crud.location.line, line_of(APP, FILE, "- S3CrudPolicy:"));
        assert!(crud.statements[0].actions.contains(&"s3:PutObject".to_string()));
        assert!(crud.statements[0].resources.iter().all(|r| r.contains("!Ref UploadsBucket")));
        let execute = &thumb.policies[1];
        assert_eq!(execute.managed.as_deref(), Some("AWSLambdaExecute"));
        assert!(execute.statements.iter().any(|s| s.actions == vec!["logs:*"]));
        let inline = &thumb.policies[2];
        assert!(inline.managed.is_none());
        assert_eq!(inline.statements[0].actions, vec!["rekognition:*"]);
        assert_eq!(inline.statements[0].location.line, line_after(APP, FILE, "  ThumbnailFunction:", "- Effect: Allow"));
        let catalogue = function(&p, "CatalogueFunction");
        let names: Vec<&str> = catalogue.policies.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, vec!["DynamoDBCrudPolicy", "SQSSendMessagePolicy", "SomeFutureTemplatePolicy"]);
        assert_eq!(catalogue.policies[1].statements[0].actions, vec!["sqs:SendMessage*"]);
        assert!(catalogue.policies[2].statements.is_empty());
    }

    #[test]
    fn api_events_use_the_default_authorizer_unless_none() {
        let p = read(APP);
        let t = &function(&p, "CatalogueFunction").triggers;
        assert_eq!(t.len(), 3);
        assert_eq!((t[0].detail.as_str(), t[0].public), ("GET /items", false));
        assert_eq!((t[1].detail.as_str(), t[1].public), ("GET /health", true));
        assert_eq!(t[1].location.line, line_of(APP, FILE, "HealthCheck:"));
        assert_eq!((t[2].kind, t[2].detail.as_str(), t[2].public), (TriggerKind::Http, "POST /search", true));
    }

    #[test]
    fn public_bucket_queue_url_role_and_permission() {
        let p = read(APP);
        let upload = &function(&p, "ThumbnailFunction").triggers[0];
        assert_eq!((upload.kind, upload.public), (TriggerKind::S3, true));
        assert_eq!(upload.resource.as_deref(), Some("UploadsBucket"));
        assert_eq!(upload.location.line, line_of(APP, FILE, "Upload:"));
        let worker = function(&p, "ResizeWorker");
        let sqs = &worker.triggers[0];
        assert_eq!((sqs.kind, sqs.public, sqs.resource.as_deref()), (TriggerKind::Sqs, false, Some("ResizeQueue")));
        assert_eq!(sqs.batch_size.as_ref().unwrap().value, 10000);
        assert_eq!(sqs.batch_size.as_ref().unwrap().location.line, line_of(APP, FILE, "BatchSize: 10000"));
        let url = worker.url.as_ref().unwrap();
        assert!(url.auth_none);
        assert_eq!(url.location.line, line_of(APP, FILE, "AuthType: NONE"));
        assert_eq!(worker.role.as_deref(), Some("ResizeWorkerRole"));
        let role = p.role("ResizeWorkerRole").unwrap();
        assert_eq!(role.policies[0].name, "AWSLambdaBasicExecutionRole");
        assert_eq!(role.policies[0].statements.len(), 1);
        let perm = &p.permissions[0];
        assert_eq!((perm.function.as_deref(), perm.principal.as_str()), (Some("ResizeWorker"), "*"));
        assert_eq!(perm.location.line, line_of(APP, FILE, "ResizeWorkerPublicInvoke:"));
    }
}

mod cloudformation_json {
    use super::*;

    const APP: &str = "iac-cfn-json-reports";
    const FILE: &str = "stack.template.json";

    #[test]
    fn lambda_function_with_role_url_and_stream() {
        let p = read(APP);
        assert_eq!(p.functions.len(), 1);
        let f = function(&p, "ReportsFunction");
        assert_eq!(f.framework, Framework::CloudFormation);
        assert_eq!(f.location.line, line_of(APP, FILE, "\"ReportsFunction\": {"));
        assert_eq!(f.handler.as_ref().unwrap().value, "reports.app.handler");
        assert_eq!(f.handler.as_ref().unwrap().location.line, line_of(APP, FILE, "\"Handler\""));
        assert_eq!(f.timeout.as_ref().unwrap().value, 300);
        assert_eq!(f.code_dir, PathBuf::new());
        assert_eq!(f.layers[0].value, "arn:aws:lambda:eu-west-1:999988887777:layer:pandas:4");
        assert_eq!(f.layers[0].location.line, line_of(APP, FILE, "layer:pandas"));
        assert_eq!(env(f, "OUTPUT_BUCKET"), &EnvValue::Computed("!Sub ${ArtifactBucket}-out".into()));
        assert_eq!(env(f, "REPORT_FORMAT"), &literal("csv"));
        assert_eq!(f.role.as_deref(), Some("ReportsRole"));
        assert!(!f.url.as_ref().unwrap().auth_none);
        let kinds: Vec<(TriggerKind, bool)> = f.triggers.iter().map(|t| (t.kind, t.public)).collect();
        assert_eq!(
            kinds,
            vec![(TriggerKind::Kinesis, false), (TriggerKind::Http, true), (TriggerKind::Sns, true), (TriggerKind::Schedule, false)]
        );
        assert_eq!(f.triggers[2].resource.as_deref(), Some("RequestsTopic"));
        assert_eq!(f.triggers[2].location.line, line_of(APP, FILE, "\"Protocol\": \"lambda\""));
        assert_eq!(f.triggers[3].location.line, line_of(APP, FILE, "\"NightlyRule\""));
        let stream = &f.triggers[0];
        assert_eq!(stream.resource.as_deref(), Some("ClickStream"));
        assert_eq!(stream.batch_size.as_ref().unwrap().value, 500);
        assert_eq!(stream.location.line, line_of(APP, FILE, "\"ClickStreamMapping\""));
        assert_eq!(f.triggers[1].location.line, line_of(APP, FILE, "\"ReportsGet\""));
    }

    #[test]
    fn role_trust_inline_managed_and_attached_policies() {
        let p = read(APP);
        let role = p.role("ReportsRole").unwrap();
        assert_eq!(role.trust.len(), 2);
        assert_eq!(role.trust[1].principals, vec!["arn:aws:iam::444455556666:root"]);
        let names: Vec<&str> = role.policies.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, vec!["kinesis-read", "AmazonS3ReadOnlyAccess", "ReportsWritePolicy", "alarms (ReportsAlarmPolicy)"]);
        assert_eq!(role.policies[0].statements[0].resources, vec!["!GetAtt ClickStream.Arn"]);
        let write = &role.policies[2];
        assert!(write.managed.is_none());
        assert_eq!(write.statements[0].actions, vec!["iam:PassRole", "lambda:UpdateFunctionCode"]);
        assert_eq!(write.statements[0].location.line, line_of(APP, FILE, "\"Action\": [\"iam:PassRole\"") - 2);
        assert!(role.policies[3].statements[0].conditional);
    }

    #[test]
    fn permission_by_function_name() {
        let p = read(APP);
        let perm = &p.permissions[0];
        assert_eq!(perm.function.as_deref(), Some("ReportsFunction"));
        assert_eq!(perm.principal, "444455556666");
    }
}

mod terraform {
    use super::*;

    const APP: &str = "iac-terraform-ingest";
    const MAIN: &str = "infra/main.tf";
    const IAM: &str = "infra/iam.tf";

    #[test]
    fn functions_code_dirs_and_env() {
        let p = read(APP);
        assert_eq!(p.functions.len(), 2);
        let ingest = function(&p, "ingest");
        assert_eq!(ingest.framework, Framework::Terraform);
        assert_eq!(ingest.location.line, line_of(APP, MAIN, "resource \"aws_lambda_function\" \"ingest\""));
        assert_eq!(ingest.location.file, PathBuf::from(MAIN));
        assert_eq!(ingest.code_dir, PathBuf::from("functions/ingest"));
        assert_eq!(ingest.handler.as_ref().unwrap().value, "handler.main");
        assert_eq!(ingest.timeout.as_ref().unwrap().location.line, line_of(APP, MAIN, "timeout          = 60"));
        assert_eq!(ingest.memory.as_ref().unwrap().value, 512);
        assert_eq!(env(ingest, "STAGE"), &EnvValue::Computed("var.stage".into()));
        assert_eq!(env(ingest, "QUEUE_URL"), &EnvValue::Computed("aws_sqs_queue.events.url".into()));
        assert_eq!(env(ingest, "LOG_LEVEL"), &literal("INFO"));
        let var = ingest.env.iter().find(|v| v.name == "NODE_OPTIONS").unwrap();
        assert_eq!(var.location.line, line_of(APP, MAIN, "NODE_OPTIONS"));
        assert_eq!(ingest.role.as_deref(), Some("aws_iam_role.ingest"));
        let notify = function(&p, "notify");
        assert_eq!(notify.code_dir, PathBuf::from("functions/notify"));
        assert_eq!(notify.reserved_concurrency.as_ref().unwrap().value, 2);
    }

    #[test]
    fn triggers_url_and_permissions() {
        let p = read(APP);
        let ingest = function(&p, "ingest");
        let url = ingest.url.as_ref().unwrap();
        assert!(url.auth_none);
        assert_eq!(url.location.line, line_of(APP, MAIN, "authorization_type = \"NONE\""));
        let s3 = &ingest.triggers[0];
        assert_eq!((s3.kind, s3.public, s3.resource.as_deref()), (TriggerKind::S3, true, Some("aws_s3_bucket.drop")));
        assert_eq!(s3.location.line, line_of(APP, MAIN, "lambda_function {"));
        let notify = function(&p, "notify");
        let kinds: Vec<(TriggerKind, bool)> = notify.triggers.iter().map(|t| (t.kind, t.public)).collect();
        assert_eq!(kinds, vec![(TriggerKind::Sqs, false), (TriggerKind::Http, true)]);
        assert_eq!(notify.triggers[0].batch_size.as_ref().unwrap().value, 10);
        assert_eq!(notify.triggers[0].resource.as_deref(), Some("aws_sqs_queue.events"));
        assert_eq!(notify.triggers[1].detail, "POST /notify");
        assert_eq!(p.permissions.len(), 2);
        let public = &p.permissions[0];
        assert_eq!(
            (public.function.as_deref(), public.principal.as_str(), public.url_auth_type.as_deref()),
            (Some("ingest"), "*", Some("NONE"))
        );
        assert_eq!(public.location.line, line_of(APP, MAIN, "\"aws_lambda_permission\" \"public_url\""));
        assert_eq!(p.permissions[1].function.as_deref(), Some("notify"));
    }

    #[test]
    fn role_with_document_jsonencode_heredoc_and_managed_policies() {
        let p = read(APP);
        let role = p.role("aws_iam_role.ingest").unwrap();
        assert_eq!(role.location, fnwarden_project::Location::new(IAM, line_of(APP, IAM, "resource \"aws_iam_role\" \"ingest\""), 0));
        assert_eq!(role.trust.len(), 1);
        assert_eq!(role.trust[0].principals, vec!["lambda.amazonaws.com"]);
        assert_eq!(role.trust[0].location.line, line_of(APP, IAM, "  statement {"));
        let names: Vec<&str> = role.policies.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, vec!["aws_iam_role_policy.ingest_inline", "aws_iam_policy.drop_access", "AWSLambdaBasicExecutionRole"]);
        let inline = &role.policies[0];
        assert_eq!(inline.statements.len(), 2);
        assert_eq!(inline.statements[0].resources, vec!["aws_sqs_queue.events.arn"]);
        assert_eq!(inline.statements[1].actions, vec!["lambda:*"]);
        assert_eq!(inline.statements[1].location.line, line_after(APP, IAM, "sqs:SendMessage", "{"));
        let heredoc = &role.policies[1];
        assert_eq!(heredoc.statements[0].resources, vec!["${aws_s3_bucket.drop.arn}/*"]);
        assert_eq!(heredoc.statements[0].location.line, line_after(APP, IAM, "\"Statement\": [", "{"));
        assert_eq!(role.policies[2].location.line, line_of(APP, IAM, "AWSLambdaBasicExecutionRole"));
    }
}

mod terraform_modules {
    use super::*;

    const APP: &str = "iac-terraform-modules";
    const FILE: &str = "lambda.tf";

    #[test]
    fn community_lambda_module_is_a_function() {
        let p = read(APP);
        assert_eq!(p.functions.len(), 1);
        let f = function(&p, "resize");
        assert_eq!(f.location.line, line_of(APP, FILE, "module \"resize\""));
        assert_eq!(f.code_dir, PathBuf::from("src/resize"));
        assert_eq!(f.handler.as_ref().unwrap().value, "main.handler");
        assert_eq!(f.timeout.as_ref().unwrap().value, 120);
        assert_eq!(env(f, "OUTPUT_BUCKET"), &EnvValue::Computed("aws_s3_bucket.out.bucket".into()));
        assert_eq!(env(f, "MAX_PIXELS"), &literal("40000000"));
        let policy = &f.policies[0];
        assert_eq!(policy.location.line, line_of(APP, FILE, "policy_statements = {"));
        assert_eq!(policy.statements.len(), 2);
        assert_eq!(policy.statements[1].actions, vec!["*"]);
        assert_eq!(policy.statements[1].location.line, line_of(APP, FILE, "anything = {"));
        let url = f.url.as_ref().unwrap();
        assert!(url.auth_none);
        let perm = &p.permissions[0];
        assert_eq!((perm.function.as_deref(), perm.principal.as_str()), (Some("resize"), "sns.amazonaws.com"));
        assert_eq!(perm.location.line, line_of(APP, FILE, "Jobs = {"));
    }

    #[test]
    fn topic_open_to_anyone_and_a_schedule() {
        let p = read(APP);
        let f = function(&p, "resize");
        let kinds: Vec<(TriggerKind, bool)> = f.triggers.iter().map(|t| (t.kind, t.public)).collect();
        assert_eq!(kinds, vec![(TriggerKind::Sns, true), (TriggerKind::Schedule, false)]);
        assert_eq!(f.triggers[0].resource.as_deref(), Some("aws_sns_topic.jobs"));
        assert_eq!(f.triggers[0].location.line, line_of(APP, FILE, "\"aws_sns_topic_subscription\" \"resize\""));
        assert_eq!(f.triggers[1].detail, "schedule cron(0 3 * * ? *)");
    }
}
