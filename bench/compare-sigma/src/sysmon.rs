//! An fnwarden event as a Sigma backend on Linux would see it: a flat JSON object in the
//! Sysmon-for-Linux taxonomy (the field set of the matching Sysmon event), plus the Sigma log source
//! the event belongs to. Values are read through fnwarden's own field accessors, with the field
//! each Sigma name maps to in docs/sigma.md, so both engines look at the same data.

use fnwarden_event::{Event, EventKind, FieldRef, Val};
use rsigma_parser::LogSource;
use serde_json::{Map, Value};

/// Sigma categories the mix can produce; an event's log source is one of these (or product only).
pub const CATEGORIES: &[&str] = &[
    "process_creation",
    "process_termination",
    "file_event",
    "file_access",
    "file_delete",
    "file_rename",
    "network_connection",
    "dns_query",
];

/// The Sysmon field names and the fnwarden fields they are read from.
struct Mapping {
    common: Vec<(&'static str, FieldRef)>,
    creation: Vec<(&'static str, FieldRef)>,
    file: FieldRef,
    rename_target: FieldRef,
    network: Vec<(&'static str, FieldRef)>,
    dns: Vec<(&'static str, FieldRef)>,
    open_write: FieldRef,
}

fn refs(pairs: &[(&'static str, &str)]) -> Result<Vec<(&'static str, FieldRef)>, String> {
    pairs.iter().map(|(sigma, ours)| Ok((*sigma, FieldRef::parse(ours)?))).collect()
}

impl Mapping {
    fn new() -> Result<Mapping, String> {
        Ok(Mapping {
            common: refs(&[("Computer", "host.name"), ("Image", "proc.exepath"), ("ProcessId", "proc.pid"), ("User", "user.name")])?,
            creation: refs(&[
                ("CommandLine", "proc.exeline"),
                ("CurrentDirectory", "proc.cwd"),
                ("ParentProcessId", "proc.ppid"),
                ("ParentImage", "proc.pexepath"),
                ("ParentCommandLine", "proc.pexeline"),
            ])?,
            file: FieldRef::parse("fd.name")?,
            rename_target: FieldRef::parse("fs.path.target")?,
            network: refs(&[
                ("Protocol", "fd.l4proto"),
                ("SourceIp", "fd.cip"),
                ("SourcePort", "fd.cport"),
                ("DestinationIp", "fd.sip"),
                ("DestinationPort", "fd.sport"),
                ("DestinationHostname", "fd.sip.name"),
            ])?,
            dns: refs(&[("QueryName", "net.dns.query"), ("QueryType", "net.dns.qtype"), ("QueryResults", "net.dns.answers")])?,
            open_write: FieldRef::parse("evt.is_open_write")?,
        })
    }
}

/// One translated event: the JSON object and the index of its category in [`CATEGORIES`].
pub struct SigmaEvent {
    pub json: Value,
    pub category: Option<usize>,
}

/// The log sources events are evaluated under, one per entry of [`CATEGORIES`], and a last one
/// with product `linux` alone for events no Sigma category covers.
pub fn log_sources() -> Vec<LogSource> {
    let linux =
        |category: Option<&str>| LogSource { product: Some("linux".into()), category: category.map(str::to_owned), ..LogSource::default() };
    CATEGORIES.iter().map(|c| linux(Some(c))).chain([linux(None)]).collect()
}

/// Translates every event.
pub fn translate(events: &[Event]) -> Result<Vec<SigmaEvent>, String> {
    let m = Mapping::new()?;
    Ok(events.iter().map(|e| one(&m, e)).collect())
}

fn one(m: &Mapping, e: &Event) -> SigmaEvent {
    let mut obj = Map::new();
    obj.insert("UtcTime".into(), e.time.to_string().into());
    let put = |obj: &mut Map<String, Value>, name: &str, f: &FieldRef| {
        if let Some(v) = e.get(f).and_then(json) {
            obj.insert(name.to_owned(), v);
        }
    };
    for (name, f) in &m.common {
        put(&mut obj, name, f);
    }
    let category = match e.kind {
        EventKind::Execve => {
            for (name, f) in &m.creation {
                put(&mut obj, name, f);
            }
            Some("process_creation")
        }
        EventKind::ProcExit => Some("process_termination"),
        EventKind::Open | EventKind::Write | EventKind::Unlink | EventKind::Chmod | EventKind::MmapExec => {
            put(&mut obj, "TargetFilename", &m.file);
            let writes = matches!(e.get(&m.open_write), Some(Val::Bool(true)));
            match e.kind {
                EventKind::Write => Some("file_event"),
                EventKind::Open if writes => Some("file_event"),
                EventKind::Open => Some("file_access"),
                EventKind::Unlink => Some("file_delete"),
                _ => None,
            }
        }
        EventKind::Rename => {
            put(&mut obj, "SourceFilename", &m.file);
            put(&mut obj, "TargetFilename", &m.rename_target);
            Some("file_rename")
        }
        EventKind::Connect | EventKind::Accept | EventKind::Tls | EventKind::Http => {
            for (name, f) in &m.network {
                put(&mut obj, name, f);
            }
            // Sysmon's NetworkConnect reports direction as the strings "true" and "false"; TLS and
            // HTTP events have no Sysmon counterpart, hence no direction and no category.
            match e.kind {
                EventKind::Connect => {
                    obj.insert("Initiated".into(), "true".into());
                    Some("network_connection")
                }
                EventKind::Accept => {
                    obj.insert("Initiated".into(), "false".into());
                    Some("network_connection")
                }
                _ => None,
            }
        }
        EventKind::Dns => {
            for (name, f) in &m.dns {
                put(&mut obj, name, f);
            }
            Some("dns_query")
        }
        _ => None,
    };
    SigmaEvent { json: Value::Object(obj), category: category.and_then(|c| CATEGORIES.iter().position(|k| *k == c)) }
}

/// A field value as Sysmon would print it: strings, numbers, addresses as text, lists joined
/// with `;` (as in QueryResults). Empty values are left out, as Sysmon leaves out unknown ones.
fn json(v: Val<'_>) -> Option<Value> {
    match v {
        Val::Str("") => None,
        Val::Str(s) => Some(s.into()),
        Val::Int(i) => Some(i.into()),
        Val::Float(f) => Some(f.into()),
        Val::Bool(b) => Some(b.to_string().into()),
        Val::Ip(ip) => Some(ip.to_string().into()),
        Val::Strs([]) => None,
        Val::Strs(list) => Some(list.join(";").into()),
        Val::Ancestors(..) | Val::Json(_) | Val::JsonMany(_) => None,
    }
}
