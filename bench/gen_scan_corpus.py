#!/usr/bin/env python3
"""Builds a serverless monorepo for the `fnwarden scan` benchmark, with a ground truth.

The tree looks like a company's serverless monorepo: many services under services/, each a
Serverless Framework service (serverless.yml, provider.iam.role.statements or the legacy
iamRoleStatements), an AWS SAM template or Terraform; handlers in Python, JavaScript,
TypeScript, Go or Java with helper modules, tests, sample events, READMEs and the manifests of
each ecosystem (package-lock.json, requirements.txt, go.mod/go.sum, pom.xml); a frontend/ app
(React, a lock file, a minified bundle, images); docs/ and CI files.

Known problems are planted at a low rate, each with a safe twin written the same way but safe
(shlex.quote, parameterized queries, yaml.safe_load, constant eval, an allow-listed host,
os.path.basename, secrets read from the environment or SSM, scoped IAM, AWS_IAM function URLs,
reserved concurrency, current runtimes, intrinsic env values). Some flows are direct in the
handler, some go through a helper module in another file, some handlers have other parameter
names than `event, context`, as in real code. Every planted problem and every twin is written
to ground-truth.json next to the tree (never inside it):

    {"class": "sqli", "kind": "planted"|"safe", "file": "services/…/x.py", "line": 42,
     "end_line": 42, "lang": "python", "variant": "cross-file"}

`line`..`end_line` is the region a finding must overlap to count: the sink statement for code,
the secret's line(s), the IAM statement, the function's or resource's block for function
settings (runtime, concurrency, URL, env).

    python3 bench/gen_scan_corpus.py --files 1000 --out /tmp/fnwarden-bench/scan-1k
    python3 bench/gen_scan_corpus.py --files 100000 --out /tmp/fnwarden-bench/scan-100k --seed 7

Deterministic for a given --seed and --files; Python standard library only. The fake secrets
are random strings in the providers' formats: they were never valid credentials.
"""

import argparse
import base64
import hashlib
import json
import os
import random
import shutil
import string
import sys

CODE_CLASSES = ["cmdi", "eval", "sqli", "deser", "ssrf", "path"]
ALL_CLASSES = CODE_CLASSES + ["secret", "iam-wildcard", "url-auth-none", "no-reserved-concurrency",
                              "deprecated-runtime", "env-secret"]

# Per-handler and per-function rates. Low, but high enough that the 1,000-file corpus has a few
# of every class, so recall by class is measured, not guessed.
P_CODE_PLANT = 0.30
P_CODE_SAFE = 0.22
P_SECRET_PLANT = 0.25  # per service config module
P_SECRET_SAFE = 0.25
P_IAM_PLANT = 0.20  # per service
P_URL = 0.25  # a function has a URL at all
P_URL_NONE = 0.35  # … and it is AuthType NONE
P_NO_CONCURRENCY = 0.12
P_DEPRECATED = 0.10
P_ENV_SECRET = 0.07
P_ENV_SAFE = 0.25

DOMAINS = ["orders", "payments", "billing", "invoices", "catalog", "inventory", "shipping", "returns", "users",
           "accounts", "auth", "profile", "notifications", "email", "sms", "search", "reports", "analytics",
           "media", "thumbnails", "uploads", "exports", "imports", "webhooks", "audit", "ledger", "pricing",
           "quotes", "carts", "checkout", "loyalty", "coupons", "reviews", "ratings", "recommendations",
           "feeds", "documents", "contracts", "scheduler", "jobs", "etl", "ingest", "metrics", "alerts",
           "devices", "telemetry", "geo", "maps", "tickets", "support", "chat", "comments", "subscriptions",
           "tenants", "partners", "vendors", "suppliers", "warehouse", "fleet", "bookings", "calendar",
           "surveys", "forms", "workflow", "approvals", "kyc", "fraud", "risk", "compliance", "consent"]
SUFFIXES = ["api", "service", "worker", "processor", "sync", "gateway", "backend", "handler", "pipeline", "jobs"]
VERBS = ["create", "get", "list", "update", "delete", "process", "sync", "export", "import", "resize", "notify",
         "validate", "enrich", "aggregate", "archive", "publish", "reconcile", "refresh", "render", "schedule"]
NOUNS = ["order", "item", "user", "invoice", "report", "image", "document", "event", "record", "batch", "ticket",
         "payment", "message", "file", "session", "account", "product", "shipment", "quote", "job"]
FIELDS = ["name", "id", "customer_id", "filename", "path", "url", "callback", "expr", "filter", "sort", "query",
          "template", "host", "format", "size", "region", "key", "target", "source", "spec"]

NPM_PKGS = ["@aws-sdk/client-dynamodb", "@aws-sdk/client-s3", "@aws-sdk/client-sqs", "@aws-sdk/client-sns",
            "@aws-sdk/lib-dynamodb", "@aws-sdk/client-secrets-manager", "@middy/core", "@middy/http-json-body-parser",
            "@middy/http-error-handler", "aws-lambda", "axios", "lodash", "uuid", "dayjs", "zod", "joi", "pino",
            "winston", "mysql2", "pg", "knex", "sequelize", "jsonwebtoken", "bcryptjs", "sharp", "node-fetch",
            "got", "qs", "ajv", "ramda", "date-fns", "p-limit", "yaml", "js-yaml", "ioredis", "nanoid",
            "react", "react-dom", "react-router-dom", "@tanstack/react-query", "zustand", "clsx", "vite",
            "typescript", "eslint", "prettier", "jest", "ts-jest", "@types/node", "@types/aws-lambda", "esbuild",
            "serverless", "serverless-esbuild", "serverless-offline", "aws-sdk-client-mock", "supertest"]
PY_PKGS = ["boto3==1.34.{}", "botocore==1.34.{}", "requests==2.31.0", "pydantic==2.6.{}", "aws-lambda-powertools==2.3{}.0",
           "PyYAML==6.0.1", "psycopg2-binary==2.9.9", "PyMySQL==1.1.0", "SQLAlchemy==2.0.{}", "jsonschema==4.21.1",
           "python-dateutil==2.8.2", "urllib3==2.0.7", "Jinja2==3.1.3", "Pillow==10.2.0", "redis==5.0.1",
           "structlog==24.1.0", "tenacity==8.2.3", "orjson==3.9.15", "httpx==0.26.0", "cryptography==42.0.{}"]
GO_MODS = ["github.com/aws/aws-lambda-go v1.46.0", "github.com/aws/aws-sdk-go-v2 v1.25.2",
           "github.com/aws/aws-sdk-go-v2/config v1.27.4", "github.com/aws/aws-sdk-go-v2/service/dynamodb v1.30.1",
           "github.com/aws/aws-sdk-go-v2/service/s3 v1.51.1", "github.com/google/uuid v1.6.0",
           "github.com/lib/pq v1.10.9", "go.uber.org/zap v1.27.0", "github.com/stretchr/testify v1.9.0",
           "golang.org/x/sync v0.6.0", "github.com/go-playground/validator/v10 v10.19.0"]
MAVEN = [("com.amazonaws", "aws-lambda-java-core", "1.2.3"), ("com.amazonaws", "aws-lambda-java-events", "3.11.4"),
         ("software.amazon.awssdk", "dynamodb", "2.25.6"), ("software.amazon.awssdk", "s3", "2.25.6"),
         ("com.fasterxml.jackson.core", "jackson-databind", "2.16.1"), ("org.postgresql", "postgresql", "42.7.2"),
         ("org.slf4j", "slf4j-api", "2.0.12"), ("org.junit.jupiter", "junit-jupiter", "5.10.2"),
         ("org.mockito", "mockito-core", "5.10.0"), ("com.google.guava", "guava", "33.0.0-jre")]

MARK = "\u27e6S\u27e7"  # marks the region line(s) of a planted problem or twin inside a template


def snake(*words):
    return "_".join(words)


def camel(*words):
    return words[0] + "".join(w.capitalize() for w in words[1:])


def pascal(*words):
    return "".join(w.capitalize() for w in words)


def kebab(*words):
    return "-".join(words)


