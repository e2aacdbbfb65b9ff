//! Syscall arguments rendered the way rules read them (`evt.arg.*`): flag sets by name,
//! requests, commands and address families by their constant names, paths folded. Shared by
//! every sensor.

/// Namespace-creating clone flags (CLONE_NEWTIME shares its bit with clone's exit signal and
/// only means a namespace for unshare and clone3).
pub const CLONE_NEW_FLAGS: &[(&str, u64)] = &[
    ("CLONE_NEWUSER", 0x1000_0000),
    ("CLONE_NEWNS", 0x2_0000),
    ("CLONE_NEWPID", 0x2000_0000),
    ("CLONE_NEWNET", 0x4000_0000),
    ("CLONE_NEWUTS", 0x400_0000),
    ("CLONE_NEWIPC", 0x800_0000),
    ("CLONE_NEWCGROUP", 0x200_0000),
];

pub fn render_bits<'a>(bits: u64, names: impl IntoIterator<Item = &'a (&'a str, u64)>) -> String {
    let mut out = String::new();
    let mut rest = bits;
    for (name, v) in names {
        if bits & v == *v && *v != 0 {
            if !out.is_empty() {
                out.push('|');
            }
            out.push_str(name);
            rest &= !v;
        }
    }
    if rest != 0 || out.is_empty() {
        if !out.is_empty() {
            out.push('|');
        }
        out.push_str(&format!("{rest:#x}"));
    }
    out
}

/// Namespace and sharing flags of clone/unshare/setns, Falco-style (`CLONE_NEWUSER|CLONE_NEWNS`).
pub fn clone_flags(bits: u64) -> String {
    // Beyond the namespace flags, the ones worth naming.
    const SHARING: &[(&str, u64)] = &[
        ("CLONE_NEWTIME", 0x80),
        ("CLONE_FILES", 0x400),
        ("CLONE_FS", 0x200),
        ("CLONE_SYSVSEM", 0x4_0000),
        ("CLONE_VM", 0x100),
        ("CLONE_THREAD", 0x1_0000),
        ("CLONE_SIGHAND", 0x800),
        ("CLONE_VFORK", 0x4000),
    ];
    if bits == 0 { "0".to_owned() } else { render_bits(bits, CLONE_NEW_FLAGS.iter().chain(SHARING)) }
}

pub fn memfd_flags(bits: u64) -> String {
    const NAMES: &[(&str, u64)] =
        &[("MFD_CLOEXEC", 1), ("MFD_ALLOW_SEALING", 2), ("MFD_HUGETLB", 4), ("MFD_NOEXEC_SEAL", 8), ("MFD_EXEC", 0x10)];
    if bits == 0 { "0".to_owned() } else { render_bits(bits, NAMES) }
}

pub fn ptrace_request(r: i64) -> String {
    let name = match r {
        0 => "PTRACE_TRACEME",
        1 => "PTRACE_PEEKTEXT",
        2 => "PTRACE_PEEKDATA",
        3 => "PTRACE_PEEKUSER",
        4 => "PTRACE_POKETEXT",
        5 => "PTRACE_POKEDATA",
        6 => "PTRACE_POKEUSER",
        7 => "PTRACE_CONT",
        8 => "PTRACE_KILL",
        9 => "PTRACE_SINGLESTEP",
        12 => "PTRACE_GETREGS",
        13 => "PTRACE_SETREGS",
        14 => "PTRACE_GETFPREGS",
        15 => "PTRACE_SETFPREGS",
        16 => "PTRACE_ATTACH",
        17 => "PTRACE_DETACH",
        24 => "PTRACE_SYSCALL",
        0x4200 => "PTRACE_SETOPTIONS",
        0x4201 => "PTRACE_GETEVENTMSG",
        0x4202 => "PTRACE_GETSIGINFO",
        0x4203 => "PTRACE_SETSIGINFO",
        0x4204 => "PTRACE_GETREGSET",
        0x4205 => "PTRACE_SETREGSET",
        0x4206 => "PTRACE_SEIZE",
        0x4207 => "PTRACE_INTERRUPT",
        0x4208 => "PTRACE_LISTEN",
        0x4209 => "PTRACE_PEEKSIGINFO",
        _ => return r.to_string(),
    };
    name.to_owned()
}

pub fn bpf_cmd(cmd: u64) -> String {
    const NAMES: &[&str] = &[
        "BPF_MAP_CREATE",
        "BPF_MAP_LOOKUP_ELEM",
        "BPF_MAP_UPDATE_ELEM",
        "BPF_MAP_DELETE_ELEM",
        "BPF_MAP_GET_NEXT_KEY",
        "BPF_PROG_LOAD",
        "BPF_OBJ_PIN",
        "BPF_OBJ_GET",
        "BPF_PROG_ATTACH",
        "BPF_PROG_DETACH",
        "BPF_PROG_TEST_RUN",
    ];
    usize::try_from(cmd).ok().and_then(|i| NAMES.get(i)).map(|s| (*s).to_owned()).unwrap_or_else(|| cmd.to_string())
}

/// An address family by name (`inet`, `inet6`, `unix`, `packet`, `netlink`), else its number.
pub fn socket_family(family: i64) -> String {
    match family {
        1 => "unix".to_owned(),
        2 => "inet".to_owned(),
        10 => "inet6".to_owned(),
        16 => "netlink".to_owned(),
        17 => "packet".to_owned(),
        n => n.to_string(),
    }
}

/// Folds `.`, `..` and repeated slashes of a path, lexically (as the kernel would resolve it
/// without symlinks); the result is absolute.
pub fn clean_path(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            _ => parts.push(p),
        }
    }
    let mut out = String::with_capacity(path.len() + 1);
    for p in &parts {
        out.push('/');
        out.push_str(p);
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_fold_and_families_have_names() {
        assert_eq!(clean_path("/proc/self/../1/environ"), "/proc/1/environ");
        assert_eq!(clean_path("/tmp//a/./b/"), "/tmp/a/b");
        assert_eq!(clean_path("/../.."), "/");
        assert_eq!(socket_family(10), "inet6");
        assert_eq!(socket_family(42), "42");
    }
}
