//! Sigma field names → fnwarden fields, per log source.
//!
//! Linux names follow Sysmon for Linux (`Image`, `CommandLine` …) and auditd records (`type`,
//! `SYSCALL`, `a0` …); cloud names are JSON paths of the provider's audit record. fnwarden's own
//! field names (`proc.name`, `fd.sip`) are accepted everywhere.

use fnwarden_event::{Category, EventKind, FieldId, FieldRef};

use crate::{Expr, Op};

use super::logsource::{LogSource, Provider, Taxonomy, eq};

/// What a Sigma field name stands for.
#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    Field(FieldRef),
    /// A different field depending on the event: `(guard, field)` alternatives.
    Alt(Vec<(Expr, FieldRef)>),
    /// A field whose values name event types rather than compare with a field.
    Special(Special),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Special {
    /// auditd record `type` (EXECVE, SYSCALL, PATH …).
    AuditType,
    /// auditd `SYSCALL` name.
    AuditSyscall,
    /// auditd PATH `nametype` (CREATE, DELETE).
    AuditNameType,
    /// Sysmon network `Initiated` (true: outbound).
    Initiated,
}

const PROCESS: &[(&str, &str)] = &[
    ("Image", "proc.exepath"),
    ("CommandLine", "proc.exeline"),
    ("ParentImage", "proc.pexepath"),
    ("ParentCommandLine", "proc.pexeline"),
    ("User", "user.name"),
    ("CurrentDirectory", "proc.cwd"),
    ("ProcessId", "proc.pid"),
    ("ParentProcessId", "proc.ppid"),
    // Sysmon for Linux reports the login uid; fnwarden has the process uid, its closest value.
    ("LogonId", "user.uid"),
    ("UtcTime", "evt.time"),
    ("ComputerName", "host.name"),
    ("Computer", "host.name"),
    ("Hostname", "host.name"),
];

const FILE: &[(&str, &str)] = &[("TargetFilename", "fd.name")];

const FILE_RENAME: &[(&str, &str)] = &[("SourceFilename", "fd.name"), ("TargetFilename", "fs.path.target")];

const NETWORK: &[(&str, &str)] = &[
    // Sysmon's source is the side that initiated the connection, so destination = server.
    ("DestinationIp", "fd.sip"),
    ("DestinationPort", "fd.sport"),
    ("DestinationHostname", "fd.sip.name"),
    ("SourceIp", "fd.cip"),
    ("SourcePort", "fd.cport"),
    ("Protocol", "fd.l4proto"),
];

const DNS: &[(&str, &str)] = &[("QueryName", "net.dns.query"), ("QueryResults", "net.dns.answers"), ("QueryType", "net.dns.qtype")];

const AUDITD: &[(&str, &str)] = &[
    ("exe", "proc.exepath"),
    ("comm", "proc.name"),
    ("cwd", "proc.cwd"),
    ("pid", "proc.pid"),
    ("ppid", "proc.ppid"),
    // fnwarden records one user id per process: the effective one.
    ("uid", "user.uid"),
    ("euid", "user.uid"),
    ("gid", "group.gid"),
    ("egid", "group.gid"),
    ("exit", "evt.res"),
];

/// CloudTrail keys that have a `cloud.*` field of their own.
const AWS: &[(&str, &str)] = &[
    ("eventName", "cloud.api"),
    ("eventSource", "cloud.service"),
    ("userIdentity.arn", "cloud.principal"),
    ("userIdentity.type", "cloud.principal_type"),
    ("userIdentity.accessKeyId", "cloud.access_key_id"),
    ("recipientAccountId", "cloud.account"),
    ("awsRegion", "cloud.region"),
    ("sourceIPAddress", "cloud.source_ip"),
    ("userAgent", "cloud.user_agent"),
    ("errorCode", "cloud.error_code"),
    ("errorMessage", "cloud.error_message"),
];

/// Elastic-style GCP names in SigmaHQ rules that are not paths of the audit record.
const GCP: &[(&str, &str)] = &[("gcp.audit.method_name", "cloud.api")];

