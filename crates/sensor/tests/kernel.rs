//! The probes in the real kernel: selection, prefilters, attribution, guards, loss counting
//! and teardown. Needs root and BTF; skips with a message otherwise.

use std::collections::BTreeSet;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::Command;
use std::time::{Duration, Instant};

use fnwarden_event::{Event, EventKind};
use fnwarden_sensor::hook::Hook;
use fnwarden_sensor::normalize::Normalizer;
use fnwarden_sensor::plan::{OpenPrefix, Plan};
use fnwarden_sensor::process::Table;
use fnwarden_sensor::select::OwnCgroup;
use fnwarden_sensor::{Guard, Mode, Sensor, SensorConfig};

/// One test at a time: the teardown test counts every fnw_ program on the machine.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn usable() -> bool {
    // SAFETY: no arguments, reads the effective uid.
    if unsafe { libc::geteuid() } != 0 || !std::path::Path::new("/sys/kernel/btf/vmlinux").exists() {
        eprintln!("skipped: the eBPF sensor tests need root and kernel BTF");
        return false;
    }
    true
}

fn plan(hooks: &[Hook], prefixes: &[(&str, bool)]) -> Plan {
    let mut p = Plan::default();
    p.hooks.extend([Hook::Exec, Hook::Fork, Hook::Exit]);
    p.hooks.extend(hooks.iter().copied());
    p.open_prefixes = prefixes.iter().map(|(s, exact)| OpenPrefix { path: (*s).into(), exact: *exact }).collect();
    p
}

/// Runs `sh -c script` in a fresh monitored cgroup; returns its exit status and the events.
fn run(sensor: &Sensor, name: &str, script: &str) -> (std::process::ExitStatus, Vec<Event>) {
    let cg = OwnCgroup::create(&format!("{name}-{}", std::process::id())).unwrap();
    sensor.probes().select_cgroup(cg.id, 1).unwrap();
    let procs = cg.procs();
    let mut cmd = Command::new("/bin/sh");
    cmd.arg("-c").arg(script).env("AWS_LAMBDA_FUNCTION_NAME", "orders").env("AWS_REGION", "eu-west-1");
    // SAFETY: between fork and exec; writes the child's pid to the cgroup, nothing else.
    unsafe {
        cmd.pre_exec(move || std::fs::write(&procs, "0"));
    }
    let mut child = cmd.spawn().unwrap();
    let mut norm = Normalizer::new(Table::new(vec![name.to_owned()]));
    let mut events = Vec::new();
    let mut status = None;
    let mut until = Instant::now() + Duration::from_secs(20);
    // Read while it runs: /proc must still have the processes for attribution.
    while Instant::now() < until {
        if let Ok(r) = sensor.recv_timeout(Duration::from_millis(20))
            && let Some(ev) = norm.event(&r, 1)
        {
            events.push(ev);
        }
        if status.is_none()
            && let Some(s) = child.try_wait().unwrap()
        {
            status = Some(s);
            until = Instant::now() + Duration::from_millis(300);
        }
    }
    if status.is_none() {
        let _ = child.kill();
    }
    // Reaped already when it finished in time; std keeps the status.
    (child.wait().unwrap(), events)
}

#[test]
fn exec_open_and_exit_of_a_monitored_function_are_reported() {
    let _g = serial();
    if !usable() {
        return;
    }
    let sensor = Sensor::start(&SensorConfig::default(), &plan(&[Hook::Open], &[("/etc/hostname", true)])).unwrap();
    // An exact path lets only itself through: /etc/hostname, not /etc/passwd.
    let (status, events) = run(&sensor, "basic", "sleep 0.2; cat /etc/hostname /etc/passwd > /dev/null; exit 3");
    assert_eq!(status.code(), Some(3));
    for e in &events {
        eprintln!("{}", serde_json::to_string(e).unwrap());
    }
    let exec =
        events.iter().find(|e| e.kind == EventKind::Execve && e.process.as_ref().is_some_and(|p| p.name == "cat")).expect("exec of cat");
    assert_eq!(exec.function.name, "orders");
    assert_eq!(exec.function.provider, "aws");
    assert_eq!(exec.process.as_ref().unwrap().args, ["cat", "/etc/hostname", "/etc/passwd"]);
    let opens: Vec<&str> =
        events.iter().filter(|e| e.kind == EventKind::Open).filter_map(|e| e.file.as_ref()).map(|f| f.path.as_str()).collect();
    assert!(opens.contains(&"/etc/hostname"), "{opens:?}");
    assert!(!opens.contains(&"/etc/passwd"), "filtered in the kernel: {opens:?}");
    let k = sensor.kernel_counters().unwrap();
    assert!(k.filtered() > 0);
    // This test's own opens are not of a monitored process.
    assert!(k.total(fnwarden_sensor::wire::stat::UNMONITORED) > 0);
}

