"""Report jobs arrive on an SQS queue; each message says how to build the report."""
import base64
import json
import pickle

import yaml

from formulas import apply_formula

DEFAULTS = yaml.safe_load("columns: [id, total]")


def process(event, context):
    done = 0
    for record in event["Records"]:
        job = json.loads(record["body"])
        options = yaml.load(job.get("options", ""), Loader=yaml.Loader)
        state = pickle.loads(base64.b64decode(job["state"]))
        settings = yaml.load(job.get("settings", ""), Loader=yaml.SafeLoader)
        total = apply_formula(job["formula"], state)
        done += 1
    return {"processed": done}


def warmup(event, context):
    # Constant expressions only: nothing here comes from the message.
    expression = "2" + " * " + "21"
    return eval(expression)
