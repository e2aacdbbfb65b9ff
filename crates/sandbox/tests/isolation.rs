//! The sandbox's isolation, tried from inside with real runtimes (python3, sh): what the function
//! can see, write and reach, its limits, and the teardown that must leave nothing behind.
//! Needs root (namespaces, cgroups); skips with a message otherwise. The tests run one at a
//! time so that each can check that it left no process and no cgroup of this test binary.

use std::fs::{self, File};
use std::io::{BufRead, BufReader, Read};
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use fnwarden_sandbox::isolation::{ExitInfo, Instance, IsolationError, Limits, Spec};
use nix::sched::{CloneFlags, unshare};
use serde_json::Value;

const INIT: &str = env!("CARGO_BIN_EXE_fnwarden-sandbox-init");
const EROFS: i64 = libc::EROFS as i64;

/// Serializes the tests and skips them without root.
fn serial() -> Option<MutexGuard<'static, ()>> {
    static LOCK: Mutex<()> = Mutex::new(());
    if !nix::unistd::Uid::effective().is_root() {
        println!("skipped: the sandbox needs root");
        return None;
    }
    Some(LOCK.lock().unwrap_or_else(PoisonError::into_inner))
}

/// A function directory readable by the sandbox's unprivileged user.
fn task_dir(files: &[(&str, &str, u32)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).expect("chmod");
    for (name, content, mode) in files {
        let path = dir.path().join(name);
        fs::write(&path, content).expect("write");
        fs::set_permissions(&path, fs::Permissions::from_mode(*mode)).expect("chmod");
    }
    dir
}

fn spec(task: &Path, argv: &[&str]) -> Spec {
    Spec::new(INIT, task, argv.iter().map(|a| (*a).to_owned()).collect())
}

/// A network namespace of the test's own, with nothing but a loopback that is down.
fn private_netns() -> OwnedFd {
    std::thread::spawn(|| {
        unshare(CloneFlags::CLONE_NEWNET).expect("unshare(CLONE_NEWNET)");
        OwnedFd::from(File::open("/proc/thread-self/ns/net").expect("open netns"))
    })
    .join()
    .expect("netns thread")
}

struct Output {
    stdout: String,
    stderr: String,
    exit: ExitInfo,
}

/// Runs a sandbox to its end.
fn run(spec: &Spec) -> Output {
    let mut instance = Instance::start(spec).expect("start the sandbox");
    let (mut out, mut err) = instance.take_output().expect("output");
    let stderr = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let mut stdout = String::new();
    out.read_to_string(&mut stdout).expect("read stdout");
    let exit = instance.wait();
    Output { stdout, stderr: stderr.join().expect("stderr thread"), exit }
}

/// This test binary's sandbox cgroups and unreaped children: none may outlive a test.
fn leftovers() -> Vec<String> {
    leftovers_of(std::process::id())
}

/// The sandbox cgroups and the unreaped children of the process `me`.
fn leftovers_of(me: u32) -> Vec<String> {
    let mut found = Vec::new();
    for parent in
        ["/sys/fs/cgroup/fnwarden", "/sys/fs/cgroup/memory/fnwarden", "/sys/fs/cgroup/pids/fnwarden", "/sys/fs/cgroup/cpu/fnwarden"]
    {
        for entry in fs::read_dir(parent).into_iter().flatten().flatten() {
            if entry.file_name().to_string_lossy().starts_with(&format!("{me}-")) {
                found.push(entry.path().display().to_string());
            }
        }
    }
    for entry in fs::read_dir("/proc").expect("/proc").flatten() {
        let status = fs::read_to_string(entry.path().join("status")).unwrap_or_default();
        if status.lines().any(|l| l.split_whitespace().collect::<Vec<_>>() == ["PPid:", &me.to_string()]) {
            found.push(format!("process {}", entry.file_name().to_string_lossy()));
        }
    }
    found
}

fn assert_clean() {
    assert_eq!(leftovers(), Vec::<String>::new(), "left behind");
}

/// A field of /proc/<pid>/status as the host sees it.
fn host_status(pid: i32, field: &str) -> String {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status.lines().find_map(|l| l.strip_prefix(&format!("{field}:"))).unwrap_or_default().trim().to_owned()
}

