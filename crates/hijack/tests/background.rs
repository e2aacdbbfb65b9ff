mod common;
use common::*;

const R: &str = "fnw-scan-hijack-background-process";

#[test]
fn python_detached_and_unwaited_children_are_found() {
    let src = r#"import os, subprocess, threading
def handler(event, context):
    subprocess.Popen(['/opt/bin/agent'])
    p = subprocess.Popen(['/opt/bin/worker'], stdout=subprocess.DEVNULL)
    subprocess.run(['/opt/bin/sync'], start_new_session=True)
    subprocess.Popen(['x'], preexec_fn=os.setsid).wait()
    os.system('nohup /opt/bin/beacon > /dev/null 2>&1 &')
    subprocess.call('sleep 100 &', shell=True)
    if os.fork() == 0:
        os._exit(0)
    os.spawnl(os.P_NOWAIT, '/opt/bin/x', 'x')
    return 1
"#;
    assert_eq!(py(src, R), vec![3, 4, 5, 6, 7, 8, 9, 11]);
}

#[test]
fn python_waited_children_are_not_findings() {
    let src = r#"import os, subprocess
def handler(event, context):
    subprocess.run(['/opt/bin/tool', '--check'], check=True)
    p = subprocess.Popen(['/opt/bin/convert'], stdout=subprocess.PIPE)
    out, _ = p.communicate(timeout=10)
    with subprocess.Popen(['ls']) as q:
        pass
    subprocess.check_output('make && make install 2>&1', shell=True)
    pid = os.fork()
    os.waitpid(pid, 0)
    return out
"#;
    assert_eq!(py(src, R), Vec::<u32>::new());
}

#[test]
fn python_module_scope_looping_thread_is_found() {
    let src = "import threading, socket\n\ndef beacon():\n    while True:\n        socket.create_connection(('198.51.100.7', 4444))\n\ndef once():\n    return 1\n\nthreading.Thread(target=beacon, daemon=True).start()\nthreading.Thread(target=once).start()\n\ndef handler(e, c):\n    threading.Thread(target=beacon).start()\n";
    assert_eq!(py(src, R), vec![10]);
}

#[test]
fn js_detached_and_unref_are_found() {
    let src = "const { spawn, execSync } = require('child_process');\nexports.handler = async () => {\n  const child = spawn('/opt/bin/agent', [], { detached: true, stdio: 'ignore' });\n  child.unref();\n  spawn('/opt/bin/x').unref();\n  execSync('setsid /opt/bin/y');\n};\n";
    assert_eq!(js(src, R), vec![3, 4, 5, 6]);
}

#[test]
fn js_awaited_children_are_not_findings() {
    let src = "const { spawnSync, execFile } = require('child_process');\nconst timer = setTimeout(() => {}, 10);\ntimer.unref();\nexports.handler = async () => {\n  spawnSync('/opt/bin/tool', ['-v']);\n  execFile('/opt/bin/tool', ['-v'], { detached: false }, () => {});\n};\n";
    assert_eq!(js(src, R), Vec::<u32>::new());
}

#[test]
fn go_start_without_wait_is_found() {
    let src = "package main\nimport (\"os/exec\"; \"syscall\")\nfunc bg() {\n\tcmd := exec.Command(\"/opt/bin/agent\")\n\tcmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}\n\tcmd.Start()\n\texec.Command(\"/opt/bin/x\").Start()\n}\nfunc fg() error {\n\tcmd := exec.Command(\"/opt/bin/tool\")\n\tif err := cmd.Start(); err != nil {\n\t\treturn err\n\t}\n\treturn cmd.Wait()\n}\n";
    assert_eq!(go(src, R), vec![5, 6, 7]);
}

#[test]
fn java_start_without_wait_for_is_found() {
    let src = "class H {\n  void bg() throws Exception {\n    new ProcessBuilder(\"/opt/bin/agent\").start();\n    Runtime.getRuntime().exec(\"/opt/bin/x\");\n  }\n  int fg() throws Exception {\n    ProcessBuilder pb = new ProcessBuilder(\"/opt/bin/tool\");\n    Process p = pb.start();\n    return p.waitFor();\n  }\n  int fg2() throws Exception { return Runtime.getRuntime().exec(\"ls\").waitFor(); }\n}\n";
    assert_eq!(java(src, R), vec![3, 4]);
}

#[test]
fn ts_shell_background_and_fork_detached_are_found() {
    let src = "import * as cp from 'child_process';\nexport const handler = async (): Promise<void> => {\n  cp.exec('/opt/bin/agent > /dev/null 2>&1 &');\n  cp.fork('/var/task/worker.js', [], { detached: true });\n  cp.exec('make build 2>&1 && echo done');\n};\n";
    assert_eq!(ts(src, R), vec![3, 4]);
}

#[test]
fn python_asyncio_subprocess_waited_is_not_a_finding() {
    let src = "import asyncio\nasync def handler(e, c):\n    proc = await asyncio.create_subprocess_exec('/opt/bin/x')\n    await proc.wait()\n    await asyncio.create_subprocess_exec('/opt/bin/y')\n";
    assert_eq!(py(src, R), vec![5]);
}
