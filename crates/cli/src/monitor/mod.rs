//! `fnwarden monitor`: the eBPF sensor on a FaaS host. Records from the kernel become events,
//! the engine judges them with the same rules as every other source, and alerts leave through
//! the same outputs. Guards enforce rules that ask for it; every stage counts its losses.

mod audit;
mod config;
mod discover;
mod metrics;
mod modes;
mod signals;

use std::collections::BTreeMap;
use std::io::{BufWriter, Write};
use std::net::SocketAddr;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, ExitCode};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use fnwarden_alert::{Alert, Format};
use fnwarden_detect::{Engine, EngineConfig};
use fnwarden_event::{Event, EventKind, Syscall, Timestamp};
use fnwarden_rules::{RuleSet, Severity};
use fnwarden_sensor::normalize::Normalizer;
use fnwarden_sensor::process::Table;
use fnwarden_sensor::select::{self, OwnCgroup};
use fnwarden_sensor::stats::{KernelCounters, Losses, UserSnapshot};
use fnwarden_sensor::wire::prefix;
use fnwarden_sensor::{LoadOptions, Plan, Sensor, SensorConfig};
use serde_json::json;

use crate::detect::{Tally, emit, finish_output, open_output, parse_duration, parse_severity};
use crate::rulesource::{self, RuleArgs};
use audit::Audit;
use config::MonitorConfig;
use metrics::Metrics;
use modes::GuardModes;

#[derive(clap::Args, Debug)]
#[command(
    about = "Monitor function processes on this host with the eBPF sensor; alert and enforce",
    long_about = "Loads fnwarden's eBPF probes (tracepoints on exec/fork/exit and on the syscalls the \
loaded rules need), watches the selected functions' processes, judges what they do with the \
built-in rules plus any --rules, and writes alerts as they are raised. Only selected processes \
produce events, and path and port prefilters derived from the rules drop the rest in the kernel.\n\n\
Select what to watch with --cgroup (a cgroup v2 directory: a container, a pod, an OpenFaaS or \
Knative function), --pid (a process and its future children), --discover (every container and \
sandbox cgroup, as they appear), or give a command after `--` to start it in a fresh cgroup.\n\n\
Rules with `action: kill` or `deny` enforce through guards: the probes kill the caller of an \
escape primitive (writing release_agent or core_pattern, loading a kernel module, ptrace or \
process_vm_writev against PID 1 or the runtime) before the call returns. --dry-run reports what \
would have been done; --no-enforce only alerts; [rules] and [guards] in --config set modes per \
rule or guard. SIGHUP reloads the rules and the config (a bad reload keeps the running ones); \
every action, mode change and reload is appended to the --audit trail.\n\n\
Nothing is dropped silently: the kernel counts ring-buffer overflows and shed records, userspace \
counts queue overflows, and any loss raises a fnw-monitor-event-loss alert. Under overload the \
probes shed forks, exits and unjudged opens first and keep execs, connects, guarded calls and \
the opens rules asked for.\n\n\
Examples:\n  sudo fnwarden monitor -- python3 handler.py\n  sudo fnwarden monitor --discover --format json -o alerts.jsonl\n  \
sudo fnwarden monitor --cgroup /sys/fs/cgroup/kubepods.slice/… --metrics 127.0.0.1:9464\n  \
fnwarden monitor --plan     # what the rules make the kernel filter, without loading anything"
)]
pub struct Args {
    /// Monitor the processes of this cgroup v2 directory (absolute, or relative to the v2
    /// root). Repeatable.
    #[arg(long = "cgroup", value_name = "PATH")]
    cgroups: Vec<String>,
    /// Monitor this process and the children it starts from now on. Repeatable.
    #[arg(long = "pid", value_name = "PID")]
    pids: Vec<u32>,
    /// Monitor every container and sandbox cgroup (Docker, containerd, CRI-O, Kubernetes pods,
    /// faasd's openfaas-fn, fnwarden sandboxes), rescanning every 2 seconds.
    #[arg(long)]
    discover: bool,
    #[command(flatten)]
    rules: RuleArgs,
    /// TOML settings: [sensor] ring_bytes/queue/shed_bytes, [rules] and [guards] modes.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Enforcing rules report what they would have done (`would-kill`) instead of doing it.
    #[arg(long, conflicts_with = "no_enforce")]
    dry_run: bool,
    /// Enforcing rules only alert.
    #[arg(long)]
    no_enforce: bool,
    /// Alert format: table, json, falco, auto (table on a terminal, else json).
    #[arg(long, value_name = "auto|table|json|falco", default_value = "auto")]
    format: Format,
    /// Write alerts to FILE instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Also write every event the sensor delivered, as JSON lines (replayable with `detect`).
    #[arg(long, value_name = "FILE")]
    events: Option<PathBuf>,
    /// Exit with 1 when an alert at or above this severity was raised.
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    fail_on: Option<Severity>,
    /// Stop after this long (5s, 10m, …); default: until interrupted or the command exits.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    duration: Option<i64>,
    /// Print every stage's counters as one JSON object on stderr at the end.
    #[arg(long)]
    stats: bool,
    /// Print a counters line on stderr at this interval.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    stats_interval: Option<i64>,
    /// Serve Prometheus metrics at http://ADDR/metrics (e.g. 127.0.0.1:9464).
    #[arg(long, value_name = "ADDR")]
    metrics: Option<SocketAddr>,
    /// Append enforcement actions, mode changes and reloads here.
    #[arg(long, value_name = "FILE", default_value = "fnwarden-audit.jsonl")]
    audit: PathBuf,
    /// Kernel BTF file to relocate the probes against (default /sys/kernel/btf/vmlinux).
    #[arg(long, value_name = "FILE")]
    btf: Option<PathBuf>,
    /// Do not try the BPF LSM programs (deny with -EPERM); guards in deny mode then kill.
    #[arg(long)]
    no_lsm: bool,
    /// Print what the rules make the kernel attach and filter, then exit (needs no root).
    #[arg(long)]
    plan: bool,
    /// Any rule that fails to load is an error (exit 2).
    #[arg(long)]
    strict: bool,
    /// A command to start in a fresh monitored cgroup; monitoring ends when it exits.
    #[arg(last = true, value_name = "COMMAND")]
    command: Vec<String>,
}

