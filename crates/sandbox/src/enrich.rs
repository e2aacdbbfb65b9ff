//! What only the sandbox knows, added to every event before the engine judges it: which
//! function and invocation it belongs to, which earlier invocation dropped a file in /tmp, and
//! which canaries left. Process roles come with the events from their sources.

use std::collections::HashMap;

use fnwarden_event::{Event, EventKind, FunctionId, SandboxFacts, Timestamp};

use crate::environment::CanaryFinder;
use crate::honeypot::{IssuedTokens, canaries_in};

pub struct Enricher {
    function: FunctionId,
    /// Invocation starts, in order: events belong to the latest one started before them.
    timeline: Vec<(Timestamp, String)>,
    /// Files written under /tmp, with the request id of the invocation that wrote them last.
    drops: HashMap<String, String>,
    canaries: CanaryFinder,
    /// Tokens the metadata honeypots hand out, recognised like the canaries.
    tokens: IssuedTokens,
}

/// Request id given to what happens before the first invocation (the runtime's init).
pub const INIT: &str = "init";

impl Enricher {
    pub fn new(function: FunctionId, canaries: CanaryFinder, tokens: IssuedTokens) -> Enricher {
        Enricher { function, timeline: Vec::new(), drops: HashMap::new(), canaries, tokens }
    }

    /// Names the execution environment that events from now on come from.
    pub fn set_instance(&mut self, instance: &str) {
        self.function.instance = instance.to_owned();
    }

    pub fn invocation_started(&mut self, at: Timestamp, request_id: &str) {
        self.timeline.push((at, request_id.to_owned()));
    }

    /// The invocation an event at `t` belongs to.
    pub fn request_at(&self, t: Timestamp) -> &str {
        self.timeline.iter().rev().find(|(start, _)| *start <= t).map_or(INIT, |(_, id)| id.as_str())
    }

    /// Fills the function identity and the sandbox's facts, keeping those the source gave.
    pub fn enrich(&mut self, ev: &mut Event) {
        let rid = self.request_at(ev.time).to_owned();
        let mut f = self.function.clone();
        f.request_id = if rid == INIT { String::new() } else { rid.clone() };
        ev.function = f;
        let mut facts = ev.sandbox.take().unwrap_or_default();
        self.track_drops(ev, &rid, &mut facts);
        self.find_canaries(ev, &mut facts);
        ev.sandbox = (facts != SandboxFacts::default()).then_some(facts);
    }

    fn track_drops(&mut self, ev: &Event, rid: &str, facts: &mut SandboxFacts) {
        let earlier = |drops: &HashMap<String, String>, path: &str| drops.get(path).filter(|by| by.as_str() != rid).cloned();
        match (ev.kind, ev.file.as_ref()) {
            // Written here: code or not, a later invocation loading it is the finding.
            (EventKind::Open, Some(f)) if f.opens_for_change() && in_tmp(&f.path) => {
                self.drops.insert(f.path.clone(), rid.to_owned());
            }
            (EventKind::Open | EventKind::MmapExec, Some(f)) => {
                if let Some(by) = earlier(&self.drops, &f.path) {
                    facts.dropped_in = by;
                }
            }
            (EventKind::Rename, Some(f)) => {
                if let Some(target) = f.target.as_ref().filter(|t| in_tmp(t)) {
                    self.drops.insert(target.clone(), rid.to_owned());
                }
            }
            (EventKind::Execve, _) => {
                // The image itself, or a script an interpreter was given.
                let p = ev.process.as_ref();
                let candidates = p.into_iter().flat_map(|p| std::iter::once(&p.exe).chain(p.args.iter().skip(1)));
                if let Some(by) = candidates.filter_map(|c| earlier(&self.drops, c)).next() {
                    facts.dropped_in = by;
                }
            }
            _ => {}
        }
    }

    fn find_canaries(&self, ev: &Event, facts: &mut SandboxFacts) {
        for v in canaries_in(ev, &self.canaries, &self.tokens) {
            if !facts.canaries.iter().any(|c| c == v) {
                facts.canaries.push(v.to_owned());
            }
        }
    }
}

