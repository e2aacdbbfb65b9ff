mod common;
use common::*;

const R: &str = "fnw-scan-hijack-runtime-patch";

#[test]
fn python_patches_are_found() {
    let src = r#"import builtins, socket, sys, http.client
import awslambdaric.lambda_runtime_client as rc
_real_open = builtins.open
builtins.open = lambda *a, **k: _real_open(*a, **k)
socket.socket = Spy
sys.modules['requests'] = fake
http.client.HTTPConnection.request = logged_request
rc.LambdaRuntimeClient.post_invocation_result = steal
setattr(socket, 'create_connection', spy)
sys.settrace(tracer)
sys.addaudithook(hook)
sys.stdout.write = tee
"#;
    assert_eq!(py(src, R), vec![4, 5, 6, 7, 8, 9, 10, 11, 12]);
}

#[test]
fn python_ordinary_assignments_and_mocks_are_not_findings() {
    let src = r#"import os, socket
from unittest import mock
from unittest.mock import MagicMock
os.environ['TABLE'] = 'orders'
socket.setdefaulttimeout(5)
config = {}
config.open = 1
socket.socket = MagicMock()
with mock.patch('socket.socket') as s:
    pass
def handler(event, context):
    event.socket = 1
"#;
    assert_eq!(py(src, R), Vec::<u32>::new());
}

#[test]
fn python_test_files_are_not_reported() {
    let src = "import builtins\nbuiltins.open = fake_open\n";
    assert_eq!(lines(fnwarden_code::Lang::Python, "tests/test_app.py", src, R), Vec::<u32>::new());
    assert_eq!(lines(fnwarden_code::Lang::Python, "src/app.py", src, R), vec![2]);
}

#[test]
fn js_patches_are_found() {
    let src = r#"const Module = require('module');
const http = require('http');
console.log = (...args) => send(args);
process.stdout.write = tee;
Module.prototype.require = hooked;
Module._load = hooked;
require.cache[require.resolve('aws-sdk')] = { exports: fake };
global.fetch = spy;
http.request = wrapped;
Object.defineProperty(globalThis, 'fetch', { value: spy });
Object.defineProperty(process.env, 'AWS_SECRET_ACCESS_KEY', { get: leak });
process.binding('spawn_sync');
"#;
    assert_eq!(js(src, R), vec![3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
}

#[test]
fn js_ordinary_globals_and_test_doubles_are_not_findings() {
    let src = "const Module = require('module');\nmodule.exports = { handler };\nmodule.exports.extra = 1;\nglobal.dbPool = pool;\nconsole.log = jest.fn();\nconst http = { request: 1 };\nprocess.env.TABLE = 'x';\nObject.defineProperty(exports, '__esModule', { value: true });\nmodule.exports.handler = handler;\nexports.handler = async () => ({ statusCode: 200 });\n";
    assert_eq!(js(src, R), Vec::<u32>::new());
}

#[test]
fn java_agents_and_reflection_into_runtime_are_found() {
    let src = r#"class H {
  void patch(Instrumentation inst) throws Exception {
    inst.retransformClasses(Object.class);
    VirtualMachine vm = VirtualMachine.attach("1");
    Class<?> c = Class.forName("java.lang.ProcessEnvironment");
    Field f = c.getDeclaredField("theEnvironment");
    f.setAccessible(true);
  }
  void fine(Field g) { g.setAccessible(true); }
}
"#;
    assert_eq!(java(src, R), vec![3, 4, 7]);
}

#[test]
fn go_stdout_swap_and_linkname_are_found() {
    let src = "package main\nimport (\"os\"; _ \"unsafe\")\n//go:linkname nanotime runtime.nanotime\nfunc nanotime() int64\nfunc init() {\n\tos.Stdout = w\n\tlevel := os.Getenv(\"LEVEL\")\n\t_ = level\n}\n";
    assert_eq!(go(src, R), vec![3, 6]);
    assert_eq!(lines(fnwarden_code::Lang::Go, "main_test.go", src, R), Vec::<u32>::new());
}

#[test]
fn python_flask_handler_swap_is_found() {
    let src = "import sys\nsys.path.insert(0, '/tmp')\nimport function\ndef persist(app):\n    app.view_functions['run'] = function.evil\n    routes = {}\n    routes['run'] = function.evil\n";
    assert_eq!(py(src, R), vec![5]);
}