class Corpus:
    def __init__(self, out, target, seed):
        self.out = out
        self.target = target
        self.rng = random.Random(seed)
        self.files = 0
        self.bytes = 0
        self.truth = []
        self.names = set()
        self.lock_pool = self._lock_pool()

    # --- output ----------------------------------------------------------------------------
    def write(self, rel, text):
        """Writes a file; MARK pairs in the text become ground-truth regions (stripped)."""
        lines = text.split("\n")
        regions = []
        for i, line in enumerate(lines):
            if MARK in line:
                regions.append(i + 1)
                lines[i] = line.replace(MARK, "")
        data = "\n".join(lines).encode()
        self._put(rel, data)
        return regions

    def write_bytes(self, rel, data):
        self._put(rel, data)

    def _put(self, rel, data):
        path = os.path.join(self.out, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as fh:
            fh.write(data)
        self.files += 1
        self.bytes += len(data)

    def record(self, cls, kind, rel, start, end, lang, variant):
        self.truth.append({"class": cls, "kind": kind, "file": rel, "line": start, "end_line": end, "lang": lang,
                           "variant": variant})

    # --- random helpers ----------------------------------------------------------------------
    def pick(self, seq):
        return self.rng.choice(seq)

    def chance(self, p):
        return self.rng.random() < p

    def token(self, n, alphabet=string.ascii_letters + string.digits):
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    def unique(self, make):
        for _ in range(20):
            name = make()
            if name not in self.names:
                self.names.add(name)
                return name
        n = 2
        while "%s-%d" % (name, n) in self.names:
            n += 1
        name = "%s-%d" % (name, n)
        self.names.add(name)
        return name

    def fake_secret(self):
        """A random string in a provider's format, with its assignment name."""
        kind = self.pick(["aws", "stripe", "slack", "github", "password"])
        up = string.ascii_uppercase + string.digits
        if kind == "aws":
            return "AWS_SECRET_ACCESS_KEY", self.token(40, string.ascii_letters + string.digits + "/+"), \
                ("AWS_ACCESS_KEY_ID", "AKIA" + self.token(16, up))
        if kind == "stripe":
            return "STRIPE_API_KEY", "sk_live_" + self.token(24), None
        if kind == "slack":
            return "SLACK_BOT_TOKEN", "xoxb-%d-%d-%s" % (self.rng.randrange(10**11, 10**12),
                                                          self.rng.randrange(10**12, 10**13), self.token(24)), None
        if kind == "github":
            return "GITHUB_TOKEN", "ghp_" + self.token(36), None
        return "DB_PASSWORD", self.token(6) + self.pick("!#%@") + self.token(10), None

    # --- package-lock pool -------------------------------------------------------------------
    def _lock_pool(self):
        rng = random.Random(1)
        pool = []
        words = ["core", "utils", "parser", "loader", "stream", "buffer", "color", "path", "glob", "event", "emitter",
                 "debug", "semver", "mime", "types", "once", "wrap", "queue", "retry", "cache", "hash", "string",
                 "array", "object", "deep", "merge", "flat", "map", "set", "kind", "is", "has", "get", "safe"]
        for i in range(3000):
            if i < len(NPM_PKGS):
                name = NPM_PKGS[i]
            else:
                name = "-".join(rng.sample(words, rng.choice([1, 2, 3])))
                if rng.random() < 0.15:
                    name = "@" + rng.choice(["babel", "types", "jest", "eslint", "smithy", "aws-crypto", "rollup"]) + "/" + name
            ver = "%d.%d.%d" % (rng.randrange(0, 12), rng.randrange(0, 30), rng.randrange(0, 20))
            integ = base64.b64encode(hashlib.sha512(("%s@%s" % (name, ver)).encode()).digest()).decode()
            deps = ""
            if rng.random() < 0.4:
                ds = ",\n".join('        "%s": "^%d.%d.0"' % (rng.choice(words) + "-" + rng.choice(words), rng.randrange(1, 9),
                                                              rng.randrange(0, 9)) for _ in range(rng.randrange(1, 5)))
                deps = ',\n      "dependencies": {\n%s\n      }' % ds
            entry = ('    "node_modules/%s": {\n      "version": "%s",\n      "resolved": "https://registry.npmjs.org/%s/-/%s-%s.tgz",\n'
                     '      "integrity": "sha512-%s",\n      "license": "MIT"%s\n    }') % (
                name, ver, name, name.split("/")[-1], ver, integ, deps)
            pool.append(entry)
        return pool

    def package_lock(self, name, n):
        entries = self.rng.sample(self.lock_pool, min(n, len(self.lock_pool)))
        head = '{\n  "name": "%s",\n  "version": "1.0.0",\n  "lockfileVersion": 3,\n  "requires": true,\n  "packages": {\n' \
               '    "": {\n      "name": "%s",\n      "version": "1.0.0"\n    },\n' % (name, name)
        return head + ",\n".join(entries) + "\n  }\n}\n"


# ----------------------------------------------------------------------------------------------
# Code snippets. Each returns the lines of a handler body (or a helper) with MARK on the region.
# V is the tainted variable's name; the source statement defines it.
# ----------------------------------------------------------------------------------------------

def py_source(c, v, ev):
    kind = c.pick(["body", "query", "s3", "sqs", "header"])
    f = c.pick(FIELDS)
    if kind == "body":
        return ['    payload = json.loads(%s.get("body") or "{}")' % ev, '    %s = payload.get("%s", "")' % (v, f)]
    if kind == "query":
        return ['    params = %s.get("queryStringParameters") or {}' % ev, '    %s = params.get("%s", "")' % (v, f)]
    if kind == "s3":
        return ['    record = %s["Records"][0]' % ev, '    %s = unquote_plus(record["s3"]["object"]["key"])' % v]
    if kind == "sqs":
        return ['    message = json.loads(%s["Records"][0]["body"])' % ev, '    %s = message["%s"]' % (v, f)]
    return ['    headers = %s.get("headers") or {}' % ev, '    %s = headers.get("x-%s", "")' % (v, f.replace("_", "-"))]


def py_sink(c, cls, v, safe):
    """Lines (at 4-space indent) and the imports they need."""
    if cls == "cmdi":
        if safe:
            return c.pick([
                (['    subprocess.run(["convert", "/tmp/in.jpg", "-resize", %s, "/tmp/out.jpg"], check=True)' % v + MARK], ["subprocess"]),
                (['    out = subprocess.check_output("nslookup " + shlex.quote(%s), shell=True)' % v + MARK], ["subprocess", "shlex"]),
                (['    os.system(f"rm -rf /tmp/{uuid.uuid4()}")' + MARK], ["uuid"]),
            ])
        return c.pick([
            (['    subprocess.run(f"convert /tmp/in.jpg -resize {%s} /tmp/out.jpg", shell=True, check=True)' % v + MARK], ["subprocess"]),
            (['    out = subprocess.check_output("nslookup " + %s, shell=True)' % v + MARK], ["subprocess"]),
            (['    os.system("gzip -c /tmp/export.csv > /tmp/" + %s)' % v + MARK], []),
        ])
    if cls == "eval":
        if safe:
            return c.pick([
                (['    limit = eval("1024 * 1024")' + MARK], []),
                (['    value = ast.literal_eval(%s)' % v + MARK], ["ast"]),
            ])
        return c.pick([
            (['    value = eval(%s)' % v + MARK], []),
            (['    exec(%s, {"__builtins__": {}})' % v + MARK], []),
        ])
    if cls == "sqli":
        pre = ['    conn = psycopg2.connect(os.environ["DB_DSN"])', '    with conn.cursor() as cur:']
        if safe:
            return (pre + ['        cur.execute("SELECT id, total FROM orders WHERE customer_id = %%s", (%s,))' % v + MARK,
                           '        rows = cur.fetchall()'], ["psycopg2"])
        return c.pick([
            (pre + ['        cur.execute(f"SELECT id, total FROM orders WHERE customer_id = \'{%s}\'")' % v + MARK,
                    '        rows = cur.fetchall()'], ["psycopg2"]),
            (pre + ['        cur.execute("DELETE FROM sessions WHERE token = \'%%s\'" %% %s)' % v + MARK,
                    '        rows = []'], ["psycopg2"]),
        ])
    if cls == "deser":
        if safe:
            return c.pick([
                (['    config = yaml.safe_load(%s)' % v + MARK], ["yaml"]),
                (['    config = json.loads(%s)' % v + MARK], []),
            ])
        return c.pick([
            (['    config = yaml.load(%s, Loader=yaml.Loader)' % v + MARK], ["yaml"]),
            (['    config = pickle.loads(base64.b64decode(%s))' % v + MARK], ["pickle", "base64"]),
        ])
    if cls == "ssrf":
        if safe:
            return (['    if urlparse(%s).hostname not in ALLOWED_HOSTS:' % v, '        return bad_request("host not allowed")',
                     '    resp = requests.get(%s, timeout=10)' % v + MARK], ["requests", "urlparse"])
        return c.pick([
            (['    resp = requests.get(%s, timeout=10)' % v + MARK], ["requests"]),
            (['    resp = urllib.request.urlopen(%s, timeout=5).read()' % v + MARK], ["urllib.request"]),
        ])
    if cls == "path":
        if safe:
            return (['    with open(os.path.join("/tmp/reports", os.path.basename(%s))) as fh:' % v + MARK,
                     '        content = fh.read()'], [])
        return c.pick([
            (['    with open(os.path.join("/tmp/reports", %s)) as fh:' % v + MARK, '        content = fh.read()'], []),
            (['    s3.download_file(os.environ["BUCKET"], %s, "/tmp/" + %s)' % (v, v) + MARK], []),
        ])
    raise ValueError(cls)


PY_IMPORT_LINES = {"subprocess": "import subprocess", "shlex": "import shlex", "uuid": "import uuid", "ast": "import ast",
                   "psycopg2": "import psycopg2", "yaml": "import yaml", "pickle": "import pickle", "base64": "import base64",
                   "requests": "import requests", "urlparse": "from urllib.parse import urlparse",
                   "urllib.request": "import urllib.request"}

PY_FILLER = [
    '''def _chunks(items, size):
    """Yields lists of at most `size` items; DynamoDB batch writes take 25."""
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
''',
    '''def _decimal_default(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"not serialisable: {type(value).__name__}")
''',
    '''def _table():
    global _TABLE
    if _TABLE is None:
        _TABLE = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
    return _TABLE
''',
    '''def _page(items, token, limit=50):
    start = int(token or 0)
    end = start + limit
    nxt = str(end) if end < len(items) else None
    return items[start:end], nxt
''',
    '''def _validate(payload, required):
    missing = [k for k in required if not payload.get(k)]
    if missing:
        raise ValueError("missing fields: " + ", ".join(missing))
    return payload
''',
    '''def _put_metric(name, value, unit="Count"):
    print(json.dumps({
        "_aws": {"Timestamp": int(time.time() * 1000), "CloudWatchMetrics": [
            {"Namespace": os.environ.get("METRICS_NS", "app"), "Dimensions": [["service"]],
             "Metrics": [{"Name": name, "Unit": unit}]}]},
        "service": os.environ.get("SERVICE", "unknown"), name: value,
    }))
''',
]


def py_handler(c, svc, fn, plant, twin, cross, hname, params, taken):
    """A handler module. plant/twin: a code class or None. Returns (text, helper) where helper is
    (module, text) for a cross-file flow or None."""
    ev = params[0]
    imports = {"json", "logging", "os", "time"}
    extra = set()
    body = ['    logger.info("%s invoked", extra={"request_id": getattr(%s, "aws_request_id", None)})' % (fn, params[1])]
    helper = None
    for cls, safe in ((plant, False), (twin, True)):
        if cls is None:
            continue
        v = c.pick(["name", "target", "value", "key", "spec", "item", "arg"])
        body += py_source(c, v, ev)
        if cross and not safe:
            mod = helper_module(c, taken, "_")
            fname = snake(c.pick(VERBS), c.pick(NOUNS))
            sink, imps = py_sink(c, cls, "arg", safe)
            htext = ['"""%s helpers shared by the %s handlers."""' % (mod.capitalize(), svc), "import json", "import os", "import time",
                     "from decimal import Decimal",
                     *sorted(PY_IMPORT_LINES[i] for i in imps), "", "import boto3", "", 's3 = boto3.client("s3")',
                     "ALLOWED_HOSTS = {\"api.partner.example.com\"}", "", ""]
            htext += [f.rstrip("\n") + "\n" for f in c.rng.sample(PY_FILLER[:5], 2)]
            htext += ["def %s(arg):" % fname, '    """Runs the step for one request."""'] + sink + ["    return True", ""]
            helper = ("src/lib/%s.py" % mod, "\n".join(htext))
            extra.add("from lib.%s import %s" % (mod, fname))
            body.append("    %s(%s)" % (fname, v))
        else:
            sink, imps = py_sink(c, cls, v, safe)
            extra |= {PY_IMPORT_LINES[i] for i in imps}
            body += sink
    body.append('    return ok({"status": "accepted", "took_ms": int((time.time() - started) * 1000)})')
    body.insert(0, "    started = time.time()")
    head = ['"""%s: %s handler of the %s service."""' % (fn, c.pick(["HTTP", "queue", "S3", "scheduled"]), svc)]
    head += ["import %s" % i for i in sorted(imports)]
    head += ["from decimal import Decimal", "from urllib.parse import unquote_plus"]
    head += sorted(e for e in extra if e.startswith("import") or e.startswith("from urllib"))
    head += ["", "import boto3", "", "from lib.responses import bad_request, ok"]
    head += sorted(e for e in extra if e.startswith("from lib"))
    head += ["", "logger = logging.getLogger(__name__)", 'logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))',
             's3 = boto3.client("s3")', "_TABLE = None", 'ALLOWED_HOSTS = {"api.partner.example.com", "hooks.example.com"}', "", ""]
    fill = [f for f in c.rng.sample(PY_FILLER, c.rng.randrange(2, 6))]
    text = "\n".join(head) + "\n" + "\n\n".join(fill) + "\n\n" + "def %s(%s):\n" % (hname, ", ".join(params)) + "\n".join(body) + "\n"
    return text, helper


PY_LIB = {
    "src/lib/responses.py": '''"""API Gateway proxy responses."""
import json

CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Headers": "Content-Type,Authorization"}


def _response(status, body):
    return {"statusCode": status, "headers": {"Content-Type": "application/json", **CORS}, "body": json.dumps(body, default=str)}


def ok(body):
    return _response(200, body)


def created(body):
    return _response(201, body)


def bad_request(message):
    return _response(400, {"error": message})


def not_found(what):
    return _response(404, {"error": f"{what} not found"})
''',
    "src/lib/__init__.py": "",
    "src/lib/db.py": '''"""DynamoDB access for the service's single table."""
import os
from functools import lru_cache

import boto3
from boto3.dynamodb.conditions import Key


@lru_cache(maxsize=1)
def table():
    return boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def get(pk, sk):
    return table().get_item(Key={"pk": pk, "sk": sk}).get("Item")


def put(item):
    table().put_item(Item=item)


def query(pk, prefix=None, limit=50):
    cond = Key("pk").eq(pk)
    if prefix:
        cond = cond & Key("sk").begins_with(prefix)
    resp = table().query(KeyConditionExpression=cond, Limit=limit)
    return resp.get("Items", []), resp.get("LastEvaluatedKey")


def delete(pk, sk):
    table().delete_item(Key={"pk": pk, "sk": sk})
''',
    "src/lib/validation.py": '''"""Small validators for request payloads."""
import re

EMAIL = re.compile(r"^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$", re.I)
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def require(payload, *fields):
    missing = [f for f in fields if payload.get(f) in (None, "")]
    if missing:
        raise ValueError("missing: " + ", ".join(missing))


def is_email(value):
    return bool(EMAIL.match(value or ""))


def is_uuid(value):
    return bool(UUID.match(value or ""))


def clamp(value, low, high):
    return max(low, min(high, int(value)))
''',
}


def py_test(c, fn, hname):
    return '''import json
import os

import pytest

os.environ.setdefault("TABLE_NAME", "test-table")
os.environ.setdefault("BUCKET", "test-bucket")


@pytest.fixture
def api_event():
    with open(os.path.join(os.path.dirname(__file__), "..", "events", "%s.json")) as fh:
        return json.load(fh)


class Ctx:
    aws_request_id = "00000000-0000-4000-8000-000000000000"
    function_name = "%s"


def test_returns_200(api_event, monkeypatch):
    from handlers import %s as mod

    monkeypatch.setattr(mod, "s3", object())
    resp = mod.%s(api_event, Ctx())
    assert resp["statusCode"] in (200, 400)


def test_rejects_empty_body():
    from handlers import %s as mod

    resp = mod.%s({"body": None, "headers": {}}, Ctx())
    assert resp["statusCode"] in (200, 400)
''' % (fn, fn, fn, hname, fn, hname)


# --- JavaScript / TypeScript -------------------------------------------------------------------

def js_source(c, v, ev, ts, n=""):
    kind = c.pick(["body", "query", "s3", "sqs", "header"])
    f = c.pick(FIELDS)
    return [line.replace("payload", "payload" + n).replace("params", "params" + n).replace("record", "record" + n)
            .replace("message", "message" + n).replace("headers", "headers" + n) for line in _js_source(kind, f, v, ev)]


def _js_source(kind, f, v, ev):
    if kind == "body":
        return ["  const payload = JSON.parse(%s.body || '{}');" % ev, "  const %s = payload.%s;" % (v, f)]
    if kind == "query":
        return ["  const params = %s.queryStringParameters || {};" % ev, "  const %s = params.%s || '';" % (v, f)]
    if kind == "s3":
        return ["  const record = %s.Records[0];" % ev,
                "  const %s = decodeURIComponent(record.s3.object.key.replace(/\\+/g, ' '));" % v]
    if kind == "sqs":
        return ["  const message = JSON.parse(%s.Records[0].body);" % ev, "  const %s = message.%s;" % (v, f)]
    return ["  const headers = %s.headers || {};" % ev, "  const %s = headers['x-%s'] || '';" % (v, f.replace("_", "-"))]


def js_sink(c, cls, v, safe):
    """Lines at 2-space indent and the require/import modules they need."""
    if cls == "cmdi":
        if safe:
            return c.pick([
                (["  const out = execFileSync('convert', ['/tmp/in.jpg', '-resize', %s, '/tmp/out.jpg']);" % v + MARK], ["child_process"]),
                (["  const out = execSync(`rm -rf /tmp/${randomUUID()}`);" + MARK], ["child_process", "crypto"]),
            ])
        return c.pick([
            (["  const out = execSync(`convert /tmp/in.jpg -resize ${%s} /tmp/out.jpg`);" % v + MARK], ["child_process"]),
            (["  const out = exec('nslookup ' + %s);" % v + MARK], ["child_process"]),
        ])
    if cls == "eval":
        if safe:
            return (["  const limit = eval('1024 * 1024');" + MARK], [])
        return c.pick([
            (["  const value = eval(%s);" % v + MARK], []),
            (["  const fn = new Function('row', %s);" % v + MARK], []),
            (["  const value = vm.runInNewContext(%s, { Math });" % v + MARK], ["vm"]),
        ])
    if cls == "sqli":
        if safe:
            return (["  const [rows] = await pool.query('SELECT id, total FROM orders WHERE customer_id = ?', [%s]);" % v + MARK], ["mysql2"])
        return c.pick([
            (["  const [rows] = await pool.query(`SELECT id, total FROM orders WHERE customer_id = '${%s}'`);" % v + MARK], ["mysql2"]),
            (["  const [rows] = await pool.query(\"SELECT * FROM sessions WHERE token = '\" + %s + \"'\");" % v + MARK], ["mysql2"]),
        ])
    if cls == "deser":
        if safe:
            return (["  const config = JSON.parse(%s);" % v + MARK], [])
        return (["  const config = serialize.unserialize(%s);" % v + MARK], ["node-serialize"])
    if cls == "ssrf":
        if safe:
            return (["  if (!ALLOWED_HOSTS.has(new URL(%s).hostname)) return badRequest('host not allowed');" % v,
                     "  const resp = await fetch(%s);" % v + MARK], [])
        return c.pick([
            (["  const resp = await fetch(%s);" % v + MARK], []),
            (["  const resp = await axios.get(%s, { timeout: 5000 });" % v + MARK], ["axios"]),
        ])
    if cls == "path":
        if safe:
            return (["  const content = fs.readFileSync(path.join('/tmp/reports', path.basename(%s)), 'utf8');" % v + MARK], ["fs", "path"])
        return (["  const content = fs.readFileSync(path.join('/tmp/reports', %s), 'utf8');" % v + MARK], ["fs", "path"])
    raise ValueError(cls)


JS_REQ = {"child_process": "const { exec, execSync, execFileSync } = require('child_process');",
          "crypto": "const { randomUUID } = require('crypto');", "vm": "const vm = require('vm');",
          "mysql2": "const mysql = require('mysql2/promise');", "node-serialize": "const serialize = require('node-serialize');",
          "axios": "const axios = require('axios');", "fs": "const fs = require('fs');", "path": "const path = require('path');"}
TS_IMP = {"child_process": "import { exec, execSync, execFileSync } from 'child_process';",
          "crypto": "import { randomUUID } from 'crypto';", "vm": "import * as vm from 'vm';",
          "mysql2": "import mysql from 'mysql2/promise';", "node-serialize": "import serialize from 'node-serialize';",
          "axios": "import axios from 'axios';", "fs": "import * as fs from 'fs';", "path": "import * as path from 'path';"}

JS_FILLER = [
    '''function chunk(items, size) {
  const out = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
''',
    '''function toItem(row) {
  return {
    pk: `ORDER#${row.id}`,
    sk: `V#${row.version || 1}`,
    total: Number(row.total || 0),
    updatedAt: new Date().toISOString(),
  };
}
''',
    '''async function withRetry(fn, attempts = 3) {
  let last;
  for (let i = 0; i < attempts; i += 1) {
    try {
      return await fn();
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 50 * 2 ** i));
    }
  }
  throw last;
}
''',
    '''function metric(name, value) {
  console.log(JSON.stringify({
    _aws: { Timestamp: Date.now(), CloudWatchMetrics: [{ Namespace: process.env.METRICS_NS || 'app', Dimensions: [['service']], Metrics: [{ Name: name, Unit: 'Count' }] }] },
    service: process.env.SERVICE || 'unknown',
    [name]: value,
  }));
}
''',
    '''function page(items, token, limit = 50) {
  const start = Number(token || 0);
  const end = start + limit;
  return { items: items.slice(start, end), next: end < items.length ? String(end) : null };
}
''',
]


def js_handler(c, svc, fn, plant, twin, cross, style, ts, ev, taken):
    """style: how the handler is exported. Returns (text, helper)."""
    mods = set()
    body = []
    helper = None
    ext = "ts" if ts else "js"
    for cls, safe in ((plant, False), (twin, True)):
        if cls is None:
            continue
        v = c.pick(["name", "target", "value", "key", "spec", "item", "input"])
        body += js_source(c, v, ev, ts, "2" if safe and plant else "")
        if cross and not safe:
            mod = helper_module(c, taken, "-")
            fname = camel(c.pick(VERBS), c.pick(NOUNS))
            sink, ms = js_sink(c, cls, "arg", safe)
            table = TS_IMP if ts else JS_REQ
            htext = ["// %s helpers shared by the %s handlers." % (mod, svc)] + sorted(table[m] for m in ms)
            if "mysql2" in ms:
                htext.append("const pool = mysql.createPool({ host: process.env.DB_HOST, user: process.env.DB_USER, database: 'app' });")
            htext += [""] + [f.rstrip("\n") + "\n" for f in c.rng.sample(JS_FILLER, 2)]
            sig = "arg: string" if ts else "arg"
            htext += ["async function %s(%s) {" % (fname, sig)] + sink + ["  return true;", "}", ""]
            if ts:
                htext.append("export { %s };" % fname)
            else:
                htext.append("module.exports = { %s };" % fname)
            helper = ("src/lib/%s.%s" % (mod, ext), "\n".join(htext) + "\n")
            if ts:
                imp = "import { %s } from '../lib/%s';" % (fname, mod)
            else:
                imp = "const { %s } = require('../lib/%s');" % (fname, mod)
            mods.add(("local", imp))
            body.append("  await %s(%s);" % (fname, v))
        else:
            sink, ms = js_sink(c, cls, v, safe)
            mods |= set(ms)
            body += sink
    body.append("  return ok({ status: 'accepted' });")
    table = TS_IMP if ts else JS_REQ
    head = ["'use strict';"] if not ts else []
    head += ["// %s: handler of the %s service." % (fn, svc)]
    if ts:
        head += ["import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';",
                 "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';", "import { ok, badRequest } from '../lib/responses';"]
    else:
        head += ["const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');", "const { ok, badRequest } = require('../lib/responses');"]
    head += sorted(table[m] for m in mods if isinstance(m, str))
    head += sorted(m[1] for m in mods if isinstance(m, tuple))
    if "mysql2" in mods:
        head.append("const pool = mysql.createPool({ host: process.env.DB_HOST, user: process.env.DB_USER, database: 'app' });")
    head += ["", "const ddb = new DynamoDBClient({});", "const ALLOWED_HOSTS = new Set(['api.partner.example.com', 'hooks.example.com']);",
             "const TABLE = process.env.TABLE_NAME;", ""]
    fill = c.rng.sample(JS_FILLER, c.rng.randrange(2, 5))
    evt = "%s: APIGatewayProxyEvent, context: Context" % ev if ts else "%s, context" % ev
    ret = ": Promise<APIGatewayProxyResult>" if ts else ""
    lines = ["  console.log(JSON.stringify({ fn: '%s', requestId: context && context.awsRequestId }));" % fn] + body
    if ts or style == "export-const":
        start = "export const handler = async (%s)%s => {" % (evt, ret)
        end = "};"
    elif style == "exports-function":
        start = "exports.handler = async function (%s) {" % evt
        end = "};"
    elif style == "exports-arrow":
        start = "exports.handler = async (%s) => {" % evt
        end = "};"
    else:  # named function, exported at the bottom
        start = "async function handler(%s) {" % evt
        end = "}\n\nmodule.exports = { handler };"
    text = "\n".join(head) + "\n" + "\n".join(fill) + "\n" + start + "\n" + "\n".join(lines) + "\n" + end + "\n"
    if ts and style != "export-const":
        pass
    return text, helper


JS_LIB_RESP = '''const CORS = { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Headers': 'Content-Type,Authorization' };

function respond(statusCode, body) {
  return { statusCode, headers: { 'Content-Type': 'application/json', ...CORS }, body: JSON.stringify(body) };
}

const ok = (body) => respond(200, body);
const created = (body) => respond(201, body);
const badRequest = (message) => respond(400, { error: message });
const notFound = (what) => respond(404, { error: `${what} not found` });
'''


def js_test(fn, ts):
    imp = "import { handler } from '../src/handlers/%s';" % fn if ts else "const { handler } = require('../src/handlers/%s');" % fn
    return imp + '''

describe('%s', () => {
  it('answers a well-formed request', async () => {
    const event = { body: JSON.stringify({ id: 'abc' }), headers: {}, queryStringParameters: {} };
    const res = await handler(event, { awsRequestId: 'test' });
    expect([200, 400]).toContain(res.statusCode);
  });

  it('rejects an empty body', async () => {
    const res = await handler({ body: null, headers: {} }, { awsRequestId: 'test' });
    expect(res.statusCode).toBeLessThan(500);
  });
});
''' % fn


# --- Go ----------------------------------------------------------------------------------------

def go_sink(c, cls, v, safe):
    if cls == "sqli":
        if safe:
            return (['\trows, err := db.QueryContext(ctx, "SELECT id, total FROM orders WHERE customer_id = $1", %s)' % v + MARK,
                     "\tif err != nil {", "\t\treturn serverError(err)", "\t}", "\tdefer rows.Close()"], ["database/sql"])
        return c.pick([
            (['\trows, err := db.Query("SELECT id, total FROM orders WHERE customer_id = \'" + %s + "\'")' % v + MARK,
              "\tif err != nil {", "\t\treturn serverError(err)", "\t}", "\tdefer rows.Close()"], ["database/sql"]),
            (['\tq := fmt.Sprintf("SELECT id FROM sessions WHERE token = \'%%s\'", %s)' % v,
              "\trows, err := db.Query(q)" + MARK, "\tif err != nil {", "\t\treturn serverError(err)", "\t}", "\tdefer rows.Close()"],
             ["database/sql"]),
        ])
    if cls == "cmdi":
        if safe:
            return (['\tout, err := exec.Command("convert", "/tmp/in.jpg", "-resize", %s, "/tmp/out.jpg").Output()' % v + MARK,
                     "\t_ = out", "\tif err != nil {", "\t\treturn serverError(err)", "\t}"], ["os/exec"])
        return (['\tout, err := exec.Command("sh", "-c", "convert /tmp/in.jpg -resize "+%s+" /tmp/out.jpg").Output()' % v + MARK,
                 "\t_ = out", "\tif err != nil {", "\t\treturn serverError(err)", "\t}"], ["os/exec"])
    if cls == "ssrf":
        if safe:
            return (["\tu, perr := url.Parse(%s)" % v, "\tif perr != nil || !allowedHosts[u.Hostname()] {",
                     '\t\treturn badRequest("host not allowed")', "\t}", "\tresp, err := http.Get(%s)" % v + MARK,
                     "\tif err != nil {", "\t\treturn serverError(err)", "\t}", "\tdefer resp.Body.Close()"], ["net/http", "net/url"])
        return (["\tresp, err := http.Get(%s)" % v + MARK, "\tif err != nil {", "\t\treturn serverError(err)", "\t}",
                 "\tdefer resp.Body.Close()"], ["net/http"])
    if cls == "path":
        if safe:
            return (['\tdata, err := os.ReadFile(filepath.Join("/tmp/reports", filepath.Base(%s)))' % v + MARK,
                     "\t_ = data", "\tif err != nil {", "\t\treturn serverError(err)", "\t}"], ["os", "path/filepath"])
        return (['\tdata, err := os.ReadFile(filepath.Join("/tmp/reports", %s))' % v + MARK,
                 "\t_ = data", "\tif err != nil {", "\t\treturn serverError(err)", "\t}"], ["os", "path/filepath"])
    raise ValueError(cls)


def go_handler(c, svc, fn, plant, twin):
    imps = {"context", "encoding/json", "fmt", "log", "github.com/aws/aws-lambda-go/events", "github.com/aws/aws-lambda-go/lambda"}
    body = ['\tlog.Printf("%s request %%s", req.RequestContext.RequestID)' % fn]
    for cls, safe in ((plant, False), (twin, True)):
        if cls is None:
            continue
        v = c.pick(["name", "target", "value", "key", "spec"])
        src = c.pick(["query", "body", "path"])
        f = c.pick(FIELDS)
        if src == "query":
            body.append('\t%s := req.QueryStringParameters["%s"]' % (v, f))
        elif src == "path":
            body.append('\t%s := req.PathParameters["%s"]' % (v, f))
        else:
            pl = "payload2" if safe and plant else "payload"
            body += ["\tvar %s map[string]string" % pl, "\tif err := json.Unmarshal([]byte(req.Body), &%s); err != nil {" % pl,
                     '\t\treturn badRequest("invalid json")', "\t}", '\t%s := %s["%s"]' % (v, pl, f)]
        sink, ms = go_sink(c, cls, v, safe)
        imps |= set(ms)
        body += sink
    body.append('\treturn events.APIGatewayProxyResponse{StatusCode: 200, Body: `{"status":"accepted"}`}, nil')
    std = sorted(i for i in imps if "." not in i.split("/")[0])
    ext = sorted(i for i in imps if "." in i.split("/")[0])
    extra_db = "database/sql" in imps
    lines = ["// Command %s is the %s function of the %s service." % (fn, fn, svc), "package main", "", "import ("]
    lines += ['\t"%s"' % i for i in std] + [""] + ['\t"%s"' % i for i in ext]
    if extra_db:
        lines.append('\t_ "github.com/lib/pq"')
    lines += [")", "", "var allowedHosts = map[string]bool{\"api.partner.example.com\": true}", ""]
    if extra_db:
        lines += ["var db *sql.DB", "", "func init() {", "\tvar err error", '\tdb, err = sql.Open("postgres", os.Getenv("DB_DSN"))',
                  "\tif err != nil {", '\t\tlog.Fatalf("db: %v", err)', "\t}", "}", ""]
        if "os" not in imps:
            lines[lines.index('\t"log"')] = '\t"log"\n\t"os"'
    lines += ["func badRequest(msg string) (events.APIGatewayProxyResponse, error) {",
              '\tb, _ := json.Marshal(map[string]string{"error": msg})',
              "\treturn events.APIGatewayProxyResponse{StatusCode: 400, Body: string(b)}, nil", "}", "",
              "func serverError(err error) (events.APIGatewayProxyResponse, error) {", '\tlog.Printf("error: %v", err)',
              '\treturn events.APIGatewayProxyResponse{StatusCode: 500, Body: fmt.Sprint(`{"error":"internal"}`)}, nil', "}", "",
              "func handler(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {"]
    lines += body + ["}", "", "func main() {", "\tlambda.Start(handler)", "}", ""]
    text = "\n".join(lines)
    # `ctx` is used by the parameterized twin only; keep the compiler quiet otherwise.
    if "QueryContext" not in text:
        text = text.replace('\tlog.Printf("%s request' % fn, '\t_ = ctx\n\tlog.Printf("%s request' % fn, 1)
    return text


# --- Java --------------------------------------------------------------------------------------

def java_sink(c, cls, v, safe):
    if cls == "sqli":
        if safe:
            return (['        try (PreparedStatement ps = conn.prepareStatement("SELECT id, total FROM orders WHERE customer_id = ?")) {',
                     "            ps.setString(1, %s);" % v, "            ResultSet rs = ps.executeQuery();" + MARK, "        }"])
        return (["        try (Statement st = conn.createStatement()) {",
                 '            ResultSet rs = st.executeQuery("SELECT id, total FROM orders WHERE customer_id = \'" + %s + "\'");' % v + MARK,
                 "        }"])
    if cls == "cmdi":
        if safe:
            return (['        Process p = new ProcessBuilder("convert", "/tmp/in.jpg", "-resize", %s, "/tmp/out.jpg").start();' % v + MARK])
        return (['        Process p = Runtime.getRuntime().exec(new String[] {"sh", "-c", "convert /tmp/in.jpg -resize " + %s});' % v + MARK])
    if cls == "ssrf":
        if safe:
            return (["        URL u = new URL(%s);" % v, '        if (!ALLOWED_HOSTS.contains(u.getHost())) return badRequest("host not allowed");',
                     "        try (InputStream in = u.openStream()) { in.readAllBytes(); }" + MARK])
        return (["        try (InputStream in = new URL(%s).openStream()) { in.readAllBytes(); }" % v + MARK])
    if cls == "path":
        if safe:
            return (['        byte[] data = Files.readAllBytes(Paths.get("/tmp/reports", Paths.get(%s).getFileName().toString()));' % v + MARK])
        return (['        byte[] data = Files.readAllBytes(Paths.get("/tmp/reports/" + %s));' % v + MARK])
    if cls == "deser":
        if safe:
            return (["        Map<?, ?> obj = MAPPER.readValue(%s, Map.class);" % v + MARK])
        return (["        try (ObjectInputStream ois = new ObjectInputStream(new ByteArrayInputStream(Base64.getDecoder().decode(%s)))) {" % v + MARK,
                 "            Object obj = ois.readObject();", "        }"])
    if cls == "eval":
        if safe:
            return (['        Object value = new ScriptEngineManager().getEngineByName("js").eval("1024 * 1024");' + MARK])
        return (['        Object value = new ScriptEngineManager().getEngineByName("js").eval(%s);' % v + MARK])
    raise ValueError(cls)


def java_handler(c, pkg, cls_name, svc, plant, twin):
    body = ['        context.getLogger().log("%s request " + context.getAwsRequestId());' % cls_name]
    for cls, safe in ((plant, False), (twin, True)):
        if cls is None:
            continue
        v = c.pick(["name", "target", "value", "key", "spec"])
        f = c.pick(FIELDS)
        src = c.pick(["query", "body", "header"])
        if src == "query":
            body.append('        String %s = input.getQueryStringParameters() == null ? "" : input.getQueryStringParameters().getOrDefault("%s", "");' % (v, f))
        elif src == "header":
            body.append('        String %s = input.getHeaders().getOrDefault("x-%s", "");' % (v, f.replace("_", "-")))
        else:
            pl = "payload2" if safe and plant else "payload"
            body.append("        Map<String, String> %s = MAPPER.readValue(input.getBody(), Map.class);" % pl)
            body.append('        String %s = %s.getOrDefault("%s", "");' % (v, pl, f))
        body += java_sink(c, cls, v, safe)
    body.append('        return new APIGatewayProxyResponseEvent().withStatusCode(200).withBody("{\\"status\\":\\"accepted\\"}");')
    return "\n".join([
        "package %s;" % pkg, "",
        "import com.amazonaws.services.lambda.runtime.Context;",
        "import com.amazonaws.services.lambda.runtime.RequestHandler;",
        "import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;",
        "import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;",
        "import com.fasterxml.jackson.databind.ObjectMapper;", "",
        "import java.io.ByteArrayInputStream;", "import java.io.InputStream;", "import java.io.ObjectInputStream;",
        "import java.net.URL;", "import java.nio.file.Files;", "import java.nio.file.Paths;",
        "import java.sql.Connection;", "import java.sql.DriverManager;", "import java.sql.PreparedStatement;",
        "import java.sql.ResultSet;", "import java.sql.Statement;", "import java.util.Base64;", "import java.util.Map;",
        "import java.util.Set;", "import javax.script.ScriptEngineManager;", "",
        "/** %s handler of the %s service. */" % (cls_name, svc),
        "public class %s implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {" % cls_name,
        "    private static final ObjectMapper MAPPER = new ObjectMapper();",
        '    private static final Set<String> ALLOWED_HOSTS = Set.of("api.partner.example.com");',
        "    private Connection conn;", "",
        "    private Connection connection() throws Exception {",
        "        if (conn == null) {",
        '            conn = DriverManager.getConnection(System.getenv("DB_URL"), System.getenv("DB_USER"), System.getenv("DB_PASS"));',
        "        }", "        return conn;", "    }", "",
        "    private static APIGatewayProxyResponseEvent badRequest(String msg) {",
        '        return new APIGatewayProxyResponseEvent().withStatusCode(400).withBody("{\\"error\\":\\"" + msg + "\\"}");', "    }", "",
        "    @Override",
        "    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent input, Context context) {",
        "        try {", "            return handle(input, context);", "        } catch (Exception e) {",
        '            context.getLogger().log("error: " + e);',
        '            return new APIGatewayProxyResponseEvent().withStatusCode(500).withBody("{\\"error\\":\\"internal\\"}");',
        "        }", "    }", "",
        "    @SuppressWarnings(\"unchecked\")",
        "    private APIGatewayProxyResponseEvent handle(APIGatewayProxyRequestEvent input, Context context) throws Exception {",
        "        Connection conn = connection();",
    ] + body + ["    }", "}", ""])


# ----------------------------------------------------------------------------------------------
# One service.
# ----------------------------------------------------------------------------------------------

RUNTIMES = {"python": ("python3.12", ["python3.8"]), "node": ("nodejs22.x", ["nodejs14.x", "nodejs16.x"]),
            "go": ("provided.al2023", ["go1.x"]), "java": ("java21", ["java8"])}


class Function:
    def __init__(self, c, lang, svc_words):
        self.verb = c.pick(VERBS)
        self.noun = c.pick(NOUNS)
        self.lang = lang
        rt_now, rt_old = RUNTIMES["node" if lang in ("js", "ts") else lang]
        self.deprecated = c.chance(P_DEPRECATED)
        self.runtime = c.pick(rt_old) if self.deprecated else None  # None: the service default
        self.concurrency = None if c.chance(P_NO_CONCURRENCY) else c.pick([2, 5, 10, 20, 50, 100])
        self.url = None
        if c.chance(P_URL):
            self.url = "NONE" if c.chance(P_URL_NONE) else "AWS_IAM"
        self.env_secret = c.fake_secret() if c.chance(P_ENV_SECRET) else None
        self.env_safe = c.chance(P_ENV_SAFE) and self.env_secret is None
        self.trigger = c.pick(["http", "http", "http", "s3", "sqs", "schedule"])
        self.timeout = c.pick([6, 10, 15, 30])
        self.memory = c.pick([256, 512, 1024])


def plan_code(c, lang):
    """(planted class, safe twin class, cross-file) for one handler."""
    classes = {"python": CODE_CLASSES, "js": CODE_CLASSES, "ts": CODE_CLASSES,
               "go": ["cmdi", "sqli", "ssrf", "path"], "java": CODE_CLASSES}[lang]
    plant = c.pick(classes) if c.chance(P_CODE_PLANT) else None
    twin = c.pick([k for k in classes if k != plant]) if c.chance(P_CODE_SAFE) else None
    cross = plant is not None and lang in ("python", "js", "ts") and c.chance(0.3)
    return plant, twin, cross


def helper_module(c, taken, sep):
    """A helper module name not yet used in this service."""
    for _ in range(20):
        mod = sep.join([c.pick(["media", "runner", "storage", "render", "query", "fetcher", "convert", "pdf", "image", "export"])]
                       + ([c.pick(["tools", "utils", "ops"])] if c.chance(0.3) else []))
        if mod not in taken:
            taken.add(mod)
            return mod
    mod = "step%s%d" % (sep, len(taken))
    taken.add(mod)
    return mod


# Helper modules: plain business code (no sinks, no secrets) that gives the files a real size.
PY_TEMPLATES = [
    '''def {fn}({a}, {b}=None):
    """{Verb} the {noun} fields of {a} for the {dom} flow."""
    result = {{}}
    for key, value in ({a} or {{}}).items():
        if value is None:
            continue
        result[key.lower()] = str(value).strip()[:{n}]
    if {b}:
        result["{field}"] = {b}
    logger.debug("{fn}: %d fields", len(result))
    return result
''',
    '''def {fn}({a}):
    """Returns the {noun} total of {a}, in cents."""
    total = 0
    for line in {a}.get("lines", []):
        qty = int(line.get("quantity", 1))
        price = Decimal(str(line.get("unit_price", "0")))
        total += int(price * 100) * qty
    if {a}.get("discount_pct"):
        total -= total * int({a}["discount_pct"]) // 100
    return max(total, 0)
''',
    '''def {fn}(items, {a}={n}):
    """Groups {noun} items by their {field} (at most {a} per group)."""
    groups = defaultdict(list)
    for item in items:
        bucket = groups[item.get("{field}", "unknown")]
        if len(bucket) < {a}:
            bucket.append(item)
    return dict(groups)
''',
    '''def {fn}(client, {a}, {b}):
    """Publishes the {noun} event {b} to {a}."""
    body = json.dumps({{"type": "{dom}.{noun}.{verb}", "detail": {b}, "at": int(time.time())}})
    resp = client.publish(TopicArn={a}, Message=body, MessageAttributes={{
        "type": {{"DataType": "String", "StringValue": "{dom}.{noun}"}},
    }})
    return resp.get("MessageId")
''',
    '''class {Cls}:
    """{Verb}s {noun} records and keeps counters for the metrics line."""

    def __init__(self, {a}={n}):
        self.{a} = {a}
        self.seen = 0
        self.skipped = 0

    def accept(self, record):
        self.seen += 1
        if not record.get("{field}"):
            self.skipped += 1
            return False
        return self.seen <= self.{a}

    def summary(self):
        return {{"seen": self.seen, "skipped": self.skipped, "limit": self.{a}}}
''',
    '''def {fn}({a}):
    """Parses an ISO date of the {noun} and returns the day bucket."""
    if not {a}:
        return None
    try:
        when = datetime.fromisoformat(str({a}).replace("Z", "+00:00"))
    except ValueError:
        logger.warning("bad date %r", {a})
        return None
    return when.strftime("%Y-%m-%d")
''',
]
JS_TEMPLATES = [
    '''function {fn}({a}, {b} = null) {{
  // {Verb} the {noun} fields of {a} for the {dom} flow.
  const result = {{}};
  for (const [key, value] of Object.entries({a} || {{}})) {{
    if (value === null || value === undefined) continue;
    result[key.toLowerCase()] = String(value).trim().slice(0, {n});
  }}
  if ({b}) result.{field} = {b};
  return result;
}}
''',
    '''function {fn}({a}) {{
  // Total of the {noun} in cents.
  let total = 0;
  for (const line of {a}.lines || []) {{
    total += Math.round(Number(line.unitPrice || 0) * 100) * Number(line.quantity || 1);
  }}
  if ({a}.discountPct) total -= Math.floor((total * Number({a}.discountPct)) / 100);
  return Math.max(total, 0);
}}
''',
    '''function {fn}(items, {a} = {n}) {{
  // Groups {noun} items by {field}, at most {a} per group.
  const groups = new Map();
  for (const item of items) {{
    const k = item.{field} || 'unknown';
    const bucket = groups.get(k) || [];
    if (bucket.length < {a}) bucket.push(item);
    groups.set(k, bucket);
  }}
  return Object.fromEntries(groups);
}}
''',
    '''async function {fn}(client, {a}, {b}) {{
  // Publishes the {noun} event to {a}.
  const body = JSON.stringify({{ type: '{dom}.{noun}.{verb}', detail: {b}, at: Date.now() }});
  const res = await client.send({{ TopicArn: {a}, Message: body }});
  return res.MessageId;
}}
''',
    '''class {Cls} {{
  constructor({a} = {n}) {{
    this.{a} = {a};
    this.seen = 0;
    this.skipped = 0;
  }}

  accept(record) {{
    this.seen += 1;
    if (!record.{field}) {{
      this.skipped += 1;
      return false;
    }}
    return this.seen <= this.{a};
  }}

  summary() {{
    return {{ seen: this.seen, skipped: this.skipped, limit: this.{a} }};
  }}
}}
''',
]
GO_TEMPLATES = [
    '''// {Fn} {verb}s the {noun} fields for the {dom} flow.
func {Fn}({a} map[string]string, {b} string) map[string]string {{
	out := make(map[string]string, len({a}))
	for k, v := range {a} {{
		if v == "" {{
			continue
		}}
		if len(v) > {n} {{
			v = v[:{n}]
		}}
		out[strings.ToLower(k)] = strings.TrimSpace(v)
	}}
	if {b} != "" {{
		out["{field}"] = {b}
	}}
	return out
}}
''',
    '''// {Fn} returns the {noun} total in cents.
func {Fn}(lines []Line, discountPct int) int64 {{
	var total int64
	for _, l := range lines {{
		total += l.UnitCents * int64(l.Quantity)
	}}
	total -= total * int64(discountPct) / 100
	if total < 0 {{
		return 0
	}}
	return total
}}
''',
    '''// {Fn} groups {noun} items by {field}, at most {a} per group.
func {Fn}(items []map[string]string, {a} int) map[string][]map[string]string {{
	groups := map[string][]map[string]string{{}}
	for _, it := range items {{
		k := it["{field}"]
		if k == "" {{
			k = "unknown"
		}}
		if len(groups[k]) < {a} {{
			groups[k] = append(groups[k], it)
		}}
	}}
	return groups
}}
''',
]
JAVA_TEMPLATES = [
    '''    /** {Verb}s the {noun} fields for the {dom} flow. */
    static Map<String, String> {fn}(Map<String, String> {a}, String {b}) {{
        Map<String, String> out = new HashMap<>();
        for (Map.Entry<String, String> e : {a}.entrySet()) {{
            if (e.getValue() == null) continue;
            String v = e.getValue().trim();
            out.put(e.getKey().toLowerCase(), v.length() > {n} ? v.substring(0, {n}) : v);
        }}
        if ({b} != null) out.put("{field}", {b});
        return out;
    }}
''',
    '''    /** Total of the {noun} in cents. */
    static long {fn}(List<Map<String, Object>> lines, int discountPct) {{
        long total = 0;
        for (Map<String, Object> l : lines) {{
            long cents = Math.round(Double.parseDouble(String.valueOf(l.getOrDefault("unitPrice", "0"))) * 100);
            total += cents * Integer.parseInt(String.valueOf(l.getOrDefault("quantity", "1")));
        }}
        total -= total * discountPct / 100;
        return Math.max(total, 0);
    }}
''',
]


def gen_module(c, lang, nfuncs, title):
    """Source text of one helper module of nfuncs functions."""
    tpl = {"python": PY_TEMPLATES, "js": JS_TEMPLATES, "ts": JS_TEMPLATES, "go": GO_TEMPLATES, "java": JAVA_TEMPLATES}[lang]
    parts = []
    seen = set()
    for k in range(nfuncs):
        verb, noun, dom = c.pick(VERBS), c.pick(NOUNS), c.pick(DOMAINS)
        fn = {"python": snake(verb, noun, str(k)), "go": pascal(verb, noun) + str(k)}.get(lang, camel(verb, noun) + str(k))
        a, b = c.rng.sample(["record", "payload", "limit", "target", "topic", "options", "batch", "source", "entry"], 2)
        parts.append(c.pick(tpl).format(fn=fn, Fn=fn, a=a, b=b, Verb=verb.capitalize(), verb=verb, noun=noun, dom=dom,
                                        field=c.pick(FIELDS), n=c.rng.randrange(8, 400), Cls=pascal(verb, noun) + "Tracker%d" % k))
        seen.add(fn)
    if lang == "python":
        head = '"""%s."""\nimport json\nimport logging\nimport time\nfrom collections import defaultdict\nfrom datetime import datetime\nfrom decimal import Decimal\n\nlogger = logging.getLogger(__name__)\n\n\n' % title
        return head + "\n\n".join(parts)
    if lang in ("js", "ts"):
        return "// %s.\n'use strict';\n\n" % title + "\n".join(parts) + "\nmodule.exports = { %s };\n" % ", ".join(
            sorted(p.split("(")[0].split()[-1] for p in parts if not p.startswith("class")))
    if lang == "go":
        return "// Package util holds %s.\npackage util\n\nimport \"strings\"\n\n// Line is one order line.\ntype Line struct {\n\tUnitCents int64\n\tQuantity  int\n}\n\nvar _ = strings.ToLower\n\n" % title + "\n".join(parts)
    return parts


def region_record(c, cls, kind, rel, regions, lang, variant, span=0):
    if regions:
        c.record(cls, kind, rel, regions[0], regions[-1] + span, lang, variant)


def gen_service(c, root, lang, iac):
    """Writes one service; returns the number of files written."""
    before = c.files
    words = (c.pick(DOMAINS), c.pick(SUFFIXES))
    name = c.unique(lambda: kebab(c.pick(DOMAINS), c.pick(SUFFIXES)))
    base = "%s/%s" % (root, name)
    nfn = c.rng.randrange(2, 7)
    fns = [Function(c, lang, words) for _ in range(nfn)]
    used = set()
    for f in fns:
        while (f.verb, f.noun) in used:
            f.verb, f.noun = c.pick(VERBS), c.pick(NOUNS)
        used.add((f.verb, f.noun))
    handler_files = []  # (function, handler string for the IaC, handler name)
    taken = set()  # helper modules already written in this service

    # --- code ------------------------------------------------------------------------------
    if lang == "python":
        for rel, text in PY_LIB.items():
            c.write("%s/%s" % (base, rel), text)
        for f in fns:
            mod = snake(f.verb, f.noun)
            odd = c.chance(0.15)  # parameter names other than event, context
            hname = "handle" if odd else c.pick(["handler", "handler", "lambda_handler"])
            params = ["evt", "ctx"] if odd else ["event", "context"]
            plant, twin, cross = plan_code(c, "python")
            text, helper = py_handler(c, name, mod, plant, twin, cross, hname, params, taken)
            rel = "%s/src/handlers/%s.py" % (base, mod)
            regions = c.write(rel, text)
            variant = "odd-params" if odd else "direct"
            if helper:
                hrel = "%s/%s" % (base, helper[0])
                hreg = c.write(hrel, helper[1])
                region_record(c, plant, "planted", hrel, hreg, "python", "cross-file")
                region_record(c, twin, "safe", rel, regions, "python", variant)
            else:
                # regions are in the order the snippets were written: planted first, then twin
                if plant and twin:
                    region_record(c, plant, "planted", rel, regions[:1], "python", variant)
                    region_record(c, twin, "safe", rel, regions[1:], "python", variant)
                elif plant:
                    region_record(c, plant, "planted", rel, regions, "python", variant)
                elif twin:
                    region_record(c, twin, "safe", rel, regions, "python", variant)
            c.write("%s/tests/test_%s.py" % (base, mod), py_test(c, mod, hname))
            c.write("%s/events/%s.json" % (base, mod), sample_event(c, f))
            handler_files.append((f, "src/handlers/%s.%s" % (mod, hname), hname))
        c.write("%s/tests/conftest.py" % base, 'import os\nimport sys\n\nsys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))\n')
        reqs = sorted(set(p.format(c.rng.randrange(1, 9)) for p in c.rng.sample(PY_PKGS, c.rng.randrange(5, 12))))
        c.write("%s/requirements.txt" % base, "\n".join(reqs) + "\n")
        c.write("%s/requirements-dev.txt" % base, "-r requirements.txt\npytest==8.0.2\nmoto==5.0.2\ncoverage==7.4.3\nruff==0.3.0\n")
        c.write("%s/pyproject.toml" % base, '[tool.ruff]\nline-length = 120\n\n[tool.pytest.ini_options]\ntestpaths = ["tests"]\n')
        write_config_module(c, base, "python")
    elif lang in ("js", "ts"):
        ts = lang == "ts"
        ext = "ts" if ts else "js"
        resp = JS_LIB_RESP + ("\nexport { ok, created, badRequest, notFound };\n" if ts else "\nmodule.exports = { ok, created, badRequest, notFound };\n")
        c.write("%s/src/lib/responses.%s" % (base, ext), resp)
        c.write("%s/src/lib/logger.%s" % (base, ext), ("import pino from 'pino';\n\nexport const logger = pino({ level: process.env.LOG_LEVEL || 'info' });\n"
                                                      if ts else "const pino = require('pino');\n\nmodule.exports = pino({ level: process.env.LOG_LEVEL || 'info' });\n"))
        style_main = c.pick(["exports-function", "exports-arrow", "export-const", "named"])
        for f in fns:
            fname = camel(f.verb, f.noun)
            odd = c.chance(0.15)
            ev = "req" if odd else "event"
            style = style_main if c.chance(0.7) else c.pick(["exports-function", "exports-arrow", "export-const", "named"])
            plant, twin, cross = plan_code(c, lang)
            text, helper = js_handler(c, name, fname, plant, twin, cross, style, ts, ev, taken)
            rel = "%s/src/handlers/%s.%s" % (base, fname, ext)
            regions = c.write(rel, text)
            variant = ("odd-params" if odd else style) if not ts else "ts-" + ("odd-params" if odd else "export-const")
            if helper:
                hrel = "%s/%s" % (base, helper[0])
                hreg = c.write(hrel, helper[1])
                region_record(c, plant, "planted", hrel, hreg, lang, "cross-file")
                region_record(c, twin, "safe", rel, regions, lang, variant)
            elif plant and twin:
                region_record(c, plant, "planted", rel, regions[:1], lang, variant)
                region_record(c, twin, "safe", rel, regions[1:], lang, variant)
            elif plant:
                region_record(c, plant, "planted", rel, regions, lang, variant)
            elif twin:
                region_record(c, twin, "safe", rel, regions, lang, variant)
            c.write("%s/test/%s.test.%s" % (base, fname, ext), js_test(fname, ts))
            c.write("%s/events/%s.json" % (base, fname), sample_event(c, f))
            handler_files.append((f, "src/handlers/%s.handler" % fname, "handler"))
        pkgs = c.rng.sample(NPM_PKGS[:40], c.rng.randrange(5, 12))
        dev = ["jest", "eslint", "prettier"] + (["typescript", "ts-jest", "@types/aws-lambda", "esbuild"] if ts else [])
        c.write("%s/package.json" % base, json.dumps({
            "name": name, "version": "1.%d.0" % c.rng.randrange(0, 40), "private": True,
            "scripts": {"test": "jest", "lint": "eslint src", "deploy": "serverless deploy"},
            "dependencies": {p: "^%d.%d.0" % (c.rng.randrange(1, 9), c.rng.randrange(0, 20)) for p in pkgs},
            "devDependencies": {p: "^%d.0.0" % c.rng.randrange(1, 30) for p in dev}}, indent=2) + "\n")
        c.write("%s/package-lock.json" % base, c.package_lock(name, c.rng.randrange(400, 1800)))
        c.write("%s/.eslintrc.json" % base, '{\n  "root": true,\n  "env": { "node": true, "es2022": true, "jest": true },\n  "extends": ["eslint:recommended"]\n}\n')
        if ts:
            c.write("%s/tsconfig.json" % base, '{\n  "compilerOptions": {\n    "target": "ES2022",\n    "module": "commonjs",\n    "strict": true,\n    "esModuleInterop": true,\n    "outDir": "dist"\n  },\n  "include": ["src"]\n}\n')
        write_config_module(c, base, lang)
    elif lang == "go":
        for f in fns:
            d = kebab(f.verb, f.noun)
            plant, twin, _ = plan_code(c, "go")
            rel = "%s/cmd/%s/main.go" % (base, d)
            regions = c.write(rel, go_handler(c, name, d, plant, twin))
            if plant and twin:
                region_record(c, plant, "planted", rel, regions[:1], "go", "direct")
                region_record(c, twin, "safe", rel, regions[1:], "go", "direct")
            elif plant:
                region_record(c, plant, "planted", rel, regions, "go", "direct")
            elif twin:
                region_record(c, twin, "safe", rel, regions, "go", "direct")
            c.write("%s/cmd/%s/main_test.go" % (base, d), 'package main\n\nimport (\n\t"context"\n\t"testing"\n\n\t"github.com/aws/aws-lambda-go/events"\n)\n\n'
                    'func TestHandler(t *testing.T) {\n\tresp, err := handler(context.Background(), events.APIGatewayProxyRequest{Body: `{}`})\n'
                    '\tif err != nil {\n\t\tt.Fatal(err)\n\t}\n\tif resp.StatusCode >= 500 {\n\t\tt.Fatalf("status %d", resp.StatusCode)\n\t}\n}\n')
            handler_files.append((f, "cmd/%s" % d, "bootstrap"))
        mods = c.rng.sample(GO_MODS, c.rng.randrange(4, len(GO_MODS)))
        c.write("%s/go.mod" % base, "module github.com/acme/%s\n\ngo 1.22\n\nrequire (\n%s\n)\n" % (name, "\n".join("\t" + m for m in sorted(mods))))
        sums = []
        for m in sorted(mods):
            p, v = m.split()
            h = base64.b64encode(hashlib.sha256((p + v).encode()).digest()).decode()
            h2 = base64.b64encode(hashlib.sha256((p + v + "mod").encode()).digest()).decode()
            sums += ["%s %s h1:%s" % (p, v, h), "%s %s/go.mod h1:%s" % (p, v, h2)]
        c.write("%s/go.sum" % base, "\n".join(sums) + "\n")
        c.write("%s/internal/config/config.go" % base, 'package config\n\nimport "os"\n\n// Config is read once from the environment.\ntype Config struct {\n'
                '\tTable  string\n\tBucket string\n\tStage  string\n}\n\n// Load reads the function\'s settings.\nfunc Load() Config {\n'
                '\treturn Config{Table: os.Getenv("TABLE_NAME"), Bucket: os.Getenv("BUCKET"), Stage: os.Getenv("STAGE")}\n}\n')
        c.write("%s/Makefile" % base, "build:\n\tfor d in cmd/*; do GOOS=linux GOARCH=arm64 go build -o bin/$$(basename $$d)/bootstrap ./$$d; done\n\ntest:\n\tgo test ./...\n")
        write_config_module(c, base, "go")
    else:  # java
        pkg = "com.acme.%s" % name.replace("-", "")
        pdir = pkg.replace(".", "/")
        for f in fns:
            cn = pascal(f.verb, f.noun) + "Handler"
            plant, twin, _ = plan_code(c, "java")
            rel = "%s/src/main/java/%s/%s.java" % (base, pdir, cn)
            regions = c.write(rel, java_handler(c, pkg, cn, name, plant, twin))
            if plant and twin:
                region_record(c, plant, "planted", rel, regions[:1], "java", "direct")
                region_record(c, twin, "safe", rel, regions[1:], "java", "direct")
            elif plant:
                region_record(c, plant, "planted", rel, regions, "java", "direct")
            elif twin:
                region_record(c, twin, "safe", rel, regions, "java", "direct")
            c.write("%s/src/test/java/%s/%sTest.java" % (base, pdir, cn),
                    "package %s;\n\nimport static org.junit.jupiter.api.Assertions.assertNotNull;\n\nimport org.junit.jupiter.api.Test;\n\n"
                    "class %sTest {\n    @Test\n    void builds() {\n        assertNotNull(new %s());\n    }\n}\n" % (pkg, cn, cn))
            handler_files.append((f, "%s.%s::handleRequest" % (pkg, cn), "handleRequest"))
        deps = "\n".join("    <dependency>\n      <groupId>%s</groupId>\n      <artifactId>%s</artifactId>\n      <version>%s</version>\n    </dependency>" % d
                         for d in c.rng.sample(MAVEN, c.rng.randrange(5, len(MAVEN))))
        c.write("%s/pom.xml" % base, '<?xml version="1.0" encoding="UTF-8"?>\n<project xmlns="http://maven.apache.org/POM/4.0.0">\n  <modelVersion>4.0.0</modelVersion>\n'
                "  <groupId>com.acme</groupId>\n  <artifactId>%s</artifactId>\n  <version>1.0.0</version>\n  <packaging>jar</packaging>\n"
                "  <properties>\n    <maven.compiler.release>21</maven.compiler.release>\n  </properties>\n  <dependencies>\n%s\n  </dependencies>\n</project>\n" % (name, deps))
        write_config_module(c, base, "java", pdir)

    # helper modules of plain business code
    for k in range(c.rng.randrange(2, 7)):
        topic = c.pick(["pricing", "mapping", "grouping", "events", "formatting", "batching", "dates", "tracking", "rules", "models"])
        n = c.rng.randrange(10, 70)
        if lang == "python":
            c.write("%s/src/lib/%s_%d.py" % (base, topic, k), gen_module(c, lang, n, "%s helpers" % topic.capitalize()))
        elif lang in ("js", "ts"):
            c.write("%s/src/lib/%s%d.%s" % (base, topic, k, "ts" if lang == "ts" else "js"), gen_module(c, lang, n, "%s helpers" % topic))
        elif lang == "go":
            c.write("%s/internal/util/%s%d.go" % (base, topic, k), gen_module(c, lang, n, "%s helpers" % topic))
        else:
            cls = pascal(topic) + "Util%d" % k
            pkg = "com.acme.%s.util" % name.replace("-", "")
            c.write("%s/src/main/java/%s/%s.java" % (base, pkg.replace(".", "/"), cls),
                    "package %s;\n\nimport java.util.HashMap;\nimport java.util.List;\nimport java.util.Map;\n\n/** %s helpers. */\nfinal class %s {\n    private %s() {}\n\n%s}\n"
                    % (pkg, topic.capitalize(), cls, cls, "\n".join(gen_module(c, lang, n, topic))))

    # --- IaC -------------------------------------------------------------------------------
    if iac == "serverless":
        gen_serverless(c, base, name, lang, handler_files)
    elif iac == "sam":
        gen_sam(c, base, name, lang, handler_files)
    else:
        gen_terraform(c, base, name, lang, handler_files)
    c.write("%s/README.md" % base, readme(c, name, lang, iac, fns))
    return c.files - before


def write_config_module(c, base, lang, pdir=None):
    """The service's settings module: sometimes with a hard-coded secret, sometimes the safe way."""
    plant = c.chance(P_SECRET_PLANT)
    safe = not plant and c.chance(P_SECRET_SAFE)
    var, val, pair = c.fake_secret()
    if lang == "python":
        rel = "%s/src/lib/config.py" % base
        lines = ['"""Settings read once per cold start."""', "import os", "", 'STAGE = os.environ.get("STAGE", "dev")',
                 'TABLE_NAME = os.environ.get("TABLE_NAME", "")', 'REGION = os.environ.get("AWS_REGION", "eu-west-1")']
        if plant:
            if pair:
                lines.append('%s = "%s"' % (pair[0], pair[1]) + MARK)
            lines.append('%s = "%s"' % (var, val) + MARK)
        elif safe:
            lines.append('%s = os.environ.get("%s", "")' % (var, var) + MARK)
        lines += ['TIMEOUT_SECONDS = float(os.environ.get("TIMEOUT_SECONDS", "5"))', 'PARTNER_API = "https://api.partner.example.com/v2"', ""]
    elif lang in ("js", "ts"):
        rel = "%s/src/lib/config.%s" % (base, "ts" if lang == "ts" else "js")
        lines = ["// Settings read once per cold start.", "const stage = process.env.STAGE || 'dev';", "const tableName = process.env.TABLE_NAME || '';"]
        names = ["stage", "tableName"]
        if plant:
            if pair:
                lines.append("const %s = '%s';" % (camel(*pair[0].lower().split("_")), pair[1]) + MARK)
                names.append(camel(*pair[0].lower().split("_")))
            lines.append("const %s = '%s';" % (camel(*var.lower().split("_")), val) + MARK)
            names.append(camel(*var.lower().split("_")))
        elif safe:
            lines.append("const %s = process.env.%s;" % (camel(*var.lower().split("_")), var) + MARK)
            names.append(camel(*var.lower().split("_")))
        lines += ["const partnerApi = 'https://api.partner.example.com/v2';", ""]
        names.append("partnerApi")
        lines.append(("export { %s };" if lang == "ts" else "module.exports = { %s };") % ", ".join(names))
        lines.append("")
    elif lang == "go":
        rel = "%s/internal/config/secrets.go" % base
        lines = ["package config", "", "// Partner API settings.", "const (", '\tPartnerAPI = "https://api.partner.example.com/v2"']
        if plant:
            if pair:
                lines.append('\t%s = "%s"' % (pascal(*pair[0].lower().split("_")), pair[1]) + MARK)
            lines.append('\t%s = "%s"' % (pascal(*var.lower().split("_")), val) + MARK)
        elif safe:
            lines.append('\t%sEnv = "%s"' % (pascal(*var.lower().split("_")), var) + MARK)
        lines += [")", ""]
    else:
        rel = "%s/src/main/java/%s/Settings.java" % (base, pdir)
        lines = ["package %s;" % pdir.replace("/", "."), "", "/** Settings read once per cold start. */", "final class Settings {",
                 '    static final String PARTNER_API = "https://api.partner.example.com/v2";']
        if plant:
            if pair:
                lines.append('    static final String %s = "%s";' % (pair[0], pair[1]) + MARK)
            lines.append('    static final String %s = "%s";' % (var, val) + MARK)
        elif safe:
            lines.append('    static final String %s = System.getenv("%s");' % (var, var) + MARK)
        lines += ["", "    private Settings() {}", "}", ""]
    regions = c.write(rel, "\n".join(lines))
    if plant:
        region_record(c, "secret", "planted", rel, regions, lang, "code")
    elif safe:
        region_record(c, "secret", "safe", rel, regions, lang, "code")
    # a committed .env (sometimes with a live-looking value) or its .env.example twin
    if c.chance(0.12):
        var, val, pair = c.fake_secret()
        rel = "%s/.env" % base
        lines = ["STAGE=dev", "LOG_LEVEL=debug"] + (["%s=%s" % pair + MARK] if pair else []) + ["%s=%s" % (var, val) + MARK, "TABLE_NAME=local-table", ""]
        region_record(c, "secret", "planted", rel, c.write(rel, "\n".join(lines)), lang, "dotenv")
    elif c.chance(0.2):
        rel = "%s/.env.example" % base
        lines = ["STAGE=dev", "LOG_LEVEL=debug", "%s=%s" % (var, "<set-me>") + MARK, "TABLE_NAME=local-table", ""]
        region_record(c, "secret", "safe", rel, c.write(rel, "\n".join(lines)), lang, "dotenv")


def sample_event(c, f):
    if f.trigger == "s3":
        ev = {"Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
                           "s3": {"bucket": {"name": "uploads-dev"}, "object": {"key": "in/%s.jpg" % c.token(8), "size": 1024}}}]}
    elif f.trigger == "sqs":
        ev = {"Records": [{"messageId": "%s" % c.token(12), "body": json.dumps({"id": c.token(6)}), "eventSource": "aws:sqs"}]}
    else:
        ev = {"version": "2.0", "routeKey": "POST /%s" % f.noun, "rawPath": "/%s" % f.noun, "headers": {"content-type": "application/json"},
              "queryStringParameters": {"limit": "10"}, "body": json.dumps({"id": c.token(6)}), "isBase64Encoded": False}
    return json.dumps(ev, indent=2) + "\n"


