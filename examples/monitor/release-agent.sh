#!/bin/sh
# Writes a release_agent file, as the cgroup v1 escape (CVE-2022-0492) does; the file lives in a
# temporary directory, so nothing on the host changes even without the monitor.
dir=$(mktemp -d)
: > "$dir/release_agent"
echo "/tmp/payload" > "$dir/release_agent"
echo "still alive; release_agent now holds: $(cat "$dir/release_agent")"
rm -rf "$dir"
