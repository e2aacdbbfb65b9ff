"""Benign, syscall-heavy benchmark handler: creates and deletes many small files in /tmp
(10,000 by default; the event's "count" changes it). Used by bench/ to compare monitored and
unmonitored throughput of file-system syscalls."""
import os
import shutil
import time

MAX_COUNT = 200_000


def handler(event, context):
    count = 10_000
    if isinstance(event, dict) and "count" in event:
        count = max(0, min(MAX_COUNT, int(event["count"])))
    work = "/tmp/bench-files-%d-%d" % (os.getpid(), time.monotonic_ns())
    os.mkdir(work)
    data = b"x" * 64
    try:
        started = time.perf_counter()
        for i in range(count):
            with open("%s/f%06d.dat" % (work, i), "wb") as f:
                f.write(data)
        created = time.perf_counter()
        for i in range(count):
            os.unlink("%s/f%06d.dat" % (work, i))
        deleted = time.perf_counter()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    total = deleted - started
    return {
        "files": count,
        "create_s": round(created - started, 4),
        "delete_s": round(deleted - created, 4),
        "total_s": round(total, 4),
        "files_per_s": round(count / total, 1) if total > 0 else None,
    }
