#!/usr/bin/env bash
# The eBPF monitor's cost (`fnwarden monitor`), measured side by side in one run. Each workload runs
# in its own cgroup v2 directory, alternately WITHOUT any monitor and WITH `fnwarden monitor
# --cgroup` watching that very cgroup (the worst case: the workload itself is monitored); the
# order within a round alternates too. Figures are the workload's own wall time, medians over the
# rounds, and the ratio with / without:
#   1. read/write storm: dd bs=512 count=DD_COUNT if=/dev/zero of=/dev/null      (target <= 1.05)
#   2. file storm: create, close, unlink FILES files, in a fresh /tmp directory (the built-in rules
#      ask for every /tmp open, so each one crosses into userspace) and in a directory under
#      /var/lib/fnwarden-bench that no rule watches                               (target <= 1.2)
#   3. exec storm: a sh loop running /bin/true EXECS times                        (target <= 1.3)
#   4. throughput: GEN_PROCS generators opening a file under /tmp (watched) at fixed total rates
#      (RATES, 0 = as fast as they can) for GEN_SECONDS each, the monitor with --stats; reports the
#      events delivered to the engine and every loss counter (kernel ring_buffer_full and shed,
#      userspace queue_dropped), plus one run at full speed with a deliberately small ring buffer
#      and queue (--config, [sensor] ring_bytes/queue) to show what loss looks like;
#   5. cost: the monitor's CPU (utime+stime from /proc/PID/stat, % of one core) and memory
#      (VmRSS, VmHWM from /proc/PID/status) at COST_RATES events/s for COST_SECONDS, and idle.
# Nothing here touches the network. Prints markdown tables, then the exact commands.
#
# usage: sudo bench/monitor.sh            (root: eBPF, cgroups; about 4 minutes: each monitor
#                                         start and stop takes 3-5 s, outside the timed part)
#        QUICK=1 sudo bench/monitor.sh    (smaller counts, 1 round, no ramp: a smoke test, ~40 s)
# env:   FNWARDEN=path   use this binary instead of building `cargo build --release -p fnwarden`
#        ROUNDS=5        rounds of without/with for workloads 1-3
#        REPS=3          runs of the workload per mode per round (one monitor start serves REPS runs)
#        DD_COUNT=2000000  FILES=20000  EXECS=3000
#        RATES="20000 50000 100000 150000 200000 250000 0"   total opens/s for the throughput ramp
#        GEN_PROCS=2     generator processes (the rate is split between them)
#        GEN_SECONDS=4   length of each throughput step
#        SMALL_RING=1    also run the small-ring step (loss made visible on purpose)
#        IDLE=1          also measure the monitor idle (its cgroup running only `sleep`)
#        COST_RATES="10000 100000"  COST_SECONDS=10
#        CGROOT=/sys/fs/cgroup/unified   cgroup v2 mount
#        KEEP=dir        keep the raw samples, monitor stderr and stats in dir
# Needs gcc (the file storm and the generator are tiny C programs; without gcc, python3 versions
# are used and the generator tops out far lower), jq, python3.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"

if [ -n "${QUICK:-}" ] && [ "${QUICK}" != 0 ]; then
    ROUNDS="${ROUNDS:-1}" REPS="${REPS:-1}" DD_COUNT="${DD_COUNT:-300000}" FILES="${FILES:-3000}" EXECS="${EXECS:-300}"
    RATES="${RATES:-0}" GEN_SECONDS="${GEN_SECONDS:-1}" SMALL_RING="${SMALL_RING:-0}" IDLE="${IDLE:-0}"
    COST_RATES="${COST_RATES:-10000}" COST_SECONDS="${COST_SECONDS:-2}"
