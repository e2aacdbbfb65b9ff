//! The sandbox's resolver. It answers every A query, so that a function's next step (a connect,
//! a request) happens and is recorded: metadata host names get the metadata addresses, every other
//! name a stable address in 198.18.0.0/15 (benchmarking space, local in the sandbox thanks to the
//! anyIP route), which the egress recorder maps back to the name.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use fnwarden_event::{DnsQuery, EventKind, L4Proto};
use simple_dns::rdata::{A, RData};
use simple_dns::{CLASS, Packet, PacketFlag, QTYPE, ResourceRecord, TYPE};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::{DNS_SOURCE, Shared, bump, net_event, stream};
use crate::netns::{IMDS_ADDR, TENCENT_ADDR};

const TTL: u32 = 60;
/// 198.18.0.0/15, reserved for benchmarking: never a real destination.
const SYNTHETIC_NET: u32 = u32::from_be_bytes([198, 18, 0, 0]);
const SYNTHETIC_HOSTS: u64 = 1 << 17;
/// Questions answered per packet; real stub resolvers ask one.
const MAX_QUESTIONS: usize = 8;
const MAX_TCP_CLIENTS: usize = 64;
const TCP_IDLE: Duration = Duration::from_secs(10);

/// One question and what it was told.
#[derive(Debug, PartialEq, Eq)]
pub struct Asked {
    pub name: String,
    pub qtype: String,
    pub answers: Vec<Ipv4Addr>,
}

/// The address `name` resolves to in the sandbox.
pub fn address_for(name: &str) -> Ipv4Addr {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    match name.as_str() {
        "metadata.google.internal" | "metadata" | "instance-data" | "instance-data.ec2.internal" => IMDS_ADDR,
        "metadata.tencentyun.com" => TENCENT_ADDR,
        "localhost" => Ipv4Addr::LOCALHOST,
        _ => synthetic(&name),
    }
}

/// A stable address in 198.18.0.0/15 for `name` (FNV-1a), never ending in .0 or .255.
fn synthetic(name: &str) -> Ipv4Addr {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    let mut host = (h % SYNTHETIC_HOSTS) as u32;
    if matches!(host & 0xff, 0 | 0xff) {
        host ^= 1;
    }
    Ipv4Addr::from(SYNTHETIC_NET | host)
}

/// Whether `ip` is one of the synthetic answers.
pub fn is_synthetic(ip: Ipv4Addr) -> bool {
    u32::from(ip) & !(SYNTHETIC_HOSTS as u32 - 1) == SYNTHETIC_NET
}

fn qtype_name(q: QTYPE) -> String {
    match q {
        QTYPE::TYPE(TYPE::Unknown(n)) => format!("TYPE{n}"),
        QTYPE::TYPE(t) => format!("{t:?}"),
        other => format!("{other:?}"),
    }
}

/// The reply to a query packet and the questions it answered; `None` for anything that is not a
/// well-formed query.
pub fn answer(query: &[u8]) -> Option<(Vec<u8>, Vec<Asked>)> {
    let q = Packet::parse(query).ok()?;
    if q.has_flags(PacketFlag::RESPONSE) || q.questions.is_empty() {
        return None;
    }
    let mut reply = Packet::new_reply(q.id());
    reply.set_flags(PacketFlag::RECURSION_AVAILABLE);
    if q.has_flags(PacketFlag::RECURSION_DESIRED) {
        reply.set_flags(PacketFlag::RECURSION_DESIRED);
    }
    let mut asked = Vec::new();
    for question in q.questions.iter().take(MAX_QUESTIONS) {
        let name = question.qname.to_string();
        let mut answers = Vec::new();
        if matches!(question.qtype, QTYPE::TYPE(TYPE::A) | QTYPE::ANY) {
            let ip = address_for(&name);
            reply.answers.push(ResourceRecord::new(question.qname.clone(), CLASS::IN, TTL, RData::A(A { address: u32::from(ip) })));
            answers.push(ip);
        }
        asked.push(Asked { name, qtype: qtype_name(question.qtype), answers });
        reply.questions.push(question.clone());
    }
    let bytes = reply.build_bytes_vec().ok()?;
    Some((bytes, asked))
}

