"""Pulls timing samples out of a `fnwarden run --json` report or files_host.py output, one per line.

usage: extract.py MODE FILE
  warm   duration_ms of each warm invocation (the first, cold one is left out)
  init   init_ms of each cold start
  files  "duration_ms loop_ms" of each warm invocation of bench-files-python (loop_ms is the
         handler's own create+delete time)
  host   loop_ms of each files_host.py result line but the first (a warm-up, like the cold
         invocation left out of the sandbox's figures)

Any invocation that did not succeed is an error: a failed run must not pass as a fast one."""
import json
import sys


def invocations(path):
    with open(path) as f:
        report = json.load(f)["report"]
    invs = report["invocations"]
    for i, inv in enumerate(invs):
        if inv["status"] != "success":
            sys.exit("%s: invocation %d: %s %s" % (path, i + 1, inv["status"], inv.get("error_type")))
    return invs


def loop_ms(response):
    return float(json.loads(response)["total_s"]) * 1000.0


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    mode, path = sys.argv[1], sys.argv[2]
    if mode == "host":
        with open(path) as f:
            lines = [line for line in f if line.strip()]
        for line in lines[1:]:
            print("%.3f" % loop_ms(line))
        return
    for inv in invocations(path):
        if mode == "init":
            if inv["cold_start"]:
                print("%.3f" % inv["init_ms"])
        elif inv["cold_start"]:
            continue
        elif mode == "warm":
            print("%.3f" % inv["duration_ms"])
        elif mode == "files":
            print("%.3f %.3f" % (inv["duration_ms"], loop_ms(inv["response"])))
        else:
            sys.exit(__doc__)


main()