fi
ROUNDS="${ROUNDS:-5}" REPS="${REPS:-3}" DD_COUNT="${DD_COUNT:-2000000}" FILES="${FILES:-20000}" EXECS="${EXECS:-3000}"
RATES="${RATES:-20000 50000 100000 150000 200000 250000 0}" GEN_PROCS="${GEN_PROCS:-2}"
GEN_SECONDS="${GEN_SECONDS:-4}" SMALL_RING="${SMALL_RING:-1}" IDLE="${IDLE:-1}" COST_RATES="${COST_RATES:-10000 100000}" COST_SECONDS="${COST_SECONDS:-10}"
CGROOT="${CGROOT:-/sys/fs/cgroup/unified}"
UNWATCHED_BASE=/var/lib/fnwarden-bench
py=/usr/bin/python3

die() { echo "bench/monitor.sh: $*" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || die "needs root (eBPF probes, cgroups)"
for tool in jq "$py" dd sh; do command -v "$tool" >/dev/null || die "$tool not found"; done
grep -q cgroup2 <(stat -f -c %T "$CGROOT" 2>/dev/null; mount | awk -v r="$CGROOT" '$3==r{print $5}') \
    || die "$CGROOT is not a cgroup v2 mount (set CGROOT)"

if [ -z "${FNWARDEN:-}" ]; then
    echo "building fnwarden (release) …" >&2
    (cd "$repo" && cargo build --release -p fnwarden --quiet)
    FNWARDEN="${CARGO_TARGET_DIR:-$repo/target}/release/fnwarden"
fi
[ -x "$FNWARDEN" ] || die "$FNWARDEN is not an executable"

# Work files live under /var/lib/fnwarden-bench (not watched by any rule, so the helpers' own
# execs do not raise "executed from a writable directory" alerts); the /tmp storm gets its own dir.
mkdir -p "$UNWATCHED_BASE"
work="$(mktemp -d "$UNWATCHED_BASE/run.XXXXXX")"
tmpdir="$(mktemp -d /tmp/fnwarden-bench.XXXXXX)"
cgbase="$CGROOT/fnwarden-bench"
mkdir -p "$cgbase"
declare -a monitors=()
cleanup() {
    local p
    for p in "${monitors[@]}"; do kill -INT "$p" 2>/dev/null || true; done
    sleep 0.5
    for p in "${monitors[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
    for d in "$cgbase"/*/; do
        [ -d "$d" ] || continue
        # move any straggler out before removing the directory
        while read -r p; do echo "$p" >"$CGROOT/cgroup.procs" 2>/dev/null || true; done <"$d/cgroup.procs"
        rmdir "$d" 2>/dev/null || true
    done
    rmdir "$cgbase" 2>/dev/null || true
    rm -rf "$tmpdir"
    if [ -n "${KEEP:-}" ]; then
        mkdir -p "$KEEP" && cp -r "$work"/. "$KEEP"/ && echo "raw data kept in $KEEP" >&2
    fi
    rm -rf "$work"
    rmdir "$UNWATCHED_BASE" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- helpers: file storm and rate-limited open generator -------------------------------------
bin="$work/bin"
mkdir -p "$bin"
if command -v gcc >/dev/null; then
    cat >"$bin/files.c" <<'EOF'
/* files DIR N: create, close and unlink N files in DIR */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: files DIR N\n"); return 2; }
    long n = atol(argv[2]); char p[4096];
    for (long i = 0; i < n; i++) {
        snprintf(p, sizeof p, "%s/f%ld", argv[1], i);
        int fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, 0600);
        if (fd < 0) { perror(p); return 1; }
        close(fd);
        if (unlink(p)) { perror(p); return 1; }
    }
    return 0;
}
EOF
    cat >"$bin/gen.c" <<'EOF'
/* gen PATH RATE SECONDS: open+close PATH at RATE per second (0: as fast as possible) for SECONDS;
   prints "opens elapsed_ns" */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
static long long now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1000000000LL + t.tv_nsec; }
int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: gen PATH RATE SECONDS\n"); return 2; }
    double rate = atof(argv[2]), secs = atof(argv[3]);
    long long t0 = now(), end = t0 + (long long)(secs * 1e9), n = 0, t;
    while ((t = now()) < end) {
        long long want = rate > 0 ? (long long)((t - t0) * rate / 1e9) + 1 : n + 256;
        if (n >= want) { struct timespec s = {0, 100000}; nanosleep(&s, 0); continue; }
        while (n < want) { int fd = open(argv[1], O_RDONLY); if (fd >= 0) close(fd); n++; }
    }
    printf("%lld %lld\n", n, now() - t0);
    return 0;
}
EOF
    gcc -O2 -o "$bin/files" "$bin/files.c"
    gcc -O2 -o "$bin/gen" "$bin/gen.c"
    helper_kind="C (gcc -O2)"
