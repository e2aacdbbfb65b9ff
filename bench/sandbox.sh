#!/usr/bin/env bash
# The sandbox's performance targets (issue 3, "Performance"), measured side by side in one run:
#   1. monitoring overhead: warm invocation latency of bench-typical-python, monitored vs
#      --unmonitored (target: at most +10%);
#   2. syscall-heavy: bench-files-python creating and deleting 10,000 files, monitored vs
#      unmonitored throughput (target: at least 0.8x), next to what users would reach for on the
#      host: plain python3, `strace -f` and `strace -f --seccomp-bpf -e trace=...`, each against
#      plain python3 on the same loop and a tmpfs /tmp like the sandbox's;
#   3. cold start: the sandbox's init_ms (instance start -> first /next poll) vs a bare python3
#      start of the same bootstrap on the host (target: at most 50 ms above).
# Runs of every configuration are interleaved round by round so that drift on a busy machine hits
# them alike; the figures are medians. Prints a markdown table, then the exact commands.
#
# usage: sudo bench/sandbox.sh            (root: namespaces, cgroups, seccomp, tmpfs mounts)
# env:   FNWARDEN=path   use this binary instead of building `cargo build --release -p fnwarden`
#        WARM=50         warm invocations per configuration (in WARM_ROUNDS runs)
#        WARM_ROUNDS=5
#        FILES=10000     files per invocation of bench-files-python
#        FILE_ROUNDS=8   rounds of the file benchmark (2 warm samples per configuration per round)
#        COLD=15         cold starts per configuration
#        KEEP=dir        keep the raw samples and JSON reports in dir
# Needs /usr/bin/python3, strace (>= 5.3 for --seccomp-bpf), unshare, ip. Takes about 3 minutes.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
helpers="$here/sandbox"
typical="$repo/examples/functions/bench-typical-python"
files_fn="$repo/examples/functions/bench-files-python"
bootstrap="$repo/crates/sandbox/src/bootstrap/python.py"
WARM="${WARM:-50}" WARM_ROUNDS="${WARM_ROUNDS:-5}" FILES="${FILES:-10000}" FILE_ROUNDS="${FILE_ROUNDS:-8}" COLD="${COLD:-15}"
py=/usr/bin/python3

if [ "$(id -u)" -ne 0 ]; then
    echo "bench/sandbox.sh: needs root (the sandbox uses namespaces, cgroups and seccomp)" >&2
    exit 2
fi
for tool in "$py" strace unshare ip timeout; do
    command -v "$tool" >/dev/null || { echo "bench/sandbox.sh: $tool not found" >&2; exit 2; }
done

if [ -z "${FNWARDEN:-}" ]; then
    echo "building fnwarden (release) …" >&2
    (cd "$repo" && cargo build --release -p fnwarden --quiet)
    FNWARDEN="${CARGO_TARGET_DIR:-$repo/target}/release/fnwarden"
fi
[ -x "$FNWARDEN" ] || { echo "bench/sandbox.sh: $FNWARDEN is not an executable" >&2; exit 2; }

