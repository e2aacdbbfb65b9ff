//! One `fnwarden run`: the sandbox network and its honeypots, the Runtime API, and as many
//! instances (cold starts) as the invocations need. Every event from every part is enriched
//! with what the sandbox knows and handed to the caller, who judges it.

use std::net::SocketAddr;
use std::os::fd::AsRawFd;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use fnwarden_event::{
    Event, EventKind, FunctionId, HttpRequest, Invocation as InvocationFacts, InvocationStatus, L4Proto, LogLine, NetAction, Process,
    Timestamp,
};
use serde::Serialize;
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};

use crate::bootstrap::{Client, Runtime};
use crate::enrich::Enricher;
use crate::environment::{Canaries, Function, lambda_env};
use crate::honeypot::Honeypots;
use crate::isolation::{Instance, Limits, Spec};
use crate::monitor::{Monitor, Roles};
use crate::netns::NetNs;
use crate::profile::Profile;
use crate::runtime_api::{ApiError, Call, Invocation, Outcome, RuntimeApi};

/// Where runtimes find the Runtime API, as on Lambda.
pub const RUNTIME_API: &str = "127.0.0.1:9001";
/// Lambda's limit on a runtime's init phase.
const INIT_TIMEOUT: Duration = Duration::from_secs(10);
/// Function output kept in the report; the rest is counted.
const MAX_LOG_LINES: usize = 1000;