/// Engine, plan and modes built from one rule set and config.
struct Judge {
    set: RuleSet,
    engine: Engine,
    plan: Plan,
    modes: GuardModes,
}

impl Judge {
    fn build(a: &Args, cfg: &MonitorConfig) -> anyhow::Result<Judge> {
        let set = a.rules.load()?;
        if set.rules.is_empty() && set.correlations.is_empty() {
            bail!("no rules loaded ({} rule errors); give rules with --rules PATH", set.errors.len());
        }
        let engine = Engine::new(&set, EngineConfig { lateness_ns: 1_000_000_000, ..EngineConfig::default() });
        let plan = Plan::from_engine(&engine);
        let modes = GuardModes::from_rules(&set, &engine, cfg, a.dry_run, a.no_enforce);
        Ok(Judge { set, engine, plan, modes })
    }
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    // First: a SIGHUP or SIGINT during start-up must not kill the monitor with its default
    // action; the loop sees it once running.
    signals::install();
    let cfg = match &a.config {
        Some(p) => MonitorConfig::load(p)?,
        None => MonitorConfig::default(),
    };
    let mut judge = Judge::build(&a, &cfg)?;
    rulesource::check(&judge.set, a.strict)?;
    if a.plan {
        print_plan(&judge);
        return Ok(ExitCode::SUCCESS);
    }
    if a.cgroups.is_empty() && a.pids.is_empty() && !a.discover && a.command.is_empty() {
        bail!("nothing to monitor: give --cgroup PATH, --pid PID, --discover, or a command after `--`");
    }
    // SAFETY: reads the effective uid.
    if unsafe { libc::geteuid() } != 0 {
        bail!("fnwarden monitor loads eBPF programs and needs root (CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN); `--plan` works without");
    }
    let mut audit = Audit::open(&a.audit)?;
    let (out, is_tty) = open_output(a.output.as_deref())?;
    let mut sink = a.format.sink(out, is_tty);
    let mut events_out = match &a.events {
        Some(p) => Some(BufWriter::new(std::fs::File::create(p).with_context(|| format!("cannot create --events {}", p.display()))?)),
        None => None,
    };

