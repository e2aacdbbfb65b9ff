#!/usr/bin/env bash
# `fnwarden logs` throughput and memory against jq and rsigma-eval, side by side in one run.
#
#   bash bench/logs.sh [--size 320M] [--small 80M] [--rounds 3] [--data DIR] [--dense-days 0.5]
#                      [--no-stages] [--no-engines]
#
# Builds (once, in DIR, default /tmp/fnwarden-bench) a CloudTrail JSON-lines file of --size with
# bench/logs/gen.py and a --small prefix of it, then runs, interleaved, --rounds rounds of:
#   - fnwarden logs FILE --rules ../shared/datasets/sigma/cloud --format json -o /dev/null --stats
#     (SigmaHQ cloud + the built-in pack); while `fnwarden logs` does not exist, `fnwarden detect`
#     on the same records converted to fnwarden events beforehand (the line "mode:" says which);
#   - jq with one Lambda filter on the same file;
#   - rsigma-eval on the SigmaHQ cloud rules both engines load (bench/compare-sigma, cloudtrail
#     mode), one thread and two;
# each as its own process under /usr/bin/time (wall time, peak RSS). Then each once on the small
# file (memory against file size), and fnwarden and rsigma once on files of both sizes whose
# records span only --dense-days days (memory against records per correlation window; `logs`
# mode only); then where fnwarden's time goes, stage by stage, with its own
# reader in-process (bench/logs/reader; --no-stages skips it), and bench/compare-sigma's
# in-process engine comparison (--no-engines skips it). FNWARDEN=path picks another binary.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
shared="$(cd "$repo/.." && pwd)/shared"
rules="$shared/datasets/sigma/cloud"
data=/tmp/fnwarden-bench
size=320M
small=80M
rounds=3
engines=1
stages=1
dense_days=0.5
while [ $# -gt 0 ]; do
    case "$1" in
        --size) size="$2"; shift 2 ;;
        --small) small="$2"; shift 2 ;;
        --rounds) rounds="$2"; shift 2 ;;
        --data) data="$2"; shift 2 ;;
        --no-engines) engines=0; shift ;;
        --no-stages) stages=0; shift ;;
        --dense-days) dense_days="$2"; shift 2 ;;
        -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
