"""A plain-Python client of the SMS Club API (https://im.smsclub.mobi/).

Nothing here imports Odoo: the addon builds one :class:`SmsClubClient` per
operation (``res.company._smsclub_client``) and turns :class:`SmsClubError`
into user messages and message failures in one place.

What the client guarantees by itself:

- every request is a JSON ``POST`` (the Viber sender list is a ``GET``) with
  ``Authorization: Bearer <token>`` and a timeout; the token is never put in
  a log line, a URL or an error text;
- at most :data:`MAX_PER_CALL` numbers or ids per call (longer lists are cut
  into several calls, a number never twice in one call) and at most
  :data:`MAX_REQUESTS_PER_SECOND` requests per second per token, shared by
  all clients of the process and counted with a safety margin from the end of
  each request (see :class:`_RateLimiter`);
- both reply envelopes are read (``success_request``/``add_info`` for SMS,
  ``successfulRequest``/``errorRequest`` for Viber) and both status
  vocabularies (codes and Russian words);
- every failure becomes one :class:`SmsClubError` that says what happened
  (:attr:`SmsClubError.kind`, for the Odoo layer to word it in the user's
  language), SMS Club's own reason when it gave one, and whether SMS Club may
  have processed the request (:attr:`SmsClubError.outcome`):

  ``refused``
      SMS Club answered and did not take the request (a 4xx, a business
      error such as an invalid number or an unknown alpha name);
  ``retry``
      the request surely did not reach processing: it could not be built
      (settings) or the connection could not be opened, HTTP 429, HTTP 503;
      it may be sent again later;
  ``unknown``
      SMS Club may have processed it: no answer in time after the request was
      sent, the connection broke after it was sent, HTTP 500/502/504, or an
      answer at HTTP 200 that cannot be read (malformed JSON, empty body, an
      HTML page). Such a request must never be sent again blindly; the ids
      found in such an answer, if any, are kept
      (:attr:`SmsClubError.accepted`) so that they can be looked up.

  A refusal for lack of money (:attr:`SmsClubError.no_money`) is a refusal:
  nothing was sent, the messages wait for a top-up.
"""

import hashlib
import json
import logging
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import requests
from urllib3 import exceptions as urllib3_exceptions

_logger = logging.getLogger(__name__)

DEFAULT_URL = "https://im.smsclub.mobi/"
DEFAULT_TIMEOUT = 20.0  # seconds (connect and read)
MAX_PER_CALL = 100
MAX_REQUESTS_PER_SECOND = 9
# SMS Club's counting period (seconds) for MAX_REQUESTS_PER_SECOND.
RATE_PERIOD = 1.0
# The limiter keeps this much more than SMS Club's counting period (a
# second) between a request and the one nine places later (clock and network
# differences with SMS Club): 0.15 s on a second.
RATE_MARGIN = 0.15

# Outcomes of a failed call
REFUSED, RETRY, UNKNOWN = "refused", "retry", "unknown"

# Kinds of failure (the Odoo layer words each in the user's language)
KIND_CONFIG = "config"  # the request could not be built (no token, bad address)
KIND_CONNECT = "connect"  # no connection could be opened: nothing was sent
KIND_TIMEOUT = "timeout"  # no answer in time after the request was sent
KIND_BROKEN = "broken"  # the connection broke after the request was sent
KIND_RATE = "rate_limit"  # HTTP 429
KIND_UNAVAILABLE = "unavailable"  # HTTP 503
KIND_SERVER = "server_error"  # HTTP 500, 502, 504…
KIND_UNREADABLE = "unreadable"  # HTTP 2xx with an answer that cannot be read
KIND_AUTH = "auth"  # HTTP 401, Viber "account"
KIND_NO_MONEY = "no_money"  # not enough money on the account
KIND_VENDOR = "vendor"  # SMS Club refused the request and said why (or not)

