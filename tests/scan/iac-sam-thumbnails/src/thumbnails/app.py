import os
import urllib.parse

import boto3

s3 = boto3.client("s3")
PREFIX = os.environ.get("OUTPUT_PREFIX", "thumbs/")


def lambda_handler(event, context):
    done = []
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
        if key.startswith(PREFIX):
            continue
        target = PREFIX + os.path.basename(key)
        s3.copy_object(Bucket=bucket, Key=target, CopySource={"Bucket": bucket, "Key": key})
        done.append(target)
    return {"written": done}
