#!/usr/bin/env python3
"""Builds a CloudTrail JSON-lines file for the `fnwarden logs` benchmark.

About 98 % of the records are benign traffic of a synthetic organisation running serverless
workloads (function roles reading and writing DynamoDB, S3, Secrets Manager, SSM and KMS; people
and tools listing functions and instances; CloudFormation and CI deployments updating functions;
services assuming roles). The rest are the Stratus Red Team recordings
(../shared/datasets/cloudtrail/stratus-red-team, read in place), replayed as "episodes" at random
points with new event and request ids, times, account ids, principals, access keys, source
addresses and user agents.

The output is deterministic for a given seed and size. Times only move forward and are spread
over several days. Nothing is ever written inside the repository.

    python3 bench/logs/gen.py                              # 320 MB to /tmp/fnwarden-bench/cloudtrail.jsonl
    python3 bench/logs/gen.py --size 80M -o /tmp/x.jsonl
    python3 bench/logs/gen.py --records 1000 -o /tmp/small.jsonl
    python3 bench/logs/gen.py --records 20000 -o /tmp/a.jsonl --gz /tmp/a.json.gz --gz-records 5000

Only the Python standard library is used.
"""

import argparse
import datetime as dt
import gzip
import heapq
import json
import os
import random
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
DEFAULT_STRATUS = os.path.abspath(os.path.join(REPO, "..", "shared", "datasets", "cloudtrail", "stratus-red-team"))
DEFAULT_OUT = "/tmp/fnwarden-bench/cloudtrail.jsonl"

# Share of replayed attack records, by count.
ATTACK_SHARE = 0.02
# Mean size of a compact record, used only to spread the times of a sized file over its span.
MEAN_RECORD_BYTES = 1600

REGIONS = ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"]
ISO = "%Y-%m-%dT%H:%M:%SZ"
ISO_RE = re.compile(r"20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z")
ACCOUNT_RE = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])")
KEY_RE = re.compile(r"\b(AKIA|ASIA)[A-Z0-9]{16}\b")
UA_RE = re.compile(r"stratus-red-team_[0-9a-f-]{36}")
IP_RE = re.compile(r"^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$")

ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
LOWER = "abcdefghijklmnopqrstuvwxyz0123456789"


def parse_size(s):
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([kKmMgG]?)[bB]?", s.strip())
    if not m:
        raise argparse.ArgumentTypeError(f"not a size: {s!r} (e.g. 320M, 80M, 1G, 5000000)")
    mult = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[m.group(2).lower()]
    return int(float(m.group(1)) * mult)


class Ids:
    """Random identifiers from one seeded generator."""

    def __init__(self, rng):
        self.r = rng

    def uuid(self):
        h = "%032x" % self.r.getrandbits(128)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[self.r.getrandbits(2)]}{h[17:20]}-{h[20:]}"

    def chars(self, n, alphabet=ALNUM):
        return "".join(self.r.choice(alphabet) for _ in range(n))

    def key(self, prefix):
        return prefix + self.chars(16)

    def account(self):
        return "%012d" % self.r.randrange(10**11, 10**12)

    def public_ip(self):
        r = self.r
        while True:
            a = r.randrange(1, 224)
            if a not in (10, 127, 169, 172, 192, 100):
                return f"{a}.{r.randrange(256)}.{r.randrange(256)}.{r.randrange(1, 255)}"

    def aws_ip(self):
        r = self.r
        return f"{r.choice((3, 13, 18, 34, 35, 44, 52, 54))}.{r.randrange(256)}.{r.randrange(256)}.{r.randrange(1, 255)}"


# --- the synthetic organisation -------------------------------------------------------------

FUNCTION_WORDS = ["orders", "billing", "thumbnails", "auth", "search", "notify", "ingest", "reports",
                  "payments", "inventory", "webhooks", "etl", "profile", "catalog", "audit", "export"]
FUNCTION_SUFFIX = ["api", "worker", "handler", "consumer", "sync", "cron", "processor", "resolver"]
PEOPLE = ["amara.okafor", "lin.wei", "jonas.berg", "priya.nair", "mateo.garcia", "sofia.rossi",
          "ken.tanaka", "fatima.haddad", "olivia.brown", "noah.schmidt", "ines.moreau", "david.cohen"]
