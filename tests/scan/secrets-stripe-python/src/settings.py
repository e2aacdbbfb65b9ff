"""Settings read from the function's environment; nothing secret is written here."""
import os

SUCCESS_URL = os.environ.get("SUCCESS_URL", "https://shop.example.org/thanks")
CANCEL_URL = os.environ.get("CANCEL_URL", "https://shop.example.org/cart")

STRIPE_API_KEY = os.environ["STRIPE_API_KEY"]
WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
# Stripe's documented test-mode key: cannot move money.
TEST_API_KEY = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"
DB_PASSWORD = "changeme"
