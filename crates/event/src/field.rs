//! The field registry: every name a rule may use, its type, meaning, and which event kinds can
//! carry it. Names follow Falco's where Falco has one; `function.*`, `cloud.*`, `invocation.*`,
//! `net.*` and `log.*` are fnwarden's.

use std::net::IpAddr;

use crate::{Ancestor, Category, Event, EventKind};

/// The type a field's values have; it decides which operators a rule may apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FieldType {
    Str,
    Int,
    Float,
    Bool,
    Ip,
    /// Several strings; string operators match when any element matches.
    StrList,
    /// A JSON value from a raw record; compared as text or number depending on the value.
    Json,
}

impl FieldType {
    pub fn name(self) -> &'static str {
        match self {
            FieldType::Str => "string",
            FieldType::Int => "int",
            FieldType::Float => "float",
            FieldType::Bool => "bool",
            FieldType::Ip => "ip",
            FieldType::StrList => "list",
            FieldType::Json => "json",
        }
    }

    pub fn is_numeric(self) -> bool {
        matches!(self, FieldType::Int | FieldType::Float)
    }
}

/// What may follow a field's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgKind {
    None,
    /// `proc.aname[2]`: an ancestor level; without it, any level.
    Index,
    /// `proc.env[HOME]`, `evt.arg.flags`, `evt.arg[flags]`.
    Key,
    /// `cloud.raw.requestParameters.functionName`: a JSON path.
    Path,
}

/// A set of event kinds as a bit mask.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct KindMask(pub u64);

impl KindMask {
    pub const NONE: KindMask = KindMask(0);
    pub const ALL: KindMask = KindMask((1u64 << EventKind::COUNT) - 1);

    pub const fn of(k: EventKind) -> KindMask {
        KindMask(1u64 << k as u8)
    }

    pub fn category(c: Category) -> KindMask {
        let mut m = 0;
        for k in EventKind::ALL {
            if k.category() == c {
                m |= 1u64 << k.index();
            }
        }
        KindMask(m)
    }

    pub fn contains(self, k: EventKind) -> bool {
        self.0 & (1u64 << k.index()) != 0
    }

    pub fn union(self, o: KindMask) -> KindMask {
        KindMask(self.0 | o.0)
    }

    pub fn intersect(self, o: KindMask) -> KindMask {
        KindMask(self.0 & o.0)
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = EventKind> {
        EventKind::ALL.iter().copied().filter(move |k| self.contains(*k))
    }
}

/// Which kinds a field can appear on.
#[derive(Clone, Copy, Debug)]
pub enum Scope {
    All,
    /// Kinds reported by host sensors, which carry the acting process.
    Sensor,
    Cat(Category),
    Kinds(&'static [EventKind]),
}

impl Scope {
    pub fn mask(self) -> KindMask {
        match self {
            Scope::All => KindMask::ALL,
            Scope::Sensor => [Category::Process, Category::File, Category::Network, Category::Kernel]
                .into_iter()
                .fold(KindMask::NONE, |m, c| m.union(KindMask::category(c))),
            Scope::Cat(c) => KindMask::category(c),
            Scope::Kinds(ks) => ks.iter().fold(KindMask::NONE, |m, k| m.union(KindMask::of(*k))),
        }
    }
}

/// One entry of the registry.
#[derive(Clone, Copy, Debug)]
pub struct FieldDef {
    pub name: &'static str,
    pub ty: FieldType,
    pub arg: ArgKind,
    pub scope: Scope,
    pub description: &'static str,
}

use ArgKind as A;
use Category as C;
use EventKind as K;
use FieldType as T;
use Scope as S;

const NET_CONN: &[EventKind] = &[K::Connect, K::Bind, K::Listen, K::Accept, K::Http, K::Tls, K::Dns];

macro_rules! fields {
    ($( $id:ident = $name:literal, $ty:expr, $arg:expr, $scope:expr, $doc:literal; )*) => {
        /// Index into [`FIELDS`].
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u16)]
        #[allow(non_camel_case_types)]
        pub enum FieldId { $( $id, )* }

        /// Every field, in [`FieldId`] order.
        pub const FIELDS: &[FieldDef] = &[
            $( FieldDef { name: $name, ty: $ty, arg: $arg, scope: $scope, description: $doc }, )*
        ];

        const IDS: &[FieldId] = &[ $( FieldId::$id, )* ];
    };
}

