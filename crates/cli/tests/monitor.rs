//! `fnwarden monitor` end to end: the real probes in the real kernel, attack programs and
//! benign workloads started with `-- COMMAND`, alerts, enforcement, the audit trail, losses,
//! self-protection and reloads. Every run happens inside a network namespace made for it
//! (`unshare --net`) with only loopback and a dummy interface, and the wrapper checks that it
//! has no default route before anything runs. Needs root and kernel BTF; skips without.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

fn usable() -> bool {
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { geteuid() } == 0;
    let btf = Path::new("/sys/kernel/btf/vmlinux").exists();
    if !root || !btf {
        eprintln!("skipped: `fnwarden monitor` needs root and kernel BTF");
    }
    root && btf
}

unsafe extern "C" {
    fn geteuid() -> u32;
}

/// The namespace the monitor runs in: loopback, and a dummy interface (a port-less bridge on
/// kernels without the dummy driver) holding a private address and the metadata address. It
/// refuses to start if a default route exists.
const NETNS: &str = "set -e; ip link set lo up; ip link add fnw0 type dummy 2>/dev/null || ip link add fnw0 type bridge; \
    ip addr add 10.200.0.1/24 dev fnw0; ip addr add 169.254.169.254/32 dev fnw0; ip link set fnw0 up; \
    if [ -n \"$(ip route show default)\" ]; then echo 'namespace has a default route' >&2; exit 99; fi; exec \"$0\" \"$@\"";

struct Outcome {
    code: i32,
    /// What the monitored command printed.
    stdout: String,
    stderr: String,
    alerts: Vec<Value>,
    audit: Vec<Value>,
}

impl Outcome {
    fn rules(&self) -> Vec<&str> {
        self.alerts.iter().filter_map(|a| a["rule"]["id"].as_str()).collect()
    }

    fn alert(&self, id: &str) -> &Value {
        self.alerts
            .iter()
            .find(|a| a["rule"]["id"] == id)
            .unwrap_or_else(|| panic!("no {id} alert in {:?}\nstderr:\n{}", self.rules(), self.stderr))
    }

    fn actions(&self) -> Vec<(&str, &str)> {
        self.audit
            .iter()
            .filter(|a| a["what"] == "enforcement")
            .map(|a| (a["guard"].as_str().unwrap_or(""), a["action"].as_str().unwrap_or("")))
            .collect()
    }
}

struct Setup {
    dir: tempfile::TempDir,
}