RUNTIMES = [
    ("python3.12", "Boto3/1.34.{p} md/Botocore#1.34.{p} ua/2.0 os/linux#5.10.{k}-{b}.amzn2.x86_64 md/arch#x86_64 "
                   "lang/python#3.12.{m} md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.{p}"),
    ("python3.11", "Boto3/1.28.{p} md/Botocore#1.31.{p} ua/2.0 os/linux#5.10.{k}-{b}.amzn2.x86_64 md/arch#x86_64 "
                   "lang/python#3.11.{m} md/pyimpl#CPython exec-env/AWS_Lambda_python3.11 cfg/retry-mode#legacy Botocore/1.31.{p}"),
    ("nodejs20.x", "aws-sdk-js/3.{p}.0 ua/2.0 os/linux#5.10.{k}-{b}.amzn2.x86_64 lang/js md/nodejs#20.{m}.0 "
                   "api/{api}#3.{p}.0 exec-env/AWS_Lambda_nodejs20.x"),
    ("nodejs18.x", "aws-sdk-js/3.{p}.0 os/linux/5.10.{k}-{b}.amzn2.x86_64 lang/js md/nodejs/18.{m}.0 "
                   "api/{api}/3.{p}.0 exec-env/AWS_Lambda_nodejs18.x"),
    ("java21", "aws-sdk-java/2.25.{p} Linux/5.10.{k}-{b}.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/21.0.{m}+7-LTS "
               "Java/21.0.{m} vendor/Amazon.com_Inc. exec-env/AWS_Lambda_java21 io/sync http/Apache cfg/retry-mode/legacy"),
    ("provided.al2023", "aws-sdk-go-v2/1.30.{p} os/linux lang/go#1.22.{m} md/GOOS#linux md/GOARCH#amd64 "
                        "api/{api}#1.{p}.0 exec-env/AWS_Lambda_provided.al2023"),
]
CLI_UAS = [
    "aws-cli/2.15.{p} Python/3.11.8 Linux/6.5.0-1016-azure exe/x86_64.ubuntu.22 prompt/off command/{cmd}",
    "aws-cli/2.17.{p} md/awscrt#0.20.11 ua/2.0 os/macos#23.5.0 md/arch#arm64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#{cmd}",
    "Boto3/1.34.{p} md/Botocore#1.34.{p} ua/2.0 os/linux#6.8.0-1009-aws md/arch#x86_64 lang/python#3.12.3 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.{p}",
    "aws-sdk-go-v2/1.32.{p} os/linux lang/go#1.23.2 md/GOOS#linux md/GOARCH#amd64 api/{api}#1.{p}.0",
    "terraform-provider-aws/5.60.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.30.{p} os/linux lang/go#1.22.5",
]
CONSOLE_UA = ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/126.0.0.0 Safari/537.36")
TLS = [("TLSv1.3", "TLS_AES_128_GCM_SHA256"), ("TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256"), ("TLSv1.3", "TLS_AES_256_GCM_SHA384")]


def fill_ua(rng, template, api="dynamodb", cmd="lambda.list-functions"):
    return template.format(p=rng.randrange(10, 160), k=rng.randrange(200, 230), b=rng.randrange(200, 240),
                           m=rng.randrange(1, 12), api=api, cmd=cmd)


class Function:
    def __init__(self, ids, rng, account, region, name):
        self.account, self.region, self.name = account, region, name
        runtime, ua = rng.choice(RUNTIMES)
        self.runtime = runtime
        self.ua_template = ua
        self.role = f"{name}-role-{ids.chars(8, LOWER)}"
        self.role_id = "AROA" + ids.chars(17)
        self.table = f"{name.split('-')[0]}-{rng.choice(['table', 'store', 'events', 'state'])}"
        self.bucket = f"{name.split('-')[0]}-{rng.choice(['assets', 'uploads', 'data', 'exports'])}-{account[-4:]}"
        self.secret = f"prod/{name.split('-')[0]}/{rng.choice(['db', 'api-key', 'oauth', 'stripe'])}"
        self.parameter = f"/{name.split('-')[0]}/prod/{rng.choice(['config', 'feature-flags', 'endpoint'])}"
        self.weight = rng.paretovariate(1.2)  # a few functions are busy, most are quiet
        self.new_environment(ids, rng)

    def new_environment(self, ids, rng):
        """A fresh execution environment: new role session key, new egress address."""
        self.key = ids.key("ASIA")
        self.ip = ids.aws_ip()
        self.ua = fill_ua(rng, self.ua_template, api="{api}")
        self.session_created = None

    def arn(self):
        return f"arn:aws:sts::{self.account}:assumed-role/{self.role}/{self.name}"

    def identity(self, when):
        if self.session_created is None:
            self.session_created = when
        return {
            "type": "AssumedRole",
            "principalId": f"{self.role_id}:{self.name}",
            "arn": self.arn(),
            "accountId": self.account,
            "accessKeyId": self.key,
            "sessionContext": {
                "sessionIssuer": {"type": "Role", "principalId": self.role_id,
                                  "arn": f"arn:aws:iam::{self.account}:role/{self.role}",
                                  "accountId": self.account, "userName": self.role},
                "webIdFederationData": {},
                "attributes": {"creationDate": self.session_created, "mfaAuthenticated": "false"},
            },
        }


class Person:
    def __init__(self, ids, rng, account, name):
        self.account, self.name = account, name
        self.role = rng.choice(["AWSReservedSSO_AdministratorAccess_", "AWSReservedSSO_PowerUserAccess_",
                                "AWSReservedSSO_ReadOnlyAccess_"]) + ids.chars(16, "0123456789abcdef")
        self.role_id = "AROA" + ids.chars(17)
        self.key = ids.key("ASIA")
        self.ip = ids.public_ip()
        self.cli = fill_ua(rng, rng.choice(CLI_UAS), api="{api}", cmd="{cmd}")

    def identity(self, when, console):
        ident = {
            "type": "AssumedRole",
            "principalId": f"{self.role_id}:{self.name}@example.com",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{self.role}/{self.name}@example.com",
            "accountId": self.account,
            "accessKeyId": self.key,
            "sessionContext": {
                "sessionIssuer": {"type": "Role", "principalId": self.role_id,
                                  "arn": f"arn:aws:iam::{self.account}:role/aws-reserved/sso.amazonaws.com/{self.role}",
                                  "accountId": self.account, "userName": self.role},
                "webIdFederationData": {},
                "attributes": {"creationDate": when, "mfaAuthenticated": "false"},
            },
        }
        if console:
            ident["sessionContext"]["attributes"]["mfaAuthenticated"] = "true"
        return ident