def readme(c, name, lang, iac, fns):
    tool = {"serverless": "npx serverless deploy --stage dev", "sam": "sam build && sam deploy --guided", "terraform": "terraform init && terraform apply"}[iac]
    rows = "\n".join("| `%s-%s` | %s | %s |" % (f.verb, f.noun, f.trigger, f.timeout) for f in fns)
    para = " ".join(c.pick(["The service owns its table and publishes domain events.", "Requests are validated before they reach the table.",
                            "Failed messages go to a dead-letter queue after three attempts.", "Every function logs in JSON with the request id.",
                            "The functions share a role scoped to the service's resources.", "Load tests run nightly against the staging stage."])
                    for _ in range(6))
    return "# %s\n\n%s\n\n## Functions\n\n| function | trigger | timeout (s) |\n|---|---|---|\n%s\n\n## Deploy\n\n```sh\n%s\n```\n\n## Test\n\n```sh\n%s\n```\n" % (
        name, para, rows, tool, {"python": "pytest", "js": "npm test", "ts": "npm test", "go": "go test ./...", "java": "mvn test"}[lang])


# --- Serverless Framework ----------------------------------------------------------------------

def iam_statements(c, indent, plant, style="yaml"):
    """Statement lines; with plant, one wildcard statement marked (its first and last line)."""
    p = " " * indent
    svc_actions = c.pick([["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"],
                          ["s3:GetObject", "s3:PutObject"], ["sqs:SendMessage", "sqs:GetQueueAttributes"], ["sns:Publish"]])
    lines = ["%s- Effect: Allow" % p, "%s  Action:" % p] + ["%s    - %s" % (p, a) for a in svc_actions]
    lines += ["%s  Resource:" % p, "%s    - arn:aws:%s:${aws:region}:${aws:accountId}:%s/${self:service}-*" % (
        p, svc_actions[0].split(":")[0], c.pick(["table", "queue", "topic", "bucket"]))]
    lines += ["%s- Effect: Allow" % p, "%s  Action:" % p, "%s    - logs:CreateLogStream" % p, "%s    - logs:PutLogEvents" % p,
              "%s  Resource: arn:aws:logs:${aws:region}:${aws:accountId}:log-group:/aws/lambda/${self:service}-*" % p]
    if plant:
        act = c.pick(['"*"', '"s3:*"', '"dynamodb:*"', '"*"'])
        lines += ["%s- Effect: Allow%s" % (p, MARK), "%s  Action: %s" % (p, act), '%s  Resource: "*"%s' % (p, MARK)]
    else:
        lines += ["%s- Effect: Allow%s" % (p, MARK), "%s  Action: ssm:GetParameter" % p,
                  "%s  Resource: arn:aws:ssm:${aws:region}:${aws:accountId}:parameter/${self:service}/*%s" % (p, MARK)]
    return lines


