import json
import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ.get("TABLE", "catalogue"))


def handler(event, context):
    path = event.get("path") or event.get("rawPath", "")
    if path == "/health":
        return {"statusCode": 200, "body": "ok"}
    items = table.scan(Limit=25).get("Items", [])
    return {"statusCode": 200, "body": json.dumps(items, default=str)}
