mod common;
use common::*;

const R: &str = "fnw-scan-hijack-proc-environ";

#[test]
fn python_assembled_paths_are_found() {
    let src = r#"import os, glob
def handler(event, context):
    a = open('/proc/' + 'self' + '/environ').read()
    for pid in os.listdir('/proc'):
        b = open(os.path.join('/proc', pid, 'environ'), 'rb').read()
        c = open(f'/proc/{pid}/environ').read()
        d = open('/proc/%s/environ' % pid).read()
        e = open('/proc/{}/maps'.format(pid)).read()
    leaks = glob.glob('/proc/*/environ')
    return open('/proc/1/mem', 'rb')
"#;
    assert_eq!(py(src, R), vec![3, 5, 6, 7, 8, 9, 10]);
}

#[test]
fn python_path_through_a_constant_traces_it() {
    let src = "ENV_FILE = '/proc/self/environ'\n\ndef handler(event, context):\n    with open(ENV_FILE) as f:\n        return f.read()\n";
    let f = common::findings(fnwarden_code::Lang::Python, "app.py", src);
    let f: Vec<_> = f.iter().filter(|f| f.rule.id == R).collect();
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].location.line, 4);
    assert_eq!(f[0].trace.first().map(|t| t.location.line), Some(1));
}

#[test]
fn python_shell_cat_is_found() {
    let src = "import subprocess\ndef handler(e, c):\n    return subprocess.check_output('cat /proc/1/environ', shell=True)\n";
    assert_eq!(py(src, R), vec![3]);
}

#[test]
fn python_unrelated_proc_and_environ_are_not_findings() {
    let src = r#"import os
def handler(event, context):
    cpu = open('/proc/cpuinfo').read()
    mem = open('/proc/meminfo').read()
    own = open('/proc/self/maps').read()
    region = os.environ['AWS_REGION']
    print("never reads /proc/self/environ")
    cfg = open('/etc/environment').read()
    note = 'environ is a dict'
    return os.environ.get('environ')
"#;
    assert_eq!(py(src, R), Vec::<u32>::new());
}

#[test]
fn js_template_and_join_are_found() {
    let src = "const fs = require('fs');\nconst path = require('path');\nexports.handler = async (pid) => {\n  const a = fs.readFileSync(`/proc/${pid}/environ`, 'utf8');\n  const b = fs.readFileSync(path.join('/proc', String(pid), 'environ'));\n  return fs.readFileSync('/proc/cpuinfo', 'utf8');\n};\n";
    assert_eq!(js(src, R), vec![4, 5]);
}

#[test]
fn go_sprintf_and_readfile_are_found() {
    let src = "package main\nimport (\"fmt\"; \"os\")\nfunc leak(pid int) {\n\tos.ReadFile(fmt.Sprintf(\"/proc/%d/environ\", pid))\n\tos.ReadFile(\"/proc/1/maps\")\n\tos.ReadFile(\"/proc/stat\")\n}\n";
    assert_eq!(go(src, R), vec![4, 5]);
}

#[test]
fn java_paths_get_is_found_and_cpuinfo_is_not() {
    let src = "class H {\n  byte[] a() throws Exception { return Files.readAllBytes(Paths.get(\"/proc/self/environ\")); }\n  byte[] b(String pid) throws Exception { return Files.readAllBytes(Paths.get(\"/proc\", pid, \"environ\")); }\n  byte[] c() throws Exception { return Files.readAllBytes(Paths.get(\"/proc/cpuinfo\")); }\n}\n";
    assert_eq!(java(src, R), vec![2, 3]);
}

#[test]
fn test_fixtures_are_not_reads_but_test_calls_are() {
    let src = "PAYLOADS = ['file:///proc/self/environ', '/proc/1/environ']\ndef test_reads():\n    open('/proc/self/environ')\n";
    assert_eq!(lines(fnwarden_code::Lang::Python, "tests/test_ssrf.py", src, R), vec![3]);
    assert_eq!(lines(fnwarden_code::Lang::Python, "app.py", src, R), vec![1, 3]);
}
