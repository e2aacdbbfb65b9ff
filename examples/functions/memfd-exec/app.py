"""MALICIOUS example (threat catalogue §1c technique 17, also the memfd path of technique 6):
fileless execution.

It creates an anonymous memory file with memfd_create, copies /bin/sh into it and executes it
through /proc/self/fd/N under a disguised name, so the executed program never exists on disk.
The program only echoes a line; it runs with a 3 s timeout.
"""
import os
import subprocess

SOURCE = "/bin/sh"


def handler(event, context):
    report = {}
    try:
        fd = os.memfd_create("kworker", 0)  # not CLOEXEC: the child needs /proc/self/fd/N
    except (AttributeError, OSError) as exc:
        return {"memfd_create": repr(exc)}
    try:
        with open(SOURCE, "rb") as src:
            data = src.read()
        view, written = memoryview(data), 0
        while written < len(data):
            written += os.write(fd, view[written:])
        path = "/proc/self/fd/%d" % fd
        report.update(memfd=fd, copied=SOURCE, bytes=written, exec_path=path)
        done = subprocess.run(["[kworker/0:1]", "-c", "echo fileless shell pid $$"], executable=path,
                              pass_fds=(fd,), capture_output=True, timeout=3)
        report["run"] = {"exit": done.returncode, "stdout": done.stdout.decode("utf-8", "replace").strip()}
    except Exception as exc:
        report["error"] = repr(exc)
    finally:
        os.close(fd)
    return report