def fn_regions(c, rel, regions, fns_marked, lang):
    """regions come in pairs (start, end) per function in fns_marked order."""
    for (f, *_), (s, e) in zip(fns_marked, zip(regions[0::2], regions[1::2])):
        rt = "deprecated-runtime"
        c.record(rt, "planted" if f.deprecated else "safe", rel, s, e, lang, "function")
        c.record("no-reserved-concurrency", "planted" if f.concurrency is None else "safe", rel, s, e, lang, "function")
        if f.url:
            c.record("url-auth-none", "planted" if f.url == "NONE" else "safe", rel, s, e, lang, "function")
        if f.env_secret:
            c.record("env-secret", "planted", rel, s, e, lang, "function")
        elif f.env_safe:
            c.record("env-secret", "safe", rel, s, e, lang, "function")


def gen_serverless(c, base, name, lang, handlers):
    rt_now = RUNTIMES["node" if lang in ("js", "ts") else lang][0]
    plant_iam = c.chance(P_IAM_PLANT)
    legacy = c.chance(0.3)
    L = ["service: %s" % name, "frameworkVersion: '3'", ""]
    if lang == "ts":
        L += ["plugins:", "  - serverless-esbuild", "  - serverless-offline", ""]
    L += ["provider:", "  name: aws", "  runtime: %s" % rt_now, "  architecture: arm64", "  region: ${opt:region, 'eu-west-1'}",
          "  stage: ${opt:stage, 'dev'}", "  memorySize: 512", "  timeout: 10", "  logRetentionInDays: 14", "  tracing:", "    lambda: true",
          "  environment:", "    TABLE_NAME: ${self:service}-${sls:stage}", "    STAGE: ${sls:stage}", "    LOG_LEVEL: INFO"]
    if legacy:
        L += ["  iamRoleStatements:"] + iam_statements(c, 4, plant_iam)
    else:
        L += ["  iam:", "    role:", "      statements:"] + iam_statements(c, 8, plant_iam)
    if lang == "go":
        L += ["", "package:", "  individually: true"]
    L += ["", "functions:"]
    for f, h, _ in handlers:
        key = camel(f.verb, f.noun)
        L.append("  %s:%s" % (key, MARK))
        if lang == "go":
            L += ["    handler: bootstrap", "    package:", "      artifact: bin/%s.zip" % kebab(f.verb, f.noun)]
        else:
            L.append("    handler: %s" % h)
        if f.runtime:
            L.append("    runtime: %s" % f.runtime)
        L += ["    timeout: %d" % f.timeout, "    memorySize: %d" % f.memory]
        if f.concurrency:
            L.append("    reservedConcurrency: %d" % f.concurrency)
        env = []
        if f.env_secret:
            env.append("      %s: '%s'" % (f.env_secret[0], f.env_secret[1]))
        elif f.env_safe:
            env.append("      %s: ${ssm:/%s/%s}" % (c.pick(["DB_PASSWORD", "API_TOKEN", "STRIPE_API_KEY"]), name, c.pick(["db-password", "api-token", "stripe"])))
        env.append("      PARTNER_API: https://api.partner.example.com/v2")
        L += ["    environment:"] + env
        if f.url == "NONE":
            L.append("    url: true")
        elif f.url == "AWS_IAM":
            L += ["    url:", "      authorizer: aws_iam"]
        if f.trigger == "http":
            L += ["    events:", "      - httpApi:", "          path: /%s" % f.noun, "          method: %s" % c.pick(["get", "post", "put"])]
        elif f.trigger == "s3":
            L += ["    events:", "      - s3:", "          bucket: ${self:service}-${sls:stage}-uploads", "          event: s3:ObjectCreated:*", "          existing: true"]
        elif f.trigger == "sqs":
            L += ["    events:", "      - sqs:", "          arn: !GetAtt WorkQueue.Arn", "          batchSize: 10"]
        else:
            L += ["    events:", "      - schedule: rate(%d minutes)" % c.pick([5, 15, 60])]
        L[-1] += MARK
    L += ["", "resources:", "  Resources:", "    WorkQueue:", "      Type: AWS::SQS::Queue", "      Properties:",
          "        QueueName: ${self:service}-${sls:stage}-work", "        VisibilityTimeout: 60", "    Table:", "      Type: AWS::DynamoDB::Table",
          "      Properties:", "        TableName: ${self:service}-${sls:stage}", "        BillingMode: PAY_PER_REQUEST", "        AttributeDefinitions:",
          "          - AttributeName: pk", "            AttributeType: S", "          - AttributeName: sk", "            AttributeType: S",
          "        KeySchema:", "          - AttributeName: pk", "            KeyType: HASH", "          - AttributeName: sk", "            KeyType: RANGE", ""]
    text = "\n".join(L)
    rel = "%s/serverless.yml" % base
    regions = c.write(rel, text)
    iam_reg, fn_reg = regions[:2], regions[2:]
    c.record("iam-wildcard", "planted" if plant_iam else "safe", rel, iam_reg[0], iam_reg[1], lang, "legacy-iamRoleStatements" if legacy else "provider.iam")
    fn_regions(c, rel, fn_reg, handlers, lang)


