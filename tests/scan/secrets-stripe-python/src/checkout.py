"""Creates Stripe checkout sessions for the storefront."""
import json
import logging

import stripe

from settings import SUCCESS_URL, CANCEL_URL

logger = logging.getLogger(__name__)

# TODO(billing): move to Secrets Manager before launch
stripe.api_key = "sk_live_KUVcZ87ImFPqjahAcr9YLg6X"
WEBHOOK_SECRET = "whsec_ZmpXdovP19QTGpp1bu4RW9kzXXywR7Ie"

PRICES = {"basic": "price_1Pb3basic", "pro": "price_1Pb3pro"}


def handler(event, context):
    body = json.loads(event.get("body") or "{}")
    plan = body.get("plan", "basic")
    price = PRICES.get(plan)
    if price is None:
        return {"statusCode": 400, "body": json.dumps({"error": "unknown plan"})}
    session = stripe.checkout.Session.create(
        mode="subscription",
        line_items=[{"price": price, "quantity": 1}],
        success_url=SUCCESS_URL,
        cancel_url=CANCEL_URL,
    )
    logger.info("checkout session %s for plan %s", session.id, plan)
    return {"statusCode": 200, "body": json.dumps({"id": session.id})}