/// Azure Activity names: `operationName` is a string in diagnostic exports but a
/// `{value, localizedValue}` pair in the REST shape, so it maps to the value the reader took;
/// the `…Value` names are Log Analytics' `AzureActivity` columns.
const AZURE: &[(&str, &str)] = &[
    ("operationName", "cloud.api"),
    ("OperationNameValue", "cloud.api"),
    ("ResourceProviderValue", "cloud.service"),
    ("callerIpAddress", "cloud.source_ip"),
    ("CallerIpAddress", "cloud.source_ip"),
    ("caller", "cloud.principal"),
    ("Caller", "cloud.principal"),
];

/// Fields that some Sigma rules use but fnwarden's events cannot carry, with the reason.
const MISSING: &[(&[&str], &str)] = &[
    (&["OriginalFileName", "Product", "Company", "Description", "FileVersion"], "PE version metadata exists only for Windows executables"),
    (&["Hashes", "md5", "sha1", "sha256", "imphash"], "fnwarden does not hash executables"),
    (&["ProcessGuid", "ParentProcessGuid", "LogonGuid"], "Sysmon GUIDs are not part of fnwarden's events (use ProcessId)"),
    (&["IntegrityLevel", "TerminalSessionId", "ParentUser"], "fnwarden's events do not record it"),
    (&["key"], "audit rule keys (-k) belong to an auditd configuration; fnwarden's events carry no rule key"),
    (&["auid", "ses"], "the audit login uid and session are not recorded"),
    (&["unit"], "systemd unit records (SERVICE_START/SERVICE_STOP) are not part of fnwarden's events"),
];

fn table(t: Taxonomy) -> Vec<&'static [(&'static str, &'static str)]> {
    match t {
        Taxonomy::Process | Taxonomy::Linux => vec![PROCESS],
        Taxonomy::File => vec![FILE, PROCESS],
        Taxonomy::FileRename => vec![FILE_RENAME, PROCESS],
        Taxonomy::Network => vec![NETWORK, PROCESS],
        Taxonomy::Dns => vec![DNS, PROCESS],
        Taxonomy::Auditd => vec![AUDITD],
        Taxonomy::LinuxLog | Taxonomy::Fnwarden => vec![],
        Taxonomy::Cloud(Provider::Aws) => vec![AWS],
        Taxonomy::Cloud(Provider::Gcp) => vec![GCP],
        Taxonomy::Cloud(Provider::Azure) => vec![AZURE],
        Taxonomy::Cloud(Provider::Other) => vec![],
    }
}

fn parse(name: &str) -> Result<FieldRef, String> {
    FieldRef::parse(name).map_err(|e| format!("internal mapping error: {e}"))
}

/// Resolves a Sigma field name under a log source.
pub fn resolve(name: &str, ls: &LogSource) -> Result<Target, String> {
    let t = ls.taxonomy;
    for tab in table(t) {
        if let Some((_, to)) = tab.iter().find(|(from, _)| *from == name) {
            return parse(to).map(Target::Field);
        }
    }
    if let Some(s) = special(name, t) {
        return Ok(s);
    }
    if t == Taxonomy::Auditd
        && let Some(n) = name.strip_prefix('a').filter(|n| !n.is_empty() && n.len() <= 3 && n.bytes().all(|b| b.is_ascii_digit()))
    {
        // EXECVE records list argv as a0, a1 …
        return parse(&format!("proc.argv[{n}]")).map(Target::Field);
    }
    // In cloud records only fnwarden's cloud-side namespaces are taken verbatim: any other
    // dotted name is a JSON path of the record (`user.name` in an Okta event, say).
    let verbatim = match t {
        Taxonomy::Cloud(_) => ["cloud.", "function.", "evt."].iter().any(|p| name.starts_with(p)),
        _ => name.contains('.'),
    };
    if verbatim && let Ok(f) = FieldRef::parse(name) {
        return Ok(Target::Field(f));
    }
    if let Taxonomy::Cloud(p) = t {
        // Some GCP rules write paths below a `data` wrapper that the audit entry itself lacks.
        let path = match (p, name.strip_prefix("data.")) {
            (Provider::Gcp, Some(inner)) if inner.starts_with("protoPayload.") => inner,
            _ => name,
        };
        return raw_path(path).map(Target::Field);
    }
    if let Some((_, why)) = MISSING.iter().find(|(names, _)| names.contains(&name)) {
        return Err(format!("field `{name}` cannot be evaluated: {why}"));
    }
    let known: Vec<&str> = table(t).iter().flat_map(|tab| tab.iter().map(|(f, _)| *f)).chain(special_names(t).iter().copied()).collect();
    let hint = super::did_you_mean(name, known.iter().copied().chain(fnwarden_event::field::FIELDS.iter().map(|f| f.name)));
    let listed = if known.is_empty() { "fnwarden field names such as proc.name or log.message".to_owned() } else { known.join(", ") };
    Err(format!(
        "field `{name}` has no counterpart for logsource ({}){hint} (known here: {listed}; or write an fnwarden field name)",
        ls.desc
    ))
}