fields! {
    EvtType = "evt.type", T::Str, A::None, S::All, "event type: execve, open, connect, cloud_api … (see `fnwarden fields --types`)";
    EvtCategory = "evt.category", T::Str, A::None, S::All, "process, file, network, kernel, cloud, invocation or log";
    EvtTime = "evt.time", T::Int, A::None, S::All, "event time, nanoseconds since the epoch";
    EvtSource = "evt.source", T::Str, A::None, S::All, "the sensor or log reader that reported the event";
    EvtRes = "evt.res", T::Int, A::None, S::Sensor, "syscall return value; negative errno on failure";
    EvtArg = "evt.arg", T::Str, A::Key, S::Sensor, "a syscall argument by name: evt.arg.flags, evt.arg[request]";
    EvtIsOpenRead = "evt.is_open_read", T::Bool, A::None, S::Cat(C::File), "the open asked for read access";
    EvtIsOpenWrite = "evt.is_open_write", T::Bool, A::None, S::Cat(C::File), "the open asked for write access";
    EvtIsOpenCreate = "evt.is_open_create", T::Bool, A::None, S::Cat(C::File), "the action created the file (O_CREAT)";
    EvtAction = "evt.action", T::Str, A::None, S::Sensor, "what fnwarden did: allowed, denied or killed";
    EvtText = "evt.text", T::Str, A::None, S::All, "the event's main text: log message, command line, raw cloud record or fd.name";
    Hostname = "host.name", T::Str, A::None, S::All, "the host that reported the event";

    ProcPid = "proc.pid", T::Int, A::None, S::Sensor, "process id";
    ProcPpid = "proc.ppid", T::Int, A::None, S::Sensor, "parent process id";
    ProcTid = "thread.tid", T::Int, A::None, S::Sensor, "thread id";
    ProcName = "proc.name", T::Str, A::None, S::Sensor, "process name (comm, or the executable's base name)";
    ProcExe = "proc.exe", T::Str, A::None, S::Sensor, "argv[0] as the process was started";
    ProcExepath = "proc.exepath", T::Str, A::None, S::Sensor, "full path of the executable image";
    ProcCmdline = "proc.cmdline", T::Str, A::None, S::Sensor, "process name followed by its arguments (Falco's proc.cmdline)";
    ProcExeline = "proc.exeline", T::Str, A::None, S::Sensor, "the whole argv joined, argv[0] first (Sigma's CommandLine)";
    ProcArgs = "proc.args", T::Str, A::None, S::Sensor, "arguments after argv[0], joined with spaces";
    ProcArgv = "proc.argv", T::StrList, A::Index, S::Sensor, "argv as a list; proc.argv[1] is the first argument";
    ProcCwd = "proc.cwd", T::Str, A::None, S::Sensor, "current working directory";
    ProcTty = "proc.tty", T::Bool, A::None, S::Sensor, "the process has a controlling terminal";
    ProcEnv = "proc.env", T::StrList, A::Key, S::Sensor, "environment: proc.env[NAME] is one variable's value; proc.env alone lists KEY=value";
    ProcExitCode = "proc.exit_code", T::Int, A::None, S::Kinds(&[K::ProcExit]), "exit code";
    ProcIsExeFromMemfd = "proc.is_exe_from_memfd", T::Bool, A::None, S::Sensor, "the executable is an anonymous memory file (memfd)";
    ProcPname = "proc.pname", T::Str, A::None, S::Sensor, "parent process name";
    ProcPexepath = "proc.pexepath", T::Str, A::None, S::Sensor, "parent executable path";
    ProcPcmdline = "proc.pcmdline", T::Str, A::None, S::Sensor, "parent command line (name and arguments)";
    ProcPexeline = "proc.pexeline", T::Str, A::None, S::Sensor, "the parent's whole argv joined, argv[0] first (Sigma's ParentCommandLine)";
    ProcAname = "proc.aname", T::StrList, A::Index, S::Sensor, "ancestor names: proc.aname[1] is the parent, [2] the grandparent; without index, any ancestor";
    ProcAexepath = "proc.aexepath", T::StrList, A::Index, S::Sensor, "ancestor executable paths, indexed like proc.aname";
    ProcApid = "proc.apid", T::Int, A::Index, S::Sensor, "ancestor pid at level n: proc.apid[1] is the parent";
    UserUid = "user.uid", T::Int, A::None, S::Sensor, "user id";
    UserName = "user.name", T::Str, A::None, S::Sensor, "user name";
    GroupGid = "group.gid", T::Int, A::None, S::Sensor, "group id";

    FdName = "fd.name", T::Str, A::None, S::Sensor, "file path, socket path, or `cip:cport->sip:sport` for connections";
    FdDirectory = "fd.directory", T::Str, A::None, S::Cat(C::File), "directory of the file";
    FdFilename = "fd.filename", T::Str, A::None, S::Cat(C::File), "base name of the file";
    FdType = "fd.type", T::Str, A::None, S::Sensor, "file, ipv4, ipv6, unix or memfd";
    FdL4proto = "fd.l4proto", T::Str, A::None, S::Cat(C::Network), "tcp, udp, unix, raw or icmp";
    FdSip = "fd.sip", T::Ip, A::None, S::Kinds(NET_CONN), "server IP (the remote end of connect, the local end of accept/bind)";
    FdSport = "fd.sport", T::Int, A::None, S::Kinds(NET_CONN), "server port";
    FdCip = "fd.cip", T::Ip, A::None, S::Kinds(NET_CONN), "client IP";
    FdCport = "fd.cport", T::Int, A::None, S::Kinds(NET_CONN), "client port";
    FdRip = "fd.rip", T::Ip, A::None, S::Kinds(NET_CONN), "remote IP";
    FdRport = "fd.rport", T::Int, A::None, S::Kinds(NET_CONN), "remote port";
    FdRipName = "fd.rip.name", T::Str, A::None, S::Kinds(NET_CONN), "host name of the remote end, when known (DNS answer, SNI or Host header)";
    FdSipName = "fd.sip.name", T::Str, A::None, S::Kinds(NET_CONN), "host name of the server end, when known";
    FdLip = "fd.lip", T::Ip, A::None, S::Kinds(NET_CONN), "local IP";
    FdLport = "fd.lport", T::Int, A::None, S::Kinds(NET_CONN), "local port";
    FsPathTarget = "fs.path.target", T::Str, A::None, S::Kinds(&[K::Rename]), "new path of a rename";
    FileMode = "file.mode", T::Int, A::None, S::Cat(C::File), "file mode bits (chmod, open with O_CREAT)";
    FileFlags = "file.flags", T::Str, A::None, S::Cat(C::File), "open flags as names, like O_WRONLY|O_CREAT";
    FileData = "file.data", T::Str, A::None, S::Kinds(&[K::Write, K::Open]), "first bytes written, when captured";
    FileBytes = "file.bytes", T::Int, A::None, S::Cat(C::File), "bytes written";

    NetFamily = "net.family", T::Str, A::None, S::Cat(C::Network), "socket address family: inet, inet6, unix, packet, netlink";
    NetDnsQuery = "net.dns.query", T::Str, A::None, S::Kinds(&[K::Dns]), "the queried name";
    NetDnsQtype = "net.dns.qtype", T::Str, A::None, S::Kinds(&[K::Dns]), "query type: A, AAAA, TXT …";
    NetDnsAnswers = "net.dns.answers", T::StrList, A::None, S::Kinds(&[K::Dns]), "answers";
    NetHttpMethod = "net.http.method", T::Str, A::None, S::Kinds(&[K::Http]), "HTTP method";
    NetHttpHost = "net.http.host", T::Str, A::None, S::Kinds(&[K::Http]), "HTTP Host header";
    NetHttpPath = "net.http.path", T::Str, A::None, S::Kinds(&[K::Http]), "HTTP request path";
    NetHttpUserAgent = "net.http.user_agent", T::Str, A::None, S::Kinds(&[K::Http]), "HTTP User-Agent";
    NetHttpHeaders = "net.http.headers", T::StrList, A::None, S::Kinds(&[K::Http]), "request headers as `Name: value`";
    NetSni = "net.tls.sni", T::Str, A::None, S::Kinds(&[K::Tls, K::Connect]), "TLS server name indication";
    NetPayload = "net.payload", T::Str, A::None, S::Cat(C::Network), "first bytes the client sent, as text";
    NetBytesOut = "net.bytes_out", T::Int, A::None, S::Cat(C::Network), "bytes sent";

    SyscallTargetPid = "syscall.target.pid", T::Int, A::None, S::Cat(C::Kernel), "pid the syscall acts on (ptrace, process_vm_writev, kill, setns)";
    SyscallTargetName = "syscall.target.name", T::Str, A::None, S::Cat(C::Kernel), "name of the target process";
    SyscallTargetExepath = "syscall.target.exepath", T::Str, A::None, S::Cat(C::Kernel), "executable of the target process";

    ContainerId = "container.id", T::Str, A::None, S::All, "container id";
    ContainerName = "container.name", T::Str, A::None, S::All, "container name";
    ContainerImage = "container.image", T::Str, A::None, S::All, "container image";

    FunctionProvider = "function.provider", T::Str, A::None, S::All, "aws, azure, gcp, tencent, openfaas, knative, openwhisk, fnwarden";
    FunctionName = "function.name", T::Str, A::None, S::All, "function name";
    FunctionArn = "function.arn", T::Str, A::None, S::All, "function ARN or full resource id";
    FunctionVersion = "function.version", T::Str, A::None, S::All, "function version or alias";
    FunctionInstance = "function.instance", T::Str, A::None, S::All, "execution environment: sandbox, container or microVM id";
    FunctionRequestId = "function.request_id", T::Str, A::None, S::All, "invocation request id, when known";
    FunctionRuntime = "function.runtime", T::Str, A::None, S::All, "runtime: python3.11, nodejs20.x, provided …";
    FunctionRegion = "function.region", T::Str, A::None, S::All, "region";
    FunctionAccount = "function.account", T::Str, A::None, S::All, "account, subscription or project";

    CloudProvider = "cloud.provider", T::Str, A::None, S::Cat(C::Cloud), "aws, azure, gcp or tencent";
    CloudService = "cloud.service", T::Str, A::None, S::Cat(C::Cloud), "service endpoint (CloudTrail eventSource)";
    CloudApi = "cloud.api", T::Str, A::None, S::Cat(C::Cloud), "operation as logged, with any version suffix (CloudTrail eventName)";
    CloudApiBase = "cloud.api_base", T::Str, A::None, S::Cat(C::Cloud), "operation without its API version suffix: UpdateFunctionCode20150331v2 → UpdateFunctionCode";
    CloudPrincipal = "cloud.principal", T::Str, A::None, S::Cat(C::Cloud), "caller identity (ARN, UPN or e-mail)";
    CloudPrincipalType = "cloud.principal_type", T::Str, A::None, S::Cat(C::Cloud), "caller identity type: IAMUser, AssumedRole, Root …";
    CloudAccessKeyId = "cloud.access_key_id", T::Str, A::None, S::Cat(C::Cloud), "access key the caller signed with";
    CloudAccount = "cloud.account", T::Str, A::None, S::Cat(C::Cloud), "account, subscription or project";
    CloudRegion = "cloud.region", T::Str, A::None, S::Cat(C::Cloud), "region";
    CloudSourceIp = "cloud.source_ip", T::Str, A::None, S::Cat(C::Cloud), "caller source address (an IP, or a service name such as lambda.amazonaws.com)";
    CloudUserAgent = "cloud.user_agent", T::Str, A::None, S::Cat(C::Cloud), "caller user agent";
    CloudErrorCode = "cloud.error_code", T::Str, A::None, S::Cat(C::Cloud), "error code; empty when the call succeeded";
    CloudErrorMessage = "cloud.error_message", T::Str, A::None, S::Cat(C::Cloud), "error message";
    CloudRaw = "cloud.raw", T::Json, A::Path, S::Cat(C::Cloud), "any JSON path of the original record: cloud.raw.requestParameters.functionName";

    InvDuration = "invocation.duration_ms", T::Float, A::None, S::Cat(C::Invocation), "handler duration in ms";
    InvBilled = "invocation.billed_ms", T::Float, A::None, S::Cat(C::Invocation), "billed duration in ms";
    InvMemory = "invocation.memory_mb", T::Float, A::None, S::Cat(C::Invocation), "configured memory in MB";
    InvMaxMemory = "invocation.max_memory_mb", T::Float, A::None, S::Cat(C::Invocation), "peak memory used in MB";
    InvInit = "invocation.init_ms", T::Float, A::None, S::Cat(C::Invocation), "init (cold start) duration in ms";
    InvTimeout = "invocation.timeout_ms", T::Float, A::None, S::Cat(C::Invocation), "configured timeout in ms";
    InvStatus = "invocation.status", T::Str, A::None, S::Cat(C::Invocation), "success, failure, error or timeout";
    InvErrorType = "invocation.error_type", T::Str, A::None, S::Cat(C::Invocation), "error type, e.g. Runtime.ExitError";

    LogMessage = "log.message", T::Str, A::None, S::Cat(C::Log), "the log line";
    LogLevel = "log.level", T::Str, A::None, S::Cat(C::Log), "level: INFO, ERROR …";
    LogStream = "log.stream", T::Str, A::None, S::Cat(C::Log), "log stream or file";

    SandboxRole = "sandbox.role", T::Str, A::None, S::All, "fnwarden sandbox: role of the acting process (runtime, init or function)";
    SandboxTargetRole = "sandbox.target_role", T::Str, A::None, S::All, "fnwarden sandbox: role of the process acted upon";
    SandboxPollers = "sandbox.pollers", T::Int, A::None, S::Kinds(&[K::Http]), "fnwarden sandbox: Runtime API /next polls outstanding, this one included";
    SandboxDroppedIn = "sandbox.dropped_in", T::Str, A::None, S::Sensor, "fnwarden sandbox: request id of the earlier invocation that wrote this file";
    SandboxCanaries = "sandbox.canaries", T::StrList, A::None, S::Cat(C::Network), "fnwarden sandbox: canary credentials found in data that left";
}

