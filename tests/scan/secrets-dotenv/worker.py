"""Resizes uploaded images; credentials come from the environment loaded from .env."""
import os

import boto3

s3 = boto3.client("s3", region_name=os.environ["AWS_REGION"])
SIZES = (128, 512, 1024)


def lambda_handler(event, context):
    names = [r["s3"]["object"]["key"] for r in event.get("Records", [])]
    images = [n for n in names if n.endswith((".jpg", ".png"))]
    return {"images": len(images), "sizes": SIZES}