def gen_sam(c, base, name, lang, handlers):
    rt_now = RUNTIMES["node" if lang in ("js", "ts") else lang][0]
    plant_iam = c.chance(P_IAM_PLANT)
    L = ["AWSTemplateFormatVersion: '2010-09-09'", "Transform: AWS::Serverless-2016-10-31", "Description: %s (SAM)" % name, "",
         "Parameters:", "  Stage:", "    Type: String", "    Default: dev", "  DbPasswordParam:", "    Type: AWS::SSM::Parameter::Value<String>",
         "    Default: /%s/db-password" % name, "", "Globals:", "  Function:", "    Runtime: %s" % rt_now, "    Timeout: 10", "    MemorySize: 512",
         "    Tracing: Active", "    Architectures:", "      - arm64", "    Environment:", "      Variables:", "        STAGE: !Ref Stage",
         "        TABLE_NAME: !Ref Table", "", "Resources:"]
    iam_reg_seen = False
    for i, (f, h, hname) in enumerate(handlers):
        key = pascal(f.verb, f.noun) + "Function"
        L += ["  %s:%s" % (key, MARK), "    Type: AWS::Serverless::Function", "    Properties:"]
        if lang == "python":
            L += ["      CodeUri: src/", "      Handler: %s" % h[len("src/"):]]
        elif lang in ("js", "ts"):
            if lang == "ts":
                L += ["      CodeUri: ./", "      Handler: %s" % h[:-len(".handler")].replace("src/handlers/", "") + ".handler"]
            else:
                L += ["      CodeUri: src/", "      Handler: %s" % h[len("src/"):]]
        elif lang == "go":
            L += ["      CodeUri: %s/" % h, "      Handler: bootstrap"]
        else:
            L += ["      CodeUri: .", "      Handler: %s" % h]
        if f.runtime:
            L.append("      Runtime: %s" % f.runtime)
        L += ["      Timeout: %d" % f.timeout, "      MemorySize: %d" % f.memory]
        if f.concurrency:
            L.append("      ReservedConcurrentExecutions: %d" % f.concurrency)
        L += ["      Policies:", "        - DynamoDBCrudPolicy:", "            TableName: !Ref Table"]
        if i == 0:
            # the inline statement of the first function carries the planted wildcard (or its twin)
            L += ["        - Version: '2012-10-17'", "          Statement:"]
            if plant_iam:
                act = c.pick(["'*'", "'s3:*'", "'dynamodb:*'"])
                L += ["            - Effect: Allow%s" % MARK, "              Action: %s" % act, "              Resource: '*'%s" % MARK]
            else:
                L += ["            - Effect: Allow%s" % MARK, "              Action: s3:GetObject",
                      "              Resource: !Sub 'arn:aws:s3:::${Stage}-%s-uploads/*'%s" % (name, MARK)]
            iam_reg_seen = True
        L += ["      Environment:", "        Variables:"]
        if f.env_secret:
            L.append("          %s: '%s'" % (f.env_secret[0], f.env_secret[1]))
        elif f.env_safe:
            L.append("          DB_PASSWORD: !Ref DbPasswordParam")
        L.append("          PARTNER_API: https://api.partner.example.com/v2")
        if f.url:
            L += ["      FunctionUrlConfig:", "        AuthType: %s" % f.url]
        if lang == "ts":
            L += ["    Metadata:", "      BuildMethod: esbuild", "      BuildProperties:", "        EntryPoints:",
                  "          - %s" % h[:-len(".handler")] + ".ts"]
        if f.trigger == "http":
            L += ["      Events:", "        Api:", "          Type: HttpApi", "          Properties:", "            Path: /%s" % f.noun,
                  "            Method: %s" % c.pick(["get", "post", "put"])]
        elif f.trigger == "s3":
            L += ["      Events:", "        Upload:", "          Type: S3", "          Properties:", "            Bucket: !Ref Uploads",
                  "            Events: s3:ObjectCreated:*"]
        elif f.trigger == "sqs":
            L += ["      Events:", "        Work:", "          Type: SQS", "          Properties:", "            Queue: !GetAtt WorkQueue.Arn",
                  "            BatchSize: 10"]
        else:
            L += ["      Events:", "        Tick:", "          Type: Schedule", "          Properties:", "            Schedule: rate(15 minutes)"]
        L[-1] += MARK
    L += ["  Uploads:", "    Type: AWS::S3::Bucket", "    Properties:", "      BucketName: !Sub '${Stage}-%s-uploads'" % name,
          "  WorkQueue:", "    Type: AWS::SQS::Queue", "  Table:", "    Type: AWS::DynamoDB::Table", "    Properties:",
          "      BillingMode: PAY_PER_REQUEST", "      AttributeDefinitions:", "        - AttributeName: pk", "          AttributeType: S",
          "      KeySchema:", "        - AttributeName: pk", "          KeyType: HASH", "", "Outputs:", "  ApiUrl:",
          "    Value: !Sub 'https://${ServerlessHttpApi}.execute-api.${AWS::Region}.amazonaws.com'", ""]
    rel = "%s/template.yaml" % base
    regions = c.write(rel, "\n".join(L))
    # order: fn0 start, iam start, iam end, fn0 end, fn1 start, fn1 end, …
    iam = regions[1:3]
    fn = [regions[0], regions[3]] + regions[4:]
    c.record("iam-wildcard", "planted" if plant_iam else "safe", rel, iam[0], iam[1], lang, "sam-inline-policy")
    fn_regions(c, rel, fn, handlers, lang)
    c.write("%s/samconfig.toml" % base, 'version = 0.1\n[default.deploy.parameters]\nstack_name = "%s"\nresolve_s3 = true\ncapabilities = "CAPABILITY_IAM"\n' % name)


