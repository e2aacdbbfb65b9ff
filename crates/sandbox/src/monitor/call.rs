//! What a stopped syscall does, in domain terms: decoded from the registers and the target's
//! memory into an exec, a file action, a network action or a kernel-level action, with the
//! verdict the policy gives it.

use std::collections::BTreeMap;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};

use fnwarden_event::{EventKind, FileAction, L4Proto, NetAction};

use super::decode::{self, DecodeError, SockAddr};
use crate::policy::CLONE_NEW_MASK;
use fnwarden_event::sysargs::{bpf_cmd, clone_flags, memfd_flags, ptrace_request, socket_family};

macro_rules! syscalls {
    ($( $v:ident = $n:literal, )*) => {
        /// Every syscall the policy stops.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub(super) enum Sys { $( $v, )* }

        impl Sys {
            pub const ALL: &'static [Sys] = &[ $( Sys::$v, )* ];

            pub fn name(self) -> &'static str {
                match self { $( Sys::$v => $n, )* }
            }
        }
    };
}

syscalls! {
    Execve = "execve", Execveat = "execveat", Clone = "clone", Fork = "fork", Vfork = "vfork",
    Open = "open", Openat = "openat", Openat2 = "openat2", Creat = "creat",
    Unlink = "unlink", Unlinkat = "unlinkat", Rename = "rename", Renameat = "renameat", Renameat2 = "renameat2",
    Chmod = "chmod", Fchmod = "fchmod", Fchmodat = "fchmodat", Fchmodat2 = "fchmodat2",
    Connect = "connect", Bind = "bind", Sendto = "sendto", Sendmsg = "sendmsg", Sendmmsg = "sendmmsg",
    MemfdCreate = "memfd_create", Dup2 = "dup2", Dup3 = "dup3", Socket = "socket", Splice = "splice",
    ProcessVmReadv = "process_vm_readv", ProcessVmWritev = "process_vm_writev",
    InitModule = "init_module", FinitModule = "finit_module", DeleteModule = "delete_module",
    KexecLoad = "kexec_load", KexecFileLoad = "kexec_file_load", Bpf = "bpf", PerfEventOpen = "perf_event_open",
    Userfaultfd = "userfaultfd", Keyctl = "keyctl", AddKey = "add_key", RequestKey = "request_key",
    IoUringSetup = "io_uring_setup", IoUringEnter = "io_uring_enter", IoUringRegister = "io_uring_register",
    OpenByHandleAt = "open_by_handle_at", NameToHandleAt = "name_to_handle_at",
    Mount = "mount", Umount2 = "umount2", PivotRoot = "pivot_root", Chroot = "chroot",
    Swapon = "swapon", Swapoff = "swapoff", Reboot = "reboot", Iopl = "iopl", Ioperm = "ioperm", Acct = "acct",
    Setns = "setns", Unshare = "unshare", Ptrace = "ptrace",
    Fsopen = "fsopen", Fsconfig = "fsconfig", Fsmount = "fsmount", Fspick = "fspick", MoveMount = "move_mount",
    OpenTree = "open_tree", MountSetattr = "mount_setattr",
}

impl Sys {
    pub fn index(self) -> usize {
        self as usize
    }

    #[cfg(test)]
    pub fn from_name(name: &str) -> Option<Sys> {
        Sys::ALL.iter().copied().find(|s| s.name() == name)
    }
}

/// Native syscall number → [`Sys`].
pub(super) struct SyscallMap(Vec<Option<Sys>>);

impl SyscallMap {
    pub fn native() -> SyscallMap {
        let mut v: Vec<Option<Sys>> = Vec::new();
        for s in Sys::ALL {
            let Some(nr) = crate::policy::number(s.name()).and_then(|n| usize::try_from(n).ok()) else { continue };
            if v.len() <= nr {
                v.resize(nr + 1, None);
            }
            v[nr] = Some(*s);
        }
        SyscallMap(v)
    }

    pub fn get(&self, nr: i32) -> Option<Sys> {
        usize::try_from(nr).ok().and_then(|n| self.0.get(n).copied().flatten())
    }
}

/// When the monitor answers `EPERM`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Refuse {
    Never,
    Always,
    /// When the target process is the runtime or init.
    IfProtectedTarget,
}