#[test]
fn guard_modes_switch_while_running() {
    let _g = serial();
    if !usable() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("release_agent");
    std::fs::write(&target, "").unwrap();
    let script = format!("sleep 0.1; echo /x > {}; echo survived", target.display());
    let sensor = Sensor::start(&SensorConfig::default(), &plan(&[Hook::Open], &[])).unwrap();

    sensor.probes().set_mode(Guard::EscapeFile, Mode::Monitor).unwrap();
    let (status, events) = run(&sensor, "monitor", &script);
    assert!(status.success());
    let open = events.iter().find(|e| e.file.as_ref().is_some_and(|f| f.path == target.to_string_lossy())).expect("the guarded open");
    let sys = open.syscall.as_ref().unwrap();
    assert_eq!(sys.action.as_deref(), Some("allowed"));
    assert_eq!(sys.args.get("guard").map(String::as_str), Some("escape-file"));
    assert_eq!(std::fs::read_to_string(&target).unwrap().trim(), "/x");

    sensor.probes().set_mode(Guard::EscapeFile, Mode::Kill).unwrap();
    std::fs::write(&target, "").unwrap();
    let (status, events) = run(&sensor, "kill", &script);
    assert_eq!(status.signal(), Some(9), "killed by the probe");
    let open = events.iter().find(|e| e.file.as_ref().is_some_and(|f| f.path == target.to_string_lossy())).expect("the guarded open");
    assert_eq!(open.syscall.as_ref().unwrap().action.as_deref(), Some("killed"));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "");

    sensor.probes().set_mode(Guard::EscapeFile, Mode::Off).unwrap();
    let (status, events) = run(&sensor, "off", &script);
    assert!(status.success());
    // Off, and no rule asked for the path: the open stays in the kernel.
    assert!(!events.iter().any(|e| e.kind == EventKind::Open && e.file.as_ref().is_some_and(|f| f.path == target.to_string_lossy())));
}

#[test]
fn overload_sheds_forks_and_exits_before_execs() {
    let _g = serial();
    if !usable() {
        return;
    }
    // A queue of one: the reader waits on each exec it cannot queue, and the ring fills past
    // the mark behind it.
    let mut cfg = SensorConfig { queue: 1, ..SensorConfig::default() };
    cfg.load.ring_bytes = 64 << 10;
    cfg.shed_bytes = 4096;
    let sensor = Sensor::start(&cfg, &plan(&[], &[])).unwrap();
    let cg = OwnCgroup::create(&format!("shed-{}", std::process::id())).unwrap();
    sensor.probes().select_cgroup(cg.id, 1).unwrap();
    let procs = cg.procs();
    let mut cmd = Command::new("/bin/sh");
    cmd.arg("-c").arg("for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do /bin/true; done");
    // SAFETY: between fork and exec; joins the cgroup.
    unsafe {
        cmd.pre_exec(move || std::fs::write(&procs, "0"));
    }
    assert!(cmd.status().unwrap().success());
    std::thread::sleep(Duration::from_millis(300));
    let mut execs = 0;
    while let Ok(r) = sensor.recv_timeout(Duration::from_millis(200)) {
        if r.kind == fnwarden_sensor::wire::kind::EXEC {
            execs += 1;
        }
    }
    let k = sensor.kernel_counters().unwrap();
    assert_eq!(execs, 21, "the shell and 20 /bin/true");
    assert!(k.total(fnwarden_sensor::wire::stat::SHED) > 0, "forks and exits shed");
    assert_eq!(k.total(fnwarden_sensor::wire::stat::RESERVE_FAILED), 0);
}

/// Ids of every program and map loaded now.
fn loaded() -> (BTreeSet<u32>, BTreeSet<u32>) {
    let progs = aya::programs::loaded_programs().filter_map(Result::ok).map(|p| p.id()).collect();
    let maps = aya::maps::loaded_maps().filter_map(Result::ok).map(|m| m.id()).collect();
    (progs, maps)
}

#[test]
fn stopping_leaves_no_program_or_map_behind() {
    let _g = serial();
    if !usable() {
        return;
    }
    let sensor = Sensor::start(&SensorConfig::default(), &plan(&[Hook::Open, Hook::Connect, Hook::Ptrace], &[("/etc/", false)])).unwrap();
    // This sensor's own objects, by id: other monitors may come and go meanwhile.
    let (progs, maps) = sensor.probes().object_ids();
    let ours: (BTreeSet<u32>, BTreeSet<u32>) = (progs.into_iter().collect(), maps.into_iter().collect());
    let now = loaded();
    assert!(ours.0.len() >= 10 && ours.0.is_subset(&now.0), "programs loaded: {ours:?}");
    assert!(ours.1.len() >= 5 && ours.1.is_subset(&now.1), "maps loaded: {ours:?}");
    sensor.stop();
    // Freeing is deferred in the kernel (RCU): allow it a moment.
    let until = Instant::now() + Duration::from_secs(5);
    let left = || {
        let now = loaded();
        (&now.0 & &ours.0, &now.1 & &ours.1)
    };
    let mut after = left();
    while !(after.0.is_empty() && after.1.is_empty()) && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(100));
        after = left();
    }
    assert!(after.0.is_empty() && after.1.is_empty(), "left after stop: {after:?}");
}

#[test]
fn a_kernel_without_btf_is_named_as_such() {
    let _g = serial();
    if !usable() {
        return;
    }
    let mut cfg = SensorConfig::default();
    cfg.load.btf = Some("/nonexistent/vmlinux".into());
    let e = Sensor::start(&cfg, &plan(&[], &[])).err().expect("no BTF, no sensor");
    assert!(e.to_string().contains("/nonexistent/vmlinux"), "{e}");
    cfg.load.btf = None;
    cfg.load.ring_bytes = 5000;
    cfg.shed_bytes = 1024;
    let e = Sensor::start(&cfg, &plan(&[], &[])).err().expect("bad ring size");
    assert!(e.to_string().contains("power of two"), "{e}");
}