else
    cat >"$bin/files" <<EOF
#!$py
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    p = f"{d}/f{i}"
    os.close(os.open(p, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600))
    os.unlink(p)
EOF
    cat >"$bin/gen" <<EOF
#!$py
import os, sys, time
path, rate, secs = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
t0 = time.monotonic_ns(); end = t0 + int(secs * 1e9); n = 0
while (t := time.monotonic_ns()) < end:
    want = int((t - t0) * rate / 1e9) + 1 if rate > 0 else n + 256
    if n >= want:
        time.sleep(0.0001); continue
    while n < want:
        os.close(os.open(path, os.O_RDONLY)); n += 1
print(n, time.monotonic_ns() - t0)
EOF
    chmod +x "$bin/files" "$bin/gen"
    helper_kind="python3 (no gcc)"
fi

unwatched="$work/storm"
mkdir -p "$unwatched"
target="$tmpdir/target"
: >"$target"
hz="$(getconf CLK_TCK)"

declare -a commands=()
note() { local c="$*"; local x; for x in "${commands[@]:-}"; do [ "$x" = "$c" ] && return; done; commands+=("$c"); }

# ---- monitor control --------------------------------------------------------------------------
MON_PID="" MON_TAG=""
start_monitor() { # NAME TAG [extra monitor args...]
    local name="$1" tag="$2"; shift 2
    local err="$work/$tag.err"
    : >"$err"
    cgdir "$name" >/dev/null
    "$FNWARDEN" monitor --cgroup "fnwarden-bench/$name" --audit "$work/$tag.audit.jsonl" \
        --format json -o "$work/$tag.alerts.jsonl" --stats "$@" 2>"$err" &
    MON_PID=$! MON_TAG="$tag"
    monitors+=("$MON_PID")
    note "$(basename "$FNWARDEN") monitor --cgroup fnwarden-bench/$name --audit AUDIT.jsonl --format json -o ALERTS.jsonl --stats${*:+ $*}"
    local i
    for i in $(seq 300); do
        grep -q "probes attached" "$err" && break
        kill -0 "$MON_PID" 2>/dev/null || { cat "$err" >&2; die "the monitor exited before attaching"; }
        sleep 0.1
    done
    grep -q "probes attached" "$err" || { cat "$err" >&2; die "no 'probes attached' after 30 s"; }
    for i in $(seq 100); do grep -q "monitoring cgroup" "$err" && break; sleep 0.05; done
    kill -0 "$MON_PID" 2>/dev/null || { cat "$err" >&2; die "the monitor exited after attaching"; }
    sleep 0.3 # let start-up work (rule compilation, first ring poll) finish before timing
}
stop_monitor() { # writes $work/$MON_TAG.stats.json
    kill -INT "$MON_PID"
    wait "$MON_PID" || die "the monitor exited with $? (see $work/$MON_TAG.err)"
    local keep=() p
    for p in "${monitors[@]}"; do [ "$p" != "$MON_PID" ] && keep+=("$p"); done
    monitors=("${keep[@]:-}")
    [ -n "${monitors[0]:-}" ] || monitors=()
    grep '^{' "$work/$MON_TAG.err" | tail -1 >"$work/$MON_TAG.stats.json"
    [ -s "$work/$MON_TAG.stats.json" ] || die "no --stats JSON from the monitor ($work/$MON_TAG.err)"
}
cgdir() { mkdir -p "$cgbase/$1"; echo "$cgbase/$1"; }
# run_in_cg NAME CMD...: run CMD inside cgroup NAME, print its wall time in ns
run_in_cg() {
    local cg; cg="$(cgdir "$1")"; shift
    local s e
    s=$(date +%s%N)
    sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg" "$@" >/dev/null
    e=$(date +%s%N)
    echo $((e - s))
}