# Delivery states, normalised: the API answers with codes or Russian words.
ENROUTE, DELIVERED, EXPIRED, UNDELIVERABLE, REJECTED = (
    "enroute",
    "delivered",
    "expired",
    "undeliverable",
    "rejected",
)
FINAL_STATES = (DELIVERED, EXPIRED, UNDELIVERABLE, REJECTED)
STATUS_WORDS = {
    "ENROUTE": ENROUTE,
    "ACCEPTD": ENROUTE,
    "DELIVRD": DELIVERED,
    "EXPIRED": EXPIRED,
    "UNDELIV": UNDELIVERABLE,
    "REJECTD": REJECTED,
    "отправлено": ENROUTE,
    "ожидает отправки": ENROUTE,
    "доставлено": DELIVERED,
    "просрочено": EXPIRED,
    "недоставляемое": UNDELIVERABLE,
    "отклонено": REJECTED,
}
SMS_FIELD_KEYS = ("phone", "message", "src_addr", "invalid_phone", "data_message", "id_sms")
# Keys of SMS Club's answers that mean "not enough money" (the Viber
# ``errorRequest.errors.noMoney``; the others are accepted in case the SMS
# endpoints use them, unconfirmed).
NO_MONEY_KEYS = ("noMoney", "no_money", "money", "balance")
# The same said in words (unconfirmed for the SMS endpoints): a refusal whose
# text matches is a refusal for lack of money, not a refusal of the message.
NO_MONEY_TEXT = re.compile(
    r"no\s*money|insufficient\s+(funds|balance)|not\s+enough\s+(money|funds|balance|credit)"
    r"|недостат\w*\s+(кошт|грош|средств|денег|баланс)|нема\w*\s+кошт|нет\s+(денег|средств)",
    re.IGNORECASE,
)
# Viber error keys of SMS Club that do not say the message was refused: its
# own internal error may come after the message was taken.
VIBER_UNCERTAIN_KEYS = ("systemError",)
HTML_TAG = re.compile(r"<[^>]+>")


def parse_status(value):
    """``'DELIVRD'``/``'Доставлено'`` → ``'delivered'``; an unknown word gives
    ``None`` (the caller keeps the raw text and the previous state)."""
    if value is None:
        return None
    text = str(value).strip()
    return STATUS_WORDS.get(text.upper()) or STATUS_WORDS.get(text.lower())


def _digits(value):
    return "".join(ch for ch in str(value) if ch.isdigit())


def _text(value):
    """A reason from SMS Club as one line of text (lists joined)."""
    if isinstance(value, list | tuple):
        return "; ".join(_text(item) for item in value if item not in (None, ""))
    if isinstance(value, dict):
        return "; ".join(f"{key}: {_text(item)}" for key, item in value.items())
    return "" if value is None else str(value).strip()


def _is_no_money(key, reason):
    return str(key) in NO_MONEY_KEYS or bool(NO_MONEY_TEXT.search(_text(reason)))


def chunks_unique(items, key=lambda item: item, size=MAX_PER_CALL):
    """Cut ``items`` into lists of at most ``size`` where no ``key`` appears
    twice (a number twice in one call could not be told apart in the answer)."""
    pending = list(items)
    while pending:
        chunk, seen, rest = [], set(), []
        for item in pending:
            k = key(item)
            if len(chunk) < size and k not in seen:
                chunk.append(item)
                seen.add(k)
            else:
                rest.append(item)
        yield chunk
        pending = rest


