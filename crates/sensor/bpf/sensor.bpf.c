// SPDX-License-Identifier: GPL-2.0
/* fnwarden's kernel sensor. Only processes of monitored functions produce records: a process
 * is monitored when its cgroup is selected or its parent was (inheritance on fork). Opens and
 * connects pass per-rule prefilters first. Guards kill the caller at syscall entry, so it never
 * returns from the call; where the BPF LSM accepts programs, they also fail it with -EPERM.
 * Every program counts what it saw, filtered, delivered and lost. */
#include "vmlinux_min.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "sensor.h"

char LICENSE[] SEC("license") = "GPL";

#define EPERM 1
#define SIGKILL 9
#define FMODE_WRITE 0x2
#define AF_INET 2
#define AF_INET6 10
#define PTRACE_MODE_ATTACH 0x02

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} fnw_events SEC(".maps");

/* Selected cgroups (cgroup v2 id) → selection number. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u32);
} fnw_cgroups SEC(".maps");

/* Monitored processes (tgid) → selection number; children inherit on fork. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u32);
} fnw_tracked SEC(".maps");

/* Processes the guards protect (the monitor, runtimes) → why. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u32);
} fnw_protected SEC(".maps");

/* Path prefixes the rules care about → P_* bits. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 4096);
	__type(key, struct fnw_lpm_key);
	__type(value, __u32);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} fnw_prefixes SEC(".maps");

/* Path suffixes the rules care about, stored reversed (an LPM on the reversed path is a
 * longest-suffix match) → P_* bits. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1024);
	__type(key, struct fnw_lpm_key);
	__type(value, __u32);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} fnw_suffixes SEC(".maps");

/* Directory names wanted wherever they appear in a path (`/.ssh/`, `/.aws/`) → P_* bits. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, struct fnw_name_key);
	__type(value, __u32);
} fnw_components SEC(".maps");

/* File names: whose write-open is an escape primitive (guard), or whose opens a rule wants. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct fnw_name_key);
	__type(value, __u32);
} fnw_names SEC(".maps");

/* Destination ports the rules care about. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u16);
	__type(value, __u8);
} fnw_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, G_GUARDS);
	__type(key, __u32);
	__type(value, __u32);
} fnw_modes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, C_CONFIGS);
	__type(key, __u32);
	__type(value, __u64);
} fnw_config SEC(".maps");

struct stats_row {
	__u64 c[S_STATS];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, H_HOOKS);
	__type(key, __u32);
	__type(value, struct stats_row);
} fnw_stats SEC(".maps");

/* Scratch for building a path and its LPM key off the 512-byte stack. */
struct scratch {
	struct fnw_lpm_key key;
	char path[FNW_STR];
	struct fnw_name_key name;
	struct fnw_name_key comp;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} fnw_scratch SEC(".maps");

static __always_inline struct stats_row *row(__u32 hook)
{
	return bpf_map_lookup_elem(&fnw_stats, &hook);
}

static __always_inline void count(struct stats_row *r, __u32 s)
{
	if (r && s < S_STATS)
		r->c[s]++;
}

static __always_inline __u64 cfg(__u32 slot)
{
	__u64 *v = bpf_map_lookup_elem(&fnw_config, &slot);
	return v ? *v : 0;
}

static __always_inline __u32 guard_mode(__u32 g)
{
	__u32 *m = bpf_map_lookup_elem(&fnw_modes, &g);
	return m ? *m : M_OFF;
}

/* Whether the current process belongs to a monitored function. */
static __always_inline bool monitored(__u32 tgid)
{
	if (bpf_map_lookup_elem(&fnw_tracked, &tgid))
		return true;
	__u64 cg = bpf_get_current_cgroup_id();
	return bpf_map_lookup_elem(&fnw_cgroups, &cg) != 0;
}

