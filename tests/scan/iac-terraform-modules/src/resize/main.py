import json
import os

MAX_PIXELS = int(os.environ.get("MAX_PIXELS", "40000000"))


def handler(event, context):
    jobs = []
    for record in event.get("Records", []):
        message = json.loads(record["Sns"]["Message"])
        width, height = int(message.get("w", 0)), int(message.get("h", 0))
        if width * height <= MAX_PIXELS:
            jobs.append({"key": message.get("key"), "w": width, "h": height})
    return {"accepted": len(jobs)}
