import json
import logging

logger = logging.getLogger()
logger.setLevel(logging.INFO)


def handler(event, context):
    failures = []
    for record in event.get("Records", []):
        try:
            order = json.loads(record["body"])
            logger.info("fulfilling order %s", order.get("id"))
        except (KeyError, ValueError):
            failures.append({"itemIdentifier": record.get("messageId")})
    return {"batchItemFailures": failures}