# ---- 1-3: storms, without / with, alternating ------------------------------------------------
# workload name | command
workloads=(dd files-tmp files-unwatched exec)
wl_cmd() {
    case "$1" in
        dd) echo "dd bs=512 count=$DD_COUNT if=/dev/zero of=/dev/null status=none" ;;
        files-tmp) echo "files /tmp/fnwarden-bench.XXXXXX/storm $FILES" ;;
        files-unwatched) echo "files $UNWATCHED_BASE/run.XXXXXX/storm $FILES" ;;
        exec) echo "sh -c 'i=0; while [ \$i -lt $EXECS ]; do /bin/true; i=\$((i+1)); done'" ;;
    esac
}
wl_run() {
    case "$1" in
        dd) run_in_cg dd dd bs=512 count="$DD_COUNT" if=/dev/zero of=/dev/null status=none ;;
        files-tmp) mkdir -p "$tmpdir/storm"; run_in_cg files-tmp "$bin/files" "$tmpdir/storm" "$FILES" ;;
        files-unwatched) run_in_cg files-unwatched "$bin/files" "$unwatched" "$FILES" ;;
        exec) run_in_cg exec sh -c 'i=0; while [ $i -lt "$1" ]; do /bin/true; i=$((i+1)); done' sh "$EXECS" ;;
    esac
}

echo "machine: $(nproc) cores, $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg) at start; helpers: $helper_kind" >&2
start_time="$(date -u '+%Y-%m-%d %H:%M UTC')"
for w in "${workloads[@]}"; do wl_run "$w" >/dev/null; done # warm the page cache and the binaries
for r in $(seq "$ROUNDS"); do
    for w in "${workloads[@]}"; do
        if [ $((r % 2)) -eq 1 ]; then order="off on"; else order="on off"; fi
        for mode in $order; do
            if [ "$mode" = on ]; then
                start_monitor "$w" "$w.r$r"
                for _ in $(seq "$REPS"); do wl_run "$w" >>"$work/$w.on"; done
                stop_monitor
            else
                for _ in $(seq "$REPS"); do wl_run "$w" >>"$work/$w.off"; done
            fi
        done
    done
    echo "round $r/$ROUNDS done" >&2
done

# ---- 4: throughput ramp -----------------------------------------------------------------------
gen_step() { # TAG TOTAL_RATE SECONDS [extra monitor args] -> $work/TAG.gen (one line per generator)
    local tag="$1" rate="$2" secs="$3"; shift 3
    local cg; cg="$(cgdir gen)"
    start_monitor gen "$tag" "$@"
    local per; per=$("$py" -c "print($rate/$GEN_PROCS)")
    local t0 t1 c0 c1 i
    c0=$(awk '{print $14+$15}' "/proc/$MON_PID/stat"); t0=$(date +%s%N)
    for i in $(seq "$GEN_PROCS"); do
        sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg" "$bin/gen" "$target" "$per" "$secs" >"$work/$tag.gen.$i" &
    done
    wait $(jobs -p | grep -vx "$MON_PID" || true) 2>/dev/null || true
    t1=$(date +%s%N)
    sleep 1 # let the monitor drain what is queued; its CPU for that belongs to these events
    c1=$(awk '{print $14+$15}' "/proc/$MON_PID/stat")
    awk '/^VmRSS|^VmHWM/{print $1, $2}' "/proc/$MON_PID/status" >"$work/$tag.mem"
    echo "$((c1 - c0)) $hz $((t1 - t0))" >"$work/$tag.cpu"
    cat "$work/$tag.gen."* >"$work/$tag.gen"
    stop_monitor
}
note "gen FILE RATE SECONDS   ($GEN_PROCS in parallel in the monitored cgroup; FILE under /tmp)"
for rate in $RATES; do
    gen_step "ramp.$rate" "$rate" "$GEN_SECONDS"
    echo "throughput step $rate done" >&2