impl Setup {
    fn new() -> Setup {
        Setup { dir: tempfile::tempdir().expect("temp dir") }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn command(&self, args: &[&str], script: &str) -> Command {
        let mut c = Command::new("unshare");
        c.args(["--net", "--", "sh", "-c", NETNS])
            .arg(env!("CARGO_BIN_EXE_fnwarden"))
            .arg("monitor")
            .args(["--format", "json", "-o"])
            .arg(self.path("alerts.jsonl"))
            .arg("--audit")
            .arg(self.path("audit.jsonl"))
            .args(args)
            .args(["--", "sh", "-c", script])
            .env_remove("RUST_LOG")
            .env("FNW_DIR", self.dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c
    }

    fn spawn(&self, args: &[&str], script: &str) -> Child {
        self.command(args, script).spawn().expect("unshare and fnwarden monitor start")
    }

    fn finish(&self, child: Child) -> Outcome {
        let out = child.wait_with_output().expect("fnwarden monitor finishes");
        let lines = |name: &str| -> Vec<Value> {
            std::fs::read_to_string(self.path(name))
                .unwrap_or_default()
                .lines()
                .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{name}: not JSON ({e}): {l}")))
                .collect()
        };
        let o = Outcome {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            alerts: lines("alerts.jsonl"),
            audit: lines("audit.jsonl"),
        };
        assert_ne!(o.code, 99, "the test namespace was not isolated:\n{}", o.stderr);
        o
    }

    fn run(&self, args: &[&str], script: &str) -> Outcome {
        let child = self.spawn(args, script);
        self.finish(child)
    }
}

#[test]
fn release_agent_write_is_killed_before_the_write() {
    if !usable() {
        return;
    }
    let s = Setup::new();
    std::fs::write(s.path("release_agent"), "").unwrap();
    let o = s.run(&[], "sleep 0.2; echo /evil > \"$FNW_DIR/release_agent\"; echo survived");
    assert_eq!(o.code, 0, "{}", o.stderr);
    let a = o.alert("fnw-escape-cgroup-release-agent");
    assert!(a["message"].as_str().unwrap_or("").contains("action=killed"), "{a}");
    assert!(!o.stdout.contains("survived"), "the shell went on after the guarded open: {}", o.stdout);
    assert_eq!(std::fs::read_to_string(s.path("release_agent")).unwrap(), "", "nothing was written");
    assert!(o.actions().contains(&("escape-file", "killed")), "{:?}", o.audit);
    // Modes were recorded at start, and the end.
    assert!(o.audit.iter().any(|a| a["what"] == "mode" && a["guard"] == "escape-file" && a["mode"] == "kill"));
    assert!(o.audit.iter().any(|a| a["what"] == "stop"));
}

#[test]
fn dry_run_reports_what_it_would_do_and_lets_it_happen() {
    if !usable() {
        return;
    }
    let s = Setup::new();
    std::fs::write(s.path("core_pattern"), "").unwrap();
    let o = s.run(&["--dry-run"], "sleep 0.2; echo '|/tmp/x' > \"$FNW_DIR/core_pattern\"; echo survived");
    assert!(o.stdout.contains("survived"), "{}\n{}", o.stdout, o.stderr);
    assert_eq!(std::fs::read_to_string(s.path("core_pattern")).unwrap().trim(), "|/tmp/x");
    assert!(o.actions().contains(&("escape-file", "would-kill")), "{:?}", o.audit);
}

#[test]
fn ptrace_attach_to_pid_1_is_killed() {
    if !usable() {
        return;
    }
    let s = Setup::new();
    // In a new pid namespace the shell is PID 1; python attaches to it.
    let o = s.run(&[], "sleep 0.2; unshare -p -f sh -c 'python3 -c \"import ctypes; ctypes.CDLL(None).ptrace(16, 1, 0, 0); print(\\\"attached\\\")\"; echo after'");
    let a = o.alert("fnw-escape-ptrace-attach");
    assert!(a["message"].as_str().unwrap_or("").contains("action=killed"), "{a}");
    assert!(!o.stdout.contains("attached"), "{}", o.stdout);
    assert!(o.stdout.contains("after"), "only the attacker dies: {}\n{}", o.stdout, o.stderr);
    assert!(o.actions().contains(&("ptrace", "killed")));
}

#[test]
fn credential_reads_and_a_port_scan_inside_the_namespace_alert() {
    if !usable() {
        return;
    }
    let s = Setup::new();
    let scan = "import socket\nfor port in range(1, 41):\n    c = socket.socket()\n    c.settimeout(0.2)\n    try:\n        c.connect(('10.200.0.1', port))\n    except OSError:\n        pass\n    c.close()\n";
    std::fs::write(s.path("scan.py"), scan).unwrap();
    let o = s.run(&[], "sleep 0.2; cat /proc/self/environ > /dev/null; python3 \"$FNW_DIR/scan.py\"");
    let rules = o.rules();
    assert!(rules.contains(&"fnw-cred-proc-environ-read"), "{rules:?}\n{}", o.stderr);
    assert!(rules.contains(&"fnw-disc-port-scan"), "{rules:?}\n{}", o.stderr);
    assert!(o.actions().is_empty(), "nothing here is a guarded primitive: {:?}", o.actions());
}

#[test]
fn a_benign_function_raises_nothing() {
    if !usable() {
        return;
    }
    let s = Setup::new();
    let handler = "import json, os, hashlib, tempfile\n\
def handler(event):\n    data = json.dumps({'items': list(range(100)), 'event': event})\n    with tempfile.NamedTemporaryFile('w', suffix='.json', delete=False) as f:\n        f.write(data)\n    with open(f.name) as g:\n        body = json.load(g)\n    os.unlink(f.name)\n    return hashlib.sha256(json.dumps(body).encode()).hexdigest()\n\
for i in range(20):\n    handler({'id': i})\nprint('done')\n";
    // Code under /tmp is "executed from a writable directory": the handler lives where
    // deployed code does, outside it (the clone itself may be under /tmp).
    let task = tempfile::tempdir_in("/var/lib").unwrap();
    let path = task.path().join("handler.py");
    std::fs::write(&path, handler).unwrap();
    let o = s.run(&["--stats"], &format!("sleep 0.2; AWS_LAMBDA_FUNCTION_NAME=orders python3 {}", path.display()));
    assert!(o.stdout.contains("done"), "{}", o.stderr);
    assert!(o.alerts.is_empty(), "{:?}", o.rules());
    // The kernel kept most calls out of userspace, and lost nothing.
    let stats: Value = o.stderr.lines().rev().find_map(|l| serde_json::from_str(l).ok()).expect("--stats JSON on stderr");
    assert!(stats["kernel"]["filtered_fraction"].as_f64().unwrap_or(0.0) > 0.5, "{stats}");
    assert_eq!(stats["kernel"]["ring_buffer_full"], 0);
    assert!(stats["engine"]["delivered"].as_u64().unwrap_or(0) > 0);
}

#[test]
fn losses_are_counted_and_raise_an_alert() {
    if !usable() {
        return;
    }
    let s = Setup::new();
    // A tiny ring and queue, no shedding: the flood overflows both.
    std::fs::write(s.path("small.toml"), "[sensor]\nring_bytes = 8192\nqueue = 1\nshed_bytes = 0\n").unwrap();
    let flood = "import os\nfor i in range(30000):\n    os.close(os.open('/proc/self/status', os.O_RDONLY))\n";
    std::fs::write(s.path("flood.py"), flood).unwrap();
    let cfg = s.path("small.toml");
    let o = s.run(&["--config", cfg.to_str().unwrap(), "--stats"], "sleep 0.2; python3 \"$FNW_DIR/flood.py\"");
    let stats: Value = o.stderr.lines().rev().find_map(|l| serde_json::from_str(l).ok()).expect("--stats JSON on stderr");
    let lost = stats["kernel"]["ring_buffer_full"].as_u64().unwrap_or(0) + stats["userspace"]["queue_dropped"].as_u64().unwrap_or(0);
    assert!(lost > 0, "{stats}");
    let a = o.alert("fnw-monitor-event-loss");
    assert!(a["message"].as_str().unwrap_or("").contains("lost"), "{a}");
    assert!(o.stderr.contains("lost"), "{}", o.stderr);
}

#[test]
fn attempts_on_the_monitor_itself_alert() {
    if !usable() {
        return;
    }
    let s = Setup::new();
    let rules = s.path("extra.yaml");
    std::fs::write(&rules, "- list: fnw_test_unused\n  items: [x]\n").unwrap();
    // The command's parent is the monitor: signal it, call bpf(), append to its rules.
    let script = format!(
        "sleep 0.2; kill -CONT $PPID; python3 -c 'import ctypes; ctypes.CDLL(None).syscall(321, 11, 0, 0)'; echo >> {}",
        rules.display()
    );
    let o = s.run(&["--rules", rules.to_str().unwrap()], &script);
    let got = o.rules();
    for id in ["fnw-monitor-signalled", "fnw-monitor-bpf-from-function", "fnw-monitor-files-tampered"] {
        assert!(got.contains(&id), "{id} missing from {got:?}\n{}", o.stderr);
    }
}

#[test]
fn a_bad_reload_keeps_the_running_rules() {
    if !usable() {
        return;
    }
    let s = Setup::new();
    let rules = s.path("custom.yaml");
    let rule = "- rule: Marker opened\n  id: test-marker-open\n  desc: test\n  condition: evt.type = open and fd.name = /etc/fnw-reload-marker\n  output: marker opened by %proc.name\n  priority: WARNING\n";
    std::fs::write(&rules, rule).unwrap();
    let go = s.path("go");
    let script = format!("while [ ! -e {} ]; do sleep 0.05; done; cat /etc/fnw-reload-marker 2>/dev/null; true", go.display());
    let child = s.spawn(&["--rules", rules.to_str().unwrap()], &script);
    let pid = child.id();
    // Started when the audit trail shows the modes.
    let until = Instant::now() + Duration::from_secs(20);
    while Instant::now() < until && !std::fs::read_to_string(s.path("audit.jsonl")).unwrap_or_default().contains("\"mode\"") {
        std::thread::sleep(Duration::from_millis(50));
    }
    std::fs::write(&rules, "- rule: broken\n  condition: evt.type = = open\n").unwrap();
    // SAFETY: signals the monitor this test started.
    unsafe { kill(pid as i32, 1) };
    std::thread::sleep(Duration::from_millis(700));
    std::fs::write(&go, "").unwrap();
    let o = s.finish(child);
    assert!(o.stderr.contains("reload rejected"), "{}", o.stderr);
    assert!(o.rules().contains(&"test-marker-open"), "the old rule still judged: {:?}\n{}", o.rules(), o.stderr);
    assert!(o.audit.iter().any(|a| a["what"] == "reload-rejected"));
}

unsafe extern "C" {
    fn kill(pid: i32, sig: i32) -> i32;
}

#[test]
fn bad_input_is_refused_with_a_clear_message() {
    if !usable() {
        return;
    }
    let s = Setup::new();
    std::fs::write(s.path("bad.toml"), "[sensor]\nring_byte = 4096\n").unwrap();
    let cfg = s.path("bad.toml");
    let o = s.run(&["--config", cfg.to_str().unwrap()], "true");
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("ring_byte"), "{}", o.stderr);
    std::fs::write(s.path("odd.toml"), "[sensor]\nring_bytes = 5000\n").unwrap();
    let cfg = s.path("odd.toml");
    let o = s.run(&["--config", cfg.to_str().unwrap()], "true");
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("power of two"), "{}", o.stderr);
    let o = s.run(&["--cgroup", "/no/such/cgroup"], "true");
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("no cgroup"), "{}", o.stderr);
}