    let mut sensor_cfg =
        SensorConfig { load: LoadOptions { btf: a.btf.clone(), lsm: !a.no_lsm, ..LoadOptions::default() }, ..SensorConfig::default() };
    if let Some(r) = cfg.sensor.ring_bytes {
        sensor_cfg.load.ring_bytes = r;
        sensor_cfg.shed_bytes = u64::from(r) / 4 * 3;
    }
    if let Some(q) = cfg.sensor.queue {
        sensor_cfg.queue = q;
    }
    if let Some(s) = cfg.sensor.shed_bytes {
        sensor_cfg.shed_bytes = s;
    }
    let sensor = Sensor::start(&sensor_cfg, &judge.plan)?;
    report_start(&sensor, &judge);
    judge.modes.apply(&sensor, &mut audit, "start")?;

    // Self-protection: the monitor's process and files.
    {
        let mut p = sensor.probes();
        p.protect(std::process::id(), 1)?;
        for path in protected_paths(&a) {
            p.add_prefix(&path.to_string_lossy(), !path.is_dir(), prefix::PROTECT)?;
        }
    }

    let mut table = Table::new(Vec::new());
    // Which selection a record's cgroup belongs to; processes selected by pid use `by_pid`.
    let mut by_cgroup: rustc_hash::FxHashMap<u64, u32> = rustc_hash::FxHashMap::default();
    let mut by_pid = 0;
    for c in &a.cgroups {
        let path = select::resolve_cgroup(c)?;
        let id = select::cgroup_id(&path)?;
        let n = table.add_selection(path.to_string_lossy().into_owned());
        by_cgroup.insert(id, n);
        sensor.probes().select_cgroup(id, n)?;
        eprintln!("fnwarden: monitoring cgroup {} (id {id})", path.display());
    }
    for pid in &a.pids {
        if !std::path::Path::new(&format!("/proc/{pid}")).exists() {
            bail!("--pid {pid}: no such process");
        }
        let n = table.add_selection(format!("pid:{pid}"));
        by_pid = n;
        sensor.probes().track(*pid, n)?;
        eprintln!("fnwarden: monitoring pid {pid} and its children");
    }
    let mut discovery = a.discover.then(discover::Discovery::default);
    let (mut child, _own_cgroup) = match a.command.is_empty() {
        true => (None, None),
        false => {
            let (child, cg, n) = start_command(&a.command, &sensor, &mut table)?;
            by_cgroup.insert(cg.id, n);
            (Some(child), Some(cg))
        }
    };