/// What to run, and how.
#[derive(Clone, Debug)]
pub struct RunSpec {
    pub function_dir: PathBuf,
    pub layers_dir: Option<PathBuf>,
    pub function: Function,
    pub runtime: Runtime,
    pub client: Client,
    /// One event per invocation, in order; all share one warm instance unless it dies.
    pub payloads: Vec<Vec<u8>>,
    pub timeout: Duration,
    /// Off only to measure what monitoring costs.
    pub monitored: bool,
    pub limits: Limits,
    /// How the sandbox's init is started: this program with these arguments.
    pub init_exe: PathBuf,
    pub init_args: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("cannot make canary credentials: {0}")]
    Canaries(std::io::Error),
    #[error("sandbox network: {0}")]
    Net(#[from] crate::netns::NetError),
    #[error("Runtime API: {0}")]
    Api(#[from] ApiError),
    #[error("cannot serve the Runtime API inside the sandbox: {0}")]
    ApiListener(std::io::Error),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Success,
    /// The handler raised or returned an error.
    Error,
    /// The runtime could not load the handler.
    InitError,
    Timeout,
    /// The runtime died mid-invocation (crash, kill, out of memory).
    Crashed,
}

#[derive(Clone, Debug, Serialize)]
pub struct InvocationReport {
    pub request_id: String,
    pub cold_start: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub init_ms: Option<f64>,
    pub duration_ms: f64,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_type: Option<String>,
    /// The response or error body (first 4 KiB, as text).
    pub response: String,
    pub profile: Profile,
}

#[derive(Clone, Debug, Serialize)]
pub struct RunReport {
    pub function: String,
    pub runtime: String,
    pub monitored: bool,
    pub instances: u32,
    pub invocations: Vec<InvocationReport>,
    /// The function's stdout and stderr.
    pub logs: Vec<String>,
    pub logs_dropped: u64,
    pub events: u64,
}

/// What the event pump needs to know about the live instance.
#[derive(Default)]
struct Live {
    runtime: i32,
    init: i32,
    /// The runtime has polled /next once; an exec of its pid after that replaces it.
    serving: bool,
    replaced: bool,
    monitor: Option<Arc<Monitor>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Live {
    /// The host pid behind a client socket of the sandbox (`server`: the end it reached), looked
    /// up while the socket is open.
    fn owner(&self, proto: L4Proto, client: SocketAddr, server: SocketAddr) -> Option<i32> {
        let pids = self.pids();
        match proto {
            L4Proto::Udp => crate::peer::udp_socket_owner(self.runtime, client, &pids),
            _ => crate::peer::socket_owner(self.runtime, client, server, &pids),
        }
    }

    /// A process as events show it, with its role.
    fn process(&self, host_pid: i32) -> (Process, &'static str) {
        let process = self.monitor.as_ref().and_then(|m| m.process_of(host_pid)).unwrap_or_else(|| describe(host_pid));
        (process, self.role_of(host_pid))
    }

    /// The sandbox's init and its descendants, from the kernel's child lists.
    fn pids(&self) -> Vec<i32> {
        let mut out = vec![self.init];
        let mut i = 0;
        while i < out.len() && out.len() < 4096 {
            let pid = out[i];
            for task in std::fs::read_dir(format!("/proc/{pid}/task")).into_iter().flatten().flatten() {
                let children = std::fs::read_to_string(task.path().join("children")).unwrap_or_default();
                out.extend(children.split_whitespace().filter_map(|c| c.parse::<i32>().ok()));
            }
            i += 1;
        }
        out
    }

    /// The role of a host pid when no monitor says it (unmonitored runs).
    fn role_of(&self, host_pid: i32) -> &'static str {
        if let Some(r) = self.monitor.as_ref().and_then(|m| m.role_of(host_pid)) {
            r.name()
        } else if host_pid == self.runtime {
            "runtime"
        } else if host_pid == self.init {
            "init"
        } else {
            "function"
        }
    }
}

/// Shared between the run loop and the event pump.
struct Shared {
    live: Mutex<Live>,
    enricher: Mutex<Enricher>,
    profile: Mutex<Profile>,
    logs: Mutex<(Vec<String>, u64)>,
    events: Mutex<u64>,
}

/// Runs every invocation of `spec`, sending each enriched event to `out`.
pub async fn run(spec: RunSpec, out: UnboundedSender<Event>) -> Result<RunReport, RunError> {
    let canaries = Arc::new(Canaries::new().map_err(RunError::Canaries)?);
    let ns = NetNs::create()?;
    let (raw_tx, raw_rx) = mpsc::unbounded_channel::<Event>();
    let honeypots = Honeypots::start(&ns, Arc::clone(&canaries), raw_tx.clone()).await?;
    let listener = ns.tcp_listener(SocketAddr::from(([127, 0, 0, 1], 9001))).map_err(RunError::ApiListener)?;
    let (api, calls) = RuntimeApi::serve_on(listener)?;

    let function_id = FunctionId {
        provider: "aws".into(),
        name: spec.function.name.clone(),
        arn: arn(&spec.function),
        version: spec.function.version.clone(),
        instance: String::new(),
        runtime: spec.function.runtime.clone(),
        region: spec.function.region.clone(),
        account: ACCOUNT.into(),
        request_id: String::new(),
    };
    let shared = Arc::new(Shared {
        live: Mutex::new(Live::default()),
        enricher: Mutex::new(Enricher::new(function_id, canaries.finder(), honeypots.tokens().clone())),
        profile: Mutex::new(Profile::default()),
        logs: Mutex::new((Vec::new(), 0)),
        events: Mutex::new(0),
    });
    api.set_resolver({
        let shared = Arc::clone(&shared);
        Arc::new(move |peer| lock(&shared.live).owner(L4Proto::Tcp, peer, SocketAddr::from(([127, 0, 0, 1], 9001))))
    });
    honeypots.set_attributor({
        let shared = Arc::clone(&shared);
        Arc::new(move |proto, client, server| {
            let live = lock(&shared.live);
            live.owner(proto, client, server).map(|pid| live.process(pid))
        })
    });
    let pump = tokio::spawn(pump(Arc::clone(&shared), raw_rx, calls, out));

    let mut runner =
        Runner { spec: &spec, shared: &shared, api: &api, canaries: &canaries, ns: &ns, raw: raw_tx, instance: None, starts: 0 };
    let mut reports = Vec::new();
    for (i, payload) in spec.payloads.iter().enumerate() {
        reports.push(runner.invoke(i, payload).await);
    }
    runner.teardown();
    drop(runner);
    api.shutdown();
    honeypots.stop();
    // The pump ends once every sender (monitor threads, honeypots, log readers) is gone.
    let _ = tokio::time::timeout(Duration::from_secs(5), pump).await;
    drop(ns);

    let (logs, logs_dropped) = std::mem::take(&mut *lock(&shared.logs));
    let events = *lock(&shared.events);
    Ok(RunReport {
        function: spec.function.name.clone(),
        runtime: spec.function.runtime.clone(),
        monitored: spec.monitored,
        instances: reports.iter().filter(|r| r.cold_start).count() as u32,
        invocations: reports,
        logs,
        logs_dropped,
        events,
    })
}

const ACCOUNT: &str = "123456789012";

fn arn(f: &Function) -> String {
    format!("arn:aws:lambda:{}:{ACCOUNT}:function:{}", f.region, f.name)
}

struct Runner<'a> {
    spec: &'a RunSpec,
    shared: &'a Arc<Shared>,
    api: &'a RuntimeApi,
    canaries: &'a Arc<Canaries>,
    ns: &'a NetNs,
    raw: UnboundedSender<Event>,
    instance: Option<(Instance, Option<Arc<Monitor>>)>,
    starts: u32,
}

