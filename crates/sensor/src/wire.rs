//! The records the probes send, and the numbers they share with userspace. Mirrors
//! `bpf/sensor.h`; `RECORD_SIZE` is checked against the object's ring buffer records.

/// Bytes of each string slot of a record.
pub const STR: usize = 256;
/// Bytes of path an open-prefix key holds; longer prefixes are cut (a shorter prefix only lets
/// more through).
pub const LPM_DATA: usize = 128;
/// Bytes of a guarded file name key.
pub const NAME: usize = 32;

pub mod kind {
    pub const EXEC: u32 = 1;
    pub const FORK: u32 = 2;
    pub const EXIT: u32 = 3;
    pub const OPEN: u32 = 4;
    pub const CONNECT: u32 = 5;
    pub const PTRACE: u32 = 6;
    pub const MODULE: u32 = 7;
    pub const BPF: u32 = 8;
    pub const KILL: u32 = 9;
    pub const SYSCALL: u32 = 10;
}

/// The programs' counter rows (`enum fnw_hook`).
pub const HOOKS: &[&str] = &["exec", "fork", "exit", "open", "connect", "ptrace", "module", "bpf", "kill", "syscall", "lsm"];
/// The columns of a counter row (`enum fnw_stat`).
pub const STATS: &[&str] = &["seen", "unmonitored", "prefiltered", "emitted", "reserve_failed", "shed", "relative"];

pub mod stat {
    pub const SEEN: usize = 0;
    pub const UNMONITORED: usize = 1;
    pub const PREFILTERED: usize = 2;
    pub const EMITTED: usize = 3;
    pub const RESERVE_FAILED: usize = 4;
    pub const SHED: usize = 5;
}

pub mod config {
    pub const SHED_BYTES: u32 = 0;
    pub const CONNECT_ALL: u32 = 1;
    pub const OPEN_ALL: u32 = 2;
    pub const SELF_TGID: u32 = 3;
    pub const LSM: u32 = 4;
    pub const NAMES: u32 = 5;
    pub const SUFFIXES: u32 = 6;
    pub const COMPONENTS: u32 = 7;
    pub const WAKE_BYTES: u32 = 8;
}

/// Bits of an open-prefix entry.
pub mod prefix {
    pub const ANY: u32 = 1;
    pub const WRITE: u32 = 2;
    pub const PROTECT: u32 = 4;
}

pub mod action {
    pub const NONE: u32 = 0;
    pub const DENIED: u32 = 1;
    pub const KILLED: u32 = 2;
    pub const WOULD_DENY: u32 = 3;
    pub const WOULD_KILL: u32 = 4;
}

/// One record, as the probes lay it out.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Record {
    pub ts_ns: u64,
    pub cgroup: u64,
    pub kind: u32,
    pub pid: u32,
    pub tid: u32,
    pub ppid: u32,
    pub uid: u32,
    pub flags: u32,
    pub guard: u32,
    pub action: u32,
    pub target: u32,
    pub nr: u32,
    pub low: u32,
    pub pad: u32,
    pub ret: i64,
    pub args: [u64; 4],
    pub family: u16,
    pub port: u16,
    pub len0: u16,
    pub len1: u16,
    pub addr: [u8; 16],
    pub comm: [u8; 16],
    pub str0: [u8; STR],
    pub str1: [u8; STR],
}

pub const RECORD_SIZE: usize = std::mem::size_of::<Record>();

impl Record {
    /// Reads a record from ring-buffer bytes; `None` when the size is not a record's.
    pub fn from_bytes(b: &[u8]) -> Option<Record> {
        if b.len() != RECORD_SIZE {
            return None;
        }
        // SAFETY: the length matches and every bit pattern is a valid `Record` (plain integers
        // and byte arrays); read_unaligned copies without assuming alignment.
        Some(unsafe { std::ptr::read_unaligned(b.as_ptr().cast::<Record>()) })
    }

    pub fn comm(&self) -> String {
        c_str(&self.comm)
    }

    /// The first string slot: up to its NUL, lossy UTF-8 (the function chose these bytes).
    pub fn str0(&self) -> String {
        c_str(&self.str0[..usize::from(self.len0).min(STR)])
    }

    pub fn str1(&self) -> String {
        c_str(&self.str1[..usize::from(self.len1).min(STR)])
    }

    /// The second slot as NUL-separated strings (argv).
    pub fn str1_list(&self) -> Vec<String> {
        let b = &self.str1[..usize::from(self.len1).min(STR)];
        b.split(|c| *c == 0).filter(|s| !s.is_empty()).map(|s| String::from_utf8_lossy(s).into_owned()).collect()
    }
}

fn c_str(b: &[u8]) -> String {
    let end = b.iter().position(|c| *c == 0).unwrap_or(b.len());
    String::from_utf8_lossy(&b[..end]).into_owned()
}

/// An open-prefix key: the prefix length in bits, then the bytes.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct PathKey {
    pub data: [u8; LPM_DATA],
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct NameKey {
    pub name: [u8; NAME],
}

// SAFETY: plain `repr(C)` data without padding that the kernel reads and writes as bytes.
unsafe impl aya::Pod for Record {}
unsafe impl aya::Pod for PathKey {}
unsafe impl aya::Pod for NameKey {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_size_matches_the_probes_layout() {
        // sizeof(struct fnw_event): 144 bytes of header, two 256-byte strings.
        assert_eq!(RECORD_SIZE, 656);
    }

    #[test]
    fn short_or_long_bytes_are_not_a_record() {
        assert!(Record::from_bytes(&[0u8; 10]).is_none());
        assert!(Record::from_bytes(&[0u8; RECORD_SIZE + 1]).is_none());
        assert!(Record::from_bytes(&[0u8; RECORD_SIZE]).is_some());
    }

    #[test]
    fn strings_stop_at_nul_and_length_and_tolerate_bad_utf8() {
        let mut r = Record::from_bytes(&[0u8; RECORD_SIZE]).unwrap();
        r.str0[..5].copy_from_slice(b"/a\xffb\0");
        r.len0 = 5;
        assert_eq!(r.str0(), "/a\u{fffd}b");
        r.str1[..9].copy_from_slice(b"sh\0-c\0id\0");
        r.len1 = 9;
        assert_eq!(r.str1_list(), ["sh", "-c", "id"]);
        r.len1 = 300;
        assert_eq!(r.str1_list(), ["sh", "-c", "id"]);
    }
}
