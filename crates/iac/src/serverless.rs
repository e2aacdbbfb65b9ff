//! Serverless Framework (v1–v4) `serverless.yml` / `.json`: provider defaults, functions,
//! events, IAM (`provider.iam.role` and the legacy `iamRoleStatements`), URLs, and the
//! CloudFormation under `resources:`.

use std::path::{Path, PathBuf};

use fnwarden_project::{EnvValue, Framework, Function, FunctionUrl, Policy, Project, Trigger, TriggerKind};

use crate::cfn::Template;
use crate::iam;
use crate::model::{self, MAX_ENV, MAX_ITEMS};
use crate::node::{Kind, Node};
use crate::policy_templates;
use crate::source::Source;

/// Variable references followed before giving up (`${self:a}` → `${self:b}` → …).
const MAX_HOPS: usize = 8;
/// Lookups one value's resolution may make (references branch: a value with many references to
/// values with many references).
const MAX_LOOKUPS: usize = 256;
/// Most values (variables, statements) the provider defaults may copy into the functions.
const MAX_COPIES: usize = 250_000;
/// Longest resolved value kept.
const MAX_RESOLVED: usize = 4096;

fn out_of_budget(budget: &mut usize) -> bool {
    match budget.checked_sub(1) {
        Some(left) => {
            *budget = left;
            false
        }
        None => true,
    }
}

/// True when the tree looks like a Serverless service.
pub(crate) fn is_service(root: &Node) -> bool {
    root.get("service").is_some() && (root.get("provider").is_some() || root.get("functions").is_some())
}

pub(crate) fn read(src: &mut Source, root: &Node, project: &mut Project) {
    if !root.is_map() {
        src.bad_shape(root, "serverless config is not a mapping");
        return;
    }
    let vars = Vars { root };
    let provider = root.get("provider").map(|p| vars.deref(p)).unwrap_or(Node::null());
    if !provider.is_map() && !provider.is_null() && !is_variable(provider) {
        src.bad_shape(provider, "provider is not a mapping");
    }
    // `resources:` is one mapping, or a list of them (some pulled in with `${file(…)}`).
    let resources: Vec<&Node> =
        root.get("resources").map(Node::one_or_many).unwrap_or_default().into_iter().filter_map(|r| r.get("Resources")).collect();
    let template = Template::new(src, root, &resources, Framework::Serverless);
    let shared = SharedIam::read(src, &vars, provider, &template);
    let mut functions = Vec::new();
    let (functions_key, declared) = root.entry("functions").map(|(k, f)| (Some(k), Some(vars.deref(f)))).unwrap_or_default();
    match declared.map(|d| &d.kind) {
        None | Some(Kind::Null) => {}
        Some(Kind::Map(_)) => functions.extend(declared.into_iter().flat_map(|d| d.entries())),
        // Older configs list single-entry mappings.
        Some(Kind::Seq(items)) => functions.extend(items.iter().flat_map(|i| i.entries())),
        Some(_) => {
            if let (Some(k), Some(d)) = (functions_key, declared)
                && !is_variable(d)
            {
                src.bad_shape(k, "functions is not a mapping");
            }
        }
    }
    // Provider defaults are copied into every function: bound the copies, not just the lists.
    let shared_env = provider.get("environment").map_or(0, |e| vars.deref(e).entries().count().min(MAX_ENV));
    let per_function = 1 + shared_env + shared.policies.iter().map(|p| p.statements.len() + 1).sum::<usize>();
    let limit = (MAX_COPIES / per_function).min(MAX_ITEMS);
    if functions.len() > limit
        && let Some(k) = functions_key
    {
        src.bad_shape(k, format!("more than {limit} functions with these provider defaults; the rest are not read"));
    }
    let service_dir = src.dir();
    let mut read_functions = Vec::new();
    for (name, key, def) in functions.into_iter().take(limit) {
        let def = vars.deref(def);
        if !def.is_map() {
            if is_variable(def) {
                tracing::debug!(file = %src.path.display(), function = name, "function defined by an unresolved variable");
            } else {
                src.bad_shape(key, format!("function {name} is not a mapping"));
            }
            continue;
        }
        read_functions.push(
            ServiceFunction { src, vars: &vars, provider, template: &template, shared: &shared, service_dir: &service_dir }
                .read(name, key, def),
        );
    }
    let external = read_functions.iter().map(|f: &Function| (logical_id(&f.name), f.name.clone())).collect();
    project.functions.extend(read_functions);
    template.with_external_functions(external).read(src, project);
}

