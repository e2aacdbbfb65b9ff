//! The sandbox's network: a fresh network namespace, held only by a file descriptor, where every
//! IPv4 address is local. Nothing in it can reach the host's interfaces: there are only `lo` and
//! `fnw0`, a device with no ports that carries the honeypot addresses. Outbound TCP is redirected
//! to the egress recorder, DNS to the honeypot resolver, so every attempt to leave is answered
//! and recorded inside the namespace.
//!
//! Nothing is named in `/run/netns`: dropping the [`NetNs`] frees the namespace once the last
//! socket or process in it is gone.

use std::io::{self, Write};
use std::net::{Ipv4Addr, SocketAddr};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};

use nix::sched::{CloneFlags, setns, unshare};
use serde_json::Value;

/// The AWS and Azure instance metadata service (GCP's `metadata.google.internal` resolves here).
pub const IMDS_ADDR: Ipv4Addr = Ipv4Addr::new(169, 254, 169, 254);
/// ECS / Lambda container credentials (`AWS_CONTAINER_CREDENTIALS_*`).
pub const CONTAINER_CREDENTIALS_ADDR: Ipv4Addr = Ipv4Addr::new(169, 254, 170, 2);
/// The resolver the sandbox's resolv.conf names.
pub const DNS_ADDR: Ipv4Addr = Ipv4Addr::new(169, 254, 169, 253);
/// Tencent Cloud's metadata service (`metadata.tencentyun.com`).
pub const TENCENT_ADDR: Ipv4Addr = Ipv4Addr::new(169, 254, 0, 23);
/// Where redirected outbound TCP lands: the egress recorder.
pub const EGRESS_PORT: u16 = 15001;
/// The device carrying the honeypot addresses.
pub const HONEYPOT_DEVICE: &str = "fnw0";

const HONEYPOT_ADDRS: [Ipv4Addr; 4] = [IMDS_ADDR, CONTAINER_CREDENTIALS_ADDR, DNS_ADDR, TENCENT_ADDR];

#[derive(Debug, thiserror::Error)]
pub enum NetError {
    #[error("cannot create a network namespace: {0}")]
    Create(io::Error),
    #[error("cannot configure the sandbox network with `{tool}`: {detail}")]
    Configure { tool: &'static str, detail: String },
    #[error("the sandbox network is not isolated: {0}")]
    NotIsolated(String),
    #[error("cannot listen on {addr} inside the sandbox network: {source}")]
    Bind { addr: SocketAddr, source: io::Error },
}

/// A network namespace owned by fnwarden.
#[derive(Debug)]
pub struct NetNs {
    fd: OwnedFd,
}

impl NetNs {
    /// A new namespace, configured and checked: `lo` up, `fnw0` with the honeypot addresses, an
    /// anyIP route, and the nft redirects of outbound TCP and DNS.
    pub fn create() -> Result<NetNs, NetError> {
        let fd = std::thread::scope(|s| {
            s.spawn(|| -> io::Result<OwnedFd> {
                // Only this short-lived thread moves; the namespace lives on through the fd.
                unshare(CloneFlags::CLONE_NEWNET)?;
                Ok(std::fs::File::open("/proc/thread-self/ns/net")?.into())
            })
            .join()
        })
        .map_err(|_| NetError::Create(io::Error::other("namespace thread panicked")))?
        .map_err(NetError::Create)?;
        let ns = NetNs { fd };
        ns.configure()?;
        ns.assert_isolated()?;
        Ok(ns)
    }

    pub fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }

    fn configure(&self) -> Result<(), NetError> {
        // Kernels without the dummy driver (some microVM kernels) get a port-less bridge, which
        // is just as closed.
        match self.tool("ip", &["-batch", "-"], &ip_batch("dummy")) {
            Err(NetError::Configure { detail, .. }) if detail.contains("Unknown device type") => {
                self.tool("ip", &["-batch", "-"], &ip_batch("bridge"))?;
            }
            other => {
                other?;
            }
        }
        self.tool("nft", &["-f", "-"], &nft_ruleset())?;
        Ok(())
    }

