#!/usr/bin/env bash
# fnwarden against rsigma-eval on SigmaHQ's Linux rules and fnwarden's benchmark event mix, in one
# run: builds bench/compare-sigma (release, its own workspace and lock file) and prints the figures
# that docs/benchmarks.md records. Needs ../shared (SigmaHQ rules) beside the repository.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
rules="$here/../../shared/datasets/sigma/linux"
if [ ! -d "$rules" ]; then
    echo "note: $rules not found; nothing to compare"
    exit 0
fi
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
exec cargo run --release --locked --quiet --manifest-path "$here/compare-sigma/Cargo.toml" -- "$@"