/* Low-priority records give way when the buffer fills past the configured mark. */
static __always_inline bool shed(struct stats_row *r)
{
	__u64 mark = cfg(C_SHED_BYTES);
	if (mark && bpf_ringbuf_query(&fnw_events, BPF_RB_AVAIL_DATA) > mark) {
		count(r, S_SHED);
		return true;
	}
	return false;
}

static __always_inline struct fnw_event *reserve(struct stats_row *r, __u32 kind)
{
	struct fnw_event *e = bpf_ringbuf_reserve(&fnw_events, sizeof(*e), 0);
	if (!e) {
		count(r, S_RESERVE_FAILED);
		return 0;
	}
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	__u64 id = bpf_get_current_pid_tgid();
	e->ts_ns = bpf_ktime_get_ns();
	e->cgroup = bpf_get_current_cgroup_id();
	e->kind = kind;
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->ppid = BPF_CORE_READ(t, real_parent, tgid);
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->flags = 0;
	e->guard = G_NONE;
	e->action = A_NONE;
	e->target = 0;
	e->nr = 0;
	e->low = 0;
	e->pad = 0;
	e->ret = 0;
	e->args[0] = e->args[1] = e->args[2] = e->args[3] = 0;
	e->family = 0;
	e->port = 0;
	e->len0 = 0;
	e->len1 = 0;
	__builtin_memset(e->addr, 0, sizeof(e->addr));
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	e->str0[0] = 0;
	e->str1[0] = 0;
	return e;
}

/* Waking the reader for every record costs more than the record (a wake-up traps to the
 * hypervisor in a microVM): records wait for the reader's next poll (10 ms) unless a guard acted
 * or the unread data passed the wake mark. */
static __always_inline void submit(struct stats_row *r, struct fnw_event *e)
{
	__u64 flags = BPF_RB_NO_WAKEUP;
	if (e->guard != G_NONE || bpf_ringbuf_query(&fnw_events, BPF_RB_AVAIL_DATA) >= cfg(C_WAKE_BYTES))
		flags = 0;
	bpf_ringbuf_submit(e, flags);
	count(r, S_EMITTED);
}

/* The counter row of `hook` for a call by a monitored process; NULL (and counted) for any
 * other process. */
static __always_inline struct stats_row *enter(__u32 hook)
{
	struct stats_row *r = row(hook);
	count(r, S_SEEN);
	if (!monitored(bpf_get_current_pid_tgid() >> 32)) {
		count(r, S_UNMONITORED);
		return 0;
	}
	return r;
}

/* Applies a guard's mode at syscall entry and returns the action to report. A tracepoint
 * cannot fail the call: deny is done by the LSM programs when attached, else it becomes a kill
 * so that the caller never returns to use what the call gave it. */
static __always_inline __u32 enforce(__u32 mode)
{
	switch (mode) {
	case M_DRY_RUN:
		return A_WOULD_KILL;
	case M_DENY:
		if (cfg(C_LSM))
			return A_DENIED;
		bpf_send_signal(SIGKILL);
		return A_KILLED;
	case M_KILL:
		bpf_send_signal(SIGKILL);
		return A_KILLED;
	default:
		return A_NONE;
	}
}

/* ---- process lifecycle ---- */

