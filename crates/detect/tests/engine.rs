//! The indexed engine must agree with the linear baseline, and correlations must behave.

use fnwarden_detect::{Engine, EngineConfig, Strategy as Match};
use fnwarden_event::field::KindMask;
use fnwarden_event::{Ancestor, Endpoint, Event, EventKind, FieldRef, FileAction, NetAction, Process, Timestamp};
use fnwarden_rules::{Cmp, Correlation, CorrelationKind, Expr, GroupField, Op, Rule, RuleMeta, RuleSet, Severity, StrOp, Threshold};
use proptest::prelude::*;

fn meta(id: &str) -> RuleMeta {
    RuleMeta { id: id.into(), title: id.into(), severity: Severity::High, enabled: true, generate: true, ..Default::default() }
}

fn rule(id: &str, condition: Expr) -> Rule {
    Rule { meta: meta(id), condition, kinds: KindMask::ALL, output: None, action: Default::default(), tests: vec![] }
}

fn f(name: &str) -> FieldRef {
    FieldRef::parse(name).unwrap()
}

fn s(field: &str, op: StrOp, v: &str, cased: bool) -> Expr {
    Expr::pred(f(field), Op::Str { op, value: v.into(), cased })
}

fn exec(t: i64, pid: i64, exe: &str, args: &[&str], parent: &str) -> Event {
    let mut e = Event::new(EventKind::Execve, Timestamp(t));
    e.process = Some(Process {
        pid,
        exe: exe.into(),
        args: args.iter().map(|a| a.to_string()).collect(),
        ancestors: vec![Ancestor { exe: parent.into(), ..Default::default() }],
        ..Default::default()
    });
    e.function.instance = "i-1".into();
    e.normalize();
    e
}

fn open(t: i64, pid: i64, path: &str, flags: u32) -> Event {
    let mut e = Event::new(EventKind::Open, Timestamp(t));
    e.process = Some(Process { pid, exe: "/usr/bin/python3".into(), ..Default::default() });
    e.file = Some(FileAction { path: path.into(), flags, ..Default::default() });
    e.normalize();
    e
}

fn connect(t: i64, pid: i64, ip: &str, port: u16) -> Event {
    let mut e = Event::new(EventKind::Connect, Timestamp(t));
    e.process = Some(Process { pid, exe: "/usr/bin/python3".into(), ..Default::default() });
    e.net = Some(NetAction { remote: Some(Endpoint { ip: ip.parse().unwrap(), port }), ..Default::default() });
    e.function.instance = "i-1".into();
    e.normalize();
    e
}

fn run(set: &RuleSet, strategy: Match, events: &[Event]) -> Vec<String> {
    let mut engine = Engine::new(set, EngineConfig { strategy, ..Default::default() });
    let mut out = Vec::new();
    for e in events {
        engine.process_ref(e, &mut out);
    }
    engine.flush(&mut out);
    out.iter().map(|a| a.rule.id.clone()).collect()
}

#[test]
fn prefilter_skips_rules_and_still_matches() {
    let set = RuleSet {
        rules: vec![
            rule("shell", Expr::And(vec![s("evt.type", StrOp::Eq, "execve", true), s("proc.name", StrOp::Eq, "sh", true)])),
            rule(
                "environ",
                Expr::And(vec![s("fd.name", StrOp::StartsWith, "/proc/", true), s("fd.name", StrOp::EndsWith, "/environ", true)]),
            ),
            rule("curl-uncased", s("proc.exeline", StrOp::Contains, "CURL ", false)),
            rule(
                "not-python",
                Expr::And(vec![s("evt.type", StrOp::Eq, "execve", true), Expr::not(s("proc.name", StrOp::Eq, "python3", true))]),
            ),
        ],
        ..Default::default()
    };
    let events = vec![
        exec(1, 10, "/bin/sh", &["sh", "-c", "curl -s x"], "/usr/bin/python3"),
        open(2, 10, "/proc/self/environ", 0),
        open(3, 10, "/proc/self/environment.txt", 0),
        exec(4, 11, "/usr/bin/curl", &["curl", "http://x"], "/bin/sh"),
        exec(5, 12, "/usr/bin/python3", &["python3"], "/bin/sh"),
    ];
    let got = run(&set, Match::Indexed, &events);
    assert_eq!(got, vec!["shell", "curl-uncased", "not-python", "environ", "curl-uncased", "not-python"]);
    assert_eq!(got, run(&set, Match::Linear, &events));
    let mut engine = Engine::new(&set, EngineConfig::default());
    let mut out = Vec::new();
    for e in &events {
        engine.process_ref(e, &mut out);
    }
    // The linear scan would evaluate 4 rules x 5 events (less kind mismatches); the index and
    // prefilter evaluate only candidates.
    assert!(engine.stats().evaluations < 10, "{:?}", engine.stats());
}