/// The CloudFormation logical id Serverless gives a function (`get-user` → `GetDashuserLambdaFunction`).
fn logical_id(name: &str) -> String {
    let mut id = name.replace('-', "Dash").replace('_', "Underscore");
    if let Some(first) = id.get(..1) {
        id = first.to_ascii_uppercase() + &id[1..];
    }
    id + "LambdaFunction"
}

/// `${self:…}` resolution within the file; anything else stays unresolved.
struct Vars<'a> {
    root: &'a Node,
}

impl<'a> Vars<'a> {
    /// A value that is exactly `${self:path}` pointing at another node: that node.
    fn deref(&self, node: &'a Node) -> &'a Node {
        let mut current = node;
        for _ in 0..MAX_HOPS {
            let Some(path) = current.as_str().and_then(whole_self_reference) else { return current };
            match self.lookup(path) {
                Some(next) => current = next,
                None => return current,
            }
        }
        current
    }

    fn lookup(&self, path: &str) -> Option<&'a Node> {
        let mut node = self.root;
        for part in path.split('.') {
            node = node.get(part.trim())?;
        }
        Some(node)
    }

    /// The text with every variable resolved, or `None` when one cannot be (deploy-time).
    fn resolve(&self, text: &str) -> Option<String> {
        let mut budget = MAX_LOOKUPS;
        self.resolve_within(text, 0, &mut budget)
    }

    /// `budget` bounds the lookups of one resolution, which branch at every reference.
    fn resolve_within(&self, text: &str, hops: usize, budget: &mut usize) -> Option<String> {
        if hops > MAX_HOPS || out_of_budget(budget) {
            return None;
        }
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let end = closing_brace(&rest[start + 2..])?;
            let inner = &rest[start + 2..start + 2 + end];
            let path = inner.strip_prefix("self:")?;
            let value = self.deref(self.lookup(path.split(',').next()?.trim())?);
            out.push_str(&self.resolve_within(value.as_str()?, hops + 1, budget)?);
            if out.len() > MAX_RESOLVED {
                return None;
            }
            rest = &rest[start + 2 + end + 1..];
        }
        out.push_str(rest);
        Some(out)
    }

    /// A scalar with its variables resolved, as a node (keeps the written position).
    fn scalar(&self, node: &'a Node) -> Node {
        let node = self.deref(node);
        match node.as_str() {
            Some(text) if text.contains("${") => match self.resolve(text) {
                Some(resolved) => Node::new(Kind::Scalar(resolved), node.line, node.col),
                None => node.clone(),
            },
            _ => node.clone(),
        }
    }

    fn env_value(&self, value: &'a Node) -> EnvValue {
        let value = self.deref(value);
        match value.as_str() {
            Some(text) if text.contains("${") => match self.resolve(text) {
                Some(resolved) => EnvValue::Literal(resolved),
                None => EnvValue::Computed(text.to_string()),
            },
            Some(text) => EnvValue::Literal(text.to_string()),
            None if value.is_null() => EnvValue::Literal(String::new()),
            None => EnvValue::Computed(value.text()),
        }
    }
}

/// A value Serverless fills in at deploy time (`${file(functions.yml)}`), not a wrong shape.
fn is_variable(node: &Node) -> bool {
    node.as_str().is_some_and(|s| s.contains("${"))
}

fn whole_self_reference(text: &str) -> Option<&str> {
    let inner = text.trim().strip_prefix("${self:")?.strip_suffix('}')?;
    (!inner.contains("${") && !inner.contains(',')).then_some(inner)
}

