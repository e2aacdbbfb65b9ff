//! Terraform (`*.tf`): Lambda functions, their roles and policies, permissions, URLs, event
//! source mappings, bucket notifications and API Gateway routes. All files of a scan share one
//! namespace of resource addresses, so references across files resolve.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use fnwarden_project::{EnvValue, EnvVar, Framework, Function, FunctionUrl, Permission, Policy, Project, Role, Statement, TriggerKind};

use crate::hcl::Block;
use crate::iam;
use crate::model::{self, MAX_ENV, MAX_ITEMS};
use crate::node::{Kind, Node};
use crate::policy_templates;
use crate::source::Source;

/// A parsed `.tf` file.
pub(crate) struct TfFile {
    pub src: Source,
    pub blocks: Vec<Block>,
}

/// One `resource` or `data` block with the file it is in.
struct Item<'a> {
    src: &'a Source,
    /// `resource` or `data`.
    class: &'a str,
    kind: &'a str,
    name: &'a str,
    block: &'a Block,
}

impl Item<'_> {
    fn get(&self, key: &str) -> Option<&Node> {
        self.block.body.get(key)
    }

    fn key(&self) -> String {
        format!("{}.{}", self.kind, self.name)
    }

    /// The first nested block of that name.
    fn nested(&self, key: &str) -> Option<&Node> {
        self.get(key).and_then(Node::as_seq).and_then(|s| s.first())
    }
}

/// The items of one folder, indexed by kind and by address.
struct Module<'m, 'a> {
    items: &'m [Item<'a>],
    by_kind: HashMap<(&'a str, &'a str), Vec<usize>>,
    by_name: HashMap<(&'a str, &'a str, &'a str), usize>,
    root: &'m Path,
}

/// Reads the `.tf` files, one Terraform module (folder) at a time: addresses resolve within a
/// folder, as Terraform resolves them. `root` is the scan root, to check that a guessed code
/// folder exists.
pub(crate) fn read(root: &Path, files: &[TfFile], project: &mut Project) {
    let mut folders: BTreeMap<PathBuf, Vec<&TfFile>> = BTreeMap::new();
    for file in files {
        folders.entry(file.src.dir()).or_default().push(file);
    }
    for files in folders.values() {
        read_module(root, files, project);
    }
}

fn read_module(root: &Path, files: &[&TfFile], project: &mut Project) {
    let items: Vec<Item<'_>> = files
        .iter()
        .flat_map(|f| f.blocks.iter().map(move |b| (f, b)))
        .filter_map(|(f, b)| match (b.kind.as_str(), b.labels.as_slice()) {
            ("resource" | "data", [kind, name]) => Some(Item { src: &f.src, class: &b.kind, kind, name, block: b }),
            ("module", [name]) => Some(Item { src: &f.src, class: &b.kind, kind: "module", name, block: b }),
            _ => None,
        })
        .collect();
    let mut by_kind: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
    let mut by_name: HashMap<(&str, &str, &str), usize> = HashMap::new();
    for (i, item) in items.iter().enumerate() {
        by_kind.entry((item.class, item.kind)).or_default().push(i);
        by_name.entry((item.class, item.kind, item.name)).or_insert(i);
    }
    let module = Module { items: &items, by_kind, by_name, root };
    let mut functions: Vec<Function> = module.resources("aws_lambda_function").map(|i| module.function(i)).collect();
    let lambda_modules = module.lambda_modules().take(MAX_ITEMS);
    functions.extend(lambda_modules.map(|m| module.module_function(m)));
    module.attach_urls(&mut functions);
    module.attach_event_source_mappings(&mut functions);
    module.attach_bucket_notifications(&mut functions);
    module.attach_http_routes(&mut functions);
    module.attach_rest_methods(&mut functions);
    module.attach_subscriptions(&mut functions);
    module.attach_event_targets(&mut functions);
    project.functions.extend(functions);
    project.roles.extend(module.roles());
    project.permissions.extend(module.permissions());
    project.permissions.extend(module.module_permissions());
}

