mod common;
use common::*;

const EXE: &str = "fnw-scan-hijack-tmp-executable";
const TRUST: &str = "fnw-scan-hijack-tmp-trusted";

#[test]
fn python_write_then_chmod_is_traced() {
    let src = r#"import os, stat
def handler(event, context):
    with open('/tmp/helper', 'wb') as f:
        f.write(b'')
    os.chmod('/tmp/helper', 0o755)
    st = os.stat('/tmp/helper')
    os.chmod('/tmp/helper', st.st_mode | stat.S_IEXEC)
"#;
    assert_eq!(py(src, EXE), vec![5, 7]);
    let f = common::findings(fnwarden_code::Lang::Python, "app.py", src);
    let f = f.iter().find(|f| f.rule.id == EXE).unwrap();
    assert_eq!(f.trace.iter().map(|t| t.location.line).collect::<Vec<_>>(), vec![3, 5]);
}

#[test]
fn python_chmod_without_exec_bits_or_outside_tmp_is_not_a_finding() {
    let src = "import os\ndef handler(e, c):\n    os.chmod('/tmp/data.json', 0o644)\n    os.chmod('/var/task/tool', 0o755)\n    os.chmod(os.path.join(base, 'x'), 0o755)\n";
    assert_eq!(py(src, EXE), Vec::<u32>::new());
}

#[test]
fn python_shell_chmod_and_os_open_mode_are_found() {
    let src = "import os, subprocess, tempfile\ndef handler(e, c):\n    subprocess.run(['chmod', '+x', '/tmp/bin/tool'])\n    fd = os.open(os.path.join(tempfile.gettempdir(), 'run.sh'), os.O_WRONLY | os.O_CREAT, 0o700)\n    os.system('chmod 755 /tmp/x')\n";
    assert_eq!(py(src, EXE), vec![3, 4, 5]);
}

#[test]
fn python_cached_binary_in_tmp_is_trusted() {
    let src = r#"import os, shutil, subprocess
BIN = '/tmp/ffmpeg'
def handler(event, context):
    if not os.path.exists(BIN):
        shutil.copy('/var/task/bin/ffmpeg', BIN)
        os.chmod(BIN, 0o755)
    subprocess.run([BIN, '-version'], check=True)
"#;
    assert_eq!(py(src, TRUST), vec![7]);
    assert_eq!(py(src, EXE), vec![6]);
}

#[test]
fn python_fresh_write_then_run_in_same_function_is_not_trusted() {
    let src = "import subprocess\ndef handler(e, c):\n    with open('/tmp/job.sh', 'w') as f:\n        f.write('echo hi')\n    subprocess.run(['sh', '/tmp/job.sh'], check=True)\n";
    assert_eq!(py(src, TRUST), Vec::<u32>::new());
}

#[test]
fn python_loaders_from_tmp_are_found() {
    let src = r#"import sys, pickle, ctypes, importlib.util, runpy
MODEL = '/tmp/model.pkl'
sys.path.insert(0, '/tmp/libs')
def handler(event, context):
    model = pickle.load(open(MODEL, 'rb'))
    lib = ctypes.CDLL('/tmp/libhook.so')
    spec = importlib.util.spec_from_file_location('plugin', '/tmp/plugin.py')
    runpy.run_path('/tmp/setup.py')
    exec(open('/tmp/patch.py').read())
    sys.path.append('/tmp')
"#;
    assert_eq!(py(src, TRUST), vec![3, 5, 6, 7, 8, 9, 10]);
}

#[test]
fn python_data_in_tmp_is_not_trusted() {
    let src = r#"import json, pickle, sys
def handler(event, context):
    with open('/tmp/state.json', 'w') as f:
        json.dump({'n': 1}, f)
    with open('/tmp/state.json') as f:
        state = json.load(f)
    model = pickle.load(open('/var/task/model.pkl', 'rb'))
    sys.path.insert(0, '/var/task/vendor')
    return state
"#;
    assert_eq!(py(src, TRUST), Vec::<u32>::new());
    assert_eq!(py(src, EXE), Vec::<u32>::new());
}

#[test]
fn python_search_path_env_is_found() {
    let src = "import os\nos.environ['LD_PRELOAD'] = '/tmp/hook.so'\nos.environ['PATH'] = '/tmp/bin:' + os.environ['PATH']\nos.environ['TABLE'] = '/tmp/x'\n";
    assert_eq!(py(src, TRUST), vec![2, 3]);
}

