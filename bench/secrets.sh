#!/usr/bin/env bash
# Secrets matching, side by side in one run on the same generated corpus: fnwarden-secrets
# (one core) against detect-secrets (Yelp, PyPI, one core: `-c 1`). Prints the throughput of
# each and the ratio, on realistic source text and on a keyword-dense worst case, then the
# findings each reports on a planted set of fake secrets.
#
#   bash bench/secrets.sh                 # 16 MB realistic, 4 MB dense
#   MB=64 DENSE_MB=16 bash bench/secrets.sh
#
# detect-secrets is installed into a venv under /tmp on first use (VENV to reuse another).
set -euo pipefail
cd "$(dirname "$0")/.."

MB=${MB:-16}
DENSE_MB=${DENSE_MB:-4}
RUNS=${RUNS:-5}
CORPUS=${CORPUS:-/tmp/fnw-secrets-corpus}
VENV=${VENV:-/tmp/fnw-detect-secrets-venv}
DETECT_SECRETS_VERSION=${DETECT_SECRETS_VERSION:-1.5.0}

if [ ! -x "$VENV/bin/detect-secrets" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet "detect-secrets==$DETECT_SECRETS_VERSION"
fi

cargo build --quiet --profile bench -p fnwarden-secrets --example secrets-bench
BIN=${CARGO_TARGET_DIR:-target}/release/examples/secrets-bench

rm -rf "$CORPUS"
"$BIN" gen "$CORPUS" "$MB" "$DENSE_MB"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "detect-secrets $("$VENV/bin/detect-secrets" --version), fnwarden-secrets $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
printf '%-10s %6s | %-23s | %-23s | %s\n' corpus MB "fnwarden MB/s wall/cpu" "detect-secrets wall/cpu" "ratio wall/cpu"

# fnwarden: best of RUNS (matching only: files are read before its clocks start; wall and
# on-CPU time of its one thread). detect-secrets: once, one core (`-c 1`), timed around the whole
# command (it reads, matches and writes JSON), wall and user+system CPU. detect-secrets must be
# given a relative path: with an absolute one it silently scans nothing.
fnw_rates() {
    local best_wall=0 best_cpu=0 line
    for _ in $(seq "$RUNS"); do
        line=$("$BIN" scan "$1" | grep '^files ')
        best_wall=$(echo "$line" | awk -v a="$best_wall" '{print ($8 > a) ? $8 : a}')
        best_cpu=$(echo "$line" | awk -v a="$best_cpu" '{print ($14 > a) ? $14 : a}')
    done
    echo "$best_wall $best_cpu"
}

ds_scan() { # <set> <json out>: prints "wall cpu" seconds
    (cd "$CORPUS" && /usr/bin/time -f '%e %U %S' -o /tmp/fnw-ds-time "$VENV/bin/detect-secrets" -c 1 scan --all-files "$1" > "$2")
    awk '{printf "%s %s\n", $1, $2 + $3}' /tmp/fnw-ds-time
}

for set in realistic dense; do
    bytes=$(find "$CORPUS/$set" -type f -printf '%s\n' | awk '{s+=$1} END{print s}')
    read -r fw fc < <(fnw_rates "$CORPUS/$set")
    read -r dw dc < <(ds_scan "$set" "/tmp/fnw-ds-$set.json")
    awk -v b="$bytes" -v set="$set" -v fw="$fw" -v fc="$fc" -v dw="$dw" -v dc="$dc" 'BEGIN{
        mb = b / 1e6; dsw = mb / dw; dsc = mb / dc;
        printf "%-10s %6.1f | %10.1f / %-10.1f | %10.2f / %-10.2f | %.0fx / %.0fx\n", set, mb, fw, fc, dsw, dsc, fw / dsw, fc / dsc }'
done

count_ds() { python3 -c 'import json,sys; print(sum(sum(len(v) for v in json.load(open(f))["results"].values()) for f in sys.argv[1:]))' "$@"; }
fnw_found=$("$BIN" scan "$CORPUS/planted" | awk '/^files /{print $10}')
ds_scan planted /tmp/fnw-ds-planted.json > /dev/null
fnw_lines=$("$BIN" scan "$CORPUS/planted" | awk '/^finding /{split($3, a, ":"); print a[1] ":" a[2]}' | sort -u | wc -l)
ds_lines=$(python3 -c 'import json,sys; print(len({(f, r["line_number"]) for f, rs in json.load(open(sys.argv[1]))["results"].items() for r in rs}))' /tmp/fnw-ds-planted.json)
echo "planted: 13 fake secrets on 13 lines of 12 files"
echo "  fnwarden: $fnw_found findings on $fnw_lines lines; detect-secrets: $(count_ds /tmp/fnw-ds-planted.json) findings on $ds_lines lines"
echo "fnwarden on planted:"
"$BIN" scan "$CORPUS/planted" | grep '^finding' | sed 's/^finding /  /'
echo "detect-secrets on planted:"
python3 -c 'import json,sys
for f, rs in sorted(json.load(open(sys.argv[1]))["results"].items()):
    for r in rs: print("  %s:%d %s" % (f, r["line_number"], r["type"]))' /tmp/fnw-ds-planted.json
# The realistic and dense sets hold no secret: whatever either tool reports there is a false positive.
fnw_fp=0
for set in realistic dense; do fnw_fp=$((fnw_fp + $("$BIN" scan "$CORPUS/$set" | awk '/^files /{print $10}'))); done
echo "false positives on realistic + dense: fnwarden $fnw_fp, detect-secrets $(count_ds /tmp/fnw-ds-realistic.json /tmp/fnw-ds-dense.json)"