/// One entry of a Lambda module's `policy_statements` (`{effect, actions, resources, principals}`).
fn module_statement(src: &Source, node: &Node) -> Statement {
    let allow = node.get("effect").and_then(Node::as_str).is_none_or(|e| !e.eq_ignore_ascii_case("deny"));
    let (actions, not_action) = match (node.get("actions"), node.get("not_actions")) {
        (Some(a), _) => (iam::texts(a), false),
        (None, Some(a)) => (iam::texts(a), true),
        (None, None) => (Vec::new(), false),
    };
    let resources = node.get("resources").map(iam::texts).unwrap_or_default();
    let principals = node
        .get("principals")
        .map(Node::one_or_many)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|p| p.get("identifiers"))
        .flat_map(iam::texts)
        .collect();
    Statement { allow, actions, not_action, resources, principals, conditional: node.get("condition").is_some(), location: src.at(node) }
}

/// Resource addresses an expression mentions: `aws_iam_role.app.arn` → (`aws_iam_role`, `app`),
/// `data.archive_file.zip.output_path` → (`data.archive_file`, `zip`).
fn references(text: &str) -> Vec<(String, String)> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-'))
        .filter_map(|token| {
            let parts: Vec<&str> = token.split('.').collect();
            match parts.as_slice() {
                ["data", kind, name, ..] => Some((format!("data.{kind}"), name.to_string())),
                [kind, name, ..] if kind.starts_with("aws_") => Some((kind.to_string(), name.to_string())),
                _ => None,
            }
        })
        .collect()
}

/// The value as a plain string with `${path.module}/` dropped, when it is one.
fn path_text(node: &Node) -> Option<String> {
    let text = match &node.kind {
        Kind::Scalar(s) | Kind::Expr(s) => s.clone(),
        _ => return None,
    };
    let text = text.replace("${path.module}/", "").replace("${path.root}/", "").replace("${path.cwd}/", "");
    (!text.contains("${")).then_some(text)
}

