use std::net::IpAddr;

use serde::{Deserialize, Deserializer, Serialize};

use crate::{EventKind, SCHEMA, Timestamp};

/// One thing that happened, reported by any source.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// Schema version; missing means the current one.
    #[serde(default = "schema_default")]
    pub schema: String,
    /// When it happened (event time), as the source saw it.
    pub time: Timestamp,
    /// What happened: the value of `evt.type`.
    #[serde(rename = "type")]
    pub kind: EventKind,
    /// Which sensor or reader produced the event (sandbox, ebpf, cloudtrail, …).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
    /// The host that reported it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    #[serde(default, skip_serializing_if = "FunctionId::is_empty")]
    pub function: FunctionId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<Container>,
    #[serde(default, rename = "proc", skip_serializing_if = "Option::is_none")]
    pub process: Option<Process>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<FileAction>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub net: Option<NetAction>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub syscall: Option<Syscall>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud: Option<CloudCall>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invocation: Option<Invocation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log: Option<LogLine>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sandbox: Option<SandboxFacts>,
    /// Values computed once at ingest so that matching never allocates.
    #[serde(skip)]
    pub derived: Derived,
}

fn schema_default() -> String {
    SCHEMA.to_owned()
}

/// Which function, where. Every event carries it; fields are empty when unknown.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(deny_unknown_fields)]
pub struct FunctionId {
    /// aws, azure, gcp, tencent, openfaas, knative, openwhisk, fnwarden-sandbox …
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub provider: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub arn: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub version: String,
    /// Execution environment: sandbox, container or microVM id.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub instance: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub request_id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub runtime: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub region: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub account: String,
}

impl FunctionId {
    pub fn is_empty(&self) -> bool {
        *self == FunctionId::default()
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Container {
    #[serde(default)]
    pub id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub image: String,
}

/// The process that acted (or, for exec, the new image).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(deny_unknown_fields)]
pub struct Process {
    #[serde(default)]
    pub pid: i64,
    #[serde(default)]
    pub ppid: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tid: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gid: Option<i64>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub user: String,
    /// Full path of the executable image.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub exe: String,
    /// Short name (comm); derived from `exe` when missing.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// argv, including argv[0].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub cwd: String,
    /// Exit code, for `procexit`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i64>,
    /// Whether the process has a controlling terminal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tty: Option<bool>,
    /// Environment entries as `KEY=value`, when the source captures them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<String>,
    /// Parent chain: `ancestors[0]` is the parent, `[1]` the grandparent, …
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ancestors: Vec<Ancestor>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(deny_unknown_fields)]
pub struct Ancestor {
    #[serde(default)]
    pub pid: i64,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub exe: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
}

/// A file action: open, write, rename, unlink, chmod, executable mapping.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FileAction {
    pub path: String,
    /// open(2) flags as Linux defines them; JSON may give a number, a list of names or "A|B".
    #[serde(default, deserialize_with = "de_open_flags", skip_serializing_if = "is_zero")]
    pub flags: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<u32>,
    /// New path for rename; target for links.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    /// The first bytes written, when the source captures them (e.g. to spot `|` in core_pattern).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
    /// Whether this action created the file.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub created: bool,
}

impl FileAction {
    /// The open can change the file: write access, O_CREAT or O_TRUNC.
    pub fn opens_for_change(&self) -> bool {
        const O_WRONLY: u32 = 0o1;
        const O_RDWR: u32 = 0o2;
        const O_CREAT: u32 = 0o100;
        const O_TRUNC: u32 = 0o1000;
        self.flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC) != 0
    }
}

fn is_zero(v: &u32) -> bool {
    *v == 0
}

/// Linux open(2) flag bits by name (x86-64 and arm64 share these values).
pub const OPEN_FLAGS: &[(&str, u32)] = &[
    ("O_WRONLY", 0o1),
    ("O_RDWR", 0o2),
    ("O_CREAT", 0o100),
    ("O_EXCL", 0o200),
    ("O_NOCTTY", 0o400),
    ("O_TRUNC", 0o1000),
    ("O_APPEND", 0o2000),
    ("O_NONBLOCK", 0o4000),
    ("O_DSYNC", 0o10000),
    ("O_DIRECT", 0o40000),
    ("O_LARGEFILE", 0o100000),
    ("O_DIRECTORY", 0o200000),
    ("O_NOFOLLOW", 0o400000),
    ("O_NOATIME", 0o1000000),
    ("O_CLOEXEC", 0o2000000),
    ("O_PATH", 0o10000000),
    ("O_TMPFILE", 0o20200000),
];