/// A cold start's outcome.
enum Started {
    Ready(f64),
    Failed(Status, String),
}

impl Runner<'_> {
    async fn invoke(&mut self, index: usize, payload: &[u8]) -> InvocationReport {
        let request_id = request_id(index);
        let mut report = InvocationReport {
            request_id: request_id.clone(),
            cold_start: false,
            init_ms: None,
            duration_ms: 0.0,
            status: Status::Success,
            error_type: None,
            response: String::new(),
            profile: Profile::default(),
        };
        *lock(&self.shared.profile) = Profile::default();
        if let Some((_, Some(m))) = &self.instance {
            m.take_syscall_counts();
        }
        let started_at = Timestamp::now();
        lock(&self.shared.enricher).invocation_started(started_at, &request_id);
        self.emit(lifecycle(EventKind::InvokeStart, None));

        if self.instance.is_none() {
            report.cold_start = true;
            match self.cold_start().await {
                Started::Ready(ms) => report.init_ms = Some(ms),
                Started::Failed(status, error) => {
                    report.status = status;
                    report.error_type = Some(error);
                    self.teardown();
                    report.profile = std::mem::take(&mut *lock(&self.shared.profile));
                    return report;
                }
            }
        }

        let deadline = std::time::SystemTime::now() + self.spec.timeout;
        let deadline_ms = deadline.duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64);
        let invocation = Invocation {
            request_id: request_id.clone(),
            payload: payload.to_vec(),
            deadline_ms,
            function_arn: arn(&self.spec.function),
            trace_id: format!(
                "Root=1-{:08x}-{}",
                started_at.0 / 1_000_000_000,
                request_id.replace('-', "").chars().take(24).collect::<String>()
            ),
            client_context: None,
            cognito_identity: None,
        };
        let polls_before = *self.api.polls().borrow();
        let t0 = Instant::now();
        let api = self.api;
        let outcome = tokio::select! {
            r = tokio::time::timeout(self.spec.timeout, api.invoke(invocation)) => r.ok(),
            _ = self.runtime_exit() => Some(Err(ApiError::Stopped)),
        };
        report.duration_ms = t0.elapsed().as_secs_f64() * 1000.0;
        match outcome {
            Some(Ok(Outcome::Response(body))) => report.response = text(&body),
            Some(Ok(Outcome::Error { error_type, body })) => {
                report.status = Status::Error;
                report.error_type = Some(error_type);
                report.response = text(&body);
            }
            Some(Err(ApiError::InitError(e))) => {
                report.status = Status::InitError;
                report.error_type = Some(e);
            }
            Some(Err(_)) => {
                report.status = Status::Crashed;
                report.error_type = Some(self.exit_reason());
            }
            None => {
                report.status = Status::Timeout;
                report.error_type = Some("Sandbox.Timedout".into());
            }
        }
        if report.status == Status::Success || report.status == Status::Error {
            self.census(polls_before).await;
        } else {
            // Lambda resets the environment after a timeout or a crash: the next invocation
            // cold-starts a fresh instance.
            self.teardown();
        }
        let status = match report.status {
            Status::Success => InvocationStatus::Success,
            Status::Error | Status::InitError | Status::Crashed => InvocationStatus::Error,
            Status::Timeout => InvocationStatus::Timeout,
        };
        let facts = InvocationFacts {
            duration_ms: Some(report.duration_ms),
            billed_ms: Some(report.duration_ms.ceil()),
            memory_mb: Some(f64::from(self.spec.function.memory_mb)),
            init_ms: report.init_ms,
            timeout_ms: Some(self.spec.timeout.as_secs_f64() * 1000.0),
            status: Some(status),
            error_type: report.error_type.clone().unwrap_or_default(),
            ..Default::default()
        };
        self.emit(lifecycle(EventKind::InvokeReport, Some(facts)));
        // Let the events of this invocation reach the pump before its profile is taken.
        tokio::time::sleep(Duration::from_millis(20)).await;
        report.profile = std::mem::take(&mut *lock(&self.shared.profile));
        if let Some((_, Some(m))) = &self.instance {
            report.profile.stops = m.take_syscall_counts().into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        }
        report
    }

    fn emit(&self, ev: Event) {
        let _ = self.raw.send(ev);
    }

    async fn cold_start(&mut self) -> Started {
        self.api.cancel_all();
        let launch = self.spec.runtime.launch(self.spec.client, &self.spec.function.handler);
        let env = lambda_env(&self.spec.function, RUNTIME_API, self.canaries);
        let spec = Spec {
            init_args: self.spec.init_args.clone(),
            opt_dir: self.spec.layers_dir.clone(),
            files: launch.files,
            env,
            netns: Some(self.ns.fd().as_raw_fd()),
            limits: self.spec.limits,
            monitored: self.spec.monitored,
            ..Spec::new(self.spec.init_exe.clone(), self.spec.function_dir.clone(), launch.argv)
        };
        let mut polls = self.api.polls();
        let seen = *polls.borrow_and_update();
        let t0 = Instant::now();
        let mut instance = match Instance::start(&spec) {
            Ok(i) => i,
            Err(e) => return Started::Failed(Status::InitError, format!("Sandbox.StartFailed: {e}")),
        };
        self.starts += 1;
        lock(&self.shared.enricher).set_instance(&format!("sbx-{}-{}", std::process::id(), self.starts));
        let roles = Roles { runtime: instance.runtime_pid(), init: instance.init_pid() };
        let monitor = match instance.take_notify_fd().map(|fd| Monitor::start(fd, roles, self.raw.clone())) {
            Some(Ok(m)) => Some(Arc::new(m)),
            Some(Err(e)) => return Started::Failed(Status::InitError, format!("Sandbox.MonitorFailed: {e}")),
            None => None,
        };
        if let Err(e) = instance.wait_exec() {
            return Started::Failed(Status::InitError, format!("Sandbox.StartFailed: {e}"));
        }
        {
            let mut live = lock(&self.shared.live);
            *live = Live { runtime: instance.runtime_pid(), init: instance.init_pid(), monitor: monitor.clone(), ..Live::default() };
        }
        if let Some((stdout, stderr)) = instance.take_output() {
            for (stream, pipe) in [("stdout", stdout), ("stderr", stderr)] {
                let (shared, raw) = (Arc::clone(self.shared), self.raw.clone());
                // A blocking reader per pipe: it ends when the sandbox's last writer is gone.
                let _ = std::thread::Builder::new().name(format!("fnw-{stream}")).spawn(move || read_logs(pipe, stream, &shared, &raw));
            }
        }
        self.instance = Some((instance, monitor));
        let ready = async {
            let _ = polls.wait_for(|n| *n > seen).await;
        };
        tokio::select! {
            () = ready => Started::Ready(t0.elapsed().as_secs_f64() * 1000.0),
            () = self.runtime_exit() => {
                // The runtime's own account of its failure, when it gave one, says more.
                let reason = self.api.init_error().unwrap_or_else(|| self.exit_reason());
                Started::Failed(Status::InitError, reason)
            }
            () = tokio::time::sleep(INIT_TIMEOUT) => Started::Failed(Status::Timeout, "Sandbox.InitTimedout".into()),
        }
    }

    /// Completes when the live instance's runtime has exited (never when there is none).
    async fn runtime_exit(&mut self) {
        loop {
            match &mut self.instance {
                Some((i, _)) => {
                    if i.exited().is_some() {
                        return;
                    }
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
                None => std::future::pending::<()>().await,
            }
        }
    }

    fn exit_reason(&mut self) -> String {
        let Some((i, _)) = &mut self.instance else { return "Runtime.ExitError".into() };
        match i.exited() {
            Some(x) if x.oom_killed => "Runtime.OutOfMemory".into(),
            _ if i.oom_killed() => "Runtime.OutOfMemory".into(),
            Some(x) => match (x.code, x.signal) {
                (_, Some(sig)) => format!("Runtime.ExitError (signal {sig})"),
                (Some(code), _) => format!("Runtime.ExitError (exit status {code})"),
                _ => "Runtime.ExitError".into(),
            },
            None => "Runtime.ExitError".into(),
        }
    }

    /// After a response: every process other than the runtime and init still running outlived
    /// the invocation. The runtime's next poll marks the end of its own work.
    async fn census(&mut self, polls_before: u64) {
        let mut polls = self.api.polls();
        let _ = tokio::time::timeout(Duration::from_millis(300), polls.wait_for(|n| *n > polls_before)).await;
        let Some((instance, _)) = &self.instance else { return };
        let (runtime, init) = (instance.runtime_pid(), instance.init_pid());
        let pids = instance.pids();
        for pid in pids.into_iter().filter(|p| *p != runtime && *p != init) {
            if is_zombie(pid) {
                continue;
            }
            let mut ev = Event::new(EventKind::ProcAlive, Timestamp::now());
            ev.source = "sandbox".into();
            let (process, role) = lock(&self.shared.live).process(pid);
            ev.process = Some(process);
            ev.sandbox = Some(fnwarden_event::SandboxFacts { role: role.into(), ..Default::default() });
            ev.normalize();
            self.emit(ev);
        }
    }

    fn teardown(&mut self) {
        *lock(&self.shared.live) = Live::default();
        if let Some((mut instance, monitor)) = self.instance.take() {
            instance.kill();
            // With every filtered task gone the monitor reports the last exits and ends.
            if let Some(m) = monitor.and_then(|m| Arc::try_unwrap(m).ok()) {
                m.join();
            }
        }
        self.api.cancel_all();
    }
}