pub(super) struct Exec {
    /// Absolute path as the function named it (for `execveat(fd, "")`, the descriptor's file).
    pub path: String,
    pub args: Vec<String>,
    pub env: Vec<String>,
    pub cwd: String,
    /// The image comes from a descriptor or `/proc/…/fd`: nothing to look up by path.
    pub by_fd: bool,
}

/// The image an exec runs, as the kernel will see it.
pub(super) struct Image {
    pub exe: String,
    /// comm for scripts (the script's name); empty means "derive from exe".
    pub name: String,
    pub args: Vec<String>,
}

pub(super) struct KernelCall {
    pub kind: EventKind,
    pub args: BTreeMap<String, String>,
    /// A pid inside the sandbox the call acts on.
    pub target: Option<i32>,
    pub net: Option<NetAction>,
    pub refuse: Refuse,
}

pub(super) enum Call {
    Exec(Exec),
    /// fork, vfork, clone of a process: the child reports itself when it first stops.
    Spawn,
    File {
        kind: EventKind,
        file: FileAction,
        target: Option<i32>,
    },
    Net {
        kind: EventKind,
        net: NetAction,
    },
    Kernel(KernelCall),
    /// Stopped, but nothing a rule looks at (netlink, unaddressed sendmsg, pipes on stdio).
    Nothing,
}

impl Call {
    /// An open that fails unless its file exists, of a path that can be looked up from outside
    /// (not the pid-relative /proc and /dev/fd).
    pub fn needs_existing_file(&self) -> bool {
        match self {
            Call::File { kind: EventKind::Open, file, .. } => {
                let creates = file.flags & (libc::O_CREAT | libc::O_TMPFILE) as u32 != 0;
                !creates && file.path.starts_with('/') && !file.path.starts_with("/proc/") && !file.path.starts_with("/dev/")
            }
            _ => false,
        }
    }

    /// The file a file action names.
    pub fn path(&self) -> &str {
        match self {
            Call::File { file, .. } => &file.path,
            _ => "",
        }
    }

    pub fn refuse(&self) -> Refuse {
        match self {
            Call::Kernel(k) => k.refuse,
            // Writing another process's memory through /proc is process_vm_writev by another name.
            Call::File { kind: EventKind::Open, file, target: Some(_) }
                if file.path.ends_with("/mem") && file.flags & (libc::O_WRONLY | libc::O_RDWR) as u32 != 0 =>
            {
                Refuse::IfProtectedTarget
            }
            _ => Refuse::Never,
        }
    }
}

/// What decoding needs about the stopped task.
pub(super) struct Target<'a> {
    pub tid: i32,
    pub pidfd: BorrowedFd<'a>,
    pub root: &'a str,
}

type Args = [u64; 6];