class SmsClubError(Exception):
    """Any failure of an SMS Club call.

    :param kind: what happened, one of the ``KIND_*`` constants;
    :param outcome: :data:`REFUSED`, :data:`RETRY` or :data:`UNKNOWN` (see
        the module's documentation);
    :param status: HTTP status, ``None`` when no answer came;
    :param code: SMS Club's error code or the first key of ``errorRequest``;
    :param reasons: the reasons SMS Club gave, ``{key: text}``;
    :param vendor_message: SMS Club's own words, when it gave any;
    :param accepted: number → SMS Club id found in an answer whose outcome
        is unknown (to be looked up, never resent).
    """

    DESCRIPTIONS = {
        KIND_CONFIG: "The request to SMS Club could not be made (check the settings).",
        KIND_CONNECT: "SMS Club could not be reached: nothing was sent.",
        KIND_TIMEOUT: "SMS Club did not answer in time: the request may have been processed.",
        KIND_BROKEN: "The connection to SMS Club broke: the request may have been processed.",
        KIND_RATE: "Too many requests to SMS Club: nothing was sent.",
        KIND_UNAVAILABLE: "SMS Club is unavailable: nothing was sent.",
        KIND_SERVER: "SMS Club answered with a server error: the request may have been processed.",
        KIND_UNREADABLE: "SMS Club sent an answer that cannot be read: the request may have "
        "been processed.",
        KIND_AUTH: "SMS Club refused the token.",
        KIND_NO_MONEY: "Not enough money on the SMS Club account.",
        KIND_VENDOR: "SMS Club refused the request.",
    }

    def __init__(
        self,
        kind=KIND_VENDOR,
        outcome=REFUSED,
        status=None,
        code=None,
        reasons=None,
        vendor_message=None,
        accepted=None,
    ):
        self.kind = kind
        self.outcome = outcome
        self.status = status
        self.code = code
        self.reasons = dict(reasons or {})
        self.vendor_message = vendor_message or None
        self.accepted = dict(accepted or {})
        super().__init__(self.full_message)

    @property
    def message(self):
        """English description (logs, scripts); the Odoo layer words
        :attr:`kind` itself and adds :attr:`vendor_message`."""
        return self.vendor_message or self.DESCRIPTIONS.get(self.kind, "SMS Club error")

    @property
    def full_message(self):
        text = self.DESCRIPTIONS.get(self.kind, "SMS Club error")
        if self.vendor_message:
            text = f"{text} {self.vendor_message}"
        if self.status:
            text = f"[{self.status}] {text}"
        return text

    @property
    def uncertain(self):
        return self.outcome == UNKNOWN

    @property
    def retry_later(self):
        return self.outcome == RETRY

    @property
    def is_auth(self):
        return self.kind == KIND_AUTH

    @property
    def no_money(self):
        return self.kind == KIND_NO_MONEY

    def __str__(self):
        return self.full_message


@dataclass
class SendResult:
    """The answer for one call of at most 100 numbers.

    ``accepted`` number → SMS Club id; ``rejected`` number → SMS Club's
    reason (a refusal of that number); ``no_money`` number → reason (not sent
    for lack of money); ``errors`` field → reason (a refusal of the whole
    call); ``error`` the failure of the whole call. A number found nowhere in
    a readable answer has an unknown outcome."""

    phones: list
    accepted: dict = field(default_factory=dict)
    rejected: dict = field(default_factory=dict)
    no_money: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)
    error: SmsClubError = None

    def outcome_for(self, phone):
        """``(outcome, reason)``: ``('accepted', id)``, ``('refused',
        reason)``, ``('no_money', reason)``, ``('retry', None)`` or
        ``('unknown', id or None)``; the reason is SMS Club's text or
        ``None``. For a failed call, :attr:`error` says more."""
        error = self.error
        if error is not None:
            if phone in error.accepted:
                return UNKNOWN, error.accepted[phone]
            if error.no_money:
                return "no_money", error.vendor_message
            if error.outcome in (RETRY, UNKNOWN):
                return error.outcome, None
            return REFUSED, error.vendor_message
        if phone in self.accepted:
            return "accepted", self.accepted[phone]
        if phone in self.no_money:
            return "no_money", self.no_money[phone]
        if phone in self.rejected:
            return REFUSED, self.rejected[phone]
        if self.errors:
            return REFUSED, "; ".join(f"{key}: {value}" for key, value in self.errors.items())
        return UNKNOWN, None

    def reason_for(self, phone):
        """Why ``phone`` was not accepted (English, for logs and scripts),
        or ``None`` when it was."""
        outcome, detail = self.outcome_for(phone)
        if outcome == "accepted":
            return None
        if self.error is not None:
            return str(self.error)
        if outcome == UNKNOWN:
            return "SMS Club's answer does not mention this number."
        return detail or "not accepted by SMS Club (no reason given)"


