#!/usr/bin/env python3
"""Scores `fnwarden scan`, Semgrep and Checkov reports against a corpus's ground truth.

    python3 bench/scan_score.py --truth T.truth.json [--fnwarden F.json] [--semgrep S.json]
                                [--checkov C.json] [--times times.tsv] [--json out.json]

Every finding is mapped to the planted classes its rule covers (tables below: by rule id, the
same for every tool). A planted problem counts as found by a tool when one of the tool's
findings of that class is in the same file and its line range overlaps the problem's region
(ground-truth `line`..`end_line`). IAM wildcards are matched per file: a service has one
role, and Checkov reports a Serverless provider statement on each function that uses it. A
finding on a safe twin's region, same rule, counts as a false alarm on a twin. Findings of
other kinds (Checkov's DLQ/VPC/KMS checks, fnwarden's Denial-of-Wallet timeouts …) are counted
in "findings" but match nothing. Only the Python standard library is used.
"""

import argparse
import json
import re
import sys
from collections import defaultdict

CODE = ["cmdi", "eval", "sqli", "deser", "ssrf", "path"]
CLASSES = CODE + ["secret", "iam-wildcard", "url-auth-none", "no-reserved-concurrency", "deprecated-runtime", "env-secret"]

# (regex on the rule id, classes). First match wins.
SEMGREP = [
    (r"dangerous-(asyncio|spawn|subprocess|system)|detect-child-process", ["cmdi"]),
    (r"tainted-code-exec|tainted-eval|vm-runincontext", ["eval"]),
    (r"sqli|tainted-sql-string", ["sqli"]),
    (r"deserialization", ["deser"]),
    (r"ssrf", ["ssrf"]),
]
CHECKOV = [
    (r"^CKV_AWS_(1|49|62|63|107|108|109|110|111|286|287|288|289|290|355)$", ["iam-wildcard"]),
    (r"^CKV_AWS_115$", ["no-reserved-concurrency"]),
    (r"^CKV_AWS_363$", ["deprecated-runtime"]),
    (r"^CKV_AWS_258$", ["url-auth-none"]),
    (r"^CKV_AWS_(41|45)$", ["env-secret", "secret"]),
    (r"^CKV_SECRET_", ["secret", "env-secret"]),
]
FNWARDEN = [
    (r"^fnw-scan-(inj|taint)-command", ["cmdi"]),
    (r"^fnw-scan-(inj|taint)-eval", ["eval"]),
    (r"^fnw-scan-(inj|taint)-sql", ["sqli"]),
    (r"^fnw-scan-(inj|taint)-deserial", ["deser"]),
    (r"^fnw-scan-(inj|taint)-ssrf", ["ssrf"]),
    (r"^fnw-scan-(inj|taint)-path", ["path"]),
    # a chain finding sits on the sink of the flow it chains
    (r"^fnw-scan-chain-", CODE),
    (r"^fnw-scan-cfg-env-secret", ["env-secret", "secret"]),
    (r"^fnw-scan-secret-", ["secret", "env-secret"]),
    (r"^fnw-scan-iam-wildcard-", ["iam-wildcard"]),
    (r"^fnw-scan-exposure-public-function-url|^fnw-scan-exposure-public-url", ["url-auth-none"]),
    (r"^fnw-scan-dow-no-reserved-concurrency", ["no-reserved-concurrency"]),
    (r"^fnw-scan-cfg-deprecated-runtime", ["deprecated-runtime"]),
]


def classes_of(table, rule):
    for pat, cls in table:
        if re.search(pat, rule):
            return cls
    return []


def rel(path, root):
    path = path.replace("\\", "/")
    root = root.rstrip("/") + "/"
    for prefix in (root, root.lstrip("/"), "/"):
        if path.startswith(prefix):
            return path[len(prefix):]
    i = path.find("services/")
    j = path.find("frontend/")
    k = min(x for x in (i, j, len(path)) if x >= 0)
    return path[k:] if k < len(path) else path


def load_semgrep(path, root):
    d = json.load(open(path))
    out = []
    for r in d.get("results", []):
        out.append((r["check_id"].split(".")[-1], rel(r["path"], root), r["start"]["line"], r["end"]["line"]))
    return out, len(d.get("errors", []))


def load_checkov(path, root):
    d = json.load(open(path))
    d = d if isinstance(d, list) else [d]
    out = []
    for r in d:
        for f in r.get("results", {}).get("failed_checks", []):
            s, e = (f.get("file_line_range") or [0, 0])[:2]
            out.append((f["check_id"], rel(f["file_path"], root), s, e))
    return out, sum(r.get("summary", {}).get("parsing_errors", 0) for r in d)


def load_fnwarden(path, root):
    d = json.load(open(path))
    out = []
    for f in d.get("findings", []):
        loc = f.get("location", {})
        line = loc.get("line", 0)
        out.append((f["rule"], rel(loc.get("file", ""), root), line, line))
    return out, len(d.get("diagnostics", []))