/// Decodes one stopped syscall. Refused syscalls decode best-effort (they are reported even when
/// their arguments cannot be read).
pub(super) fn decode(sys: Sys, a: &Args, t: &Target<'_>, scratch: &mut Vec<u8>) -> Result<Call, DecodeError> {
    let path = |addr: u64, scratch: &mut Vec<u8>| decode::read_cstr(t.tid, addr, decode::STR_MAX, scratch);
    let abs = |dirfd: i32, p: &str| decode::absolute(t.tid, dirfd, p, t.root).unwrap_or_else(|| p.to_owned());
    let fd_path = |fd: i32| decode::fd_link(t.tid, fd).map(|l| decode::inside_root(l, t.root));
    Ok(match sys {
        Sys::Execve | Sys::Execveat => {
            let (dirfd, p, argv, envp, flags) =
                if sys == Sys::Execve { (libc::AT_FDCWD, a[0], a[1], a[2], 0) } else { (a[0] as i32, a[1], a[2], a[3], a[4] as i32) };
            let raw = path(p, scratch)?;
            let by_fd = raw.is_empty() && flags & libc::AT_EMPTY_PATH != 0;
            let path = if by_fd { fd_path(dirfd).unwrap_or_default() } else { abs(dirfd, &raw) };
            let by_fd = by_fd || path.starts_with("/proc/") || path.starts_with("/dev/fd/");
            let args = decode::read_str_array(t.tid, argv, scratch)?;
            let env = decode::read_str_array(t.tid, envp, scratch)?;
            let cwd = decode::proc_link(t.tid, "cwd").map(|c| decode::inside_root(c, t.root)).unwrap_or_default();
            Call::Exec(Exec { path, args, env, cwd, by_fd })
        }
        Sys::Clone if a[0] & CLONE_NEW_MASK != 0 => Call::Kernel(KernelCall {
            kind: EventKind::Unshare,
            // clone's low byte is the exit signal, not a flag.
            args: kernel_args(sys, [("flags", clone_flags(a[0] & !0xff))]),
            target: None,
            net: None,
            refuse: Refuse::Always,
        }),
        Sys::Clone | Sys::Fork | Sys::Vfork => Call::Spawn,
        Sys::Open | Sys::Openat | Sys::Openat2 | Sys::Creat => {
            let (dirfd, p, flags, mode) = match sys {
                Sys::Open => (libc::AT_FDCWD, a[0], a[1], a[2]),
                Sys::Creat => (libc::AT_FDCWD, a[0], (libc::O_CREAT | libc::O_WRONLY | libc::O_TRUNC) as u64, a[1]),
                Sys::Openat => (a[0] as i32, a[1], a[2], a[3]),
                _ => {
                    let mut how = [0u8; 24];
                    decode::read_exact(t.tid, a[2], &mut how)?;
                    let word = |i: usize| u64::from_ne_bytes(how[i * 8..i * 8 + 8].try_into().unwrap_or([0; 8]));
                    (a[0] as i32, a[1], word(0), word(1))
                }
            };
            let raw = path(p, scratch)?;
            let path = abs(dirfd, &raw);
            let flags = flags as u32;
            let creates = flags & libc::O_CREAT as u32 != 0 || flags & libc::O_TMPFILE as u32 == libc::O_TMPFILE as u32;
            let target = proc_pid(&path);
            let file = FileAction {
                path,
                flags,
                mode: creates.then_some(mode as u32 & 0o7777),
                created: flags & libc::O_CREAT as u32 != 0,
                ..FileAction::default()
            };
            Call::File { kind: EventKind::Open, file, target }
        }
        Sys::Unlink | Sys::Unlinkat => {
            let (dirfd, p) = if sys == Sys::Unlink { (libc::AT_FDCWD, a[0]) } else { (a[0] as i32, a[1]) };
            let raw = path(p, scratch)?;
            Call::File { kind: EventKind::Unlink, file: FileAction { path: abs(dirfd, &raw), ..FileAction::default() }, target: None }
        }
        Sys::Rename | Sys::Renameat | Sys::Renameat2 => {
            let (od, op, nd, np) =
                if sys == Sys::Rename { (libc::AT_FDCWD, a[0], libc::AT_FDCWD, a[1]) } else { (a[0] as i32, a[1], a[2] as i32, a[3]) };
            let from = path(op, scratch)?;
            let to = path(np, scratch)?;
            let file = FileAction { path: abs(od, &from), target: Some(abs(nd, &to)), ..FileAction::default() };
            Call::File { kind: EventKind::Rename, file, target: None }
        }
        Sys::Chmod | Sys::Fchmod | Sys::Fchmodat | Sys::Fchmodat2 => {
            let (p, mode) = match sys {
                Sys::Chmod => (abs(libc::AT_FDCWD, &path(a[0], scratch)?), a[1]),
                Sys::Fchmod => (fd_path(a[0] as i32).unwrap_or_default(), a[1]),
                _ => {
                    let raw = path(a[1], scratch)?;
                    (abs(a[0] as i32, &raw), a[2])
                }
            };
            let file = FileAction { path: p, mode: Some(mode as u32 & 0o7777), ..FileAction::default() };
            Call::File { kind: EventKind::Chmod, file, target: None }
        }
        Sys::Connect | Sys::Bind | Sys::Sendto | Sys::Sendmsg | Sys::Sendmmsg => {
            let fd = a[0] as i32;
            let addr = match sys {
                Sys::Connect | Sys::Bind => decode::read_sockaddr(t.tid, a[1], a[2])?,
                Sys::Sendto => decode::read_sockaddr(t.tid, a[4], a[5])?,
                Sys::Sendmsg => match msg_name(t.tid, a[1], 1)? {
                    Some(addr) => addr,
                    None => return Ok(Call::Nothing),
                },
                _ => match msg_name(t.tid, a[1], a[2].min(8))? {
                    Some(addr) => addr,
                    None => return Ok(Call::Nothing),
                },
            };
            let kind = if sys == Sys::Bind { EventKind::Bind } else { EventKind::Connect };
            let net = match addr {
                SockAddr::Inet(sa) => {
                    let proto = decode::socket_info(t.pidfd, fd, false).map(|i| proto_of(i.family, i.ty)).unwrap_or(L4Proto::Tcp);
                    let ep = fnwarden_event::Endpoint { ip: sa.ip(), port: sa.port() };
                    if kind == EventKind::Bind {
                        NetAction { proto, local: Some(ep), ..NetAction::default() }
                    } else {
                        NetAction { proto, remote: Some(ep), ..NetAction::default() }
                    }
                }
                SockAddr::Unix(p) if !p.is_empty() => NetAction { proto: L4Proto::Unix, unix_path: Some(p), ..NetAction::default() },
                _ => return Ok(Call::Nothing),
            };
            Call::Net { kind, net }
        }
        Sys::Socket => {
            let (family, ty) = (a[0] as i32, a[1] as i32);
            let net = NetAction { proto: proto_of(family, ty), family: Some(socket_family(i64::from(family))), ..NetAction::default() };
            Call::Net { kind: EventKind::Socket, net }
        }
        Sys::MemfdCreate => {
            let name = decode::read_cstr(t.tid, a[0], 256, scratch)?;
            let args = kernel_args(sys, [("name", name), ("flags", memfd_flags(a[1]))]);
            Call::Kernel(KernelCall { kind: EventKind::MemfdCreate, args, target: None, net: None, refuse: Refuse::Never })
        }
        Sys::Dup2 | Sys::Dup3 => {
            let (old, new) = (a[0] as i32, a[1] as i32);
            // Only a socket landing on a standard stream says anything (a reverse shell).
            if !(0..=2).contains(&new) || !decode::fd_link(t.tid, old).is_some_and(|l| l.starts_with("socket:")) {
                return Ok(Call::Nothing);
            }
            let net = decode::socket_info(t.pidfd, old, true).ok().map(|i| NetAction {
                proto: proto_of(i.family, i.ty),
                local: i.local.map(|s| fnwarden_event::Endpoint { ip: s.ip(), port: s.port() }),
                remote: i.peer.map(|s| fnwarden_event::Endpoint { ip: s.ip(), port: s.port() }),
                ..NetAction::default()
            });
            let args = kernel_args(sys, [("oldfd", old.to_string()), ("newfd", new.to_string())]);
            Call::Kernel(KernelCall { kind: EventKind::Dup, args, target: None, net, refuse: Refuse::Never })
        }
        Sys::Splice => match fd_path(a[0] as i32) {
            Some(p) if p.starts_with('/') => {
                Call::File { kind: EventKind::Splice, file: FileAction { path: p, ..FileAction::default() }, target: None }
            }
            _ => Call::Nothing,
        },
        _ => Call::Kernel(kernel_call(sys, a, t, scratch)),
    })
}