class Org:
    def __init__(self, ids, rng):
        self.accounts = [ids.account() for _ in range(6)]
        self.functions = []
        for acct in self.accounts:
            region = rng.choice(REGIONS[:4])
            for _ in range(rng.randrange(12, 30)):
                name = f"{rng.choice(FUNCTION_WORDS)}-{rng.choice(FUNCTION_SUFFIX)}-{ids.chars(4, LOWER)}"
                self.functions.append(Function(ids, rng, acct, region, name))
        self.fn_weights = [f.weight for f in self.functions]
        self.people = [Person(ids, rng, rng.choice(self.accounts), p) for p in PEOPLE]
        self.ci_roles = {a: ("github-actions-deploy", "AROA" + ids.chars(17)) for a in self.accounts}
        self.ci_ips = [ids.aws_ip() for _ in range(40)]
        self.monitor_ip = {a: ids.aws_ip() for a in self.accounts}


# --- benign records --------------------------------------------------------------------------

class Benign:
    def __init__(self, ids, rng, org):
        self.ids, self.r, self.org = ids, rng, org
        kinds = [
            (30, self.dynamodb), (22, self.s3_object), (6, self.secret), (6, self.kms),
            (3, self.ssm), (4, self.lambda_assume), (6, self.invoke), (5, self.read_lambda),
            (4, self.describe_ec2), (7, self.monitoring), (0.4, self.ci_update), (0.3, self.console_login),
            (4, self.error_call),
        ]
        self.kinds = [k for _, k in kinds]
        self.weights = [w for w, _ in kinds]
        self.queue = []  # records of a multi-call sequence (deployments), emitted one by one

    def next(self, when):
        if self.queue:
            return self.queue.pop(0)(when)
        return self.r.choices(self.kinds, self.weights)[0](when)

    # common envelope
    def record(self, when, source, name, region, ident, ip, ua, params, response=None, *, read_only, data=False,
               resources=None, extra=None, account=None):
        r = self.r
        rec = {
            "eventVersion": "1.09" if data else r.choice(("1.08", "1.09", "1.10")),
            "userIdentity": ident,
            "eventTime": when,
            "eventSource": source,
            "eventName": name,
            "awsRegion": region,
            "sourceIPAddress": ip,
            "userAgent": ua,
            "requestParameters": params,
            "responseElements": response,
            "requestID": self.ids.uuid(),
            "eventID": self.ids.uuid(),
            "readOnly": read_only,
        }
        if resources is not None:
            rec["resources"] = resources
        rec["eventType"] = "AwsApiCall"
        rec["managementEvent"] = not data
        rec["recipientAccountId"] = account or ident.get("accountId", "")
        if extra:
            rec.update(extra)
        rec["eventCategory"] = "Data" if data else "Management"
        if not ip.endswith("amazonaws.com"):
            v, c = r.choice(TLS)
            rec["tlsDetails"] = {"tlsVersion": v, "cipherSuite": c,
                                 "clientProvidedHostHeader": f"{source.split('.')[0]}.{region}.amazonaws.com"}
        return rec

    def function(self):
        f = self.r.choices(self.org.functions, self.org.fn_weights)[0]
        if self.r.random() < 0.002:
            f.new_environment(self.ids, self.r)
        return f

    def dynamodb(self, when):
        f, r = self.function(), self.r
        op = r.choice(["GetItem", "GetItem", "Query", "PutItem", "UpdateItem", "BatchWriteItem", "DeleteItem"])
        params = {"tableName": f.table, "key": {"pk": {"S": "HIDDEN_DUE_TO_SECURITY_REASONS"}},
                  "consistentRead": r.random() < 0.3}
        if op == "Query":
            params = {"tableName": f.table, "indexName": "by-customer", "limit": r.choice((25, 50, 100)),
                      "keyConditionExpression": "customerId = :c", "scanIndexForward": False}
        elif op == "BatchWriteItem":
            params = {"requestItems": [{"tableName": f.table, "writeRequests": r.randrange(2, 26)}]}
        arn = f"arn:aws:dynamodb:{f.region}:{f.account}:table/{f.table}"
        return self.record(when, "dynamodb.amazonaws.com", op, f.region, f.identity(when), f.ip, f.ua.replace("{api}", "dynamodb"),
                           params, None, read_only=op in ("GetItem", "Query"), data=True,
                           resources=[{"accountId": f.account, "type": "AWS::DynamoDB::Table", "ARN": arn}],
                           extra={"additionalEventData": {"requestItemCount": 1}} if op != "Query" else None)

    def s3_object(self, when):
        f, r = self.function(), self.r
        op = r.choice(["GetObject", "GetObject", "PutObject", "HeadObject"])
        key = f"{r.choice(['in', 'out', 'cache', 'tmp'])}/{self.ids.chars(2, LOWER)}/{self.ids.uuid()}.{r.choice(['json', 'png', 'csv', 'parquet'])}"
        params = {"bucketName": f.bucket, "Host": f"{f.bucket}.s3.{f.region}.amazonaws.com", "key": key}
        if op == "PutObject":
            params["x-amz-server-side-encryption"] = "aws:kms"
        add = {"SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256",
               "bytesTransferredIn": r.randrange(0, 20000) if op == "PutObject" else 0,
               "AuthenticationMethod": "AuthHeader", "x-amz-id-2": self.ids.chars(76),
               "bytesTransferredOut": r.randrange(100, 900000) if op == "GetObject" else 0}
        res = [{"type": "AWS::S3::Object", "ARN": f"arn:aws:s3:::{f.bucket}/{key}"},
               {"accountId": f.account, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{f.bucket}"}]
        response = {"x-amz-server-side-encryption": "aws:kms"} if op == "PutObject" else None
        return self.record(when, "s3.amazonaws.com", op, f.region, f.identity(when), f.ip, f.ua.replace("{api}", "s3"), params,
                           response, read_only=op != "PutObject", data=True, resources=res,
                           extra={"additionalEventData": add})

    def secret(self, when):
        f = self.function()
        arn = f"arn:aws:secretsmanager:{f.region}:{f.account}:secret:{f.secret}-{self.ids.chars(6)}"
        return self.record(when, "secretsmanager.amazonaws.com", "GetSecretValue", f.region, f.identity(when), f.ip,
                           f.ua.replace("{api}", "secrets-manager"), {"secretId": arn}, None, read_only=True)

    def kms(self, when):
        f, r = self.function(), self.r
        key = f"arn:aws:kms:{f.region}:{f.account}:key/{self.ids.uuid()}"
        params = {"encryptionAlgorithm": "SYMMETRIC_DEFAULT",
                  "encryptionContext": {"aws:lambda:FunctionArn": f"arn:aws:lambda:{f.region}:{f.account}:function:{f.name}"}}
        if r.random() < 0.5:  # the Lambda service decrypting the function's environment
            ident = {"type": "AWSService", "invokedBy": "lambda.amazonaws.com"}
            return self.record(when, "kms.amazonaws.com", "Decrypt", f.region, ident, "lambda.amazonaws.com",
                               "lambda.amazonaws.com", params, None, read_only=True, account=f.account,
                               resources=[{"accountId": f.account, "type": "AWS::KMS::Key", "ARN": key}],
                               extra={"sharedEventID": self.ids.uuid()})
        return self.record(when, "kms.amazonaws.com", "Decrypt", f.region, f.identity(when), f.ip, f.ua.replace("{api}", "kms"),
                           params, None, read_only=True,
                           resources=[{"accountId": f.account, "type": "AWS::KMS::Key", "ARN": key}])

    def ssm(self, when):
        f, r = self.function(), self.r
        name, op = ("GetParameter", {"name": f.parameter, "withDecryption": r.random() < 0.5}) if r.random() < 0.7 else \
            ("GetParametersByPath", {"path": f.parameter.rsplit('/', 1)[0], "recursive": True, "withDecryption": True})
        return self.record(when, "ssm.amazonaws.com", name, f.region, f.identity(when), f.ip, f.ua.replace("{api}", "ssm"),
                           op, None, read_only=True)

    def lambda_assume(self, when):
        f = self.function()
        f.new_environment(self.ids, self.r)
        ident = {"type": "AWSService", "invokedBy": "lambda.amazonaws.com"}
        params = {"roleArn": f"arn:aws:iam::{f.account}:role/{f.role}", "roleSessionName": f.name}
        resp = {"credentials": {"accessKeyId": f.key, "sessionToken": self.ids.chars(120),
                                "expiration": "Dec 31, 2026, 11:59:59 PM"}}
        return self.record(when, "sts.amazonaws.com", "AssumeRole", f.region, ident, "lambda.amazonaws.com",
                           "lambda.amazonaws.com", params, resp, read_only=True, account=f.account,
                           resources=[{"accountId": f.account, "type": "AWS::IAM::Role",
                                       "ARN": f"arn:aws:iam::{f.account}:role/{f.role}"}],
                           extra={"sharedEventID": self.ids.uuid()})

    def invoke(self, when):
        """Lambda Invoke data event: another function or API Gateway calling a function."""
        caller, target = self.function(), self.function()
        arn = f"arn:aws:lambda:{target.region}:{target.account}:function:{target.name}"
        if self.r.random() < 0.5:
            ident, ip, ua = caller.identity(when), caller.ip, caller.ua.replace("{api}", "lambda")
        else:
            ident = {"type": "AWSService", "invokedBy": "apigateway.amazonaws.com"}
            ip = ua = "apigateway.amazonaws.com"
        return self.record(when, "lambda.amazonaws.com", "Invoke", target.region, ident, ip, ua,
                           {"functionName": arn, "invocationType": self.r.choice(["RequestResponse", "Event"])},
                           None, read_only=False, data=True, account=target.account,
                           resources=[{"accountId": target.account, "type": "AWS::Lambda::Function", "ARN": arn}],
                           extra={"additionalEventData": {"functionVersion": f"{arn}:$LATEST"}})

    def person(self):
        return self.r.choice(self.org.people)

    def read_lambda(self, when):
        p, r = self.person(), self.r
        region = r.choice(REGIONS[:4])
        console = r.random() < 0.4
        op, params = r.choice([
            ("ListFunctions20150331", {"maxItems": 50}),
            ("ListFunctions20150331", None),
            ("GetFunction20150331v2", {"functionName": self.function().name}),
            ("GetFunctionConfiguration20150331v2", {"functionName": self.function().name}),
            ("ListVersionsByFunction20150331", {"functionName": self.function().name}),
            ("ListEventSourceMappings20150331", {"functionName": self.function().name}),
            ("GetPolicy20150331v2", {"functionName": self.function().name}),
        ])
        ua = CONSOLE_UA if console else p.cli.replace("{cmd}", "lambda.list-functions").replace("{api}", "lambda")
        extra = {"sessionCredentialFromConsole": "true"} if console else None
        return self.record(when, "lambda.amazonaws.com", op, region, p.identity(when, console), p.ip, ua, params,
                           None, read_only=True, extra=extra)

    def describe_ec2(self, when):
        r = self.r
        if r.random() < 0.6:  # the Lambda service managing VPC network interfaces of functions
            f = self.function()
            ident = {"type": "AWSService", "invokedBy": "lambda.amazonaws.com"}
            return self.record(when, "ec2.amazonaws.com", r.choice(["DescribeNetworkInterfaces", "DescribeSubnets",
                                                                    "DescribeSecurityGroups"]),
                               f.region, ident, "lambda.amazonaws.com", "lambda.amazonaws.com",
                               {"filterSet": {"items": [{"name": "vpc-id", "valueSet": {"items": [{"value": "vpc-" + self.ids.chars(17, "0123456789abcdef")}]}}]}},
                               None, read_only=True, account=f.account)
        p = self.person()
        return self.record(when, "ec2.amazonaws.com", r.choice(["DescribeInstances", "DescribeVpcs", "DescribeRegions"]),
                           r.choice(REGIONS[:4]), p.identity(when, False), p.ip, p.cli.replace("{cmd}", "ec2.describe-instances").replace("{api}", "ec2"),
                           {"maxResults": 1000, "instancesSet": {}, "filterSet": {}}, None, read_only=True)

    def monitoring(self, when):
        """Read-only calls of monitoring and inventory services in each account."""
        r = self.r
        acct = r.choice(self.org.accounts)
        role = r.choice(["AWSServiceRoleForConfig", "datadog-integration-role", "AWSServiceRoleForSecurityHub"])
        session = {"AWSServiceRoleForConfig": "AWSConfig-Describe", "datadog-integration-role": "DatadogAWSIntegration",
                   "AWSServiceRoleForSecurityHub": "SecurityHubSession"}[role]
        rid = "AROA" + self.ids.chars(17)
        ident = {"type": "AssumedRole", "principalId": f"{rid}:{session}",
                 "arn": f"arn:aws:sts::{acct}:assumed-role/{role}/{session}", "accountId": acct,
                 "accessKeyId": self.ids.key("ASIA"),
                 "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": rid,
                                                      "arn": f"arn:aws:iam::{acct}:role/{role}",
                                                      "accountId": acct, "userName": role},
                                    "webIdFederationData": {},
                                    "attributes": {"creationDate": when, "mfaAuthenticated": "false"}}}
        source, op, params = r.choice([
            ("monitoring.amazonaws.com", "GetMetricData", {"startTime": when, "endTime": when, "metricDataQueries": [{"id": "m1", "returnData": True}]}),
            ("lambda.amazonaws.com", "ListFunctions20150331", {"functionVersion": "ALL", "maxItems": 50}),
            ("logs.amazonaws.com", "DescribeLogGroups", {"logGroupNamePrefix": "/aws/lambda/"}),
            ("config.amazonaws.com", "PutEvaluations", {"testMode": False}),
            ("iam.amazonaws.com", "GetRole", {"roleName": self.function().role}),
            ("s3.amazonaws.com", "GetBucketPolicy", {"bucketName": self.function().bucket, "policy": ""}),
            ("sts.amazonaws.com", "GetCallerIdentity", None),
        ])
        if role == "AWSServiceRoleForConfig":
            ip = ua = "config.amazonaws.com"
        else:
            ip = self.org.monitor_ip[acct]
            ua = fill_ua(r, CLI_UAS[2])
        return self.record(when, source, op, r.choice(REGIONS[:4]), ident, ip, ua, params, None, read_only=True)

    def ci_identity(self, acct, when, run):
        role, rid = self.org.ci_roles[acct]
        return {"type": "AssumedRole", "principalId": f"{rid}:GitHubActions-{run}",
                "arn": f"arn:aws:sts::{acct}:assumed-role/{role}/GitHubActions-{run}", "accountId": acct,
                "accessKeyId": self.ids.key("ASIA"),
                "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": rid,
                                                     "arn": f"arn:aws:iam::{acct}:role/{role}",
                                                     "accountId": acct, "userName": role},
                                   "webIdFederationData": {"federatedProvider": f"arn:aws:iam::{acct}:oidc-provider/token.actions.githubusercontent.com",
                                                           "attributes": {}},
                                   "attributes": {"creationDate": when, "mfaAuthenticated": "false"}}}

    def ci_update(self, when):
        """A deployment: CI assumes its role, then either deploys through CloudFormation or updates a
        function directly; the calls after the first come from the queue."""
        r = self.r
        f = self.function()
        run = r.randrange(10**9, 10**10)
        ident = self.ci_identity(f.account, when, run)
        ip = r.choice(self.org.ci_ips)
        ua = fill_ua(r, CLI_UAS[0], cmd="cloudformation.deploy")
        fn_arn = f"arn:aws:lambda:{f.region}:{f.account}:function:{f.name}"
        stack = f"{f.name.rsplit('-', 1)[0]}-stack"
        stack_arn = f"arn:aws:cloudformation:{f.region}:{f.account}:stack/{stack}/{self.ids.uuid()}"

        def call(source, name, params, response=None, read_only=False, via_cfn=False):
            def make(t):
                if via_cfn:
                    return self.record(t, source, name, f.region, dict(ident, invokedBy="cloudformation.amazonaws.com"),
                                       "cloudformation.amazonaws.com", "cloudformation.amazonaws.com", params, response,
                                       read_only=read_only)
                return self.record(t, source, name, f.region, ident, ip, ua, params, response, read_only=read_only)
            return make

        code = {"functionName": fn_arn, "publish": True, "s3Bucket": f"cfn-artifacts-{f.account}",
                "s3Key": f"{stack}/{self.ids.chars(32, '0123456789abcdef')}.zip"}
        cfg_resp = {"functionName": f.name, "functionArn": fn_arn, "runtime": f.runtime,
                    "role": f"arn:aws:iam::{f.account}:role/{f.role}", "handler": "app.handler",
                    "codeSize": r.randrange(5000, 9000000), "timeout": r.choice((3, 10, 30, 60)),
                    "memorySize": r.choice((128, 256, 512, 1024)), "lastModified": when.replace("Z", ".000+0000"),
                    "codeSha256": self.ids.chars(43) + "=", "version": str(r.randrange(1, 300)),
                    "state": "Active", "packageType": "Zip", "architectures": ["x86_64"]}
        if r.random() < 0.6:
            steps = [
                call("cloudformation.amazonaws.com", "CreateChangeSet", {"stackName": stack, "changeSetName": f"deploy-{run}",
                                                                         "changeSetType": "UPDATE", "capabilities": ["CAPABILITY_IAM"]}),
                call("cloudformation.amazonaws.com", "DescribeChangeSet", {"stackName": stack, "changeSetName": f"deploy-{run}"}, read_only=True),
                call("cloudformation.amazonaws.com", "ExecuteChangeSet", {"stackName": stack, "changeSetName": f"deploy-{run}"}),
                call("lambda.amazonaws.com", "UpdateFunctionCode20150331v2", code, cfg_resp, via_cfn=True),
                call("lambda.amazonaws.com", "GetFunction20150331v2", {"functionName": fn_arn}, read_only=True, via_cfn=True),
                call("lambda.amazonaws.com", "PublishVersion20150331", {"functionName": fn_arn}, cfg_resp, via_cfn=True),
                call("cloudformation.amazonaws.com", "DescribeStacks", {"stackName": stack_arn}, read_only=True),
            ]
        else:
            steps = [
                call("lambda.amazonaws.com", "UpdateFunctionCode20150331v2", code, cfg_resp),
                call("lambda.amazonaws.com", "GetFunctionConfiguration20150331v2", {"functionName": fn_arn}, read_only=True),
                call("lambda.amazonaws.com", "UpdateAlias20150331", {"functionName": fn_arn, "name": "live",
                                                                     "functionVersion": cfg_resp["version"]}),
            ]
        first = {"roleArn": f"arn:aws:iam::{f.account}:role/{self.org.ci_roles[f.account][0]}",
                 "roleSessionName": f"GitHubActions-{run}", "durationSeconds": 3600}
        web = {"type": "WebIdentityUser", "principalId": f"arn:aws:iam::{f.account}:oidc-provider/token.actions.githubusercontent.com:sts.amazonaws.com:repo:example/{f.name.split('-')[0]}:ref:refs/heads/main",
               "userName": f"repo:example/{f.name.split('-')[0]}:ref:refs/heads/main",
               "identityProvider": f"arn:aws:iam::{f.account}:oidc-provider/token.actions.githubusercontent.com"}
        self.queue.extend(steps)
        return self.record(when, "sts.amazonaws.com", "AssumeRoleWithWebIdentity", f.region, web, ip, "aws-sdk-js/2.1571.0 promise",
                           first, {"credentials": {"accessKeyId": ident["accessKeyId"], "expiration": "Dec 31, 2026, 11:59:59 PM"}},
                           read_only=True, account=f.account)

    def console_login(self, when):
        p = self.person()
        ident = {"type": "AssumedRole", "principalId": f"{p.role_id}:{p.name}@example.com",
                 "arn": f"arn:aws:sts::{p.account}:assumed-role/{p.role}/{p.name}@example.com", "accountId": p.account}
        return self.record(when, "signin.amazonaws.com", "ConsoleLogin", "us-east-1", ident, p.ip, CONSOLE_UA, None,
                           {"ConsoleLogin": "Success"}, read_only=False,
                           extra={"additionalEventData": {"MobileVersion": "No", "MFAUsed": "Yes", "LoginTo": "https://console.aws.amazon.com/console/home"},
                                  "eventType": "AwsConsoleSignIn"})

    def error_call(self, when):
        """The ordinary failures of busy functions: throttling, conditional writes, missing objects."""
        r = self.r
        rec = r.choice([self.dynamodb, self.s3_object, self.secret])(when)
        code, msg = {
            "dynamodb.amazonaws.com": r.choice([("ConditionalCheckFailedException", "The conditional request failed"),
                                                ("ProvisionedThroughputExceededException", "The level of configured provisioned throughput for the table was exceeded.")]),
            "s3.amazonaws.com": ("NoSuchKey", "The specified key does not exist."),
            "secretsmanager.amazonaws.com": ("ThrottlingException", "Rate exceeded"),
        }[rec["eventSource"]]
        rec["errorCode"], rec["errorMessage"] = code, msg
        return rec