impl Drop for Runner<'_> {
    fn drop(&mut self) {
        self.teardown();
    }
}

fn request_id(index: usize) -> String {
    let mut bytes = [0u8; 16];
    if std::fs::File::open("/dev/urandom").and_then(|mut f| std::io::Read::read_exact(&mut f, &mut bytes)).is_err() {
        bytes[..8].copy_from_slice(&(index as u64).to_be_bytes());
    }
    let h: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
}

fn text(body: &[u8]) -> String {
    String::from_utf8_lossy(&body[..body.len().min(4096)]).into_owned()
}

fn lifecycle(kind: EventKind, facts: Option<InvocationFacts>) -> Event {
    let mut ev = Event::new(kind, Timestamp::now());
    ev.source = "sandbox".into();
    ev.invocation = facts;
    ev
}

fn is_zombie(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| s.rsplit_once(')').map(|(_, rest)| rest.trim_start().starts_with('Z')))
        .unwrap_or(true)
}

/// A process as /proc shows it, for processes the monitor has not seen (or when unmonitored);
/// its pid as the sandbox sees it, like the monitor's events.
fn describe(host_pid: i32) -> Process {
    let args: Vec<String> = std::fs::read(format!("/proc/{host_pid}/cmdline"))
        .map(|b| b.split(|c| *c == 0).filter(|a| !a.is_empty()).map(|a| String::from_utf8_lossy(a).into_owned()).collect())
        .unwrap_or_default();
    let exe = std::fs::read_link(format!("/proc/{host_pid}/exe")).map(|p| p.to_string_lossy().into_owned()).unwrap_or_default();
    let status = std::fs::read_to_string(format!("/proc/{host_pid}/status")).unwrap_or_default();
    let inner = status.lines().find_map(|l| l.strip_prefix("NSpid:")).and_then(|ids| ids.split_whitespace().last()?.parse().ok());
    Process { pid: inner.unwrap_or(i64::from(host_pid)), exe, args, ..Default::default() }
}