/// Refused and guarded syscalls: the arguments a rule or a person reading the alert needs.
fn kernel_call(sys: Sys, a: &Args, t: &Target<'_>, scratch: &mut Vec<u8>) -> KernelCall {
    let mut s = |addr: u64| decode::read_cstr(t.tid, addr, decode::STR_MAX, scratch).unwrap_or_default();
    let (kind, args, target, refuse): (EventKind, Vec<(&str, String)>, Option<i32>, Refuse) = match sys {
        Sys::ProcessVmReadv | Sys::ProcessVmWritev => {
            let kind = if sys == Sys::ProcessVmReadv { EventKind::ProcessVmReadv } else { EventKind::ProcessVmWritev };
            (kind, vec![("pid", (a[0] as i32).to_string())], Some(a[0] as i32), Refuse::IfProtectedTarget)
        }
        Sys::Ptrace => {
            let request = a[0] as i64;
            let target = (request != 0).then_some(a[1] as i32);
            (EventKind::Ptrace, vec![("request", ptrace_request(request)), ("pid", (a[1] as i32).to_string())], target, Refuse::Always)
        }
        Sys::Unshare => (EventKind::Unshare, vec![("flags", clone_flags(a[0]))], None, Refuse::Always),
        Sys::Setns => {
            let fd = decode::fd_link(t.tid, a[0] as i32).unwrap_or_else(|| (a[0] as i32).to_string());
            (EventKind::Setns, vec![("fd", fd), ("nstype", clone_flags(a[1]))], None, Refuse::Always)
        }
        Sys::Mount => {
            let args = vec![("source", s(a[0])), ("target", s(a[1])), ("fstype", s(a[2])), ("flags", format!("{:#x}", a[3]))];
            (EventKind::Mount, args, None, Refuse::Always)
        }
        Sys::Umount2 => (EventKind::Umount, vec![("target", s(a[0]))], None, Refuse::Always),
        Sys::PivotRoot => (EventKind::PivotRoot, vec![("new_root", s(a[0])), ("put_old", s(a[1]))], None, Refuse::Always),
        Sys::Chroot => (EventKind::Chroot, vec![("path", s(a[0]))], None, Refuse::Always),
        Sys::Bpf => (EventKind::Bpf, vec![("cmd", bpf_cmd(a[0]))], None, Refuse::Always),
        Sys::InitModule => (EventKind::InitModule, vec![("params", s(a[2]))], None, Refuse::Always),
        Sys::FinitModule => {
            let fd = decode::fd_link(t.tid, a[0] as i32).unwrap_or_default();
            (EventKind::FinitModule, vec![("fd", fd), ("params", s(a[1]))], None, Refuse::Always)
        }
        Sys::DeleteModule => (EventKind::DeleteModule, vec![("name", s(a[0]))], None, Refuse::Always),
        Sys::KexecLoad | Sys::KexecFileLoad => (EventKind::KexecLoad, vec![], None, Refuse::Always),
        Sys::PerfEventOpen => (EventKind::PerfEventOpen, vec![], None, Refuse::Always),
        Sys::Userfaultfd => (EventKind::Userfaultfd, vec![], None, Refuse::Always),
        Sys::Keyctl => (EventKind::Keyctl, vec![("operation", a[0].to_string())], None, Refuse::Always),
        Sys::AddKey | Sys::RequestKey => (EventKind::Keyctl, vec![("type", s(a[0])), ("description", s(a[1]))], None, Refuse::Always),
        Sys::IoUringSetup | Sys::IoUringEnter | Sys::IoUringRegister => (EventKind::IoUringSetup, vec![], None, Refuse::Always),
        Sys::OpenByHandleAt | Sys::NameToHandleAt => (EventKind::OpenByHandleAt, vec![], None, Refuse::Always),
        Sys::Fsopen | Sys::Fsconfig | Sys::Fsmount | Sys::Fspick | Sys::MoveMount | Sys::OpenTree | Sys::MountSetattr => {
            (EventKind::Mount, vec![], None, Refuse::Always)
        }
        Sys::Swapon | Sys::Swapoff | Sys::Acct => (EventKind::Seccomp, vec![("path", s(a[0]))], None, Refuse::Always),
        _ => (EventKind::Seccomp, vec![], None, Refuse::Always),
    };
    KernelCall { kind, args: kernel_args(sys, args), target, net: None, refuse }
}

