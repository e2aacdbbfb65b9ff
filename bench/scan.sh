#!/usr/bin/env bash
# `fnwarden scan` against Semgrep (its public aws-lambda rules) and Checkov, side by side in one
# run on the same generated serverless monorepos.
#
#   bash bench/scan.sh [--sizes 1000,100000] [--runs 3] [--large-runs 1] [--data DIR]
#                      [--tools fnwarden,semgrep,checkov,checkov-all] [--timeout 600]
#                      [--large-timeout 3600] [--regen]
#
# For each size, builds (once, in DIR, default /tmp/fnwarden-bench; never in the repository) a
# monorepo of that many files with bench/gen_scan_corpus.py and its ground truth, then runs the
# tools interleaved (fnwarden, semgrep, checkov, checkov-all, fnwarden, …), --runs rounds for
# corpora up to 10,000 files and --large-runs rounds above, each as its own process under
# /usr/bin/time -v (wall time, peak RSS) and `timeout` (--timeout / --large-timeout seconds; a
# tool that runs out is reported as "did not finish in N s"). The medians and the planted
# problems each tool found, by class (bench/scan_score.py), are printed as tables.
#
#   fnwarden     target/release/fnwarden scan DIR --format json -o OUT   (FNWARDEN=path picks
#                another binary; without it, `cargo build --release -p fnwarden` when the binary
#                is missing or has no `scan`)
#   semgrep      semgrep scan --config RULES --metrics=off --disable-version-check --jobs 2
#                --json -o OUT DIR    (PyPI `semgrep` in $VENVS/semgrep-venv)
#   checkov      checkov -d DIR --framework serverless cloudformation terraform secrets
#                --quiet --compact -o json --skip-download   (PyPI `checkov` in $VENVS/checkov-venv)
#   checkov-all  the same with --enable-secret-scan-all-files (secrets in code files too; by
#                default Checkov's secrets scan reads only IaC files)
#
# Both peers are installed from PyPI into venvs outside the repository (VENVS, default
# /opt/fnwarden-bench) when missing. Every tool gets the same 2 cores.
#
# Semgrep's rules: SEMGREP_RULES=DIR points at a copy of the aws-lambda rules of the public
# semgrep-rules repository (the files under python/aws-lambda, javascript/aws-lambda,
# go/aws-lambda, java/aws-lambda and ruby/aws-lambda: the content of the registry's
# `p/aws-lambda` pack), kept outside this repository; we do not ship other projects' rules.
# Get them with `git clone https://github.com/semgrep/semgrep-rules` and copy those five
# aws-lambda folders (their .yaml rules; the test programs beside them are not needed) into a
# folder of their own, then point SEMGREP_RULES at it. Default: $VENVS/semgrep-aws-lambda-rules
# when it exists, otherwise `--config p/aws-lambda` (fetched from semgrep.dev).
set -euo pipefail

# The whole script is one function, read before it runs: editing the file during a long run
# cannot change the run.
main() {
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
data=/tmp/fnwarden-bench
sizes=1000,100000
runs=3
large_runs=1
tools=fnwarden,semgrep,checkov,checkov-all
timeout_small=600
timeout_large=3600
regen=0
while [ $# -gt 0 ]; do
    case "$1" in
        --sizes) sizes="$2"; shift 2 ;;
        --runs) runs="$2"; shift 2 ;;
        --large-runs) large_runs="$2"; shift 2 ;;
        --data) data="$2"; shift 2 ;;
        --tools) tools="$2"; shift 2 ;;
        --timeout) timeout_small="$2"; shift 2 ;;
        --large-timeout) timeout_large="$2"; shift 2 ;;
        --regen) regen=1; shift ;;
        -h|--help) sed -n '2,40p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
