//! The probes in the real kernel: selection, prefilters, attribution, guards, loss counting
//! and teardown. Needs root and BTF; skips with a message otherwise.

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
    (status.expect("the script finished"), events)
}

#[test]
fn exec_open_and_exit_of_a_monitored_function_are_reported() {
    if !usable() {
        return;
    }
    let sensor = Sensor::start(&SensorConfig::default(), &plan(&[Hook::Open], &[("/etc/hostname", true)])).unwrap();
    let (status, events) = run(&sensor, "basic", "sleep 0.2; cat /etc/hostname /etc/passwd > /dev/null; exit 3");
    assert_eq!(status.code(), Some(3));
    for e in &events {
        eprintln!("{}", serde_json::to_string(e).unwrap());
    }
    let exec = events.iter().find(|e| e.kind == EventKind::Execve && e.process.as_ref().is_some_and(|p| p.name == "cat")).expect("exec of cat");
    assert_eq!(exec.function.name, "orders");
    assert_eq!(exec.function.provider, "aws");
    assert_eq!(exec.process.as_ref().unwrap().args, ["cat", "/etc/hostname", "/etc/passwd"]);
    let opens: Vec<&str> = events.iter().filter(|e| e.kind == EventKind::Open).filter_map(|e| e.file.as_ref()).map(|f| f.path.as_str()).collect();
    assert!(opens.contains(&"/etc/hostname"), "{opens:?}");
    assert!(!opens.contains(&"/etc/passwd"), "filtered in the kernel: {opens:?}");
    let k = sensor.kernel_counters().unwrap();
    assert!(k.filtered() > 0);
    let _ = (Guard::Ptrace, Mode::Kill, ExitStatusExt::signal(&status));
}