done
if [ "$SMALL_RING" = 1 ]; then
    printf '[sensor]\nring_bytes = 65536\nqueue = 256\n' >"$work/small.toml"
    gen_step "ramp.small" 0 "$GEN_SECONDS" --config "$work/small.toml"
    note "  small ring: --config small.toml with [sensor] ring_bytes = 65536, queue = 256"
fi

# ---- 5: cost at fixed rates, and idle ---------------------------------------------------------
for rate in $COST_RATES; do
    gen_step "cost.$rate" "$rate" "$COST_SECONDS"
    echo "cost step $rate done" >&2
done
# idle: the monitor attached, the cgroup running only sleep
if [ "$IDLE" = 1 ]; then
    start_monitor idle cost.idle
    c0=$(awk '{print $14+$15}' "/proc/$MON_PID/stat"); t0=$(date +%s%N)
    run_in_cg idle sleep "$COST_SECONDS" >/dev/null
    t1=$(date +%s%N); c1=$(awk '{print $14+$15}' "/proc/$MON_PID/stat")
    awk '/^VmRSS|^VmHWM/{print $1, $2}' "/proc/$MON_PID/status" >"$work/cost.idle.mem"
    echo "$((c1 - c0)) $hz $((t1 - t0))" >"$work/cost.idle.cpu"
    : >"$work/cost.idle.gen"
    stop_monitor
fi
end_load="$(cut -d' ' -f1-3 /proc/loadavg)"

# ---- report -----------------------------------------------------------------------------------
for w in "${workloads[@]}"; do echo "$w|$(wl_cmd "$w")"; done >"$work/commands.txt"
"$py" - "$work" "$ROUNDS" "$RATES" "$COST_RATES" <<'EOF'
import json, glob, os, statistics, sys
work, rounds, rates, cost_rates = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(), sys.argv[4].split()
targets = {"dd": 1.05, "files-tmp": 1.2, "files-unwatched": 1.2, "exec": 1.3}
labels = {"dd": "read/write storm", "files-tmp": "file storm in /tmp (watched)",
          "files-unwatched": "file storm, unwatched dir", "exec": "exec storm"}
cmds = dict(l.rstrip("\n").split("|", 1) for l in open(f"{work}/commands.txt"))
def q(xs):
    xs = sorted(xs); m = statistics.median(xs)
    if len(xs) >= 4:
        qs = statistics.quantiles(xs, n=4); return m, qs[0], qs[2]
    return m, xs[0], xs[-1]
def ms(v): return f"{v/1e6:,.1f}"
def stats(tag): return json.load(open(f"{work}/{tag}.stats.json"))
def lost(s):
    return s["kernel"]["ring_buffer_full"] + s["kernel"]["shed"] + s["userspace"]["queue_dropped"]

print("\n### storms: workload wall time, without / with the monitor on its own cgroup\n")
print(f"| workload | command | n | without, median ms (IQR) | with, median ms (IQR) | with / without | target |")
print("|---|---|---:|---|---|---|---|")
for w in targets:
    off = [int(x) for x in open(f"{work}/{w}.off")]; on = [int(x) for x in open(f"{work}/{w}.on")]
    a, b = q(off), q(on); ratio = b[0] / a[0]
    ok = "✔" if ratio <= targets[w] else "✘"
    print(f"| {labels[w]} | `{cmds[w]}` | {len(off)} | {ms(a[0])} ({ms(a[1])}–{ms(a[2])}) | "
          f"{ms(b[0])} ({ms(b[1])}–{ms(b[2])}) | **{ratio:.3f}** | ≤ {targets[w]} {ok} |")

