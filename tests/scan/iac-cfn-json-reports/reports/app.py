import base64
import csv
import io
import json
import os

FORMAT = os.environ.get("REPORT_FORMAT", "csv")


def handler(event, context):
    rows = []
    for record in event.get("Records", []):
        data = json.loads(base64.b64decode(record["kinesis"]["data"]))
        rows.append((data.get("page", "/"), int(data.get("ms", 0))))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["page", "ms"])
    writer.writerows(rows)
    return {"format": FORMAT, "rows": len(rows), "report": out.getvalue()}
