//! A Sigma `logsource` decides which event kinds a rule applies to and how its field names map
//! onto fnwarden's (see [`super::taxonomy`]).

use fnwarden_event::field::KindMask;
use fnwarden_event::{Category, EventKind, FieldId, FieldRef};

use crate::yaml::Node;
use crate::{Expr, Op, StrOp};

use super::Fail;

/// Which field-name table applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Taxonomy {
    /// `category: process_creation` (and process_termination): Sysmon process fields.
    Process,
    /// `category: file_event|file_create|file_change|file_access|file_delete`.
    File,
    /// `category: file_rename`: source and target names.
    FileRename,
    /// `category: network_connection`.
    Network,
    /// `category: dns|dns_query`.
    Dns,
    /// `service: auditd`: audit record fields (`type`, `SYSCALL`, `a0` …, `exe`, `name`).
    Auditd,
    /// `product: linux` with no category: keywords over any event text, process fields.
    Linux,
    /// A Linux log service (syslog, auth, sshd …): keywords over log lines.
    LinuxLog,
    /// `product: fnwarden`: fnwarden field names only.
    Fnwarden,
    /// Cloud audit logs: well-known keys map to `cloud.*`, any other JSON path to `cloud.raw.*`.
    Cloud(Provider),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Provider {
    Aws,
    Azure,
    Gcp,
    Other,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LogSource {
    /// `product: linux, category: process_creation`, for messages.
    pub desc: String,
    pub kinds: KindMask,
    /// A condition every matching event must meet (`cloud.provider = aws`, an open for writing).
    pub base: Option<Expr>,
    pub taxonomy: Taxonomy,
}

/// Products whose Sigma rules read cloud or SaaS audit records.
const CLOUD_PRODUCTS: &[&str] = &["aws", "azure", "gcp", "m365", "okta", "onelogin", "github", "bitbucket", "google_workspace"];

const SUPPORTED: &str = "supported: product linux (categories process_creation, process_termination, file_event, file_create, \
    file_change, file_access, file_delete, file_rename, network_connection, dns_query; services auditd, syslog, auth, sshd, \
    cron, sudo …), product fnwarden, and cloud products aws, azure, gcp, m365, okta, onelogin, github, bitbucket, cisco duo";

fn kinds(ks: &[EventKind]) -> KindMask {
    ks.iter().fold(KindMask::NONE, |m, k| m.union(KindMask::of(*k)))
}

fn sensor() -> KindMask {
    [Category::Process, Category::File, Category::Network, Category::Kernel]
        .into_iter()
        .fold(KindMask::NONE, |m, c| m.union(KindMask::category(c)))
}

/// `field = value`, case-insensitive.
pub fn eq(id: FieldId, value: &str) -> Expr {
    Expr::pred(FieldRef::plain(id), Op::Str { op: StrOp::Eq, value: value.to_owned(), cased: false })
}

impl LogSource {
    pub fn parse(node: &Node) -> Result<LogSource, Fail> {
        if node.as_map().is_none() {
            return Err(Fail::at(node, "`logsource` must be a mapping with category, product and/or service"));
        }
        let get = |k: &str| -> Result<Option<String>, Fail> {
            match node.get(k) {
                None => Ok(None),
                Some(n) if n.is_null() => Ok(None),
                Some(n) => n
                    .as_str()
                    .map(|s| Some(s.trim().to_ascii_lowercase()))
                    .ok_or_else(|| Fail::at(n, format!("logsource `{k}` must be a string"))),
            }
        };
        let (category, product, service) = (get("category")?, get("product")?, get("service")?);
        let mut desc: Vec<String> = Vec::new();
        for (k, v) in [("product", &product), ("category", &category), ("service", &service)] {
            if let Some(v) = v {
                desc.push(format!("{k}: {v}"));
            }
        }
        let desc = desc.join(", ");
        let unsupported = |what: String| Err(Fail::at(node, format!("unsupported logsource ({desc}): {what}; {SUPPORTED}")));
        let ls = |kinds: KindMask, base: Option<Expr>, taxonomy: Taxonomy| Ok(LogSource { desc: desc.clone(), kinds, base, taxonomy });

        let product = product.as_deref();
        let cloud = match (product, service.as_deref()) {
            (Some("cisco"), Some("duo")) => Some("cisco"),
            (Some(p), _) if CLOUD_PRODUCTS.contains(&p) => Some(p),
            _ => None,
        };
        if let Some(p) = cloud {
            let provider = match p {
                "aws" => Provider::Aws,
                "azure" => Provider::Azure,
                "gcp" => Provider::Gcp,
                _ => Provider::Other,
            };
            return ls(KindMask::of(EventKind::CloudApi), Some(eq(FieldId::CloudProvider, p)), Taxonomy::Cloud(provider));
        }
        match product {
            None | Some("linux" | "fnwarden") => {}
            Some(p @ ("windows" | "macos")) => {
                return unsupported(format!("product {p}: fnwarden observes Linux hosts and functions and cloud audit logs"));
            }
            Some(p) => return unsupported(format!("product {p:?} is not a source fnwarden reads")),
        }
        let fnwarden = product == Some("fnwarden");
        if let Some(c) = category.as_deref() {
            use EventKind as K;
            // A file "event" in Sysmon's sense is a creation or modification: an open for
            // writing, or a write.
            let written = Expr::or(vec![
                Expr::not(eq(FieldId::EvtType, "open")),
                Expr::pred(FieldRef::plain(FieldId::EvtIsOpenWrite), Op::Bool(true)),
            ]);
            return match c {
                "process_creation" => ls(KindMask::of(K::Execve), None, Taxonomy::Process),
                "process_termination" => ls(KindMask::of(K::ProcExit), None, Taxonomy::Process),
                "file_event" | "file_create" | "file_change" => ls(kinds(&[K::Open, K::Write]), Some(written), Taxonomy::File),
                "file_access" => ls(KindMask::of(K::Open), None, Taxonomy::File),
                "file_delete" => ls(KindMask::of(K::Unlink), None, Taxonomy::File),
                "file_rename" => ls(KindMask::of(K::Rename), None, Taxonomy::FileRename),
                "network_connection" => ls(kinds(&[K::Connect, K::Accept]), None, Taxonomy::Network),
                "dns" | "dns_query" => ls(KindMask::of(K::Dns), None, Taxonomy::Dns),
                other => unsupported(format!("category {other:?} has no counterpart in fnwarden's events")),
            };
        }
        match service.as_deref() {
            Some("auditd") => ls(sensor(), None, Taxonomy::Auditd),
            // Any other Linux service is a log file; its rules search the log lines.
            Some(_) => ls(KindMask::of(EventKind::Log), None, Taxonomy::LinuxLog),
            None if fnwarden => ls(KindMask::ALL, None, Taxonomy::Fnwarden),
            // Sigma keyword rules for plain `product: linux` search every log; fnwarden's events
            // carry their text in `evt.text` (log line, command line, file name).
            None if product.is_some() => ls(sensor().union(KindMask::of(EventKind::Log)), None, Taxonomy::Linux),
            None => Err(Fail::at(node, "logsource names no category, product or service")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse;

    fn ls(src: &str) -> Result<LogSource, Fail> {
        LogSource::parse(&parse(src).unwrap()[0])
    }

    #[test]
    fn linux_categories_restrict_kinds() {
        let p = ls("category: process_creation\nproduct: linux\n").unwrap();
        assert_eq!(p.kinds, KindMask::of(EventKind::Execve));
        assert_eq!(p.taxonomy, Taxonomy::Process);
        let n = ls("category: network_connection\nproduct: linux\n").unwrap();
        assert!(n.kinds.contains(EventKind::Connect) && n.kinds.contains(EventKind::Accept));
        let a = ls("product: linux\nservice: auditd\n").unwrap();
        assert!(a.kinds.contains(EventKind::Ptrace) && !a.kinds.contains(EventKind::CloudApi));
        let s = ls("product: linux\nservice: syslog\n").unwrap();
        assert_eq!(s.kinds, KindMask::of(EventKind::Log));
    }

    #[test]
    fn cloud_products_constrain_the_provider() {
        let a = ls("product: aws\nservice: cloudtrail\n").unwrap();
        assert_eq!(a.kinds, KindMask::of(EventKind::CloudApi));
        assert_eq!(a.base, Some(eq(FieldId::CloudProvider, "aws")));
        assert_eq!(a.taxonomy, Taxonomy::Cloud(Provider::Aws));
    }

    #[test]
    fn unsupported_sources_are_named() {
        let e = ls("category: registry_set\nproduct: windows\n").unwrap_err();
        assert!(e.msg.contains("product windows"), "{}", e.msg);
        let e = ls("category: image_load\nproduct: linux\n").unwrap_err();
        assert!(e.msg.contains("image_load"), "{}", e.msg);
        assert!(ls("{}\n").is_err());
    }
}