/// The offset of the `}` closing a `${`, nested references counted.
fn closing_brace(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return Some(i),
            '}' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// The service-wide role: its declared key, or the statements and managed policies every
/// function without its own role gets.
struct SharedIam {
    role: Option<String>,
    /// The service names a role it does not declare (an ARN): no shared statements apply.
    external_role: bool,
    policies: Vec<Policy>,
}

impl SharedIam {
    fn read(src: &Source, vars: &Vars<'_>, provider: &Node, template: &Template<'_>) -> SharedIam {
        let mut shared = SharedIam { role: None, external_role: false, policies: Vec::new() };
        let role = provider.path(&["iam", "role"]).or_else(|| provider.get("role")).map(|r| vars.deref(r));
        if let Some(role) = role.filter(|r| !r.is_map()) {
            shared.role = declared_role(template, role);
            shared.external_role = shared.role.is_none();
            return shared;
        }
        let statements = [
            (role.and_then(|r| r.entry("statements")), "provider.iam.role.statements"),
            (provider.entry("iamRoleStatements"), "provider.iamRoleStatements"),
        ];
        for (entry, name) in statements {
            if let Some((key, list)) = entry {
                shared.policies.push(iam::statement_list(src, name, key, vars.deref(list)));
            }
        }
        for list in [role.and_then(|r| r.get("managedPolicies")), provider.get("iamManagedPolicies")].into_iter().flatten() {
            for arn in vars.deref(list).one_or_many().into_iter().take(MAX_ITEMS) {
                shared.policies.push(policy_templates::managed(src, &vars.scalar(arn).text(), arn));
            }
        }
        shared
    }
}

/// A role given by logical name, `!GetAtt R.Arn` or `Fn::GetAtt`, when `resources:` declares it.
fn declared_role(template: &Template<'_>, role: &Node) -> Option<String> {
    let id = role.reference().or_else(|| role.as_str())?;
    template.resources.iter().any(|r| r.id == id && r.kind == "AWS::IAM::Role").then(|| id.to_string())
}

struct ServiceFunction<'s, 'a> {
    src: &'s Source,
    vars: &'s Vars<'a>,
    provider: &'a Node,
    template: &'s Template<'a>,
    shared: &'s SharedIam,
    service_dir: &'s Path,
}

impl<'a> ServiceFunction<'_, 'a> {
    fn read(&self, name: &str, key: &Node, def: &'a Node) -> Function {
        let src = self.src;
        let get = |k: &str| def.get(k).or_else(|| self.provider.get(k)).map(|n| self.vars.scalar(n));
        let handler = def.get("handler").map(|h| self.vars.scalar(h));
        let mut f = model::function(name, src.at(key), Framework::Serverless, self.code_dir(def, handler.as_ref()));
        f.handler = handler.as_ref().map(|h| model::text(src, h));
        f.runtime = if def.get("image").is_some() { None } else { get("runtime").map(|n| model::text(src, &n)) };
        f.timeout = get("timeout").and_then(|n| model::number(src, &n));
        f.memory = get("memorySize").and_then(|n| model::number(src, &n));
        f.reserved_concurrency = def.get("reservedConcurrency").and_then(|n| model::signed(src, &self.vars.scalar(n)));
        let layers = def.get("layers").or_else(|| self.provider.get("layers")).map(|l| self.vars.deref(l));
        f.layers =
            layers.map(|l| l.one_or_many().into_iter().map(|n| model::text(src, &self.vars.scalar(n))).collect()).unwrap_or_default();
        for env in [self.provider.get("environment"), def.get("environment")].into_iter().flatten() {
            for (var, k, value) in self.vars.deref(env).entries().take(MAX_ENV) {
                let value = self.vars.env_value(value);
                model::set_env(&mut f.env, fnwarden_project::EnvVar { name: var.to_string(), value, location: src.at(k) });
            }
        }
        match def.get("role").map(|r| self.vars.deref(r)) {
            Some(role) => f.role = declared_role(self.template, role),
            None if self.shared.external_role => {}
            None => {
                f.role.clone_from(&self.shared.role);
                f.policies = self.shared.policies.clone();
            }
        }
        if let Some((k, list)) = def.entry("iamRoleStatements") {
            f.policies.push(iam::statement_list(src, &format!("{name}.iamRoleStatements"), k, self.vars.deref(list)));
        }
        if let Some((k, url)) = def.entry("url") {
            let url = self.vars.deref(url);
            let enabled = url.as_bool() != Some(false) && !url.is_null();
            let iam_auth = url.get("authorizer").and_then(Node::as_str).is_some_and(|a| a.eq_ignore_ascii_case("aws_iam"));
            if enabled {
                f.url = Some(FunctionUrl { auth_none: !iam_auth, location: src.at(k) });
            }
        }
        if let Some(events) = def.get("events").map(|e| self.vars.deref(e)) {
            for item in events.as_seq().unwrap_or_default().iter().take(MAX_ITEMS) {
                if let Some((kind, k, event)) = item.entries().next() {
                    f.triggers.push(self.event(kind, k, self.vars.deref(event)));
                }
            }
        }
        f
    }

    /// The service folder; a `module:` (python-requirements) or a handler that climbs out of
    /// the service (`../src/app.handler`) moves it.
    fn code_dir(&self, def: &Node, handler: Option<&Node>) -> PathBuf {
        if let Some(module) = def.get("module").and_then(Node::as_str) {
            return model::normalize(&self.service_dir.join(module));
        }
        match handler.and_then(Node::as_str) {
            Some(h) if h.starts_with("../") => {
                let dir = h.rsplit_once('/').map_or("", |(d, _)| d);
                model::normalize(&self.service_dir.join(dir))
            }
            _ => self.service_dir.to_path_buf(),
        }
    }

    fn event(&self, kind: &str, key: &Node, event: &Node) -> Trigger {
        let src = self.src;
        let field = |k: &str| event.get(k).map(|n| self.vars.scalar(n));
        let mut t = model::trigger(src, TriggerKind::Other, key, kind.to_string());
        let has_authorizer =
            |e: &Node| e.get("authorizer").is_some_and(|a| !a.is_null() && !a.as_str().is_some_and(|s| s.eq_ignore_ascii_case("NONE")));
        match kind {
            "http" | "httpApi" => {
                t.kind = TriggerKind::Http;
                t.detail = match event.as_str() {
                    Some(route) => route.to_string(),
                    None => {
                        let method = field("method").map_or_else(|| "ANY".to_string(), |m| m.text().to_ascii_uppercase());
                        format!("{method} {}", field("path").map(|p| p.text()).unwrap_or_default())
                    }
                };
                let private = event.get("private").and_then(Node::as_bool) == Some(true);
                t.public = !has_authorizer(event) && !private;
            }
            "websocket" | "alb" => {
                t.kind = TriggerKind::Http;
                t.detail = format!(
                    "{kind} {}",
                    event.as_str().map(str::to_string).or_else(|| field("route").map(|r| r.text())).unwrap_or_default()
                );
                t.public = !has_authorizer(event);
            }
            "s3" => {
                t.kind = TriggerKind::S3;
                let bucket =
                    event.as_str().map(|_| self.vars.scalar(event)).or_else(|| field("bucket")).unwrap_or_else(|| Node::null().clone());
                let events = field("event").map_or_else(|| "s3:ObjectCreated:*".to_string(), |e| e.text());
                t.detail = format!("bucket {} ({events})", bucket.text());
                let generated = Node::new(Kind::Scalar(format!("S3Bucket{}", alphanumeric(&bucket.text()))), bucket.line, bucket.col);
                t.public = self.template.bucket_public(src, &bucket) || self.template.bucket_public(src, &generated);
                t.resource = Some(bucket.reference().map_or_else(|| bucket.text(), str::to_string));
            }
            "sqs" | "stream" | "kafka" | "msk" | "activemq" | "rabbitmq" => {
                let arn = if event.is_map() && event.intrinsic().is_none() { field("arn") } else { Some(self.vars.scalar(event)) };
                let arn_text = arn.as_ref().map(Node::text).unwrap_or_default();
                t.kind = match (kind, field("type").as_ref().and_then(Node::as_str)) {
                    ("sqs", _) => TriggerKind::Sqs,
                    ("stream", Some("dynamodb")) => TriggerKind::DynamoDb,
                    ("stream", Some("kinesis")) => TriggerKind::Kinesis,
                    ("stream", _) => match model::kind_of_arn(&arn_text) {
                        TriggerKind::Other => TriggerKind::Kinesis,
                        k => k,
                    },
                    ("kafka" | "msk", _) => TriggerKind::Kafka,
                    _ => TriggerKind::Other,
                };
                t.detail = format!("{kind} {arn_text}");
                t.resource = arn.as_ref().map(|a| a.reference().map_or_else(|| queue_name(&arn_text), str::to_string));
                t.batch_size = event.get("batchSize").and_then(|b| model::number(src, &self.vars.scalar(b)));
            }
            "sns" => {
                t.kind = TriggerKind::Sns;
                let topic = if event.is_map() && event.intrinsic().is_none() {
                    field("arn").or_else(|| field("topicName"))
                } else {
                    Some(self.vars.scalar(event))
                };
                let text = topic.as_ref().map(Node::text).unwrap_or_default();
                t.detail = format!("topic {text}");
                t.resource = topic.map(|a| a.reference().map_or_else(|| queue_name(&text), str::to_string));
            }
            "schedule" => {
                t.kind = TriggerKind::Schedule;
                t.detail = format!(
                    "schedule {}",
                    event.as_str().map(str::to_string).or_else(|| field("rate").map(|r| r.text())).unwrap_or_default()
                );
            }
            "eventBridge" | "cloudwatchEvent" => {
                t.kind = if field("schedule").is_some() { TriggerKind::Schedule } else { TriggerKind::EventBridge };
                t.detail = format!("{kind} {}", field("eventBus").map(|b| b.text()).unwrap_or_else(|| "default".to_string()));
            }
            "cognitoUserPool" => {
                t.kind = TriggerKind::Cognito;
                t.detail = format!(
                    "user pool {} ({})",
                    field("pool").map(|p| p.text()).unwrap_or_default(),
                    field("trigger").map(|p| p.text()).unwrap_or_default()
                );
            }
            "iot" => {
                t.kind = TriggerKind::Iot;
                t.detail = format!("IoT rule {}", field("sql").map(|p| p.text()).unwrap_or_default());
            }
            _ => {}
        }
        t
    }
}