class _RateLimiter:
    """At most ``rate`` requests in any ``period * (1 + margin)`` seconds,
    shared by the clients of one token in this process.

    SMS Club counts requests when they reach it; the client only knows that
    a request reached SMS Club between the moment it was sent and the moment
    its answer came. So a request holds its place from when it starts until
    it ends, and the window of a finished request is counted from its end: a
    new request starts only when fewer than ``rate`` requests are running or
    ended less than a window ago. Whatever the latency, the gaps SMS Club
    sees are then at least ``period`` (a second)."""

    _instances = {}
    _instances_lock = threading.Lock()

    def __init__(self, rate, period=1.0, margin=RATE_MARGIN):
        self.rate = max(1, int(rate))
        self.period = period
        self.window = period * (1.0 + margin)
        self.ended = deque()  # end times of finished requests, oldest first
        self.running = 0
        self.condition = threading.Condition()

    @classmethod
    def get(cls, key, rate, period=1.0):
        with cls._instances_lock:
            limiter = cls._instances.get(key)
            if limiter is None or (limiter.rate, limiter.period) != (max(1, int(rate)), period):
                limiter = cls._instances[key] = cls(rate, period)
            return limiter

    def acquire(self):
        with self.condition:
            while True:
                now = time.monotonic()
                # ends older than the window (or from a clock that jumped,
                # e.g. frozen in tests) no longer count
                self.ended = deque(t for t in self.ended if 0 <= now - t < self.window)
                if self.running + len(self.ended) < self.rate:
                    self.running += 1
                    return
                delay = self.window - (now - self.ended[0]) if self.ended else None
                self.condition.wait(delay)

    def release(self):
        with self.condition:
            self.running -= 1
            self.ended.append(time.monotonic())
            self.condition.notify_all()


def _never_sent(error):
    """Whether a connection error happened before the request was sent
    (connection refused, name not resolved, connect timeout)."""
    seen, stack = set(), [error]
    while stack:
        item = stack.pop()
        if item is None or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(
            item,
            urllib3_exceptions.NewConnectionError
            | urllib3_exceptions.ConnectTimeoutError
            | ConnectionRefusedError,
        ):
            return True
        stack.extend([getattr(item, "reason", None), item.__cause__, item.__context__])
        stack.extend(arg for arg in getattr(item, "args", ()) if isinstance(arg, BaseException))
    return False


def _vendor_reason(body, text):
    """SMS Club's own words in an error answer, whatever its form: the
    ``{"name", "message"}`` error object, ``success_request.add_info``, a list
    of ``{"field", "message"}`` (validation errors), or a short plain text."""
    if isinstance(body, dict):
        success = body.get("success_request")
        if isinstance(success, dict) and success.get("add_info"):
            return _text(success["add_info"])
        message = _text(body.get("message"))
        if message:
            return message
        for key in ("error", "errors", "detail"):
            if body.get(key):
                return _text(body[key])
        return _text(body.get("name"))
    if isinstance(body, list):
        parts = []
        for item in body:
            if isinstance(item, dict):
                label = item.get("field")
                message = _text(item.get("message"))
                parts.append(f"{label}: {message}" if label and message else message)
            else:
                parts.append(_text(item))
        return "; ".join(part for part in parts if part)
    plain = " ".join(HTML_TAG.sub(" ", text or "").split())
    return plain[:300]


