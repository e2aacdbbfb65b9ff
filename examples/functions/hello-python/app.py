"""Benign: greets whoever the event names."""
import json


def handler(event, context):
    name = "world"
    if isinstance(event, dict) and event.get("name"):
        name = str(event["name"])[:100]
    message = "Hello, %s!" % name
    print(json.dumps({"level": "INFO", "message": message,
                      "requestId": getattr(context, "aws_request_id", None)}))
    return {"greeting": message}