/// The sandbox's cgroup directories, from the host's view of its init.
fn cgroup_dirs(init: i32) -> Vec<PathBuf> {
    let text = fs::read_to_string(format!("/proc/{init}/cgroup")).expect("cgroup file");
    text.lines()
        .filter_map(|l| {
            let mut parts = l.splitn(3, ':');
            let (_, controllers, path) = (parts.next()?, parts.next()?, parts.next()?);
            let base = match controllers {
                "" => "/sys/fs/cgroup".to_owned(),
                "memory" | "pids" | "cpu" | "cpu,cpuacct" => format!("/sys/fs/cgroup/{controllers}"),
                _ => return None,
            };
            path.contains("fnwarden").then(|| PathBuf::from(format!("{base}{path}")))
        })
        .filter(|p| p.exists())
        .collect()
}

const PROBE: &str = r#"
import json, os, resource, socket
def attempt(f):
    try:
        f()
        return 0
    except OSError as e:
        return e.errno
r = {}
r["uid"], r["gid"], r["user"] = os.getuid(), os.getgid(), __import__("pwd").getpwuid(os.getuid()).pw_name
r["hostname"] = socket.gethostname()
r["cwd"] = os.getcwd()
r["write"] = {p: attempt(lambda: open(p, "w").write("x")) for p in ["/x", "/var/task/x", "/usr/x", "/etc/x", "/dev/x", "/opt/x", "/tmp/x", "/dev/null"]}
r["exists"] = {p: os.path.exists(p) for p in ["/root", "/home", "/etc/shadow", "/work", "/sys", "/var/task/handler.py", "/opt/layer.txt", "/usr/bin/python3"]}
r["bootstrap"] = open("/var/runtime/bootstrap.py").read()
r["pids"] = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
r["pid"], r["ppid"] = os.getpid(), os.getppid()
r["init"] = open("/proc/1/cmdline", "rb").read().split(b"\0")[0].decode()
r["kill_init"] = attempt(lambda: os.kill(1, 9))
status = dict(l.split(":", 1) for l in open("/proc/self/status").read().splitlines())
r["nnp"], r["capeff"] = status["NoNewPrivs"].strip(), status["CapEff"].strip()
r["nofile"], r["core"] = resource.getrlimit(resource.RLIMIT_NOFILE), resource.getrlimit(resource.RLIMIT_CORE)
r["ifaces"] = [n for _, n in socket.if_nameindex()]
r["routes"] = open("/proc/net/route").read().splitlines()[1:]
r["netns"] = os.stat("/proc/self/ns/net").st_ino
r["fds"] = sorted(int(fd) for fd in os.listdir("/proc/self/fd"))
if r["ifaces"] == ["lo"]:
    r["connect"] = attempt(lambda: socket.create_connection(("10.1.2.3", 80), timeout=1))
print(json.dumps(r), flush=True)
__import__("time").sleep(30)
"#;

