//! AWS SAM and CloudFormation templates (YAML or JSON, already parsed into a [`Node`] tree with
//! short-form tags as long-form intrinsics). Also reads the `resources:` of a serverless.yml.

use fnwarden_project::{Framework, Function, FunctionUrl, Permission, Policy, Project, Role, TriggerKind};

use crate::iam;
use crate::model::{self, MAX_ENV, MAX_ITEMS};
use crate::node::Node;
use crate::policy_templates;
use crate::source::Source;

/// Most resources read from one template (CloudFormation itself allows 500), which bounds the
/// resource-by-resource cross-referencing below.
const MAX_RESOURCES: usize = 1_000;

/// True when the tree is a CloudFormation or SAM template.
pub(crate) fn is_template(root: &Node) -> bool {
    root.get("AWSTemplateFormatVersion").is_some()
        || root.get("Transform").is_some_and(|t| t.text().contains("AWS::Serverless"))
        || root
            .get("Resources")
            .is_some_and(|r| r.entries().any(|(_, _, v)| v.get("Type").and_then(Node::as_str).is_some_and(|t| t.starts_with("AWS::"))))
}

/// A resource of the template.
pub(crate) struct Resource<'a> {
    pub id: &'a str,
    pub key: &'a Node,
    pub kind: &'a str,
    pub props: &'a Node,
}

pub(crate) struct Template<'a> {
    pub resources: Vec<Resource<'a>>,
    parameters: Option<&'a Node>,
    globals: Option<&'a Node>,
    framework: Framework,
    /// Functions declared outside the template (Serverless): logical id → function name.
    external: Vec<(String, String)>,
}

