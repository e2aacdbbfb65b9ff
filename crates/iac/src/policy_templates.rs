//! What SAM policy templates and the best-known AWS managed policies grant, so that the IAM
//! checks see their actions rather than an opaque name. Unknown names keep their name and no
//! statements. The expansions follow the published templates and policies in substance, with
//! resource ARNs built from the template's parameters as written.

use fnwarden_project::{Policy, Statement};

use crate::node::Node;
use crate::source::Source;

/// A SAM policy template's grants: (actions, resource patterns). `{P}` in a pattern is the
/// parameter P as written; `*` stays a wildcard.
struct Template {
    name: &'static str,
    grants: &'static [(&'static [&'static str], &'static [&'static str])],
}

const S3_BUCKET: &[&str] = &["arn:aws:s3:::{BucketName}", "arn:aws:s3:::{BucketName}/*"];
const TABLE: &[&str] = &["arn:aws:dynamodb:*:*:table/{TableName}", "arn:aws:dynamodb:*:*:table/{TableName}/index/*"];
const QUEUE: &[&str] = &["arn:aws:sqs:*:*:{QueueName}"];
const STREAM: &[&str] = &["arn:aws:kinesis:*:*:stream/{StreamName}"];
const ANY: &[&str] = &["*"];

const TEMPLATES: &[Template] = &[
    Template {
        name: "S3ReadPolicy",
        grants: &[(
            &["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObjectVersion", "s3:GetLifecycleConfiguration"],
            S3_BUCKET,
        )],
    },
    Template { name: "S3WritePolicy", grants: &[(&["s3:PutObject", "s3:PutObjectAcl", "s3:PutLifecycleConfiguration"], S3_BUCKET)] },
    Template {
        name: "S3CrudPolicy",
        grants: &[(
            &[
                "s3:GetObject",
                "s3:ListBucket",
                "s3:GetBucketLocation",
                "s3:GetObjectVersion",
                "s3:PutObject",
                "s3:PutObjectAcl",
                "s3:GetLifecycleConfiguration",
                "s3:PutLifecycleConfiguration",
                "s3:DeleteObject",
            ],
            S3_BUCKET,
        )],
    },
    Template {
        name: "S3FullAccessPolicy",
        grants: &[
            (
                &[
                    "s3:GetObject",
                    "s3:GetObjectAcl",
                    "s3:GetObjectVersion",
                    "s3:PutObject",
                    "s3:PutObjectAcl",
                    "s3:DeleteObject",
                    "s3:DeleteObjectTagging",
                    "s3:DeleteObjectVersionTagging",
                    "s3:GetObjectTagging",
                    "s3:GetObjectVersionTagging",
                    "s3:PutObjectTagging",
                    "s3:PutObjectVersionTagging",
                ],
                &["arn:aws:s3:::{BucketName}/*"],
            ),
            (
                &["s3:ListBucket", "s3:GetBucketLocation", "s3:GetLifecycleConfiguration", "s3:PutLifecycleConfiguration"],
                &["arn:aws:s3:::{BucketName}"],
            ),
        ],
    },
    Template {
        name: "DynamoDBCrudPolicy",
        grants: &[(
            &[
                "dynamodb:GetItem",
                "dynamodb:DeleteItem",
                "dynamodb:PutItem",
                "dynamodb:Scan",
                "dynamodb:Query",
                "dynamodb:UpdateItem",
                "dynamodb:BatchWriteItem",
                "dynamodb:BatchGetItem",
                "dynamodb:DescribeTable",
                "dynamodb:ConditionCheckItem",
            ],
            TABLE,
        )],
    },
    Template {
        name: "DynamoDBReadPolicy",
        grants: &[(&["dynamodb:GetItem", "dynamodb:Scan", "dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:DescribeTable"], TABLE)],
    },
    Template { name: "DynamoDBWritePolicy", grants: &[(&["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem"], TABLE)] },
    Template {
        name: "DynamoDBStreamReadPolicy",
        grants: &[(
            &["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"],
            &["arn:aws:dynamodb:*:*:table/{TableName}/stream/{StreamName}"],
        )],
    },
    Template { name: "SQSSendMessagePolicy", grants: &[(&["sqs:SendMessage*"], QUEUE)] },
    Template {
        name: "SQSPollerPolicy",
        grants: &[(
            &[
                "sqs:ChangeMessageVisibility",
                "sqs:ChangeMessageVisibilityBatch",
                "sqs:DeleteMessage",
                "sqs:DeleteMessageBatch",
                "sqs:GetQueueAttributes",
                "sqs:ReceiveMessage",
            ],
            QUEUE,
        )],
    },
    Template { name: "SNSPublishMessagePolicy", grants: &[(&["sns:Publish"], &["arn:aws:sns:*:*:{TopicName}"])] },
    Template { name: "LambdaInvokePolicy", grants: &[(&["lambda:InvokeFunction"], &["arn:aws:lambda:*:*:function:{FunctionName}*"])] },
    Template {
        name: "KinesisStreamReadPolicy",
        grants: &[
            (&["kinesis:ListStreams", "kinesis:DescribeLimits"], &["arn:aws:kinesis:*:*:stream/*"]),
            (&["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator"], STREAM),
        ],
    },
    Template {
        name: "KinesisCrudPolicy",
        grants: &[(
            &[
                "kinesis:AddTagsToStream",
                "kinesis:CreateStream",
                "kinesis:DecreaseStreamRetentionPeriod",
                "kinesis:DeleteStream",
                "kinesis:DescribeStream",
                "kinesis:DescribeStreamSummary",
                "kinesis:GetShardIterator",
                "kinesis:IncreaseStreamRetentionPeriod",
                "kinesis:ListTagsForStream",
                "kinesis:MergeShards",
                "kinesis:PutRecord",
                "kinesis:PutRecords",
                "kinesis:SplitShard",
                "kinesis:RemoveTagsFromStream",
            ],
            STREAM,
        )],
    },
    Template {
        name: "SSMParameterReadPolicy",
        grants: &[
            (&["ssm:DescribeParameters"], ANY),
            (&["ssm:GetParameters", "ssm:GetParameter", "ssm:GetParametersByPath"], &["arn:aws:ssm:*:*:parameter/{ParameterName}"]),
        ],
    },
    Template { name: "AWSSecretsManagerGetSecretValuePolicy", grants: &[(&["secretsmanager:GetSecretValue"], &["{SecretArn}"])] },
    Template { name: "KMSDecryptPolicy", grants: &[(&["kms:Decrypt"], &["arn:aws:kms:*:*:key/{KeyId}"])] },
    Template {
        name: "StepFunctionsExecutionPolicy",
        grants: &[(&["states:StartExecution"], &["arn:aws:states:*:*:stateMachine:{StateMachineName}"])],
    },
    Template { name: "EventBridgePutEventsPolicy", grants: &[(&["events:PutEvents"], &["arn:aws:events:*:*:event-bus/{EventBusName}"])] },
    Template { name: "CloudWatchPutMetricPolicy", grants: &[(&["cloudwatch:PutMetricData"], ANY)] },
    Template {
        name: "VPCAccessPolicy",
        grants: &[(
            &["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DetachNetworkInterface"],
            ANY,
        )],
    },
    Template { name: "AMIDescribePolicy", grants: &[(&["ec2:DescribeImages"], ANY)] },
];

/// One statement of a managed policy: actions, resources, and whether the actions are `NotAction`.
type Grant = (&'static [&'static str], &'static [&'static str], bool);