    let mut norm = Normalizer::new(table);
    let metrics = Metrics::default();
    if let Some(addr) = a.metrics {
        let local = metrics.serve(addr)?;
        eprintln!("fnwarden: metrics at http://{local}/metrics");
    }
    let started = Instant::now();
    let deadline = a.duration.map(|ns| started + Duration::from_nanos(ns as u64));
    let mut tally = Tally::default();
    let mut batch: Vec<Alert> = Vec::new();
    let mut open = true;
    let mut delivered = 0u64;
    let mut last_tick = Instant::now();
    let mut last_stats = Instant::now();
    let mut prev = (KernelCounters::default(), UserSnapshot::default());
    let mut child_done: Option<Instant> = None;
    let mut exit_status = None;
    loop {
        if signals::stop_requested() || deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
        if let Some(done) = child_done
            && done.elapsed() > Duration::from_millis(300)
        {
            break;
        }
        if signals::take_reload() {
            reload(&a, &mut judge, &sensor, &mut audit);
        }
        let mut got = 0;
        if let Ok(first) = sensor.recv_timeout(Duration::from_millis(50)) {
            let mut next = Some(first);
            while let Some(r) = next {
                let sel = by_cgroup.get(&r.cgroup).copied().unwrap_or(by_pid);
                if let Some(ev) = norm.event(&r, sel) {
                    delivered += 1;
                    judge_event(&mut judge.engine, ev, &mut audit, &mut events_out, &mut batch)?;
                }
                got += 1;
                next = if got < 4096 { sensor.try_recv() } else { None };
            }
        }
        if !batch.is_empty() && open && !emit(sink.as_mut(), &mut batch, &mut tally, true)? {
            open = false;
        }
        if last_tick.elapsed() >= Duration::from_secs(1) {
            last_tick = Instant::now();
            let now = (sensor.kernel_counters()?, sensor.user_counters());
            let losses = Losses::between((&prev.0, &prev.1), (&now.0, &now.1));
            if losses.any() {
                for ev in loss_events(&losses) {
                    judge_event(&mut judge.engine, ev, &mut audit, &mut events_out, &mut batch)?;
                }
            }
            metrics.set(render_metrics(&now.0, &now.1, delivered, &tally, &judge.engine));
            prev = now;
            if let Some(d) = &mut discovery {
                for (path, id) in d.scan() {
                    let n = norm.table.add_selection(path.clone());
                    by_cgroup.insert(id, n);
                    sensor.probes().select_cgroup(id, n)?;
                    eprintln!("fnwarden: monitoring discovered cgroup {path}");
                }
            }
        }
        if let Some(iv) = a.stats_interval
            && last_stats.elapsed() >= Duration::from_nanos(iv as u64)
        {
            last_stats = Instant::now();
            eprintln!("{}", stats_line(&prev.0, &prev.1, delivered, &tally));
        }
        if child_done.is_none()
            && let Some(c) = child.as_mut()
            && let Some(status) = c.try_wait()?
        {
            exit_status = Some(status);
            child_done = Some(Instant::now());
        }
    }

