//! The kernel-side plan derived from the loaded rules: which hooks to attach, and the
//! prefilters (path prefixes, file names, ports) that keep events no rule can match in the
//! kernel.

use std::collections::BTreeSet;

use fnwarden_detect::{Bound, Engine};
use fnwarden_event::field::FieldArg;
use fnwarden_event::{EventKind, FieldId, FieldRef};
use fnwarden_rules::StrOp;

use crate::hook::Hook;

/// What the probes deliver, and why.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    /// Hooks to attach (process lifecycle hooks are always attached: tracking needs them).
    pub hooks: BTreeSet<Hook>,
    /// Path prefixes (`exact` ones end the path) whose opens cross into userspace.
    pub open_prefixes: Vec<OpenPrefix>,
    /// File names whose opens cross into userspace.
    pub open_names: Vec<String>,
    /// Path suffixes whose opens cross into userspace.
    pub open_suffixes: Vec<String>,
    /// Directory names that make an open cross wherever they appear in the path.
    pub open_components: Vec<String>,
    /// Every open crosses: some rule on opens is not bounded by a path test.
    pub open_all: bool,
    /// Destination ports whose connects cross into userspace.
    pub connect_ports: Vec<u16>,
    pub connect_all: bool,
    /// Rules that made a kind unfiltered, by kind.
    pub unbounded: Vec<(EventKind, String)>,
    /// Rules that need a kind this sensor does not observe.
    pub unobservable: Vec<(EventKind, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct OpenPrefix {
    pub path: String,
    pub exact: bool,
}

impl Plan {
    pub fn from_engine(engine: &Engine) -> Plan {
        let mut plan = Plan::default();
        plan.hooks.extend([Hook::Exec, Hook::Fork, Hook::Exit]);
        for kind in EventKind::ALL.iter().copied() {
            let Some(need) = engine.needs(kind, &[], &|_| true) else { continue };
            match Hook::for_kind(kind) {
                Some(_) => plan.hooks.extend(Hook::all_for_kind(kind)),
                None if matches!(kind, EventKind::Execve | EventKind::Fork | EventKind::ProcExit) => {}
                None => {
                    // Audit records, invocations and logs come from `fnwarden logs`, not from a
                    // host sensor.
                    use fnwarden_event::Category as C;
                    if !matches!(kind.category(), C::Cloud | C::Invocation | C::Log) && kind != EventKind::SensorLoss {
                        for r in need.rules {
                            plan.unobservable.push((kind, r));
                        }
                    }
                    continue;
                }
            }
            match kind {
                EventKind::Open => plan.bound_opens(engine),
                EventKind::Connect => plan.bound_connects(engine),
                _ => {}
            }
        }
        plan.open_prefixes.sort();
        plan.open_prefixes.dedup();
        for v in [&mut plan.open_names, &mut plan.open_suffixes, &mut plan.open_components] {
            v.sort();
            v.dedup();
        }
        plan.connect_ports.sort_unstable();
        plan.connect_ports.dedup();
        plan
    }

    fn bound_opens(&mut self, engine: &Engine) {
        let fields = [
            FieldRef::plain(FieldId::FdName),
            FieldRef::plain(FieldId::FdDirectory),
            FieldRef::plain(FieldId::FdFilename),
            FieldRef::plain(FieldId::EvtSource),
            FieldRef::plain(FieldId::EvtAction),
            FieldRef::plain(FieldId::SandboxRole),
            FieldRef::plain(FieldId::SandboxTargetRole),
            FieldRef::plain(FieldId::SandboxDroppedIn),
            FieldRef::plain(FieldId::SandboxCanaries),
            FieldRef { id: FieldId::EvtArg, arg: FieldArg::Key("guard".into()) },
        ];
        let Some(need) = engine.needs(EventKind::Open, &fields, &|b| open_bound(b).is_some()) else { return };
        let mut unbounded = need.unbounded.clone();
        let mut prefixes = Vec::new();
        let mut names = Vec::new();
        let mut suffixes = Vec::new();
        let mut components = Vec::new();
        for b in &need.bounds {
            match open_bound(b) {
                Some(OpenBound::Prefix(p)) => prefixes.push(p),
                Some(OpenBound::Name(n)) => names.push(n),
                Some(OpenBound::Suffix(x)) => suffixes.push(x),
                Some(OpenBound::Component(c)) => components.push(c),
                Some(OpenBound::Satisfied) => {}
                // A test the kernel cannot apply (a substring, a case-folded name): the rules
                // that rely on it need every open.
                None => unbounded.push(format!("a test the kernel cannot apply: {}", describe(b))),
            }
        }
        if unbounded.is_empty() {
            self.open_prefixes.extend(prefixes);
            self.open_names.extend(names);
            self.open_suffixes.extend(suffixes);
            self.open_components.extend(components);
        } else {
            self.open_all = true;
            self.unbounded.extend(unbounded.into_iter().map(|r| (EventKind::Open, r)));
        }
    }

    fn bound_connects(&mut self, engine: &Engine) {
        let fields = [FieldRef::plain(FieldId::FdRport), FieldRef::plain(FieldId::FdSport)];
        let Some(need) = engine.needs(EventKind::Connect, &fields, &|b| matches!(b, Bound::Num { .. })) else { return };
        let mut ports = Vec::new();
        let mut ok = need.is_bounded();
        for b in &need.bounds {
            match b {
                Bound::Num { value, .. } if value.fract() == 0.0 && (0.0..=65535.0).contains(value) => ports.push(*value as u16),
                _ => ok = false,
            }
        }
        if ok {
            self.connect_ports.extend(ports);
        } else {
            self.connect_all = true;
            self.unbounded.extend(need.unbounded.into_iter().map(|r| (EventKind::Connect, r)));
        }
    }

    /// The share of open rules' needs the kernel can filter on, for people: `None` when
    /// every open crosses.
    pub fn describe(&self) -> Vec<String> {
        let mut out = Vec::new();
        let hooks: Vec<&str> = self.hooks.iter().map(|h| h.name()).collect();
        out.push(format!("hooks: {}", hooks.join(", ")));
        if self.hooks.contains(&Hook::Open) {
            if self.open_all {
                out.push("opens: all cross into userspace".to_owned());
            } else {
                out.push(format!(
                    "opens: {} path prefixes, {} suffixes, {} file names, {} directory names",
                    self.open_prefixes.len(),
                    self.open_suffixes.len(),
                    self.open_names.len(),
                    self.open_components.len()
                ));
            }
        }
        if self.hooks.contains(&Hook::Connect) {
            if self.connect_all {
                out.push("connects: all cross into userspace".to_owned());
            } else {
                out.push(format!("connects: {} ports", self.connect_ports.len()));
            }
        }
        out
    }
}

enum OpenBound {
    Prefix(OpenPrefix),
    Name(String),
    Suffix(String),
    /// A whole directory name the path must contain.
    Component(String),
    /// Holds on every open the kernel passes up anyway, or on none of this sensor's.
    Satisfied,
}

/// Facts only `fnwarden run`'s sandbox reports: a test on one never holds on this sensor's events.
fn sandbox_only(f: FieldId) -> bool {
    matches!(f, FieldId::SandboxRole | FieldId::SandboxTargetRole | FieldId::SandboxDroppedIn | FieldId::SandboxCanaries)
}

fn open_bound(b: &Bound) -> Option<OpenBound> {
    if let Bound::Exists { field } | Bound::Str { field, .. } = b
        && sandbox_only(field.id)
    {
        return Some(OpenBound::Satisfied);
    }
    let Bound::Str { field, op, value, cased } = b else { return None };
    match (field.id, op) {
        // Another source's events only: nothing of this sensor's matches.
        (FieldId::EvtSource, StrOp::Eq) => return (value != "ebpf").then_some(OpenBound::Satisfied),
        // What a guard did, or which guard: every guarded open crosses.
        (FieldId::EvtAction, StrOp::Eq) => return (value != "allowed").then_some(OpenBound::Satisfied),
        (FieldId::EvtArg, StrOp::Eq) => return Some(OpenBound::Satisfied),
        (FieldId::EvtSource | FieldId::EvtAction | FieldId::EvtArg, _) => return None,
        _ => {}
    }
    // Paths compare byte for byte in the kernel; a folded test holds on more spellings.
    if !cased && value.chars().any(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    match (field.id, op) {
        (FieldId::FdName, StrOp::StartsWith) => Some(OpenBound::Prefix(OpenPrefix { path: value.clone(), exact: false })),
        (FieldId::FdName, StrOp::Eq) => Some(OpenBound::Prefix(OpenPrefix { path: value.clone(), exact: true })),
        (FieldId::FdDirectory, StrOp::Eq) => {
            let d = value.trim_end_matches('/');
            Some(OpenBound::Prefix(OpenPrefix { path: format!("{d}/"), exact: false }))
        }
        (FieldId::FdDirectory, StrOp::StartsWith) => Some(OpenBound::Prefix(OpenPrefix { path: value.clone(), exact: false })),
        (FieldId::FdFilename, StrOp::Eq) if value.len() < crate::wire::NAME && !value.contains('/') => Some(OpenBound::Name(value.clone())),
        (FieldId::FdName | FieldId::FdFilename, StrOp::EndsWith) if value.len() <= crate::wire::LPM_DATA => {
            if field.id == FieldId::FdFilename && value.contains('/') {
                return None;
            }
            Some(OpenBound::Suffix(value.clone()))
        }
        (FieldId::FdName | FieldId::FdDirectory, StrOp::Contains) => whole_component(value).map(OpenBound::Component),
        _ => None,
    }
}

/// The longest directory name a substring holds whole (`/.aws/sso/cache/` → `cache`):
/// a path containing the substring has that component.
fn whole_component(sub: &str) -> Option<String> {
    let parts: Vec<&str> = sub.split('/').collect();
    if parts.len() < 3 {
        return None;
    }
    // Only pieces with a '/' on both sides are whole names.
    parts[1..parts.len() - 1]
        .iter()
        .filter(|p| !p.is_empty() && p.len() < crate::wire::NAME)
        .max_by_key(|p| p.len())
        .map(|p| (*p).to_owned())
}

fn describe(b: &Bound) -> String {
    match b {
        Bound::Str { field, op, value, .. } => format!("{field} {op:?} {value:?}"),
        Bound::Num { field, value } => format!("{field} = {value}"),
        Bound::Exists { field } => format!("{field} exists"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substrings_give_whole_directory_names_only() {
        assert_eq!(whole_component("/.ssh/id_"), Some(".ssh".to_owned()));
        assert_eq!(whole_component("/.aws/sso/cache/"), Some("cache".to_owned()));
        assert_eq!(whole_component("/environ"), None);
        assert_eq!(whole_component(".so."), None);
    }
}