fn read_logs(pipe: std::fs::File, stream: &'static str, shared: &Shared, raw: &UnboundedSender<Event>) {
    use std::io::BufRead;
    for line in std::io::BufReader::new(pipe).lines() {
        let Ok(line) = line else { break };
        {
            let mut logs = lock(&shared.logs);
            if logs.0.len() < MAX_LOG_LINES {
                logs.0.push(line.clone());
            } else {
                logs.1 += 1;
            }
        }
        let mut ev = Event::new(EventKind::Log, Timestamp::now());
        ev.source = "sandbox".into();
        ev.log = Some(LogLine { message: line, level: String::new(), stream: stream.into() });
        let _ = raw.send(ev);
    }
}

/// Turns Runtime API calls into events and passes every event through the enricher.
async fn pump(shared: Arc<Shared>, mut raw: UnboundedReceiver<Event>, mut calls: UnboundedReceiver<Call>, out: UnboundedSender<Event>) {
    loop {
        // Ends with the event sources; the Runtime API's feed may outlive them.
        let mut ev = tokio::select! {
            ev = raw.recv() => match ev {
                Some(ev) => ev,
                None => break,
            },
            Some(call) = calls.recv() => api_event(&shared, call),
        };
        {
            let mut live = lock(&shared.live);
            if let Some(facts) = ev.sandbox.as_mut().filter(|f| f.role == "runtime") {
                // The runtime exec'd after it began serving: its pid now runs other code, and
                // whatever that code does is not the runtime's.
                if ev.kind == EventKind::Execve && live.serving {
                    live.replaced = true;
                }
                if live.replaced {
                    facts.role = "function".into();
                }
            }
        }
        lock(&shared.enricher).enrich(&mut ev);
        lock(&shared.profile).observe(&ev);
        *lock(&shared.events) += 1;
        if out.send(ev).is_err() {
            break;
        }
    }
}

