"""Thumbnails for images uploaded to the media bucket (S3 ObjectCreated)."""
import json
import os
import urllib.parse

import boto3

from lib.imaging import make_thumbnail

s3 = boto3.client("s3")
OUT_BUCKET = os.environ.get("OUT_BUCKET", "media-thumbs")


def lambda_handler(event, context):
    results = []
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
        local = "/tmp/" + key
        s3.download_file(bucket, key, local)
        thumb = make_thumbnail(local, width=128)
        s3.upload_file(thumb, OUT_BUCKET, "thumbs/" + os.path.basename(key))
        results.append(key)
    return {"statusCode": 200, "body": json.dumps(results)}
