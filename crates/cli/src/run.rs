//! `fnwarden run`: run a function's real handler in the sandbox, judge everything it does, and
//! report alerts with evidence, a verdict and a behaviour profile per invocation.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};
use fnwarden_alert::{Alert, Format};
use fnwarden_detect::{Engine, EngineConfig};
use fnwarden_rules::Severity;
use fnwarden_sandbox::isolation::Limits;
use fnwarden_sandbox::session::{self, RunReport, RunSpec};
use fnwarden_sandbox::{Client, Function, Runtime};
use serde::Deserialize;

use crate::rulesource::{self, RuleArgs};

/// The hidden first argument that turns this binary into the sandbox's init.
pub const INIT_ARG: &str = "__sandbox-init";
/// Alerts kept for the report; past this a hostile function's repetitions are only counted.
const MAX_ALERTS: usize = 10_000;

#[derive(clap::Args, Debug)]
#[command(
    about = "Run a function's handler in an instrumented Lambda-compatible sandbox and judge what it does",
    long_about = "Runs the function in FUNCTION_DIR with its real runtime (Python, Node.js, or its own \
`bootstrap`) inside an isolated sandbox: its own user, PID, mount, network, IPC, UTS and cgroup \
namespaces, a read-only root with /var/task (the code), /opt (layers) and a writable /tmp, a seccomp \
policy, and memory, process and CPU limits. fnwarden serves the Lambda Runtime API, hands the \
function canary credentials in its environment and from fake metadata services (AWS, Azure, GCP, \
Tencent), answers its DNS and records its outbound traffic, which never leaves the sandbox.\n\n\
Every process, file and network action becomes an event attributed to the invocation's request id, \
judged by the built-in rules (plus any --rules). The report gives each invocation's outcome, \
behaviour profile and alerts with evidence, and a verdict: clean, suspicious or malicious.\n\n\
Defaults come from FUNCTION_DIR/function.json when present ({\"runtime\", \"handler\", \
\"invocations\"}), else from the files: app.py or lambda_function.py → Python, index.mjs/index.js → \
Node.js, bootstrap → provided. Needs root (namespaces, cgroups, seccomp).\n\n\
Examples:\n  fnwarden run examples/functions/hello-python\n  \
fnwarden run ./fn --runtime python3.11 --handler app.handler --event event.json --invocations 3\n  \
fnwarden run ./fn --json report.json --fail-on high",
    after_help = "Exit codes: 0 clean (no alert at or above --fail-on), 1 alerts at or above --fail-on, 2 usage, input or sandbox error."
)]
pub struct Args {
    /// The function's code: becomes /var/task in the sandbox.
    #[arg(value_name = "FUNCTION_DIR")]
    dir: PathBuf,
    /// Handler as module.function (Python) or file.function (Node.js).
    #[arg(long)]
    handler: Option<String>,
    /// python3.x, nodejs20.x (or node), provided (the function's own `bootstrap`).
    #[arg(long)]
    runtime: Option<String>,
    /// The invocation event: a JSON file, `-` for stdin, or inline JSON. Default: {} (or
    /// FUNCTION_DIR/event.json when present).
    #[arg(long, value_name = "FILE|-|JSON")]
    event: Option<String>,
    /// Invocations of the same warm instance (a crash or timeout cold-starts a new one).
    #[arg(long, short = 'n')]
    invocations: Option<usize>,
    /// Invocation timeout: 3s, 500ms, 1m. Default: function.json's, else Lambda's 3s.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    timeout: Option<Duration>,
    /// Memory limit in MB (Lambda's memory size).
    #[arg(long, value_name = "MB", default_value_t = 256)]
    memory: u32,
    /// Size of /tmp in MB.
    #[arg(long, value_name = "MB", default_value_t = 512)]
    tmp: u32,
    /// Layers directory, mounted read-only at /opt.
    #[arg(long, value_name = "DIR")]
    layers: Option<PathBuf>,
    /// Runtime interface client for Python: builtin (standard library) or official
    /// (`python3 -m awslambdaric`, installed for /usr/bin/python3).
    #[arg(long, value_name = "builtin|official", default_value = "builtin", value_parser = parse_client)]
    client: Client,
    /// Function name shown in events and alerts (default: the directory's name).
    #[arg(long)]
    name: Option<String>,
    #[command(flatten)]
    rules: RuleArgs,
    /// Write the full report (invocations, profiles, alerts with evidence, logs) as JSON.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Write every event as JSON lines (replayable with `fnwarden detect --input`).
    #[arg(long, value_name = "FILE")]
    events: Option<PathBuf>,
    /// Alert format on stdout: table, json or falco; auto is table on a terminal, else json.
    #[arg(long, value_name = "auto|table|json|falco", default_value = "auto")]
    format: Format,
    /// Exit with 1 when an alert at or above this severity was raised.
    #[arg(long, value_name = "SEVERITY", default_value = "low", value_parser = crate::detect::parse_severity)]
    fail_on: Severity,
    /// Run without the syscall monitor (only to measure what monitoring costs; the network
    /// honeypots and Runtime API checks still run).
    #[arg(long)]
    unmonitored: bool,
}

