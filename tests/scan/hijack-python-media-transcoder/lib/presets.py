"""Encoding presets shipped with the function."""
import os
import subprocess

DEFAULT = "720p"


def probe_tool():
    # Legitimate: a tool from the deployment package, waited for.
    out = subprocess.run(["/var/task/bin/ffprobe", "-version"], capture_output=True, check=True)
    return out.stdout


def render_script(lines):
    # Legitimate: a shell script written and run in the same call, not reused.
    path = "/tmp/render.sh"
    with open(path, "w") as fh:
        fh.write("\n".join(lines))
    os.chmod(path, 0o600)
    return subprocess.run(["sh", "/tmp/render.sh"], check=True)
