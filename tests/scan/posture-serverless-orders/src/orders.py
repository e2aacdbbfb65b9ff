import json
import os
import uuid
from decimal import Decimal

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def _response(status, body):
    return {"statusCode": status, "headers": {"content-type": "application/json"}, "body": json.dumps(body, default=str)}


def create(event, context):
    order = json.loads(event.get("body") or "{}")
    item = {
        "id": str(uuid.uuid4()),
        "sku": str(order.get("sku", ""))[:64],
        "quantity": int(order.get("quantity", 1)),
        "price": Decimal(str(order.get("price", "0"))),
    }
    TABLE.put_item(Item=item)
    return _response(201, {"id": item["id"]})


def list(event, context):
    page = TABLE.scan(Limit=50)
    return _response(200, {"orders": page.get("Items", [])})
