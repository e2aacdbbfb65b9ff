import os

import boto3

s3 = boto3.client("s3")
BUCKET = os.environ.get("BUCKET", "convert-inbox")


def download(key):
    local = "/tmp/" + os.path.basename(key)
    s3.download_file(BUCKET, key, local)
    return local
