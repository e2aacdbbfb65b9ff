//! The deployable project as the IaC readers see it, whatever the framework. Every value keeps
//! the place it was written, so findings point at the line to change.

use std::path::PathBuf;

use serde::Serialize;

use crate::{Location, Spanned};

/// Everything the IaC in one scanned tree declares.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Project {
    pub functions: Vec<Function>,
    /// Roles by key; functions refer to them through `Function::role`.
    pub roles: Vec<Role>,
    /// Resource-based permissions on functions (`aws_lambda_permission`, `AWS::Lambda::Permission`).
    pub permissions: Vec<Permission>,
}

impl Project {
    pub fn role(&self, key: &str) -> Option<&Role> {
        self.roles.iter().find(|r| r.key == key)
    }

    pub fn function(&self, name: &str) -> Option<&Function> {
        self.functions.iter().find(|f| f.name == name)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Framework {
    Serverless,
    Sam,
    CloudFormation,
    Terraform,
    /// No IaC: found by convention (a `handler` function, `lambda.Start`, …).
    Convention,
}

/// One deployed function.
#[derive(Clone, Debug, Serialize)]
pub struct Function {
    /// The IaC's name for it: the `functions:` key, the logical id, the Terraform resource name.
    pub name: String,
    /// Where it is declared.
    pub location: Location,
    pub framework: Framework,
    /// As written (`python3.12`, `nodejs20.x`, `provided.al2023`); provider defaults applied.
    pub runtime: Option<Spanned<String>>,
    /// As written (`src/app.handler`, `com.example.Handler::handleRequest`, a Go binary name).
    pub handler: Option<Spanned<String>>,
    /// The folder, relative to the scan root, whose files ship with this function (`CodeUri`,
    /// the service folder, Terraform's `source_dir`). Empty path means the scan root.
    pub code_dir: PathBuf,
    pub env: Vec<EnvVar>,
    /// Seconds.
    pub timeout: Option<Spanned<u64>>,
    /// MB.
    pub memory: Option<Spanned<u64>>,
    /// `ReservedConcurrentExecutions`, `reservedConcurrency`, `reserved_concurrent_executions`.
    pub reserved_concurrency: Option<Spanned<i64>>,
    /// Layer ARNs or references as written.
    pub layers: Vec<Spanned<String>>,
    /// Key into `Project::roles` of the execution role, when the IaC declares it.
    pub role: Option<String>,
    /// Policies attached to the function itself rather than through a declared role: SAM
    /// `Policies`, Serverless `provider.iam.role.statements` / `iamRoleStatements` (shared by
    /// every function of the service unless it has its own role).
    pub policies: Vec<Policy>,
    pub triggers: Vec<Trigger>,
    pub url: Option<FunctionUrl>,
}

/// An environment variable of a function.
#[derive(Clone, Debug, Serialize)]
pub struct EnvVar {
    pub name: String,
    pub value: EnvValue,
    pub location: Location,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", content = "text", rename_all = "lowercase")]
pub enum EnvValue {
    /// A literal string in the IaC: what gets deployed.
    Literal(String),
    /// Resolved at deploy time (`!Ref`, `${ssm:…}`, `var.x`, `aws_x.y.arn`): not a hard-coded
    /// value. The text is the expression as written.
    Computed(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TriggerKind {
    /// API Gateway (REST or HTTP), ALB, a function URL's requests.
    Http,
    S3,
    Sqs,
    Sns,
    Kinesis,
    DynamoDb,
    Kafka,
    Schedule,
    EventBridge,
    Cognito,
    Iot,
    Other,
}

/// An event source of a function.
#[derive(Clone, Debug, Serialize)]
pub struct Trigger {
    pub kind: TriggerKind,
    /// True when an anonymous or outside party controls what arrives: an HTTP route with no
    /// authorizer, a public bucket, a topic or queue whose policy allows `*`.
    pub public: bool,
    /// For people: `POST /users`, `bucket uploads (s3:ObjectCreated:*)`, `queue orders`.
    pub detail: String,
    /// The bucket, queue, stream or table name or reference, when known (recursion checks
    /// compare it with what the role may write).
    pub resource: Option<String>,
    /// Stream and queue batch size as written; `None` when unset.
    pub batch_size: Option<Spanned<u64>>,
    pub location: Location,
}

/// A function URL.
#[derive(Clone, Debug, Serialize)]
pub struct FunctionUrl {
    /// `AuthType: NONE` / `authorization_type = "NONE"` / Serverless `url: true` without `authorizer: aws_iam`.
    pub auth_none: bool,
    pub location: Location,
}

/// An IAM policy: managed (by name or ARN) or inline statements, or a SAM policy template
/// expanded into its statements.
#[derive(Clone, Debug, Serialize)]
pub struct Policy {
    /// For people: the managed policy name, the SAM template name, the inline policy name.
    pub name: String,
    /// The managed policy's name or ARN when this is a managed policy (`AmazonS3FullAccess`,
    /// `arn:aws:iam::aws:policy/AdministratorAccess`).
    pub managed: Option<String>,
    pub statements: Vec<Statement>,
    pub location: Location,
}

/// One IAM statement, with single strings normalised to one-element lists.
#[derive(Clone, Debug, Serialize)]
pub struct Statement {
    /// `Effect: Allow`; deny statements are kept with `allow: false`.
    pub allow: bool,
    /// Actions as written (`s3:GetObject`, `s3:*`, `*`). With `not_action`, these are `NotAction`.
    pub actions: Vec<String>,
    pub not_action: bool,
    /// Resources as written; intrinsic references become their text (`!GetAtt Bucket.Arn`).
    pub resources: Vec<String>,
    /// Principals of trust and resource policies, as ARNs, account ids, service names or `*`.
    pub principals: Vec<String>,
    /// True when the statement carries a `Condition`.
    pub conditional: bool,
    pub location: Location,
}

/// An IAM role declared in the IaC.
#[derive(Clone, Debug, Serialize)]
pub struct Role {
    /// How functions refer to it: the logical id, the Terraform address (`aws_iam_role.app`).
    pub key: String,
    pub location: Location,
    /// The trust (assume-role) policy.
    pub trust: Vec<Statement>,
    pub policies: Vec<Policy>,
}

/// A resource-based permission that lets someone invoke a function.
#[derive(Clone, Debug, Serialize)]
pub struct Permission {
    /// The function's IaC name when the target resolves to one.
    pub function: Option<String>,
    /// As written: `*`, an account id, an ARN, `apigateway.amazonaws.com`.
    pub principal: String,
    pub action: String,
    pub source_account: Option<String>,
    pub source_arn: Option<String>,
    /// For `lambda:InvokeFunctionUrl`: the `FunctionUrlAuthType` it applies to.
    pub url_auth_type: Option<String>,
    pub location: Location,
}
