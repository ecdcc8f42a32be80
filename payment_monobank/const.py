"""Constants of the monobank acquiring provider."""

# The currencies monobank acquiring takes, with their ISO 4217 numeric codes (``ccy``).
SUPPORTED_CURRENCIES = {"UAH": 980}

# The codes of the payment methods to activate when monobank is activated.
DEFAULT_PAYMENT_METHOD_CODES = {
    # Primary payment methods.
    "card",
    # Brand payment methods.
    "visa",
    "mastercard",
}

# How long the payment page of an invoice stays valid (seconds).
INVOICE_VALIDITY = 86400

# Seconds to wait for monobank to connect and to answer.
REQUEST_TIMEOUT = 20.0
# ... when the public webhook fetches the public key and when the customer's return asks for a
# status: a public route must not hold a worker long (no answer in time: the callback or the
# scheduled check will do).
PUBLIC_ROUTE_TIMEOUT = 5.0
# ... when the scheduled check asks for a status.
RECONCILE_TIMEOUT = 10.0

# The public key is fetched at most this often (seconds), whether the last attempt succeeded or
# not, the first fetch included: a flood of forged callbacks must not become a flood of requests
# to monobank. A callback that cannot be checked for want of a key is refused with 503 (monobank
# sends it again later), telling monobank to retry after this many seconds.
PUBKEY_REFRESH_INTERVAL = 60

# The largest callback body accepted (bytes); a larger one is refused with 413 before it is read.
WEBHOOK_MAX_BODY = 64 * 1024

# The customer's return asks monobank about a transaction at most this often (seconds): the
# public return route must not become a way to flood monobank with status requests.
RETURN_CHECK_INTERVAL = 10

# Reconciliation: transactions created less than this many days ago are still checked.
RECONCILE_MAX_AGE_DAYS = 7
# Reconciliation: at most this many transactions per batch (the least recently checked first).
RECONCILE_BATCH = 100
# Reconciliation: a batch stops after about this many seconds (the scheduler commits and runs the
# next batch) ...
RECONCILE_TIME_BUDGET = 60
# ... and the run stops after this many failures in a row to reach monobank (it is down: the
# transactions are left for the next run).
RECONCILE_MAX_UNREACHABLE = 3
# Reconciliation: a refund monobank still has no record of is set in error only when it was
# created more than this many times the provider's delay ago, and at least this many minutes.
REFUND_GRACE_FACTOR = 4
REFUND_GRACE_MIN_MINUTES = 60

# monobank invoice statuses.
STATUS_PENDING = ("created", "processing", "hold")
STATUS_DONE = "success"
STATUS_FAILED = "failure"
STATUS_EXPIRED = "expired"
STATUS_REVERSED = "reversed"

# monobank refund (cancel) statuses → the state of the refund transaction.
REFUND_STATUS_MAPPING = {
    "processing": "pending",
    "success": "done",
    "failure": "error",
}