if [ -n "${KEEP:-}" ]; then
    work="$KEEP"
    mkdir -p "$work"
    rm -f "$work"/*
else
    work="$(mktemp -d /tmp/fnw-bench-sandbox.XXXXXX)"
    trap 'rm -rf "$work"' EXIT
fi

# The exact commands, printed once at the end.
declare -a commands=()
note() {
    local line
    printf -v line '%q ' "$@"
    for c in "${commands[@]}"; do [ "$c" = "$line" ] && return 0; done
    commands+=("$line")
}

# fnwarden in its own outer network namespace too (the sandbox makes its own; belt and braces).
sandbox() { # FUNCTION_DIR N REPORT [--unmonitored] [--event JSON]
    local fn="$1" n="$2" out="$3"
    shift 3
    local cmd=(timeout 300 unshare --net -- "$FNWARDEN" run "$fn" -n "$n" --timeout 60s --fail-on critical --format json --json "$out" "$@")
    note "${cmd[@]/#$work\//}"
    "${cmd[@]}" >/dev/null 2>"$work/stderr" || { echo "failed: ${cmd[*]}" >&2; cat "$work/stderr" >&2; exit 1; }
}

# A host process with a private tmpfs /tmp (the sandbox's /tmp is tmpfs; the host's may be disk)
# and no network.
host() { # OUT CMD...
    local out="$1"
    shift
    local cmd=(timeout 300 unshare --net --mount -- sh -c 'mount -t tmpfs -o size=512m tmpfs /tmp && exec "$@"' sh "$@")
    note "${cmd[@]}"
    "${cmd[@]}" >"$out" 2>"$work/stderr" || { echo "failed: ${cmd[*]}" >&2; cat "$work/stderr" >&2; exit 1; }
}

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
started=$SECONDS

# 1. Warm latency of a typical handler.
per_run=$(( (WARM + WARM_ROUNDS - 1) / WARM_ROUNDS + 1 ))
for round in $(seq "$WARM_ROUNDS"); do
    echo "warm round $round/$WARM_ROUNDS …" >&2
    sandbox "$typical" "$per_run" "$work/warm_mon.json"
    "$py" "$helpers/extract.py" warm "$work/warm_mon.json" >>"$work/warm_mon"
    sandbox "$typical" "$per_run" "$work/warm_unmon.json" --unmonitored
    "$py" "$helpers/extract.py" warm "$work/warm_unmon.json" >>"$work/warm_unmon"
done

# 2. Syscall-heavy: the same file loop in the sandbox and on the host.
event="{\"count\":$FILES}"
strace_bpf=(strace -f -qq -o /dev/null --seccomp-bpf -e trace=openat,unlink,unlinkat,execve,connect,clone)
for round in $(seq "$FILE_ROUNDS"); do
    echo "files round $round/$FILE_ROUNDS …" >&2
    for mode in mon unmon; do
        flag=()
        [ "$mode" = unmon ] && flag=(--unmonitored)
        sandbox "$files_fn" 3 "$work/files_$mode.json" --event "$event" "${flag[@]}"
        "$py" "$helpers/extract.py" files "$work/files_$mode.json" >"$work/pairs"
        cut -d' ' -f1 "$work/pairs" >>"$work/files_${mode}_dur"
        cut -d' ' -f2 "$work/pairs" >>"$work/files_${mode}_loop"
    done
    for tool in py strace strace_bpf; do
        case "$tool" in
            py) prefix=() ;;
            strace) prefix=(strace -f -qq -o /dev/null) ;;
            strace_bpf) prefix=("${strace_bpf[@]}") ;;
        esac
        host "$work/host.out" "${prefix[@]}" "$py" "$helpers/files_host.py" "$files_fn" "$FILES" 3
        "$py" "$helpers/extract.py" host "$work/host.out" >>"$work/files_$tool"
    done
done

# 3. Cold starts: separate runs of one invocation each, next to bare interpreter starts.
for i in $(seq "$COLD"); do
    [ $((i % 5)) -eq 1 ] && echo "cold start $i/$COLD …" >&2
    sandbox "$typical" 1 "$work/cold_mon.json"
    "$py" "$helpers/extract.py" init "$work/cold_mon.json" >>"$work/init_mon"
    sandbox "$typical" 1 "$work/cold_unmon.json" --unmonitored
    "$py" "$helpers/extract.py" init "$work/cold_unmon.json" >>"$work/init_unmon"
    cmd=(timeout 60 unshare --net -- sh -c 'ip link set lo up && exec "$@"' sh "$py" "$helpers/bare_start.py" bootstrap "$bootstrap" "$typical" app.handler 1)
    note "${cmd[@]}"
    "${cmd[@]}" >>"$work/bare_bootstrap"
    cmd=(timeout 60 "$py" "$helpers/bare_start.py" imports 1)
    note "${cmd[@]}"
    "${cmd[@]}" >>"$work/bare_imports"
done

echo "## Sandbox performance ($(date -u +%Y-%m-%dT%H:%MZ))"
echo
echo "fnwarden $(git -C "$repo" describe --always --dirty 2>/dev/null || echo '?'), $(nproc) cores," \
    "kernel $(uname -r), $("$py" -V 2>&1), $(strace -V | head -1);" \
    "load average $load_before before, $(cut -d' ' -f1-3 /proc/loadavg) after; $((SECONDS - started)) s."
echo
"$py" "$helpers/summary.py" "$work"
echo
echo "Throughput ratios are baseline time / time on medians (monitored vs unmonitored sandbox;"
echo "strace vs plain host python3). Warm figures leave out each run's first (cold) invocation."
echo
echo "Commands (\$FNWARDEN = $FNWARDEN; report paths shortened):"
echo
echo '```'
for c in "${commands[@]}"; do echo "$c"; done
echo '```'