case "$(realpath -m "$data")/" in
    "$repo"/*) echo "--data must be outside the repository" >&2; exit 2 ;;
esac
venvs="${VENVS:-/opt/fnwarden-bench}"
# no update checks or metrics: the only traffic is the package install
export SEMGREP_ENABLE_VERSION_CHECK=0 SEMGREP_SEND_METRICS=off
has() { case ",$tools," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo) RAM, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "started: $(date -u '+%Y-%m-%d %H:%M:%S UTC'), commit $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$repo" diff --quiet 2>/dev/null || echo ' (uncommitted changes)')"

# --- tools -------------------------------------------------------------------------------------
if [ ! -x /usr/bin/time ]; then
    echo "/usr/bin/time is missing; installing the Debian package 'time'" >&2
    apt-get install -y time >/dev/null
fi
venv_tool() { # name package
    local dir="$venvs/$1-venv"
    if [ ! -x "$dir/bin/$1" ]; then
        echo "installing $2 from PyPI into $dir" >&2
        python3 -m venv "$dir"
        "$dir/bin/pip" install --quiet "$2"
    fi
}
if has semgrep; then
    venv_tool semgrep semgrep
    semgrep="$venvs/semgrep-venv/bin/semgrep"
    rules="${SEMGREP_RULES:-$venvs/semgrep-aws-lambda-rules}"
    if [ -d "$rules" ]; then
        sg_config=("--config" "$rules")
        echo "semgrep: $("$semgrep" --version --disable-version-check 2>/dev/null), rules $rules ($(find "$rules" -name '*.yaml' | wc -l) files)"
    else
        sg_config=("--config" "p/aws-lambda")
        echo "semgrep: $("$semgrep" --version --disable-version-check 2>/dev/null), rules p/aws-lambda from the registry"
    fi
fi
if has checkov || has checkov-all; then
    venv_tool checkov checkov
    checkov="$venvs/checkov-venv/bin/checkov"
    echo "checkov: $("$checkov" --version 2>/dev/null)"
fi
if has fnwarden; then
    fnw="${FNWARDEN:-$repo/target/release/fnwarden}"
    if [ -z "${FNWARDEN:-}" ] && { [ ! -x "$fnw" ] || ! "$fnw" scan --help >/dev/null 2>&1; }; then
        echo "building $fnw (cargo build --release -p fnwarden)" >&2
        (cd "$repo" && cargo build --release -p fnwarden)
    fi
    if ! "$fnw" scan --help >/dev/null 2>&1; then
        echo "fnwarden at $fnw has no 'scan' command; leaving it out" >&2
        tools="$(echo ",$tools," | sed 's/,fnwarden,/,/; s/^,//; s/,$//')"
    else
        echo "fnwarden: $("$fnw" --version 2>/dev/null || echo "$fnw")"
    fi
fi
mkdir -p "$data/out"

# One measured run: tool, corpus dir, report path, timeout; appends "tool wall rss status" to $times.
run_tool() {
    local tool="$1" dir="$2" out="$3" limit="$4" tf rc=0
    tf="$(mktemp)"
    rm -f "$out"
    case "$tool" in
        fnwarden)
            /usr/bin/time -v -o "$tf" timeout "$limit" "$fnw" scan "$dir" --format json -o "$out" >"$out.log" 2>&1 || rc=$? ;;
        semgrep)
            /usr/bin/time -v -o "$tf" timeout "$limit" "$semgrep" scan "${sg_config[@]}" --metrics=off --disable-version-check --jobs 2 \
                --json -o "$out" -q "$dir" >"$out.log" 2>&1 || rc=$? ;;
        checkov|checkov-all)
            local extra=()
            [ "$tool" = checkov-all ] && extra=(--enable-secret-scan-all-files)
            /usr/bin/time -v -o "$tf" timeout "$limit" "$checkov" -d "$dir" --framework serverless cloudformation terraform secrets \
                --quiet --compact -o json --skip-download "${extra[@]}" >"$out" 2>"$out.log" || rc=$? ;;
    esac
    local wall rss status
    wall="$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$tf")"
    rss="$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tf")"
    rm -f "$tf"
    if [ "$rc" = 124 ]; then
        status="did not finish in ${limit} s"
        rm -f "$out"
    elif [ -s "$out" ]; then
        status=ok
    else
        status="failed, exit $rc"
    fi
    printf '%s\t%s\t%s\t%s\n' "$tool" "$wall" "$rss" "$status" >>"$times"
    printf '  %-12s %8s s %8s KiB  %s\n' "$tool" "$wall" "$rss" "$status"
}

IFS=, read -r -a size_list <<<"$sizes"
IFS=, read -r -a tool_list <<<"$tools"
for n in "${size_list[@]}"; do
    corpus="$data/scan-$n"
    if [ "$regen" = 1 ] || [ ! -f "$corpus.truth.json" ]; then
        python3 "$here/gen_scan_corpus.py" --files "$n" --out "$corpus"
    fi
    if [ "$n" -le 10000 ]; then r="$runs"; limit="$timeout_small"; else r="$large_runs"; limit="$timeout_large"; fi
    times="$data/out/times-$n.tsv"
    : >"$times"
    echo
    echo "== corpus $corpus: $(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print('%d files, %.1f MB' % (d['files'], d['bytes']/1e6))" "$corpus.truth.json"), $r round(s), timeout $limit s"
    for ((i = 1; i <= r; i++)); do
        echo "round $i (load average $(cut -d' ' -f1-3 /proc/loadavg))"
        for tool in "${tool_list[@]}"; do
            # checkov-all costs a lot on large trees; its recall is measured on the small corpora
            if [ "$tool" = checkov-all ] && [ "$n" -gt 10000 ]; then continue; fi
            run_tool "$tool" "$corpus" "$data/out/$tool-$n.json" "$limit"
        done
    done
    # medians per tool (a run that did not finish counts as its time limit)
    python3 - "$times" >"$data/out/median-$n.tsv" <<'EOF'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    t, wall, rss, status = line.rstrip("\n").split("\t")
    rows.setdefault(t, []).append((float(wall or 0), int(rss or 0), status))
for t, rs in rows.items():
    ok = [r for r in rs if r[2] == "ok"]
    use = ok or rs
    status = "ok" if ok else rs[-1][2]
    print("%s\t%.2f\t%d\t%s" % (t, statistics.median(r[0] for r in use), statistics.median(r[1] for r in use), status))
EOF
    args=(--truth "$corpus.truth.json" --times "$data/out/median-$n.tsv" --json "$data/out/score-$n.json")
    for tool in "${tool_list[@]}"; do
        f="$data/out/$tool-$n.json"
        case "$tool" in
            fnwarden) [ -s "$f" ] && args+=(--fnwarden "$f") ;;
            semgrep) [ -s "$f" ] && args+=(--semgrep "$f") ;;
            checkov) [ -s "$f" ] && args+=(--checkov "$f") ;;
            checkov-all) [ -s "$f" ] && args+=(--checkov-all "$f") ;;
        esac
    done
    echo
    python3 "$here/scan_score.py" "${args[@]}"
done

if has fnwarden && [ "${#size_list[@]}" -gt 1 ]; then
    echo
    echo "fnwarden peak RSS by corpus size (memory boundedness):"
    for n in "${size_list[@]}"; do
        awk -F'\t' -v n="$n" '$1 == "fnwarden" {printf "  %8d files: %.0f MB\n", n, $3/1024}' "$data/out/median-$n.tsv"
    done
fi
echo "finished: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
}

main "$@"
