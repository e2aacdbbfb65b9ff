//! Denial-of-Wallet: what lets an outsider (or the function itself) run up the bill. Functions
//! anyone can trigger without a concurrency cap, long timeouts, big memory, huge batches, and
//! triggers the function feeds itself.

use fnwarden_project::{Class, Function, Policy, Project, ScanRule, Severity, TraceStep, Trigger, TriggerKind};

use crate::PostureOptions;
use crate::account::{Arn, unquote};
use crate::draft::{Draft, Drafts};
use crate::iam::grant;
use crate::text::clip;

pub static NO_RESERVED_CONCURRENCY: ScanRule = ScanRule {
    id: "fnw-scan-dow-no-reserved-concurrency",
    title: "Publicly triggered function has no reserved concurrency",
    severity: Severity::Medium,
    class: Class::DenialOfWallet,
    cwe: &[770],
    description: "Anyone can invoke this function (an unauthenticated route, a public URL, a public bucket or topic), and \
                  nothing caps how many copies run at once: a flood scales it to the account's concurrency limit, billing \
                  every invocation and starving the account's other functions.",
    remediation: "Set reserved concurrency (`ReservedConcurrentExecutions`, `reservedConcurrency`, \
                  `reserved_concurrent_executions`) to the peak the function needs, and throttle the route.",
};

pub static EXCESSIVE_TIMEOUT: ScanRule = ScanRule {
    id: "fnw-scan-dow-excessive-timeout",
    title: "Function timeout is excessive",
    severity: Severity::Low,
    class: Class::DenialOfWallet,
    cwe: &[400],
    description: "Every invocation may bill up to its timeout. A long timeout turns a hanging dependency or a slow-input attack \
                  into minutes of billed time per request; behind API Gateway the client has given up after 30 s anyway.",
    remediation: "Set the timeout a little above the function's observed p99 duration (and at most 30 s behind API Gateway).",
};

pub static EXCESSIVE_MEMORY: ScanRule = ScanRule {
    id: "fnw-scan-dow-excessive-memory",
    title: "Function memory size is excessive",
    severity: Severity::Low,
    class: Class::DenialOfWallet,
    cwe: &[400],
    description: "Lambda bills memory × duration. A large memory size multiplies the cost of every invocation an attacker \
                  causes.",
    remediation: "Size memory from measurements (AWS Lambda Power Tuning), not from the maximum.",
};

pub static LARGE_BATCH: ScanRule = ScanRule {
    id: "fnw-scan-dow-large-batch",
    title: "Stream or queue batch size is very large",
    severity: Severity::Low,
    class: Class::DenialOfWallet,
    cwe: &[770],
    description: "A huge batch makes each invocation long and expensive, and one poison record fails (and retries) the whole \
                  batch: a single bad message can bill the same thousands of records again and again.",
    remediation: "Use a batch size the handler finishes well within its timeout, and report partial batch failures \
                  (`ReportBatchItemFailures`).",
};

pub static RECURSIVE_TRIGGER: ScanRule = ScanRule {
    id: "fnw-scan-dow-recursive-trigger",
    title: "Function may trigger itself",
    severity: Severity::High,
    class: Class::DenialOfWallet,
    cwe: &[674, 400],
    description: "The bucket, queue, topic, stream or table that triggers the function is one its role may write to. One \
                  write from the handler (or one crafted input that makes it write) starts an invocation loop that runs \
                  until someone notices the bill.",
    remediation: "Write results to a different bucket, queue or table than the trigger's, or filter the trigger (a prefix or \
                  suffix the output never matches) and keep Lambda's recursive loop detection on.",
};

pub const RULES: &[&ScanRule] = &[&NO_RESERVED_CONCURRENCY, &EXCESSIVE_TIMEOUT, &EXCESSIVE_MEMORY, &LARGE_BATCH, &RECURSIVE_TRIGGER];

pub fn check(project: &Project, opts: &PostureOptions, drafts: &mut Drafts) {
    for f in &project.functions {
        let public = public_reason(f);
        concurrency(f, public.as_deref(), drafts);
        timeout(f, public.is_some(), opts, drafts);
        memory(f, public.is_some(), opts, drafts);
        for t in &f.triggers {
            batch(f, t, opts, drafts);
        }
        recursion(project, f, drafts);
    }
}

