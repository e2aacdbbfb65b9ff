//! A deterministic, realistic event mix for benchmarks: what a fleet of Python and Node
//! functions reports in steady state, with a sprinkle of suspicious activity.

use fnwarden_event::{
    Ancestor, DnsQuery, Endpoint, Event, EventKind, FileAction, FunctionId, HttpRequest, NetAction, Process, Syscall, Timestamp,
};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*: deterministic across runs and machines.
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[(self.next() % v.len() as u64) as usize]
    }
}

const RUNTIMES: &[(&str, &str, &str)] =
    &[("/var/lang/bin/python3.11", "python3.11", "python3.11"), ("/var/lang/bin/node", "node", "nodejs20.x")];
const READ_PATHS: &[&str] = &[
    "/var/task/app.py",
    "/var/task/handler.js",
    "/var/task/node_modules/aws-sdk/lib/core.js",
    "/var/lang/lib/python3.11/json/__init__.py",
    "/var/lang/lib/python3.11/site-packages/boto3/session.py",
    "/opt/python/lib/python3.11/site-packages/requests/api.py",
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/resolv.conf",
    "/proc/self/stat",
    "/dev/urandom",
    "/var/runtime/bootstrap.py",
    "/etc/passwd",
];
const WRITE_PATHS: &[&str] = &["/tmp/cache.json", "/tmp/report.csv", "/tmp/tmpa8f3k2/data.bin", "/dev/null", "/tmp/upload.part"];
const CMDS: &[&[&str]] = &[
    &["python3.11", "-m", "awslambdaric", "app.handler"],
    &["node", "/var/runtime/index.mjs"],
    &["/opt/extensions/datadog-agent"],
    &["ffmpeg", "-i", "/tmp/in.mp4", "-vf", "scale=320:-1", "/tmp/out.mp4"],
    &["sh", "-c", "curl -s http://169.254.169.254/latest/meta-data/iam/security-credentials/"],
    &["git", "clone", "--depth", "1", "https://github.com/org/repo", "/tmp/repo"],
];
const HOSTS: &[&str] =
    &["dynamodb.us-east-1.amazonaws.com", "s3.amazonaws.com", "api.stripe.com", "sqs.us-east-1.amazonaws.com", "hooks.slack.com"];
const IPS: &[&str] = &["52.94.0.10", "54.231.1.2", "3.5.0.1", "127.0.0.1", "169.254.169.254"];

/// `n` events of the mix.
pub fn events(n: usize) -> Vec<Event> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let (exe, name, runtime) = *rng.pick(RUNTIMES);
        let pid = 10 + (rng.next() % 50) as i64;
        let roll = rng.next() % 100;
        let kind = match roll {
            0..=39 => EventKind::Open,
            40..=49 => EventKind::Write,
            50..=61 => EventKind::Connect,
            62..=67 => EventKind::Dns,
            68..=71 => EventKind::Tls,
            72..=73 => EventKind::Http,
            74..=81 => EventKind::Execve,
            82..=86 => EventKind::Fork,
            87..=91 => EventKind::ProcExit,
            92..=94 => EventKind::Unlink,
            95..=96 => EventKind::Chmod,
            97 => EventKind::MmapExec,
            98 => EventKind::Rename,
            _ => EventKind::Unshare,
        };
        let mut e = Event::new(kind, Timestamp(1_700_000_000_000_000_000 + i as i64 * 1_000));
        e.source = "bench".into();
        e.host = Some("host-1".into());
        e.function = FunctionId {
            provider: "aws".into(),
            name: format!("fn-{}", rng.next() % 20),
            instance: format!("i-{}", rng.next() % 100),
            request_id: format!("req-{}", i / 50),
            runtime: runtime.into(),
            ..Default::default()
        };
        let mut p = Process {
            pid,
            ppid: 1,
            uid: Some(496),
            user: "sbx_user1051".into(),
            exe: exe.into(),
            args: vec![name.into(), "-m".into(), "awslambdaric".into(), "app.handler".into()],
            cwd: "/var/task".into(),
            ancestors: vec![Ancestor { pid: 1, exe: "/var/rapid/init".into(), name: "init".into(), args: vec![] }],
            ..Default::default()
        };
        match kind {
            EventKind::Open | EventKind::MmapExec => {
                e.file = Some(FileAction { path: (*rng.pick(READ_PATHS)).into(), flags: 0o2000000, ..Default::default() });
            }
            EventKind::Write | EventKind::Unlink | EventKind::Chmod | EventKind::Rename => {
                e.file = Some(FileAction {
                    path: (*rng.pick(WRITE_PATHS)).into(),
                    flags: 0o1101,
                    mode: Some(0o644),
                    bytes: Some(4096),
                    target: (kind == EventKind::Rename).then(|| "/tmp/final.json".to_owned()),
                    ..Default::default()
                });
            }
            EventKind::Connect | EventKind::Tls | EventKind::Http | EventKind::Dns => {
                let host = *rng.pick(HOSTS);
                let ip = *rng.pick(IPS);
                let port = if ip == "127.0.0.1" {
                    9001
                } else if ip.starts_with("169.254") {
                    80
                } else {
                    443
                };
                e.net = Some(NetAction {
                    local: Some(Endpoint { ip: "169.254.76.1".parse().unwrap_or([0, 0, 0, 0].into()), port: 40000 + (i % 20000) as u16 }),
                    remote: Some(Endpoint { ip: ip.parse().unwrap_or([0, 0, 0, 0].into()), port }),
                    dns: (kind == EventKind::Dns).then(|| DnsQuery { name: host.into(), qtype: "A".into(), answers: vec![ip.into()] }),
                    http: (kind == EventKind::Http).then(|| HttpRequest {
                        method: "GET".into(),
                        host: host.into(),
                        path: "/2018-06-01/runtime/invocation/next".into(),
                        ..Default::default()
                    }),
                    sni: (kind == EventKind::Tls).then(|| host.to_owned()),
                    ..Default::default()
                });
            }
            EventKind::Execve | EventKind::Fork | EventKind::ProcExit => {
                let cmd = *rng.pick(CMDS);
                p.args = cmd.iter().map(|s| s.to_string()).collect();
                p.exe = match cmd[0] {
                    "python3.11" => "/var/lang/bin/python3.11".into(),
                    "node" => "/var/lang/bin/node".into(),
                    c if c.starts_with('/') => c.into(),
                    c => format!("/usr/bin/{c}"),
                };
                p.name = String::new();
                p.ancestors.insert(0, Ancestor { pid: 9, exe: exe.into(), name: name.into(), args: vec![name.into()] });
            }
            _ => {
                e.syscall =
                    Some(Syscall { res: Some(0), args: [("flags".to_owned(), "CLONE_NEWUSER".to_owned())].into(), ..Default::default() });
            }
        }
        e.process = Some(p);
        e.normalize();
        out.push(e);
    }
    out
}