/// AWS managed policies by name.
const MANAGED: &[(&str, &[Grant])] = &[
    ("AdministratorAccess", &[(&["*"], ANY, false)]),
    ("PowerUserAccess", &[(&["iam:*", "organizations:*", "account:*"], ANY, true)]),
    ("IAMFullAccess", &[(&["iam:*", "organizations:DescribeAccount", "organizations:DescribeOrganization"], ANY, false)]),
    ("AmazonS3FullAccess", &[(&["s3:*", "s3-object-lambda:*"], ANY, false)]),
    (
        "AmazonS3ReadOnlyAccess",
        &[(&["s3:Get*", "s3:List*", "s3:Describe*", "s3-object-lambda:Get*", "s3-object-lambda:List*"], ANY, false)],
    ),
    ("AmazonDynamoDBFullAccess", &[(&["dynamodb:*"], ANY, false)]),
    ("AmazonSQSFullAccess", &[(&["sqs:*"], ANY, false)]),
    ("AmazonSNSFullAccess", &[(&["sns:*"], ANY, false)]),
    ("AWSLambda_FullAccess", &[(&["lambda:*", "iam:PassRole"], ANY, false)]),
    ("AWSLambdaFullAccess", &[(&["lambda:*", "iam:PassRole"], ANY, false)]),
    ("SecretsManagerReadWrite", &[(&["secretsmanager:*"], ANY, false)]),
    ("AWSLambdaExecute", &[(&["logs:*"], &["arn:aws:logs:*:*:*"], false), (&["s3:GetObject", "s3:PutObject"], &["arn:aws:s3:::*"], false)]),
    ("AWSLambdaBasicExecutionRole", &[(&["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], ANY, false)]),
    (
        "AWSLambdaVPCAccessExecutionRole",
        &[(
            &[
                "logs:CreateLogGroup",
                "logs:CreateLogStream",
                "logs:PutLogEvents",
                "ec2:CreateNetworkInterface",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DeleteNetworkInterface",
            ],
            ANY,
            false,
        )],
    ),
];

/// A SAM policy template (`S3CrudPolicy: {BucketName: !Ref B}`), expanded when known.
pub(crate) fn sam_template(src: &Source, name: &str, params: &Node, at: &Node) -> Policy {
    let location = src.at(at);
    let statements = TEMPLATES
        .iter()
        .find(|t| t.name == name)
        .map(|t| {
            t.grants
                .iter()
                .map(|(actions, resources)| Statement {
                    allow: true,
                    actions: actions.iter().map(|a| a.to_string()).collect(),
                    not_action: false,
                    resources: resources.iter().map(|r| fill(r, params)).collect(),
                    principals: Vec::new(),
                    conditional: false,
                    location: location.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    Policy { name: name.to_string(), managed: None, statements, location }
}

/// A managed policy by name or ARN; AWS-managed ones fnwarden knows are expanded.
pub(crate) fn managed(src: &Source, reference: &str, at: &Node) -> Policy {
    let location = src.at(at);
    let short = managed_name(reference);
    let statements = MANAGED
        .iter()
        .find(|(name, _)| Some(*name) == short)
        .map(|(_, grants)| {
            grants
                .iter()
                .map(|(actions, resources, not_action)| Statement {
                    allow: true,
                    actions: actions.iter().map(|a| a.to_string()).collect(),
                    not_action: *not_action,
                    resources: resources.iter().map(|r| r.to_string()).collect(),
                    principals: Vec::new(),
                    conditional: false,
                    location: location.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    let name = short.unwrap_or(reference).to_string();
    Policy { name, managed: Some(reference.to_string()), statements, location }
}

/// `AdministratorAccess`, `arn:aws:iam::aws:policy/AdministratorAccess`,
/// `arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole` → the name;
/// customer-managed ARNs (another account) → `None`.
fn managed_name(reference: &str) -> Option<&str> {
    if !reference.contains(':') && !reference.contains('/') {
        return Some(reference);
    }
    let (_, rest) = reference.split_once("iam::aws:policy/")?;
    rest.rsplit('/').next()
}

fn fill(pattern: &str, params: &Node) -> String {
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('}') else { break };
        let key = &rest[start + 1..start + end];
        out.push_str(&params.get(key).map_or_else(|| "*".to_string(), Node::text));
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml;
    use std::path::Path;

    #[test]
    fn templates_expand_with_their_parameters() {
        let src = Source::new(Path::new("template.yaml"));
        let params = yaml::parse("BucketName: !Ref Uploads\n").unwrap();
        let p = sam_template(&src, "S3CrudPolicy", &params, &params);
        assert_eq!(p.statements.len(), 1);
        assert!(p.statements[0].actions.contains(&"s3:DeleteObject".to_string()));
        assert_eq!(p.statements[0].resources, vec!["arn:aws:s3:::!Ref Uploads", "arn:aws:s3:::!Ref Uploads/*"]);
        let unknown = sam_template(&src, "SomeFuturePolicy", &params, &params);
        assert!(unknown.statements.is_empty());
        assert_eq!(unknown.name, "SomeFuturePolicy");
    }

    #[test]
    fn managed_policies_by_name_and_arn() {
        let src = Source::new(Path::new("t"));
        let at = yaml::parse("x").unwrap();
        let admin = managed(&src, "arn:aws:iam::aws:policy/AdministratorAccess", &at);
        assert_eq!(admin.name, "AdministratorAccess");
        assert_eq!(admin.statements[0].actions, vec!["*"]);
        let basic = managed(&src, "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", &at);
        assert_eq!(basic.name, "AWSLambdaBasicExecutionRole");
        assert_eq!(basic.statements.len(), 1);
        let own = managed(&src, "arn:aws:iam::123456789012:policy/mine", &at);
        assert!(own.statements.is_empty());
        assert_eq!(own.managed.as_deref(), Some("arn:aws:iam::123456789012:policy/mine"));
    }
}