case "$(realpath -m "$data")/" in
    "$repo"/*) echo "--data must be outside the repository" >&2; exit 2 ;;
esac
if [ ! -d "$rules" ] || [ ! -d "$shared/datasets/cloudtrail/stratus-red-team" ]; then
    echo "note: $shared/datasets (SigmaHQ cloud rules, Stratus recordings) not found; nothing to measure"
    exit 0
fi

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "started: $(date -u '+%Y-%m-%d %H:%M:%S UTC'), commit $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$repo" diff --quiet 2>/dev/null || echo ' (uncommitted changes)')"

# --- tools -------------------------------------------------------------------------------------
if [ ! -x /usr/bin/time ]; then
    echo "/usr/bin/time is missing; installing the Debian package 'time'" >&2
    apt-get install -y time >/dev/null
fi
command -v jq >/dev/null || { echo "jq is needed" >&2; exit 2; }
fnw="${FNWARDEN:-$repo/target/release/fnwarden}"
if [ ! -x "$fnw" ]; then
    echo "building $fnw (cargo build --release -p fnwarden)" >&2
    (cd "$repo" && cargo build --release -p fnwarden)
fi
if "$fnw" logs --help >/dev/null 2>&1; then
    mode=logs
else
    mode=detect
fi
cargo build --release --locked --quiet --manifest-path "$here/compare-sigma/Cargo.toml"
# Where `fnwarden logs` spends its time, with its own reader in-process; it follows crates/logs,
# so it is built without --locked (its lock file is its own).
stages_bin=""
if [ "$mode" = logs ] && [ "$stages" = 1 ]; then
    if cargo build --release --quiet --manifest-path "$here/logs/reader/Cargo.toml"; then
        stages_bin="$here/logs/reader/target/release/logs-reader-bench"
    else
        echo "note: bench/logs/reader does not build against crates/logs now; stage timings left out" >&2
    fi
fi
cmp_bin="$here/compare-sigma/target/release/compare-sigma"
echo "fnwarden: $fnw ($("$fnw" --version 2>/dev/null || echo '?'), built $(date -u -r "$fnw" '+%Y-%m-%d %H:%M UTC'))"
echo "jq: $(jq --version); rsigma-eval: $(grep -A1 'name = "rsigma-eval"' "$here/compare-sigma/Cargo.lock" | sed -n 's/version = "\(.*\)"/\1/p')"

# --- data --------------------------------------------------------------------------------------
mkdir -p "$data"
big="$data/cloudtrail-$size.jsonl"
stamp="$(sha256sum "$here/logs/gen.py" | cut -c1-16)-$size"
if [ ! -s "$big" ] || [ "$(cat "$big.stamp" 2>/dev/null)" != "$stamp" ]; then
    echo "generating $big (bench/logs/gen.py --size $size)"
    python3 "$here/logs/gen.py" --size "$size" -o "$big"
    echo "$stamp" > "$big.stamp"
fi
lil="$data/cloudtrail-$small.jsonl"
if [ ! -s "$lil" ] || [ "$lil" -ot "$big" ]; then
    bytes=$(python3 -c "import sys; sys.path.insert(0, '$here/logs'); import gen; print(gen.parse_size('$small'))")
    head -c "$bytes" "$big" | head -n "$(head -c "$bytes" "$big" | wc -l)" > "$lil"
fi
dense_big="$data/cloudtrail-$size-dense$dense_days.jsonl"
dense_lil="$data/cloudtrail-$small-dense$dense_days.jsonl"
if [ "$mode" = logs ]; then
    for pair in "$size:$dense_big" "$small:$dense_lil"; do
        sz="${pair%%:*}" f="${pair#*:}"
        st="$(sha256sum "$here/logs/gen.py" | cut -c1-16)-$sz-$dense_days"
        if [ ! -s "$f" ] || [ "$(cat "$f.stamp" 2>/dev/null)" != "$st" ]; then
            echo "generating $f (bench/logs/gen.py --size $sz --days $dense_days)"
            python3 "$here/logs/gen.py" --size "$sz" --days "$dense_days" -o "$f" > /dev/null
            echo "$st" > "$f.stamp"
        fi
    done
fi
if [ "$mode" = detect ]; then
    # Until `fnwarden logs` exists: the records as fnwarden events (docs/sigma.md's mapping), made
    # once, before timing; fnwarden then reads a larger file than jq and rsigma do.
    for f in "$big" "$lil"; do
        ev="${f%.jsonl}.events.jsonl"
        if [ ! -s "$ev" ] || [ "$ev" -ot "$f" ]; then
            echo "converting $f to fnwarden events with jq (detect fallback)"
            jq -c '{type:"cloud_api", time:.eventTime, source:"cloudtrail",
                cloud:{provider:"aws", service:(.eventSource//""), operation:(.eventName//""),
                principal:(.userIdentity.arn//""), principal_type:(.userIdentity.type//""),
                access_key_id:(.userIdentity.accessKeyId//""), account:(.recipientAccountId//""),
                region:(.awsRegion//""), source_ip:(.sourceIPAddress//""), user_agent:(.userAgent//""),
                error_code:(.errorCode//""), error_message:(.errorMessage//""), raw:.}}' "$f" > "$ev.part"
            mv "$ev.part" "$ev"
        fi
    done
fi
records_big=$(wc -l < "$big")
records_lil=$(wc -l < "$lil")
echo "file: $big, $(du -m "$big" | cut -f1) MiB ($(stat -c %s "$big") bytes), $records_big records"
echo "small file: $lil, $(du -m "$lil" | cut -f1) MiB, $records_lil records (the first records of the file)"

fnw_cmd() {  # fnwarden's command line for a CloudTrail file
    if [ "$mode" = logs ]; then
        echo "$fnw logs $1 --rules $rules --format json -o /dev/null --stats"
    else
        echo "$fnw detect --input ${1%.jsonl}.events.jsonl --rules $rules --format json -o /dev/null --stats"
    fi
}
jq_filter='select(.eventSource=="lambda.amazonaws.com" and (.eventName|startswith("UpdateFunctionCode")))'
if [ "$mode" = logs ]; then
    echo "mode: fnwarden logs (reads the CloudTrail file itself)"
else
    echo "mode: fnwarden detect fallback ('fnwarden logs --help' failed): records pre-converted to fnwarden events; not the logs reader's figure"
fi
echo
echo "commands (FILE = the CloudTrail file):"
echo "  fnwarden:  $(fnw_cmd FILE)"
echo "  jq:        jq -c '$jq_filter' FILE > /dev/null"
echo "  rsigma:    $cmp_bin cloudtrail FILE --only rsigma --rounds 1 --no-tally   (and --threads 2 --only rsigma-mt)"
echo

# --- one measured process ----------------------------------------------------------------------
out="$data/out"
mkdir -p "$out"
# run NAME LOG CMD... : wall seconds and peak RSS (KiB) of one process, appended to $out/NAME.tsv
run() {
    local name="$1" log="$2"
    shift 2
    local t0 t1
    t0=$(date +%s.%N)
    /usr/bin/time -f '%M' -o "$out/$name.rss" "$@" > "$log.stdout" 2> "$log.stderr" || {
        echo "$name failed:" >&2
        tail -5 "$log.stderr" >&2
        return 1
    }
    t1=$(date +%s.%N)
    local secs rss
    secs=$(awk "BEGIN { print $t1 - $t0 }")
    rss=$(tail -1 "$out/$name.rss")
    printf '%s\t%s\t%s\n' "$secs" "$rss" "$(cut -d' ' -f1 /proc/loadavg)" >> "$out/$name.tsv"
    printf '%s %.2fs %dMiB' "$name" "$secs" "$((rss / 1024))"
}
rsigma_rate() {  # compare-sigma's own events/s (file streaming + parse + evaluate, no rule loading)
    grep -E '^rsigma-eval' "$1.stdout" | tail -1 | sed -n 's/.* \([0-9][0-9]*\) events\/s.*/\1/p'
}

