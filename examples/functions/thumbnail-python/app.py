"""Benign and realistic: makes a thumbnail of an image shipped with the function.

It reads a PPM image from the deployment package, scales it down with a box filter, writes the
thumbnail to a temporary file in /tmp, reads it back to check it, deletes it and returns JSON
metadata. Standard library only.
"""
import hashlib
import json
import logging
import os
import tempfile
import time

log = logging.getLogger()
log.setLevel(logging.INFO)
if not log.handlers:
    logging.basicConfig(level=logging.INFO)

TASK_ROOT = os.environ.get("LAMBDA_TASK_ROOT") or os.path.dirname(os.path.abspath(__file__))
MAX_SIDE = 256


def read_ppm(path):
    """Parses a P3 (text) or P6 (binary) PPM file into (width, height, [(r, g, b), ...])."""
    with open(path, "rb") as f:
        data = f.read()
    tokens, pos = [], 0
    # Header: magic, width, height, maxval; '#' starts a comment.
    while len(tokens) < 4:
        while pos < len(data) and data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        start = pos
        while pos < len(data) and not data[pos:pos + 1].isspace():
            pos += 1
        tokens.append(data[start:pos])
    magic, width, height, maxval = tokens[0], int(tokens[1]), int(tokens[2]), int(tokens[3])
    if maxval != 255 or width < 1 or height < 1:
        raise ValueError("unsupported PPM: maxval %d, %dx%d" % (maxval, width, height))
    if magic == b"P6":
        raw = data[pos + 1:pos + 1 + 3 * width * height]
        values = list(raw)
    elif magic == b"P3":
        values = [int(v) for v in data[pos:].split() if not v.startswith(b"#")]
    else:
        raise ValueError("not a PPM image")
    if len(values) < 3 * width * height:
        raise ValueError("truncated image")
    pixels = [tuple(values[i:i + 3]) for i in range(0, 3 * width * height, 3)]
    return width, height, pixels


def thumbnail(width, height, pixels, tw, th):
    """Box-filter downscale to tw x th."""
    out = []
    for ty in range(th):
        y0, y1 = ty * height // th, max(ty * height // th + 1, (ty + 1) * height // th)
        for tx in range(tw):
            x0, x1 = tx * width // tw, max(tx * width // tw + 1, (tx + 1) * width // tw)
            acc, n = [0, 0, 0], 0
            for y in range(y0, y1):
                for x in range(x0, x1):
                    p = pixels[y * width + x]
                    acc[0] += p[0]
                    acc[1] += p[1]
                    acc[2] += p[2]
                    n += 1
            out.append(tuple(c // n for c in acc))
    return out


def encode_p6(width, height, pixels):
    return b"P6\n%d %d\n255\n" % (width, height) + bytes(c for p in pixels for c in p)


def handler(event, context):
    started = time.monotonic()
    event = event if isinstance(event, dict) else {}
    name = os.path.basename(str(event.get("image", "sample.ppm")))  # only files of the package
    tw = min(MAX_SIDE, max(1, int(event.get("width", 8))))
    th = min(MAX_SIDE, max(1, int(event.get("height", 6))))
    request_id = getattr(context, "aws_request_id", "local")

    width, height, pixels = read_ppm(os.path.join(TASK_ROOT, name))
    log.info("loaded %s: %dx%d", name, width, height)
    thumb = thumbnail(width, height, pixels, tw, th)
    encoded = encode_p6(tw, th, thumb)

    fd, path = tempfile.mkstemp(prefix="thumb-", suffix=".ppm", dir="/tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(encoded)
        check_w, check_h, check_pixels = read_ppm(path)
        if (check_w, check_h, check_pixels) != (tw, th, thumb):
            raise RuntimeError("thumbnail did not round-trip")
        size = os.path.getsize(path)
    finally:
        os.remove(path)

    average = [sum(p[i] for p in thumb) // len(thumb) for i in range(3)]
    result = {
        "source": {"name": name, "width": width, "height": height},
        "thumbnail": {"width": tw, "height": th, "bytes": size,
                      "sha256": hashlib.sha256(encoded).hexdigest(), "average_rgb": average},
        "tmp_file_removed": not os.path.exists(path),
        "elapsed_ms": round((time.monotonic() - started) * 1000, 2),
    }
    log.info("request %s: %s", request_id, json.dumps(result["thumbnail"]))
    return result