#[test]
fn one_process_seen_by_several_kinds_is_judged_per_kind() {
    // The process-level scan is cached per (kind, process): kind-specific rules on the same
    // process must each see their own kind's outcome.
    let set = RuleSet {
        rules: vec![
            rule("open-py", Expr::And(vec![s("evt.type", StrOp::Eq, "open", true), s("proc.name", StrOp::StartsWith, "pyt", true)])),
            rule(
                "conn-perl",
                Expr::And(vec![s("evt.type", StrOp::Eq, "connect", true), s("proc.exepath", StrOp::EndsWith, "/perl", true)]),
            ),
        ],
        ..Default::default()
    };
    let events = [open(1, 5, "/tmp/x", 0), connect(2, 5, "10.0.0.1", 80), open(3, 5, "/tmp/y", 0), connect(4, 5, "10.0.0.2", 80)];
    let got = run(&set, Match::Indexed, &events);
    assert_eq!(got, run(&set, Match::Linear, &events));
    assert_eq!(got.iter().filter(|a| a.contains("open-py")).count(), 2, "{got:?}");
    assert!(!got.iter().any(|a| a.contains("conn-perl")), "{got:?}");
}

// ---- Indexed == Linear on random rules and events.

const NAMES: &[&str] = &["sh", "bash", "curl", "python3", "node", "Sh", "nc"];
const PATHS: &[&str] = &["/tmp/x", "/proc/self/environ", "/var/task/app.py", "/tmp/", "/etc/passwd", "/TMP/x"];

fn arb_pred() -> impl Strategy<Value = Expr> {
    let ops = prop_oneof![Just(StrOp::Eq), Just(StrOp::Contains), Just(StrOp::StartsWith), Just(StrOp::EndsWith)];
    prop_oneof![
        (ops.clone(), prop::sample::select(NAMES), any::<bool>()).prop_map(|(op, v, c)| s("proc.name", op, &v[..v.len().min(3)], c)),
        (ops.clone(), prop::sample::select(PATHS), any::<bool>()).prop_map(|(op, v, c)| s("fd.name", op, v, c)),
        (ops, prop::sample::select(NAMES), any::<bool>()).prop_map(|(op, v, c)| s("proc.exeline", op, v, c)),
        prop::sample::select(&["execve", "open", "connect"][..]).prop_map(|k| s("evt.type", StrOp::Eq, k, true)),
        (0i64..40).prop_map(|n| Expr::pred(f("proc.pid"), Op::Num { cmp: Cmp::Lt, value: n as f64 })),
        Just(Expr::pred(f("fd.rport"), Op::Exists)),
        Just(Expr::pred(f("fd.name"), Op::glob("/tmp/*", true).unwrap())),
        // Patterns with hint literals: the prefilter must not change their outcome.
        Just(Expr::pred(f("fd.name"), Op::glob("*/ENVIRON", false).unwrap())),
        Just(Expr::pred(f("fd.name"), Op::glob("/proc/*/environ", true).unwrap())),
        Just(Expr::pred(f("proc.exeline"), Op::regex("(curl|pyth)[a-z0-9]*", true, false, false).unwrap())),
        Just(Expr::pred(f("proc.name"), Op::regex("^(?:bas.)$", false, false, false).unwrap())),
        Just(Expr::pred(f("fd.name"), Op::PathPrefix(vec!["/tmp".into(), "/proc/".into()]))),
        prop::sample::select(&["10.0.0.1/32", "10.0.0.0/8", "10.0.0.0/24", "169.254.0.0/16", "10.0.0.0/12", "::1/128"][..])
            .prop_map(|n| Expr::pred(f("fd.sip"), Op::Ip { net: n.parse().unwrap() })),
        // Cloud events are judged by their provider's program: provider tests fold away there.
        (prop::sample::select(PROVIDERS), any::<bool>()).prop_map(|(v, c)| s("cloud.provider", StrOp::Eq, v, c)),
        (ops_eq(), prop::sample::select(APIS), any::<bool>()).prop_map(|(op, v, c)| s("cloud.api", op, v, c)),
    ]
}