fn parse_client(s: &str) -> Result<Client, String> {
    match s {
        "builtin" => Ok(Client::Builtin),
        "official" => Ok(Client::Official),
        _ => Err(format!("unknown client {s:?}: expected builtin or official")),
    }
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    crate::detect::parse_duration(s).map(|ns| Duration::from_nanos(ns as u64))
}

/// `function.json`: an example's or a user's defaults for this command.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Defaults {
    runtime: Option<String>,
    handler: Option<String>,
    invocations: Option<usize>,
    timeout: Option<f64>,
}

fn defaults(dir: &Path) -> anyhow::Result<Defaults> {
    let p = dir.join("function.json");
    match std::fs::read_to_string(&p) {
        Ok(text) => serde_json::from_str(&text).with_context(|| format!("{}: not a valid function.json", p.display())),
        Err(_) => Ok(Defaults::default()),
    }
}

/// Runtime and handler from the files present, as a person would guess them.
fn guess(dir: &Path) -> Option<(&'static str, &'static str)> {
    let has = |f: &str| dir.join(f).is_file();
    if has("bootstrap") {
        Some(("provided", "bootstrap"))
    } else if has("app.py") {
        Some(("python3.11", "app.handler"))
    } else if has("lambda_function.py") {
        Some(("python3.11", "lambda_function.lambda_handler"))
    } else if has("index.mjs") || has("index.js") {
        Some(("nodejs20.x", "index.handler"))
    } else {
        None
    }
}

