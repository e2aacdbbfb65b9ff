//! The honeypots inside the sandbox network: cloud metadata services handing out canary
//! credentials, a resolver that answers every name, and an egress recorder that accepts any TCP
//! connection and records what the function sends. Everything they see becomes an [`Event`].
//!
//! Every listener is a socket created inside the [`NetNs`]; nothing here listens on the host.

mod dns;
mod egress;
mod metadata;
mod sniff;
mod stream;

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, SocketAddrV4};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use fnwarden_event::{Endpoint, Event, EventKind, L4Proto, NetAction, Process, SandboxFacts, Timestamp};
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::AbortHandle;

use crate::environment::{Canaries, CanaryFinder};
use crate::netns::{CONTAINER_CREDENTIALS_ADDR, DNS_ADDR, EGRESS_PORT, IMDS_ADDR, NetError, NetNs, TENCENT_ADDR};

pub use dns::answer as answer_dns;
pub use metadata::IssuedTokens;
pub use sniff::{Sniffed, sniff};

/// `source` of the events each honeypot emits.
pub const METADATA_SOURCE: &str = "sandbox-metadata";
pub const DNS_SOURCE: &str = "sandbox-dns";
pub const EGRESS_SOURCE: &str = "sandbox-egress";

/// The Azure App Service / Functions managed-identity endpoint (`IDENTITY_ENDPOINT` =
/// `http://127.0.0.1:41741/msi/token`, `IDENTITY_HEADER` = the run's `MSI_SECRET`).
pub const AZURE_IDENTITY_ADDR: SocketAddr = SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 41741));

/// How many synthetic DNS answers are remembered for naming the connections that follow.
const MAX_REMEMBERED_NAMES: usize = 4096;

/// What the honeypots have counted so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HoneypotStats {
    pub metadata_requests: u64,
    pub dns_queries: u64,
    /// DNS packets that were not a parsable query (ignored).
    pub dns_malformed: u64,
    pub egress_connections: u64,
    /// Connections closed at once because too many were open.
    pub egress_refused: u64,
    /// Connections whose first bytes were neither HTTP, TLS nor JSON-RPC.
    pub egress_unrecognised: u64,
    /// Bytes clients sent to the egress recorder.
    pub egress_bytes: u64,
}

#[derive(Default)]
struct Counters {
    metadata_requests: AtomicU64,
    dns_queries: AtomicU64,
    dns_malformed: AtomicU64,
    egress_connections: AtomicU64,
    egress_refused: AtomicU64,
    egress_unrecognised: AtomicU64,
    egress_bytes: AtomicU64,
}

fn bump(c: &AtomicU64, n: u64) {
    c.fetch_add(n, Ordering::Relaxed);
}

/// Names the process behind a client socket (`proto`, client end, server end), asked while the
/// socket is open: the sandbox's process table knows, the honeypots do not.
pub type Attributor = Arc<dyn Fn(L4Proto, SocketAddr, SocketAddr) -> Option<(Process, &'static str)> + Send + Sync>;

/// State every honeypot shares.
struct Shared {
    attributor: Mutex<Option<Attributor>>,
    canaries: Arc<Canaries>,
    tokens: IssuedTokens,
    events: UnboundedSender<Event>,
    counters: Counters,
    /// Synthetic address → the name it was handed out for, so that a connection to it is named.
    names: Mutex<HashMap<Ipv4Addr, String>>,
}

impl Shared {
    fn emit(&self, mut ev: Event) {
        let attributor = self.attributor.lock().unwrap_or_else(PoisonError::into_inner).clone();
        if let (Some(attribute), None, Some(net)) = (attributor, &ev.process, &ev.net)
            && let (Some(l), Some(r)) = (net.local, net.remote)
            && let Some((process, role)) = attribute(net.proto, SocketAddr::new(l.ip, l.port), SocketAddr::new(r.ip, r.port))
        {
            ev.process = Some(process);
            ev.sandbox.get_or_insert_with(SandboxFacts::default).role = role.to_owned();
        }
        ev.normalize();
        // The receiver gone means the run is over; the event has nowhere to go.
        let _ = self.events.send(ev);
    }

    fn remember(&self, ip: Ipv4Addr, name: &str) {
        let mut names = self.names.lock().unwrap_or_else(PoisonError::into_inner);
        if names.len() < MAX_REMEMBERED_NAMES || names.contains_key(&ip) {
            names.insert(ip, name.to_owned());
        }
    }

    fn name_of(&self, ip: IpAddr) -> Option<String> {
        let IpAddr::V4(v4) = ip else { return None };
        self.names.lock().unwrap_or_else(PoisonError::into_inner).get(&v4).cloned()
    }
}

/// A network event from `source`: `local` is the function's end, `remote` the one it reached.
fn net_event(kind: EventKind, source: &str, proto: L4Proto, local: SocketAddr, remote: SocketAddr) -> Event {
    let mut ev = Event::new(kind, Timestamp::now());
    ev.source = source.to_owned();
    let endpoint = |a: SocketAddr| Endpoint { ip: a.ip(), port: a.port() };
    ev.net = Some(NetAction { proto, local: Some(endpoint(local)), remote: Some(endpoint(remote)), ..NetAction::default() });
    ev
}

/// The name in a Host header, without its port; `None` for an address literal.
fn host_name(host: &str) -> Option<String> {
    let name = match host.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) && !h.ends_with(':') => h,
        _ => host,
    };
    let bare = name.trim_start_matches('[').trim_end_matches(']');
    (!bare.is_empty() && bare.parse::<IpAddr>().is_err()).then(|| bare.to_owned())
}

/// The running honeypots; dropping them stops every listener and open connection.
pub struct Honeypots {
    tasks: Vec<AbortHandle>,
    shared: Arc<Shared>,
}