fn in_tmp(path: &str) -> bool {
    path.starts_with("/tmp/") || path.starts_with("/dev/shm/")
}

#[cfg(test)]
mod tests {
    use fnwarden_event::{FileAction, NetAction, Process};

    use super::*;
    use crate::environment::Canaries;

    fn ev(kind: EventKind, t: i64) -> Event {
        Event::new(kind, Timestamp(t))
    }

    fn open(path: &str, flags: u32, t: i64) -> Event {
        let mut e = ev(EventKind::Open, t);
        e.process = Some(Process { pid: 7, exe: "/usr/bin/python3".into(), ..Default::default() });
        e.file = Some(FileAction { path: path.into(), flags, ..Default::default() });
        // The monitor names the acting process's role; the enricher must keep it.
        e.sandbox = Some(SandboxFacts { role: "runtime".into(), ..Default::default() });
        e
    }

    fn enricher() -> (Enricher, Canaries) {
        let c = Canaries::new().unwrap();
        let mut e = Enricher::new(FunctionId { name: "f".into(), ..Default::default() }, c.finder(), IssuedTokens::new(&c));
        e.invocation_started(Timestamp(100), "r1");
        e.invocation_started(Timestamp(200), "r2");
        (e, c)
    }

    #[test]
    fn events_belong_to_the_invocation_running_at_their_time() {
        let (mut e, _) = enricher();
        for (t, want) in [(50, ""), (150, "r1"), (250, "r2")] {
            let mut x = open("/var/task/app.py", 0, t);
            e.enrich(&mut x);
            assert_eq!(x.function.request_id, want);
            assert_eq!(x.function.name, "f");
            assert_eq!(x.sandbox.as_ref().map(|s| s.role.as_str()), Some("runtime"));
        }
    }

    #[test]
    fn a_tmp_file_used_in_a_later_invocation_names_the_one_that_dropped_it() {
        let (mut e, _) = enricher();
        let mut w = open("/tmp/evil.py", fnwarden_event::parse_open_flags(["O_WRONLY", "O_CREAT"]).unwrap(), 150);
        e.enrich(&mut w);
        let mut same = open("/tmp/evil.py", 0, 160);
        e.enrich(&mut same);
        assert!(same.sandbox.as_ref().is_some_and(|s| s.dropped_in.is_empty()), "same invocation is not persistence");
        let mut later = open("/tmp/evil.py", 0, 250);
        e.enrich(&mut later);
        assert_eq!(later.sandbox.map(|s| s.dropped_in), Some("r1".into()));
        let mut exec = ev(EventKind::Execve, 260);
        exec.process =
            Some(Process { pid: 9, exe: "/bin/sh".into(), args: vec!["sh".into(), "/tmp/evil.py".into()], ..Default::default() });
        exec.sandbox = Some(SandboxFacts { role: "function".into(), ..Default::default() });
        e.enrich(&mut exec);
        assert_eq!(exec.sandbox.as_ref().map(|s| (s.dropped_in.as_str(), s.role.as_str())), Some(("r1", "function")));
        let mut untouched = open("/tmp/other", 0, 270);
        e.enrich(&mut untouched);
        assert!(untouched.sandbox.is_some_and(|s| s.dropped_in.is_empty()));
    }

    #[test]
    fn canaries_leaving_in_traffic_are_named() {
        let (mut e, c) = enricher();
        let mut x = ev(EventKind::Connect, 150);
        x.net = Some(NetAction { payload: Some(format!("k={}", c.aws_access_key_id)), ..Default::default() });
        e.enrich(&mut x);
        assert_eq!(x.sandbox.map(|s| s.canaries), Some(vec!["AWS_ACCESS_KEY_ID".to_owned()]));
        let mut clean = ev(EventKind::Connect, 150);
        clean.net = Some(NetAction { payload: Some("hello".into()), ..Default::default() });
        e.enrich(&mut clean);
        assert!(clean.sandbox.is_none());
    }
}