/// Parses open flags given as names (`O_WRONLY|O_CREAT`, or a list of them).
pub fn parse_open_flags<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<u32, String> {
    let mut bits = 0;
    for raw in names {
        let name = raw.trim();
        if name.is_empty() || name == "O_RDONLY" {
            continue;
        }
        let v = OPEN_FLAGS.iter().find(|(n, _)| *n == name).map(|(_, v)| *v).ok_or_else(|| format!("unknown open flag {name:?}"))?;
        bits |= v;
    }
    Ok(bits)
}

/// Renders flags like Falco's `evt.arg.flags`: `O_RDONLY` or `O_WRONLY|O_CREAT|O_TRUNC`.
pub fn render_open_flags(bits: u32) -> String {
    let mut parts: Vec<&str> = Vec::new();
    if bits & 0o3 == 0 {
        parts.push("O_RDONLY");
    }
    for (name, v) in OPEN_FLAGS {
        if *name == "O_TMPFILE" {
            if bits & v == *v {
                parts.push(name);
            }
        } else if bits & v != 0 && !(*name == "O_DIRECTORY" && bits & 0o20200000 == 0o20200000) {
            parts.push(name);
        }
    }
    parts.join("|")
}

fn de_open_flags<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Num(u32),
        Text(String),
        List(Vec<String>),
    }
    match Raw::deserialize(d)? {
        Raw::Num(n) => Ok(n),
        Raw::Text(s) => parse_open_flags(s.split('|')).map_err(serde::de::Error::custom),
        Raw::List(l) => parse_open_flags(l.iter().map(String::as_str)).map_err(serde::de::Error::custom),
    }
}

#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum L4Proto {
    #[default]
    Tcp,
    Udp,
    Unix,
    Raw,
    Icmp,
}

impl L4Proto {
    pub fn name(self) -> &'static str {
        match self {
            L4Proto::Tcp => "tcp",
            L4Proto::Udp => "udp",
            L4Proto::Unix => "unix",
            L4Proto::Raw => "raw",
            L4Proto::Icmp => "icmp",
        }
    }
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    pub ip: IpAddr,
    #[serde(default)]
    pub port: u16,
}

/// A network action. `local`/`remote` are from the acting process's side.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NetAction {
    #[serde(default)]
    pub proto: L4Proto,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local: Option<Endpoint>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote: Option<Endpoint>,
    /// Socket path for AF_UNIX.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unix_path: Option<String>,
    /// Address family for `socket` events: inet, inet6, unix, packet, netlink …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns: Option<DnsQuery>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http: Option<HttpRequest>,
    /// TLS server name indication.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sni: Option<String>,
    /// The remote end's host name, when the source knows it (DNS answer, SNI, Host header).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_host: Option<String>,
    /// First bytes the client sent, as text (lossy), when recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes_out: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes_in: Option<u64>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct DnsQuery {
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub qtype: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub answers: Vec<String>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct HttpRequest {
    #[serde(default)]
    pub method: String,
    #[serde(default)]
    pub host: String,
    #[serde(default)]
    pub path: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub user_agent: String,
    /// Request headers as `Name: value` lines.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<String>,
}

/// A kernel-level action: the syscall's arguments and, where it acts on another process, the
/// target.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Syscall {
    /// Return value; negative errno on failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub res: Option<i64>,
    /// Arguments by name, rendered as text (`flags: "CLONE_NEWUSER|CLONE_NEWNS"`, `fd: "3"`).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub args: std::collections::BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Ancestor>,
    /// What fnwarden did about it: allowed, denied, killed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
}

