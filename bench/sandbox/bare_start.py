"""Bare interpreter cold starts on the host, in milliseconds, one per line.

usage: bare_start.py bootstrap BOOTSTRAP FUNCTION_DIR HANDLER N
       bare_start.py imports N

`bootstrap` measures the way the sandbox measures init_ms: from spawning `/usr/bin/python3
BOOTSTRAP` to its first HTTP request (the Runtime API's /next poll). It listens on 127.0.0.1 (run
it in its own network namespace with lo up), starts the bootstrap N times one after another with
the Lambda environment the sandbox gives it, and times each first request line. The child is killed once it has asked; no
event is ever served. PYTHONDONTWRITEBYTECODE keeps the handler's directory untouched, as the
sandbox's read-only /var/task does.

`imports` is the rougher proxy: spawning `/usr/bin/python3 -c 'import <the bootstrap's modules>'`
until it exits."""
import os
import socket
import subprocess
import sys
import time


IMPORTS = "import json, urllib.request, os, sys, traceback, importlib"


def imports(n):
    for _ in range(n):
        t0 = time.perf_counter()
        subprocess.run(["/usr/bin/python3", "-c", IMPORTS], check=True)
        print("%.3f" % ((time.perf_counter() - t0) * 1000.0), flush=True)


def bootstrap_start(bootstrap, fn_dir, handler, n):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    server.settimeout(30)  # a bootstrap that dies before asking must not hang the benchmark
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:%d" % server.getsockname()[1],
        "_HANDLER": handler,
        "LAMBDA_TASK_ROOT": fn_dir,
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    for _ in range(n):
        t0 = time.perf_counter()
        child = subprocess.Popen(["/usr/bin/python3", bootstrap], env=env, cwd=fn_dir,
                                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        conn, _ = server.accept()
        request = b""
        while b"\r\n" not in request:
            chunk = conn.recv(4096)
            if not chunk:
                break
            request += chunk
        elapsed = (time.perf_counter() - t0) * 1000.0
        # Killed before the connection closes, so it dies waiting rather than with a traceback.
        child.kill()
        child.wait()
        conn.close()
        if b"/runtime/invocation/next" not in request.split(b"\r\n", 1)[0]:
            sys.exit("bare_start: unexpected first request %r" % request[:80])
        print("%.3f" % elapsed, flush=True)


def main():
    args = sys.argv[1:]
    if len(args) == 5 and args[0] == "bootstrap":
        bootstrap_start(os.path.abspath(args[1]), os.path.abspath(args[2]), args[3], int(args[4]))
    elif len(args) == 2 and args[0] == "imports":
        imports(int(args[1]))
    else:
        sys.exit(__doc__)


main()
