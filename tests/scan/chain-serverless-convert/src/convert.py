import json
import subprocess

from src.storage import download


def handler(event, context):
    body = json.loads(event["body"])
    source = download(body["key"])
    target = body.get("format", "pdf")
    cmd = f"soffice --headless --convert-to {target} {source}"
    subprocess.run(cmd, shell=True, check=True)
    return {"statusCode": 200, "body": json.dumps({"converted": source})}