names=(fnwarden jq rsigma rsigma2)
for n in "${names[@]}"; do rm -f "$out/$n.tsv" "$out/$n-small.tsv" "$out/$n-dense.tsv" "$out/$n-dense-small.tsv"; done
echo "interleaved rounds on the $size file (wall time and peak RSS of each process):"
for r in $(seq 1 "$rounds"); do
    line="round $r:"
    # shellcheck disable=SC2046
    line+=" $(run fnwarden "$out/fnwarden" $(fnw_cmd "$big"))"
    line+=" | $(run jq "$out/jq" sh -c "jq -c '$jq_filter' '$big' > /dev/null")"
    line+=" | $(run rsigma "$out/rsigma" "$cmp_bin" cloudtrail "$big" --only rsigma --rounds 1 --no-tally) ($(rsigma_rate "$out/rsigma")/s inside)"
    line+=" | $(run rsigma2 "$out/rsigma2" "$cmp_bin" cloudtrail "$big" --only rsigma-mt --threads 2 --rounds 1 --no-tally) ($(rsigma_rate "$out/rsigma2")/s inside)"
    echo "$line"
done
echo "fnwarden's stats (last round): $(tail -1 "$out/fnwarden.stderr")"

echo
echo "the same on the $small file, once each (memory against file size):"
line=""
# shellcheck disable=SC2046
line+="$(run fnwarden-small "$out/fnwarden-small" $(fnw_cmd "$lil"))"
line+=" | $(run jq-small "$out/jq-small" sh -c "jq -c '$jq_filter' '$lil' > /dev/null")"
line+=" | $(run rsigma-small "$out/rsigma-small" "$cmp_bin" cloudtrail "$lil" --only rsigma --rounds 1 --no-tally)"
line+=" | $(run rsigma2-small "$out/rsigma2-small" "$cmp_bin" cloudtrail "$lil" --only rsigma-mt --threads 2 --rounds 1 --no-tally)"
echo "$line"

if [ "$mode" = logs ]; then
    echo
    echo "records dense in time: the same sizes over $dense_days days instead of 7, once each:"
    line=""
    # shellcheck disable=SC2046
    line+="$(run fnwarden-dense-small "$out/fnwarden-dense-small" $(fnw_cmd "$dense_lil"))"
    # shellcheck disable=SC2046
    line+=" | $(run fnwarden-dense "$out/fnwarden-dense" $(fnw_cmd "$dense_big"))"
    line+=" | $(run rsigma-dense-small "$out/rsigma-dense-small" "$cmp_bin" cloudtrail "$dense_lil" --only rsigma --rounds 1 --no-tally)"
    line+=" | $(run rsigma-dense "$out/rsigma-dense" "$cmp_bin" cloudtrail "$dense_big" --only rsigma --rounds 1 --no-tally)"
    echo "$line"
fi

# --- summary -----------------------------------------------------------------------------------
echo
records_dense=$( [ -s "$dense_big" ] && wc -l < "$dense_big" || echo 0)
python3 - "$out" "$records_big" "$records_lil" "$size" "$small" "$mode" "$dense_days" "$records_dense" <<'EOF'
import statistics, sys
out, nbig, nlil, size, small, mode, dense = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6], sys.argv[7]
ndense = int(sys.argv[8])
def rows(name):
    try:
        with open(f"{out}/{name}.tsv") as fh:
            return [tuple(float(x) for x in l.split("\t")) for l in fh if l.strip()]
    except FileNotFoundError:
        return []