impl FieldId {
    pub fn def(self) -> &'static FieldDef {
        &FIELDS[self as usize]
    }

    pub fn by_name(name: &str) -> Option<FieldId> {
        FIELDS.iter().position(|f| f.name == name).map(|i| IDS[i])
    }
}

/// The argument part of a field reference.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FieldArg {
    None,
    Index(u32),
    Key(Box<str>),
    Path(Box<[Box<str>]>),
}

/// A field as a rule names it: the field plus its argument (`proc.aname[2]`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FieldRef {
    pub id: FieldId,
    pub arg: FieldArg,
}

impl FieldRef {
    pub const fn plain(id: FieldId) -> Self {
        FieldRef { id, arg: FieldArg::None }
    }

    /// Parses `proc.name`, `proc.aname[2]`, `proc.env[HOME]`, `evt.arg.flags`,
    /// `cloud.raw.requestParameters.policy`.
    pub fn parse(s: &str) -> Result<FieldRef, String> {
        let s = s.trim();
        if let Some(open) = s.find('[') {
            let close = s.strip_suffix(']').ok_or_else(|| format!("field {s:?}: missing closing ']'"))?;
            let base = &s[..open];
            let inner = &close[open + 1..];
            let id = FieldId::by_name(base).ok_or_else(|| unknown(base))?;
            return match id.def().arg {
                A::Index => inner
                    .parse::<u32>()
                    .map(|n| FieldRef { id, arg: FieldArg::Index(n) })
                    .map_err(|_| format!("field {s:?}: index must be a number")),
                A::Key if !inner.is_empty() => Ok(FieldRef { id, arg: FieldArg::Key(inner.into()) }),
                A::Path if !inner.is_empty() => Ok(FieldRef { id, arg: FieldArg::Path(split_path(inner)) }),
                _ => Err(format!("field {s:?}: {base} takes no argument")),
            };
        }
        if let Some(id) = FieldId::by_name(s) {
            if matches!(id.def().arg, A::Key | A::Path) && id != FieldId::ProcEnv {
                return Err(format!("field {s:?} needs an argument, e.g. {s}.name"));
            }
            return Ok(FieldRef::plain(id));
        }
        for (prefix, id) in [("evt.arg.", FieldId::EvtArg), ("cloud.raw.", FieldId::CloudRaw), ("proc.env.", FieldId::ProcEnv)] {
            if let Some(rest) = s.strip_prefix(prefix) {
                if rest.is_empty() {
                    break;
                }
                let arg = if id == FieldId::CloudRaw { FieldArg::Path(split_path(rest)) } else { FieldArg::Key(rest.into()) };
                return Ok(FieldRef { id, arg });
            }
        }
        Err(unknown(s))
    }