/// The event JSON: a file, stdin, or inline. Malformed JSON is an error naming the place.
fn read_event(spec: Option<&str>, dir: &Path) -> anyhow::Result<Vec<u8>> {
    let (origin, text) = match spec {
        None if dir.join("event.json").is_file() => {
            let p = dir.join("event.json");
            (p.display().to_string(), std::fs::read_to_string(&p).with_context(|| format!("cannot read {}", p.display()))?)
        }
        None => return Ok(b"{}".to_vec()),
        Some("-") => {
            let mut s = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut s).context("cannot read the event from stdin")?;
            ("stdin".to_owned(), s)
        }
        Some(s) if s.trim_start().starts_with(['{', '[', '"']) => ("--event".to_owned(), s.to_owned()),
        Some(p) => (p.to_owned(), std::fs::read_to_string(p).with_context(|| format!("cannot read --event {p}"))?),
    };
    if let Err(e) = serde_json::from_str::<serde_json::Value>(&text) {
        bail!("{origin}:{}:{}: the event is not valid JSON: {e}", e.line(), e.column());
    }
    Ok(text.into_bytes())
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        bail!("fnwarden run needs root: the sandbox creates namespaces and cgroups and loads a seccomp policy (try sudo)");
    }
    if !a.dir.is_dir() {
        bail!("{}: no such function directory", a.dir.display());
    }
    let d = defaults(&a.dir)?;
    let guessed = guess(&a.dir);
    let runtime_name = a.runtime.clone().or(d.runtime.clone()).or(guessed.map(|g| g.0.to_owned())).with_context(|| {
        format!(
            "{}: cannot tell the runtime (no app.py, lambda_function.py, index.mjs, index.js or bootstrap); pass --runtime",
            a.dir.display()
        )
    })?;
    let runtime = Runtime::parse(&runtime_name)
        .with_context(|| format!("unknown runtime {runtime_name:?}: expected python3.x, nodejs20.x or provided"))?;
    if a.client == Client::Official && runtime != Runtime::Python {
        bail!("--client official is available for Python only (npm's aws-lambda-ric needs a native build); use the builtin client");
    }
    let handler = a.handler.clone().or(d.handler.clone()).or(guessed.map(|g| g.1.to_owned())).unwrap_or_else(|| "app.handler".into());
    let payload = read_event(a.event.as_deref(), &a.dir)?;
    let invocations = a.invocations.or(d.invocations).unwrap_or(1).max(1);
    let configured = d
        .timeout
        .map(|t| {
            Duration::try_from_secs_f64(t)
                .with_context(|| format!("{}: timeout {t} is not a number of seconds", a.dir.join("function.json").display()))
        })
        .transpose()?;
    let timeout = a.timeout.or(configured).unwrap_or(Duration::from_secs(3));

    let set = a.rules.load()?;
    rulesource::report_errors(&set, Some(rulesource::RULE_ERRORS_SHOWN));
    let dir = std::fs::canonicalize(&a.dir).with_context(|| format!("cannot resolve {}", a.dir.display()))?;
    let name = a.name.clone().unwrap_or_else(|| dir.file_name().map_or("function".into(), |n| n.to_string_lossy().into_owned()));
    let spec = RunSpec {
        function_dir: dir,
        layers_dir: a.layers.clone(),
        function: Function {
            name: name.clone(),
            version: "$LATEST".into(),
            region: "us-east-1".into(),
            memory_mb: a.memory,
            handler,
            runtime: runtime_name.clone(),
        },
        runtime,
        client: a.client,
        payloads: vec![payload; invocations],
        timeout,
        monitored: !a.unmonitored,
        limits: Limits { memory_mb: u64::from(a.memory), tmp_mb: u64::from(a.tmp), ..Limits::default() },
        init_exe: std::env::current_exe().context("cannot find the fnwarden executable to start the sandbox's init")?,
        init_args: vec![INIT_ARG.to_owned()],
    };

    let mut events_out = match &a.events {
        Some(p) => {
            Some(std::io::BufWriter::new(std::fs::File::create(p).with_context(|| format!("cannot create --events {}", p.display()))?))
        }
        None => None,
    };
    let mut engine = Engine::new(&set, EngineConfig::default());
    let rt =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().context("cannot start the async runtime")?;
    let tty = std::io::stderr().is_terminal();
    if tty {
        eprintln!("fnwarden: running {name} ({runtime_name}, {invocations} invocation(s)) in the sandbox …");
    }
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut suppressed = 0u64;
    let (report, alerts) = rt.block_on(async {
        let runner = tokio::spawn(session::run(spec, tx));
        let mut alerts: Vec<Alert> = Vec::new();
        let mut batch = Vec::new();
        let mut keep = |batch: &mut Vec<Alert>, alerts: &mut Vec<Alert>| {
            let room = MAX_ALERTS.saturating_sub(alerts.len()).min(batch.len());
            alerts.extend(batch.drain(..room));
            suppressed += batch.len() as u64;
            batch.clear();
        };
        while let Some(ev) = rx.recv().await {
            if let Some(w) = events_out.as_mut() {
                serde_json::to_writer(&mut *w, &ev)?;
                w.write_all(b"\n")?;
            }
            engine.process(ev, &mut batch);
            keep(&mut batch, &mut alerts);
        }
        engine.flush(&mut batch);
        keep(&mut batch, &mut alerts);
        let report = runner.await.context("the sandbox task failed")??;
        anyhow::Ok((report, alerts))
    })?;
    if let Some(mut w) = events_out {
        w.flush()?;
    }
    if suppressed > 0 {
        eprintln!("fnwarden: {suppressed} more alerts not kept (the first {MAX_ALERTS} are in the report)");
    }
    let verdict = verdict(&alerts);
    let failed = alerts.iter().any(|x| x.severity >= a.fail_on);

    let stdout = std::io::stdout();
    let is_tty = stdout.is_terminal();
    let mut out = std::io::BufWriter::new(stdout.lock());
    summary(&mut out, &report, &alerts, verdict)?;
    let mut sink = a.format.sink(&mut out, is_tty);
    for x in &alerts {
        sink.emit(x)?;
    }
    sink.finish()?;
    drop(sink);
    out.flush()?;
    if let Some(p) = &a.json {
        let doc = serde_json::json!({
            "schema": "fnwarden.run/v1",
            "verdict": verdict,
            "exit_code": u8::from(failed),
            "report": report,
            "alerts": alerts,
            "alerts_not_kept": suppressed,
            "engine": engine.stats(),
        });
        std::fs::write(p, serde_json::to_vec_pretty(&doc)?).with_context(|| format!("cannot write --json {}", p.display()))?;
    }
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn verdict(alerts: &[Alert]) -> &'static str {
    match alerts.iter().map(|a| a.severity).max() {
        Some(s) if s >= Severity::High => "malicious",
        Some(s) if s >= Severity::Low => "suspicious",
        _ => "clean",
    }
}