impl<'a> Template<'a> {
    /// Reads the `Resources` mappings; bad shapes become diagnostics and are skipped.
    pub fn new(src: &mut Source, root: &'a Node, resources: &[&'a Node], framework: Framework) -> Template<'a> {
        let mut list = Vec::new();
        for &map in resources {
            if !map.is_map() && !map.is_null() {
                src.bad_shape(map, "Resources is not a mapping");
            }
            if map.entries().nth(MAX_RESOURCES).is_some() {
                src.bad_shape(map, format!("more than {MAX_RESOURCES} resources; the rest are not read"));
            }
            for (id, key, res) in map.entries().take(MAX_RESOURCES) {
                match res.get("Type").and_then(Node::as_str) {
                    Some(kind) => list.push(Resource { id, key, kind, props: res.get("Properties").unwrap_or(Node::null()) }),
                    None => src.bad_shape(key, format!("resource {id} has no Type")),
                }
            }
        }
        Template { resources: list, parameters: root.get("Parameters"), globals: root.get("Globals"), framework, external: Vec::new() }
    }

    pub fn with_external_functions(mut self, functions: Vec<(String, String)>) -> Template<'a> {
        self.external = functions;
        self
    }

    fn of_kind(&self, kind: &'a str) -> impl Iterator<Item = &Resource<'a>> + '_ {
        self.resources.iter().filter(move |r| r.kind == kind)
    }

    fn resource(&self, id: &str) -> Option<&Resource<'a>> {
        self.resources.iter().find(|r| r.id == id)
    }

    /// A `!Ref Param` with a default resolves to the default (for numbers and runtimes).
    fn resolve<'n>(&'n self, node: &'n Node) -> &'n Node {
        match node.intrinsic() {
            Some(("Ref", arg)) => {
                let param = arg.as_str().and_then(|p| self.parameters.and_then(|ps| ps.get(p)));
                param.and_then(|p| p.get("Default")).unwrap_or(node)
            }
            _ => node,
        }
    }

    fn global(&self, section: &str, key: &str) -> Option<&'a Node> {
        self.globals.and_then(|g| g.path(&[section, key]))
    }

    /// The function a reference points at (`!Ref F`, `!GetAtt F.Arn`, `!Sub ${F.Arn}`, a literal
    /// `FunctionName`): its model name.
    pub fn function_name(&self, node: &Node) -> Option<String> {
        let functions = self.resources.iter().filter(|r| is_function(r.kind)).map(|r| (r.id.to_string(), r.id.to_string()));
        let all: Vec<(String, String)> = functions.chain(self.external.iter().cloned()).collect();
        if let Some(id) = node.reference() {
            return all.iter().find(|(logical, _)| logical == id).map(|(_, name)| name.clone());
        }
        let text = node.text();
        let mentioned = |id: &str| {
            text.contains(&format!("${{{id}."))
                || text.contains(&format!("${{{id}}}"))
                || text.contains(&format!("!GetAtt {id}."))
                || text
                    .match_indices(&format!("!Ref {id}"))
                    .any(|(at, m)| !text[at + m.len()..].starts_with(|c: char| c.is_ascii_alphanumeric()))
        };
        if let Some((_, name)) = all.iter().find(|(id, _)| mentioned(id)) {
            return Some(name.clone());
        }
        let literal = node.as_str()?;
        let by_name = self
            .resources
            .iter()
            .filter(|r| is_function(r.kind))
            .find(|r| r.props.get("FunctionName").and_then(Node::as_str) == Some(literal));
        by_name.map(|r| r.id.to_string()).or_else(|| all.iter().find(|(_, name)| name == literal).map(|(_, n)| n.clone()))
    }

    /// Whether the bucket a trigger names (a reference, a logical id or a bucket name) is
    /// public: a public ACL, or a policy allowing `*` without a condition, not blocked by its
    /// public access block.
    pub fn bucket_public(&self, src: &Source, bucket: &Node) -> bool {
        let wanted = bucket.reference().map(str::to_string).or_else(|| bucket.as_str().map(str::to_string));
        let Some(wanted) = wanted else { return false };
        let Some(res) =
            self.of_kind("AWS::S3::Bucket").find(|r| r.id == wanted || r.props.get("BucketName").and_then(Node::as_str) == Some(&wanted))
        else {
            return false;
        };
        let name = res.props.get("BucketName").and_then(Node::as_str);
        let flag = |k: &str| res.props.path(&["PublicAccessBlockConfiguration", k]).and_then(Node::as_bool).unwrap_or(false);
        let acl = res.props.get("AccessControl").and_then(Node::as_str).is_some_and(|a| a == "PublicRead" || a == "PublicReadWrite");
        let acl_public = acl && !flag("BlockPublicAcls") && !flag("IgnorePublicAcls");
        let policy_public = self.of_kind("AWS::S3::BucketPolicy").any(|p| {
            let target = p.props.get("Bucket").unwrap_or(Node::null());
            let ours = target.reference() == Some(res.id) || (name.is_some() && target.as_str() == name);
            ours && p.props.get("PolicyDocument").is_some_and(|d| iam::document(src, d).iter().any(open_to_anyone))
        });
        acl_public || (policy_public && !flag("BlockPublicPolicy") && !flag("RestrictPublicBuckets"))
    }

    /// Whether a queue or topic policy lets anyone send to the referenced queue or topic.
    fn sender_public(&self, src: &Source, policy_kind: &'a str, list_key: &str, target: &Node) -> bool {
        let Some(id) = target.reference() else { return false };
        self.of_kind(policy_kind).any(|p| {
            let ours = p.props.get(list_key).is_some_and(|l| l.one_or_many().iter().any(|t| t.reference() == Some(id)));
            ours && p.props.get("PolicyDocument").is_some_and(|d| iam::document(src, d).iter().any(open_to_anyone))
        })
    }

    /// Reads functions, roles, permissions and event wiring into `project`.
    pub fn read(&self, src: &mut Source, project: &mut Project) {
        let mut functions: Vec<Function> = self.resources.iter().filter(|r| is_function(r.kind)).map(|r| self.function(src, r)).collect();
        self.attach_urls(src, &mut functions);
        self.attach_event_source_mappings(src, &mut functions);
        self.attach_bucket_notifications(src, &mut functions);
        self.attach_rest_methods(src, &mut functions);
        self.attach_http_routes(src, &mut functions);
        self.attach_subscriptions(src, &mut functions);
        self.attach_rules(src, &mut functions);
        // Triggers found on functions declared elsewhere (Serverless) go to those functions.
        let (own, foreign): (Vec<_>, Vec<_>) =
            functions.into_iter().partition(|f| self.resource(&f.name).is_some_and(|r| is_function(r.kind)));
        for f in foreign {
            // The service's own functions were added last.
            if let Some(target) = project.functions.iter_mut().rev().find(|p| p.name == f.name) {
                target.triggers.extend(f.triggers);
                if f.url.is_some() {
                    target.url = f.url;
                }
            }
        }
        project.functions.extend(own);
        project.roles.extend(self.roles(src));
        project.permissions.extend(self.permissions(src));
    }

    fn function(&self, src: &mut Source, res: &Resource<'a>) -> Function {
        let sam = res.kind == "AWS::Serverless::Function";
        let framework = if sam { Framework::Sam } else { self.framework };
        let get = |key: &str| res.props.get(key).or_else(|| if sam { self.global("Function", key) } else { None });
        let code_dir = match get("CodeUri").and_then(Node::as_str) {
            Some(uri) if !uri.contains("://") => model::normalize(&src.dir().join(uri)),
            _ => src.dir(),
        };
        let mut f = model::function(res.id, src.at(res.key), framework, code_dir);
        if !res.props.is_map() {
            src.bad_shape(res.key, format!("resource {} has no Properties mapping", res.id));
            return f;
        }
        f.runtime = get("Runtime").map(|n| model::text(src, self.resolve(n)));
        f.handler = get("Handler").map(|n| model::text(src, self.resolve(n)));
        f.timeout = get("Timeout").and_then(|n| model::number(src, self.resolve(n)));
        f.memory = get("MemorySize").and_then(|n| model::number(src, self.resolve(n)));
        f.reserved_concurrency = get("ReservedConcurrentExecutions").and_then(|n| model::signed(src, self.resolve(n)));
        f.layers = get("Layers").map(|l| l.one_or_many().into_iter().map(|n| model::text(src, n)).collect()).unwrap_or_default();
        let globals_env = if sam { self.global("Function", "Environment") } else { None };
        for env in [globals_env, res.props.get("Environment")].into_iter().flatten() {
            for (name, key, value) in env.get("Variables").map(|v| v.entries()).into_iter().flatten().take(MAX_ENV) {
                model::set_env(&mut f.env, model::env_var(src, key, name, value));
            }
        }
        if let Some(role) = res.props.get("Role") {
            f.role = role.reference().filter(|id| self.resource(id).is_some_and(|r| r.kind == "AWS::IAM::Role")).map(str::to_string);
        }
        if let Some(policies) = res.props.get("Policies") {
            f.policies = self.sam_policies(src, res.id, policies);
        }
        if let Some(url) = get("FunctionUrlConfig") {
            let auth = url.get("AuthType").unwrap_or(url);
            f.url = Some(FunctionUrl { auth_none: auth.as_str() == Some("NONE"), location: src.at(auth) });
        }
        if let Some((events_key, events)) = res.props.entry("Events") {
            if !events.is_map() && !events.is_null() {
                src.bad_shape(events_key, format!("Events of {} is not a mapping", res.id));
            }
            for (name, key, event) in events.entries().take(MAX_ITEMS) {
                if let Some(t) = self.sam_event(src, name, key, event) {
                    f.triggers.push(t);
                }
            }
        }
        f
    }

    /// SAM `Policies`: managed names or ARNs, policy templates, inline documents.
    fn sam_policies(&self, src: &Source, function: &str, policies: &Node) -> Vec<Policy> {
        let mut out = Vec::new();
        for item in policies.one_or_many().into_iter().take(MAX_ITEMS) {
            if item.is_literal() || item.intrinsic().is_some() {
                out.push(policy_templates::managed(src, &item.text(), item));
            } else if item.get("Statement").is_some() {
                out.push(iam::inline(src, format!("{function} inline policy"), item, item));
            } else if let Some((name, _, params)) = item.entries().next() {
                out.push(policy_templates::sam_template(src, name, params, item));
            }
        }
        out
    }

    fn sam_event(&self, src: &Source, name: &str, key: &Node, event: &Node) -> Option<fnwarden_project::Trigger> {
        let kind = event.get("Type").and_then(Node::as_str)?;
        let props = event.get("Properties").unwrap_or(Node::null());
        let prop = |k: &str| props.get(k);
        let text = |k: &str| prop(k).map(Node::text).unwrap_or_default();
        let trigger = |kind, detail: String| model::trigger(src, kind, key, detail);
        let mut t = match kind {
            "Api" | "HttpApi" => {
                let (api_kind, api_key) =
                    if kind == "Api" { ("AWS::Serverless::Api", "RestApiId") } else { ("AWS::Serverless::HttpApi", "ApiId") };
                let section = if kind == "Api" { "Api" } else { "HttpApi" };
                let api = prop(api_key).and_then(Node::reference).and_then(|id| self.resource(id)).filter(|r| r.kind == api_kind);
                // The event's own Auth, then its API's, then the Globals merged into every API.
                let auths = [prop("Auth"), api.and_then(|a| a.props.get("Auth")), self.global(section, "Auth")];
                let authorizer = prop("Auth")
                    .and_then(|a| a.get("Authorizer"))
                    .or_else(|| auths[1..].iter().flatten().find_map(|a| a.get("DefaultAuthorizer")));
                let api_key_required = auths.iter().flatten().find_map(|a| a.get("ApiKeyRequired")).and_then(Node::as_bool) == Some(true);
                let method = prop("Method").map_or_else(|| "ANY".to_string(), |m| m.text().to_ascii_uppercase());
                let path = prop("Path").map_or_else(|| "$default".to_string(), Node::text);
                let mut t = trigger(TriggerKind::Http, format!("{method} {path}"));
                t.public = authorizer.is_none_or(|a| a.as_str().is_some_and(|s| s.eq_ignore_ascii_case("NONE"))) && !api_key_required;
                t
            }
            "S3" => {
                let bucket = prop("Bucket").unwrap_or(Node::null());
                let mut t = trigger(TriggerKind::S3, format!("bucket {} ({})", bucket.text(), events_text(prop("Events"))));
                t.public = self.bucket_public(src, bucket);
                t.resource = Some(resource_name(bucket));
                t
            }
            "SQS" => {
                let queue = prop("Queue").unwrap_or(Node::null());
                let mut t = trigger(TriggerKind::Sqs, format!("queue {}", queue.text()));
                t.public = self.sender_public(src, "AWS::SQS::QueuePolicy", "Queues", queue);
                t.resource = Some(resource_name(queue));
                t
            }
            "Kinesis" | "DynamoDB" | "MSK" | "SelfManagedKafka" | "MQ" | "DocumentDB" => {
                let source = prop("Stream").or_else(|| prop("Broker")).or_else(|| prop("Cluster")).unwrap_or(Node::null());
                let kind = match kind {
                    "Kinesis" => TriggerKind::Kinesis,
                    "DynamoDB" => TriggerKind::DynamoDb,
                    "MSK" | "SelfManagedKafka" => TriggerKind::Kafka,
                    _ => TriggerKind::Other,
                };
                let mut t = trigger(kind, format!("stream {}", source.text()));
                t.resource = (!source.is_null()).then(|| resource_name(source));
                t
            }
            "SNS" => {
                let topic = prop("Topic").unwrap_or(Node::null());
                let mut t = trigger(TriggerKind::Sns, format!("topic {}", topic.text()));
                t.public = self.sender_public(src, "AWS::SNS::TopicPolicy", "Topics", topic);
                t.resource = Some(resource_name(topic));
                t
            }
            "Schedule" | "ScheduleV2" => {
                trigger(TriggerKind::Schedule, format!("schedule {}", text("Schedule") + &text("ScheduleExpression")))
            }
            "EventBridgeRule" | "CloudWatchEvent" => trigger(TriggerKind::EventBridge, format!("rule {name}")),
            "Cognito" => trigger(TriggerKind::Cognito, format!("user pool {} ({})", text("UserPool"), text("Trigger"))),
            "IoTRule" => trigger(TriggerKind::Iot, format!("IoT rule {}", text("Sql"))),
            _ => trigger(TriggerKind::Other, format!("{kind} {name}")),
        };
        t.batch_size = prop("BatchSize").and_then(|b| model::number(src, self.resolve(b)));
        Some(t)
    }

    fn roles(&self, src: &Source) -> Vec<Role> {
        let mut roles: Vec<Role> = self
            .of_kind("AWS::IAM::Role")
            .map(|r| {
                let trust = r.props.get("AssumeRolePolicyDocument").map(|d| iam::document(src, d)).unwrap_or_default();
                let mut policies: Vec<Policy> = r
                    .props
                    .get("Policies")
                    .map(|ps| {
                        ps.one_or_many()
                            .into_iter()
                            .take(MAX_ITEMS)
                            .map(|p| {
                                let name = p.get("PolicyName").map_or_else(|| format!("{} inline policy", r.id), Node::text);
                                iam::inline(src, name, p, p.get("PolicyDocument").unwrap_or(Node::null()))
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                for arn in r.props.get("ManagedPolicyArns").map(Node::one_or_many).unwrap_or_default().into_iter().take(MAX_ITEMS) {
                    match arn.reference().and_then(|id| self.resource(id)).filter(|m| m.kind == "AWS::IAM::ManagedPolicy") {
                        Some(own) => policies.push(self.customer_policy(src, own)),
                        None => policies.push(policy_templates::managed(src, &arn.text(), arn)),
                    }
                }
                Role { key: r.id.to_string(), location: src.at(r.key), trust, policies }
            })
            .collect();
        // Policies that name their roles (`Roles: [!Ref R]`) attach to those roles.
        for p in self.resources.iter().filter(|r| r.kind == "AWS::IAM::Policy" || r.kind == "AWS::IAM::ManagedPolicy") {
            let targets: Vec<&str> =
                p.props.get("Roles").map(Node::one_or_many).unwrap_or_default().into_iter().filter_map(Node::reference).collect();
            for role in roles.iter_mut().filter(|r| targets.contains(&r.key.as_str())) {
                let already = role.policies.iter().any(|x| x.name == p.id);
                if !already {
                    role.policies.push(self.customer_policy(src, p));
                }
            }
        }
        roles
    }

    fn customer_policy(&self, src: &Source, res: &Resource<'a>) -> Policy {
        let mut policy = iam::inline(src, res.id, res.key, res.props.get("PolicyDocument").unwrap_or(Node::null()));
        if let Some(name) = res.props.get("PolicyName").or_else(|| res.props.get("ManagedPolicyName")) {
            policy.name = name.text();
        }
        policy.name = if policy.name == res.id { res.id.to_string() } else { format!("{} ({})", policy.name, res.id) };
        policy
    }

    fn permissions(&self, src: &Source) -> Vec<Permission> {
        self.of_kind("AWS::Lambda::Permission")
            .map(|p| {
                let get = |k: &str| p.props.get(k).map(Node::text);
                Permission {
                    function: p.props.get("FunctionName").and_then(|n| self.function_name(n)),
                    principal: get("Principal").unwrap_or_default(),
                    action: get("Action").unwrap_or_default(),
                    source_account: get("SourceAccount"),
                    source_arn: get("SourceArn"),
                    url_auth_type: get("FunctionUrlAuthType"),
                    location: src.at(p.key),
                }
            })
            .collect()
    }

    /// Finds (or, for functions declared elsewhere, creates a carrier for) the function.
    fn target<'f>(&self, functions: &'f mut Vec<Function>, name: String, src: &Source) -> &'f mut Function {
        let index = match functions.iter().position(|f| f.name == name) {
            Some(i) => i,
            None => {
                functions.push(model::function(&name, src.line(0), self.framework, src.dir()));
                functions.len() - 1
            }
        };
        &mut functions[index]
    }

    fn attach_urls(&self, src: &Source, functions: &mut Vec<Function>) {
        for u in self.of_kind("AWS::Lambda::Url") {
            let Some(name) = u.props.get("TargetFunctionArn").and_then(|n| self.function_name(n)) else { continue };
            let auth = u.props.get("AuthType").unwrap_or(u.key);
            self.target(functions, name, src).url = Some(FunctionUrl { auth_none: auth.as_str() == Some("NONE"), location: src.at(auth) });
        }
    }

    fn attach_event_source_mappings(&self, src: &Source, functions: &mut Vec<Function>) {
        for m in self.of_kind("AWS::Lambda::EventSourceMapping") {
            let Some(name) = m.props.get("FunctionName").and_then(|n| self.function_name(n)) else { continue };
            let source = m.props.get("EventSourceArn").unwrap_or(Node::null());
            let declared = source.reference().and_then(|id| self.resource(id)).map(|r| r.kind);
            let kind = match declared {
                Some("AWS::SQS::Queue") => TriggerKind::Sqs,
                Some("AWS::Kinesis::Stream") => TriggerKind::Kinesis,
                Some("AWS::DynamoDB::Table" | "AWS::DynamoDB::GlobalTable" | "AWS::Serverless::SimpleTable") => TriggerKind::DynamoDb,
                Some("AWS::MSK::Cluster" | "AWS::MSK::ServerlessCluster") => TriggerKind::Kafka,
                _ => model::kind_of_arn(&source.text()),
            };
            let mut t = model::trigger(src, kind, m.key, format!("event source {}", source.text()));
            t.resource = (!source.is_null()).then(|| resource_name(source));
            t.batch_size = m.props.get("BatchSize").and_then(|b| model::number(src, self.resolve(b)));
            if kind == TriggerKind::Sqs {
                t.public = self.sender_public(src, "AWS::SQS::QueuePolicy", "Queues", source);
            }
            self.target(functions, name, src).triggers.push(t);
        }
    }

    fn attach_bucket_notifications(&self, src: &Source, functions: &mut Vec<Function>) {
        for b in self.of_kind("AWS::S3::Bucket") {
            let configs = b.props.path(&["NotificationConfiguration", "LambdaConfigurations"]).map(Node::one_or_many).unwrap_or_default();
            for c in configs.into_iter().take(MAX_ITEMS) {
                let Some(name) = c.get("Function").and_then(|n| self.function_name(n)) else { continue };
                let bucket = Node::ref_to(b.id, b.key.line, b.key.col);
                let mut t = model::trigger(src, TriggerKind::S3, c, format!("bucket {} ({})", b.id, events_text(c.get("Event"))));
                t.public = self.bucket_public(src, &bucket);
                t.resource = Some(b.id.to_string());
                self.target(functions, name, src).triggers.push(t);
            }
        }
    }

    /// REST API methods (`AWS::ApiGateway::Method`) that integrate a function.
    fn attach_rest_methods(&self, src: &Source, functions: &mut Vec<Function>) {
        for m in self.of_kind("AWS::ApiGateway::Method") {
            let Some(name) = m.props.path(&["Integration", "Uri"]).and_then(|n| self.function_name(n)) else { continue };
            let auth = m.props.get("AuthorizationType").and_then(Node::as_str).unwrap_or("NONE");
            let key_required = m.props.get("ApiKeyRequired").and_then(Node::as_bool) == Some(true);
            let method = m.props.get("HttpMethod").map_or_else(|| "ANY".to_string(), Node::text);
            let mut t = model::trigger(src, TriggerKind::Http, m.key, format!("{method} {}", m.id));
            t.public = auth.eq_ignore_ascii_case("NONE") && !key_required;
            self.target(functions, name, src).triggers.push(t);
        }
    }

    /// SNS subscriptions of functions: `AWS::SNS::Subscription` and a topic's `Subscription` list.
    fn attach_subscriptions(&self, src: &Source, functions: &mut Vec<Function>) {
        let standalone = self.of_kind("AWS::SNS::Subscription").map(|s| (s.key, s.props, s.props.get("TopicArn").cloned()));
        let inline = self.of_kind("AWS::SNS::Topic").flat_map(|t| {
            let topic = Node::ref_to(t.id, t.key.line, t.key.col);
            t.props.get("Subscription").map(Node::one_or_many).unwrap_or_default().into_iter().map(move |s| (s, s, Some(topic.clone())))
        });
        let subscriptions: Vec<(&Node, &Node, Option<Node>)> = standalone.chain(inline).take(MAX_ITEMS).collect();
        for (at, sub, topic) in subscriptions {
            if sub.get("Protocol").and_then(Node::as_str) != Some("lambda") {
                continue;
            }
            let Some(name) = sub.get("Endpoint").and_then(|e| self.function_name(e)) else { continue };
            let topic = topic.unwrap_or_else(|| Node::null().clone());
            let mut t = model::trigger(src, TriggerKind::Sns, at, format!("topic {}", topic.text()));
            t.public = self.sender_public(src, "AWS::SNS::TopicPolicy", "Topics", &topic);
            t.resource = Some(resource_name(&topic));
            self.target(functions, name, src).triggers.push(t);
        }
    }

    /// EventBridge rules (`AWS::Events::Rule`) that target a function.
    fn attach_rules(&self, src: &Source, functions: &mut Vec<Function>) {
        for rule in self.of_kind("AWS::Events::Rule") {
            let schedule = rule.props.get("ScheduleExpression");
            for target in rule.props.get("Targets").map(Node::one_or_many).unwrap_or_default().into_iter().take(MAX_ITEMS) {
                let Some(name) = target.get("Arn").and_then(|a| self.function_name(a)) else { continue };
                let t = match schedule {
                    Some(s) => model::trigger(src, TriggerKind::Schedule, rule.key, format!("schedule {}", s.text())),
                    None => model::trigger(src, TriggerKind::EventBridge, rule.key, format!("rule {}", rule.id)),
                };
                self.target(functions, name, src).triggers.push(t);
            }
        }
    }

    /// HTTP API routes (`AWS::ApiGatewayV2::Route`) whose integration targets a function.
    fn attach_http_routes(&self, src: &Source, functions: &mut Vec<Function>) {
        for r in self.of_kind("AWS::ApiGatewayV2::Route") {
            let target = r.props.get("Target").map(Node::text).unwrap_or_default();
            let integration = self
                .of_kind("AWS::ApiGatewayV2::Integration")
                .find(|i| target.contains(&format!("${{{}}}", i.id)) || target.contains(&format!("!Ref {}", i.id)));
            let Some(name) = integration.and_then(|i| i.props.get("IntegrationUri")).and_then(|n| self.function_name(n)) else { continue };
            let auth = r.props.get("AuthorizationType").and_then(Node::as_str).unwrap_or("NONE");
            let route = r.props.get("RouteKey").map_or_else(|| r.id.to_string(), Node::text);
            let mut t = model::trigger(src, TriggerKind::Http, r.key, route);
            t.public = auth.eq_ignore_ascii_case("NONE");
            self.target(functions, name, src).triggers.push(t);
        }
    }
}

fn is_function(kind: &str) -> bool {
    kind == "AWS::Serverless::Function" || kind == "AWS::Lambda::Function"
}

/// A statement that lets anyone in: allow, principal `*`, no condition.
fn open_to_anyone(s: &fnwarden_project::Statement) -> bool {
    s.allow && !s.conditional && s.principals.iter().any(|p| p == "*")
}

/// The logical id a reference names, or the value as written.
fn resource_name(node: &Node) -> String {
    node.reference().map_or_else(|| node.text(), str::to_string)
}

fn events_text(events: Option<&Node>) -> String {
    events.map(|e| iam::texts(e).join(", ")).unwrap_or_else(|| "s3:ObjectCreated:*".to_string())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::yaml;

    fn read(text: &str) -> Project {
        let root = yaml::parse(text).unwrap();
        let mut src = Source::new(Path::new("t.yaml"));
        let mut project = Project::default();
        let resources: Vec<&Node> = root.get("Resources").into_iter().collect();
        Template::new(&mut src, &root, &resources, Framework::Sam).read(&mut src, &mut project);
        assert!(src.diagnostics.is_empty(), "{:?}", src.diagnostics);
        project
    }

    fn public(p: &Project, function: &str) -> Vec<bool> {
        p.function(function).unwrap().triggers.iter().map(|t| t.public).collect()
    }

    const API: &str = "Globals:\n  Api:\n    Auth:\n      DefaultAuthorizer: Jwt\nResources:\n  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      Auth:\n        ApiKeyRequired: false\n  Keyed:\n    Type: AWS::Serverless::Api\n    Properties:\n      Auth:\n        ApiKeyRequired: true\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: a.b\n      Events:\n        A:\n          Type: Api\n          Properties: {Path: /a, Method: get, RestApiId: !Ref Api}\n        B:\n          Type: Api\n          Properties: {Path: /b, Method: get, RestApiId: !Ref Api, Auth: {Authorizer: NONE}}\n        C:\n          Type: Api\n          Properties: {Path: /c, Method: get, RestApiId: !Ref Keyed, Auth: {Authorizer: NONE}}\n        D:\n          Type: Api\n          Properties: {Path: /d, Method: get, Auth: {Authorizer: AWS_IAM}}\n";

    #[test]
    fn api_authorizers_come_from_the_event_the_api_or_the_globals() {
        let p = read(API);
        assert_eq!(public(&p, "Fn"), vec![false, true, false, false]);
        let without_globals = API.replacen("DefaultAuthorizer: Jwt", "Other: x", 1);
        assert_eq!(public(&read(&without_globals), "Fn"), vec![true, true, false, false]);
    }

    const BUCKET: &str = "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: drop\n      PublicAccessBlockConfiguration:\n        BlockPublicPolicy: true\n  P:\n    Type: AWS::S3::BucketPolicy\n    Properties:\n      Bucket: drop\n      PolicyDocument:\n        Statement:\n          - {Effect: Allow, Principal: {AWS: '*'}, Action: 's3:PutObject', Resource: x}\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: a.b\n      Events:\n        Up:\n          Type: S3\n          Properties: {Bucket: !Ref B, Events: 's3:ObjectCreated:*'}\n";

    #[test]
    fn bucket_policies_open_to_anyone_make_triggers_public_unless_blocked() {
        assert_eq!(public(&read(BUCKET), "Fn"), vec![false]);
        let unblocked = BUCKET.replacen("BlockPublicPolicy: true", "BlockPublicAcls: true", 1);
        assert_eq!(public(&read(&unblocked), "Fn"), vec![true]);
        let conditioned = unblocked.replacen("Resource: x}", "Resource: x, Condition: {Bool: {aws:SecureTransport: true}}}", 1);
        assert_eq!(public(&read(&conditioned), "Fn"), vec![false]);
    }

    #[test]
    fn references_name_whole_logical_ids() {
        let text = "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties: {Handler: a.b}\n  FnTwo:\n    Type: AWS::Lambda::Function\n    Properties: {Handler: a.b, FunctionName: two}\n";
        let root = yaml::parse(text).unwrap();
        let mut src = Source::new(Path::new("t.yaml"));
        let resources: Vec<&Node> = root.get("Resources").into_iter().collect();
        let t = Template::new(&mut src, &root, &resources, Framework::CloudFormation);
        let name = |yaml_text: &str| t.function_name(&yaml::parse(yaml_text).unwrap());
        assert_eq!(name("!GetAtt FnTwo.Arn").as_deref(), Some("FnTwo"));
        assert_eq!(name("!Join ['', [!Ref FnTwo, x]]").as_deref(), Some("FnTwo"));
        assert_eq!(name("!Sub 'arn:${Fn.Arn}/invocations'").as_deref(), Some("Fn"));
        assert_eq!(name("two").as_deref(), Some("FnTwo"));
        assert_eq!(name("!Ref Other"), None);
        assert_eq!(name("unknown"), None);
    }

    #[test]
    fn queue_policies_and_mappings() {
        let text = "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n  QP:\n    Type: AWS::SQS::QueuePolicy\n    Properties:\n      Queues: [!Ref Q]\n      PolicyDocument:\n        Statement: [{Effect: Allow, Principal: '*', Action: 'sqs:SendMessage', Resource: '*'}]\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Handler: a.b\n  M:\n    Type: AWS::Lambda::EventSourceMapping\n    Properties:\n      FunctionName: !GetAtt Fn.Arn\n      EventSourceArn: !GetAtt Q.Arn\n      BatchSize: 10\n";
        let p = read(text);
        let t = &p.function("Fn").unwrap().triggers[0];
        assert_eq!((t.kind, t.public, t.resource.as_deref()), (TriggerKind::Sqs, true, Some("Q")));
        assert_eq!(t.location.line, 14);
        assert_eq!(t.batch_size.as_ref().map(|b| (b.value, b.location.line)), Some((10, 19)));
    }
}