/// Resolves a name whose log source is unknown (a correlation's rule in another file): fnwarden
/// names, then the Linux and CloudTrail tables.
pub fn resolve_unscoped(name: &str) -> Option<FieldRef> {
    if name.contains('.')
        && let Ok(f) = FieldRef::parse(name)
    {
        return Some(f);
    }
    [PROCESS, FILE, NETWORK, DNS, AUDITD, AWS]
        .iter()
        .find_map(|tab| tab.iter().find(|(from, _)| *from == name))
        .and_then(|(_, to)| FieldRef::parse(to).ok())
}

/// A cloud record's JSON path as `cloud.raw.<path>`.
fn raw_path(path: &str) -> Result<FieldRef, String> {
    if path.is_empty() || path.split('.').any(str::is_empty) {
        return Err(format!("field `{path}` is not a JSON path (empty segment)"));
    }
    FieldRef::parse(&format!("cloud.raw.{path}")).map_err(|e| format!("field `{path}`: {e}"))
}

fn special(name: &str, t: Taxonomy) -> Option<Target> {
    let s = match (t, name) {
        (Taxonomy::Auditd, "type") => Special::AuditType,
        (Taxonomy::Auditd, "SYSCALL") => Special::AuditSyscall,
        (Taxonomy::Auditd, "nametype") => Special::AuditNameType,
        (Taxonomy::Network, "Initiated") => Special::Initiated,
        (Taxonomy::Auditd, "name") => {
            // PATH records name the file acted on, or the executable of an execve.
            let file = Expr::pred(FieldRef::plain(FieldId::EvtCategory), eq_op("file"));
            let exec = eq(FieldId::EvtType, "execve");
            return Some(Target::Alt(vec![(file, FieldRef::plain(FieldId::FdName)), (exec, FieldRef::plain(FieldId::ProcExepath))]));
        }
        _ => return None,
    };
    Some(Target::Special(s))
}

fn special_names(t: Taxonomy) -> &'static [&'static str] {
    match t {
        Taxonomy::Auditd => &["type", "SYSCALL", "nametype", "name", "a0, a1 …"],
        Taxonomy::Network => &["Initiated"],
        _ => &[],
    }
}

fn eq_op(v: &str) -> Op {
    Op::Str { op: crate::StrOp::Eq, value: v.to_owned(), cased: false }
}

/// What a special field's value means: an expression, and why it can never hold when fnwarden
/// has no such events.
pub struct SpecialValue {
    pub expr: Expr,
    pub never: Option<String>,
}