#[test]
fn js_chmod_and_require_are_found() {
    let src = r#"const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const bin = path.join(os.tmpdir(), 'tool');
exports.handler = async () => {
  if (!fs.existsSync(bin)) {
    fs.writeFileSync(bin, Buffer.alloc(0));
    fs.chmodSync(bin, 0o755);
  }
  fs.writeFileSync('/tmp/run.sh', 'x', { mode: 0o755 });
  const plugin = require('/tmp/plugin.js');
  return execFileSync(bin, ['--version']);
};
"#;
    assert_eq!(js(src, EXE), vec![9, 11]);
    assert_eq!(js(src, TRUST), vec![12, 13]);
}

#[test]
fn js_plain_tmp_data_is_not_a_finding() {
    let src = "const fs = require('fs');\nexports.handler = async () => {\n  fs.writeFileSync('/tmp/out.json', '{}');\n  fs.chmodSync('/tmp/out.json', 0o600);\n  return JSON.parse(fs.readFileSync('/tmp/out.json', 'utf8'));\n};\n";
    assert_eq!(js(src, EXE), Vec::<u32>::new());
    assert_eq!(js(src, TRUST), Vec::<u32>::new());
}

#[test]
fn go_writefile_0755_and_exec_are_found() {
    let src = "package main\nimport (\"os\"; \"os/exec\")\nfunc run(data []byte) error {\n\tif _, err := os.Stat(\"/tmp/agent\"); err != nil {\n\t\tos.WriteFile(\"/tmp/agent\", data, 0755)\n\t}\n\treturn exec.Command(\"/tmp/agent\", \"-d\").Run()\n}\n";
    assert_eq!(go(src, EXE), vec![5]);
    assert_eq!(go(src, TRUST), vec![7]);
}

#[test]
fn go_data_file_is_not_a_finding() {
    let src = "package main\nimport \"os\"\nfunc save(d []byte) { os.WriteFile(\"/tmp/cache.json\", d, 0644) }\n";
    assert_eq!(go(src, EXE), Vec::<u32>::new());
}

#[test]
fn java_set_executable_and_exec_are_found() {
    let src = "class H {\n  void run() throws Exception {\n    File f = new File(\"/tmp/tool\");\n    f.setExecutable(true);\n    Runtime.getRuntime().exec(new String[]{\"/tmp/tool\", \"-v\"}).waitFor();\n    System.load(\"/tmp/libx.so\");\n    new File(\"/var/task/tool\").setExecutable(true);\n  }\n}\n";
    assert_eq!(java(src, EXE), vec![4]);
    assert_eq!(java(src, TRUST), vec![5, 6]);
}

#[test]
fn python_pathlib_exec_and_os_execv_are_found() {
    let src = "import os\nfrom pathlib import Path\ndef handler(e, c):\n    tool = Path('/tmp') / 'tool'\n    tool.chmod(0o755)\n    os.execv('/tmp/tool', ['tool'])\n";
    assert_eq!(py(src, EXE), vec![5]);
    assert_eq!(py(src, TRUST), vec![6]);
}

#[test]
fn js_search_paths_and_dynamic_import_from_tmp_are_found() {
    let src = "process.env.NODE_PATH = '/tmp/node_modules';\nmodule.paths.push('/tmp/lib');\nexports.handler = async () => {\n  const m = await import('/tmp/plugin.mjs');\n  const { exec } = require('child_process');\n  exec('ls -la /tmp', () => {});\n  return m;\n};\n";
    assert_eq!(js(src, TRUST), vec![1, 2, 4]);
}

#[test]
fn tsx_sources_are_checked() {
    let src = "import { execSync } from 'child_process';\nexport const Page = () => <div>{String(execSync('/tmp/render --once'))}</div>;\n";
    assert_eq!(lines(fnwarden_code::Lang::Tsx, "page.tsx", src, TRUST), vec![2]);
}

#[test]
fn python_execv_of_a_tmp_runtime_is_found() {
    let src = "import os, sys\ndef switch():\n    os.execv('/var/lang/bin/python3', ['python3', '/tmp/new_runtime/bootstrap.py'])\n    os.execl(sys.executable, 'python3', '/var/task/app.py')\n";
    assert_eq!(py(src, TRUST), vec![3]);
}

#[test]
fn js_path_appended_with_tmp_is_found() {
    let src = "process.env.PATH = `${process.env.PATH}:/tmp/bin`;\nprocess.env.NODE_OPTIONS = '--require /tmp/hook.js';\nprocess.env.PATH = `${process.env.PATH}:/opt/bin`;\n";
    assert_eq!(js(src, TRUST), vec![1, 2]);
}
