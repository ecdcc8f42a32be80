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
# Timeout of the scheduled check's requests, in seconds (a run must not outlast its cron).
RECONCILE_TIMEOUT = 10.0
# Timeout of the status request made while the customer's browser waits, in seconds.
RETURN_TIMEOUT = 5.0

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
# Reconciliation: at most this many transactions per batch (one DB transaction).
RECONCILE_BATCH_SIZE = 200
# Reconciliation: a batch asks LiqPay no more after this many seconds; the rest is
# reported as remaining and the scheduler runs the next batch at once.
RECONCILE_TIME_BUDGET = 60
# Reconciliation: after this many failures in a row saying LiqPay cannot be reached
# (timeout, connection, HTTP 5xx, 429), the run stops: the rest waits for the next run.
RECONCILE_MAX_UNREACHABLE = 3
# A refund LiqPay does not show after this many times the provider's
# `liqpay_reconcile_minutes` (and at least REFUND_GRACE_MIN_MINUTES) is set in error.
REFUND_GRACE_FACTOR = 4
REFUND_GRACE_MIN_MINUTES = 60
# The customer's return asks LiqPay about a transaction at most once in this many seconds.
RETURN_CHECK_INTERVAL = 10
# The largest callback body taken, in bytes (a LiqPay callback is a few KiB).
WEBHOOK_MAX_CONTENT_LENGTH = 64 * 1024
