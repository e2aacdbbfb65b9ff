//! Reading a stopped task's syscall arguments: strings, argument vectors, structs and socket
//! addresses through `process_vm_readv`, descriptors and directories through `/proc`. Sizes
//! are capped; paths come back as the function sees them (inside its root).

use std::ffi::CStr;
use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};

use fnwarden_event::sysargs::clean_path;

/// Longest path or argument string read.
pub(super) const STR_MAX: usize = 4096;
/// Most argv/envp entries read.
pub(super) const ARGS_MAX: usize = 256;
/// Largest socket address read (`sockaddr_storage`).
const SOCKADDR_MAX: usize = 128;
/// Reads never cross a 4 KiB boundary in one go, so a string ending just before an unmapped
/// page is still read whole.
const CHUNK: usize = 4096;

#[derive(Debug, thiserror::Error)]
pub(super) enum DecodeError {
    #[error("null pointer argument")]
    Null,
    #[error("reading the target's memory: {0}")]
    Memory(io::Error),
}

/// Copies the target's memory at `addr` into `out`. Stops early at an unmapped page.
pub(super) fn read_mem(tid: i32, addr: u64, out: &mut [u8]) -> Result<usize, DecodeError> {
    if addr == 0 {
        return Err(DecodeError::Null);
    }
    let local = libc::iovec { iov_base: out.as_mut_ptr().cast(), iov_len: out.len() };
    let remote = libc::iovec { iov_base: addr as *mut libc::c_void, iov_len: out.len() };
    // SAFETY: `local` covers exactly `out`; the kernel checks `remote` against the target.
    let n = unsafe { libc::process_vm_readv(tid, &local, 1, &remote, 1, 0) };
    if n < 0 { Err(DecodeError::Memory(io::Error::last_os_error())) } else { Ok(n as usize) }
}

/// Reads exactly `out.len()` bytes.
pub(super) fn read_exact(tid: i32, addr: u64, out: &mut [u8]) -> Result<(), DecodeError> {
    let n = read_mem(tid, addr, out)?;
    if n == out.len() { Ok(()) } else { Err(DecodeError::Memory(io::Error::from_raw_os_error(libc::EFAULT))) }
}

/// Reads a NUL-terminated string of at most `max` bytes (longer ones are cut), reusing
/// `scratch`.
pub(super) fn read_cstr(tid: i32, addr: u64, max: usize, scratch: &mut Vec<u8>) -> Result<String, DecodeError> {
    scratch.clear();
    let mut at = addr;
    while scratch.len() < max {
        let room = (CHUNK - (at as usize % CHUNK)).min(max - scratch.len());
        let start = scratch.len();
        scratch.resize(start + room, 0);
        let n = read_mem(tid, at, &mut scratch[start..])?;
        scratch.truncate(start + n);
        if let Some(end) = scratch[start..].iter().position(|&b| b == 0) {
            scratch.truncate(start + end);
            return Ok(String::from_utf8_lossy(scratch).into_owned());
        }
        if n < room {
            return Err(DecodeError::Memory(io::Error::from_raw_os_error(libc::EFAULT)));
        }
        at += n as u64;
    }
    Ok(String::from_utf8_lossy(scratch).into_owned())
}

/// Reads a NULL-terminated array of string pointers (argv, envp).
pub(super) fn read_str_array(tid: i32, addr: u64, scratch: &mut Vec<u8>) -> Result<Vec<String>, DecodeError> {
    let mut out = Vec::new();
    if addr == 0 {
        return Ok(out);
    }
    let mut ptrs = [0u8; 8 * 32];
    let mut at = addr;
    'outer: while out.len() < ARGS_MAX {
        let n = read_mem(tid, at, &mut ptrs)?;
        if n < 8 {
            return Err(DecodeError::Memory(io::Error::from_raw_os_error(libc::EFAULT)));
        }
        for c in ptrs[..n - n % 8].chunks_exact(8) {
            let p = u64::from_ne_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
            if p == 0 || out.len() == ARGS_MAX {
                break 'outer;
            }
            out.push(read_cstr(tid, p, STR_MAX, scratch)?);
        }
        at += (n - n % 8) as u64;
    }
    Ok(out)
}

/// A socket address as the syscall named it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum SockAddr {
    Inet(SocketAddr),
    /// Path, or `@name` for the abstract namespace; empty for an unnamed socket.
    Unix(String),
    /// Another family (netlink, packet, AF_UNSPEC…): nothing a rule looks at.
    Other(u16),
}