    // Drain what is still queued, then detach.
    while let Some(r) = sensor.try_recv() {
        let sel = by_cgroup.get(&r.cgroup).copied().unwrap_or(by_pid);
        if let Some(ev) = norm.event(&r, sel) {
            delivered += 1;
            judge_event(&mut judge.engine, ev, &mut audit, &mut events_out, &mut batch)?;
        }
    }
    let k = sensor.kernel_counters()?;
    let u = sensor.user_counters();
    let losses = Losses::between((&prev.0, &prev.1), (&k, &u));
    if losses.any() {
        for ev in loss_events(&losses) {
            judge_event(&mut judge.engine, ev, &mut audit, &mut events_out, &mut batch)?;
        }
    }
    sensor.stop();
    if let Some(mut c) = child {
        if exit_status.is_none() {
            let _ = c.kill();
        }
        let _ = c.wait();
    }
    finish_output(&mut judge.engine, sink.as_mut(), &mut batch, &mut tally, open)?;
    if let Some(w) = events_out.as_mut() {
        w.flush().context("writing --events")?;
    }
    audit.record("stop", json!({"events": delivered, "alerts": tally.total()}));
    eprintln!("{}", stats_line(&k, &u, delivered, &tally));
    if a.stats {
        eprintln!("{}", stats_json(&k, &u, delivered, &tally, &judge));
    }
    Ok(if a.fail_on.is_some_and(|s| tally.reached(s)) { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn judge_event(
    engine: &mut Engine,
    ev: Event,
    audit: &mut Audit,
    events_out: &mut Option<BufWriter<std::fs::File>>,
    batch: &mut Vec<Alert>,
) -> anyhow::Result<()> {
    audit.action(&ev);
    resume_stopped_target(&ev, audit);
    if let Some(w) = events_out.as_mut() {
        serde_json::to_writer(&mut *w, &ev).context("writing --events")?;
        w.write_all(b"\n").context("writing --events")?;
    }
    engine.process(ev, batch);
    Ok(())
}

/// A tracer killed at PTRACE_ATTACH has already stopped its target (the attach sends SIGSTOP
/// before the kill lands); the target is resumed, twice, in case the stop arrives late.
fn resume_stopped_target(ev: &Event, audit: &mut Audit) {
    let Some(s) = &ev.syscall else { return };
    if s.action.as_deref() != Some("killed") || s.args.get("guard").map(String::as_str) != Some("ptrace") {
        return;
    }
    let Some(pid) = s.args.get("host_pid").and_then(|p| p.parse::<i32>().ok()) else { return };
    // SAFETY: sends SIGCONT to a process id; an exited one makes it fail harmlessly.
    let resume = move || unsafe { libc::kill(pid, libc::SIGCONT) };
    resume();
    // The second one off the event loop: a function must not be able to stall it.
    let _ = std::thread::Builder::new().name("fnwarden-resume".into()).spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        resume();
    });
    audit.record("resumed", json!({"pid": pid, "why": "the killed tracer had stopped it"}));
}

/// One `sensor_loss` event per stage that lost records, for the loss rule.
fn loss_events(l: &Losses) -> Vec<Event> {
    let mut out = Vec::new();
    for (stage, reason, n) in [
        ("kernel", "ring_buffer_full", l.reserve_failed),
        ("kernel", "shed_by_policy", l.shed),
        ("userspace", "queue_full", l.queue_dropped),
        ("userspace", "malformed_record", l.malformed),
    ] {
        if n == 0 {
            continue;
        }
        let mut ev = Event::new(EventKind::SensorLoss, Timestamp::now());
        ev.source = "ebpf".into();
        let args = BTreeMap::from([
            ("stage".to_owned(), stage.to_owned()),
            ("reason".to_owned(), reason.to_owned()),
            ("lost".to_owned(), n.to_string()),
        ]);
        ev.syscall = Some(Syscall { args, ..Syscall::default() });
        ev.normalize();
        out.push(ev);
    }
    out
}

fn start_command(cmd: &[String], sensor: &Sensor, table: &mut Table) -> anyhow::Result<(Child, OwnCgroup, u32)> {
    let cg = OwnCgroup::create(&format!("cmd-{}", std::process::id()))?;
    let n = table.add_selection(cmd.join(" "));
    sensor.probes().select_cgroup(cg.id, n)?;
    let procs = cg.procs();
    let mut c = std::process::Command::new(&cmd[0]);
    c.args(&cmd[1..]);
    // SAFETY: between fork and exec the child only writes its pid to the cgroup.
    unsafe {
        c.pre_exec(move || std::fs::write(&procs, "0"));
    }
    let child = c.spawn().with_context(|| format!("cannot start {}", cmd[0]))?;
    // The runtime the command starts is what ptrace and process_vm_writev guards protect.
    sensor.probes().protect(child.id(), 2)?;
    eprintln!("fnwarden: started {} (pid {}) in cgroup {}", cmd.join(" "), child.id(), cg.path.display());
    Ok((child, cg, n))
}

/// The monitor's own files: its binary, config, rules and audit trail.
fn protected_paths(a: &Args) -> Vec<PathBuf> {
    let mut v = Vec::new();
    if let Ok(exe) = std::env::current_exe() {
        v.push(exe);
    }
    v.extend(a.config.iter().cloned());
    v.extend(a.rules.rules.iter().cloned());
    v.push(a.audit.clone());
    v.into_iter().filter_map(|p| std::fs::canonicalize(&p).ok()).collect()
}

fn reload(a: &Args, judge: &mut Judge, sensor: &Sensor, audit: &mut Audit) {
    let built = (|| -> anyhow::Result<Judge> {
        let cfg = match &a.config {
            Some(p) => MonitorConfig::load(p)?,
            None => MonitorConfig::default(),
        };
        let j = Judge::build(a, &cfg)?;
        if !j.set.errors.is_empty() {
            let first = j.set.errors.first().map(ToString::to_string).unwrap_or_default();
            bail!("{} rule errors, the first: {first}", j.set.errors.len());
        }
        Ok(j)
    })();
    match built {
        Ok(new) => {
            let missing: Vec<&str> = new.plan.hooks.difference(&judge.plan.hooks).map(|h| h.name()).collect();
            if !missing.is_empty() {
                eprintln!("fnwarden: reloaded rules need hooks not attached ({}); restart to attach them", missing.join(", "));
            }
            if let Err(e) = sensor.probes().extend_plan(&new.plan) {
                eprintln!("fnwarden: reload: {e}");
            }
            let rules = new.set.rules.len();
            *judge = new;
            if let Err(e) = judge.modes.apply(sensor, audit, "reload") {
                eprintln!("fnwarden: reload: {e}");
            }
            audit.record("reload", json!({"rules": rules}));
            eprintln!("fnwarden: reloaded {rules} rules");
        }
        Err(e) => {
            audit.record("reload-rejected", json!({"error": format!("{e:#}")}));
            eprintln!("fnwarden: reload rejected, the running rules stay: {e:#}");
        }
    }
}

fn report_start(sensor: &Sensor, judge: &Judge) {
    let p = sensor.probes();
    let attached = p.hooks.iter().filter(|h| h.error.is_none()).count();
    eprintln!("fnwarden: {attached} of {} probes attached", p.hooks.len());
    for h in p.hooks.iter().filter(|h| h.error.is_some()) {
        let rules = rules_needing(&judge.engine, &h.hook);
        let who = if rules.is_empty() { String::new() } else { format!("; rules that will not see it: {}", rules.join(", ")) };
        eprintln!("fnwarden: {} ({}) unavailable: {}{who}", h.program, h.target, h.error.as_deref().unwrap_or(""));
    }
    match &p.lsm.reason {
        None => eprintln!("fnwarden: BPF LSM attached: guards in deny mode fail calls with EPERM"),
        Some(r) => eprintln!("fnwarden: {r}; guards kill at syscall entry instead of denying"),
    }
    for (kind, rule) in &judge.plan.unobservable {
        tracing::info!("rule {rule} needs {kind} events, which the eBPF sensor does not produce");
    }
    for line in judge.plan.describe() {
        eprintln!("fnwarden: {line}");
    }
}

/// Rules that need the kinds a hook reports.
fn rules_needing(engine: &Engine, hook: &str) -> Vec<String> {
    let mut out = Vec::new();
    for k in EventKind::ALL {
        if fnwarden_sensor::hook::Hook::for_kind(*k).is_some_and(|h| h.name() == hook)
            && let Some(n) = engine.needs(*k, &[], &|_| true)
        {
            out.extend(n.rules);
        }
    }
    out.sort();
    out.dedup();
    out
}

fn print_plan(judge: &Judge) {
    let p = &judge.plan;
    println!("Hooks: {}", p.hooks.iter().map(|h| h.name()).collect::<Vec<_>>().join(", "));
    if p.open_all {
        println!("Opens: every open crosses into userspace, because of:");
        for (_, r) in p.unbounded.iter().filter(|(k, _)| *k == EventKind::Open) {
            println!("  {r}");
        }
    } else {
        println!(
            "Opens that cross into userspace: {} path prefixes, {} suffixes, {} file names, {} directory names",
            p.open_prefixes.len(),
            p.open_suffixes.len(),
            p.open_names.len(),
            p.open_components.len()
        );
        for o in &p.open_prefixes {
            println!("  {}{}", o.path, if o.exact { "" } else { "…" });
        }
        for x in &p.open_suffixes {
            println!("  …{x}");
        }
        for n in &p.open_names {
            println!("  …/{n}");
        }
        for c in &p.open_components {
            println!("  …/{c}/…");
        }
    }
    if p.connect_all {
        println!("Connects: every inet connect crosses into userspace");
    } else {
        println!("Connects: ports {:?}", p.connect_ports);
    }
    println!("Guards:");
    for (g, (m, rules)) in &judge.modes.guards {
        println!("  {:<12} {:<8} {}", g.name(), m.name(), rules.join(", "));
    }
    let mut unob: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (k, r) in &p.unobservable {
        unob.entry(r.as_str()).or_default().push(k.name());
    }
    if !unob.is_empty() {
        println!("Rules needing events this sensor does not produce ({}):", unob.len());
        for (r, kinds) in unob {
            println!("  {r}: {}", kinds.join(", "));
        }
    }
}

/// Records lost at any stage.
fn lost(k: &KernelCounters, u: &UserSnapshot) -> u64 {
    k.lost() + u.queue_dropped + u.malformed
}

/// The counters line: every `--stats-interval`, and at the end.
fn stats_line(k: &KernelCounters, u: &UserSnapshot, delivered: u64, tally: &Tally) -> String {
    format!(
        "fnwarden: {delivered} events, {}; kernel filtered {:.1}% of {} calls; lost {} (ring full {}, shed {}, queue {})",
        tally.summary(),
        k.filtered_fraction() * 100.0,
        k.seen(),
        lost(k, u),
        k.total(fnwarden_sensor::wire::stat::RESERVE_FAILED),
        k.total(fnwarden_sensor::wire::stat::SHED),
        u.queue_dropped
    )
}

fn stats_json(k: &KernelCounters, u: &UserSnapshot, delivered: u64, tally: &Tally, judge: &Judge) -> serde_json::Value {
    json!({
        "kernel": {
            "seen": k.seen(),
            "filtered": k.filtered(),
            "filtered_fraction": k.filtered_fraction(),
            "emitted": k.emitted(),
            "ring_buffer_full": k.total(fnwarden_sensor::wire::stat::RESERVE_FAILED),
            "shed": k.total(fnwarden_sensor::wire::stat::SHED),
            "hooks": k.to_report(),
        },
        "userspace": u,
        "engine": {"delivered": delivered, "stats": judge.engine.stats()},
        "alerts": {"total": tally.total(), "by_severity": tally.json()},
        "rules": {"loaded": judge.set.rules.len(), "errors": judge.set.errors.len()},
    })
}

fn render_metrics(k: &KernelCounters, u: &UserSnapshot, delivered: u64, tally: &Tally, engine: &Engine) -> String {
    let mut out = String::new();
    let mut rows = Vec::new();
    for h in k.to_report() {
        for (stat, v) in [
            ("seen", h.seen),
            ("unmonitored", h.unmonitored),
            ("prefiltered", h.prefiltered),
            ("emitted", h.emitted),
            ("ring_buffer_full", h.reserve_failed),
            ("shed", h.shed),
        ] {
            rows.push((format!("hook=\"{}\",stat=\"{stat}\"", h.hook), v));
        }
    }
    metrics::family(&mut out, "fnwarden_kernel_records_total", "counter", "Probe runs and their outcome, per hook.", &rows);
    metrics::family(
        &mut out,
        "fnwarden_userspace_records_total",
        "counter",
        "Records through the ring reader and its queue.",
        &[
            ("stat=\"received\"".into(), u.received),
            ("stat=\"queued\"".into(), u.queued),
            ("stat=\"queue_dropped\"".into(), u.queue_dropped),
            ("stat=\"queue_waits\"".into(), u.queue_waits),
            ("stat=\"malformed\"".into(), u.malformed),
        ],
    );
    metrics::family(&mut out, "fnwarden_events_delivered_total", "counter", "Events handed to the engine.", &[(String::new(), delivered)]);
    metrics::family(&mut out, "fnwarden_events_lost_total", "counter", "Records lost at any stage.", &[(String::new(), lost(k, u))]);
    metrics::family(&mut out, "fnwarden_alerts_total", "counter", "Alerts raised.", &[(String::new(), tally.total())]);
    let (pending, groups) = engine.pending();
    metrics::family(
        &mut out,
        "fnwarden_engine_backlog",
        "gauge",
        "Events waiting for reordering, and open correlation groups.",
        &[("what=\"reorder\"".into(), pending as u64), ("what=\"groups\"".into(), groups as u64)],
    );
    out
}