#[test]
fn the_runtime_sees_only_its_sandbox() {
    let Some(_serial) = serial() else { return };
    let task = task_dir(&[("handler.py", "def handler(e, c): return e\n", 0o644)]);
    let layers = task_dir(&[("layer.txt", "layer\n", 0o644)]);
    let netns = private_netns();
    let mut spec = spec(task.path(), &["python3", "-c", PROBE]);
    spec.opt_dir = Some(layers.path().to_owned());
    spec.netns = Some(netns.as_raw_fd());
    spec.hostname = "probe-host".to_owned();
    spec.files = vec![(PathBuf::from("/var/runtime/bootstrap.py"), b"print('bootstrap')\n".to_vec(), 0o644)];
    let mut instance = Instance::start(&spec).expect("start the sandbox");
    let (stdout, _stderr) = instance.take_output().expect("output");
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).expect("probe output");
    let r: Value = serde_json::from_str(&line).expect("probe JSON");

    assert_eq!((r["uid"].as_i64(), r["gid"].as_i64(), r["user"].as_str()), (Some(993), Some(990), Some("sbx_user1051")));
    assert_eq!(r["hostname"], "probe-host");
    assert_eq!(r["cwd"], "/var/task");
    for p in ["/x", "/var/task/x", "/usr/x", "/etc/x", "/dev/x", "/opt/x"] {
        assert_eq!(r["write"][p].as_i64(), Some(EROFS), "writing {p}");
    }
    assert_eq!(r["write"]["/tmp/x"], 0);
    assert_eq!(r["write"]["/dev/null"], 0);
    for p in ["/root", "/home", "/etc/shadow", "/work", "/sys"] {
        assert_eq!(r["exists"][p], false, "{p} is visible");
    }
    for p in ["/var/task/handler.py", "/opt/layer.txt", "/usr/bin/python3"] {
        assert_eq!(r["exists"][p], true, "{p} is missing");
    }
    assert_eq!(r["bootstrap"], "print('bootstrap')\n");
    // Only the init and the runtime: no host process.
    assert_eq!(r["pids"], serde_json::json!([1, 2]));
    assert_eq!((r["pid"].as_i64(), r["ppid"].as_i64()), (Some(2), Some(1)));
    assert_eq!(r["init"], INIT);
    assert_eq!(r["kill_init"].as_i64(), Some(i64::from(libc::EPERM)));
    assert_eq!(r["nnp"], "1");
    assert_eq!(r["capeff"], "0000000000000000");
    assert_eq!(r["nofile"], serde_json::json!([1024, 1024]));
    assert_eq!(r["core"], serde_json::json!([0, 0]));
    // stdio, and the directory being listed: nothing of the supervisor's or the init's.
    assert_eq!(r["fds"], serde_json::json!([0, 1, 2, 3]));
    // The test's network namespace, with its loopback only and no route anywhere.
    assert_eq!(r["netns"].as_u64(), Some(netns_inode(&netns)));
    assert_eq!(r["ifaces"], serde_json::json!(["lo"]));
    assert_eq!(r["routes"], serde_json::json!([]));
    assert_eq!(r["connect"].as_i64(), Some(i64::from(libc::ENETUNREACH)));

    // The host's view: pids, the runtime's unprivileged host uid, namespaced pids 1 and 2.
    let (init, runtime) = (instance.init_pid(), instance.runtime_pid());
    assert_eq!(instance.pids(), {
        let mut p = vec![init, runtime];
        p.sort_unstable();
        p
    });
    assert_eq!(host_status(init, "NSpid").split_whitespace().last(), Some("1"));
    assert_eq!(host_status(runtime, "NSpid").split_whitespace().last(), Some("2"));
    assert_eq!(host_status(runtime, "Uid").split_whitespace().next(), Some("3000993"));
    assert_ne!(host_status(init, "Uid").split_whitespace().next(), Some("0"), "the init kept root");

    let dirs = cgroup_dirs(init);
    assert!(!dirs.is_empty(), "no cgroup");
    instance.kill();
    assert_eq!(instance.wait().signal, Some(libc::SIGKILL));
    assert!(dirs.iter().all(|d| !d.exists()), "cgroups left: {dirs:?}");
    assert_eq!(instance.pids(), Vec::<i32>::new());
    drop(instance);
    assert_clean();
}

fn netns_inode(fd: &OwnedFd) -> u64 {
    fs::metadata(format!("/proc/self/fd/{}", fd.as_raw_fd())).expect("netns fd").ino()
}

#[test]
fn output_and_exit_status_reach_the_supervisor() {
    let Some(_serial) = serial() else { return };
    let task = task_dir(&[]);
    let out = run(&spec(task.path(), &["/bin/sh", "-c", "echo out; echo err >&2; exit 3"]));
    assert_eq!((out.stdout.as_str(), out.stderr.as_str()), ("out\n", "err\n"));
    assert_eq!(out.exit, ExitInfo { code: Some(3), signal: None, oom_killed: false });
    assert_clean();
}

#[test]
fn tmp_is_writable_up_to_its_size() {
    let Some(_serial) = serial() else { return };
    let task = task_dir(&[]);
    let mut spec = spec(
        task.path(),
        &[
            "python3",
            "-c",
            "import os\ntry:\n open('/tmp/f','wb').write(b'x' * (6 << 20))\nexcept OSError as e:\n print(e.errno, os.path.getsize('/tmp/f'))",
        ],
    );
    spec.limits.tmp_mb = 4;
    let out = run(&spec);
    let (errno, size) = out.stdout.trim().split_once(' ').expect("errno and size");
    assert_eq!(errno, libc::ENOSPC.to_string(), "{}", out.stderr);
    assert!(size.parse::<u64>().is_ok_and(|s| s > (3 << 20) && s <= 4 << 20), "size {size}");
    assert_eq!(out.exit.code, Some(0));
    assert_clean();
}

