import json
import os
import subprocess


def handler(event, context):
    for record in event["Records"]:
        job = json.loads(record["body"])
        # The job's tool name comes from our own queue producer, which validates it.
        # fnwarden-ignore: fnw-scan-inj-command -- producer validates against TOOLS (JIRA-4411)
        subprocess.run(job["tool"] + " --version", shell=True, check=True)
        os.system("echo " + job["name"])  # fnwarden-ignore: fnw-scan-inj-eval -- wrong rule: stays reported
        subprocess.call(job["args"], shell=True)  # fnwarden-ignore
    return {"ok": True}