SEC("tp_btf/sched_process_exec")
int BPF_PROG(fnw_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct stats_row *r = row(H_EXEC);
	count(r, S_SEEN);
	__u32 tgid = BPF_CORE_READ(p, tgid);
	if (!monitored(tgid)) {
		count(r, S_UNMONITORED);
		return 0;
	}
	__u32 sel = 1;
	bpf_map_update_elem(&fnw_tracked, &tgid, &sel, BPF_NOEXIST);
	struct fnw_event *e = reserve(r, K_EXEC);
	if (!e)
		return 0;
	const char *filename = BPF_CORE_READ(bprm, filename);
	long n = bpf_probe_read_kernel_str(e->str0, sizeof(e->str0), filename);
	e->len0 = n > 0 ? n : 0;
	struct mm_struct *mm = BPF_CORE_READ(p, mm);
	unsigned long start = BPF_CORE_READ(mm, arg_start);
	unsigned long end = BPF_CORE_READ(mm, arg_end);
	__u32 len = end > start ? end - start : 0;
	if (len > FNW_STR - 1)
		len = FNW_STR - 1;
	len &= FNW_STR - 1; /* for the verifier */
	if (len > 0 && bpf_probe_read_user(e->str1, len, (void *)start) == 0)
		e->len1 = len;
	submit(r, e);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(fnw_fork, struct task_struct *parent, struct task_struct *child)
{
	struct stats_row *r = row(H_FORK);
	count(r, S_SEEN);
	__u32 ptgid = BPF_CORE_READ(parent, tgid);
	__u32 ctgid = BPF_CORE_READ(child, tgid);
	__u32 *sel = bpf_map_lookup_elem(&fnw_tracked, &ptgid);
	__u32 one = 1;
	if (!sel) {
		__u64 cg = bpf_get_current_cgroup_id();
		sel = bpf_map_lookup_elem(&fnw_cgroups, &cg);
		if (!sel) {
			count(r, S_UNMONITORED);
			return 0;
		}
	}
	/* New threads share the tgid: only a new process is tracked and reported. */
	if (ctgid == ptgid) {
		count(r, S_PREFILTERED);
		return 0;
	}
	bpf_map_update_elem(&fnw_tracked, &ctgid, sel ? sel : &one, BPF_ANY);
	if (shed(r))
		return 0;
	struct fnw_event *e = reserve(r, K_FORK);
	if (!e)
		return 0;
	e->target = ctgid;
	e->low = 1;
	BPF_CORE_READ_STR_INTO(&e->str0, child, comm);
	submit(r, e);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(fnw_exit, struct task_struct *p)
{
	struct stats_row *r = row(H_EXIT);
	count(r, S_SEEN);
	__u32 pid = BPF_CORE_READ(p, pid);
	__u32 tgid = BPF_CORE_READ(p, tgid);
	if (!bpf_map_lookup_elem(&fnw_tracked, &tgid)) {
		count(r, S_UNMONITORED);
		return 0;
	}
	if (pid != tgid) {
		count(r, S_PREFILTERED);
		return 0;
	}
	bpf_map_delete_elem(&fnw_tracked, &tgid);
	if (shed(r))
		return 0;
	struct fnw_event *e = reserve(r, K_EXIT);
	if (!e)
		return 0;
	e->low = 1;
	e->ret = BPF_CORE_READ(p, exit_code) >> 8;
	submit(r, e);
	return 0;
}

/* ---- files ---- */

#define O_WRONLY 01
#define O_RDWR 02
#define O_CREAT 0100
#define O_TRUNC 01000

/* Looks the file name (after the last '/') up among the listed names: its entry, or 0. */
static __always_inline __u32 name_entry(struct scratch *s, long n)
{
	__u32 start = 0;
	/* Only the last 64 bytes are searched: guarded names are short. */
	for (int i = 1; i <= 64; i++) {
		long at = n - 1 - i;
		if (at < 0)
			break;
		if (s->path[at & (FNW_STR - 1)] == '/') {
			start = at + 1;
			break;
		}
	}
	__builtin_memset(&s->name, 0, sizeof(s->name));
	__u32 len = n - 1 - start;
	if (len == 0 || len >= FNW_NAME)
		return 0;
	bpf_probe_read_kernel(s->name.name, len & (FNW_NAME - 1), &s->path[start & (FNW_STR - 1)]);
	__u32 *g = bpf_map_lookup_elem(&fnw_names, &s->name);
	return g ? *g : 0;
}

/* The longest listed suffix of the path: its bits, or 0. */
static __always_inline __u32 suffix_bits(struct scratch *s, long n)
{
	long len = n - 1; /* without the NUL */
	for (int i = 0; i < FNW_LPM_DATA; i++) {
		long at = len - 1 - i;
		s->key.data[i] = at >= 0 ? s->path[at & (FNW_STR - 1)] : 0;
	}
	s->key.prefixlen = (len < FNW_LPM_DATA ? len : FNW_LPM_DATA) * 8;
	__u32 *bits = bpf_map_lookup_elem(&fnw_suffixes, &s->key);
	return bits ? *bits : 0;
}

/* The bits of every listed directory name among the path's components (not the last). One
 * bpf_loop step per byte: the verifier checks the step once instead of every path through a
 * 256-byte loop. */
struct comp_walk {
	struct scratch *s;
	long n;
	int start;
	__u32 out;
};

static long comp_step(__u32 i, struct comp_walk *w)
{
	if (i == 0)
		return 0;
	if ((long)i >= w->n - 1)
		return 1;
	struct scratch *s = w->s;
	if (s->path[i & (FNW_STR - 1)] != '/')
		return 0;
	__u32 len = i - (__u32)w->start;
	if (w->start > 0 && len > 0 && len < FNW_NAME) {
		/* A fixed-size copy, then the bytes past the name cleared: a variable size loses the
		 * verifier's bounds here. */
		bpf_probe_read_kernel(s->comp.name, FNW_NAME, &s->path[w->start & (FNW_STR - 1)]);
		for (int j = 0; j < FNW_NAME; j++)
			if ((__u32)j >= len)
				s->comp.name[j] = 0;
		__u32 *bits = bpf_map_lookup_elem(&fnw_components, &s->comp);
		if (bits)
			w->out |= *bits;
	}
	w->start = i + 1;
	return 0;
}

static __always_inline __u32 component_bits(struct scratch *s, long n)
{
	struct comp_walk w = { .s = s, .n = n, .start = 1, .out = 0 };
	bpf_loop(FNW_STR, comp_step, &w, 0);
	return w.out;
}

/* Whether an absolute path has `//`, `/./` or `/../` in it: its prefix is not where it leads,
 * so userspace judges it after resolving. */
static __always_inline bool unnormalised(struct scratch *s, long n)
{
	for (int i = 0; i < FNW_STR - 3; i++) {
		if (i + 1 >= n)
			break;
		if (s->path[i] != '/')
			continue;
		char d = s->path[i + 1];
		if (d == '/')
			return true;
		if (d != '.')
			continue;
		char e = s->path[i + 2];
		if (e == '/' || e == 0)
			return true;
		if (e == '.' && (s->path[i + 3] == '/' || s->path[i + 3] == 0))
			return true;
	}
	return false;
}

static __always_inline int on_open(struct syscall_enter_ctx *ctx, const char *upath, __u32 flags)
{
	struct stats_row *r = enter(H_OPEN);
	if (!r)
		return 0;
	__u32 zero = 0;
	struct scratch *s = bpf_map_lookup_elem(&fnw_scratch, &zero);
	if (!s)
		return 0;
	long n = bpf_probe_read_user_str(s->path, sizeof(s->path), upath);
	if (n <= 0)
		return 0;
	bool writing = (flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC)) != 0;
	__u32 entry = (writing || cfg(C_NAMES)) ? name_entry(s, n) : 0;
	__u32 guard = writing ? NAME_GUARD(entry) : G_NONE;
	/* A relative or unnormalised path cannot be judged here: userspace resolves it. */
	bool relative = s->path[0] != '/' || unnormalised(s, n);
	__u32 b = 0;
	if (!relative) {
		bpf_probe_read_kernel(s->key.data, sizeof(s->key.data), s->path);
		s->key.prefixlen = FNW_LPM_DATA * 8;
		__u32 *bits = bpf_map_lookup_elem(&fnw_prefixes, &s->key);
		b = bits ? *bits : 0;
		if (writing && (b & P_PROTECT) && guard == G_NONE)
			guard = G_TAMPER;
	}
	__u32 mode = guard ? guard_mode(guard) : M_OFF;
	b |= NAME_BITS(entry);
	if (!relative && !(b & P_ANY) && cfg(C_SUFFIXES))
		b |= suffix_bits(s, n);
	if (!relative && !(b & P_ANY) && cfg(C_COMPONENTS))
		b |= component_bits(s, n);
	bool wanted = relative || (b & P_ANY) || (writing && (b & P_WRITE)) || mode != M_OFF ||
		      cfg(C_OPEN_ALL);
	if (!wanted) {
		count(r, S_PREFILTERED);
		return 0;
	}
	if (relative)
		count(r, S_RELATIVE);
	__u32 action = enforce(mode);
	/* What crossed only to be resolved goes first under overload; what a rule asked for by
	 * path, or a guard caught, stays. */
	bool low = mode == M_OFF && !((b & P_ANY) || (writing && (b & P_WRITE)) || cfg(C_OPEN_ALL));
	if (low && shed(r))
		return 0;
	struct fnw_event *e = reserve(r, K_OPEN);
	if (!e)
		return 0;
	e->low = low;
	e->nr = ctx->nr;
	e->flags = flags;
	e->guard = mode != M_OFF ? guard : G_NONE;
	e->action = action;
	e->args[0] = ctx->args[0];
	bpf_probe_read_kernel(e->str0, sizeof(e->str0), s->path);
	e->len0 = n;
	submit(r, e);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int fnw_openat(struct syscall_enter_ctx *ctx)
{
	return on_open(ctx, (const char *)ctx->args[1], ctx->args[2]);
}

SEC("tracepoint/syscalls/sys_enter_open")
int fnw_open(struct syscall_enter_ctx *ctx)
{
	return on_open(ctx, (const char *)ctx->args[0], ctx->args[1]);
}

SEC("tracepoint/syscalls/sys_enter_creat")
int fnw_creat(struct syscall_enter_ctx *ctx)
{
	return on_open(ctx, (const char *)ctx->args[0], O_CREAT | O_WRONLY | O_TRUNC);
}

SEC("tracepoint/syscalls/sys_enter_openat2")
int fnw_openat2(struct syscall_enter_ctx *ctx)
{
	__u64 how_flags = 0;
	bpf_probe_read_user(&how_flags, sizeof(how_flags), (void *)ctx->args[2]);
	return on_open(ctx, (const char *)ctx->args[1], (__u32)how_flags);
}

/* ---- network ---- */

/* The socket type (stream, datagram) behind descriptor `fd` of the current process. */
static __always_inline __u32 socket_type(__u32 fd)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	struct files_struct *files = BPF_CORE_READ(t, files);
	struct fdtable *fdt = BPF_CORE_READ(files, fdt);
	if (fd >= BPF_CORE_READ(fdt, max_fds))
		return 0;
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *f = 0;
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	if (!f)
		return 0;
	struct socket *sock = BPF_CORE_READ(f, private_data);
	return BPF_CORE_READ(sock, type);
}

SEC("tracepoint/syscalls/sys_enter_connect")
int fnw_connect(struct syscall_enter_ctx *ctx)
{
	struct stats_row *r = enter(H_CONNECT);
	if (!r)
		return 0;
	struct sockaddr_in6 sa = {};
	bpf_probe_read_user(&sa, sizeof(sa), (void *)ctx->args[1]);
	__u16 family = sa.sin6_family;
	if (family != AF_INET && family != AF_INET6) {
		count(r, S_PREFILTERED);
		return 0;
	}
	__u16 port = __builtin_bswap16(sa.sin6_port);
	if (!cfg(C_CONNECT_ALL) && !bpf_map_lookup_elem(&fnw_ports, &port)) {
		count(r, S_PREFILTERED);
		return 0;
	}
	struct fnw_event *e = reserve(r, K_CONNECT);
	if (!e)
		return 0;
	e->nr = ctx->nr;
	e->family = family;
	e->port = port;
	e->args[0] = ctx->args[0];
	e->flags = socket_type(ctx->args[0]);
	if (family == AF_INET)
		__builtin_memcpy(e->addr, &((struct sockaddr_in *)&sa)->sin_addr, 4);
	else
		__builtin_memcpy(e->addr, &sa.sin6_addr, 16);
	submit(r, e);
	return 0;
}

/* ---- other processes ---- */

#define PTRACE_POKETEXT 4
#define PTRACE_POKEDATA 5
#define PTRACE_POKEUSR 6
#define PTRACE_SETREGS 13
#define PTRACE_ATTACH 16
#define PTRACE_SEIZE 0x4206

static __always_inline bool protected_target(__u32 pid)
{
	/* The argument is in the caller's pid namespace: 1 is its init, whichever it is. */
	return pid == 1 || bpf_map_lookup_elem(&fnw_protected, &pid) != 0;
}

/* The host tgid of the caller's pid-namespace init (PID 1 as the caller sees it). */
static __always_inline __u32 own_init(void)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	struct pid *p = BPF_CORE_READ(t, thread_pid);
	unsigned int level = BPF_CORE_READ(p, level);
	struct upid up = {};
	/* numbers[] is indexed by namespace level; struct upid is {int, pointer} on every ABI. */
	bpf_probe_read_kernel(&up, sizeof(up), (char *)__builtin_preserve_access_index(&p->numbers[0]) + (level & 31) * sizeof(struct upid));
	struct task_struct *reaper = BPF_CORE_READ(up.ns, child_reaper);
	return BPF_CORE_READ(reaper, tgid);
}