def gen_terraform(c, base, name, lang, handlers):
    rt_now = RUNTIMES["node" if lang in ("js", "ts") else lang][0]
    plant_iam = c.chance(P_IAM_PLANT)
    tf = "%s/terraform" % base
    c.write("%s/versions.tf" % tf, 'terraform {\n  required_version = ">= 1.6"\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n      version = "~> 5.40"\n    }\n  }\n}\n\nprovider "aws" {\n  region = var.region\n}\n')
    c.write("%s/variables.tf" % tf, 'variable "region" {\n  type    = string\n  default = "eu-west-1"\n}\n\nvariable "stage" {\n  type    = string\n  default = "dev"\n}\n\nvariable "db_password" {\n  type      = string\n  sensitive = true\n}\n\nlocals {\n  prefix = "%s-${var.stage}"\n}\n' % name)
    act = c.pick(['"*"', '"s3:*"', '"dynamodb:*"'])
    I = ['data "aws_caller_identity" "current" {}', "", 'resource "aws_iam_role" "lambda" {', '  name = "${local.prefix}-lambda"', "  assume_role_policy = jsonencode({", '    Version = "2012-10-17"',
         "    Statement = [{", '      Effect    = "Allow"', '      Principal = { Service = "lambda.amazonaws.com" }', '      Action    = "sts:AssumeRole"',
         "    }]", "  })", "}", "", 'resource "aws_iam_role_policy" "lambda" {', '  name = "${local.prefix}-lambda"', "  role = aws_iam_role.lambda.id",
         "  policy = jsonencode({", '    Version = "2012-10-17"', "    Statement = [", "      {", '        Effect   = "Allow"',
         '        Action   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"]', "        Resource = [aws_dynamodb_table.main.arn]", "      },"]
    if plant_iam:
        I += ["      {" + MARK, '        Effect   = "Allow"', "        Action   = %s" % act, '        Resource = "*"', "      }," + MARK]
    else:
        I += ["      {" + MARK, '        Effect   = "Allow"', '        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]',
              '        Resource = "arn:aws:logs:${var.region}:${data.aws_caller_identity.current.account_id}:log-group:/aws/lambda/${local.prefix}-*"',
              "      }," + MARK]
    I += ["    ]", "  })", "}", ""]
    irel = "%s/iam.tf" % tf
    ir = c.write(irel, "\n".join(I))
    c.record("iam-wildcard", "planted" if plant_iam else "safe", irel, ir[0], ir[1], lang, "terraform-jsonencode")
    L = ['data "archive_file" "src" {', '  type        = "zip"', '  source_dir  = "${path.module}/../%s"' % ("src" if lang != "go" else "bin"),
         '  output_path = "${path.module}/build/src.zip"', "}", ""]
    url_marks = []
    for f, h, hname in handlers:
        rname = snake(f.verb, f.noun)
        handler = {"python": h[len("src/"):], "js": h[len("src/"):], "ts": h[len("src/"):], "go": "bootstrap", "java": h}[lang]
        L += ['resource "aws_lambda_function" "%s" {%s' % (rname, MARK), '  function_name    = "${local.prefix}-%s"' % kebab(f.verb, f.noun),
              "  role             = aws_iam_role.lambda.arn", '  handler          = "%s"' % handler,
              '  runtime          = "%s"' % (f.runtime or rt_now), "  filename         = data.archive_file.src.output_path",
              "  source_code_hash = data.archive_file.src.output_base64sha256", "  timeout          = %d" % f.timeout,
              "  memory_size      = %d" % f.memory, '  architectures    = ["arm64"]']
        if f.concurrency:
            L.append("  reserved_concurrent_executions = %d" % f.concurrency)
        L += ["", "  environment {", "    variables = {", "      TABLE_NAME  = aws_dynamodb_table.main.name", "      STAGE       = var.stage"]
        if f.env_secret:
            L.append('      %s = "%s"' % (f.env_secret[0], f.env_secret[1]))
        elif f.env_safe:
            L.append("      DB_PASSWORD = var.db_password")
        L += ["    }", "  }", "", "  tracing_config {", '    mode = "Active"', "  }", "}" + MARK, ""]
        if f.url:
            L += ['resource "aws_lambda_function_url" "%s" {%s' % (rname, MARK), "  function_name      = aws_lambda_function.%s.function_name" % rname,
                  '  authorization_type = "%s"' % f.url, "}" + MARK, ""]
            url_marks.append(f)
    L += ['resource "aws_dynamodb_table" "main" {', '  name         = local.prefix', '  billing_mode = "PAY_PER_REQUEST"', '  hash_key     = "pk"', "",
          "  attribute {", '    name = "pk"', '    type = "S"', "  }", "}", ""]
    rel = "%s/lambda.tf" % tf
    regions = c.write(rel, "\n".join(L))
    # pairs in order: function, [url], function, [url], …
    pairs = list(zip(regions[0::2], regions[1::2]))
    k = 0
    for f, _, _ in handlers:
        s, e = pairs[k]
        k += 1
        c.record("deprecated-runtime", "planted" if f.deprecated else "safe", rel, s, e, lang, "terraform")
        c.record("no-reserved-concurrency", "planted" if f.concurrency is None else "safe", rel, s, e, lang, "terraform")
        if f.env_secret:
            c.record("env-secret", "planted", rel, s, e, lang, "terraform")
        elif f.env_safe:
            c.record("env-secret", "safe", rel, s, e, lang, "terraform")
        if f.url:
            s, e = pairs[k]
            k += 1
            c.record("url-auth-none", "planted" if f.url == "NONE" else "safe", rel, s, e, lang, "terraform")
    c.write("%s/outputs.tf" % tf, "\n".join('output "%s_arn" {\n  value = aws_lambda_function.%s.arn\n}\n' % (snake(f.verb, f.noun), snake(f.verb, f.noun)) for f, _, _ in handlers))