impl Special {
    pub fn value(self, v: &str) -> Result<SpecialValue, String> {
        let yes = |expr| Ok(SpecialValue { expr, never: None });
        let never = |why: String| Ok(SpecialValue { expr: Expr::Const(false), never: Some(why) });
        match self {
            Special::AuditType => match v.to_ascii_uppercase().as_str() {
                "EXECVE" => yes(eq(FieldId::EvtType, "execve")),
                // Every sensor event is a system call.
                "SYSCALL" => yes(Expr::Const(true)),
                "PATH" => {
                    yes(Expr::or(vec![Expr::pred(FieldRef::plain(FieldId::EvtCategory), eq_op("file")), eq(FieldId::EvtType, "execve")]))
                }
                other => {
                    never(format!("auditd record type {other} has no counterpart in fnwarden's events (supported: EXECVE, SYSCALL, PATH)"))
                }
            },
            Special::AuditSyscall => {
                let lower = v.to_ascii_lowercase();
                match EventKind::from_name(&lower) {
                    Some(k) if k.category() != Category::Cloud && k.category() != Category::Invocation && k.category() != Category::Log => {
                        yes(eq(FieldId::EvtType, k.name()))
                    }
                    _ => never(format!("fnwarden's sensor does not report the {lower} system call (see `fnwarden fields --types`)")),
                }
            }
            Special::AuditNameType => match v.to_ascii_uppercase().as_str() {
                "CREATE" => yes(Expr::pred(FieldRef::plain(FieldId::EvtIsOpenCreate), Op::Bool(true))),
                "DELETE" => yes(eq(FieldId::EvtType, "unlink")),
                other => Err(format!("nametype {other} has no counterpart (supported: CREATE, DELETE)")),
            },
            Special::Initiated => match v.to_ascii_lowercase().as_str() {
                "true" => yes(eq(FieldId::EvtType, "connect")),
                "false" => yes(eq(FieldId::EvtType, "accept")),
                other => Err(format!("Initiated must be true or false, not {other:?}")),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml;

    fn ls(src: &str) -> LogSource {
        LogSource::parse(&yaml::parse(src).unwrap()[0]).unwrap()
    }

    fn field(name: &str, src: &str) -> String {
        match resolve(name, &ls(src)).unwrap() {
            Target::Field(f) => f.to_string(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn every_table_entry_is_a_field() {
        for tab in [PROCESS, FILE, FILE_RENAME, NETWORK, DNS, AUDITD, AWS, GCP] {
            for (from, to) in tab {
                assert!(FieldRef::parse(to).is_ok(), "{from} → {to}");
            }
        }
    }

    #[test]
    fn linux_names_map_per_logsource() {
        let pc = "product: linux\ncategory: process_creation\n";
        assert_eq!(field("Image", pc), "proc.exepath");
        assert_eq!(field("CommandLine", pc), "proc.exeline");
        assert_eq!(field("ParentCommandLine", pc), "proc.pexeline");
        assert_eq!(field("proc.aname[2]", pc), "proc.aname[2]");
        assert_eq!(field("TargetFilename", "product: linux\ncategory: file_event\n"), "fd.name");
        assert_eq!(field("DestinationPort", "product: linux\ncategory: network_connection\n"), "fd.sport");
        assert_eq!(field("a3", "product: linux\nservice: auditd\n"), "proc.argv[3]");
        let e = resolve("Hashes", &ls(pc)).unwrap_err();
        assert!(e.contains("hash"), "{e}");
        let e = resolve("Imagee", &ls(pc)).unwrap_err();
        assert!(e.contains("did you mean `Image`"), "{e}");
    }

    #[test]
    fn cloud_paths_map_to_fields_or_raw() {
        let aws = "product: aws\nservice: cloudtrail\n";
        assert_eq!(field("eventName", aws), "cloud.api");
        assert_eq!(field("userIdentity.arn", aws), "cloud.principal");
        assert_eq!(field("requestParameters.bucketName", aws), "cloud.raw.requestParameters.bucketName");
        assert_eq!(field("properties.message", "product: azure\nservice: activitylogs\n"), "cloud.raw.properties.message");
        assert_eq!(field("gcp.audit.method_name", "product: gcp\nservice: gcp.audit\n"), "cloud.api");
        assert_eq!(field("data.protoPayload.methodName", "product: gcp\nservice: gcp.audit\n"), "cloud.raw.protoPayload.methodName");
        // Outside GCP a `data` key is the record's own.
        assert_eq!(field("data.protoPayload.x", aws), "cloud.raw.data.protoPayload.x");
        let azure = "product: azure\nservice: activitylogs\n";
        assert_eq!(field("operationName", azure), "cloud.api");
        assert_eq!(field("OperationNameValue", azure), "cloud.api");
        assert!(resolve("a..b", &ls(aws)).is_err());
    }

    #[test]
    fn special_values_name_event_types() {
        let t = Special::AuditType.value("execve").unwrap();
        assert_eq!(t.expr, eq(FieldId::EvtType, "execve"));
        let tty = Special::AuditType.value("TTY").unwrap();
        assert_eq!(tty.expr, Expr::Const(false));
        assert!(tty.never.unwrap().contains("TTY"));
        assert_eq!(Special::AuditSyscall.value("memfd_create").unwrap().expr, eq(FieldId::EvtType, "memfd_create"));
        assert!(Special::AuditSyscall.value("personality").unwrap().never.is_some());
        assert!(Special::Initiated.value("maybe").is_err());
    }
}
