import json


def handler(event, context):
    sizes = []
    for record in event.get("Records", []):
        job = json.loads(record["body"])
        sizes.append(int(job.get("width", 128)))
    return {"resized": len(sizes)}