impl<'m, 'a> Module<'m, 'a> {
    fn of(&self, class: &'static str, kind: &'static str) -> impl Iterator<Item = &'m Item<'a>> + '_ {
        let items = self.items;
        self.by_kind.get(&(class, kind)).map(Vec::as_slice).unwrap_or_default().iter().take(MAX_ITEMS).map(move |&i| &items[i])
    }

    fn resources(&self, kind: &'static str) -> impl Iterator<Item = &'m Item<'a>> + '_ {
        self.of("resource", kind)
    }

    fn find(&self, class: &str, kind: &str, name: &str) -> Option<&'m Item<'a>> {
        self.by_name.get(&(class, kind, name)).map(|&i| &self.items[i])
    }

    /// The first resource of `kind` the expression refers to.
    fn referenced(&self, node: &Node, kind: &str) -> Option<&Item<'a>> {
        references(&node.text()).into_iter().find_map(|(k, n)| match k.strip_prefix("data.") {
            Some(data) if data == kind => self.find("data", data, &n),
            None if k == kind => self.find("resource", &k, &n),
            _ => None,
        })
    }

    /// `module "x" { source = "terraform-aws-modules/lambda/aws" … }` blocks.
    fn lambda_modules(&self) -> impl Iterator<Item = &'m Item<'a>> + '_ {
        self.of("module", "module").filter(|i| i.get("source").and_then(Node::as_str).is_some_and(|s| s.contains("modules/lambda")))
    }

    /// The function an expression or literal name designates.
    fn function_name(&self, node: &Node) -> Option<String> {
        if let Some(f) = self.referenced(node, "aws_lambda_function") {
            return Some(f.name.to_string());
        }
        let text = node.text();
        if let Some(m) = self.lambda_modules().find(|m| text.contains(&format!("module.{}.", m.name))) {
            return Some(m.name.to_string());
        }
        let literal = node.as_str()?;
        let by_name = self.resources("aws_lambda_function").find(|f| f.get("function_name").and_then(Node::as_str) == Some(literal));
        by_name.map(|f| f.name.to_string())
    }

    fn function(&self, item: &Item<'a>) -> Function {
        let src = item.src;
        let mut f = model::function(item.name, src.line(item.block.line), Framework::Terraform, self.code_dir(item));
        f.handler = item.get("handler").map(|n| model::text(src, n));
        f.runtime = item.get("runtime").map(|n| model::text(src, n));
        f.timeout = item.get("timeout").and_then(|n| model::number(src, n));
        f.memory = item.get("memory_size").and_then(|n| model::number(src, n));
        f.reserved_concurrency = item.get("reserved_concurrent_executions").and_then(|n| model::signed(src, n));
        f.layers = item.get("layers").map(|l| l.one_or_many().into_iter().map(|n| model::text(src, n)).collect()).unwrap_or_default();
        if let Some(vars) = item.nested("environment").and_then(|e| e.get("variables")) {
            for (name, key, value) in vars.entries().take(MAX_ENV) {
                let value = match &value.kind {
                    Kind::Scalar(s) => EnvValue::Literal(s.clone()),
                    Kind::Null => EnvValue::Literal(String::new()),
                    _ => EnvValue::Computed(value.text()),
                };
                model::set_env(&mut f.env, EnvVar { name: name.to_string(), value, location: src.at(key) });
            }
        }
        f.role = item.get("role").and_then(|r| self.referenced(r, "aws_iam_role")).map(Item::key);
        f
    }

    /// A function made by the community Lambda module: its inputs mirror the resource's, plus
    /// the role it creates (policy statements, JSON and ARNs), a URL, triggers and permissions.
    fn module_function(&self, item: &Item<'a>) -> Function {
        let src = item.src;
        let source_path = item.get("source_path").and_then(|p| match &p.kind {
            Kind::Seq(items) => items.first().and_then(|i| if i.is_map() { i.get("path") } else { Some(i) }).and_then(path_text),
            _ => path_text(p),
        });
        let code_dir = model::normalize(&src.dir().join(source_path.unwrap_or_default()));
        let mut f = model::function(item.name, src.line(item.block.line), Framework::Terraform, code_dir);
        f.handler = item.get("handler").map(|n| model::text(src, n));
        f.runtime = item.get("runtime").map(|n| model::text(src, n));
        f.timeout = item.get("timeout").and_then(|n| model::number(src, n));
        f.memory = item.get("memory_size").and_then(|n| model::number(src, n));
        f.reserved_concurrency = item.get("reserved_concurrent_executions").and_then(|n| model::signed(src, n));
        f.layers = item.get("layers").map(|l| l.one_or_many().into_iter().map(|n| model::text(src, n)).collect()).unwrap_or_default();
        for (name, key, value) in item.get("environment_variables").map(|v| v.entries()).into_iter().flatten().take(MAX_ENV) {
            let value = if value.is_literal() { EnvValue::Literal(value.text()) } else { EnvValue::Computed(value.text()) };
            model::set_env(&mut f.env, EnvVar { name: name.to_string(), value, location: src.at(key) });
        }
        let on = |k: &str| item.get(k).and_then(Node::as_bool) == Some(true);
        if on("attach_policy_statements")
            && let Some((key, statements)) = item.block.body.entry("policy_statements")
        {
            let statements = statements.entries().take(MAX_ITEMS).map(|(_, _, s)| module_statement(src, s)).collect();
            f.policies.push(Policy { name: format!("{}.policy_statements", item.name), managed: None, statements, location: src.at(key) });
        }
        if on("attach_policy_json")
            && let Some((key, doc)) = item.block.body.entry("policy_json")
        {
            f.policies.push(self.policy(src, format!("{}.policy_json", item.name), key, doc));
        }
        let arns = [
            on("attach_policy").then(|| item.get("policy")).flatten().map(|p| vec![p]),
            on("attach_policies").then(|| item.get("policies")).flatten().map(Node::one_or_many),
        ];
        for arn in arns.into_iter().flatten().flatten().take(MAX_ITEMS) {
            f.policies.push(self.attached(src, arn));
        }
        if on("create_lambda_function_url") {
            let (at, auth) = item.block.body.entry("authorization_type").unwrap_or((&item.block.body, Node::null()));
            // The module's default is NONE.
            let auth_none = auth.as_str().is_none_or(|a| a == "NONE");
            f.url = Some(FunctionUrl { auth_none, location: src.at(at) });
        }
        for (name, key, mapping) in item.get("event_source_mapping").map(|m| m.entries()).into_iter().flatten().take(MAX_ITEMS) {
            let source = mapping.get("event_source_arn").unwrap_or(Node::null());
            let text = source.text();
            let mut t = model::trigger(src, model::kind_of_arn(&text), key, format!("event source {name} {text}"));
            t.resource = references(&text).into_iter().next().map(|(k, n)| format!("{k}.{n}")).or(Some(text));
            t.batch_size = mapping.get("batch_size").and_then(|b| model::number(src, b));
            f.triggers.push(t);
        }
        f
    }

    /// The `allowed_triggers` of community Lambda modules, as permissions.
    fn module_permissions(&self) -> Vec<Permission> {
        let mut out = Vec::new();
        for m in self.lambda_modules() {
            for (_, key, t) in m.get("allowed_triggers").map(|a| a.entries()).into_iter().flatten().take(MAX_ITEMS) {
                let principal =
                    t.get("principal").map(Node::text).or_else(|| t.get("service").map(|s| format!("{}.amazonaws.com", s.text())));
                out.push(Permission {
                    function: Some(m.name.to_string()),
                    principal: principal.unwrap_or_default(),
                    action: t.get("action").map_or_else(|| "lambda:InvokeFunction".to_string(), Node::text),
                    source_account: t.get("source_account").map(Node::text),
                    source_arn: t.get("source_arn").map(Node::text),
                    url_auth_type: None,
                    location: m.src.at(key),
                });
            }
        }
        out
    }

    /// Where the function's code comes from: an `archive_file`'s `source_dir` / `source_file`;
    /// else the folder of a prebuilt `filename` zip when it exists (sources kept beside it);
    /// else the folder of the `.tf` file.
    fn code_dir(&self, item: &Item<'a>) -> PathBuf {
        let archive = item.get("filename").and_then(|n| self.referenced(n, "archive_file")).or_else(|| {
            let filename = item.get("filename").and_then(path_text)?;
            self.of("data", "archive_file").find(|i| i.get("output_path").and_then(path_text) == Some(filename.clone()))
        });
        let (base, dir) = match archive {
            Some(a) => match (a.get("source_dir").and_then(path_text), a.get("source_file").and_then(path_text)) {
                (Some(dir), _) => (a.src.dir(), dir),
                (None, Some(file)) => (a.src.dir(), file.rsplit_once('/').map_or(String::new(), |(d, _)| d.to_string())),
                _ => (a.src.dir(), String::new()),
            },
            None => {
                let zip_dir = item.get("filename").and_then(path_text).and_then(|f| f.rsplit_once('/').map(|(d, _)| d.to_string()));
                let beside = zip_dir.filter(|d| self.root.join(model::normalize(&item.src.dir().join(d))).is_dir());
                (item.src.dir(), beside.unwrap_or_default())
            }
        };
        model::normalize(&base.join(dir))
    }

    /// A policy value: `jsonencode({...})`, heredoc or string JSON, or a reference to a
    /// `data "aws_iam_policy_document"`.
    fn document(&self, src: &Source, node: &Node) -> Vec<Statement> {
        match self.referenced(node, "aws_iam_policy_document") {
            Some(data) => iam::terraform_document(data.src, &data.block.body),
            None if matches!(node.kind, Kind::Expr(_)) && !node.text().trim_start().starts_with('{') => Vec::new(),
            None => iam::document(src, node),
        }
    }

    fn policy(&self, src: &Source, name: String, at: &Node, doc: &Node) -> Policy {
        Policy { name, managed: None, statements: self.document(src, doc), location: src.at(at) }
    }

    /// A `policy_arn`: a declared `aws_iam_policy`, or a managed policy by ARN.
    fn attached(&self, src: &Source, arn: &Node) -> Policy {
        match self.referenced(arn, "aws_iam_policy") {
            Some(p) => {
                let at = p.block.body.entry("policy").map_or(&p.block.body, |(k, _)| k);
                let mut policy = self.policy(p.src, p.key(), at, p.get("policy").unwrap_or(Node::null()));
                policy.location = p.src.line(p.block.line);
                policy
            }
            None => policy_templates::managed(src, &arn.text(), arn),
        }
    }

    fn roles(&self) -> Vec<Role> {
        let mut roles: Vec<(String, Option<String>, Role)> = self
            .resources("aws_iam_role")
            .map(|r| {
                let src = r.src;
                let trust = r.get("assume_role_policy").map(|d| self.document(src, d)).unwrap_or_default();
                let mut policies: Vec<Policy> = r
                    .get("inline_policy")
                    .and_then(Node::as_seq)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|p| {
                        let doc = p.get("policy")?;
                        let name = p.get("name").map_or_else(|| format!("{} inline policy", r.key()), Node::text);
                        Some(self.policy(src, name, p, doc))
                    })
                    .collect();
                for arn in r.get("managed_policy_arns").map(Node::one_or_many).unwrap_or_default().into_iter().take(MAX_ITEMS) {
                    policies.push(self.attached(src, arn));
                }
                let name = r.get("name").and_then(Node::as_str).map(str::to_string);
                (r.name.to_string(), name, Role { key: r.key(), location: src.line(r.block.line), trust, policies })
            })
            .collect();
        let role_of = |roles: &mut Vec<(String, Option<String>, Role)>, node: &Node| -> Option<usize> {
            let refs = references(&node.text());
            let literal = node.as_str();
            roles.iter().position(|(label, name, _)| {
                refs.iter().any(|(k, n)| k == "aws_iam_role" && n == label) || (literal.is_some() && name.as_deref() == literal)
            })
        };
        for p in self.resources("aws_iam_role_policy") {
            let Some(i) = p.get("role").and_then(|r| role_of(&mut roles, r)) else { continue };
            let at = p.block.body.entry("policy").map_or(&p.block.body, |(k, _)| k);
            let mut policy = self.policy(p.src, p.key(), at, p.get("policy").unwrap_or(Node::null()));
            policy.location = p.src.line(p.block.line);
            roles[i].2.policies.push(policy);
        }
        for a in self.resources("aws_iam_role_policy_attachment").chain(self.resources("aws_iam_policy_attachment")) {
            let Some(arn) = a.get("policy_arn") else { continue };
            let targets: Vec<&Node> = match a.get("roles") {
                Some(list) => list.one_or_many(),
                None => a.get("role").into_iter().collect(),
            };
            for target in targets {
                if let Some(i) = role_of(&mut roles, target) {
                    let mut policy = self.attached(a.src, arn);
                    if policy.managed.is_some() {
                        policy.location = a.src.at(arn);
                    }
                    roles[i].2.policies.push(policy);
                }
            }
        }
        roles.into_iter().map(|(_, _, r)| r).collect()
    }

    fn permissions(&self) -> Vec<Permission> {
        self.resources("aws_lambda_permission")
            .map(|p| {
                let get = |k: &str| p.get(k).map(Node::text);
                Permission {
                    function: p.get("function_name").and_then(|n| self.function_name(n)),
                    principal: get("principal").unwrap_or_default(),
                    action: get("action").unwrap_or_default(),
                    source_account: get("source_account"),
                    source_arn: get("source_arn"),
                    url_auth_type: get("function_url_auth_type"),
                    location: p.src.line(p.block.line),
                }
            })
            .collect()
    }

    fn attach_urls(&self, functions: &mut [Function]) {
        for u in self.resources("aws_lambda_function_url") {
            let Some(name) = u.get("function_name").and_then(|n| self.function_name(n)) else { continue };
            let (at, auth) = u.block.body.entry("authorization_type").unwrap_or((&u.block.body, Node::null()));
            if let Some(f) = functions.iter_mut().find(|f| f.name == name) {
                f.url = Some(FunctionUrl { auth_none: auth.as_str() == Some("NONE"), location: u.src.at(at) });
            }
        }
    }

    fn attach_event_source_mappings(&self, functions: &mut [Function]) {
        for m in self.resources("aws_lambda_event_source_mapping") {
            let Some(name) = m.get("function_name").and_then(|n| self.function_name(n)) else { continue };
            let source = m.get("event_source_arn").unwrap_or(Node::null());
            let text = source.text();
            let address = references(&text).into_iter().next();
            let kind = match address.as_ref().map(|(k, _)| k.as_str()) {
                Some("aws_sqs_queue") => TriggerKind::Sqs,
                Some("aws_kinesis_stream") => TriggerKind::Kinesis,
                Some("aws_dynamodb_table") => TriggerKind::DynamoDb,
                Some("aws_msk_cluster") => TriggerKind::Kafka,
                _ => model::kind_of_arn(&text),
            };
            let mut t = model::trigger(m.src, kind, &Node::new(Kind::Null, m.block.line, 0), format!("event source {text}"));
            t.resource = Some(address.map_or(text, |(k, n)| format!("{k}.{n}")));
            t.batch_size = m.get("batch_size").and_then(|b| model::number(m.src, b));
            if let Some(f) = functions.iter_mut().find(|f| f.name == name) {
                f.triggers.push(t);
            }
        }
    }

    /// Whether the bucket (`aws_s3_bucket.x`) is public: a public ACL or a policy open to `*`,
    /// not blocked by its `aws_s3_bucket_public_access_block`.
    fn bucket_public(&self, bucket: &str) -> bool {
        let ours = |i: &&Item<'_>| i.get("bucket").is_some_and(|b| references(&b.text()).iter().any(|(k, n)| format!("{k}.{n}") == bucket));
        let public_acl = |acl: Option<&Node>| acl.and_then(Node::as_str).is_some_and(|a| a == "public-read" || a == "public-read-write");
        let block = self.resources("aws_s3_bucket_public_access_block").find(ours);
        let flag = |k: &str| block.and_then(|b| b.get(k)).and_then(Node::as_bool).unwrap_or(false);
        let own_acl = bucket
            .strip_prefix("aws_s3_bucket.")
            .and_then(|n| self.find("resource", "aws_s3_bucket", n))
            .is_some_and(|b| public_acl(b.get("acl")));
        let acl = own_acl || self.resources("aws_s3_bucket_acl").filter(ours).any(|a| public_acl(a.get("acl")));
        let policy = self.resources("aws_s3_bucket_policy").filter(ours).any(|p| {
            p.get("policy")
                .is_some_and(|d| self.document(p.src, d).iter().any(|s| s.allow && !s.conditional && s.principals.iter().any(|x| x == "*")))
        });
        (acl && !flag("block_public_acls") && !flag("ignore_public_acls"))
            || (policy && !flag("block_public_policy") && !flag("restrict_public_buckets"))
    }

    fn attach_bucket_notifications(&self, functions: &mut [Function]) {
        for n in self.resources("aws_s3_bucket_notification") {
            let bucket_text = n.get("bucket").map(Node::text).unwrap_or_default();
            let bucket = references(&bucket_text).into_iter().find(|(k, _)| k == "aws_s3_bucket").map(|(k, name)| format!("{k}.{name}"));
            let public = bucket.as_deref().is_some_and(|b| self.bucket_public(b));
            for target in n.get("lambda_function").and_then(Node::as_seq).unwrap_or_default() {
                let Some(name) = target.get("lambda_function_arn").and_then(|a| self.function_name(a)) else { continue };
                let events = target.get("events").map(|e| iam::texts(e).join(", ")).unwrap_or_default();
                let shown = bucket.clone().unwrap_or_else(|| bucket_text.clone());
                let mut t = model::trigger(n.src, TriggerKind::S3, target, format!("bucket {shown} ({events})"));
                t.public = public;
                t.resource = Some(shown);
                if let Some(f) = functions.iter_mut().find(|f| f.name == name) {
                    f.triggers.push(t);
                }
            }
        }
    }

    /// `aws_sns_topic_subscription` with protocol `lambda`; public when the topic's policy lets
    /// anyone publish.
    fn attach_subscriptions(&self, functions: &mut [Function]) {
        for s in self.resources("aws_sns_topic_subscription") {
            if s.get("protocol").and_then(Node::as_str) != Some("lambda") {
                continue;
            }
            let Some(name) = s.get("endpoint").and_then(|e| self.function_name(e)) else { continue };
            let topic_text = s.get("topic_arn").map(Node::text).unwrap_or_default();
            let topic =
                references(&topic_text).into_iter().find(|(k, _)| k == "aws_sns_topic").map_or(topic_text, |(k, n)| format!("{k}.{n}"));
            let public = self.resources("aws_sns_topic_policy").any(|p| {
                let ours = p.get("arn").is_some_and(|a| references(&a.text()).iter().any(|(k, n)| format!("{k}.{n}") == topic));
                ours && p.get("policy").is_some_and(|d| {
                    self.document(p.src, d).iter().any(|st| st.allow && !st.conditional && st.principals.iter().any(|x| x == "*"))
                })
            });
            let mut t = model::trigger(s.src, TriggerKind::Sns, &Node::new(Kind::Null, s.block.line, 0), format!("topic {topic}"));
            t.public = public;
            t.resource = Some(topic);
            if let Some(f) = functions.iter_mut().find(|f| f.name == name) {
                f.triggers.push(t);
            }
        }
    }

    /// `aws_cloudwatch_event_target` → the function, a schedule when its rule has one.
    fn attach_event_targets(&self, functions: &mut [Function]) {
        for target in self.resources("aws_cloudwatch_event_target") {
            let Some(name) = target.get("arn").and_then(|a| self.function_name(a)) else { continue };
            let rule = target.get("rule").and_then(|r| self.referenced(r, "aws_cloudwatch_event_rule"));
            let schedule = rule.and_then(|r| r.get("schedule_expression"));
            let at = Node::new(Kind::Null, target.block.line, 0);
            let t = match schedule {
                Some(s) => model::trigger(target.src, TriggerKind::Schedule, &at, format!("schedule {}", s.text())),
                None => model::trigger(
                    target.src,
                    TriggerKind::EventBridge,
                    &at,
                    format!("rule {}", rule.map_or_else(|| target.key(), Item::key)),
                ),
            };
            if let Some(f) = functions.iter_mut().find(|f| f.name == name) {
                f.triggers.push(t);
            }
        }
    }

    /// `aws_apigatewayv2_route` → its integration → the function (authorization defaults to NONE).
    fn attach_http_routes(&self, functions: &mut [Function]) {
        for r in self.resources("aws_apigatewayv2_route") {
            let Some(integration) = r.get("target").and_then(|t| self.referenced(t, "aws_apigatewayv2_integration")) else { continue };
            let Some(name) = integration.get("integration_uri").and_then(|u| self.function_name(u)) else { continue };
            let auth = r.get("authorization_type").and_then(Node::as_str).unwrap_or("NONE");
            let route = r.get("route_key").map_or_else(|| r.key(), Node::text);
            let mut t = model::trigger(r.src, TriggerKind::Http, &Node::new(Kind::Null, r.block.line, 0), route);
            t.public = auth.eq_ignore_ascii_case("NONE");
            if let Some(f) = functions.iter_mut().find(|f| f.name == name) {
                f.triggers.push(t);
            }
        }
    }

    /// `aws_api_gateway_integration` → the method it integrates (by reference, or same resource
    /// and verb) → its `authorization`.
    fn attach_rest_methods(&self, functions: &mut [Function]) {
        for i in self.resources("aws_api_gateway_integration") {
            let Some(name) = i.get("uri").and_then(|u| self.function_name(u)) else { continue };
            let text = |item: &Item<'_>, k: &str| item.get(k).map(Node::text).unwrap_or_default();
            let method = i.get("http_method").and_then(|m| self.referenced(m, "aws_api_gateway_method")).or_else(|| {
                self.resources("aws_api_gateway_method")
                    .find(|m| text(m, "resource_id") == text(i, "resource_id") && text(m, "http_method") == text(i, "http_method"))
            });
            let Some(method) = method else { continue };
            let auth = method.get("authorization").and_then(Node::as_str).unwrap_or("NONE");
            let key_required = method.get("api_key_required").and_then(Node::as_bool) == Some(true);
            let mut t = model::trigger(
                method.src,
                TriggerKind::Http,
                &Node::new(Kind::Null, method.block.line, 0),
                format!("{} {}", text(method, "http_method"), method.key()),
            );
            t.public = auth.eq_ignore_ascii_case("NONE") && !key_required;
            if let Some(f) = functions.iter_mut().find(|f| f.name == name) {
                f.triggers.push(t);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::hcl;

    fn read_tf(text: &str) -> Project {
        let file = TfFile { src: Source::new(Path::new("main.tf")), blocks: hcl::parse(text).unwrap() };
        let mut project = Project::default();
        read(Path::new("/nonexistent"), &[file], &mut project);
        project
    }

    const REST: &str = r#"
resource "aws_lambda_function" "api" {
  function_name = "api"
  role          = aws_iam_role.r.arn
}
resource "aws_api_gateway_method" "open" {
  http_method   = "GET"
  resource_id   = aws_api_gateway_resource.items.id
  authorization = "NONE"
}
resource "aws_api_gateway_integration" "open" {
  http_method = aws_api_gateway_method.open.http_method
  resource_id = aws_api_gateway_resource.items.id
  uri         = aws_lambda_function.api.invoke_arn
}
resource "aws_api_gateway_method" "keyed" {
  http_method      = "POST"
  resource_id      = aws_api_gateway_resource.items.id
  authorization    = "NONE"
  api_key_required = true
}
resource "aws_api_gateway_integration" "keyed" {
  http_method = "POST"
  resource_id = aws_api_gateway_resource.items.id
  uri         = aws_lambda_function.api.invoke_arn
}
resource "aws_iam_role" "r" {
  name                = "api-role"
  managed_policy_arns = [aws_iam_policy.own.arn, "arn:aws:iam::aws:policy/AmazonS3FullAccess"]
  inline_policy {
    name   = "logs"
    policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "logs:*", Resource = "*" }] })
  }
}
resource "aws_iam_policy" "own" {
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "iam:PassRole", Resource = "*" }] })
}
resource "aws_iam_role_policy" "by_name" {
  role   = "api-role"
  policy = "{\"Statement\": {\"Effect\": \"Deny\", \"Action\": \"s3:DeleteBucket\", \"Resource\": \"*\"}}"
}
resource "aws_iam_policy_attachment" "admin" {
  name       = "admin"
  roles      = ["api-role"]
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}
resource "aws_s3_bucket" "b" {
  acl = "public-read"
}
resource "aws_s3_bucket_public_access_block" "b" {
  bucket             = aws_s3_bucket.b.id
  ignore_public_acls = true
}
resource "aws_s3_bucket_notification" "b" {
  bucket = aws_s3_bucket.b.id
  lambda_function {
    lambda_function_arn = aws_lambda_function.api.arn
  }
}
"#;

    #[test]
    fn rest_methods_buckets_and_attachments_by_role_name() {
        let p = read_tf(REST);
        let f = p.function("api").unwrap();
        let triggers: Vec<(TriggerKind, bool, u32)> = f.triggers.iter().map(|t| (t.kind, t.public, t.location.line)).collect();
        assert_eq!(triggers, vec![(TriggerKind::S3, false, 56), (TriggerKind::Http, true, 6), (TriggerKind::Http, false, 16)]);
        assert_eq!(f.code_dir, PathBuf::new());
        let role = p.role("aws_iam_role.r").unwrap();
        let names: Vec<&str> = role.policies.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, vec!["logs", "aws_iam_policy.own", "AmazonS3FullAccess", "aws_iam_role_policy.by_name", "AdministratorAccess"]);
        assert_eq!(role.policies[0].statements[0].actions, vec!["logs:*"]);
        assert_eq!(role.policies[0].location.line, 30);
        assert_eq!(role.policies[1].statements[0].actions, vec!["iam:PassRole"]);
        assert!(role.policies[2].managed.is_some());
        assert!(!role.policies[3].statements[0].allow);
        assert_eq!(role.policies[4].location.line, 45);
        let unblocked = REST.replacen("ignore_public_acls = true", "block_public_policy = true", 1);
        assert!(read_tf(&unblocked).function("api").unwrap().triggers[0].public);
    }

    #[test]
    fn references_name_addresses() {
        assert_eq!(references("aws_iam_role.app.arn"), vec![("aws_iam_role".to_string(), "app".to_string())]);
        assert_eq!(references("${data.archive_file.zip.output_path}"), vec![("data.archive_file".to_string(), "zip".to_string())]);
        assert_eq!(
            references("integrations/${aws_apigatewayv2_integration.i.id}"),
            vec![("aws_apigatewayv2_integration".to_string(), "i".to_string())]
        );
        assert!(references("var.x").is_empty());
    }

    #[test]
    fn module_paths_are_dropped() {
        assert_eq!(path_text(&Node::new(Kind::Expr("${path.module}/src".into()), 1, 1)).as_deref(), Some("src"));
        assert_eq!(path_text(&Node::new(Kind::Expr("${var.dir}/src".into()), 1, 1)), None);
    }
}