/// `arn:aws:sqs:region:acct:orders` → `orders`; anything else as written.
fn queue_name(arn: &str) -> String {
    match arn.strip_prefix("arn:") {
        Some(rest) => rest.rsplit([':', '/']).next().unwrap_or(arn).to_string(),
        None => arn.to_string(),
    }
}

/// Serverless's logical-id form of a bucket name: alphanumerics only, first letter upper-case.
fn alphanumeric(name: &str) -> String {
    let clean: String = name.chars().filter(char::is_ascii_alphanumeric).collect();
    let mut chars = clean.chars();
    chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml;

    #[test]
    fn self_references_resolve_and_others_stay_computed() {
        let root = yaml::parse("custom:\n  table: orders-${self:custom.stage}\n  stage: dev\n  loop: ${self:custom.loop}\n  map: {a: 1}\n")
            .unwrap();
        let vars = Vars { root: &root };
        assert_eq!(vars.resolve("${self:custom.table}").as_deref(), Some("orders-dev"));
        assert_eq!(vars.resolve("x-${ssm:/a/b}"), None);
        assert_eq!(vars.resolve("${self:custom.loop}"), None);
        assert_eq!(vars.resolve("${self:custom.map}"), None);
        assert_eq!(vars.resolve("${self:custom.missing}"), None);
        assert_eq!(vars.resolve("${self:custom.${opt:stage}}"), None);
        assert_eq!(vars.resolve("plain").as_deref(), Some("plain"));
    }

    #[test]
    fn branching_references_are_bounded() {
        // Each level refers to the next one ten times: 10^8 lookups unbounded.
        let mut text = String::from("custom:\n  l8: x\n");
        for level in (0..8).rev() {
            let refs = format!("${{self:custom.l{}}}", level + 1).repeat(10);
            text.push_str(&format!("  l{level}: \"{refs}\"\n"));
        }
        let root = yaml::parse(&text).unwrap();
        let vars = Vars { root: &root };
        let started = std::time::Instant::now();
        assert_eq!(vars.resolve("${self:custom.l0}"), None);
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        assert_eq!(vars.resolve("${self:custom.l7}").map(|s| s.len()), Some(10));
    }

    fn read_service(text: &str) -> Project {
        let root = yaml::parse(text).unwrap();
        let mut src = Source::new(std::path::Path::new("svc/serverless.yml"));
        let mut project = Project::default();
        read(&mut src, &root, &mut project);
        assert!(src.diagnostics.is_empty(), "{:?}", src.diagnostics);
        project
    }

    #[test]
    fn http_authorizers_private_routes_and_urls() {
        let p = read_service(
            "service: s\nfunctions:\n  f:\n    handler: h.f\n    url: false\n    events:\n      - http: GET /open\n      - http: {path: k, method: get, private: true}\n      - http: {path: n, method: get, authorizer: NONE}\n      - http: {path: a, method: get, authorizer: {name: auth, type: token}}\n      - websocket: {route: $connect}\n      - alb: {listenerArn: x, priority: 1}\n",
        );
        let f = p.function("f").unwrap();
        let public: Vec<bool> = f.triggers.iter().map(|t| t.public).collect();
        assert_eq!(public, vec![true, false, true, false, true, true]);
        assert!(f.triggers.iter().all(|t| t.kind == TriggerKind::Http));
        assert_eq!(f.triggers[0].location.line, 7);
        assert!(f.url.is_none());
        assert_eq!(f.code_dir, std::path::PathBuf::from("svc"));
    }

    #[test]
    fn roles_given_by_arn_or_per_function() {
        let text = "service: s\nprovider:\n  name: aws\n  iam:\n    role: arn:aws:iam::123456789012:role/shared\nfunctions:\n  f:\n    handler: h.f\n";
        let p = read_service(text);
        let f = p.function("f").unwrap();
        assert!(f.role.is_none() && f.policies.is_empty());

        let text = "service: s\nprovider:\n  name: aws\n  iamRoleStatements:\n    - {Effect: Allow, Action: 'sqs:*', Resource: '*'}\nfunctions:\n  shared:\n    handler: h.f\n  own:\n    handler: h.g\n    role: !GetAtt OwnRole.Arn\n  extra:\n    handler: ../lib/h.g\n    iamRoleStatements:\n      - {Effect: Allow, Action: 'kms:Decrypt', Resource: '*'}\nresources:\n  - Resources:\n      OwnRole:\n        Type: AWS::IAM::Role\n  - ${file(more.yml)}\n";
        let p = read_service(text);
        let shared = p.function("shared").unwrap();
        assert_eq!(shared.policies.len(), 1);
        assert_eq!(shared.policies[0].name, "provider.iamRoleStatements");
        assert_eq!(shared.policies[0].location.line, 4);
        assert_eq!(shared.policies[0].statements[0].location.line, 5);
        let own = p.function("own").unwrap();
        assert_eq!(own.role.as_deref(), Some("OwnRole"));
        assert!(own.policies.is_empty());
        let extra = p.function("extra").unwrap();
        assert_eq!(extra.policies.len(), 2);
        assert_eq!(extra.policies[1].statements[0].actions, vec!["kms:Decrypt"]);
        assert_eq!(extra.code_dir, std::path::PathBuf::from("lib"));
        assert_eq!(p.roles.len(), 1);
    }

    #[test]
    fn serverless_names() {
        assert_eq!(logical_id("get-user_x"), "GetDashuserUnderscorexLambdaFunction");
        assert_eq!(queue_name("arn:aws:sqs:us-east-1:123:orders"), "orders");
        assert_eq!(alphanumeric("my-uploads.bucket"), "Myuploadsbucket");
    }
}