/// The readable summary: one line per invocation, then what it did, then the verdict.
fn summary(out: &mut impl Write, r: &RunReport, alerts: &[Alert], verdict: &str) -> std::io::Result<()> {
    writeln!(
        out,
        "fnwarden run: {} ({}), {} invocation(s), {} instance(s), {} events",
        r.function,
        r.runtime,
        r.invocations.len(),
        r.instances,
        r.events
    )?;
    for (i, inv) in r.invocations.iter().enumerate() {
        let start = match inv.init_ms {
            Some(ms) => format!("cold start {ms:.0} ms"),
            None if inv.cold_start => "cold start".to_owned(),
            None => "warm".to_owned(),
        };
        let err = inv.error_type.as_deref().map(|e| format!(" [{e}]")).unwrap_or_default();
        let n = alerts.iter().filter(|a| a.function.request_id == inv.request_id).count();
        writeln!(out, "  #{} {}  {:?}{err}  {:.1} ms, {start}, {n} alert(s)", i + 1, inv.request_id, inv.status, inv.duration_ms)?;
        let p = &inv.profile;
        for cmd in p.processes.iter().take(5) {
            writeln!(out, "      exec  {}", clip(cmd, 100))?;
        }
        let list = |label: &str, items: Vec<&String>, out: &mut dyn Write| -> std::io::Result<()> {
            if !items.is_empty() {
                let shown: Vec<&str> = items.iter().take(6).map(|s| s.as_str()).collect();
                let more = if items.len() > 6 { format!(" … +{}", items.len() - 6) } else { String::new() };
                writeln!(out, "      {label:<5} {}{more}", clip(&shown.join(", "), 110))?;
            }
            Ok(())
        };
        list("write", p.files_written.iter().collect(), out)?;
        list("read", p.files_read.iter().collect(), out)?;
        list("net", p.flows.iter().collect(), out)?;
        list("dns", p.dns.iter().collect(), out)?;
        list("http", p.http.iter().collect(), out)?;
    }
    let mut ids: Vec<&str> = alerts.iter().map(|a| a.rule.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    writeln!(out, "verdict: {verdict} ({} alert(s){}{})", alerts.len(), if ids.is_empty() { "" } else { ": " }, ids.join(", "))?;
    if r.logs_dropped > 0 {
        writeln!(out, "({} function log lines not kept)", r.logs_dropped)?;
    }
    Ok(())
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n { s.to_owned() } else { format!("{}…", s.chars().take(n).collect::<String>()) }
}
