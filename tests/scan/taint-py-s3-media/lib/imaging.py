import os
import shlex
import subprocess
import uuid


def make_thumbnail(path, width):
    out = path + ".thumb.png"
    cmd = "convert {} -resize {}x {}".format(path, width, out)
    subprocess.check_call(cmd, shell=True)
    return out


def make_thumbnail_quoted(path, width):
    out = "/tmp/" + str(uuid.uuid4()) + ".png"
    subprocess.check_call("convert " + shlex.quote(path) + " -resize 128x " + out, shell=True)
    os.system("rm -f " + out)
    return out
