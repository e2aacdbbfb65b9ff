"""Thumbnail and preview generator.

Caches a static ffmpeg build and a pickled model in /tmp across warm invocations, which
lets whatever an earlier invocation left there run with this one.
"""
import json
import os
import pickle
import shutil
import subprocess
import tempfile

from lib import presets

FFMPEG = os.path.join(tempfile.gettempdir(), "ffmpeg")
MODEL_CACHE = "/tmp/scene-model.pkl"
STATE = "/tmp/last-run.json"


def _ffmpeg():
    if not os.path.exists(FFMPEG):
        shutil.copy("/var/task/bin/ffmpeg", FFMPEG)
        os.chmod(FFMPEG, 0o755)
    return FFMPEG


def _model():
    if os.path.exists(MODEL_CACHE):
        with open(MODEL_CACHE, "rb") as fh:
            return pickle.load(fh)
    with open("/var/task/models/scene.pkl", "rb") as fh:
        model = pickle.load(fh)
    with open(MODEL_CACHE, "wb") as fh:
        pickle.dump(model, fh)
    return model


def _remember(run):
    # Legitimate: plain data written and read back in the same invocation.
    with open(STATE, "w") as fh:
        json.dump(run, fh)
    with open(STATE) as fh:
        return json.load(fh)


def handler(event, context):
    binary = _ffmpeg()
    version = subprocess.run([binary, "-version"], capture_output=True, check=True).stdout
    model = _model()
    run = _remember({"ffmpeg": version.decode()[:40], "model": type(model).__name__, "preset": presets.DEFAULT})
    return {"statusCode": 200, "body": json.dumps(run)}