impl Honeypots {
    /// Starts the metadata services (169.254.169.254, 169.254.170.2 and 169.254.0.23 port 80, and
    /// the Azure identity endpoint), the resolver (169.254.169.253:53, UDP and TCP) and the egress
    /// recorder (127.0.0.1:[`EGRESS_PORT`]) inside `ns`.
    pub async fn start(ns: &NetNs, canaries: Arc<Canaries>, events: UnboundedSender<Event>) -> Result<Honeypots, NetError> {
        let shared = Arc::new(Shared {
            attributor: Mutex::new(None),
            tokens: IssuedTokens::new(&canaries),
            canaries,
            events,
            counters: Counters::default(),
            names: Mutex::new(HashMap::new()),
        });
        let listen = |addr: SocketAddr| {
            ns.tcp_listener(addr).and_then(tokio::net::TcpListener::from_std).map_err(|source| NetError::Bind { addr, source })
        };
        let mut tasks = Vec::new();
        let services = [
            (SocketAddr::from((IMDS_ADDR, 80)), metadata::Service::InstanceMetadata),
            (SocketAddr::from((CONTAINER_CREDENTIALS_ADDR, 80)), metadata::Service::ContainerCredentials),
            (SocketAddr::from((TENCENT_ADDR, 80)), metadata::Service::Tencent),
            (AZURE_IDENTITY_ADDR, metadata::Service::AppServiceIdentity),
        ];
        for (addr, service) in services {
            tasks.push(tokio::spawn(metadata::serve(listen(addr)?, addr, service, shared.clone())).abort_handle());
        }
        let dns_addr = SocketAddr::from((DNS_ADDR, 53));
        let udp = ns
            .udp_socket(dns_addr)
            .and_then(tokio::net::UdpSocket::from_std)
            .map_err(|source| NetError::Bind { addr: dns_addr, source })?;
        tasks.push(tokio::spawn(dns::serve_udp(udp, dns_addr, shared.clone())).abort_handle());
        tasks.push(tokio::spawn(dns::serve_tcp(listen(dns_addr)?, dns_addr, shared.clone())).abort_handle());
        let egress = listen(SocketAddr::from((Ipv4Addr::LOCALHOST, EGRESS_PORT)))?;
        tasks.push(tokio::spawn(egress::serve(egress, shared.clone())).abort_handle());
        Ok(Honeypots { tasks, shared })
    }

    pub fn stats(&self) -> HoneypotStats {
        let c = &self.shared.counters;
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        HoneypotStats {
            metadata_requests: get(&c.metadata_requests),
            dns_queries: get(&c.dns_queries),
            dns_malformed: get(&c.dns_malformed),
            egress_connections: get(&c.egress_connections),
            egress_refused: get(&c.egress_refused),
            egress_unrecognised: get(&c.egress_unrecognised),
            egress_bytes: get(&c.egress_bytes),
        }
    }

    /// The tokens the metadata services hand out, derived from the run's canaries.
    pub fn tokens(&self) -> &IssuedTokens {
        &self.shared.tokens
    }

    /// Attributes every event from now on to the process behind its client socket.
    pub fn set_attributor(&self, attributor: Attributor) {
        *self.shared.attributor.lock().unwrap_or_else(PoisonError::into_inner) = Some(attributor);
    }

    /// Stops every honeypot (the same as dropping them).
    pub fn stop(self) {}
}

impl Drop for Honeypots {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// The canaries (environment variable names, or the [`IssuedTokens`] names) whose values occur
/// in what `ev` says was sent: payload, HTTP target, host, headers, DNS name, SNI. Values are
/// also looked for after percent-decoding, and in DNS names with the dots removed (exfiltration
/// splits data into labels).
pub fn canaries_in(ev: &Event, finder: &CanaryFinder, tokens: &IssuedTokens) -> Vec<&'static str> {
    let Some(net) = &ev.net else { return Vec::new() };
    let mut texts: Vec<String> = Vec::new();
    texts.extend(net.payload.iter().cloned());
    texts.extend(net.sni.iter().cloned());
    texts.extend(net.remote_host.iter().cloned());
    if let Some(h) = &net.http {
        texts.extend([h.path.clone(), h.host.clone(), h.user_agent.clone()]);
        texts.extend(h.headers.iter().cloned());
    }
    if let Some(d) = &net.dns {
        let joined: String = d.name.chars().filter(|c| *c != '.').collect();
        texts.push(joined.to_ascii_uppercase());
        texts.extend([d.name.clone(), joined]);
    }
    let decoded: Vec<String> = texts.iter().filter(|t| t.contains('%')).map(|t| percent_decode(t)).collect();
    texts.extend(decoded);
    let mut found: Vec<&'static str> = Vec::new();
    for t in &texts {
        for name in finder.found_in(t.as_bytes()).into_iter().chain(tokens.found_in(t.as_bytes())) {
            if !found.contains(&name) {
                found.push(name);
            }
        }
    }
    found
}

/// `%XX` decoded; invalid escapes are kept as they are.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (b[i], b.get(i + 1).copied().and_then(hex), b.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_escapes_are_decoded_and_bad_ones_kept() {
        assert_eq!(percent_decode("a%2Bb%2fc%zz%4"), "a+b/c%zz%4");
    }

    #[test]
    fn host_names_lose_their_port_and_addresses_are_not_names() {
        assert_eq!(host_name("evil.example:8080").as_deref(), Some("evil.example"));
        assert_eq!(host_name("evil.example").as_deref(), Some("evil.example"));
        assert_eq!(host_name("198.51.100.9:8080"), None);
        assert_eq!(host_name("[2001:db8::1]:443"), None);
        assert_eq!(host_name("2001:db8::1"), None);
        assert_eq!(host_name(""), None);
    }
}
