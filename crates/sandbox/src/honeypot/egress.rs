//! The egress recorder: every outbound TCP connection of the sandbox is redirected here (nft), so
//! a function's C2 channel, exfiltration upload, pool login or reverse shell talks to fnwarden.
//! It learns the address the function meant from conntrack (`SO_ORIGINAL_DST`), reads the first
//! bytes, classifies them and records an event; then it keeps counting bytes until the client
//! closes, within limits a hostile client cannot stretch.

use std::net::{Ipv4Addr, SocketAddr};
use std::os::fd::AsRawFd;
use std::sync::Arc;
use std::time::Duration;

use fnwarden_event::{Event, EventKind, HttpRequest, L4Proto, Timestamp};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::sniff::{FIRST_BYTES, MAX_FIRST_READ, Sniffed, sniff};
use super::{EGRESS_SOURCE, Shared, bump, host_name, net_event, stream};

/// Connections recorded at once; more are closed on arrival (and counted).
const MAX_CONNECTIONS: usize = 256;
/// Silence after which the first bytes are taken as complete.
const SILENCE: Duration = Duration::from_millis(1500);
/// Longest wait for the first bytes of a client that trickles them.
const FIRST_WINDOW: Duration = Duration::from_secs(5);
/// After the first bytes: how long a quiet client is kept, and how long any client is kept.
const IDLE: Duration = Duration::from_secs(10);
const LIFETIME: Duration = Duration::from_secs(60);
/// Bytes counted (and discarded) per connection before it is closed.
const DRAIN_CAP: u64 = 64 << 20;

/// Enough of an answer for HTTP clients to finish normally.
const HTTP_REPLY: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
/// A fatal `handshake_failure` alert, so TLS clients fail at once instead of waiting.
const TLS_ALERT: &[u8] = &[0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28];

pub async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((conn, client)) => {
                    bump(&shared.counters.egress_connections, 1);
                    if conns.len() < MAX_CONNECTIONS {
                        conns.spawn(record(conn, client, shared.clone()));
                    } else {
                        bump(&shared.counters.egress_refused, 1);
                    }
                }
                Err(e) => {
                    // Out of descriptors: back off rather than spin.
                    tracing::debug!("egress accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
}

/// Where the client meant to go: conntrack's original destination, or this listener itself for
/// a client that connected to it directly.
fn original_dst(conn: &TcpStream) -> Option<SocketAddr> {
    let mut addr = libc::sockaddr_in { sin_family: 0, sin_port: 0, sin_addr: libc::in_addr { s_addr: 0 }, sin_zero: [0; 8] };
    let mut len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
    // SAFETY: the kernel writes at most `len` bytes into `addr`, a sockaddr_in owned by this frame.
    let rc = unsafe {
        libc::getsockopt(conn.as_raw_fd(), libc::SOL_IP, libc::SO_ORIGINAL_DST, (&raw mut addr).cast::<libc::c_void>(), &mut len)
    };
    if rc != 0 || i32::from(addr.sin_family) != libc::AF_INET {
        return conn.local_addr().ok();
    }
    Some(SocketAddr::from((Ipv4Addr::from(u32::from_be(addr.sin_addr.s_addr)), u16::from_be(addr.sin_port))))
}

async fn record(conn: TcpStream, client: SocketAddr, shared: Arc<Shared>) {
    let start = Instant::now();
    // Events are dated by the connection, not by when its first bytes were understood.
    let connected = Timestamp::now();
    let Some(dest) = original_dst(&conn) else { return };
    let mut buf = Vec::with_capacity(FIRST_BYTES);
    let mut chunk = vec![0u8; MAX_FIRST_READ];
    let sniffed = loop {
        let until = (start + FIRST_WINDOW).min(Instant::now() + SILENCE);
        let room = MAX_FIRST_READ - buf.len();
        let (n, last) = match stream::read_until(&conn, &mut chunk[..room], until).await {
            Ok(Some(n)) if n > 0 => (n, false),
            _ => (0, true),
        };
        buf.extend_from_slice(&chunk[..n]);
        if let Some(s) = sniff(&buf, last) {
            break Some(s);
        }
        if last {
            break None;
        }
    };
    let first = String::from_utf8_lossy(&buf[..buf.len().min(FIRST_BYTES)]).into_owned();
    let known_name = shared.name_of(dest.ip());
    let event = |kind: EventKind| -> Event {
        let mut ev = net_event(kind, EGRESS_SOURCE, L4Proto::Tcp, client, dest);
        ev.time = connected;
        ev
    };
    let reply: &[u8] = match sniffed {
        None => &[],
        Some(Sniffed::Http(head)) => {
            let mut ev = event(EventKind::Http);
            if let Some(net) = ev.net.as_mut() {
                net.remote_host = host_name(&head.host).or(known_name);
                net.http = Some(HttpRequest {
                    method: head.method,
                    host: head.host,
                    path: head.target,
                    user_agent: head.user_agent,
                    headers: head.headers,
                });
                net.payload = Some(first);
                net.bytes_out = Some(buf.len() as u64);
            }
            shared.emit(ev);
            HTTP_REPLY
        }
        Some(Sniffed::Tls { sni }) => {
            let mut ev = event(EventKind::Tls);
            if let Some(net) = ev.net.as_mut() {
                net.remote_host = sni.clone().or(known_name);
                net.sni = sni;
                net.bytes_out = Some(buf.len() as u64);
            }
            shared.emit(ev);
            TLS_ALERT
        }
        Some(kind @ (Sniffed::JsonRpc | Sniffed::Raw)) => {
            if kind == Sniffed::Raw {
                bump(&shared.counters.egress_unrecognised, 1);
            }
            let mut ev = event(EventKind::Connect);
            if let Some(net) = ev.net.as_mut() {
                net.remote_host = known_name;
                net.payload = Some(first);
                net.bytes_out = Some(buf.len() as u64);
            }
            shared.emit(ev);
            &[]
        }
    };
    if !reply.is_empty()
        && let Err(e) = stream::write_all(&conn, reply, IDLE).await
    {
        tracing::debug!(%client, "egress reply not sent: {e}");
    }
    let total = buf.len() as u64 + stream::drain(&conn, DRAIN_CAP, IDLE, start + LIFETIME).await;
    bump(&shared.counters.egress_bytes, total);
    tracing::debug!(%client, %dest, bytes = total, "egress connection closed");
}
