/* The wire format between the probes and userspace. `src/wire.rs` mirrors it; a test there
 * checks the sizes agree. */
#ifndef FNW_SENSOR_H
#define FNW_SENSOR_H

#define FNW_STR 256
#define FNW_LPM_DATA 128
#define FNW_NAME 32

/* What a record reports. */
enum fnw_kind {
	K_EXEC = 1,
	K_FORK = 2,
	K_EXIT = 3,
	K_OPEN = 4,
	K_CONNECT = 5,
	K_PTRACE = 6,      /* ptrace, process_vm_readv/writev: nr, request, target */
	K_MODULE = 7,      /* init_module, finit_module */
	K_BPF = 8,
	K_KILL = 9,        /* kill, tkill, tgkill: target and signal */
	K_SYSCALL = 10,    /* any other traced syscall: nr and the first four arguments */
};

/* Where a counter was taken: one per program. */
enum fnw_hook {
	H_EXEC, H_FORK, H_EXIT, H_OPEN, H_CONNECT, H_PTRACE, H_MODULE, H_BPF, H_KILL, H_SYSCALL,
	H_LSM, H_HOOKS
};

/* Per hook: how many times it ran, how many it filtered and why, how many it delivered. */
enum fnw_stat {
	S_SEEN, S_UNMONITORED, S_PREFILTERED, S_EMITTED, S_RESERVE_FAILED, S_SHED, S_RELATIVE,
	S_STATS
};

/* Escape primitives the probes can stop before the syscall completes. */
enum fnw_guard {
	G_NONE = 0,
	G_ESCAPE_FILE = 1,  /* writing release_agent, core_pattern, uevent_helper, modprobe … */
	G_MODULE = 2,       /* loading a kernel module */
	G_PTRACE = 3,       /* ptrace or process_vm_* against PID 1 or a protected process */
	G_BPF = 4,          /* bpf() from a monitored process */
	G_KILL = 5,         /* a signal to a protected process (the monitor, a runtime) */
	G_TAMPER = 6,       /* writing the monitor's own files */
	G_GUARDS = 7
};

/* A guard's mode, set from userspace. */
enum fnw_mode {
	M_OFF = 0,       /* no event beyond what the rules ask for */
	M_MONITOR = 1,   /* report */
	M_DRY_RUN = 2,   /* report what enforcement would have done */
	M_DENY = 3,      /* fail the call with -EPERM */
	M_KILL = 4,      /* fail the call and SIGKILL the caller */
};

/* What was done. */
enum fnw_action {
	A_NONE = 0, A_DENIED = 1, A_KILLED = 2, A_WOULD_DENY = 3, A_WOULD_KILL = 4
};

/* Bits of an open-prefix entry. */
#define P_ANY 1        /* report any open under the prefix */
#define P_WRITE 2      /* report opens for writing */
#define P_PROTECT 4    /* the monitor's own files: tamper guard */

/* Config slots. */
enum fnw_config {
	C_SHED_BYTES = 0,   /* shed low-priority records once this much is unread; 0 = never */
	C_CONNECT_ALL = 1,  /* report every inet connect, not only listed ports */
	C_OPEN_ALL = 2,     /* report every open (a rule needs opens no prefix bounds) */
	C_SELF_TGID = 3,    /* the monitor's own process */
	C_LSM = 4,          /* the LSM programs are attached: guards in deny mode fail the call */
	C_NAMES = 5,        /* some file names are wanted: look every opened name up */
	C_SUFFIXES = 6,     /* some path suffixes are wanted: look the reversed path up */
	C_COMPONENTS = 7,   /* some directory names are wanted anywhere in the path */
	C_WAKE_BYTES = 8,   /* wake the reader once this much is unread (else it polls) */
	C_CONFIGS = 16
};

struct fnw_event {
	__u64 ts_ns;        /* CLOCK_MONOTONIC */
	__u64 cgroup;
	__u32 kind;
	__u32 pid;          /* tgid */
	__u32 tid;
	__u32 ppid;
	__u32 uid;
	__u32 flags;        /* open flags, clone flags, signal, mode … */
	__u32 guard;
	__u32 action;
	__u32 target;       /* the targeted process (tgid), if any */
	__u32 nr;           /* syscall number, when known */
	__u32 low;          /* sheddable under overload: fork, exit, an open passed up unjudged */
	__u32 pad;
	__s64 ret;          /* exit code for K_EXIT */
	__u64 args[4];
	__u16 family;
	__u16 port;
	__u16 len0;
	__u16 len1;
	__u8 addr[16];
	char comm[16];
	char str0[FNW_STR]; /* path, file name */
	char str1[FNW_STR]; /* argv (NUL-separated), second path */
};

struct fnw_lpm_key {
	__u32 prefixlen;
	char data[FNW_LPM_DATA];
};

/* A file-name entry: the guard in the low byte, P_* bits above it. */
#define NAME_GUARD(v) ((v) & 0xff)
#define NAME_BITS(v) ((v) >> 8)

struct fnw_name_key {
	char name[FNW_NAME];
};

#endif