/// What makes the function invocable by anyone, for the message.
fn public_reason(f: &Function) -> Option<String> {
    if let Some(t) = f.triggers.iter().find(|t| t.public) {
        return Some(format!("public trigger `{}`", clip(&t.detail)));
    }
    f.url.as_ref().filter(|u| u.auth_none).map(|_| "public function URL".to_owned())
}

fn concurrency(f: &Function, public: Option<&str>, drafts: &mut Drafts) {
    let Some(reason) = public else { return };
    // Terraform's -1 is "unreserved".
    if f.reserved_concurrency.as_ref().is_some_and(|r| r.value >= 0) {
        return;
    }
    let msg = format!("function {} has a {reason} and no reserved concurrency", f.name);
    drafts.add(Draft::new(&NO_RESERVED_CONCURRENCY, f.location.clone(), msg).functions([f.name.as_str()]));
}

fn timeout(f: &Function, public: bool, opts: &PostureOptions, drafts: &mut Drafts) {
    let Some(t) = &f.timeout else { return };
    // API Gateway and ALB stop waiting at about 30 s; a function URL may stream for 15 minutes.
    let behind_gateway = f.url.is_none() && f.triggers.iter().any(|t| t.kind == TriggerKind::Http);
    let (limit, why) =
        if behind_gateway { (opts.max_http_timeout_secs, " for an HTTP-triggered function") } else { (opts.max_timeout_secs, "") };
    if t.value <= limit {
        return;
    }
    let msg = format!("timeout of {} s is above {limit} s{why}", t.value);
    let severity = if public { Severity::Medium } else { Severity::Low };
    drafts.add(Draft::new(&EXCESSIVE_TIMEOUT, t.location.clone(), msg).severity(severity).functions([f.name.as_str()]));
}

fn memory(f: &Function, public: bool, opts: &PostureOptions, drafts: &mut Drafts) {
    let Some(m) = f.memory.as_ref().filter(|m| m.value > opts.max_memory_mb) else { return };
    let msg = format!("memory size of {} MB is above {} MB", m.value, opts.max_memory_mb);
    let severity = if public { Severity::Medium } else { Severity::Low };
    drafts.add(Draft::new(&EXCESSIVE_MEMORY, m.location.clone(), msg).severity(severity).functions([f.name.as_str()]));
}

fn batch(f: &Function, t: &Trigger, opts: &PostureOptions, drafts: &mut Drafts) {
    let Some(b) = t.batch_size.as_ref().filter(|b| b.value > opts.max_batch_size) else { return };
    let msg =
        format!("trigger `{}` of function {} has a batch size of {}, above {}", clip(&t.detail), f.name, b.value, opts.max_batch_size);
    drafts.add(Draft::new(&LARGE_BATCH, b.location.clone(), msg).functions([f.name.as_str()]));
}

/// The actions that put something into what triggers a function of this kind.
fn write_actions(kind: TriggerKind) -> &'static [&'static str] {
    match kind {
        TriggerKind::S3 => &["s3:PutObject"],
        TriggerKind::Sqs => &["sqs:SendMessage"],
        TriggerKind::Sns => &["sns:Publish"],
        TriggerKind::Kinesis => &["kinesis:PutRecord", "kinesis:PutRecords"],
        TriggerKind::DynamoDb => &["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem", "dynamodb:DeleteItem"],
        _ => &[],
    }
}

fn recursion(project: &Project, f: &Function, drafts: &mut Drafts) {
    let role = f.role.as_deref().and_then(|k| project.role(k));
    let policies: Vec<&Policy> = role.into_iter().flat_map(|r| r.policies.iter()).chain(f.policies.iter()).collect();
    for t in &f.triggers {
        let Some(target) = t.resource.as_deref().and_then(resource_key) else { continue };
        let found = policies.iter().flat_map(|p| p.statements.iter().map(move |s| (*p, s))).find_map(|(p, s)| {
            let action = write_actions(t.kind).iter().find(|a| grant(s, a).is_some())?;
            s.resources.iter().any(|r| resource_key(r).as_deref() == Some(target.as_str())).then_some((p, s, *action))
        });
        let Some((policy, statement, action)) = found else { continue };
        let msg = format!("function {} is triggered by `{}` and its role may `{action}` to it", f.name, clip(&t.detail));
        let trace = vec![
            TraceStep { location: t.location.clone(), note: format!("`{}` triggers {}", clip(&t.detail), f.name) },
            TraceStep { location: statement.location.clone(), note: format!("policy {} allows `{action}` on it", clip(&policy.name)) },
        ];
        drafts.add(Draft::new(&RECURSIVE_TRIGGER, t.location.clone(), msg).trace(trace).functions([f.name.as_str()]));
    }
}

