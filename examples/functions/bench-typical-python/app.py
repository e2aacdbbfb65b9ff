"""Benign benchmark handler: the work of a typical small function, with no I/O beyond the
Runtime API. It validates a batch of SQS-like order messages, computes totals and digests, and
returns a summary. Used by bench/ to measure the latency the monitor adds per invocation."""
import hashlib
import json


def handler(event, context):
    records = event.get("Records", []) if isinstance(event, dict) else []
    accepted, rejected, total_cents = [], [], 0
    for record in records:
        try:
            order = json.loads(record.get("body", "{}"))
            lines = order["lines"]
            cents = sum(int(line["qty"]) * int(line["unit_cents"]) for line in lines)
        except (KeyError, TypeError, ValueError) as exc:
            rejected.append({"messageId": record.get("messageId"), "error": type(exc).__name__})
            continue
        total_cents += cents
        digest = hashlib.sha256(json.dumps(order, sort_keys=True).encode()).hexdigest()
        accepted.append({"messageId": record.get("messageId"), "order": order.get("id"),
                         "cents": cents, "digest": digest[:16]})
    return {
        "accepted": len(accepted),
        "rejected": rejected,
        "total_cents": total_cents,
        "items": accepted,
        # Partial batch response format of SQS event source mappings.
        "batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in rejected],
    }