fn kernel_args<'a>(sys: Sys, args: impl IntoIterator<Item = (&'a str, String)>) -> BTreeMap<String, String> {
    let mut m: BTreeMap<String, String> = args.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    m.insert("syscall".to_owned(), sys.name().to_owned());
    m
}

/// The address of the first message of a sendmsg/sendmmsg that names one.
fn msg_name(tid: i32, addr: u64, count: u64) -> Result<Option<SockAddr>, DecodeError> {
    // struct msghdr is 56 bytes on 64-bit Linux; struct mmsghdr adds msg_len and padding.
    let stride = if count > 1 { 64 } else { 56 };
    for i in 0..count.max(1) {
        let mut hdr = [0u8; 16];
        decode::read_exact(tid, addr + i * stride, &mut hdr)?;
        let name = u64::from_ne_bytes(hdr[..8].try_into().unwrap_or([0; 8]));
        let len = u32::from_ne_bytes(hdr[8..12].try_into().unwrap_or([0; 4]));
        if name != 0 && len > 0 {
            return decode::read_sockaddr(tid, name, u64::from(len)).map(Some);
        }
    }
    Ok(None)
}

/// `N` of a `/proc/N/…` path.
pub(super) fn proc_pid(path: &str) -> Option<i32> {
    let rest = path.strip_prefix("/proc/")?;
    let n = rest.split('/').next()?;
    n.parse().ok()
}

fn proto_of(family: i32, ty: i32) -> L4Proto {
    match (family, ty & 0xf) {
        (libc::AF_UNIX, _) => L4Proto::Unix,
        (libc::AF_PACKET, _) | (_, libc::SOCK_RAW) => L4Proto::Raw,
        (_, libc::SOCK_DGRAM) => L4Proto::Udp,
        _ => L4Proto::Tcp,
    }
}