/// Answers `query` from `client`, recording each question; `None` if it was malformed.
fn handle(shared: &Shared, query: &[u8], client: SocketAddr, server: SocketAddr, proto: L4Proto) -> Option<Vec<u8>> {
    bump(&shared.counters.dns_queries, 1);
    let Some((reply, asked)) = answer(query) else {
        bump(&shared.counters.dns_malformed, 1);
        tracing::debug!(%client, len = query.len(), "malformed DNS packet ignored");
        return None;
    };
    for a in asked {
        for ip in &a.answers {
            if is_synthetic(*ip) {
                shared.remember(*ip, a.name.trim_end_matches('.'));
            }
        }
        let mut ev = net_event(EventKind::Dns, DNS_SOURCE, proto, client, server);
        if let Some(net) = ev.net.as_mut() {
            net.dns = Some(DnsQuery { name: a.name, qtype: a.qtype, answers: a.answers.iter().map(ToString::to_string).collect() });
        }
        shared.emit(ev);
    }
    Some(reply)
}

pub async fn serve_udp(socket: UdpSocket, server: SocketAddr, shared: Arc<Shared>) {
    let mut buf = vec![0u8; 4096];
    loop {
        let (n, client) = match socket.recv_from(&mut buf).await {
            Ok(r) => r,
            Err(e) => {
                tracing::debug!("DNS receive failed: {e}");
                continue;
            }
        };
        if let Some(reply) = handle(&shared, &buf[..n], client, server, L4Proto::Udp)
            && let Err(e) = socket.send_to(&reply, client).await
        {
            tracing::debug!(%client, "DNS reply not sent: {e}");
        }
    }
}

pub async fn serve_tcp(listener: TcpListener, server: SocketAddr, shared: Arc<Shared>) {
    let mut clients = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((conn, client)) if clients.len() < MAX_TCP_CLIENTS => {
                    clients.spawn(serve_tcp_client(conn, client, server, shared.clone()));
                }
                Ok(_) => {}
                Err(e) => tracing::debug!("DNS accept failed: {e}"),
            },
            Some(_) = clients.join_next(), if !clients.is_empty() => {}
        }
    }
}

/// DNS over TCP: length-prefixed messages until the client goes quiet or sends garbage.
async fn serve_tcp_client(conn: TcpStream, client: SocketAddr, server: SocketAddr, shared: Arc<Shared>) {
    loop {
        let deadline = Instant::now() + TCP_IDLE;
        let mut len = [0u8; 2];
        if !stream::read_exact(&conn, &mut len, deadline).await {
            return;
        }
        let mut msg = vec![0u8; usize::from(u16::from_be_bytes(len))];
        if !stream::read_exact(&conn, &mut msg, deadline).await {
            return;
        }
        let Some(reply) = handle(&shared, &msg, client, server, L4Proto::Tcp) else { return };
        let Ok(reply_len) = u16::try_from(reply.len()) else { return };
        let framed = [reply_len.to_be_bytes().as_slice(), &reply].concat();
        if stream::write_all(&conn, &framed, TCP_IDLE).await.is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_names_resolve_to_the_honeypots_and_others_to_stable_benchmark_addresses() {
        assert_eq!(address_for("metadata.google.internal."), IMDS_ADDR);
        assert_eq!(address_for("METADATA.tencentyun.com"), TENCENT_ADDR);
        let a = address_for("pool.supportxmr.com");
        assert_eq!(a, address_for("Pool.SupportXMR.com."));
        assert!(is_synthetic(a) && !matches!(a.octets()[3], 0 | 255));
        assert_ne!(a, address_for("example.org"));
        assert!(!is_synthetic(Ipv4Addr::new(198, 20, 0, 1)) && is_synthetic(Ipv4Addr::new(198, 19, 255, 254)));
    }

    #[test]
    fn a_query_gets_an_answer_and_aaaa_gets_none() {
        let mut q = Packet::new_query(7);
        q.set_flags(PacketFlag::RECURSION_DESIRED);
        let name = simple_dns::Name::new_unchecked("evil.example");
        q.questions.push(simple_dns::Question::new(name.clone(), QTYPE::TYPE(TYPE::A), simple_dns::QCLASS::CLASS(CLASS::IN), false));
        q.questions.push(simple_dns::Question::new(name, QTYPE::TYPE(TYPE::AAAA), simple_dns::QCLASS::CLASS(CLASS::IN), false));
        let (bytes, asked) = answer(&q.build_bytes_vec().unwrap()).unwrap();
        let r = Packet::parse(&bytes).unwrap();
        assert_eq!(r.id(), 7);
        assert!(r.has_flags(PacketFlag::RESPONSE));
        assert_eq!(r.answers.len(), 1);
        assert_eq!(asked[0].qtype, "A");
        assert_eq!(asked[1], Asked { name: "evil.example".into(), qtype: "AAAA".into(), answers: vec![] });
        assert!(answer(b"\x00\x07garbage").is_none());
        assert!(answer(&bytes).is_none(), "a response is not a query");
    }
}