#[test]
fn a_memory_hog_is_oom_killed() {
    let Some(_serial) = serial() else { return };
    let task = task_dir(&[]);
    let mut spec = spec(task.path(), &["python3", "-c", "b = []\nwhile True: b.append(b'x' * (1 << 20))"]);
    spec.limits = Limits { memory_mb: 48, tmp_mb: 1, ..Limits::default() };
    let mut instance = Instance::start(&spec).expect("start the sandbox");
    let exit = instance.wait();
    assert_eq!(exit, ExitInfo { code: None, signal: Some(libc::SIGKILL), oom_killed: true });
    assert!(instance.oom_killed());
    assert!(instance.memory_peak_mb().is_some_and(|m| (40..=49).contains(&m)), "peak {:?}", instance.memory_peak_mb());
    drop(instance);
    assert_clean();
}

#[test]
fn a_fork_bomb_stops_at_the_pids_limit_and_kill_cleans_up() {
    let Some(_serial) = serial() else { return };
    let task = task_dir(&[]);
    let bomb = "import os, time\nn = 0\nwhile True:\n try:\n  pid = os.fork()\n except OSError as e:\n  print(e.errno, n, flush=True)\n  break\n if pid == 0:\n  time.sleep(60)\n  os._exit(0)\n n += 1\ntime.sleep(60)";
    let mut spec = spec(task.path(), &["python3", "-c", bomb]);
    spec.limits.pids_max = 20;
    let mut instance = Instance::start(&spec).expect("start the sandbox");
    let (stdout, _) = instance.take_output().expect("output");
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).expect("bomb output");
    // The init and the runtime count too.
    assert_eq!(line.trim(), format!("{} 18", libc::EAGAIN));
    let pids = instance.pids();
    assert_eq!(pids.len(), 20);
    let dirs = cgroup_dirs(instance.init_pid());
    instance.kill();
    instance.kill();
    assert!(pids.iter().all(|p| !Path::new(&format!("/proc/{p}")).exists()), "survivors");
    assert!(dirs.iter().all(|d| !d.exists()), "cgroups left: {dirs:?}");
    drop(instance);
    assert_clean();
}

#[test]
fn the_cpu_quota_throttles() {
    let Some(_serial) = serial() else { return };
    let task = task_dir(&[]);
    let spin = "import time\nt = time.time()\nwhile time.time() - t < 0.5: pass\nprint(time.process_time(), flush=True)\ntime.sleep(30)";
    let mut spec = spec(task.path(), &["python3", "-c", spin]);
    spec.limits.cpu_percent = 20;
    let mut instance = Instance::start(&spec).expect("start the sandbox");
    let (stdout, _) = instance.take_output().expect("output");
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).expect("spin output");
    let cpu: f64 = line.trim().parse().expect("cpu seconds");
    assert!(cpu < 0.2, "{cpu} s of CPU in 0.5 s at 20%");
    let throttled = cgroup_dirs(instance.init_pid())
        .iter()
        .filter_map(|d| fs::read_to_string(d.join("cpu.stat")).ok())
        .flat_map(|s| s.lines().filter_map(|l| l.strip_prefix("nr_throttled ")?.parse::<u64>().ok()).collect::<Vec<_>>())
        .max();
    assert!(throttled.is_some_and(|n| n > 0), "never throttled");
    drop(instance);
    assert_clean();
}

#[test]
fn a_missing_function_directory_is_named() {
    let Some(_serial) = serial() else { return };
    let err = Instance::start(&spec(Path::new("/nonexistent/function"), &["python3"])).expect_err("no directory");
    assert!(matches!(err, IsolationError::TaskDir { .. }), "{err:?}");
    assert!(err.to_string().contains("/nonexistent/function"), "{err}");
    assert_clean();
}

#[test]
fn a_missing_or_broken_runtime_is_reported() {
    let Some(_serial) = serial() else { return };
    let task = task_dir(&[("bootstrap", "#!/bin/sh\necho hi\n", 0o644), ("garbage", "not a program", 0o755)]);
    let cases = [
        ("no-such-runtime", "not found in PATH"),
        ("/var/task/bootstrap", "Permission denied"),
        ("/var/task/absent", "No such file"),
        ("/var/task/garbage", "Exec format error"),
    ];
    for (program, message) in cases {
        match Instance::start(&spec(task.path(), &[program])) {
            Err(e @ IsolationError::Executable { .. }) => {
                assert!(e.to_string().contains(program) && e.to_string().contains(message), "{program}: {e}")
            }
            other => panic!("{program}: {other:?}"),
        }
        assert_clean();
    }
    let mut spec = spec(task.path(), &["python3"]);
    spec.init_exe = PathBuf::from("/nonexistent/init");
    let err = Instance::start(&spec).expect_err("no init");
    assert!(matches!(err, IsolationError::Init { .. }) && err.to_string().contains("No such file"), "{err}");
    assert_clean();
}

