"""A plain-Python client of the LiqPay API v3 (PrivatBank internet acquiring).

Nothing here imports Odoo: the addon builds one :class:`LiqPayClient` in one
place (``payment.provider._liqpay_client``) and turns :class:`LiqPayError`
into a user message in one place (``payment.provider._liqpay_user_error``).

How LiqPay signs its messages (checkout form, API requests, callbacks):

- ``data`` is the base64 text of a JSON object (:func:`encode_data`);
- ``signature`` is ``base64(sha1(private_key + data + private_key))``, the
  raw 20-byte SHA-1 digest encoded in base64 (:func:`sign`); a received
  signature is compared in constant time (:func:`verify`).

Every request has a timeout; every failure comes out as one exception type,
:class:`LiqPayError`, with a ``code`` (LiqPay's ``err_code`` when LiqPay
answered, else one of ours) and a ``message`` (LiqPay's ``err_description``,
else ours). Two kinds of failure are kept apart because a refund must never
be sent twice:

- a *refusal*: LiqPay answered ``{"result": "error", ...}``; the request was
  not carried out;
- an *uncertain outcome* (``error.uncertain``): no answer in time, the
  connection cut, an HTTP error, an empty, HTML or broken answer. LiqPay may
  have carried the request out: ask for the payment's status before doing
  anything again. HTTP 429 (too many requests) is a refusal: LiqPay did not
  take the request.

The keys never appear in an error text, a log line or a URL: the public key
travels inside ``data``, the private key only into the signature, and any text
of LiqPay's (``err_code``, ``err_description``) is scrubbed of both keys
(:func:`scrub`) before it goes into an error.
"""

import base64
import binascii
import hashlib
import hmac
import json
import logging
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import requests

_logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://www.liqpay.ua"
API_VERSION = 3
CHECKOUT_PATH = "/api/3/checkout"
REQUEST_PATH = "/api/request"
DEFAULT_TIMEOUT = 20.0  # seconds

# Our own error codes (LiqPay's err_code values are kept as they come).
TIMEOUT = "timeout"  # no answer in time
CONNECTION = "connection"  # no connection, or the connection was cut
SERVER_ERROR = "server_error"  # HTTP 5xx or another HTTP error without LiqPay's answer
RATE_LIMITED = "rate_limited"  # HTTP 429
BAD_ANSWER = "bad_answer"  # empty, not JSON, an HTML page, not the expected shape
INVALID_DATA = "invalid_data"  # a data field that is not base64 JSON
# LiqPay may have carried the request out (a 429 says it did not).
UNCERTAIN_CODES = (TIMEOUT, CONNECTION, SERVER_ERROR, BAD_ANSWER)
# LiqPay's answer for an order id it does not know (the customer has not paid yet).
PAYMENT_NOT_FOUND = "payment_not_found"
# Failures that say LiqPay cannot be reached or is overloaded (not about one payment).
UNREACHABLE_CODES = (TIMEOUT, CONNECTION, SERVER_ERROR, RATE_LIMITED)
# What a key found in a text of LiqPay's is replaced with.
SCRUBBED = "***"
# Shorter "keys" are not scrubbed (they would blank out ordinary words).
MIN_SCRUBBED_LENGTH = 6


def scrub(text, *secrets):
    """``text`` (any value, as a string) with each of ``secrets`` replaced by
    :data:`SCRUBBED`: for a vendor text that may quote a key back."""
    text = "" if text is None else str(text)
    for secret in sorted((s for s in secrets if isinstance(s, str)), key=len, reverse=True):
        if len(secret) >= MIN_SCRUBBED_LENGTH:
            text = text.replace(secret, SCRUBBED)
    return text


def format_amount(amount, digits=2):
    """An amount in major units as LiqPay takes it: ``1111.1`` → ``"1111.10"``."""
    try:
        value = Decimal(str(amount if amount is not None else 0))
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {amount!r}") from exc
    quantum = Decimal(1).scaleb(-digits)
    return str(value.quantize(quantum, rounding=ROUND_HALF_UP))