pub(super) fn read_sockaddr(tid: i32, addr: u64, len: u64) -> Result<SockAddr, DecodeError> {
    let mut buf = [0u8; SOCKADDR_MAX];
    let want = (len as usize).min(SOCKADDR_MAX);
    let n = read_mem(tid, addr, &mut buf[..want])?;
    Ok(parse_sockaddr(&buf[..n]))
}

pub(super) fn parse_sockaddr(b: &[u8]) -> SockAddr {
    if b.len() < 2 {
        return SockAddr::Other(0);
    }
    let family = u16::from_ne_bytes([b[0], b[1]]);
    match i32::from(family) {
        libc::AF_INET if b.len() >= 8 => {
            let port = u16::from_be_bytes([b[2], b[3]]);
            SockAddr::Inet(SocketAddr::new(IpAddr::V4(Ipv4Addr::new(b[4], b[5], b[6], b[7])), port))
        }
        libc::AF_INET6 if b.len() >= 24 => {
            let port = u16::from_be_bytes([b[2], b[3]]);
            let mut a = [0u8; 16];
            a.copy_from_slice(&b[8..24]);
            // A v4-mapped address is an IPv4 peer: report it as one so address rules match.
            SockAddr::Inet(SocketAddr::new(Ipv6Addr::from(a).to_canonical(), port))
        }
        libc::AF_UNIX => {
            let path = &b[2..];
            match path.first() {
                None => SockAddr::Unix(String::new()),
                Some(0) => SockAddr::Unix(format!("@{}", String::from_utf8_lossy(&path[1..]))),
                Some(_) => {
                    let end = path.iter().position(|&c| c == 0).unwrap_or(path.len());
                    SockAddr::Unix(String::from_utf8_lossy(&path[..end]).into_owned())
                }
            }
        }
        _ => SockAddr::Other(family),
    }
}

/// What a descriptor of the target is, learnt from a copy taken with `pidfd_getfd`.
#[derive(Clone, Copy, Debug)]
pub(super) struct SockInfo {
    pub family: i32,
    pub ty: i32,
    pub local: Option<SocketAddr>,
    pub peer: Option<SocketAddr>,
}

/// Copies the target's descriptor `fd` (the target must be stopped, or it may have closed it).
pub(super) fn steal_fd(pidfd: BorrowedFd<'_>, fd: i32) -> io::Result<OwnedFd> {
    // SAFETY: plain syscall; the result is a new descriptor we own.
    let r = unsafe { libc::syscall(libc::SYS_pidfd_getfd, pidfd.as_raw_fd(), fd, 0) };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: the kernel just returned this descriptor to us.
    Ok(unsafe { OwnedFd::from_raw_fd(r as i32) })
}

fn sockopt_int(fd: BorrowedFd<'_>, opt: libc::c_int) -> io::Result<i32> {
    let mut v: libc::c_int = 0;
    let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: `v` and `len` are valid for the kernel to write.
    let r = unsafe { libc::getsockopt(fd.as_raw_fd(), libc::SOL_SOCKET, opt, (&mut v as *mut libc::c_int).cast(), &mut len) };
    if r < 0 { Err(io::Error::last_os_error()) } else { Ok(v) }
}

fn sock_name(fd: BorrowedFd<'_>, peer: bool) -> Option<SocketAddr> {
    let mut buf = [0u8; SOCKADDR_MAX];
    let mut len = SOCKADDR_MAX as libc::socklen_t;
    let f = if peer { libc::getpeername } else { libc::getsockname };
    // SAFETY: `buf` and `len` describe a writable buffer.
    let r = unsafe { f(fd.as_raw_fd(), buf.as_mut_ptr().cast(), &mut len) };
    if r < 0 {
        return None;
    }
    match parse_sockaddr(&buf[..(len as usize).min(SOCKADDR_MAX)]) {
        SockAddr::Inet(a) => Some(a),
        _ => None,
    }
}

/// Family and type of the target's socket `fd`, and its addresses when `names` is set.
pub(super) fn socket_info(pidfd: BorrowedFd<'_>, fd: i32, names: bool) -> io::Result<SockInfo> {
    use std::os::fd::AsFd;
    let copy = steal_fd(pidfd, fd)?;
    let s = copy.as_fd();
    let ty = sockopt_int(s, libc::SO_TYPE)?;
    let family = sockopt_int(s, libc::SO_DOMAIN)?;
    let (local, peer) = if names { (sock_name(s, false), sock_name(s, true)) } else { (None, None) };
    Ok(SockInfo { family, ty, local, peer })
}

