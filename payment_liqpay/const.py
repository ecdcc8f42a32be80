from .liqpay.client import DEFAULT_API_URL  # noqa: F401

# Currency codes in ISO 4217 format LiqPay accepts for a checkout of this store.
SUPPORTED_CURRENCIES = ("UAH", "USD", "EUR")

# The codes of the payment methods to activate when LiqPay is activated.
DEFAULT_PAYMENT_METHOD_CODES = {
    # Primary payment methods.
    "card",
    # Brand payment methods.
    "visa",
    "mastercard",
}

# The checkout page's language.
CHECKOUT_LANGUAGE = "uk"

# Timeout of every request to LiqPay, in seconds.
REQUEST_TIMEOUT = 20.0

# Mapping of LiqPay payment statuses to what happens to the transaction.
PAYMENT_STATUS_MAPPING = {
    "done": ("success",),
    "sandbox": ("sandbox",),  # a test payment: done in test mode only
    "error": ("failure", "error"),
    "pending": (
        "processing",
        "prepared",
        "wait_accept",
        "wait_secure",
        "wait_card",
        "wait_lc",
        "wait_reserve",
        "wait_sender",
        "wait_compensation",
        "invoice_wait",
        "cash_wait",
        "hold_wait",
        "3ds_verify",
        "otp_verify",
        "cvv_verify",
        "sender_verify",
        "receiver_verify",
        "phone_verify",
        "ivr_verify",
        "pin_verify",
        "captcha_verify",
        "password_verify",
        "senderapp_verify",
    ),
    "refunded": ("reversed",),
    "ignored": ("subscribed", "unsubscribed"),
}

# Reconciliation: transactions older than this are no longer asked about.
RECONCILE_MAX_AGE_DAYS = 7
# Reconciliation: at most this many transactions per provider and run.
RECONCILE_BATCH_SIZE = 200
# The customer's return asks LiqPay about a transaction at most once in this many seconds.
RETURN_CHECK_INTERVAL = 10