    /// Runs `program args` inside the namespace with `input` on stdin; its stdout on success.
    fn tool(&self, program: &'static str, args: &[&str], input: &str) -> Result<String, NetError> {
        let fail = |detail: String| NetError::Configure { tool: program, detail };
        let mut cmd = Command::new(program);
        cmd.args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = self.run_inside(&mut cmd).spawn().map_err(|e| fail(e.to_string()))?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin.write_all(input.as_bytes()).map_err(|e| fail(e.to_string()))?;
        }
        let out = child.wait_with_output().map_err(|e| fail(e.to_string()))?;
        if !out.status.success() {
            return Err(fail(format!("{}: {}", out.status, String::from_utf8_lossy(&out.stderr).trim())));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Checks that this is a namespace of its own whose only devices are `lo` and the port-less
    /// `fnw0`, with no route through a gateway: nothing sent inside can leave.
    pub fn assert_isolated(&self) -> Result<(), NetError> {
        let mine = nix::sys::stat::fstat(self.fd.as_fd()).map_err(|e| NetError::NotIsolated(format!("cannot stat the namespace: {e}")))?;
        let host = std::fs::metadata("/proc/thread-self/ns/net")
            .map_err(|e| NetError::NotIsolated(format!("cannot stat the host namespace: {e}")))?;
        if std::os::unix::fs::MetadataExt::ino(&host) == mine.st_ino {
            return Err(NetError::NotIsolated("the namespace is the caller's own".into()));
        }
        let links = self.json(&["-d", "-j", "link", "show"])?;
        check_links(&links)?;
        for family in ["-4", "-6"] {
            check_routes(&self.json(&[family, "-j", "route", "show", "table", "all"])?)?;
        }
        Ok(())
    }

    fn json(&self, args: &[&str]) -> Result<Value, NetError> {
        let out = self.tool("ip", args, "")?;
        serde_json::from_str(&out).map_err(|e| NetError::NotIsolated(format!("unreadable `ip {}` output: {e}", args.join(" "))))
    }

    /// A nonblocking TCP listener on `addr`, created inside the namespace (ready for
    /// `tokio::net::TcpListener::from_std`).
    pub fn tcp_listener(&self, addr: SocketAddr) -> io::Result<std::net::TcpListener> {
        self.inside(|| {
            let l = std::net::TcpListener::bind(addr)?;
            l.set_nonblocking(true)?;
            Ok(l)
        })
    }

    /// A nonblocking UDP socket bound to `addr` inside the namespace.
    pub fn udp_socket(&self, addr: SocketAddr) -> io::Result<std::net::UdpSocket> {
        self.inside(|| {
            let s = std::net::UdpSocket::bind(addr)?;
            s.set_nonblocking(true)?;
            Ok(s)
        })
    }

    /// Runs `f` on a thread that has joined the namespace; sockets it creates stay in it.
    fn inside<T: Send>(&self, f: impl FnOnce() -> io::Result<T> + Send) -> io::Result<T> {
        let fd = self.fd.as_fd();
        std::thread::scope(|s| {
            s.spawn(move || {
                setns(fd, CloneFlags::CLONE_NEWNET)?;
                f()
            })
            .join()
        })
        .map_err(|_| io::Error::other("namespace thread panicked"))?
    }

    /// Makes `cmd` start inside the namespace. The [`NetNs`] must outlive the spawn.
    pub fn run_inside<'c>(&self, cmd: &'c mut Command) -> &'c mut Command {
        let fd = self.fd.as_raw_fd();
        // SAFETY: the hook runs between fork and exec and only makes the setns system call on a
        // descriptor the child inherited open.
        unsafe { cmd.pre_exec(move || if libc::setns(fd, libc::CLONE_NEWNET) == 0 { Ok(()) } else { Err(io::Error::last_os_error()) }) }
    }
}

fn ip_batch(kind: &str) -> String {
    let mut s = format!("link set lo up\nlink add {HONEYPOT_DEVICE} type {kind}\nlink set {HONEYPOT_DEVICE} up\n");
    for a in HONEYPOT_ADDRS {
        s.push_str(&format!("addr add {a}/32 dev {HONEYPOT_DEVICE}\n"));
    }
    // Every IPv4 address is local, so any connect() finds a route and meets the redirects.
    s.push_str("route add local 0.0.0.0/0 dev lo\n");
    s
}

fn nft_ruleset() -> String {
    format!(
        "table ip fnwarden {{
  chain output {{
    type nat hook output priority -100; policy accept;
    ip daddr 127.0.0.0/8 return
    ip daddr {{ {IMDS_ADDR}, {CONTAINER_CREDENTIALS_ADDR}, {TENCENT_ADDR} }} tcp dport 80 return
    ip daddr {DNS_ADDR} th dport 53 return
    meta l4proto tcp redirect to :{EGRESS_PORT}
    udp dport 53 dnat to {DNS_ADDR}:53
  }}
}}
"
    )
}

fn check_links(links: &Value) -> Result<(), NetError> {
    let list = links.as_array().ok_or_else(|| NetError::NotIsolated("no link list".into()))?;
    for link in list {
        let name = link["ifname"].as_str().unwrap_or("?");
        let kind = link["linkinfo"]["info_kind"].as_str();
        let ok = match name {
            "lo" => link["link_type"] == "loopback",
            HONEYPOT_DEVICE => matches!(kind, Some("dummy" | "bridge")),
            _ => false,
        };
        if !ok {
            return Err(NetError::NotIsolated(format!("unexpected device {name} ({})", kind.unwrap_or("no kind"))));
        }
    }
    Ok(())
}

fn check_routes(routes: &Value) -> Result<(), NetError> {
    let list = routes.as_array().ok_or_else(|| NetError::NotIsolated("no route list".into()))?;
    for r in list {
        let dev = r["dev"].as_str().unwrap_or("");
        if !(dev == "lo" || dev == HONEYPOT_DEVICE) || r.get("gateway").is_some() || r.get("via").is_some() {
            return Err(NetError::NotIsolated(format!("route {} leads out of the namespace", r)));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_default_route_through_a_real_device_is_refused() {
        let good = serde_json::json!([{"type": "local", "dst": "default", "dev": "lo"}]);
        assert!(check_routes(&good).is_ok());
        let bad = serde_json::json!([{"dst": "default", "gateway": "10.0.0.1", "dev": "eth0"}]);
        assert!(check_routes(&bad).is_err());
        let links = serde_json::json!([{"ifname": "lo", "link_type": "loopback"}, {"ifname": "eth0", "link_type": "ether"}]);
        assert!(check_links(&links).is_err());
        let veth = serde_json::json!([{"ifname": "fnw0", "linkinfo": {"info_kind": "veth"}}]);
        assert!(check_links(&veth).is_err());
    }
}
