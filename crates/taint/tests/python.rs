//! Python flows, sinks and sanitizers, on handlers found by convention.

mod support;
use support::{findings, scan};

fn one(src: &str) -> Vec<String> {
    scan(&[("app.py", src)])
}

#[test]
fn api_event_to_os_system_with_trace() {
    let src = r#"import os
def handler(event, context):
    name = event["queryStringParameters"]["name"]
    cmd = "echo " + name
    os.system(cmd)
"#;
    assert_eq!(one(src), ["fnw-scan-inj-command app.py:5"]);
    let f = &findings(&[("app.py", src)])[0];
    let lines: Vec<u32> = f.trace.iter().map(|s| s.location.line).collect();
    assert_eq!(lines, [2, 3, 4, 5], "{:#?}", f.trace);
    assert!(f.trace[0].note.contains("source: `event`"), "{}", f.trace[0].note);
    assert!(f.message.contains("os.system"), "{}", f.message);
    assert!(f.function.is_none());
}

#[test]
fn s3_records_loop_fstring_subprocess_shell() {
    let src = r#"import subprocess
def lambda_handler(event, context):
    for record in event["Records"]:
        key = record["s3"]["object"]["key"]
        subprocess.run(f"convert /tmp/{key} out.png", shell=True)
"#;
    assert_eq!(one(src), ["fnw-scan-inj-command app.py:5"]);
}

#[test]
fn subprocess_list_without_shell_is_safe_unless_program_or_sh_c() {
    let src = r#"import subprocess
def handler(event, context):
    key = event["Records"][0]["s3"]["object"]["key"]
    subprocess.run(["convert", key, "out.png"])
    subprocess.run(["sh", "-c", "convert " + key])
    subprocess.run(event["cmd"])
"#;
    assert_eq!(one(src), ["fnw-scan-inj-command app.py:5", "fnw-scan-inj-command app.py:6"]);
}

#[test]
fn sqs_body_json_loads_to_pickle_and_yaml() {
    let src = r#"import json, pickle, yaml, base64
def handler(event, context):
    for r in event['Records']:
        msg = json.loads(r['body'])
        obj = pickle.loads(base64.b64decode(msg['blob']))
        cfg = yaml.load(msg['config'])
        safe = yaml.load(msg['config'], Loader=yaml.SafeLoader)
        also_safe = yaml.safe_load(msg['config'])
"#;
    assert_eq!(one(src), ["fnw-scan-inj-deserialize app.py:5", "fnw-scan-inj-deserialize app.py:6"]);
}

#[test]
fn sql_string_built_vs_parameterized() {
    let src = r#"import pymysql
def handler(event, context):
    uid = event['pathParameters']['id']
    conn = pymysql.connect(host='db')
    cur = conn.cursor()
    cur.execute("SELECT * FROM users WHERE id = '%s'" % uid)
    cur.execute("SELECT * FROM users WHERE id = {}".format(uid))
    cur.execute("SELECT * FROM users WHERE id = %s", (uid,))
    cur.execute(f"SELECT * FROM users WHERE id = {int(uid)}")
"#;
    assert_eq!(one(src), ["fnw-scan-inj-sql app.py:6", "fnw-scan-inj-sql app.py:7"]);
}

#[test]
fn eval_from_event_but_not_from_constants() {
    let src = r#"OPS = {"add": "1+1"}
def handler(event, context):
    expr = event['body']
    result = eval(expr)
    fixed = "2" + "*" + "3"
    eval(fixed)
    exec(compile("x = 1", "<s>", "exec"))
"#;
    assert_eq!(one(src), ["fnw-scan-inj-eval app.py:4"]);
}

#[test]
fn strong_update_to_constant_cleans() {
    let src = r#"import os
def handler(event, context):
    cmd = event['cmd']
    cmd = "ls -l"
    os.system(cmd)
    other = event['x']
    if event.get('y'):
        other = "safe"
    os.system(other)
"#;
    assert_eq!(one(src), ["fnw-scan-inj-command app.py:9"]);
}