#[test]
fn a_failed_setup_is_reported_and_torn_down() {
    let Some(_serial) = serial() else { return };
    let task = task_dir(&[]);
    let mut spec = spec(task.path(), &["python3"]);
    // A file where the next one needs a directory: the init fails while building the root.
    spec.files = vec![(PathBuf::from("/var/runtime/a"), b"a".to_vec(), 0o644), (PathBuf::from("/var/runtime/a/b"), b"b".to_vec(), 0o644)];
    let err = Instance::start(&spec).expect_err("cannot build the root");
    assert!(matches!(err, IsolationError::Setup(_)) && err.to_string().contains("/var/runtime/a/b"), "{err}");
    assert_clean();
    for path in ["/tmp/x", "/var/task/x", "relative", "/var/runtime/../task/x"] {
        spec.files = vec![(PathBuf::from(path), Vec::new(), 0o644)];
        let err = Instance::start(&spec).expect_err("invalid file");
        assert!(matches!(err, IsolationError::Spec(_)) && err.to_string().contains(path), "{path}: {err}");
    }
    assert_clean();
}

#[test]
fn node_and_python_runtimes_start() {
    let Some(_serial) = serial() else { return };
    let task = task_dir(&[("app.mjs", "console.log('node', process.getuid())\n", 0o644)]);
    let out = run(&spec(task.path(), &["python3", "-c", "import os, ssl; print('python', os.getuid())"]));
    assert_eq!((out.stdout.as_str(), out.exit.code), ("python 993\n", Some(0)), "{}", out.stderr);
    if !Path::new("/usr/bin/node").exists() {
        println!("node not installed: its part skipped");
        return;
    }
    let out = run(&spec(task.path(), &["node", "/var/task/app.mjs"]));
    assert_eq!((out.stdout.as_str(), out.exit.code), ("node 993\n", Some(0)), "{}", out.stderr);
    assert_clean();
}

/// Set in the child test process that plays a supervisor killed while its sandbox runs.
const DOOMED_SUPERVISOR: &str = "FNWARDEN_TEST_DOOMED_SUPERVISOR";

#[test]
fn a_dead_supervisor_takes_its_sandbox_along() {
    if let Some(task) = std::env::var_os(DOOMED_SUPERVISOR) {
        let instance = Instance::start(&spec(Path::new(&task), &["/bin/sh", "-c", "sleep 60"])).expect("start");
        println!("pids {} {}", instance.init_pid(), instance.runtime_pid());
        std::thread::sleep(Duration::from_secs(60));
        return;
    }
    let Some(_serial) = serial() else { return };
    let task = task_dir(&[]);
    let mut supervisor = std::process::Command::new(std::env::current_exe().expect("test binary"))
        .args(["a_dead_supervisor_takes_its_sandbox_along", "--exact", "--nocapture"])
        .env(DOOMED_SUPERVISOR, task.path())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("supervisor");
    let mut lines = BufReader::new(supervisor.stdout.take().expect("stdout")).lines();
    let pids = lines.find_map(|l| l.ok()?.strip_prefix("pids ").map(str::to_owned)).expect("the sandbox's pids");
    let (init, runtime) = pids.split_once(' ').expect("two pids");
    supervisor.kill().expect("kill the supervisor");
    supervisor.wait().expect("reap the supervisor");
    // The init sees the supervisor hang up and exits; the kernel kills the rest of the sandbox.
    let t = Instant::now();
    let alive = |pid: &str| fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| !s.contains(") Z "));
    while (alive(init) || alive(runtime)) && t.elapsed() < Duration::from_secs(3) {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(!alive(init) && !alive(runtime), "the sandbox outlived its supervisor");
    // Its cgroups stay behind until the next start sweeps them.
    let stale = |pid: u32| leftovers_of(pid).into_iter().filter(|l| !l.starts_with("process")).collect::<Vec<_>>();
    assert!(!stale(supervisor.id()).is_empty(), "no cgroup to sweep");
    drop(Instance::start(&spec(task.path(), &["/bin/true"])).expect("start"));
    assert_eq!(stale(supervisor.id()), Vec::<String>::new());
    assert_clean();
}