/// A cloud control-plane call from an audit log.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CloudCall {
    /// aws, azure, gcp, tencent.
    pub provider: String,
    /// The service endpoint (CloudTrail eventSource).
    #[serde(default)]
    pub service: String,
    /// The API operation as logged (CloudTrail eventName, with any version suffix).
    #[serde(default)]
    pub operation: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub principal: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub principal_type: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub access_key_id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub account: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub region: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source_ip: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub user_agent: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub error_code: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub error_message: String,
    /// The original record, so that rules can use any of its JSON paths.
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub raw: serde_json::Value,
}

impl CloudCall {
    /// The operation without an API version suffix: `UpdateFunctionCode20150331v2` →
    /// `UpdateFunctionCode`.
    pub fn operation_base(&self) -> &str {
        strip_api_version(&self.operation)
    }
}

/// Strips a trailing API version (`20150331`, `20150331v2`) from an operation name.
pub fn strip_api_version(op: &str) -> &str {
    let b = op.as_bytes();
    let mut end = b.len();
    // Optional `v<digits>` after the date.
    let mut i = end;
    while i > 0 && b[i - 1].is_ascii_digit() {
        i -= 1;
    }
    if i > 0 && i < end && b[i - 1] == b'v' {
        end = i - 1;
    }
    let mut j = end;
    while j > 0 && b[j - 1].is_ascii_digit() {
        j -= 1;
    }
    if end - j == 8 && j > 0 { &op[..j] } else { op }
}

#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum InvocationStatus {
    #[default]
    Success,
    Failure,
    Error,
    Timeout,
}

impl InvocationStatus {
    pub fn name(self) -> &'static str {
        match self {
            InvocationStatus::Success => "success",
            InvocationStatus::Failure => "failure",
            InvocationStatus::Error => "error",
            InvocationStatus::Timeout => "timeout",
        }
    }
}

/// Invocation lifecycle data: start, end, and the report.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Invocation {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billed_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_mb: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_memory_mb: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub init_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<InvocationStatus>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub error_type: String,
}

/// What fnwarden's sandbox knows about an event that no sensor outside it could: which process
/// is the legitimate runtime, which invocation dropped a file, which canary left.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SandboxFacts {
    /// Role of the acting process: `runtime` (the process serving invocations), `init` (the
    /// sandbox's PID 1) or `function` (anything the function started).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub role: String,
    /// Role of the process acted upon (ptrace, process_vm_writev, /proc/<pid>/mem).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub target_role: String,
    /// Runtime API: `/next` polls outstanding when this request arrived, itself included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pollers: Option<u32>,
    /// Request id of the earlier invocation whose code wrote this file.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub dropped_in: String,
    /// Names of the run's canary credentials found in the data that left.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub canaries: Vec<String>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct LogLine {
    pub message: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub level: String,
    /// Log stream or file it came from.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub stream: String,
}

/// Strings derived from the event at ingest (see [`Event::normalize`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Derived {
    /// Falco `proc.cmdline`: name followed by the arguments.
    pub cmdline: String,
    /// Falco `proc.exeline`: argv joined (argv[0] first); Sigma's CommandLine.
    pub exeline: String,
    /// Arguments after argv[0], joined.
    pub args: String,
    /// Parent's command line.
    pub pcmdline: String,
    /// Parent's argv joined; Sigma's ParentCommandLine.
    pub pexeline: String,
    /// Falco `fd.name`.
    pub fd_name: String,
    /// Directory part of the file path.
    pub fd_directory: String,
    /// Open flags rendered as names.
    pub flags: String,
    /// `evt.text`: the event's main text.
    pub text: String,
}

fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn join_args(args: &[String]) -> String {
    args.join(" ")
}

impl Event {
    /// An event of `kind` at `time` with every section empty.
    pub fn new(kind: EventKind, time: Timestamp) -> Self {
        Event {
            schema: SCHEMA.to_owned(),
            time,
            kind,
            source: String::new(),
            host: None,
            function: FunctionId::default(),
            container: None,
            process: None,
            file: None,
            net: None,
            syscall: None,
            cloud: None,
            invocation: None,
            log: None,
            sandbox: None,
            derived: Derived::default(),
        }
    }

    /// Fills in what can be derived (process name from exe, joined command lines, `fd.name`).
    /// Sources call this once before handing an event to the engine.
    pub fn normalize(&mut self) {
        self.normalize_with_text(None);
    }

