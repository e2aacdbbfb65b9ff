"""Benign handler served by the custom runtime in ./bootstrap."""
import platform


def handler(event, context):
    name = event.get("name", "world") if isinstance(event, dict) else "world"
    return {"greeting": "Hello, %s, from a custom runtime!" % name,
            "python": platform.python_version(), "request_id": context.aws_request_id}
