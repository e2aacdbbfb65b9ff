"""MALICIOUS example (threat catalogue §1e, resource exhaustion; ATT&CK T1499/T1496): a fork
bomb, bounded so that it always ends.

A leader process (so that the runtime itself keeps working) forks children that just wait,
until fork() fails (the sandbox's pids limit, RLIMIT_NPROC or memory), it has made
"max_processes" children (1024 by default, Lambda's per-environment process limit; the event can
change it, up to 4096) or 5 s have passed. It then kills and reaps every child and reports to
the runtime over a pipe how far it got. Each waiting child costs about 0.5 MB of memory.
"""
import json
import os
import select
import signal
import time

DEFAULT_MAX = 1024
HARD_MAX = 4096
BOMB_SECONDS = 5


def bomb(limit, wfd):
    children, failure = [], None
    end = time.monotonic() + BOMB_SECONDS
    started = time.monotonic()
    while len(children) < limit and time.monotonic() < end:
        try:
            pid = os.fork()
        except OSError as exc:
            failure = "%s (errno %d)" % (exc.strerror, exc.errno)
            break
        if pid == 0:
            try:
                signal.alarm(BOMB_SECONDS + 5)  # a child never outlives the bomb by much
                while True:
                    signal.pause()
            finally:
                os._exit(0)
        children.append(pid)
    elapsed = time.monotonic() - started
    for pid in children:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    for pid in children:
        try:
            os.waitpid(pid, 0)
        except OSError:
            pass
    os.write(wfd, json.dumps({"forked": len(children), "fork_failed": failure,
                              "seconds": round(elapsed, 3)}).encode())


def handler(event, context):
    limit = DEFAULT_MAX
    if isinstance(event, dict) and "max_processes" in event:
        limit = max(1, min(HARD_MAX, int(event["max_processes"])))
    rfd, wfd = os.pipe()
    try:
        leader = os.fork()
    except OSError as exc:
        return {"fork": repr(exc)}
    if leader == 0:
        try:
            os.close(rfd)
            bomb(limit, wfd)
        except BaseException:
            pass
        finally:
            os._exit(0)
    os.close(wfd)
    report = {"leader": leader, "limit": limit}
    chunks, deadline = [], time.monotonic() + BOMB_SECONDS + 10
    while time.monotonic() < deadline:
        ready, _, _ = select.select([rfd], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        data = os.read(rfd, 4096)
        if not data:
            break
        chunks.append(data)
    os.close(rfd)
    try:
        report.update(json.loads(b"".join(chunks) or b"{}"))
    except ValueError:
        report["leader_output"] = repr(b"".join(chunks)[:200])
    try:
        os.kill(leader, signal.SIGKILL)
    except OSError:
        pass
    try:
        os.waitpid(leader, 0)
    except OSError:
        pass
    return report