/// `/proc/<pid>/<rest>` (and `/<n>` when given) as a C string in `buf`.
fn proc_path<'a>(buf: &'a mut [u8; 64], pid: i32, rest: &str, n: Option<i32>) -> Option<&'a CStr> {
    let mut w = &mut buf[..];
    let ok = match n {
        Some(n) => write!(w, "/proc/{pid}/{rest}/{n}\0"),
        None => write!(w, "/proc/{pid}/{rest}\0"),
    };
    ok.ok()?;
    let used = 64 - w.len();
    CStr::from_bytes_with_nul(&buf[..used]).ok()
}

fn readlink(path: &CStr) -> Option<String> {
    let mut buf = [0u8; STR_MAX];
    // SAFETY: `buf` is writable for its length; readlink does not NUL-terminate.
    let n = unsafe { libc::readlink(path.as_ptr(), buf.as_mut_ptr().cast(), buf.len()) };
    if n <= 0 {
        return None;
    }
    Some(String::from_utf8_lossy(&buf[..n as usize]).into_owned())
}

/// The target of `/proc/<pid>/<what>` (`cwd`, `root`, `exe`).
pub(super) fn proc_link(pid: i32, what: &str) -> Option<String> {
    let mut b = [0u8; 64];
    readlink(proc_path(&mut b, pid, what, None)?)
}

/// What descriptor `fd` of `pid` refers to: a path, `socket:[ino]`, `pipe:[ino]`,
/// `anon_inode:…`, `/memfd:name (deleted)`.
pub(super) fn fd_link(pid: i32, fd: i32) -> Option<String> {
    let mut b = [0u8; 64];
    readlink(proc_path(&mut b, pid, "fd", Some(fd))?)
}

/// Reads a small `/proc/<pid>/<what>` file into `scratch`.
pub(super) fn proc_read<'a>(pid: i32, what: &str, scratch: &'a mut Vec<u8>) -> Option<&'a [u8]> {
    let mut b = [0u8; 64];
    let path = proc_path(&mut b, pid, what, None)?;
    // SAFETY: plain open of a NUL-terminated path.
    let fd = unsafe { libc::open(path.as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC) };
    if fd < 0 {
        return None;
    }
    // SAFETY: we own the new descriptor.
    let fd = unsafe { OwnedFd::from_raw_fd(fd) };
    scratch.clear();
    scratch.resize(STR_MAX, 0);
    let mut len = 0;
    while len < scratch.len() {
        // SAFETY: reading into the unused tail of `scratch`.
        let n = unsafe { libc::read(fd.as_raw_fd(), scratch[len..].as_mut_ptr().cast(), scratch.len() - len) };
        if n < 0 {
            return None;
        }
        if n == 0 {
            break;
        }
        len += n as usize;
    }
    scratch.truncate(len);
    Some(&scratch[..])
}

/// `path` seen from the supervisor, made relative to the function's root `root` (as read from
/// `/proc/<pid>/root`; `/` when the function shares ours or lives in its own mount namespace
/// after pivot_root, where the kernel already prints paths from its root).
pub(super) fn inside_root(path: String, root: &str) -> String {
    if root == "/" || root.is_empty() {
        return path;
    }
    match path.strip_prefix(root) {
        Some("") => "/".to_owned(),
        Some(rest) if rest.starts_with('/') => rest.to_owned(),
        _ => path,
    }
}

/// Absolute form of `path`, relative to `dirfd` (or the cwd for `AT_FDCWD`) of `tid`.
/// An empty `path` names `dirfd` itself (`AT_EMPTY_PATH`).
pub(super) fn absolute(tid: i32, dirfd: i32, path: &str, root: &str) -> Option<String> {
    if path.starts_with('/') {
        return Some(clean_path(path));
    }
    let base = if dirfd == libc::AT_FDCWD { proc_link(tid, "cwd")? } else { fd_link(tid, dirfd)? };
    if !base.starts_with('/') {
        // A pipe, socket or anonymous inode: no directory to be relative to.
        return Some(base);
    }
    let base = inside_root(base, root);
    if path.is_empty() {
        return Some(base);
    }
    Some(clean_path(&format!("{base}/{path}")))
}