    /// As [`Event::normalize`]; a cloud record's `evt.text` is `record_text` (the record as the
    /// log had it) when given, instead of the record written out again.
    pub fn normalize_with_text(&mut self, record_text: Option<&str>) {
        let mut d = Derived::default();
        if let Some(p) = self.process.as_mut() {
            if p.name.is_empty() {
                let from = if p.exe.is_empty() { p.args.first().map(String::as_str).unwrap_or("") } else { &p.exe };
                p.name = basename(from).to_owned();
            }
            for a in &mut p.ancestors {
                if a.name.is_empty() {
                    let from = if a.exe.is_empty() { a.args.first().map(String::as_str).unwrap_or("") } else { &a.exe };
                    a.name = basename(from).to_owned();
                }
            }
            d.exeline = join_args(&p.args);
            d.args = p.args.get(1..).map(join_args).unwrap_or_default();
            d.cmdline = if d.args.is_empty() { p.name.clone() } else { format!("{} {}", p.name, d.args) };
            if let Some(parent) = p.ancestors.first() {
                let pargs = parent.args.get(1..).map(join_args).unwrap_or_default();
                d.pcmdline = if pargs.is_empty() { parent.name.clone() } else { format!("{} {pargs}", parent.name) };
                d.pexeline = join_args(&parent.args);
            }
        }
        if let Some(f) = &self.file {
            d.fd_name = f.path.clone();
            d.fd_directory = match f.path.rfind('/') {
                Some(0) => "/".to_owned(),
                Some(i) => f.path[..i].to_owned(),
                None => String::new(),
            };
            d.flags = render_open_flags(f.flags);
        } else if let Some(n) = &self.net {
            d.fd_name = match (&n.unix_path, n.local, n.remote) {
                (Some(p), _, _) => p.clone(),
                (None, Some(l), Some(r)) => format!("{}:{}->{}:{}", l.ip, l.port, r.ip, r.port),
                (None, None, Some(r)) => format!("->{}:{}", r.ip, r.port),
                (None, Some(l), None) => format!("{}:{}", l.ip, l.port),
                (None, None, None) => String::new(),
            };
        }
        d.text = if let Some(l) = &self.log {
            l.message.clone()
        } else if self.process.is_some() && self.kind.category() == crate::Category::Process {
            d.exeline.clone()
        } else if let Some(c) = &self.cloud {
            record_text.map_or_else(|| c.raw.to_string(), str::to_owned)
        } else {
            d.fd_name.clone()
        };
        self.derived = d;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_version_suffix_is_stripped() {
        assert_eq!(strip_api_version("UpdateFunctionCode20150331v2"), "UpdateFunctionCode");
        assert_eq!(strip_api_version("CreateFunction20150331"), "CreateFunction");
        assert_eq!(strip_api_version("AddPermission20150331v2"), "AddPermission");
        assert_eq!(strip_api_version("GetObject"), "GetObject");
        assert_eq!(strip_api_version("Ec2V2"), "Ec2V2");
        assert_eq!(strip_api_version("x1234567v2"), "x1234567v2");
    }

    #[test]
    fn flags_parse_and_render() {
        let bits = parse_open_flags(["O_WRONLY", "O_CREAT", "O_TRUNC"]).unwrap();
        assert_eq!(render_open_flags(bits), "O_WRONLY|O_CREAT|O_TRUNC");
        assert_eq!(render_open_flags(0), "O_RDONLY");
        assert!(parse_open_flags(["O_BOGUS"]).is_err());
    }

    #[test]
    fn normalize_derives_command_lines() {
        let mut e = Event::new(EventKind::Execve, Timestamp(1));
        e.process = Some(Process {
            exe: "/usr/bin/curl".into(),
            args: vec!["curl".into(), "-s".into(), "http://x".into()],
            ancestors: vec![Ancestor {
                exe: "/usr/bin/python3.11".into(),
                args: vec!["python3".into(), "app.py".into()],
                ..Default::default()
            }],
            ..Default::default()
        });
        e.normalize();
        let p = e.process.as_ref().unwrap();
        assert_eq!(p.name, "curl");
        assert_eq!(e.derived.cmdline, "curl -s http://x");
        assert_eq!(e.derived.exeline, "curl -s http://x");
        assert_eq!(e.derived.pcmdline, "python3.11 app.py");
    }
}