class SmsClubClient:
    """One SMS Club account.

    :param token: the API token of the SMS Club cabinet (never logged);
    :param base_url: API root, :data:`DEFAULT_URL` in production;
    :param timeout: seconds to connect and to wait for the answer;
    :param rate: requests allowed for this token per ``rate_period``;
    :param rate_period: SMS Club's counting period in seconds
        (:data:`RATE_PERIOD`, a second).

    Phone numbers are given in SMS Club's format (``380671234567``): the
    addon reads them by the store's phone rule before it calls the client.
    """

    def __init__(
        self,
        token,
        base_url=DEFAULT_URL,
        timeout=DEFAULT_TIMEOUT,
        rate=MAX_REQUESTS_PER_SECOND,
        session=None,
        rate_period=None,
    ):
        token = (token or "").strip()
        if not token:
            raise SmsClubError(KIND_AUTH, vendor_message=None)
        self.token = token
        self.base_url = (base_url or DEFAULT_URL).strip().rstrip("/") + "/"
        self.timeout = timeout
        self.session = session or requests.Session()
        key = self.base_url + hashlib.sha256(token.encode()).hexdigest()
        self.limiter = _RateLimiter.get(key, rate, rate_period or RATE_PERIOD)
        self.calls = 0

    # ------------------------------------------------------------ transport
    def _redact(self, text):
        # The token out of SMS Club's words before they go into an error.
        # The addon's own helper (access_roles/tools/credentials.py: redact)
        # lives in an Odoo addon package, which this plain client must not
        # import; the addon applies that helper again to every text it shows.
        return str(text).replace(self.token, "••••") if text else text

    def _request(self, path, payload=None, method="POST"):
        url = self.base_url + path.lstrip("/")
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Content-Type": "application/json; charset=utf-8",
            "Accept": "application/json",
        }
        data = json.dumps(payload if payload is not None else {}, ensure_ascii=False)
        self.limiter.acquire()
        self.calls += 1
        try:
            response = self.session.request(
                method,
                url,
                data=data.encode("utf-8") if method == "POST" else None,
                headers=headers,
                timeout=self.timeout,
            )
            body_text = response.text
        except requests.exceptions.RequestException as error:
            # The library's text may quote the request (its headers): only
            # the kind of error is kept and logged.
            failure = self._transport_error(error)
            _logger.info(
                "SMS Club %s %s: %s (%s)", method, path, failure.kind, type(error).__name__
            )
            raise failure from None
        finally:
            self.limiter.release()
        _logger.debug("SMS Club %s %s: HTTP %s", method, path, response.status_code)
        return self._parse(response.status_code, body_text)

    @staticmethod
    def _transport_error(error):
        if isinstance(error, requests.exceptions.ConnectTimeout):
            return SmsClubError(KIND_CONNECT, RETRY)
        if isinstance(error, requests.exceptions.Timeout):
            return SmsClubError(KIND_TIMEOUT, UNKNOWN)
        if isinstance(error, requests.exceptions.ConnectionError):
            if _never_sent(error):
                return SmsClubError(KIND_CONNECT, RETRY)
            return SmsClubError(KIND_BROKEN, UNKNOWN)
        if isinstance(
            error,
            requests.exceptions.ChunkedEncodingError | requests.exceptions.ContentDecodingError,
        ):
            return SmsClubError(KIND_BROKEN, UNKNOWN)
        # bad address, bad characters in the token…: nothing was sent, and
        # it goes once the settings are right
        return SmsClubError(KIND_CONFIG, RETRY)

    def _parse(self, status, text):
        try:
            body = json.loads(text) if text and text.strip() else None
        except ValueError:
            body = None
        if status >= 400:
            raise self._http_error(status, body, text)
        if not isinstance(body, dict):
            # malformed JSON, an empty body, an HTML page: SMS Club may have
            # processed the request and its answer was lost on the way
            raise SmsClubError(KIND_UNREADABLE, UNKNOWN, status=status)
        if "errorRequest" in body:
            raise self._viber_error(status, body["errorRequest"])
        return body

    def _http_error(self, status, body, text):
        if isinstance(body, dict) and "errorRequest" in body:
            return self._viber_error(status, body["errorRequest"])
        reason = self._redact(_vendor_reason(body, text)) or None
        code = body.get("code") if isinstance(body, dict) else None
        if status == 429:
            return SmsClubError(KIND_RATE, RETRY, status, code, vendor_message=reason)
        if status == 503:
            return SmsClubError(KIND_UNAVAILABLE, RETRY, status, code, vendor_message=reason)
        if status >= 500:
            return SmsClubError(
                KIND_SERVER,
                UNKNOWN,
                status,
                code,
                vendor_message=reason,
                accepted=_ids_in(body),
            )
        if status == 401:
            return SmsClubError(KIND_AUTH, REFUSED, status, code, vendor_message=reason)
        if status == 402 or (reason and NO_MONEY_TEXT.search(reason)):
            return SmsClubError(KIND_NO_MONEY, REFUSED, status, code, vendor_message=reason)
        return SmsClubError(KIND_VENDOR, REFUSED, status, code, vendor_message=reason)

    def _viber_error(self, status, error_request):
        errors = error_request.get("errors") if isinstance(error_request, dict) else None
        reasons = {}
        if isinstance(errors, dict):
            for key, value in errors.items():
                reasons[str(key)] = self._redact(_text(value))
        elif errors:
            reasons["error"] = self._redact(_text(errors))
        code = next(iter(reasons), None)
        message = "; ".join(f"{key}: {value}" for key, value in reasons.items()) or (
            self._redact(_text(error_request))
        )
        status = status if status >= 400 else None
        if any(_is_no_money(key, value) for key, value in reasons.items()):
            kind, outcome = KIND_NO_MONEY, REFUSED
        elif "account" in reasons:
            kind, outcome = KIND_AUTH, REFUSED
        elif any(key in VIBER_UNCERTAIN_KEYS for key in reasons):
            kind, outcome = KIND_SERVER, UNKNOWN
        else:
            kind, outcome = KIND_VENDOR, REFUSED
        return SmsClubError(kind, outcome, status, code, reasons, vendor_message=message)

    @staticmethod
    def _success_info(body):
        success = body.get("success_request")
        if not isinstance(success, dict):
            raise SmsClubError(KIND_UNREADABLE, UNKNOWN)
        return success.get("info"), success.get("add_info")

    # ------------------------------------------------------------------ SMS
    def _read_sms_send(self, body, phones):
        info, add_info = self._success_info(body)
        result = SendResult(phones=list(phones))
        wanted = {_digits(phone): phone for phone in phones}
        if info is not None and not isinstance(info, dict):
            raise SmsClubError(KIND_UNREADABLE, UNKNOWN)
        for sms_id, phone in (info or {}).items():
            key = wanted.get(_digits(phone), _digits(phone))
            result.accepted[key] = str(sms_id)
        if isinstance(add_info, dict):
            for key, reason in add_info.items():
                self._read_add_info(result, wanted, key, reason)
        elif add_info:
            result.errors["add_info"] = self._redact(_text(add_info))
        if result.errors and any(_is_no_money(k, v) for k, v in result.errors.items()):
            # the whole call was refused for lack of money: nothing was sent
            reason = "; ".join(result.errors.values())
            for phone in result.phones:
                if phone not in result.accepted:
                    result.no_money[phone] = reason
            result.errors = {}
        return result

    def _read_add_info(self, result, wanted, key, reason):
        reason_text = self._redact(_text(reason))
        if key == "invalid_phone":
            listed = reason if isinstance(reason, list) else str(reason).split(",")
            found = [wanted[_digits(p)] for p in listed if _digits(p) in wanted]
            for phone in found:
                result.rejected[phone] = reason_text if len(found) == 1 else "invalid_phone"
            if not found:
                result.errors[key] = reason_text
        elif key in SMS_FIELD_KEYS or key in NO_MONEY_KEYS or _digits(key) not in wanted:
            result.errors[str(key)] = reason_text
        elif _is_no_money(key, reason):
            result.no_money[wanted[_digits(key)]] = reason_text
        else:
            result.rejected[wanted[_digits(key)]] = reason_text

    def _send_calls(self, chunks, call):
        """Run ``call(chunk)`` per chunk; an error is kept on that chunk's
        result and does not stop the other chunks (except a refused token)."""
        results = []
        auth_error = None
        for chunk in chunks:
            if auth_error is not None:
                results.append(SendResult(phones=chunk, error=auth_error))
                continue
            try:
                results.append(call(chunk))
            except SmsClubError as error:
                results.append(SendResult(phones=chunk, error=error))
                if error.is_auth:
                    auth_error = error
        return results

    def send_sms(self, phones, message, sender):
        """The same text to many numbers (``/sms/send``): one
        :class:`SendResult` per call of at most 100 numbers."""
        chunks = [list(c) for c in chunks_unique(phones)]

        def call(chunk):
            payload = {"phone": chunk, "message": message, "src_addr": sender}
            try:
                return self._read_sms_send(self._request("sms/send", payload), chunk)
            except SmsClubError as error:
                error.accepted = _phones_of(error.accepted, chunk)
                raise

        return self._send_calls(chunks, call)

    def send_sms_each(self, items, sender):
        """A different text per number (``/v2/sms/send``): ``items`` is a list
        of ``(phone, text)``; one :class:`SendResult` per call of at most 100."""
        chunks = [list(c) for c in chunks_unique(items, key=lambda item: item[0])]

        def call(chunk):
            phones = [phone for phone, _text in chunk]
            payload = {
                "src_addr": sender,
                "data_message": [{"phone": phone, "message": text} for phone, text in chunk],
            }
            try:
                return self._read_sms_send(self._request("v2/sms/send", payload), phones)
            except SmsClubError as error:
                error.accepted = _phones_of(error.accepted, phones)
                raise

        results = self._send_calls(chunks, call)
        for result in results:
            result.phones = [item[0] if isinstance(item, tuple) else item for item in result.phones]
        return results

    def sms_status(self, sms_ids):
        """``{id: (state, raw)}`` for SMS ids (100 per call); ``state`` is
        ``None`` for a word the client does not know; an id SMS Club does not
        know is missing from the answer."""
        statuses = {}
        for chunk in chunks_unique(str(i) for i in sms_ids):
            info, add_info = self._success_info(self._request("sms/status", {"id_sms": chunk}))
            if info is None and add_info:
                raise SmsClubError(KIND_VENDOR, REFUSED, vendor_message=_text(add_info))
            if info is not None and not isinstance(info, dict):
                raise SmsClubError(KIND_UNREADABLE, UNKNOWN)
            for sms_id, raw in (info or {}).items():
                statuses[str(sms_id)] = (parse_status(raw), raw)
        return statuses

    def balance(self):
        """``(Decimal amount, currency)`` of the account."""
        info, add_info = self._success_info(self._request("sms/balance"))
        if not isinstance(info, dict) or "money" not in info:
            raise SmsClubError(KIND_UNREADABLE, REFUSED, vendor_message=_text(add_info) or None)
        try:
            money = Decimal(str(info["money"]))
        except InvalidOperation:
            raise SmsClubError(KIND_UNREADABLE, REFUSED) from None
        return money, info.get("currency") or ""

    def sms_senders(self):
        """The account's SMS alpha names (a list, or an id → name map)."""
        info, add_info = self._success_info(self._request("sms/originator"))
        if info is None and add_info:
            raise SmsClubError(KIND_VENDOR, REFUSED, vendor_message=_text(add_info))
        return _names(info)

    # ---------------------------------------------------------------- Viber
    def send_viber(
        self,
        phones,
        message,
        sender,
        sms_sender=None,
        sms_message=None,
        lifetime=None,
        button_txt=None,
        button_url=None,
        picture_url=None,
    ):
        """A Viber message to many numbers (``/vibers/send``); with
        ``sms_sender`` and ``sms_message`` SMS Club sends an SMS when Viber is
        not delivered. One :class:`SendResult` per call of at most 100."""
        payload = {"sender": sender, "message": message}
        if lifetime:
            payload["lifetime"] = max(60, min(86400, int(lifetime)))
        if button_txt and button_url:
            payload.update(button_txt=button_txt, button_url=button_url)
            if picture_url:
                payload["picture_url"] = picture_url
        if sms_sender and sms_message:
            payload.update(senderSms=sms_sender, messageSms=sms_message)
        chunks = [list(c) for c in chunks_unique(phones)]

        def call(chunk):
            try:
                body = self._request("vibers/send", dict(payload, phones=chunk))
                return self._read_viber_send(body, chunk)
            except SmsClubError as error:
                error.accepted = _phones_of(error.accepted, chunk)
                if error.kind == KIND_VENDOR and set(error.reasons) <= {
                    "anyCorrectPhones",
                    "incorrectPhones",
                }:
                    # no correct number in the call: each number is refused
                    return SendResult(
                        phones=chunk, rejected=dict.fromkeys(chunk, error.vendor_message)
                    )
                raise

        return self._send_calls(chunks, call)

    @staticmethod
    def _viber_data(body):
        success = body.get("successfulRequest")
        if not isinstance(success, dict) or "requestData" not in success:
            raise SmsClubError(KIND_UNREADABLE, UNKNOWN)
        return success["requestData"]

    def _read_viber_send(self, body, phones):
        data = self._viber_data(body)
        result = SendResult(phones=list(phones))
        wanted = {_digits(phone): phone for phone in phones}
        if not isinstance(data, dict):
            raise SmsClubError(KIND_UNREADABLE, UNKNOWN)
        for item in data.get("messages") or []:
            number = _digits(item.get("number", ""))
            result.accepted[wanted.get(number, number)] = str(item.get("id"))
        extra = data.get("additionalInfo") or {}
        for key, reason in (("incorrectPhones", "incorrectPhones"), ("blackList", "blackList")):
            for phone in extra.get(key) or []:
                number = _digits(phone)
                result.rejected[wanted.get(number, number)] = reason
        return result

    def viber_status(self, message_ids):
        """``{id: {'state', 'raw', 'sms_state', 'sms_raw', 'addition'}}`` for
        Viber message ids (100 per call); an id SMS Club does not know is
        missing from the answer."""
        statuses = {}
        for chunk in chunks_unique(str(i) for i in message_ids):
            data = self._viber_data(self._request("vibers/status", {"messageIds": chunk}))
            if isinstance(data, list):  # [{"id": …, "status": …}] (unconfirmed form)
                data = {str(item.get("id")): item for item in data if isinstance(item, dict)}
            if not isinstance(data, dict):
                raise SmsClubError(KIND_UNREADABLE, UNKNOWN)
            for message_id, item in data.items():
                item = item if isinstance(item, dict) else {"status": item}
                statuses[str(message_id)] = {
                    "state": parse_status(item.get("status")),
                    "raw": item.get("status"),
                    "sms_state": parse_status(item.get("smsStatus")),
                    "sms_raw": item.get("smsStatus"),
                    "addition": item.get("additionStatus"),
                }
        return statuses

    def viber_senders(self):
        """The account's Viber sender names (unconfirmed: ``GET``, as the
        official PHP SDK does)."""
        return _names(self._viber_data(self._request("vibers/originator", method="GET")))