/// The name a bucket, queue, topic, stream or table goes by, whichever way it is written:
/// `uploads`, `arn:aws:s3:::uploads/*`, `!GetAtt Uploads.Arn`, `${Uploads.Arn}/*`,
/// `aws_s3_bucket.uploads.arn`. Wildcards name nothing in particular: `None`.
pub fn resource_key(raw: &str) -> Option<String> {
    let mut s = unquote(raw);
    for prefix in ["!Ref ", "!GetAtt ", "!Sub ", "Ref ", "Fn::GetAtt ", "Fn::Sub "] {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = unquote(rest);
        }
    }
    if let Some(rest) = s.strip_prefix("${") {
        let inner = rest.split('}').next()?;
        return named(strip_attribute(inner));
    }
    if let Some(Arn { service, resource: part, .. }) = Arn::parse(s) {
        let name = match service {
            "s3" => part.split('/').next()?,
            "dynamodb" | "kinesis" => part.split('/').nth(1)?,
            _ => part.rsplit(['/', ':']).next()?,
        };
        return if name.starts_with("${") { resource_key(name) } else { named(name) };
    }
    named(strip_attribute(s))
}

fn named(s: &str) -> Option<String> {
    (!s.is_empty() && !s.contains('*')).then(|| s.to_owned())
}

/// `Uploads.Arn` → `Uploads`, `aws_s3_bucket.x.arn` → `aws_s3_bucket.x`; Serverless variables
/// (`self:custom.bucket`) are paths, not attributes, and stay whole.
fn strip_attribute(s: &str) -> &str {
    if s.contains(':') {
        return s;
    }
    const ATTRIBUTES: &[&str] =
        &[".Arn", ".arn", ".id", ".bucket", ".name", ".url", ".stream_arn", ".StreamArn", ".QueueName", ".QueueUrl", ".TopicName"];
    ATTRIBUTES.iter().find_map(|a| s.strip_suffix(a)).unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::resource_key;

    #[test]
    fn keys_of_the_same_resource_agree() {
        let k = |s: &str| resource_key(s);
        assert_eq!(k("uploads"), Some("uploads".into()));
        assert_eq!(k("arn:aws:s3:::uploads/*"), Some("uploads".into()));
        assert_eq!(k("arn:aws:s3:::uploads"), Some("uploads".into()));
        assert_eq!(k("!Ref Uploads"), Some("Uploads".into()));
        assert_eq!(k("!GetAtt Uploads.Arn"), Some("Uploads".into()));
        assert_eq!(k("${Uploads.Arn}/*"), Some("Uploads".into()));
        assert_eq!(k("!Sub '${Uploads.Arn}/*'"), Some("Uploads".into()));
        assert_eq!(k("aws_s3_bucket.uploads.arn"), Some("aws_s3_bucket.uploads".into()));
        assert_eq!(k("${aws_s3_bucket.uploads.arn}/*"), Some("aws_s3_bucket.uploads".into()));
        assert_eq!(k("arn:aws:sqs:us-east-1:123456789012:orders"), Some("orders".into()));
        assert_eq!(k("arn:aws:dynamodb:us-east-1:123456789012:table/Orders/stream/2024"), Some("Orders".into()));
        assert_eq!(k("arn:aws:s3:::${self:custom.bucket}/*"), Some("self:custom.bucket".into()));
        assert_eq!(k("*"), None);
        assert_eq!(k("arn:aws:s3:::*"), None);
        assert_eq!(k(""), None);
        assert_eq!(k("${"), None);
    }
}