    pub fn def(&self) -> &'static FieldDef {
        self.id.def()
    }

    /// The type of one value of this reference: an indexed list yields one element.
    pub fn ty(&self) -> FieldType {
        match (self.def().ty, &self.arg) {
            (FieldType::StrList, FieldArg::Index(_) | FieldArg::Key(_)) => FieldType::Str,
            (t, _) => t,
        }
    }
}

fn split_path(p: &str) -> Box<[Box<str>]> {
    p.split('.').map(Into::into).collect()
}

fn unknown(name: &str) -> String {
    let mut close = suggest(name, FIELDS.iter().map(|f| f.name));
    if close.is_empty() {
        // Same last part in another namespace: `fd.cmdline` → `proc.cmdline`.
        let last = name.rsplit('.').next().unwrap_or(name);
        close =
            FIELDS.iter().map(|f| f.name).filter(|n| n.rsplit('.').next().is_some_and(|l| l.eq_ignore_ascii_case(last))).take(3).collect();
    }
    if close.is_empty() {
        format!("unknown field {name:?} (see `fnwarden fields`)")
    } else {
        format!("unknown field {name:?}; did you mean {}? (see `fnwarden fields`)", close.join(", "))
    }
}

/// The candidates close enough to `name` to be what a typo meant, best first (at most 3).
pub fn suggest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let limit = 2.max(name.chars().count() / 4);
    let mut scored: Vec<(usize, &str)> = candidates.map(|c| (edit_distance(name, c), c)).filter(|(d, _)| *d <= limit).collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, c)| c).collect()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