# ----------------------------------------------------------------------------------------------
# Frontend, docs, CI.
# ----------------------------------------------------------------------------------------------

def gen_frontend(c, root, budget):
    """A React app: components, pages, styles, images, a lock file and a minified bundle."""
    start = c.files
    c.write("%s/package.json" % root, json.dumps({"name": root.split("/")[-1], "private": True, "version": "0.1.0",
                                                 "scripts": {"dev": "vite", "build": "vite build", "test": "vitest"},
                                                 "dependencies": {"react": "^18.2.0", "react-dom": "^18.2.0", "react-router-dom": "^6.22.0",
                                                                  "@tanstack/react-query": "^5.24.0", "axios": "^1.6.7", "zustand": "^4.5.1"},
                                                 "devDependencies": {"vite": "^5.1.4", "typescript": "^5.3.3", "vitest": "^1.3.1"}}, indent=2) + "\n")
    c.write("%s/package-lock.json" % root, c.package_lock(root.split("/")[-1], 2500))
    c.write("%s/tsconfig.json" % root, '{\n  "compilerOptions": { "target": "ES2020", "jsx": "react-jsx", "module": "ESNext", "strict": true },\n  "include": ["src"]\n}\n')
    c.write("%s/index.html" % root, '<!doctype html>\n<html lang="en">\n  <head><meta charset="UTF-8" /><title>Console</title></head>\n  <body><div id="root"></div><script type="module" src="/src/main.tsx"></script></body>\n</html>\n')
    # one minified bundle of ~300-900 KB per app
    chunk = "function(e,t,n){\"use strict\";var r=n(%d),o=n.n(r);t.a=function(e){return o().createElement(\"div\",{className:\"c%d\"},e.children)}},"
    bundle = "!function(){var e={" + "".join(chunk % (i, i) for i in range(c.rng.randrange(2500, 7000))) + "};}();\n"
    c.write("%s/dist/assets/index-%s.min.js" % (root, c.token(8, string.ascii_lowercase + string.digits)), bundle)
    i = 0
    while c.files - start < budget:
        kind = c.rng.random()
        n = "%s%s" % (pascal(c.pick(NOUNS), c.pick(["List", "Card", "Form", "Table", "Panel", "Dialog", "Badge", "Chart"])), i)
        if kind < 0.55:
            props = ", ".join(c.rng.sample(FIELDS, 3))
            body = "\n".join("      <div className=\"row\"><span>%s</span>{props.%s}</div>" % (f, f) for f in c.rng.sample(FIELDS, c.rng.randrange(3, 9)))
            c.write("%s/src/components/%s.tsx" % (root, n), "import { useState } from 'react';\n\ntype Props = { %s };\n\nexport function %s(props: Props) {\n"
                    "  const [open, setOpen] = useState(false);\n  return (\n    <section onClick={() => setOpen(!open)}>\n%s\n    </section>\n  );\n}\n" % (
                        "; ".join("%s: string" % p for p in props.split(", ")), n, body))
        elif kind < 0.7:
            c.write("%s/src/styles/%s.css" % (root, n), "".join(".%s-%d { display: flex; padding: %dpx; color: #%06x; }\n" % (n.lower(), k, k % 24, c.rng.randrange(0, 1 << 24)) for k in range(c.rng.randrange(10, 60))))
        elif kind < 0.85:
            c.write("%s/src/api/%s.ts" % (root, n[0].lower() + n[1:]), "import axios from 'axios';\n\nconst api = axios.create({ baseURL: import.meta.env.VITE_API_URL });\n\n"
                    "export async function load%s(id: string) {\n  const { data } = await api.get(`/%s/${encodeURIComponent(id)}`);\n  return data;\n}\n" % (n, c.pick(NOUNS)))
        else:
            if c.chance(0.5):
                c.write_bytes("%s/public/assets/%s.png" % (root, n.lower()), b"\x89PNG\r\n\x1a\n" + c.rng.randbytes(c.rng.randrange(2000, 60000)))
            else:
                c.write("%s/public/assets/%s.svg" % (root, n.lower()), '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path d="M%d %dL%d %dZ"/></svg>\n' % tuple(c.rng.randrange(0, 24) for _ in range(4)))
        i += 1