def _ids_in(body):
    """Number → id found in an answer whose outcome is unknown (an error
    status with the usual success body), else ``{}``."""
    if not isinstance(body, dict):
        return {}
    found = {}
    success = body.get("success_request")
    if isinstance(success, dict) and isinstance(success.get("info"), dict):
        for sms_id, phone in success["info"].items():
            found[_digits(phone)] = str(sms_id)
    viber = body.get("successfulRequest")
    data = viber.get("requestData") if isinstance(viber, dict) else None
    if isinstance(data, dict):
        for item in data.get("messages") or []:
            if isinstance(item, dict) and item.get("id") is not None:
                found[_digits(item.get("number", ""))] = str(item["id"])
    return found


def _phones_of(found, phones):
    """``found`` (digits → id) keyed by the numbers of the call."""
    wanted = {_digits(phone): phone for phone in phones}
    return {wanted[digits]: sms_id for digits, sms_id in found.items() if digits in wanted}


def _names(info):
    if isinstance(info, dict):
        values = info.values()
    elif isinstance(info, list):
        values = info
    else:
        values = []
    names = []
    for value in values:
        if isinstance(value, dict):
            value = value.get("name") or value.get("originator") or value.get("sender")
        if value and str(value) not in names:
            names.append(str(value))
    return names