impl std::fmt::Display for FieldRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = self.def().name;
        match &self.arg {
            FieldArg::None => f.write_str(name),
            FieldArg::Index(n) => write!(f, "{name}[{n}]"),
            FieldArg::Key(k) if self.id == FieldId::EvtArg => write!(f, "{name}.{k}"),
            FieldArg::Key(k) => write!(f, "{name}[{k}]"),
            FieldArg::Path(p) => write!(f, "{name}.{}", p.join(".")),
        }
    }
}

/// A projection of the parent chain.
#[derive(Clone, Copy, Debug)]
pub enum AncestorField {
    Name,
    Exe,
}

/// A field's value in one event, borrowed from it.
#[derive(Clone, Debug)]
pub enum Val<'a> {
    Str(&'a str),
    Int(i64),
    Float(f64),
    Bool(bool),
    Ip(IpAddr),
    Strs(&'a [String]),
    Ancestors(&'a [Ancestor], AncestorField),
    Json(&'a serde_json::Value),
    JsonMany(Vec<&'a serde_json::Value>),
}

impl<'a> Val<'a> {
    /// Calls `f` on each string this value holds (one for scalars, each element for lists, each
    /// string leaf for JSON). Numbers, booleans and IPs are not strings here.
    pub fn for_each_str(&self, f: &mut dyn FnMut(&str) -> bool) -> bool {
        match self {
            Val::Str(s) => f(s),
            Val::Strs(v) => v.iter().any(|s| f(s)),
            Val::Ancestors(a, AncestorField::Name) => a.iter().any(|x| f(&x.name)),
            Val::Ancestors(a, AncestorField::Exe) => a.iter().any(|x| f(&x.exe)),
            Val::Json(v) => json_strs(v, f),
            Val::JsonMany(vs) => vs.iter().any(|v| json_strs(v, f)),
            _ => false,
        }
    }

    /// Renders the value for alert output.
    pub fn render(&self) -> String {
        match self {
            Val::Str(s) => (*s).to_owned(),
            Val::Int(n) => n.to_string(),
            Val::Float(x) => x.to_string(),
            Val::Bool(b) => b.to_string(),
            Val::Ip(ip) => ip.to_string(),
            Val::Strs(v) => v.join(","),
            Val::Ancestors(a, AncestorField::Name) => a.iter().map(|x| x.name.as_str()).collect::<Vec<_>>().join(","),
            Val::Ancestors(a, AncestorField::Exe) => a.iter().map(|x| x.exe.as_str()).collect::<Vec<_>>().join(","),
            Val::Json(serde_json::Value::String(s)) => s.clone(),
            Val::Json(v) => v.to_string(),
            Val::JsonMany(vs) => vs.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(","),
        }
    }

    /// The value as a number, when it is one (JSON numbers and numeric strings count).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Val::Int(n) => Some(*n as f64),
            Val::Float(x) => Some(*x),
            Val::Str(s) => s.trim().parse().ok(),
            Val::Json(serde_json::Value::Number(n)) => n.as_f64(),
            Val::Json(serde_json::Value::String(s)) => s.trim().parse().ok(),
            _ => None,
        }
    }
}

fn json_strs(v: &serde_json::Value, f: &mut dyn FnMut(&str) -> bool) -> bool {
    match v {
        serde_json::Value::String(s) => f(s),
        serde_json::Value::Array(a) => a.iter().any(|x| json_strs(x, f)),
        serde_json::Value::Number(n) => f(&n.to_string()),
        serde_json::Value::Bool(b) => f(if *b { "true" } else { "false" }),
        // Sigma rules test whole sub-records (`requestParameters|contains: x`) as their JSON text.
        serde_json::Value::Object(_) => f(&v.to_string()),
        serde_json::Value::Null => false,
    }
}

fn nonempty(s: &str) -> Option<Val<'_>> {
    if s.is_empty() { None } else { Some(Val::Str(s)) }
}

/// Walks a JSON path; arrays on the way fan out to every element.
fn json_path<'a>(root: &'a serde_json::Value, path: &[Box<str>]) -> Option<Val<'a>> {
    let mut cur: Vec<&'a serde_json::Value> = vec![root];
    for key in path {
        let mut next = Vec::with_capacity(cur.len());
        for v in cur {
            step(v, key, &mut next);
        }
        if next.is_empty() {
            return None;
        }
        cur = next;
    }
    match cur.len() {
        1 => cur.pop().filter(|v| !v.is_null()).map(Val::Json),
        _ => Some(Val::JsonMany(cur)),
    }
}

fn step<'a>(v: &'a serde_json::Value, key: &str, out: &mut Vec<&'a serde_json::Value>) {
    match v {
        serde_json::Value::Object(m) => {
            if let Some(x) = m.get(key) {
                out.push(x);
            }
        }
        serde_json::Value::Array(a) => match key.parse::<usize>() {
            Ok(i) => out.extend(a.get(i)),
            Err(_) => a.iter().for_each(|x| step(x, key, out)),
        },
        _ => {}
    }
}