#[test]
fn uuid_path_and_shlex_quote_and_int_are_clean() {
    let src = r#"import os, uuid, shlex
def handler(event, context):
    path = "/tmp/" + str(uuid.uuid4())
    os.system("rm -f " + path)
    name = shlex.quote(event['name'])
    os.system("echo " + name)
    n = int(event['count'])
    os.system("seq %d" % n)
"#;
    assert_eq!(one(src), Vec::<String>::new());
}

#[test]
fn shlex_quote_does_not_sanitize_sql() {
    let src = r#"import shlex
def handler(event, context):
    q = shlex.quote(event['q'])
    db.cursor().execute("SELECT " + q)
"#;
    assert_eq!(one(src), ["fnw-scan-inj-sql app.py:4"]);
}

#[test]
fn path_traversal_from_s3_key_and_basename_sanitizer() {
    let src = r#"import os, boto3
s3 = boto3.client('s3')
def handler(event, context):
    key = event['Records'][0]['s3']['object']['key']
    s3.download_file('bucket', key, '/tmp/' + key)
    with open(os.path.join('/data', key)) as f:
        f.read()
    safe = os.path.basename(key)
    open('/data/' + safe)
"#;
    assert_eq!(one(src), ["fnw-scan-inj-path app.py:5", "fnw-scan-inj-path app.py:6"]);
}

#[test]
fn ssrf_and_allowlist_guard() {
    let src = r#"import requests
from urllib.parse import urlparse
ALLOWED = {"api.example.com"}
def handler(event, context):
    url = event['queryStringParameters']['url']
    requests.get(url)
    target = event['queryStringParameters']['target']
    host = urlparse(target).hostname
    if host not in ALLOWED:
        return {"statusCode": 400}
    requests.get(target)
"#;
    assert_eq!(one(src), ["fnw-scan-inj-ssrf app.py:6"]);
}

#[test]
fn validators_that_always_pass_or_are_ignored_do_not_sanitize() {
    let src = r#"import os, re
def validate(x):
    return True
def is_safe(x):
    return re.fullmatch(r"[a-z0-9]+", x) is not None
def check(x):
    if not re.fullmatch(r"[a-z0-9]+", x):
        raise ValueError("bad")
def handler(event, context):
    a = event['a']
    if not validate(a):
        return
    os.system("echo " + a)
    b = event['b']
    re.match(r"^[a-z]+$", b)
    os.system("echo " + b)
    c = event['c']
    if not re.match(r".*", c):
        return
    os.system("echo " + c)
    d = event['d']
    if not is_safe(d):
        return
    os.system("echo " + d)
    e = event['e']
    check(e)
    os.system("echo " + e)
    f = event['f']
    if f.isdigit():
        os.system("echo " + f)
"#;
    assert_eq!(one(src), ["fnw-scan-inj-command app.py:13", "fnw-scan-inj-command app.py:16", "fnw-scan-inj-command app.py:20"]);
}

#[test]
fn flask_request_and_route_params_html() {
    let src = r#"from flask import Flask, request, render_template_string
from markupsafe import escape
app = Flask(__name__)

@app.route("/hello/<name>")
def hello(name):
    return "<h1>Hello " + name + "</h1>"

@app.route("/greet")
def greet():
    who = request.args.get("who", "")
    return render_template_string("Hi " + who)

@app.route("/safe")
def safe():
    who = request.args.get("who", "")
    return "<p>" + escape(who) + "</p>"

@app.route("/json")
def as_json():
    return {"who": request.args.get("who")}
"#;
    assert_eq!(one(src), ["fnw-scan-inj-html app.py:7", "fnw-scan-inj-html app.py:12"]);
}

#[test]
fn lambda_html_response_with_content_type() {
    let src = r#"def handler(event, context):
    name = event["queryStringParameters"]["name"]
    page = "<html><body>Hello " + name + "</body></html>"
    return {"statusCode": 200, "headers": {"Content-Type": "text/html"}, "body": page}
"#;
    assert_eq!(one(src), ["fnw-scan-inj-html app.py:4"]);
}