#[test]
fn a_monitored_runtime_hands_its_listener_to_the_supervisor() {
    let Some(_serial) = serial() else { return };
    let task = task_dir(&[]);
    let mut spec = spec(task.path(), &["/bin/sh", "-c", "echo monitored; readlink /proc/$$/fd/*; exit 0"]);
    spec.monitored = true;
    let mut instance = match Instance::start(&spec) {
        Ok(instance) => instance,
        Err(e) => panic!("monitored start (needs crate::policy): {e}"),
    };
    let listener = instance.take_notify_fd().expect("the seccomp listener");
    let stops = std::thread::spawn(move || let_everything_through(&listener));
    instance.wait_exec().expect("the runtime's execve");
    let (mut stdout, _) = instance.take_output().expect("output");
    let mut out = String::new();
    stdout.read_to_string(&mut out).expect("read");
    // The shell's descriptors (the glob's own is closed by the time readlink runs): stdio only,
    // the listener did not stay in the runtime.
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.first(), Some(&"monitored"));
    assert_eq!(lines[1..].iter().filter(|l| l.starts_with("pipe:") || **l == "/dev/null").count(), 3, "{out}");
    assert_eq!(lines.len(), 4, "{out}");
    assert_eq!(instance.wait().code, Some(0));
    // At least the runtime's execve, the shell's fork and readlink's execve stopped.
    assert!(stops.join().expect("responder") >= 3);
    drop(instance);
    assert_clean();
}

/// Answers every seccomp stop with CONTINUE until the filtered processes are gone; the count.
fn let_everything_through(listener: &OwnedFd) -> usize {
    let mut count = 0;
    loop {
        // SAFETY: zeroed plain-data structs, as SECCOMP_IOCTL_NOTIF_RECV requires.
        let mut notif: libc::seccomp_notif = unsafe { std::mem::zeroed() };
        // SAFETY: the ioctl fills `notif`, which is valid for writes.
        if unsafe { libc::ioctl(listener.as_raw_fd(), libc::SECCOMP_IOCTL_NOTIF_RECV, &mut notif) } < 0 {
            return count;
        }
        count += 1;
        let resp = libc::seccomp_notif_resp { id: notif.id, val: 0, error: 0, flags: libc::SECCOMP_USER_NOTIF_FLAG_CONTINUE as u32 };
        // SAFETY: the ioctl reads `resp`, a valid struct; failure means the target died.
        unsafe { libc::ioctl(listener.as_raw_fd(), libc::SECCOMP_IOCTL_NOTIF_SEND, &resp) };
    }
}

/// Cold start: from `Instance::start` to the runtime's first output, against the same
/// interpreter started bare. The issue's target is at most 50 ms more; the assertion leaves room
/// for a loaded machine, the figures are printed.
#[test]
fn a_cold_start_costs_little_more_than_the_interpreter() {
    let Some(_serial) = serial() else { return };
    let task = task_dir(&[]);
    let median = |mut v: Vec<Duration>| {
        v.sort_unstable();
        v[v.len() / 2]
    };
    let bare = median(
        (0..7)
            .map(|_| {
                let t = Instant::now();
                let out = std::process::Command::new("/usr/bin/python3").args(["-c", "print(1)"]).output().expect("python3");
                assert_eq!(out.stdout, b"1\n");
                t.elapsed()
            })
            .collect(),
    );
    let sandboxed = median(
        (0..7)
            .map(|_| {
                let t = Instant::now();
                let mut instance = Instance::start(&spec(task.path(), &["python3", "-c", "print(1)"])).expect("start");
                let (mut stdout, _) = instance.take_output().expect("output");
                let mut first = [0u8; 1];
                stdout.read_exact(&mut first).expect("first output");
                let elapsed = t.elapsed();
                instance.kill();
                elapsed
            })
            .collect(),
    );
    let overhead = sandboxed.saturating_sub(bare);
    println!("bare python3: {bare:?}, sandboxed to first output: {sandboxed:?}, overhead {overhead:?}");
    assert!(overhead < Duration::from_millis(150), "overhead {overhead:?}");
    assert_clean();
}