const PROVIDERS: &[&str] = &["aws", "azure", "gcp", "m365", "AWS"];
const APIS: &[&str] = &["AddPermission20150331v2", "Add", "SetIamPolicy", "MICROSOFT.WEB/SITES/WRITE"];

fn ops_eq() -> impl Strategy<Value = StrOp> {
    prop_oneof![Just(StrOp::Eq), Just(StrOp::StartsWith), Just(StrOp::Contains)]
}

fn cloud(provider: &str, api: &str) -> Event {
    let mut e = Event::new(EventKind::CloudApi, Timestamp(1));
    e.cloud = Some(fnwarden_event::CloudCall { provider: provider.into(), operation: api.into(), ..Default::default() });
    e.normalize();
    e
}

fn arb_expr() -> impl Strategy<Value = Expr> {
    arb_pred().prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..4).prop_map(Expr::And),
            prop::collection::vec(inner.clone(), 1..4).prop_map(Expr::Or),
            inner.prop_map(Expr::not),
        ]
    })
}

fn arb_event() -> impl Strategy<Value = Event> {
    prop_oneof![
        (0i64..40, prop::sample::select(NAMES), prop::sample::select(NAMES)).prop_map(|(pid, n, a)| exec(
            pid,
            pid,
            &format!("/usr/bin/{n}"),
            &[n, a],
            "/bin/sh"
        )),
        (0i64..40, prop::sample::select(PATHS)).prop_map(|(pid, p)| open(pid, pid, p, 0)),
        (0i64..40, 1u16..100, prop::sample::select(&["10.0.0.1", "10.0.0.10", "169.254.169.254", "100.0.0.1", "::1"][..]))
            .prop_map(|(pid, port, ip)| connect(pid, pid, ip, port)),
        (prop::sample::select(PROVIDERS), prop::sample::select(APIS)).prop_map(|(p, a)| cloud(p, a)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    #[test]
    fn indexed_agrees_with_linear(conds in prop::collection::vec(arb_expr(), 1..8), events in prop::collection::vec(arb_event(), 1..12)) {
        let rules = conds.into_iter().enumerate().map(|(i, c)| rule(&format!("r{i}"), c)).collect();
        let set = RuleSet { rules, ..Default::default() };
        prop_assert_eq!(run(&set, Match::Indexed, &events), run(&set, Match::Linear, &events));
    }
}

// ---- Correlations.

fn corr(id: &str, kind: CorrelationKind, rules: &[&str], group: &[&str], span_s: i64, th: Vec<(Cmp, f64)>) -> Correlation {
    Correlation {
        meta: meta(id),
        kind,
        rules: rules.iter().map(|r| r.to_string()).collect(),
        group_by: group.iter().map(|g| GroupField { name: g.to_string(), per_rule: vec![f(g); rules.len()] }).collect(),
        timespan_ns: span_s * 1_000_000_000,
        threshold: Threshold { conditions: th },
        generate: false,
        tests: vec![],
    }
}

const SEC: i64 = 1_000_000_000;

fn with_corr(rules: Vec<Rule>, c: Correlation) -> RuleSet {
    let mut rules = rules;
    for r in &mut rules {
        r.meta.generate = false;
    }
    RuleSet { rules, correlations: vec![c], ..Default::default() }
}

#[test]
fn value_count_finds_a_port_scan_and_not_a_few_connections() {
    let conn = rule("conn", s("evt.type", StrOp::Eq, "connect", true));
    let c = corr("scan", CorrelationKind::ValueCount { field: f("fd.rport") }, &["conn"], &["proc.pid"], 10, vec![(Cmp::Ge, 20.0)]);
    let set = with_corr(vec![conn], c);
    let scan: Vec<Event> = (0..25).map(|p| connect(p as i64 * SEC / 10, 7, "10.0.0.2", 1000 + p)).collect();
    assert_eq!(run(&set, Match::Indexed, &scan), vec!["scan"]);
    // Same port many times, or ports spread out beyond the window, are not a scan.
    let same: Vec<Event> = (0..40).map(|i| connect(i * SEC / 10, 7, "10.0.0.2", 443)).collect();
    assert!(run(&set, Match::Indexed, &same).is_empty());
    let slow: Vec<Event> = (0..25).map(|p| connect(p as i64 * 2 * SEC, 7, "10.0.0.2", 1000 + p)).collect();
    assert!(run(&set, Match::Indexed, &slow).is_empty());
    // Different processes are different groups.
    let spread: Vec<Event> = (0..25).map(|p| connect(p as i64 * SEC / 10, p as i64, "10.0.0.2", 1000 + p)).collect();
    assert!(run(&set, Match::Indexed, &spread).is_empty());
}

#[test]
fn temporal_ordered_needs_the_order() {
    let memfd = rule("memfd", s("fd.name", StrOp::StartsWith, "memfd:", true));
    let exec_fd = rule(
        "exec-fd",
        Expr::And(vec![s("evt.type", StrOp::Eq, "execve", true), s("proc.exepath", StrOp::StartsWith, "/proc/self/fd/", true)]),
    );
    let c = corr("fileless", CorrelationKind::TemporalOrdered, &["memfd", "exec-fd"], &["proc.pid"], 30, vec![]);
    let set = with_corr(vec![memfd, exec_fd], c);
    let in_order = vec![open(SEC, 5, "memfd:x", 0), exec(2 * SEC, 5, "/proc/self/fd/3", &["x"], "/usr/bin/python3")];
    assert_eq!(run(&set, Match::Indexed, &in_order), vec!["fileless"]);
    let reversed = vec![exec(SEC, 5, "/proc/self/fd/3", &["x"], "/usr/bin/python3"), open(2 * SEC, 5, "memfd:x", 0)];
    assert!(run(&set, Match::Indexed, &reversed).is_empty());
    // Out of arrival order but within the allowed lateness: event time decides.
    let late_arrival = vec![exec(2 * SEC, 5, "/proc/self/fd/3", &["x"], "/usr/bin/python3"), open(SEC, 5, "memfd:x", 0)];
    assert_eq!(run(&set, Match::Indexed, &late_arrival), vec!["fileless"]);
    let too_far = vec![open(SEC, 5, "memfd:x", 0), exec(40 * SEC, 5, "/proc/self/fd/3", &["x"], "/usr/bin/python3")];
    assert!(run(&set, Match::Indexed, &too_far).is_empty());
}

#[test]
fn temporal_unordered_and_event_count() {
    let a = rule("a", s("proc.name", StrOp::Eq, "id", true));
    let b = rule("b", s("proc.name", StrOp::Eq, "uname", true));
    let t = corr("recon", CorrelationKind::Temporal, &["a", "b"], &["function.instance"], 60, vec![]);
    let set = with_corr(vec![a.clone(), b.clone()], t);
    let ev = vec![exec(SEC, 1, "/usr/bin/uname", &["uname"], "/bin/sh"), exec(2 * SEC, 2, "/usr/bin/id", &["id"], "/bin/sh")];
    assert_eq!(run(&set, Match::Indexed, &ev), vec!["recon"]);
    assert!(run(&set, Match::Indexed, &ev[..1]).is_empty());

    let n = corr("burst", CorrelationKind::EventCount, &["a", "b"], &["function.instance"], 10, vec![(Cmp::Gt, 3.0)]);
    let set = with_corr(vec![a.clone(), b.clone()], n);
    let four: Vec<Event> = (0..4).map(|i| exec(i * SEC, 1, "/usr/bin/id", &["id"], "/bin/sh")).collect();
    assert_eq!(run(&set, Match::Indexed, &four), vec!["burst"]);
    assert!(run(&set, Match::Indexed, &four[..3]).is_empty());

    // An upper-bounded condition is judged when the window closes.
    let few = corr("quiet", CorrelationKind::EventCount, &["a"], &["function.instance"], 10, vec![(Cmp::Lt, 3.0)]);
    let set = with_corr(vec![a], few);
    assert_eq!(run(&set, Match::Indexed, &four[..2]), vec!["quiet"]);
    assert!(run(&set, Match::Indexed, &four).is_empty());
}

#[test]
fn value_aggregates() {
    let conn = rule("conn", s("evt.type", StrOp::Eq, "connect", true));
    let ports: Vec<Event> = [100u16, 200, 300, 400].iter().enumerate().map(|(i, p)| connect(i as i64 * SEC, 1, "10.0.0.1", *p)).collect();
    let cases = [
        (CorrelationKind::ValueSum { field: f("fd.rport") }, 999.0, true),
        (CorrelationKind::ValueSum { field: f("fd.rport") }, 1000.0, false),
        (CorrelationKind::ValueAvg { field: f("fd.rport") }, 240.0, true),
        (CorrelationKind::ValueAvg { field: f("fd.rport") }, 260.0, false),
        (CorrelationKind::ValueMedian { field: f("fd.rport") }, 250.0, true),
        (CorrelationKind::ValuePercentile { field: f("fd.rport"), percentile: 90.0 }, 350.0, true),
        (CorrelationKind::ValuePercentile { field: f("fd.rport"), percentile: 90.0 }, 450.0, false),
    ];
    for (kind, above, fires) in cases {
        let c = corr("agg", kind.clone(), &["conn"], &[], 60, vec![(Cmp::Gt, above)]);
        let got = run(&with_corr(vec![conn.clone()], c), Match::Indexed, &ports);
        assert_eq!(!got.is_empty(), fires, "{kind:?} > {above}");
    }
}

#[test]
fn late_matches_are_counted_not_dropped() {
    let a = rule("a", s("proc.name", StrOp::Eq, "id", true));
    let c = corr("burst", CorrelationKind::EventCount, &["a"], &[], 100, vec![(Cmp::Ge, 2.0)]);
    let set = with_corr(vec![a], c);
    let mut engine = Engine::new(&set, EngineConfig { lateness_ns: SEC, ..Default::default() });
    let mut out = Vec::new();
    engine.process_ref(&exec(50 * SEC, 1, "/usr/bin/id", &["id"], "/bin/sh"), &mut out);
    engine.process_ref(&exec(10 * SEC, 1, "/usr/bin/id", &["id"], "/bin/sh"), &mut out);
    engine.flush(&mut out);
    assert_eq!(engine.stats().late_matches, 1);
    assert_eq!(out.len(), 1, "the late match still counts");
}

/// A toy learned baseline: alerts the first time a function instance runs a process name it
/// has not run during its first `learn` executions. It plugs in like any correlation.
struct NewProcessBaseline {
    learn: usize,
    seen: std::collections::HashMap<String, (usize, std::collections::HashSet<String>)>,
}

impl fnwarden_detect::Detector for NewProcessBaseline {
    fn observe(&mut self, _input: usize, ev: &std::sync::Arc<Event>, out: &mut Vec<fnwarden_alert::Alert>) {
        let name = ev.process.as_ref().map(|p| p.name.clone()).unwrap_or_default();
        let (n, names) = self.seen.entry(ev.function.instance.clone()).or_default();
        *n += 1;
        if names.insert(name.clone()) && *n > self.learn {
            let rule = std::sync::Arc::new(fnwarden_alert::AlertRule {
                id: "baseline-new-process".into(),
                title: "Process never seen in baseline".into(),
                author: String::new(),
                description: String::new(),
                dialect: "detector".into(),
                source: "test".into(),
                tags: vec![],
                license: None,
                priority: None,
            });
            out.push(fnwarden_alert::Alert {
                id: format!("b-{n}"),
                time: ev.time,
                detected_at: ev.time,
                rule,
                severity: Severity::Medium,
                mitre: vec![],
                function: ev.function.clone(),
                host: None,
                message: format!("new process {name}"),
                remediation: String::new(),
                evidence: vec![ev.clone()],
                output_fields: Default::default(),
                group: Default::default(),
            });
        }
    }
    fn advance(&mut self, _: Timestamp, _: &mut Vec<fnwarden_alert::Alert>) {}
    fn groups(&self) -> usize {
        self.seen.len()
    }
    fn evicted(&self) -> u64 {
        0
    }
}

#[test]
fn a_learned_baseline_plugs_in_as_a_detector() {
    let mut feed = rule("execs", s("evt.type", StrOp::Eq, "execve", true));
    feed.meta.generate = false;
    let set = RuleSet { rules: vec![feed], ..Default::default() };
    let mut engine = Engine::new(&set, EngineConfig::default());
    let baseline = NewProcessBaseline { learn: 3, seen: Default::default() };
    engine.add_detector(Box::new(baseline), &["execs"]).unwrap();
    assert!(engine.add_detector(Box::new(NewProcessBaseline { learn: 0, seen: Default::default() }), &["nope"]).is_err());
    let mut out = Vec::new();
    for (i, exe) in ["/usr/bin/python3", "/usr/bin/python3", "/usr/bin/node", "/usr/bin/python3", "/bin/sh"].iter().enumerate() {
        engine.process_ref(&exec(i as i64 * SEC, 1, exe, &["x"], "/var/rapid/init"), &mut out);
    }
    engine.flush(&mut out);
    let msgs: Vec<_> = out.iter().map(|a| a.message.as_str()).collect();
    assert_eq!(msgs, vec!["new process sh"]);
}
