mod common;
use common::*;

const R: &str = "fnw-scan-hijack-runtime-api";

#[test]
fn python_runtime_loop_is_found() {
    let src = r#"import os, urllib.request
API = os.environ["AWS_LAMBDA_RUNTIME_API"]

def handler(event, context):
    url = f"http://{API}/2018-06-01/runtime/invocation/next"
    with urllib.request.urlopen(url) as r:
        return r.read()
"#;
    assert_eq!(py(src, R), vec![6]);
    let f = common::findings(fnwarden_code::Lang::Python, "app.py", src);
    let f = f.iter().find(|f| f.rule.id == R).unwrap();
    assert!(f.message.contains("Runtime API"), "{}", f.message);
    assert_eq!(f.trace.iter().map(|t| t.location.line).collect::<Vec<_>>(), vec![2, 5, 6]);
}

#[test]
fn python_address_handed_to_a_connection_is_found() {
    let src = "import http.client, os\ndef handler(e, c):\n    conn = http.client.HTTPConnection(os.getenv('AWS_LAMBDA_RUNTIME_API'))\n    conn.request('GET', '/x')\n";
    assert_eq!(py(src, R), vec![3]);
}

#[test]
fn python_extension_and_logs_paths_are_found() {
    let src = "import requests\nBASE = 'http://' + HOST\ndef handler(e, c):\n    requests.post(BASE + '/2020-01-01/extension/register', json={})\n    requests.put(BASE + '/2020-08-15/logs')\n";
    assert_eq!(py(src, R), vec![4, 5]);
}

#[test]
fn python_rewriting_the_address_is_found() {
    let src = "import os\ndef handler(e, c):\n    os.environ['AWS_LAMBDA_RUNTIME_API'] = '127.0.0.1:8888'\n";
    assert_eq!(py(src, R), vec![3]);
}

#[test]
fn python_detecting_lambda_is_not_a_finding() {
    let src = "import os, logging\nIS_LAMBDA = bool(os.environ.get('AWS_LAMBDA_RUNTIME_API'))\nlogging.info('runtime at %s', os.environ.get('AWS_LAMBDA_RUNTIME_API'))\nprint(f\"api {os.environ['AWS_LAMBDA_RUNTIME_API']}\")\ndef handler(e, c):\n    return requests.get('https://api.example.com/2018-06-01/orders')\n";
    assert_eq!(py(src, R), Vec::<u32>::new());
}

#[test]
fn python_docstring_mentioning_the_api_is_not_a_finding() {
    let src = "def handler(e, c):\n    \"\"\"Never call /2018-06-01/runtime/invocation/next from here.\"\"\"\n    return 1\n";
    assert_eq!(py(src, R), Vec::<u32>::new());
}

#[test]
fn js_fetch_of_next_invocation_is_found() {
    let src = "const api = process.env.AWS_LAMBDA_RUNTIME_API;\nexports.handler = async () => {\n  const r = await fetch(`http://${api}/2018-06-01/runtime/invocation/next`);\n  return r.json();\n};\n";
    assert_eq!(js(src, R), vec![3]);
}

#[test]
fn ts_response_post_is_found() {
    let src = "import http from 'http';\nexport const handler = async (id: string) => {\n  const req = http.request({ host: '127.0.0.1', port: 9001, path: '/2018-06-01/runtime/invocation/' + id + '/response', method: 'POST' });\n  req.end();\n};\n";
    assert_eq!(ts(src, R), vec![3]);
}

#[test]
fn js_unrelated_env_and_urls_are_not_findings() {
    let src =
        "const region = process.env.AWS_REGION;\nexports.handler = async () => fetch(`https://api.example.com/v1/runtime/${region}`);\n";
    assert_eq!(js(src, R), Vec::<u32>::new());
}

#[test]
fn go_sprintf_url_is_found() {
    let src = "package main\nimport (\"fmt\"; \"net/http\"; \"os\")\nfunc poll() {\n\turl := fmt.Sprintf(\"http://%s/2018-06-01/runtime/invocation/next\", os.Getenv(\"AWS_LAMBDA_RUNTIME_API\"))\n\thttp.Get(url)\n}\n";
    assert_eq!(go(src, R), vec![5]);
}

#[test]
fn go_setenv_is_found_and_getenv_of_region_is_not() {
    let src = "package main\nimport \"os\"\nfunc main() {\n\tos.Setenv(\"AWS_LAMBDA_RUNTIME_API\", \"127.0.0.1:8888\")\n\t_ = os.Getenv(\"AWS_REGION\")\n}\n";
    assert_eq!(go(src, R), vec![4]);
}

#[test]
fn java_uri_create_is_found() {
    let src = "class H {\n  void run() throws Exception {\n    String api = System.getenv(\"AWS_LAMBDA_RUNTIME_API\");\n    HttpRequest r = HttpRequest.newBuilder(URI.create(\"http://\" + api + \"/2018-06-01/runtime/invocation/next\")).build();\n  }\n}\n";
    assert_eq!(java(src, R), vec![4]);
}

#[test]
fn java_plain_getenv_is_not_a_finding() {
    let src =
        "class H {\n  String t = System.getenv(\"TABLE_NAME\");\n  boolean l = System.getenv(\"AWS_LAMBDA_RUNTIME_API\") != null;\n}\n";
    assert_eq!(java(src, R), Vec::<u32>::new());
}

#[test]
fn vendored_runtime_clients_are_not_reported() {
    let src = "def next_invocation(api):\n    return urlopen(f'http://{api}/2018-06-01/runtime/invocation/next')\n";
    assert_eq!(lines(fnwarden_code::Lang::Python, "package/awslambdaric/lambda_runtime_client.py", src, R), Vec::<u32>::new());
    assert_eq!(lines(fnwarden_code::Lang::Python, "src/poller.py", src, R), vec![2]);
}