fn remote_name(n: &crate::NetAction) -> Option<&str> {
    n.remote_host.as_deref().or(n.sni.as_deref()).or(n.http.as_ref().map(|h| h.host.as_str()).filter(|h| !h.is_empty()))
}

fn ancestor(p: &crate::Process, idx: u32) -> Option<&Ancestor> {
    // proc.aname[0] is the process itself in Falco; we keep [1] = parent.
    idx.checked_sub(1).and_then(|i| p.ancestors.get(i as usize))
}

impl Event {
    /// The value of `f` in this event, or `None` when the event does not carry it.
    pub fn get(&self, f: &FieldRef) -> Option<Val<'_>> {
        use FieldId as F;
        let p = self.process.as_ref();
        let file = self.file.as_ref();
        let net = self.net.as_ref();
        let cloud = self.cloud.as_ref();
        let inv = self.invocation.as_ref();
        let d = &self.derived;
        let server = || net.and_then(|n| if matches!(self.kind, K::Accept | K::Bind | K::Listen) { n.local } else { n.remote });
        let client = || net.and_then(|n| if matches!(self.kind, K::Accept) { n.remote } else { n.local });
        match f.id {
            F::EvtType => Some(Val::Str(self.kind.name())),
            F::EvtCategory => Some(Val::Str(self.kind.category().name())),
            F::EvtTime => Some(Val::Int(self.time.0)),
            F::EvtSource => nonempty(&self.source),
            F::EvtRes => self.syscall.as_ref().and_then(|s| s.res).map(Val::Int),
            F::EvtArg => match &f.arg {
                FieldArg::Key(k) => match (self.syscall.as_ref().and_then(|s| s.args.get(&**k)), &**k) {
                    (Some(v), _) => Some(Val::Str(v)),
                    (None, "flags") => file.map(|_| Val::Str(&d.flags)),
                    (None, "mode") => file.and_then(|f| f.mode).map(|m| Val::Int(m.into())),
                    (None, "name" | "path") => file.map(|f| Val::Str(&f.path)),
                    _ => None,
                },
                _ => None,
            },
            F::EvtIsOpenRead => file.map(|f| Val::Bool(f.flags & 0o3 != 0o1)),
            F::EvtIsOpenWrite => file.map(|f| Val::Bool(f.flags & 0o3 != 0)),
            F::EvtIsOpenCreate => file.map(|f| Val::Bool(f.created || f.flags & 0o100 != 0)),
            F::EvtAction => self.syscall.as_ref().and_then(|s| s.action.as_deref()).map(Val::Str),
            F::EvtText => nonempty(&d.text),
            F::Hostname => self.host.as_deref().map(Val::Str),

            F::ProcPid => p.map(|p| Val::Int(p.pid)),
            F::ProcPpid => p.map(|p| Val::Int(p.ppid)),
            F::ProcTid => p.and_then(|p| p.tid).map(Val::Int),
            F::ProcName => p.and_then(|p| nonempty(&p.name)),
            F::ProcExe => p.and_then(|p| p.args.first()).map(|s| Val::Str(s)),
            F::ProcExepath => p.and_then(|p| nonempty(&p.exe)),
            F::ProcCmdline => p.and_then(|_| nonempty(&d.cmdline)),
            F::ProcExeline => p.and_then(|_| nonempty(&d.exeline)),
            F::ProcArgs => p.map(|_| Val::Str(&d.args)),
            F::ProcArgv => p.and_then(|p| match f.arg {
                FieldArg::Index(i) => p.args.get(i as usize).map(|s| Val::Str(s)),
                _ => Some(Val::Strs(&p.args)),
            }),
            F::ProcCwd => p.and_then(|p| nonempty(&p.cwd)),
            F::ProcTty => p.and_then(|p| p.tty).map(Val::Bool),
            F::ProcEnv => p.and_then(|p| match &f.arg {
                FieldArg::Key(k) => p.env.iter().find_map(|e| e.strip_prefix(&**k).and_then(|rest| rest.strip_prefix('=')).map(Val::Str)),
                _ if p.env.is_empty() => None,
                _ => Some(Val::Strs(&p.env)),
            }),
            F::ProcExitCode => p.and_then(|p| p.exit_code).map(Val::Int),
            F::ProcIsExeFromMemfd => p.map(|p| Val::Bool(p.exe.starts_with("memfd:") || p.exe.starts_with("/memfd:"))),
            F::ProcPname => p.and_then(|p| p.ancestors.first()).and_then(|a| nonempty(&a.name)),
            F::ProcPexepath => p.and_then(|p| p.ancestors.first()).and_then(|a| nonempty(&a.exe)),
            F::ProcPcmdline => p.and_then(|p| p.ancestors.first()).and_then(|_| nonempty(&d.pcmdline)),
            F::ProcPexeline => p.and_then(|p| p.ancestors.first()).and_then(|_| nonempty(&d.pexeline)),
            F::ProcAname => p.and_then(|p| match f.arg {
                FieldArg::Index(0) => nonempty(&p.name),
                FieldArg::Index(i) => ancestor(p, i).and_then(|a| nonempty(&a.name)),
                _ => Some(Val::Ancestors(&p.ancestors, AncestorField::Name)),
            }),
            F::ProcAexepath => p.and_then(|p| match f.arg {
                FieldArg::Index(0) => nonempty(&p.exe),
                FieldArg::Index(i) => ancestor(p, i).and_then(|a| nonempty(&a.exe)),
                _ => Some(Val::Ancestors(&p.ancestors, AncestorField::Exe)),
            }),
            F::ProcApid => p.and_then(|p| match f.arg {
                FieldArg::Index(0) => Some(Val::Int(p.pid)),
                FieldArg::Index(i) => ancestor(p, i).map(|a| Val::Int(a.pid)),
                _ => None,
            }),
            F::UserUid => p.and_then(|p| p.uid).map(Val::Int),
            F::UserName => p.and_then(|p| nonempty(&p.user)),
            F::GroupGid => p.and_then(|p| p.gid).map(Val::Int),

            F::FdName => nonempty(&d.fd_name),
            F::FdDirectory => file.map(|_| Val::Str(&d.fd_directory)),
            F::FdFilename => file.map(|f| Val::Str(f.path.rsplit('/').next().unwrap_or(&f.path))),
            F::FdType => {
                if let Some(f) = file {
                    Some(Val::Str(if f.path.starts_with("memfd:") || f.path.starts_with("/memfd:") { "memfd" } else { "file" }))
                } else {
                    net.map(|n| {
                        Val::Str(match (n.proto, n.remote.or(n.local)) {
                            (L4::Unix, _) => "unix",
                            (_, Some(e)) if e.ip.is_ipv6() => "ipv6",
                            _ => "ipv4",
                        })
                    })
                }
            }
            F::FdL4proto => net.map(|n| Val::Str(n.proto.name())),
            F::FdSip => server().map(|e| Val::Ip(e.ip)),
            F::FdSport => server().map(|e| Val::Int(e.port.into())),
            F::FdCip => client().map(|e| Val::Ip(e.ip)),
            F::FdCport => client().map(|e| Val::Int(e.port.into())),
            F::FdRip => net.and_then(|n| n.remote).map(|e| Val::Ip(e.ip)),
            F::FdRport => net.and_then(|n| n.remote).map(|e| Val::Int(e.port.into())),
            F::FdRipName => net.and_then(|n| remote_name(n)).map(Val::Str),
            F::FdSipName => {
                net.and_then(|n| if matches!(self.kind, K::Accept | K::Bind | K::Listen) { None } else { remote_name(n) }).map(Val::Str)
            }
            F::FdLip => net.and_then(|n| n.local).map(|e| Val::Ip(e.ip)),
            F::FdLport => net.and_then(|n| n.local).map(|e| Val::Int(e.port.into())),
            F::FsPathTarget => file.and_then(|f| f.target.as_deref()).map(Val::Str),
            F::FileMode => file.and_then(|f| f.mode).map(|m| Val::Int(m.into())),
            F::FileFlags => file.map(|_| Val::Str(&d.flags)),
            F::FileData => file.and_then(|f| f.data.as_deref()).map(Val::Str),
            F::FileBytes => file.and_then(|f| f.bytes).map(|b| Val::Int(b as i64)),

            F::NetFamily => net.and_then(|n| n.family.as_deref()).map(Val::Str),
            F::NetDnsQuery => net.and_then(|n| n.dns.as_ref()).map(|q| Val::Str(&q.name)),
            F::NetDnsQtype => net.and_then(|n| n.dns.as_ref()).and_then(|q| nonempty(&q.qtype)),
            F::NetDnsAnswers => net.and_then(|n| n.dns.as_ref()).map(|q| Val::Strs(&q.answers)),
            F::NetHttpMethod => net.and_then(|n| n.http.as_ref()).and_then(|h| nonempty(&h.method)),
            F::NetHttpHost => net.and_then(|n| n.http.as_ref()).and_then(|h| nonempty(&h.host)),
            F::NetHttpPath => net.and_then(|n| n.http.as_ref()).and_then(|h| nonempty(&h.path)),
            F::NetHttpUserAgent => net.and_then(|n| n.http.as_ref()).and_then(|h| nonempty(&h.user_agent)),
            F::NetHttpHeaders => net.and_then(|n| n.http.as_ref()).map(|h| Val::Strs(&h.headers)),
            F::NetSni => net.and_then(|n| n.sni.as_deref()).map(Val::Str),
            F::NetPayload => net.and_then(|n| n.payload.as_deref()).map(Val::Str),
            F::NetBytesOut => net.and_then(|n| n.bytes_out).map(|b| Val::Int(b as i64)),

            F::SyscallTargetPid => self.syscall.as_ref().and_then(|s| s.target.as_ref()).map(|t| Val::Int(t.pid)),
            F::SyscallTargetName => self.syscall.as_ref().and_then(|s| s.target.as_ref()).and_then(|t| nonempty(&t.name)),
            F::SyscallTargetExepath => self.syscall.as_ref().and_then(|s| s.target.as_ref()).and_then(|t| nonempty(&t.exe)),

            F::ContainerId => self.container.as_ref().and_then(|c| nonempty(&c.id)),
            F::ContainerName => self.container.as_ref().and_then(|c| nonempty(&c.name)),
            F::ContainerImage => self.container.as_ref().and_then(|c| nonempty(&c.image)),

            F::FunctionProvider => nonempty(&self.function.provider),
            F::FunctionName => nonempty(&self.function.name),
            F::FunctionArn => nonempty(&self.function.arn),
            F::FunctionVersion => nonempty(&self.function.version),
            F::FunctionInstance => nonempty(&self.function.instance),
            F::FunctionRequestId => nonempty(&self.function.request_id),
            F::FunctionRuntime => nonempty(&self.function.runtime),
            F::FunctionRegion => nonempty(&self.function.region),
            F::FunctionAccount => nonempty(&self.function.account),

            F::CloudProvider => cloud.and_then(|c| nonempty(&c.provider)),
            F::CloudService => cloud.and_then(|c| nonempty(&c.service)),
            F::CloudApi => cloud.and_then(|c| nonempty(&c.operation)),
            F::CloudApiBase => cloud.and_then(|c| nonempty(c.operation_base())),
            F::CloudPrincipal => cloud.and_then(|c| nonempty(&c.principal)),
            F::CloudPrincipalType => cloud.and_then(|c| nonempty(&c.principal_type)),
            F::CloudAccessKeyId => cloud.and_then(|c| nonempty(&c.access_key_id)),
            F::CloudAccount => cloud.and_then(|c| nonempty(&c.account)),
            F::CloudRegion => cloud.and_then(|c| nonempty(&c.region)),
            F::CloudSourceIp => cloud.and_then(|c| nonempty(&c.source_ip)),
            F::CloudUserAgent => cloud.and_then(|c| nonempty(&c.user_agent)),
            F::CloudErrorCode => cloud.and_then(|c| nonempty(&c.error_code)),
            F::CloudErrorMessage => cloud.and_then(|c| nonempty(&c.error_message)),
            F::CloudRaw => match (&f.arg, cloud) {
                (FieldArg::Path(path), Some(c)) => json_path(&c.raw, path),
                _ => None,
            },

            F::InvDuration => inv.and_then(|i| i.duration_ms).map(Val::Float),
            F::InvBilled => inv.and_then(|i| i.billed_ms).map(Val::Float),
            F::InvMemory => inv.and_then(|i| i.memory_mb).map(Val::Float),
            F::InvMaxMemory => inv.and_then(|i| i.max_memory_mb).map(Val::Float),
            F::InvInit => inv.and_then(|i| i.init_ms).map(Val::Float),
            F::InvTimeout => inv.and_then(|i| i.timeout_ms).map(Val::Float),
            F::InvStatus => inv.and_then(|i| i.status).map(|s| Val::Str(s.name())),
            F::InvErrorType => inv.and_then(|i| nonempty(&i.error_type)),

            F::LogMessage => self.log.as_ref().map(|l| Val::Str(&l.message)),
            F::SandboxRole => self.sandbox.as_ref().and_then(|s| nonempty(&s.role)),
            F::SandboxTargetRole => self.sandbox.as_ref().and_then(|s| nonempty(&s.target_role)),
            F::SandboxPollers => self.sandbox.as_ref().and_then(|s| s.pollers).map(|n| Val::Int(n.into())),
            F::SandboxDroppedIn => self.sandbox.as_ref().and_then(|s| nonempty(&s.dropped_in)),
            F::SandboxCanaries => self.sandbox.as_ref().filter(|s| !s.canaries.is_empty()).map(|s| Val::Strs(&s.canaries)),
            F::LogLevel => self.log.as_ref().and_then(|l| nonempty(&l.level)),
            F::LogStream => self.log.as_ref().and_then(|l| nonempty(&l.stream)),
        }
    }
}