static __always_inline int on_process_access(struct syscall_enter_ctx *ctx, __u32 target, __u64 request, bool intrusive)
{
	struct stats_row *r = enter(H_PTRACE);
	if (!r)
		return 0;
	__u32 mode = intrusive && protected_target(target) ? guard_mode(G_PTRACE) : M_OFF;
	__u32 action = enforce(mode);
	struct fnw_event *e = reserve(r, K_PTRACE);
	if (!e)
		return 0;
	e->nr = ctx->nr;
	e->target = target;
	e->args[0] = request;
	/* The target as the host knows it, where that is cheap to tell (its own init). */
	e->args[1] = target == 1 ? own_init() : 0;
	e->guard = mode != M_OFF ? G_PTRACE : G_NONE;
	e->action = action;
	submit(r, e);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_ptrace")
int fnw_ptrace(struct syscall_enter_ctx *ctx)
{
	__u64 req = ctx->args[0];
	bool intrusive = req == PTRACE_ATTACH || req == PTRACE_SEIZE || req == PTRACE_POKETEXT ||
			 req == PTRACE_POKEDATA || req == PTRACE_POKEUSR || req == PTRACE_SETREGS;
	return on_process_access(ctx, ctx->args[1], req, intrusive);
}

SEC("tracepoint/syscalls/sys_enter_process_vm_writev")
int fnw_vm_writev(struct syscall_enter_ctx *ctx)
{
	return on_process_access(ctx, ctx->args[0], 0, true);
}

SEC("tracepoint/syscalls/sys_enter_process_vm_readv")
int fnw_vm_readv(struct syscall_enter_ctx *ctx)
{
	return on_process_access(ctx, ctx->args[0], 0, false);
}

/* A call that is a guard by itself (module loading, bpf()): reported with its first two
 * arguments, whatever the rules, once the guard is on. */
static __always_inline int on_guarded(struct syscall_enter_ctx *ctx, __u32 hook, __u32 kind, __u32 guard)
{
	struct stats_row *r = enter(hook);
	if (!r)
		return 0;
	__u32 mode = guard_mode(guard);
	__u32 action = enforce(mode);
	struct fnw_event *e = reserve(r, kind);
	if (!e)
		return 0;
	e->nr = ctx->nr;
	e->args[0] = ctx->args[0];
	e->args[1] = ctx->args[1];
	e->guard = mode != M_OFF ? guard : G_NONE;
	e->action = action;
	submit(r, e);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_init_module")
int fnw_init_module(struct syscall_enter_ctx *ctx)
{
	return on_guarded(ctx, H_MODULE, K_MODULE, G_MODULE);
}

SEC("tracepoint/syscalls/sys_enter_finit_module")
int fnw_finit_module(struct syscall_enter_ctx *ctx)
{
	return on_guarded(ctx, H_MODULE, K_MODULE, G_MODULE);
}

SEC("tracepoint/syscalls/sys_enter_bpf")
int fnw_bpf(struct syscall_enter_ctx *ctx)
{
	return on_guarded(ctx, H_BPF, K_BPF, G_BPF);
}

/* Signals: only those to other processes are reported; those to a protected process (the
 * monitor) are a guard. A tracepoint cannot stop the signal: that takes the LSM, or the monitor
 * living where the function's credentials cannot signal it. */
static __always_inline int on_signal(struct syscall_enter_ctx *ctx, __s64 target, __u32 sig)
{
	struct stats_row *r = enter(H_KILL);
	if (!r)
		return 0;
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	if (sig == 0 || target == tgid || target == 0) {
		count(r, S_PREFILTERED);
		return 0;
	}
	__u32 t = target > 0 ? target : 0;
	__u32 mode = t && bpf_map_lookup_elem(&fnw_protected, &t) ? guard_mode(G_KILL) : M_OFF;
	__u32 action = enforce(mode);
	struct fnw_event *e = reserve(r, K_KILL);
	if (!e)
		return 0;
	e->nr = ctx->nr;
	e->target = target;
	e->flags = sig;
	e->guard = mode != M_OFF ? G_KILL : G_NONE;
	e->action = action;
	submit(r, e);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_kill")
int fnw_sys_kill(struct syscall_enter_ctx *ctx)
{
	return on_signal(ctx, (__s64)(int)ctx->args[0], ctx->args[1]);
}

SEC("tracepoint/syscalls/sys_enter_tgkill")
int fnw_sys_tgkill(struct syscall_enter_ctx *ctx)
{
	return on_signal(ctx, (__s64)(int)ctx->args[0], ctx->args[2]);
}

SEC("tracepoint/syscalls/sys_enter_tkill")
int fnw_sys_tkill(struct syscall_enter_ctx *ctx)
{
	return on_signal(ctx, (__s64)(int)ctx->args[0], ctx->args[1]);
}

/* ---- syscalls reported with their raw arguments ---- */

/* A tracepoint's record holds only its syscall's arguments, and the kernel refuses to attach
 * a program that reads past it: `nargs` is how many this one has. */
static __always_inline int syscall_enter(struct syscall_enter_ctx *ctx, int nargs)
{
	struct stats_row *r = enter(H_SYSCALL);
	if (!r)
		return 0;
	struct fnw_event *e = reserve(r, K_SYSCALL);
	if (!e)
		return 0;
	e->nr = ctx->nr;
	if (nargs > 0)
		e->args[0] = ctx->args[0];
	if (nargs > 1)
		e->args[1] = ctx->args[1];
	if (nargs > 2)
		e->args[2] = ctx->args[2];
	if (nargs > 3)
		e->args[3] = ctx->args[3];
	submit(r, e);
	return 0;
}

/* mount(dev, dir, type, flags): the target directory and the type are worth reading. */
SEC("tracepoint/syscalls/sys_enter_mount")
int fnw_sys_mount(struct syscall_enter_ctx *ctx)
{
	struct stats_row *r = enter(H_SYSCALL);
	if (!r)
		return 0;
	struct fnw_event *e = reserve(r, K_SYSCALL);
	if (!e)
		return 0;
	e->nr = ctx->nr;
	e->args[3] = ctx->args[3];
	long a = bpf_probe_read_user_str(e->str0, sizeof(e->str0), (void *)ctx->args[1]);
	e->len0 = a > 0 ? a : 0;
	long b = bpf_probe_read_user_str(e->str1, sizeof(e->str1), (void *)ctx->args[2]);
	e->len1 = b > 0 ? b : 0;
	submit(r, e);
	return 0;
}

#define SYSCALL_PROBE(name, nargs)                               \
	SEC("tracepoint/syscalls/sys_enter_" #name)              \
	int fnw_sys_##name(struct syscall_enter_ctx *ctx)        \
	{                                                        \
		return syscall_enter(ctx, nargs);                \
	}

SYSCALL_PROBE(unshare, 1)
SYSCALL_PROBE(setns, 2)
SYSCALL_PROBE(memfd_create, 2)
SYSCALL_PROBE(userfaultfd, 1)
SYSCALL_PROBE(io_uring_setup, 2)
SYSCALL_PROBE(keyctl, 5)
SYSCALL_PROBE(perf_event_open, 5)
SYSCALL_PROBE(open_by_handle_at, 3)
SYSCALL_PROBE(delete_module, 2)
SYSCALL_PROBE(kexec_load, 4)
SYSCALL_PROBE(chroot, 1)
SYSCALL_PROBE(pivot_root, 2)
SYSCALL_PROBE(setuid, 1)
SYSCALL_PROBE(capset, 2)
SYSCALL_PROBE(umount, 2)
SYSCALL_PROBE(splice, 6)
SYSCALL_PROBE(socket, 3)
SYSCALL_PROBE(dup2, 2)
SYSCALL_PROBE(dup3, 3)

/* ---- BPF LSM: fails guarded calls with -EPERM where the kernel accepts LSM programs ---- */

static __always_inline int lsm_deny(__u32 guard)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	if (tgid == (__u32)cfg(C_SELF_TGID) || !monitored(tgid))
		return 0;
	__u32 mode = guard_mode(guard);
	if (mode == M_DENY || mode == M_KILL) {
		count(row(H_LSM), S_EMITTED);
		return -EPERM;
	}
	return 0;
}

SEC("lsm/file_open")
int BPF_PROG(fnw_lsm_file_open, struct file *file)
{
	if (!(file->f_mode & FMODE_WRITE))
		return 0;
	__u32 zero = 0;
	struct scratch *s = bpf_map_lookup_elem(&fnw_scratch, &zero);
	if (!s)
		return 0;
	__builtin_memset(&s->name, 0, sizeof(s->name));
	const unsigned char *name = BPF_CORE_READ(file, f_path.dentry, d_name.name);
	bpf_probe_read_kernel_str(s->name.name, sizeof(s->name.name), name);
	__u32 *g = bpf_map_lookup_elem(&fnw_names, &s->name);
	return g && NAME_GUARD(*g) ? lsm_deny(NAME_GUARD(*g)) : 0;
}

SEC("lsm/ptrace_access_check")
int BPF_PROG(fnw_lsm_ptrace, struct task_struct *child, unsigned int mode_bits)
{
	__u32 target = BPF_CORE_READ(child, tgid);
	if (!(mode_bits & PTRACE_MODE_ATTACH) || !(target == 1 || bpf_map_lookup_elem(&fnw_protected, &target)))
		return 0;
	return lsm_deny(G_PTRACE);
}

SEC("lsm/kernel_read_file")
int BPF_PROG(fnw_lsm_module_file, struct file *file, int id)
{
	return id == 2 /* READING_MODULE */ ? lsm_deny(G_MODULE) : 0;
}

SEC("lsm/kernel_load_data")
int BPF_PROG(fnw_lsm_module_data, int id)
{
	return id == 2 /* LOADING_MODULE */ ? lsm_deny(G_MODULE) : 0;
}

SEC("lsm/bpf")
int BPF_PROG(fnw_lsm_bpf, int cmd)
{
	return lsm_deny(G_BPF);
}

SEC("lsm/task_kill")
int BPF_PROG(fnw_lsm_task_kill, struct task_struct *p, void *info, int sig)
{
	__u32 target = BPF_CORE_READ(p, tgid);
	if (sig == 0 || !bpf_map_lookup_elem(&fnw_protected, &target))
		return 0;
	return lsm_deny(G_KILL);
}
