//! Which sandbox process owns the client end of a TCP connection that a sandbox server
//! (the Runtime API, a honeypot) accepted: found through the namespace's socket table and the
//! processes' descriptors, while the connection is open.

use std::net::{IpAddr, SocketAddr};

/// The host pid, among `pids`, holding the TCP socket whose local end is `client` and remote end
/// `server`. `netns_pid` is any process inside the sandbox's network namespace.
pub fn socket_owner(netns_pid: i32, client: SocketAddr, server: SocketAddr, pids: &[i32]) -> Option<i32> {
    owner_in("tcp", netns_pid, client, Some(server), pids)
}

/// The same for a UDP socket bound to `client`, connected anywhere or not at all (a redirected
/// DNS query's destination is not the resolver's address).
pub fn udp_socket_owner(netns_pid: i32, client: SocketAddr, pids: &[i32]) -> Option<i32> {
    owner_in("udp", netns_pid, client, None, pids)
}

fn owner_in(table: &str, netns_pid: i32, client: SocketAddr, server: Option<SocketAddr>, pids: &[i32]) -> Option<i32> {
    let table = std::fs::read_to_string(format!("/proc/{netns_pid}/net/{table}")).ok()?;
    let inode = find_inode(&table, client, server)?;
    let want = format!("socket:[{inode}]");
    pids.iter().copied().find(|pid| {
        std::fs::read_dir(format!("/proc/{pid}/fd"))
            .into_iter()
            .flatten()
            .flatten()
            .any(|fd| std::fs::read_link(fd.path()).is_ok_and(|l| l.as_os_str() == want.as_str()))
    })
}

/// The inode of the row `local → remote` (any remote when `None`) in a `/proc/net/{tcp,udp}`
/// table.
fn find_inode(table: &str, local: SocketAddr, remote: Option<SocketAddr>) -> Option<u64> {
    let l = hex_endpoint(local)?;
    let r = match remote {
        Some(r) => Some(hex_endpoint(r)?),
        None => None,
    };
    table.lines().skip(1).find_map(|line| {
        let cols: Vec<&str> = line.split_whitespace().collect();
        let remote_fits = r.as_ref().is_none_or(|r| cols.get(2) == Some(&r.as_str()));
        (cols.get(1) == Some(&l.as_str()) && remote_fits).then(|| cols.get(9)?.parse().ok()).flatten()
    })
}

/// `/proc/net/tcp` notation: the IPv4 address as a little-endian hex word, then the port.
fn hex_endpoint(a: SocketAddr) -> Option<String> {
    match a.ip() {
        IpAddr::V4(ip) => Some(format!("{:08X}:{:04X}", u32::from_le_bytes(ip.octets()), a.port())),
        IpAddr::V6(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_matched_by_both_ends() {
        let table = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n\
            0: 0100007F:2329 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 111 1 0\n\
            1: 0100007F:A2F4 0100007F:2329 01 00000000:00000000 00:00000000 00000000   993        0 222 1 0\n";
        let client: SocketAddr = "127.0.0.1:41716".parse().unwrap();
        let server: SocketAddr = "127.0.0.1:9001".parse().unwrap();
        assert_eq!(find_inode(table, client, Some(server)), Some(222));
        assert_eq!(find_inode(table, client, None), Some(222));
        assert_eq!(find_inode(table, server, Some(client)), None);
        assert_eq!(find_inode("garbage\nmore garbage", client, Some(server)), None);
    }

    #[test]
    fn the_owner_of_a_real_connection_is_found() {
        let server = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let client = std::net::TcpStream::connect(server.local_addr().unwrap()).unwrap();
        let me = std::process::id() as i32;
        let found = socket_owner(me, client.local_addr().unwrap(), server.local_addr().unwrap(), &[1, me]);
        assert_eq!(found, Some(me));
        assert_eq!(socket_owner(me, client.local_addr().unwrap(), server.local_addr().unwrap(), &[1]), None);
        let udp = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        assert_eq!(udp_socket_owner(me, udp.local_addr().unwrap(), &[me]), Some(me));
    }
}
