//! What a folded path or URL means for these rules: the temp folder, `/proc` reads, the
//! Lambda Runtime, Extensions, Logs and Telemetry APIs.

use crate::fold::{HOLE, RUNTIME_API};

/// Under `/tmp` (the only writable folder on Lambda, kept by warm environments) or `/dev/shm`.
pub(crate) fn is_tmp(path: &str) -> bool {
    let p = path.trim().strip_prefix("file://").unwrap_or(path.trim());
    ["/tmp", "/dev/shm"].iter().any(|d| p == *d || p.strip_prefix(d).is_some_and(|rest| rest.starts_with('/')))
}

/// What a `/proc` path reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ProcRead {
    /// `/proc/<any>/environ`: a process's environment, credentials included.
    Environ,
    /// `/proc/<pid>/mem` or `/maps` of a process other than this one.
    Memory,
}

/// The whole string must be the path (optionally `file://`): a message that mentions
/// `/proc/self/environ` is not a read of it.
pub(crate) fn proc_read(path: &str) -> Option<ProcRead> {
    let p = path.trim().strip_prefix("file://").unwrap_or(path.trim());
    let rest = p.strip_prefix("/proc/")?;
    let (who, tail) = rest.split_once('/')?;
    if who.is_empty() || who.contains(char::is_whitespace) {
        return None;
    }
    let tail = tail.trim_end_matches('/');
    let in_task = tail.strip_prefix("task/").and_then(|t| t.split_once('/')).map(|(_, t)| t);
    let leaf = in_task.unwrap_or(tail);
    match leaf {
        "environ" => Some(ProcRead::Environ),
        "mem" | "maps" if !matches!(who, "self" | "thread-self") && in_task.is_none() => Some(ProcRead::Memory),
        _ => None,
    }
}

/// The Lambda API a URL or path addresses, by its versioned prefix.
pub(crate) fn lambda_api(s: &str) -> Option<&'static str> {
    const APIS: [(&str, &str); 5] = [
        ("2018-06-01/runtime/", "Runtime API"),
        ("2020-01-01/extension/", "Extensions API"),
        ("2020-08-15/logs", "Logs API"),
        ("2022-07-01/telemetry", "Telemetry API"),
        ("2021-04-23/credentials", "credentials endpoint"),
    ];
    APIS.iter().find(|(prefix, _)| s.contains(prefix)).map(|(_, name)| *name)
}

/// A folded value as people read it: holes as `*`, the runtime address as its variable.
pub(crate) fn show(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().take(160) {
        match c {
            HOLE => out.push('*'),
            RUNTIME_API => out.push_str("$AWS_LAMBDA_RUNTIME_API"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Permission bits of a mode written as a number or string (`0o755`, `0755`, `493`, `'755'`).
pub(crate) fn parse_mode(text: &str) -> Option<u32> {
    let t = text.trim().trim_matches(['\'', '"']).replace('_', "");
    let t = t.trim_end_matches(['L', 'l', 'u', 'U']);
    if let Some(o) = t.strip_prefix("0o").or_else(|| t.strip_prefix("0O")) {
        return u32::from_str_radix(o, 8).ok();
    }
    if let Some(x) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        return u32::from_str_radix(x, 16).ok();
    }
    if t.len() > 1 && t.starts_with('0') {
        return u32::from_str_radix(&t[1..], 8).ok();
    }
    // Strings given to `fs.chmod` are octal; so are bare 3–4 digit numbers only in shell.
    if text.trim().starts_with(['\'', '"']) {
        return u32::from_str_radix(t, 8).ok();
    }
    t.parse().ok()
}

/// A `chmod` mode argument that grants execute: `+x`, `u+x`, `755`, `a=rx`.
pub(crate) fn shell_mode_executes(mode: &str) -> bool {
    if mode.chars().all(|c| c.is_ascii_digit()) && !mode.is_empty() {
        return u32::from_str_radix(mode, 8).is_ok_and(|m| m & 0o111 != 0);
    }
    mode.contains(['+', '=']) && mode.split(['+', '=']).skip(1).any(|perm| perm.contains('x'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tmp_paths() {
        assert!(is_tmp("/tmp"));
        assert!(is_tmp("/tmp/bin/tool"));
        assert!(is_tmp("file:///tmp/x"));
        assert!(is_tmp("/dev/shm/x"));
        assert!(!is_tmp("/tmpfoo"));
        assert!(!is_tmp("/var/task/tmp/x"));
        assert!(!is_tmp("tmp/x"));
    }

    #[test]
    fn proc_reads() {
        assert_eq!(proc_read("/proc/self/environ"), Some(ProcRead::Environ));
        assert_eq!(proc_read("/proc/1/environ"), Some(ProcRead::Environ));
        assert_eq!(proc_read("/proc/*/environ"), Some(ProcRead::Environ));
        assert_eq!(proc_read(&format!("/proc/{HOLE}/environ")), Some(ProcRead::Environ));
        assert_eq!(proc_read("/proc/self/task/12/environ"), Some(ProcRead::Environ));
        assert_eq!(proc_read("/proc/1/maps"), Some(ProcRead::Memory));
        assert_eq!(proc_read(&format!("/proc/{HOLE}/mem")), Some(ProcRead::Memory));
        assert_eq!(proc_read("/proc/self/maps"), None);
        assert_eq!(proc_read("/proc/cpuinfo"), None);
        assert_eq!(proc_read("/proc/meminfo"), None);
        assert_eq!(proc_read("/etc/environment"), None);
        assert_eq!(proc_read("never read /proc/self/environ"), None);
        assert_eq!(proc_read("/proc/self/environment"), None);
    }

    #[test]
    fn apis() {
        assert_eq!(lambda_api("http://127.0.0.1:9001/2018-06-01/runtime/invocation/next"), Some("Runtime API"));
        assert_eq!(lambda_api("/2020-01-01/extension/register"), Some("Extensions API"));
        assert_eq!(lambda_api("/2018-06-01/orders"), None);
    }

    #[test]
    fn modes() {
        assert_eq!(parse_mode("0o755"), Some(0o755));
        assert_eq!(parse_mode("0755"), Some(0o755));
        assert_eq!(parse_mode("493"), Some(0o755));
        assert_eq!(parse_mode("'755'"), Some(0o755));
        assert_eq!(parse_mode("0o644"), Some(0o644));
        assert!(shell_mode_executes("+x"));
        assert!(shell_mode_executes("u+rwx"));
        assert!(shell_mode_executes("755"));
        assert!(!shell_mode_executes("644"));
        assert!(!shell_mode_executes("u-x"));
        assert!(!shell_mode_executes("go-rwx"));
    }
}
