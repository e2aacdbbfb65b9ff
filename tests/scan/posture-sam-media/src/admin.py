import json


def handler(event, context):
    action = event.get("action", "status")
    if action not in ("status", "ping"):
        return {"ok": False, "error": "unsupported action"}
    return {"ok": True, "action": action, "request": context.aws_request_id}