def gen_docs(c, n):
    for i in range(n):
        topic = "%s-%s" % (c.pick(DOMAINS), c.pick(["runbook", "adr", "oncall", "design", "postmortem"]))
        c.write("docs/%s-%03d.md" % (topic, i), "# %s\n\n%s\n" % (topic, "\n\n".join(
            "Step %d: check the dashboard for the %s service, then the dead-letter queue, then the alarms." % (k, c.pick(DOMAINS)) for k in range(c.rng.randrange(5, 30)))))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--truth", help="ground-truth file (default: OUT.truth.json, beside the tree)")
    a = ap.parse_args()
    out = os.path.abspath(a.out)
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(out)
    c = Corpus(out, a.files, a.seed * 1_000_003 + a.files)
    c.write("README.md", "# acme platform\n\nThe serverless monorepo: one folder per service under services/, the web console under frontend/.\n")
    c.write(".github/workflows/deploy.yml", "name: deploy\non:\n  push:\n    branches: [main]\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: make deploy\n")
    c.write(".gitignore", "node_modules/\n.serverless/\n.aws-sam/\n*.zip\n.terraform/\n__pycache__/\n")
    front_budget = max(30, a.files // 10)
    docs = max(3, a.files // 100)
    service_budget = a.files - front_budget - docs - c.files
    while c.files < service_budget:
        lang = c.pick(["python"] * 35 + ["js"] * 25 + ["ts"] * 15 + ["go"] * 12 + ["java"] * 13)
        iac = c.pick(["serverless"] * 40 + ["sam"] * 30 + ["terraform"] * 30)
        if lang == "ts" and iac == "sam" and c.chance(0.5):
            iac = "serverless"
        team = c.pick(["core", "commerce", "platform", "data", "growth", "ops"])
        gen_service(c, "services/%s" % team, lang, iac)
    napps = max(1, a.files // 20000)
    per = max(10, (a.files - docs - c.files) // napps)
    for k in range(napps):
        gen_frontend(c, "frontend" if napps == 1 else "frontend/app-%02d" % k, per if k < napps - 1 else a.files - docs - c.files)
    gen_docs(c, max(0, a.files - c.files))
    truth_path = a.truth or out.rstrip("/") + ".truth.json"
    summary = {}
    for t in c.truth:
        summary.setdefault(t["class"], {"planted": 0, "safe": 0})[t["kind"]] += 1
    with open(truth_path, "w") as fh:
        json.dump({"root": out, "files": c.files, "bytes": c.bytes, "seed": a.seed, "classes": summary, "items": c.truth}, fh, indent=1)
    print("wrote %d files, %.1f MB to %s; ground truth %s" % (c.files, c.bytes / 1e6, out, truth_path))
    for k in ALL_CLASSES:
        s = summary.get(k, {"planted": 0, "safe": 0})
        print("  %-24s planted %5d  safe twins %5d" % (k, s["planted"], s["safe"]))


if __name__ == "__main__":
    sys.exit(main())
