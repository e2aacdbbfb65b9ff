"""Nightly CSV batch: everything here is the ordinary, safe way to do what the hijack
rules look for, and none of it is reported."""
import csv
import io
import json
import os
import subprocess
import tempfile

REGION = os.environ.get("AWS_REGION", "eu-west-1")
TABLE = os.environ.get("TABLE_NAME", "reports")
# Knowing whether we are inside Lambda is fine; talking to the Runtime API is not.
ON_LAMBDA = bool(os.environ.get("AWS_LAMBDA_RUNTIME_API"))
SCRATCH = os.path.join(tempfile.gettempdir(), "batch")


def cpu_count():
    with open("/proc/cpuinfo") as fh:
        return sum(1 for line in fh if line.startswith("processor"))


def write_rows(rows):
    os.makedirs(SCRATCH, exist_ok=True)
    path = os.path.join(SCRATCH, "rows.csv")
    with open(path, "w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    os.chmod(path, 0o640)
    with open(path) as fh:
        return fh.read()


def compress(path):
    result = subprocess.run(["/var/task/bin/zstd", "-q", path], capture_output=True, check=True)
    return result.returncode


def convert(text):
    proc = subprocess.Popen(["/var/task/bin/iconv", "-f", "latin1"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    out, _ = proc.communicate(text.encode(), timeout=30)
    return out


def handler(event, context):
    rows = [["region", REGION], ["table", TABLE], ["cpus", cpu_count()]]
    text = write_rows(rows)
    compress(os.path.join(SCRATCH, "rows.csv"))
    converted = convert(text)
    buf = io.StringIO()
    json.dump({"bytes": len(converted), "on_lambda": ON_LAMBDA}, buf)
    return {"statusCode": 200, "body": buf.getvalue()}