print("\n### storms: what the kernel kept out of userspace (monitor --stats, summed over the rounds)\n")
print("| workload | hooked calls seen (all processes) | filtered in kernel | filtered_fraction | calls by the monitored cgroup | of those prefiltered | emitted to userspace | lost |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
for w in targets:
    seen = filt = emitted = mon = pre = lo = 0
    for f in sorted(glob.glob(f"{work}/{w}.r*.stats.json")):
        s = json.load(open(f)); k = s["kernel"]
        seen += k["seen"]; filt += k["filtered"]; emitted += k["emitted"]; lo += lost(s)
        for h in k["hooks"]:
            mon += h["seen"] - h["unmonitored"]; pre += h["prefiltered"]
    frac = filt / seen if seen else 0
    pf = f"{pre:,} ({pre/mon:.1%})" if mon else "0"
    print(f"| {labels[w]} | {seen:,} | {filt:,} | {frac:.1%} | {mon:,} | {pf} | {emitted:,} | {lo} |")

def gen_row(tag):
    gens = [tuple(map(int, l.split())) for l in open(f"{work}/{tag}.gen") if l.strip()]
    opens = sum(g[0] for g in gens); secs = max(g[1] for g in gens) / 1e9 if gens else 0
    s = stats(tag); ticks, hz, wall = map(int, open(f"{work}/{tag}.cpu").read().split())
    mem = dict(l.split() for l in open(f"{work}/{tag}.mem"))
    alerts_loss = 0
    p = f"{work}/{tag}.alerts.jsonl"
    if os.path.exists(p):
        for l in open(p):
            try:
                if "event-loss" in json.loads(l)["rule"]["id"]: alerts_loss += 1
            except Exception: pass
    return dict(opens=opens, secs=secs, s=s, cpu=100.0 * ticks / hz / (wall / 1e9) if wall else 0,
                rss=int(mem.get("VmRSS:", 0)), hwm=int(mem.get("VmHWM:", 0)), loss_alerts=alerts_loss)

print("\n### throughput: opens of a watched /tmp file, monitor on the generators' cgroup\n")
print("| asked opens/s (0 = max) | generated opens/s | delivered to engine | delivered events/s | ring_buffer_full | shed | queue_dropped | queue_waits | loss alerts | monitor CPU % of a core |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
best = None
for r in rates + (["small"] if os.path.exists(f"{work}/ramp.small.gen") else []):
    g = gen_row(f"ramp.{r}"); s = g["s"]; d = s["engine"]["delivered"]
    rate = d / g["secs"] if g["secs"] else 0
    label = r if r != "small" else "0, ring_bytes 65536, queue 256"
    print(f"| {label} | {g['opens']/g['secs']:,.0f} | {d:,} | {rate:,.0f} | {s['kernel']['ring_buffer_full']:,} | "
          f"{s['kernel']['shed']:,} | {s['userspace']['queue_dropped']:,} | {s['userspace']['queue_waits']:,} | {g['loss_alerts']} | {g['cpu']:.0f} |")
    if r != "small" and lost(s) == 0 and (best is None or rate > best): best = rate
print(f"\nhighest delivered rate with zero loss (default ring and queue): {best:,.0f} events/s" if best else
      "\nno step ran without loss")

print("\n### cost: the monitor process at fixed event rates\n")
print("| asked events/s | generated opens/s | delivered | lost | CPU % of one core | VmRSS | VmHWM |")
print("|---|---:|---:|---:|---:|---:|---:|")
for r in cost_rates + (["idle"] if os.path.exists(f"{work}/cost.idle.cpu") else []):
    g = gen_row(f"cost.{r}"); s = g["s"]
    gen = f"{g['opens']/g['secs']:,.0f}" if g["secs"] else "0"
    print(f"| {r} | {gen} | {s['engine']['delivered']:,} | {lost(s)} | {g['cpu']:.1f} | {g['rss']/1024:.1f} MiB | {g['hwm']/1024:.1f} MiB |")
EOF

echo
echo "run of $start_time; $(nproc) cores, kernel $(uname -r), load average at the end $end_load; helpers: $helper_kind"
echo "rounds: $ROUNDS x $REPS runs per mode; DD_COUNT=$DD_COUNT FILES=$FILES EXECS=$EXECS GEN_PROCS=$GEN_PROCS GEN_SECONDS=$GEN_SECONDS COST_SECONDS=$COST_SECONDS"
echo
echo "commands (files and gen are the C helpers above, built into a temporary directory):"
for c in "${commands[@]}"; do echo "    $c"; done