/// `/proc/<pid>/root` as an `O_PATH` descriptor: the process's root even after it exits.
pub(super) fn open_root(pid: i32) -> io::Result<OwnedFd> {
    let mut b = [0u8; 64];
    let root_path = proc_path(&mut b, pid, "root", None).ok_or_else(|| io::Error::from_raw_os_error(libc::EINVAL))?;
    // SAFETY: plain open of a NUL-terminated path.
    let root = unsafe { libc::open(root_path.as_ptr(), libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC) };
    if root < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: we own the new descriptor.
    Ok(unsafe { OwnedFd::from_raw_fd(root) })
}

/// A file opened beneath `root` as if `root` were `/` (`RESOLVE_IN_ROOT`: absolute symlinks
/// resolve as they do for the process whose root it is).
pub(super) fn open_beneath(root: BorrowedFd<'_>, path: &str, flags: i32) -> io::Result<std::fs::File> {
    let c = std::ffi::CString::new(path).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?;
    // SAFETY: an all-zero open_how is valid.
    let mut how: libc::open_how = unsafe { std::mem::zeroed() };
    how.flags = (flags | libc::O_CLOEXEC) as u64;
    how.resolve = libc::RESOLVE_IN_ROOT;
    // SAFETY: `how` is a valid open_how of the size passed.
    let fd = unsafe {
        libc::syscall(libc::SYS_openat2, root.as_raw_fd(), c.as_ptr(), &how as *const libc::open_how, std::mem::size_of::<libc::open_how>())
    };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: the kernel just returned this descriptor to us.
    Ok(std::fs::File::from(unsafe { OwnedFd::from_raw_fd(fd as i32) }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_fold_lexically() {
        assert_eq!(clean_path("/proc/self/../1/environ"), "/proc/1/environ");
        assert_eq!(clean_path("/tmp//a/./b/"), "/tmp/a/b");
        assert_eq!(clean_path("/.."), "/");
        assert_eq!(inside_root("/srv/root/tmp/x".into(), "/srv/root"), "/tmp/x");
        assert_eq!(inside_root("/srv/rootless".into(), "/srv/root"), "/srv/rootless");
        assert_eq!(inside_root("/srv/root".into(), "/srv/root"), "/");
    }

    #[test]
    fn socket_addresses_parse() {
        let mut v4 = [0u8; 16];
        v4[..2].copy_from_slice(&(libc::AF_INET as u16).to_ne_bytes());
        v4[2..4].copy_from_slice(&80u16.to_be_bytes());
        v4[4..8].copy_from_slice(&[169, 254, 169, 254]);
        assert_eq!(parse_sockaddr(&v4), SockAddr::Inet("169.254.169.254:80".parse().unwrap()));
        let mut v6 = [0u8; 28];
        v6[..2].copy_from_slice(&(libc::AF_INET6 as u16).to_ne_bytes());
        v6[2..4].copy_from_slice(&443u16.to_be_bytes());
        v6[8..24].copy_from_slice(&"::ffff:10.0.0.1".parse::<Ipv6Addr>().unwrap().octets());
        assert_eq!(parse_sockaddr(&v6), SockAddr::Inet("10.0.0.1:443".parse().unwrap()));
        let mut un = (libc::AF_UNIX as u16).to_ne_bytes().to_vec();
        un.extend_from_slice(b"\0hidden");
        assert_eq!(parse_sockaddr(&un), SockAddr::Unix("@hidden".into()));
        let mut un = (libc::AF_UNIX as u16).to_ne_bytes().to_vec();
        un.extend_from_slice(b"/var/run/docker.sock\0junk");
        assert_eq!(parse_sockaddr(&un), SockAddr::Unix("/var/run/docker.sock".into()));
        assert_eq!(parse_sockaddr(&(libc::AF_NETLINK as u16).to_ne_bytes()), SockAddr::Other(libc::AF_NETLINK as u16));
    }

    #[test]
    fn own_memory_reads_back() {
        let pid = std::process::id() as i32;
        let s = c"/tmp/some/path";
        let mut scratch = Vec::new();
        assert_eq!(read_cstr(pid, s.as_ptr() as u64, STR_MAX, &mut scratch).unwrap(), "/tmp/some/path");
        assert_eq!(read_cstr(pid, s.as_ptr() as u64, 4, &mut scratch).unwrap(), "/tmp");
        let args = [c"sh".as_ptr(), c"-c".as_ptr(), c"id".as_ptr(), std::ptr::null()];
        assert_eq!(read_str_array(pid, args.as_ptr() as u64, &mut scratch).unwrap(), ["sh", "-c", "id"]);
        assert!(matches!(read_cstr(pid, 0, STR_MAX, &mut scratch), Err(DecodeError::Null)));
    }
}