def encode_data(params):
    """The ``data`` field: base64 of the compact JSON of ``params``."""
    text = json.dumps(params, separators=(",", ":"))
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def decode_data(data):
    """The JSON object inside a ``data`` field; raises :class:`LiqPayError`
    (:data:`INVALID_DATA`) when it is not base64 of a JSON object."""
    try:
        raw = base64.b64decode(data or "", validate=True)
        params = json.loads(raw.decode("utf-8"))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise LiqPayError(INVALID_DATA, "the data field is not base64 JSON") from exc
    if not isinstance(params, dict):
        raise LiqPayError(INVALID_DATA, "the data field is not a JSON object")
    return params


def sign(private_key, data):
    """``base64(sha1(private_key + data + private_key))`` (raw digest)."""
    text = f"{private_key}{data}{private_key}".encode()
    return base64.b64encode(hashlib.sha1(text).digest()).decode("ascii")


def verify(private_key, data, signature):
    """Whether ``signature`` signs ``data`` with ``private_key`` (constant time)."""
    if not private_key or not data or not signature or not isinstance(signature, str):
        return False
    return hmac.compare_digest(sign(private_key, data).encode(), signature.encode())


class LiqPayError(Exception):
    """Any failure of a LiqPay call.

    :param code: LiqPay's ``err_code`` when it answered one, else one of ours
        (:data:`TIMEOUT`, :data:`CONNECTION`, :data:`SERVER_ERROR`,
        :data:`RATE_LIMITED`, :data:`BAD_ANSWER`, :data:`INVALID_DATA`);
    :param message: LiqPay's ``err_description``, or ours;
    :param http_status: the HTTP status, ``None`` when no answer came;
    :param uncertain: whether LiqPay may have carried the request out
        (by default: one of our transport codes).
    """

    def __init__(self, code, message, http_status=None, uncertain=None):
        self.code = code or SERVER_ERROR
        self.message = message or self.code
        self.http_status = http_status
        self.uncertain = self.code in UNCERTAIN_CODES if uncertain is None else uncertain
        super().__init__(f"{self.code}: {self.message}")

    @property
    def not_found(self):
        return self.code == PAYMENT_NOT_FOUND


