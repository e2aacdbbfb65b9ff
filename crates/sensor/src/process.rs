//! The table of monitored processes, kept from exec, fork and exit records; a process first
//! seen in another record (it ran before the monitor started) is read from /proc once.

use std::fs;
use std::sync::Arc;

use fnwarden_event::{Ancestor, Process};
use rustc_hash::FxHashMap;

use crate::attribution::{self, Attribution, ProcFacts};
use crate::container::{Meta, Roots};

/// How deep `proc.ancestors` goes.
const ANCESTORS: usize = 8;
/// Bound on the table: a fork bomb must not grow it without end. Exited entries go first.
const MAX_ENTRIES: usize = 1 << 16;
/// argv bytes read from /proc for a process seen first mid-life.
const CMDLINE_MAX: usize = 4096;

#[derive(Clone, Debug, Default)]
pub struct Entry {
    pub pid: u32,
    pub ppid: u32,
    pub exe: String,
    pub name: String,
    pub args: Vec<String>,
    pub cwd: String,
    pub uid: u32,
    pub attribution: Arc<Attribution>,
}

impl Entry {
    fn ancestor(&self) -> Ancestor {
        Ancestor { pid: i64::from(self.pid), exe: self.exe.clone(), name: self.name.clone(), args: self.args.clone() }
    }
}

/// What an exec record says of the new image.
pub struct Exec {
    pub pid: u32,
    pub ppid: u32,
    pub exe: String,
    pub args: Vec<String>,
    pub comm: String,
    pub uid: u32,
}

#[derive(Default)]
pub struct Table {
    entries: FxHashMap<u32, Entry>,
    /// Selection names by number, for the instance of last resort.
    selections: Vec<String>,
    /// The first attribution that named a function, per selection: a process gone before
    /// /proc could be read belongs to the same function as the rest of its selection.
    by_selection: FxHashMap<u32, Arc<Attribution>>,
    /// Container metadata by full id, read once.
    containers: FxHashMap<String, Option<Arc<Meta>>>,
    roots: Roots,
}

impl Table {
    pub fn new(selections: Vec<String>) -> Table {
        Table::with_roots(selections, Roots::default())
    }