# --- replayed attacks --------------------------------------------------------------------------

ATTACK_UAS = [
    "aws-cli/2.13.{p} Python/3.11.4 Linux/5.15.0-78-generic exe/x86_64.ubuntu.22 prompt/off command/{cmd}",
    "Boto3/1.28.{p} md/Botocore#1.31.{p} ua/2.0 os/linux#5.15.0 md/arch#x86_64 lang/python#3.10.12 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.31.{p}",
    "aws-sdk-go-v2/1.30.{p} os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/{api}#1.{p}.0",
    "python-requests/2.31.0",
]
ATTACK_USERS = ["svc-backup", "deploy-bot", "j.doe", "ops-automation", "ci-legacy", "m.keller", "analytics-etl"]
ATTACK_PREFIXES = ["prod-app", "legacy-svc", "data-pipe", "shop-api", "int-tools", "edge-fn"]


def iso_parse(s):
    return dt.datetime.strptime(s[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=dt.timezone.utc)


class Attacks:
    def __init__(self, ids, rng, org, folder):
        self.ids, self.r, self.org = ids, rng, org
        self.files = []
        names = sorted(n for n in os.listdir(folder) if n.endswith(".json"))
        for n in names:
            with open(os.path.join(folder, n)) as fh:
                recs = json.load(fh)
            if isinstance(recs, dict):
                recs = recs.get("Records", [])
            recs = [x for x in recs if isinstance(x, dict) and "eventTime" in x]
            recs.sort(key=lambda x: x["eventTime"])
            if recs:
                self.files.append((n, recs))
        if not self.files:
            raise SystemExit(f"gen.py: no CloudTrail records under {folder}")
        self.mean_len = sum(len(r) for _, r in self.files) / len(self.files)

    def episode(self, start):
        """One Stratus file replayed from `start` (datetime): [(datetime, json text)], in time order."""
        r, ids = self.r, self.ids
        name, recs = r.choice(self.files)
        t0 = iso_parse(recs[0]["eventTime"])
        own = recs[0].get("recipientAccountId", "")
        accounts = {own: r.choice(self.org.accounts)} if own else {}
        keys, ips = {}, {}
        region = r.choice(REGIONS)
        old_regions = {x.get("awsRegion") for x in recs if x.get("awsRegion")}
        user = r.choice(ATTACK_USERS)
        prefix = r.choice(ATTACK_PREFIXES)
        helper = f"{r.choice(ATTACK_USERS)}-{ids.chars(4, LOWER)}"
        word = r.choice(["ops", "svc", "break-glass", "support", "sync"])
        ua = fill_ua(r, r.choice(ATTACK_UAS), api="lambda", cmd="lambda.update-function-code")
        out = []
        for rec in recs:
            offset = min(iso_parse(rec["eventTime"]) - t0, dt.timedelta(hours=2))
            when = start + offset
            shift = start - t0
            text = json.dumps(rec, separators=(",", ":"))
            text = ACCOUNT_RE.sub(lambda m: accounts.setdefault(m.group(0), ids.account()), text)
            text = KEY_RE.sub(lambda m: keys.setdefault(m.group(0), ids.key(m.group(1))), text)
            text = UA_RE.sub(ua, text)
            text = text.replace("stratus-red-team", prefix).replace("stratus_red_team", prefix.replace("-", "_"))
            text = text.replace("StratusRedTeam", "CostCenter").replace("malicious-iam-user", helper).replace("malicious", word).replace("christophe", user)
            for old in old_regions:
                text = text.replace(old, region)
            text = ISO_RE.sub(lambda m: (iso_parse(m.group(0)) + shift).strftime(ISO), text)
            new = json.loads(text)
            src = new.get("sourceIPAddress", "")
            if IP_RE.match(src):
                new["sourceIPAddress"] = ips.setdefault(src, ids.public_ip())
            new["eventTime"] = when.strftime(ISO)
            new["eventID"] = ids.uuid()
            if "requestID" in new:
                new["requestID"] = ids.uuid()
            out.append((when, new))
        return name, out


# --- the stream --------------------------------------------------------------------------------

def generate(args):
    rng = random.Random(args.seed)
    ids = Ids(rng)
    org = Org(ids, rng)
    benign = Benign(ids, rng, org)
    attacks = Attacks(ids, rng, org, args.stratus)

    if args.records:
        expected = args.records
    else:
        expected = max(1, args.size // MEAN_RECORD_BYTES)
    span = args.days * 86400.0
    mean_gap = span / expected
    # Probability that an attack episode starts before a benign record, so that attack records make
    # up ATTACK_SHARE of the file on average.
    share = min(max(args.attack_share, 0.0), 0.9)
    p_episode = share / (1 - share) / attacks.mean_len
    now = dt.datetime(2026, 3, 2, 0, 0, 0, tzinfo=dt.timezone.utc)
    pending = []  # heap of (time, seq, record)
    seq = 0
    counts = {"benign": 0, "attack": 0, "episodes": 0}
    used = {}

    out_dir = os.path.dirname(os.path.abspath(args.output))
    os.makedirs(out_dir, exist_ok=True)
    tmp = args.output + ".part"
    written = 0
    gz_records = []
    dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
    n = 0
    last = None
    with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        while True:
            if args.records and n >= args.records:
                break
            if not args.records and written >= args.size:
                break
            if rng.random() < p_episode:
                name, eps = attacks.episode(now)
                counts["episodes"] += 1
                used[name] = used.get(name, 0) + 1
                for when, rec in eps:
                    heapq.heappush(pending, (when, seq, rec))
                    seq += 1
            now += dt.timedelta(seconds=rng.expovariate(1.0 / mean_gap))
            if pending and pending[0][0] <= now:
                when, _, rec = heapq.heappop(pending)
                when = max(when, last or when)
                rec["eventTime"] = when.strftime(ISO)
                last = when
                counts["attack"] += 1
            else:
                rec = benign.next(now.strftime(ISO))
                counts["benign"] += 1
            last = max(last or now, now)
            line = dumps(rec)
            fh.write(line)
            fh.write("\n")
            written += len(line.encode("utf-8")) + 1
            n += 1
            if args.gz and len(gz_records) < args.gz_records:
                gz_records.append(rec)
    os.replace(tmp, args.output)
    if args.gz:
        os.makedirs(os.path.dirname(os.path.abspath(args.gz)), exist_ok=True)
        with gzip.open(args.gz + ".part", "wt", encoding="utf-8") as gz:
            gz.write('{"Records":[')
            for i, rec in enumerate(gz_records):
                if i:
                    gz.write(",")
                gz.write(dumps(rec))
            gz.write("]}\n")
        os.replace(args.gz + ".part", args.gz)
    total = counts["benign"] + counts["attack"]
    info = {
        "output": args.output, "bytes": written, "records": total, "benign": counts["benign"],
        "attack": counts["attack"], "attack_share": round(counts["attack"] / max(1, total), 4),
        "episodes": counts["episodes"], "techniques_replayed": len(used), "seed": args.seed,
        "first_time": "2026-03-02T00:00:00Z", "last_time": last.strftime(ISO) if last else None,
    }
    if args.gz:
        info["gz"] = args.gz
        info["gz_records"] = len(gz_records)
    print(json.dumps(info), file=sys.stderr if args.quiet_stdout else sys.stdout)


def inside(path, root):
    path, root = os.path.realpath(path), os.path.realpath(root)
    return path == root or path.startswith(root + os.sep)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-o", "--output", default=DEFAULT_OUT, help=f"JSON-lines file to write (default {DEFAULT_OUT})")
    ap.add_argument("--size", type=parse_size, default=parse_size("320M"),
                    help="stop once the file reaches this size (default 320M; K, M, G suffixes)")
    ap.add_argument("--records", type=int, default=0, help="write exactly this many records instead of a size")
    ap.add_argument("--days", type=float, default=7.0, help="span of event times (default 7 days)")
    ap.add_argument("--attack-share", type=float, default=ATTACK_SHARE,
                    help=f"share of replayed attack records (default {ATTACK_SHARE}; 0 for benign traffic only)")
    ap.add_argument("--seed", type=int, default=6, help="random seed (default 6)")
    ap.add_argument("--stratus", default=DEFAULT_STRATUS, help="folder of Stratus Red Team CloudTrail JSON files")
    ap.add_argument("--gz", metavar="PATH", help="also write the first --gz-records records as one gzip'd {\"Records\":[...]} file")
    ap.add_argument("--gz-records", type=int, default=5000, help="records in the --gz file (default 5000)")
    ap.add_argument("--quiet-stdout", action="store_true", help="print the summary on stderr instead of stdout")
    args = ap.parse_args()
    for p in [args.output] + ([args.gz] if args.gz else []):
        if inside(p, REPO):
            ap.error(f"{p} is inside the repository ({REPO}); write generated data to /tmp")
    if not os.path.isdir(args.stratus):
        ap.error(f"{args.stratus}: no such folder (the Stratus Red Team CloudTrail recordings)")
    generate(args)


if __name__ == "__main__":
    main()