class LiqPayClient:
    """One LiqPay shop (a pair of keys).

    :param public_key: the shop's public id (``i000…``/``sandbox_i000…``);
    :param private_key: the shop's private key (signs everything);
    :param api_url: LiqPay's address, :data:`DEFAULT_API_URL` (tests point
        it at a local fake);
    :param timeout: seconds, or a ``(connect, read)`` pair, for every request.
    """

    def __init__(
        self,
        public_key,
        private_key,
        api_url=DEFAULT_API_URL,
        timeout=DEFAULT_TIMEOUT,
        session=None,
    ):
        self.public_key = public_key
        self.private_key = private_key
        self.api_url = (api_url or DEFAULT_API_URL).rstrip("/")
        self.timeout = timeout
        self.session = session or requests.Session()
        self.calls = 0  # HTTP requests sent by this client

    def __repr__(self):
        return f"LiqPayClient(api_url={self.api_url!r})"  # never the keys

    # ------------------------------------------------------------------ signing
    @property
    def checkout_url(self):
        return f"{self.api_url}{CHECKOUT_PATH}"

    def signed(self, params):
        """``{"data", "signature"}`` for ``params`` with our version and key."""
        params = {"version": API_VERSION, "public_key": self.public_key, **params}
        data = encode_data(params)
        return {"data": data, "signature": sign(self.private_key, data)}

    def checkout_form(self, params):
        """The two fields of the checkout form (``action`` "pay" by default)."""
        return self.signed({"action": "pay", **params})

    def parse_callback(self, data, signature):
        """The payment data of a callback, after checking its signature and
        that it is about our shop; raises :class:`LiqPayError`
        (``invalid_signature``, ``wrong_public_key``, :data:`INVALID_DATA`)."""
        if not verify(self.private_key, data, signature):
            raise LiqPayError(
                "invalid_signature", "the callback signature is not valid", None, False
            )
        params = decode_data(data)
        if params.get("public_key") != self.public_key:
            raise LiqPayError("wrong_public_key", "the callback is about another shop", None, False)
        return params

    # ------------------------------------------------------------------ transport
    @staticmethod
    def _looks_like_html(response):
        content_type = (response.headers.get("Content-Type") or "").lower()
        start = (response.content or b"")[:64].lstrip().lower()
        return "html" in content_type or start.startswith((b"<!doctype", b"<html"))

    def request(self, params):
        """POST ``params`` (signed) to ``/api/request``; returns LiqPay's JSON
        answer (a dict), whatever its ``result``."""
        action = params.get("action") or "?"
        url = f"{self.api_url}{REQUEST_PATH}"
        self.calls += 1
        _logger.debug("LiqPay: %s request for order %s", action, params.get("order_id"))
        try:
            response = self.session.post(url, data=self.signed(params), timeout=self.timeout)
        except requests.Timeout as exc:
            raise LiqPayError(TIMEOUT, f"no answer in time ({action})") from exc
        except requests.RequestException as exc:
            raise LiqPayError(CONNECTION, f"no connection or connection cut ({action})") from exc
        status = response.status_code
        _logger.debug("LiqPay: %s answered HTTP %s", action, status)
        if status == 429:
            raise LiqPayError(RATE_LIMITED, f"too many requests ({action})", status)
        if status >= 400:
            raise LiqPayError(SERVER_ERROR, f"HTTP {status} ({action})", status)
        if not response.content or not response.content.strip():
            raise LiqPayError(BAD_ANSWER, f"empty answer ({action})", status)
        if self._looks_like_html(response):
            raise LiqPayError(BAD_ANSWER, f"a web page instead of data ({action})", status)
        try:
            answer = response.json()
        except ValueError as exc:
            raise LiqPayError(BAD_ANSWER, f"an answer that is not JSON ({action})", status) from exc
        if not isinstance(answer, dict):
            raise LiqPayError(BAD_ANSWER, f"an answer that is not an object ({action})", status)
        return answer

    def _scrub(self, text):
        """``text`` of LiqPay's without this shop's keys (see :func:`scrub`)."""
        return scrub(text, self.public_key, self.private_key)

    def _refusal(self, answer, action):
        code = self._scrub(answer.get("err_code") or answer.get("code") or "error")
        message = self._scrub(answer.get("err_description") or answer.get("description") or code)
        return LiqPayError(code, f"{message} ({action})", None, False)

    # ------------------------------------------------------------------ API calls
    def status(self, order_id):
        """The payment data of ``order_id`` (``status``, ``amount``,
        ``currency``, ``payment_id``, ``end_date``…). Raises
        :class:`LiqPayError` with code :data:`PAYMENT_NOT_FOUND` when LiqPay
        does not know the order (no payment yet)."""
        answer = self.request({"action": "status", "order_id": order_id})
        if answer.get("result") == "error" and (
            answer.get("err_code") == PAYMENT_NOT_FOUND or not answer.get("payment_id")
        ):
            raise self._refusal(answer, "status")
        if not answer.get("status"):
            raise LiqPayError(BAD_ANSWER, "an answer without a status (status)")
        if answer.get("order_id") and str(answer["order_id"]) != str(order_id):
            raise LiqPayError(BAD_ANSWER, "an answer about another order (status)")
        return answer

    def refund(self, order_id, amount, digits=2):
        """Refund ``amount`` (major units) of the payment of ``order_id``.
        Returns LiqPay's answer (``status`` "reversed" when done); raises
        :class:`LiqPayError` when LiqPay refuses (``result`` "error") or the
        outcome is uncertain."""
        answer = self.request(
            {"action": "refund", "order_id": order_id, "amount": format_amount(amount, digits)}
        )
        if answer.get("result") == "error":
            raise self._refusal(answer, "refund")
        if answer.get("result") != "ok" or not answer.get("status"):
            raise LiqPayError(BAD_ANSWER, "an answer without a result (refund)")
        return answer