    /// A table reading container metadata below other roots (tests, unusual runtimes).
    pub fn with_roots(selections: Vec<String>, roots: Roots) -> Table {
        Table { entries: FxHashMap::default(), selections, by_selection: FxHashMap::default(), containers: FxHashMap::default(), roots }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn add_selection(&mut self, name: String) -> u32 {
        self.selections.push(name);
        self.selections.len() as u32
    }

    fn selection(&self, n: u32) -> &str {
        n.checked_sub(1).and_then(|i| self.selections.get(i as usize)).map_or("", String::as_str)
    }

    /// The process, reading /proc if it is new to the table.
    pub fn get_or_load(&mut self, pid: u32, ppid: u32, selection: u32) -> &Entry {
        if !self.entries.contains_key(&pid) {
            let e = self.load(pid, ppid, selection);
            self.insert(e);
        }
        &self.entries[&pid]
    }

    fn load(&mut self, pid: u32, ppid: u32, selection: u32) -> Entry {
        let exe = fs::read_link(format!("/proc/{pid}/exe")).map(|p| p.to_string_lossy().into_owned()).unwrap_or_default();
        let mut args = Vec::new();
        if let Ok(raw) = fs::read(format!("/proc/{pid}/cmdline")) {
            let raw = &raw[..raw.len().min(CMDLINE_MAX)];
            args = raw.split(|b| *b == 0).filter(|s| !s.is_empty()).map(|s| String::from_utf8_lossy(s).into_owned()).collect();
        }
        let name = fs::read_to_string(format!("/proc/{pid}/comm")).map(|s| s.trim_end().to_owned()).unwrap_or_default();
        let attribution = self.attribute(pid, ppid, selection);
        Entry { pid, ppid, exe, name, args, cwd: cwd_of(pid), uid: 0, attribution }
    }

    fn attribute(&mut self, pid: u32, ppid: u32, selection: u32) -> Arc<Attribution> {
        let facts = ProcFacts::read(pid);
        let gone = facts == ProcFacts::default();
        let meta = self.container_meta(&facts);
        let own = attribution::resolve(&facts, meta.as_deref(), self.selection(selection));
        if !own.function.provider.is_empty() {
            let own = Arc::new(own);
            self.by_selection.entry(selection).or_insert_with(|| own.clone());
            return own;
        }
        // A child that names nothing of its own (it cleared its environment, or exited before
        // /proc was read) keeps its parent's function, else its selection's.
        match self.entries.get(&ppid) {
            Some(parent) if gone || !parent.attribution.function.provider.is_empty() => parent.attribution.clone(),
            _ => match self.by_selection.get(&selection) {
                Some(a) => a.clone(),
                None => Arc::new(own),
            },
        }
    }

    fn container_meta(&mut self, facts: &ProcFacts) -> Option<Arc<Meta>> {
        let id = std::iter::once(&facts.cgroup).chain(&facts.cgroups).find_map(|c| attribution::full_container_id(c))?.to_owned();
        if self.containers.len() > MAX_ENTRIES {
            self.containers.clear();
        }
        let roots = &self.roots;
        self.containers.entry(id).or_insert_with_key(|id| Meta::read(roots, id).map(Arc::new)).clone()
    }

    fn insert(&mut self, e: Entry) {
        if self.entries.len() >= MAX_ENTRIES {
            // Drop processes that are gone; if none are, the oldest-looking (lowest pid).
            self.entries.retain(|pid, _| fs::metadata(format!("/proc/{pid}")).is_ok());
            if self.entries.len() >= MAX_ENTRIES
                && let Some(min) = self.entries.keys().min().copied()
            {
                self.entries.remove(&min);
            }
        }
        self.entries.insert(e.pid, e);
    }

    /// A fork: the child starts as a copy of its parent.
    pub fn fork(&mut self, parent: u32, child: u32, selection: u32) {
        let mut e = match self.entries.get(&parent) {
            Some(p) => p.clone(),
            None => self.load(child, parent, selection),
        };
        e.pid = child;
        e.ppid = parent;
        self.insert(e);
    }

    /// An exec: new image and arguments; the attribution is read again (the environment may
    /// have changed).
    pub fn exec(&mut self, x: Exec, selection: u32) -> &Entry {
        let attribution = self.attribute(x.pid, x.ppid, selection);
        let pid = x.pid;
        let e = Entry { pid, ppid: x.ppid, exe: x.exe, name: x.comm, args: x.args, cwd: cwd_of(pid), uid: x.uid, attribution };
        self.insert(e);
        &self.entries[&pid]
    }

    pub fn exit(&mut self, pid: u32) -> Option<Entry> {
        self.entries.remove(&pid)
    }

    /// The process's attribution and its event-model view, loading it from /proc if new.
    pub fn describe(&mut self, pid: u32, ppid: u32, selection: u32) -> (Arc<Attribution>, Process) {
        self.get_or_load(pid, ppid, selection);
        match self.entries.get(&pid) {
            Some(e) => (e.attribution.clone(), self.process(e)),
            None => (Arc::default(), Process { pid: i64::from(pid), ppid: i64::from(ppid), ..Process::default() }),
        }
    }

    /// The event model's view of a process, with its ancestors from the table.
    pub fn process(&self, e: &Entry) -> Process {
        let mut ancestors = Vec::new();
        let mut at = e.ppid;
        while ancestors.len() < ANCESTORS {
            let Some(p) = self.entries.get(&at) else { break };
            ancestors.push(p.ancestor());
            if p.ppid == at || p.ppid == 0 {
                break;
            }
            at = p.ppid;
        }
        Process {
            pid: i64::from(e.pid),
            ppid: i64::from(e.ppid),
            uid: Some(i64::from(e.uid)),
            exe: e.exe.clone(),
            name: e.name.clone(),
            args: e.args.clone(),
            cwd: e.cwd.clone(),
            ancestors,
            ..Process::default()
        }
    }

    /// The process as a syscall target: from the table, else from /proc.
    pub fn target(&self, pid: u32) -> Ancestor {
        if let Some(e) = self.entries.get(&pid) {
            return e.ancestor();
        }
        let name = fs::read_to_string(format!("/proc/{pid}/comm")).map(|s| s.trim_end().to_owned()).unwrap_or_default();
        let exe = fs::read_link(format!("/proc/{pid}/exe")).map(|p| p.to_string_lossy().into_owned()).unwrap_or_default();
        Ancestor { pid: i64::from(pid), exe, name, args: Vec::new() }
    }
}

fn cwd_of(pid: u32) -> String {
    fs::read_link(format!("/proc/{pid}/cwd")).map(|p| p.to_string_lossy().into_owned()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fork_copies_and_ancestors_follow_the_table() {
        let mut t = Table::new(vec!["test".into()]);
        let me = std::process::id();
        let parent = t.get_or_load(me, 0, 1).clone();
        assert!(!parent.exe.is_empty(), "read /proc/self");
        // The selection, or the container this test runs in.
        let instance = parent.attribution.function.instance.clone();
        assert!(!instance.is_empty());
        t.fork(me, 4_000_001, 1);
        let x = Exec {
            pid: 4_000_002,
            ppid: 4_000_001,
            exe: "/bin/sh".into(),
            args: vec!["sh".into(), "-c".into(), "id".into()],
            comm: "sh".into(),
            uid: 0,
        };
        t.exec(x, 1);
        t.fork(me, 4_000_001, 1);
        let child = t.get_or_load(4_000_002, 4_000_001, 1).clone();
        let p = t.process(&child);
        assert_eq!(p.exe, "/bin/sh");
        assert_eq!(p.ancestors.len(), 2, "the forked copy, then this process");
        assert_eq!(p.ancestors[0].pid, 4_000_001);
        assert_eq!(p.ancestors[1].exe, parent.exe);
        // A process that cleared its environment keeps its parent's attribution.
        assert_eq!(child.attribution.function.instance, instance);
        assert!(t.exit(4_000_002).is_some());
        assert!(t.exit(4_000_002).is_none());
    }
}
