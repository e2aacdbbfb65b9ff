"""Runs bench-files-python's handler on the host, outside the sandbox, so that plain Python and
ptrace-based tracers (strace) can be timed on exactly the loop the sandbox runs.

usage: files_host.py FUNCTION_DIR COUNT REPS

Imports FUNCTION_DIR/app.py (the example itself, not a copy) and calls its handler REPS times
with {"count": COUNT}, printing each result as one JSON line. The handler times its own
create+delete loop (total_s), so interpreter start-up and tracer attach are not counted."""
import importlib.util
import json
import os
import sys


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    fn_dir, count, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    spec = importlib.util.spec_from_file_location("bench_app", os.path.join(fn_dir, "app.py"))
    app = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(app)
    for _ in range(reps):
        print(json.dumps(app.handler({"count": count}, None)), flush=True)


main()