#[test]
fn metrics_are_served_on_loopback() {
    if !usable() {
        return;
    }
    let s = Setup::new();
    let go = s.path("go");
    let script = format!("cat /proc/self/environ > /dev/null; while [ ! -e {} ]; do sleep 0.05; done", go.display());
    let mut child = s.spawn(&["--metrics", "127.0.0.1:0"], &script);
    // The address is on stderr; the namespace's loopback is only reachable from inside it, so
    // the scrape runs there too.
    let pid = child.id();
    let stderr = child.stderr.take().unwrap();
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(stderr));
    let addr = lines
        .by_ref()
        .find_map(|l| l.ok()?.split("metrics at http://").nth(1).map(|r| r.trim_end_matches("/metrics").to_owned()))
        .expect("metrics address on stderr");
    std::thread::sleep(Duration::from_millis(1500));
    let port = addr.rsplit(':').next().unwrap();
    let body = Command::new("nsenter")
        .args(["-t", &pid.to_string(), "-n", "python3", "-c"])
        .arg(format!("import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:{port}/metrics').read().decode())"))
        .output()
        .expect("nsenter runs");
    std::fs::write(&go, "").unwrap();
    let _ = child.wait();
    let text = String::from_utf8_lossy(&body.stdout);
    assert!(
        text.contains("fnwarden_kernel_records_total{hook=\"open\",stat=\"seen\"}"),
        "{text}\n{}",
        String::from_utf8_lossy(&body.stderr)
    );
    assert!(text.contains("fnwarden_events_lost_total 0"), "{text}");
}

#[test]
fn the_builtin_rules_keep_opens_in_the_kernel() {
    // No root needed: the plan is derived from the rules alone.
    let out = Command::new(env!("CARGO_BIN_EXE_fnwarden")).args(["monitor", "--plan"]).output().expect("fnwarden runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("Opens that cross into userspace:"), "every open would cross:\n{text}");
    for entry in ["  /tmp/…", "  …/release_agent", "  …/.aws/credentials", "  …/.ssh/…"] {
        assert!(text.lines().any(|l| l == entry), "{entry} missing:\n{text}");
    }
    assert!(text.contains("escape-file  kill"), "{text}");
}