impl Exec {
    /// The image this exec runs, or `None` when the path names no executable file in the
    /// target's root (a PATH search trying the next directory).
    /// `root` is the process's root; without it the path is taken as is.
    pub fn image(&self, root: Option<BorrowedFd<'_>>) -> Option<Image> {
        let (false, Some(root)) = (self.by_fd, root) else {
            return Some(Image { exe: self.path.clone(), name: String::new(), args: self.args.clone() });
        };
        let file = decode::open_beneath(root, &self.path, libc::O_PATH).ok()?;
        let meta = file.metadata().ok()?;
        if !meta.is_file() || std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o111 == 0 {
            return None;
        }
        match shebang(&file) {
            // The kernel runs `interp [arg] path args[1..]`; comm stays the script's name.
            Some((interp, arg)) => {
                let mut args = Vec::with_capacity(self.args.len() + 2);
                args.push(interp.clone());
                args.extend(arg);
                args.push(self.path.clone());
                args.extend(self.args.iter().skip(1).cloned());
                let name = self.path.rsplit('/').next().unwrap_or_default().to_owned();
                Some(Image { exe: interp, name, args })
            }
            None => Some(Image { exe: self.path.clone(), name: String::new(), args: self.args.clone() }),
        }
    }
}

/// `#!interp [arg]` of a script (the kernel reads at most 256 bytes).
fn shebang(file: &std::fs::File) -> Option<(String, Option<String>)> {
    let mut b = [0u8; 64];
    let mut w = &mut b[..];
    std::io::Write::write_fmt(&mut w, format_args!("/proc/self/fd/{}\0", file.as_raw_fd())).ok()?;
    let used = 64 - w.len();
    let path = std::ffi::CStr::from_bytes_with_nul(&b[..used]).ok()?;
    // SAFETY: plain open of a NUL-terminated path.
    let fd = unsafe { libc::open(path.as_ptr(), libc::O_RDONLY | libc::O_NONBLOCK | libc::O_CLOEXEC | libc::O_NOCTTY) };
    if fd < 0 {
        return None;
    }
    // SAFETY: we own the new descriptor.
    let fd = unsafe { OwnedFd::from_raw_fd(fd) };
    let mut head = [0u8; 256];
    // SAFETY: reading into `head`.
    let n = unsafe { libc::read(fd.as_raw_fd(), head.as_mut_ptr().cast(), head.len()) };
    let head = head.get(..usize::try_from(n).ok()?)?;
    let line = head.strip_prefix(b"#!")?;
    let line = &line[..line.iter().position(|&c| c == b'\n').unwrap_or(line.len())];
    let text = String::from_utf8_lossy(line);
    let text = text.trim();
    let (interp, arg) = match text.split_once([' ', '\t']) {
        Some((i, a)) if !a.trim().is_empty() => (i, Some(a.trim().to_owned())),
        Some((i, _)) => (i, None),
        None => (text, None),
    };
    (!interp.is_empty()).then(|| (interp.to_owned(), arg))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_policy_syscall_has_a_decoder() {
        let p = crate::policy::watched().iter().chain(crate::policy::guarded()).chain(crate::policy::refused());
        for name in p {
            assert!(Sys::from_name(name).is_some(), "{name}");
        }
        assert_eq!(Sys::ALL.len(), crate::policy::watched().len() + crate::policy::guarded().len() + crate::policy::refused().len());
        let map = SyscallMap::native();
        assert_eq!(map.get(crate::policy::number("openat").unwrap()), Some(Sys::Openat));
        assert_eq!(map.get(-1), None);
    }

    #[test]
    fn flags_render() {
        assert_eq!(clone_flags((libc::CLONE_NEWUSER | libc::CLONE_NEWNS) as u64), "CLONE_NEWUSER|CLONE_NEWNS");
        assert_eq!(clone_flags(0x80 | 0x1_0000_0000), "CLONE_NEWTIME|0x100000000");
        assert_eq!(clone_flags(0), "0");
        assert_eq!(memfd_flags(1), "MFD_CLOEXEC");
        assert_eq!(ptrace_request(16), "PTRACE_ATTACH");
        assert_eq!(bpf_cmd(5), "BPF_PROG_LOAD");
        assert_eq!(proc_pid("/proc/12/mem"), Some(12));
        assert_eq!(proc_pid("/proc/self/mem"), None);
    }
}
