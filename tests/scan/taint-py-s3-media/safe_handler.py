"""The same pipeline written safely: generated local names, quoted arguments."""
import os
import uuid

import boto3

from lib.imaging import make_thumbnail_quoted

s3 = boto3.client("s3")


def safe_handler(event, context):
    for record in event["Records"]:
        key = record["s3"]["object"]["key"]
        local = os.path.join("/tmp", str(uuid.uuid4()))
        s3.download_file(record["s3"]["bucket"]["name"], key, local)
        make_thumbnail_quoted(local, 128)
        with open(local, "rb") as f:
            f.read(16)
        os.system("rm -f " + local)