def score(truth, findings, table):
    """Returns (found per class, twin hits per class, total findings, matched findings)."""
    by_file = defaultdict(list)
    for rule, f, s, e in findings:
        cls = classes_of(table, rule)
        if cls:
            by_file[f].append((cls, s, e))
    found = defaultdict(int)
    twins = defaultdict(int)
    for t in truth:
        hit = False
        for cls, s, e in by_file.get(t["file"], ()):
            if t["class"] not in cls:
                continue
            if t["class"] == "iam-wildcard" or s == 0 or (s <= t["end_line"] and e >= t["line"]):
                hit = True
                break
        if hit:
            (found if t["kind"] == "planted" else twins)[t["class"]] += 1
    return found, twins


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--truth", required=True)
    ap.add_argument("--fnwarden")
    ap.add_argument("--semgrep")
    ap.add_argument("--checkov")
    ap.add_argument("--checkov-all", help="Checkov run with --enable-secret-scan-all-files")
    ap.add_argument("--times", help="TSV: tool, wall seconds, max RSS KiB, status (from bench/scan.sh)")
    ap.add_argument("--json", help="write the scores here too")
    a = ap.parse_args()
    T = json.load(open(a.truth))
    root = T["root"]
    items = T["items"]
    planted = defaultdict(int)
    safe = defaultdict(int)
    for t in items:
        (planted if t["kind"] == "planted" else safe)[t["class"]] += 1
    times = {}
    if a.times:
        for line in open(a.times):
            p = line.rstrip("\n").split("\t")
            if len(p) >= 4:
                times[p[0]] = (p[1], p[2], p[3])
    rows = []
    for name, path, loader, table in (("fnwarden", a.fnwarden, load_fnwarden, FNWARDEN), ("semgrep", a.semgrep, load_semgrep, SEMGREP),
                                      ("checkov", a.checkov, load_checkov, CHECKOV), ("checkov-all", a.checkov_all, load_checkov, CHECKOV)):
        st = times.get(name, ("", "", ""))
        if not path:
            if name in times:
                rows.append({"tool": name, "wall_s": st[0], "max_rss_kib": st[1], "status": st[2]})
            continue
        try:
            findings, errors = loader(path, root)
        except (OSError, ValueError) as e:
            rows.append({"tool": name, "wall_s": st[0], "max_rss_kib": st[1], "status": "%s (no report: %s)" % (st[2], e)})
            continue
        found, twins = score(items, findings, table)
        rows.append({"tool": name, "wall_s": st[0], "max_rss_kib": st[1], "status": st[2] or "ok", "findings": len(findings),
                     "errors": errors, "found": dict(found), "twins": dict(twins), "found_total": sum(found.values()),
                     "twins_total": sum(twins.values())})
    total = sum(planted.values())
    print("corpus: %s (%d files, %.1f MB), %d planted problems, %d safe twins" % (root, T["files"], T["bytes"] / 1e6, total, sum(safe.values())))
    fnw_wall = next((float(r["wall_s"]) for r in rows if r["tool"] == "fnwarden" and r.get("wall_s") and r.get("status") == "ok"), None)
    print()
    print("| tool | wall s | max RSS MB | time / fnwarden | findings | planted found | twins flagged |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        wall = r.get("wall_s") or "-"
        rss = "%.0f" % (float(r["max_rss_kib"]) / 1024) if r.get("max_rss_kib") else "-"
        ratio = "-"
        if fnw_wall and r.get("wall_s"):
            ratio = "%.1fx" % (float(r["wall_s"]) / fnw_wall)
        if r.get("status") not in ("ok", ""):
            wall = "%s (%s)" % (wall, r["status"])
        if "found" in r:
            print("| %s | %s | %s | %s | %d | %d / %d (%.0f %%) | %d / %d |" % (r["tool"], wall, rss, ratio, r["findings"], r["found_total"], total,
                                                                             100.0 * r["found_total"] / max(total, 1), r["twins_total"], sum(safe.values())))
        else:
            print("| %s | %s | %s | %s | - | - | - |" % (r["tool"], wall, rss, ratio))
    print()
    scored = [r for r in rows if "found" in r]
    print("| class | planted | " + " | ".join("%s found" % r["tool"] for r in scored) + " | safe twins | " + " | ".join("%s on twins" % r["tool"] for r in scored) + " |")
    print("|---|---:|" + "---:|" * len(scored) + "---:|" + "---:|" * len(scored))
    for k in CLASSES:
        print("| %s | %d | %s | %d | %s |" % (k, planted.get(k, 0), " | ".join(str(r["found"].get(k, 0)) for r in scored), safe.get(k, 0),
                                           " | ".join(str(r["twins"].get(k, 0)) for r in scored)))
    if a.json:
        json.dump({"truth": a.truth, "planted": planted, "safe": safe, "tools": rows}, open(a.json, "w"), indent=1)


if __name__ == "__main__":
    sys.exit(main())