#[test]
fn cross_file_flow_through_import() {
    let files = [
        (
            "svc/handler.py",
            "from lib.shell import run\nimport lib.db as db\ndef handler(event, context):\n    run(event['cmd'])\n    db.find(event['id'])\n    run('uptime')\n",
        ),
        (
            "svc/lib/shell.py",
            "import subprocess\ndef run(cmd):\n    full = 'sh -c ' + cmd\n    return subprocess.check_output(full, shell=True)\n",
        ),
        (
            "svc/lib/db.py",
            "def find(uid):\n    q = build(uid)\n    return cursor.execute(q)\ndef build(x):\n    return \"SELECT * FROM t WHERE id='\" + x + \"'\"\n",
        ),
    ];
    assert_eq!(scan(&files), ["fnw-scan-inj-sql svc/lib/db.py:3", "fnw-scan-inj-command svc/lib/shell.py:4"]);
    let f = findings(&files);
    let sql = f.iter().find(|f| f.rule.id == "fnw-scan-inj-sql").unwrap();
    let where_: Vec<String> = sql.trace.iter().map(|s| format!("{}:{}", s.location.file.display(), s.location.line)).collect();
    assert_eq!(where_.first().map(String::as_str), Some("svc/handler.py:3"));
    assert!(where_.contains(&"svc/lib/db.py:5".to_owned()), "{where_:?}");
    assert_eq!(where_.last().map(String::as_str), Some("svc/lib/db.py:3"));
}

#[test]
fn comprehension_destructuring_and_attribute_flows() {
    let src = r#"import os
class Job:
    pass
def handler(event, context):
    keys = [r["s3"]["object"]["key"] for r in event["Records"]]
    first, *rest = keys
    job = Job()
    job.target = first
    os.system("process " + job.target)
    parts = []
    parts.append(event["x"])
    os.system(" ".join(parts))
"#;
    assert_eq!(one(src), ["fnw-scan-inj-command app.py:9", "fnw-scan-inj-command app.py:12"]);
}

#[test]
fn context_param_is_not_a_source() {
    let src = r#"import os
def handler(event, context):
    os.system("echo " + context.function_name)
"#;
    assert_eq!(one(src), Vec::<String>::new());
}

#[test]
fn importlib_and_dynamic_import() {
    let src = r#"import importlib
def handler(event, context):
    mod = importlib.import_module("plugins." + event["plugin"])
"#;
    assert_eq!(one(src), ["fnw-scan-inj-eval app.py:3"]);
}

#[test]
fn recursion_terminates() {
    let src = r#"import os
def a(x):
    return b(x)
def b(x):
    if x:
        return a(x[1:])
    return x
def handler(event, context):
    os.system(a(event['c']))
"#;
    assert_eq!(one(src), ["fnw-scan-inj-command app.py:9"]);
}

#[test]
fn with_as_and_walrus_bind_their_targets() {
    let src = r#"import os, tempfile
def handler(event, context):
    with open(event["path"]) as f:
        os.system(f.read())
    if (n := event.get("n")):
        os.system("seq " + n)
"#;
    assert_eq!(one(src), ["fnw-scan-inj-path app.py:3", "fnw-scan-inj-command app.py:4", "fnw-scan-inj-command app.py:6"]);
}

#[test]
fn ordinary_aws_code_has_no_findings() {
    let src = r#"import json, logging, os
import boto3
from boto3.dynamodb.conditions import Key

logger = logging.getLogger()
table = boto3.resource("dynamodb").Table(os.environ["TABLE"])
sns = boto3.client("sns")
WEBHOOK = "https://hooks.example.com/notify"

def handler(event, context):
    body = json.loads(event["body"])
    logger.info("order %s", body["id"])
    items = table.query(KeyConditionExpression=Key("pk").eq(body["id"]))["Items"]
    table.put_item(Item={"pk": body["id"], "note": body.get("note", "")})
    sns.publish(TopicArn=os.environ["TOPIC"], Message=json.dumps(body))
    requests.post(WEBHOOK, json={"text": body["note"]})
    with open("/tmp/last.json", "w") as f:
        f.write(json.dumps(body))
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json.dumps({"items": items})}
"#;
    assert_eq!(one(src), Vec::<String>::new());
}
