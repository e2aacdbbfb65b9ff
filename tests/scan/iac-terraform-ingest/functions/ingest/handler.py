import json
import os

import boto3

sqs = boto3.client("sqs")
QUEUE_URL = os.environ["QUEUE_URL"]


def main(event, context):
    forwarded = 0
    for record in event.get("Records", []):
        key = record["s3"]["object"]["key"]
        sqs.send_message(QueueUrl=QUEUE_URL, MessageBody=json.dumps({"key": key}))
        forwarded += 1
    return {"forwarded": forwarded}