labels = {"fnwarden": f"fnwarden {mode} (SigmaHQ cloud + built-in)", "jq": "jq, one Lambda filter",
          "rsigma": "rsigma-eval 0.23, 1 thread", "rsigma2": "rsigma-eval 0.23, 2 threads"}
best = {}
print(f"summary: events/s = records / wall time of the whole process (start-up and rule loading included);")
print(f"best and median of the rounds; peak RSS at {small} and {size}")
print(f"{'':<44} {'best ev/s':>10} {'median ev/s':>12} {'RSS '+small:>10} {'RSS '+size:>10} {'growth':>7}")
for n, label in labels.items():
    r = rows(n)
    if not r:
        continue
    secs = [x[0] for x in r]
    best[n] = nbig / min(secs)
    med = nbig / statistics.median(secs)
    rss_big = max(x[1] for x in r) / 1024
    s = rows(n + "-small")
    rss_small = s[0][1] / 1024 if s else float("nan")
    print(f"{label:<44} {best[n]:>10.0f} {med:>12.0f} {rss_small:>8.1f}MiB {rss_big:>8.1f}MiB {rss_big / rss_small:>6.2f}x")
def verdict(ok):
    return "met" if ok else "NOT met"
if "fnwarden" in best and "jq" in best:
    q = best["fnwarden"] / best["jq"]
    print(f"fnwarden / jq:                    {q:6.2f}x   (target >= 20x: {verdict(q >= 20)})")
for k, label in (("rsigma", "1 thread"), ("rsigma2", "2 threads")):
    if "fnwarden" in best and k in best:
        q = best["fnwarden"] / best[k]
        print(f"fnwarden / rsigma-eval {label:<9}: {q:6.2f}x   (target > 1x: {verdict(q > 1)})")
r, s = rows("fnwarden"), rows("fnwarden-small")
if r and s:
    g = max(x[1] for x in r) / s[0][1]
    print(f"fnwarden peak RSS {small} -> {size}: {s[0][1]/1024:.1f} -> {max(x[1] for x in r)/1024:.1f} MiB, x{g:.2f} for x{nbig/nlil:.1f} the records "
          f"(flat memory, growth under 1.25x: {verdict(g < 1.25)})")
for n in ("fnwarden", "rsigma"):
    d, ds = rows(n + "-dense"), rows(n + "-dense-small")
    if d and ds:
        print(f"{n} peak RSS with the records over {dense} days, {small} -> {size}: {ds[0][1]/1024:.1f} -> {d[0][1]/1024:.1f} MiB, "
              f"x{d[0][1]/ds[0][1]:.2f} (flat, growth under 1.25x: {verdict(d[0][1]/ds[0][1] < 1.25)}); "
              f"{ndense / d[0][0]:.0f} events/s on the {size} one")
if mode != "logs":
    print("NOTE: detect fallback: these fnwarden figures are not those of `fnwarden logs`.")
EOF
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"

if [ -n "$stages_bin" ]; then
    echo
    echo "== where fnwarden logs' time goes (bench/logs/reader, its reader in-process, one thread) =="
    echo "$stages_bin FILE --rules $rules --rounds $rounds    (SigmaHQ cloud + built-in, as the CLI)"
    "$stages_bin" "$big" --rules "$rules" --rounds "$rounds"
    echo "$stages_bin FILE --rules $rules --no-builtin --rounds 1    (SigmaHQ cloud alone)"
    "$stages_bin" "$big" --rules "$rules" --no-builtin --rounds 1 | tail -3
    echo "$stages_bin FILE --rounds 1    (built-in pack alone)"
    "$stages_bin" "$big" --rounds 1 | tail -3
fi

if [ "$engines" = 1 ]; then
    echo
    echo "== engines in one process (bench/compare-sigma cloudtrail): same rules, same file, same parsing =="
    only=parse,fnwarden,fnwarden-builtin,rsigma,rsigma-all,fnwarden-mt,rsigma-mt
    echo "$cmp_bin cloudtrail FILE --rounds $rounds --threads 2 --builtin --only $only"
    "$cmp_bin" cloudtrail "$big" --rounds "$rounds" --threads 2 --builtin --only "$only"
fi