use crate::L4Proto as L4;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Process, Timestamp};

    #[test]
    fn registry_names_are_unique_and_ids_line_up() {
        let mut names: Vec<_> = FIELDS.iter().map(|f| f.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), FIELDS.len());
        for (i, id) in IDS.iter().enumerate() {
            assert_eq!(*id as usize, i);
            assert_eq!(FieldId::by_name(FIELDS[i].name), Some(*id));
        }
    }

    #[test]
    fn references_parse() {
        assert_eq!(FieldRef::parse("proc.aname[2]").unwrap().arg, FieldArg::Index(2));
        assert_eq!(FieldRef::parse("evt.arg.flags").unwrap().arg, FieldArg::Key("flags".into()));
        assert_eq!(FieldRef::parse("evt.arg[flags]").unwrap().arg, FieldArg::Key("flags".into()));
        let raw = FieldRef::parse("cloud.raw.requestParameters.functionName").unwrap();
        assert_eq!(raw.to_string(), "cloud.raw.requestParameters.functionName");
        assert!(FieldRef::parse("proc.nmae").unwrap_err().contains("unknown field"));
        assert!(FieldRef::parse("proc.aname[x]").is_err());
        assert!(FieldRef::parse("proc.name[1]").is_err());
        assert!(FieldRef::parse("proc.aname[2").is_err());
        assert!(FieldRef::parse("evt.arg").is_err());
    }

    #[test]
    fn ancestors_and_json_paths_resolve() {
        let mut e = Event::new(EventKind::Execve, Timestamp(0));
        e.process = Some(Process {
            exe: "/bin/sh".into(),
            ancestors: vec![
                Ancestor { name: "python3".into(), ..Default::default() },
                Ancestor { name: "bootstrap".into(), ..Default::default() },
            ],
            ..Default::default()
        });
        e.normalize();
        let get = |s: &str| e.get(&FieldRef::parse(s).unwrap()).map(|v| v.render());
        assert_eq!(get("proc.aname[1]").as_deref(), Some("python3"));
        assert_eq!(get("proc.aname[2]").as_deref(), Some("bootstrap"));
        assert_eq!(get("proc.aname[3]"), None);
        assert_eq!(get("proc.pname").as_deref(), Some("python3"));

        let mut c = Event::new(EventKind::CloudApi, Timestamp(0));
        c.cloud = Some(crate::CloudCall {
            provider: "aws".into(),
            raw: serde_json::json!({"resources": [{"ARN": "a"}, {"ARN": "b"}], "x": {"y": 3}}),
            ..Default::default()
        });
        let get = |s: &str| c.get(&FieldRef::parse(s).unwrap()).map(|v| v.render());
        assert_eq!(get("cloud.raw.x.y").as_deref(), Some("3"));
        assert_eq!(get("cloud.raw.resources.ARN").as_deref(), Some("\"a\",\"b\""));
        assert_eq!(get("cloud.raw.nope"), None);
    }
}
