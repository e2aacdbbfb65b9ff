"""Turns the samples bench/sandbox.sh collected (one number per line per file in DIR) into the
markdown table of docs/benchmarks.md: medians, interquartile ranges, ratios and targets.

usage: summary.py DIR"""
import os
import statistics
import sys


def load(d, name):
    with open(os.path.join(d, name)) as f:
        values = [float(line.split()[0]) for line in f if line.strip()]
    if not values:
        sys.exit("summary: no samples in %s" % name)
    return values


def spread(v):
    if len(v) < 4:
        return "%.1f–%.1f" % (min(v), max(v))
    q = statistics.quantiles(v, n=4)
    return "%.1f–%.1f" % (q[0], q[2])


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    d = sys.argv[1]
    med = lambda name: statistics.median(load(d, name))
    rows = []

    def row(measure, config, name, result="", target="", ok=None):
        v = load(d, name)
        verdict = "" if ok is None else ("yes" if ok else "**no**")
        rows.append((measure, config, str(len(v)), "%.1f" % statistics.median(v), spread(v), result, target, verdict))

    # 1. Monitoring overhead on a typical handler's warm invocations.
    added = med("warm_mon") / med("warm_unmon") - 1.0
    row("Warm invocation, bench-typical-python (ms)", "sandbox, unmonitored", "warm_unmon")
    row("", "sandbox, monitored", "warm_mon", "%+.1f%%" % (added * 100), "≤ +10%", added <= 0.10)

    # 2. Syscall-heavy: 10,000 files created and deleted. Throughput ratio = baseline time / time.
    ratio = lambda base, other: med(base) / med(other)
    r_dur = ratio("files_unmon_dur", "files_mon_dur")
    r_loop = ratio("files_unmon_loop", "files_mon_loop")
    row("bench-files-python, invocation duration (ms)", "sandbox, unmonitored", "files_unmon_dur")
    row("", "sandbox, monitored", "files_mon_dur", "%.2f×" % r_dur, "≥ 0.8×", r_dur >= 0.8)
    row("bench-files-python, handler's file loop (ms)", "sandbox, unmonitored", "files_unmon_loop")
    row("", "sandbox, monitored", "files_mon_loop", "%.2f×" % r_loop, "≥ 0.8×", r_loop >= 0.8)
    row("", "host python3 (tmpfs /tmp)", "files_py", "baseline (unmonitored sandbox: %.2f× of it)" % ratio("files_py", "files_unmon_loop"))
    row("", "host, strace -f (every syscall)", "files_strace", "%.2f×" % ratio("files_py", "files_strace"))
    row("", "host, strace -f --seccomp-bpf -e trace=…", "files_strace_bpf", "%.2f×" % ratio("files_py", "files_strace_bpf"))

    # 3. Cold start against a bare interpreter start.
    over_boot = med("init_mon") - med("bare_bootstrap")
    over_imp = med("init_mon") - med("bare_imports")
    row("Cold start (ms)", "bare: host python3 bootstrap.py → first /next", "bare_bootstrap")
    row("", "bare: host python3 -c 'import …' (to exit)", "bare_imports")
    row("", "sandbox init_ms, unmonitored", "init_unmon", "%+.0f ms vs bare bootstrap" % (med("init_unmon") - med("bare_bootstrap")))
    row("", "sandbox init_ms, monitored", "init_mon",
        "%+.0f ms vs bare bootstrap, %+.0f vs imports; %+.0f vs unmonitored" % (over_boot, over_imp, med("init_mon") - med("init_unmon")),
        "≤ +50 ms", over_boot <= 50)

    print("| Measure | Configuration | n | Median | IQR | Result | Target | Met |")
    print("|---|---|---:|---:|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")


main()
