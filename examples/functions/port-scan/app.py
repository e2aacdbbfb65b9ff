"""MALICIOUS example (threat catalogue §1c technique 19, ATT&CK T1046): network scanning from a
function.

It TCP-connects to ports 1-200 of 10.66.0.1 and then sweeps port 22 on 64 hosts of
10.66.1.0/26 (test addresses that fnwarden's sandbox makes local to its own network namespace).
Connects run 50 at a time, non-blocking, with a 0.5 s budget per batch and a 10 s cap overall.
The event may narrow the port range ("first_port", "last_port") or skip the sweep ("sweep":
false); it cannot change the targets.
"""
import errno
import selectors
import socket
import time

HOST = "10.66.0.1"
SWEEP = ["10.66.1.%d" % i for i in range(1, 65)]
SWEEP_PORT = 22
BATCH = 50
BATCH_WAIT_S = 0.5
TOTAL_S = 10


def scan(targets, deadline):
    """Returns (open, closed, filtered) lists of (host, port)."""
    found = {"open": [], "closed": [], "filtered": []}
    for start in range(0, len(targets), BATCH):
        if time.monotonic() >= deadline:
            found["filtered"].extend(targets[start:])
            break
        sel = selectors.DefaultSelector()
        pending = {}
        for target in targets[start:start + BATCH]:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            err = s.connect_ex(target)
            if err in (0, errno.EINPROGRESS):
                sel.register(s, selectors.EVENT_WRITE, target)
                pending[s] = target
            else:
                found["closed"].append(target)
                s.close()
        batch_end = min(deadline, time.monotonic() + BATCH_WAIT_S)
        while pending and time.monotonic() < batch_end:
            for key, _ in sel.select(timeout=max(0.0, batch_end - time.monotonic())):
                s = key.fileobj
                err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                found["open" if err == 0 else "closed"].append(key.data)
                sel.unregister(s)
                del pending[s]
                s.close()
        for s, target in pending.items():
            found["filtered"].append(target)
            sel.unregister(s)
            s.close()
        sel.close()
    return found


def handler(event, context):
    event = event if isinstance(event, dict) else {}
    first = max(1, min(65535, int(event.get("first_port", 1))))
    last = max(first, min(65535, int(event.get("last_port", 200))))
    deadline = time.monotonic() + TOTAL_S
    started = time.monotonic()
    ports = scan([(HOST, p) for p in range(first, last + 1)], deadline)
    report = {"host": HOST, "ports_tried": last - first + 1,
              "open": [p for _, p in ports["open"]][:50], "closed": len(ports["closed"]),
              "filtered": len(ports["filtered"])}
    if event.get("sweep", True):
        hosts = scan([(h, SWEEP_PORT) for h in SWEEP], deadline)
        report["sweep"] = {"port": SWEEP_PORT, "hosts_tried": len(SWEEP),
                           "up": [h for h, _ in hosts["open"]][:70], "closed": len(hosts["closed"]),
                           "filtered": len(hosts["filtered"])}
    report["elapsed_s"] = round(time.monotonic() - started, 3)
    return report