/// A Runtime API request as an `http` event, attributed to the process that made it.
fn api_event(shared: &Shared, call: Call) -> Event {
    let server = SocketAddr::from(([127, 0, 0, 1], 9001));
    let mut ev = Event::new(EventKind::Http, Timestamp::now());
    ev.source = "sandbox-runtime-api".into();
    let (owner, role) = match call.owner {
        Some(pid) => {
            let (process, role) = lock(&shared.live).process(pid);
            (Some(process), role)
        }
        None => (None, "unknown"),
    };
    let is_poll = call.path.ends_with("/invocation/next");
    let mut facts = fnwarden_event::SandboxFacts { role: role.into(), ..Default::default() };
    if is_poll {
        facts.pollers = Some(call.pollers);
    }
    ev.process = owner;
    ev.sandbox = Some(facts);
    ev.net = Some(NetAction {
        local: Some(fnwarden_event::Endpoint { ip: call.peer.ip(), port: call.peer.port() }),
        remote: Some(fnwarden_event::Endpoint { ip: server.ip(), port: server.port() }),
        http: Some(HttpRequest { method: call.method, host: RUNTIME_API.into(), path: call.path, ..Default::default() }),
        ..Default::default()
    });
    if is_poll {
        let mut live = lock(&shared.live);
        if role == "runtime" && !live.replaced {
            live.serving = true;
        }
    }
    ev.normalize();
    ev
}
