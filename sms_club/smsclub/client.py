"""A plain-Python client of the SMS Club API (https://im.smsclub.mobi/).

Nothing here imports Odoo: the addon builds one :class:`SmsClubClient` per
operation (``res.company._smsclub_client``) and turns :class:`SmsClubError`
into user messages and message failures in one place.

What the client guarantees by itself (``shared/spec/smsclub.md``):

- every request is a JSON ``POST`` (the Viber sender list is a ``GET``) with
  ``Authorization: Bearer <token>`` and a timeout;
- at most :data:`MAX_PER_CALL` numbers or ids per call (longer lists are cut
  into several calls, a number never twice in one call) and at most
  :data:`MAX_REQUESTS_PER_SECOND` requests per second per token, shared by
  all clients of the process;
- both reply envelopes are read (``success_request``/``add_info`` for SMS,
  ``successfulRequest``/``errorRequest`` for Viber) and both status
  vocabularies (codes and Russian words);
- HTTP 400/401/429/5xx, Viber error bodies, timeouts and malformed bodies
  all become :class:`SmsClubError`, which tells whether SMS Club may have
  accepted the request (:attr:`SmsClubError.uncertain`) or certainly did not
  (:attr:`SmsClubError.retry_later` for 429 and refused connections).
"""

import hashlib
import json
import logging
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import requests

_logger = logging.getLogger(__name__)

DEFAULT_URL = "https://im.smsclub.mobi/"
DEFAULT_TIMEOUT = 20.0  # seconds (connect and read)
MAX_PER_CALL = 100
MAX_REQUESTS_PER_SECOND = 9

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


def parse_status(value):
    """``'DELIVRD'``/``'Доставлено'`` → ``'delivered'``; an unknown word gives
    ``None`` (the caller keeps the raw text and the previous state)."""
    if value is None:
        return None
    text = str(value).strip()
    return STATUS_WORDS.get(text.upper()) or STATUS_WORDS.get(text.lower())


def _digits(value):
    return "".join(ch for ch in str(value) if ch.isdigit())


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

    :param message: SMS Club's message, or ours when no answer came;
    :param status: HTTP status, ``None`` when no answer came;
    :param code: SMS Club's error code or the first key of ``errorRequest``;
    :param reasons: all reasons SMS Club gave, ``{key: text}``;
    :param outcome: ``'refused'`` (SMS Club certainly did not accept it),
        ``'retry'`` (not accepted, may be tried again: 429, connection
        refused) or ``'unknown'`` (timeout, connection lost, malformed reply:
        SMS Club may have accepted it).
    """

    def __init__(self, message, status=None, code=None, reasons=None, outcome="refused"):
        self.message = message or "SMS Club error"
        self.status = status
        self.code = code
        self.reasons = dict(reasons or {})
        self.outcome = outcome
        super().__init__(self.full_message)

    @property
    def full_message(self):
        text = self.message
        if self.status:
            text = f"[{self.status}] {text}"
        return text

    @property
    def uncertain(self):
        return self.outcome == "unknown"

    @property
    def retry_later(self):
        return self.outcome == "retry"

    @property
    def is_auth(self):
        return self.status == 401 or self.code == "account"

    @property
    def no_money(self):
        return self.code == "noMoney" or "noMoney" in self.reasons

    def __str__(self):
        return self.full_message


@dataclass
class SendResult:
    """The answer for one call: ``accepted`` number → SMS Club id, ``rejected``
    number → reason, ``errors`` field → reason (a whole-call refusal)."""

    phones: list
    accepted: dict = field(default_factory=dict)
    rejected: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)
    error: SmsClubError = None

    def reason_for(self, phone):
        """Why ``phone`` was not accepted, or ``None`` when it was."""
        if self.error is not None:
            return str(self.error)
        if phone in self.accepted:
            return None
        if phone in self.rejected:
            return self.rejected[phone]
        if self.errors:
            return "; ".join(f"{key}: {value}" for key, value in self.errors.items())
        return "not accepted by SMS Club (no reason given)"


class _RateLimiter:
    """At most ``rate`` calls in any second, shared by the clients of one
    token in this process."""

    _instances = {}
    _instances_lock = threading.Lock()

    def __init__(self, rate):
        self.rate = rate
        self.calls = deque()
        self.lock = threading.Lock()

    @classmethod
    def get(cls, key, rate):
        with cls._instances_lock:
            limiter = cls._instances.get(key)
            if limiter is None or limiter.rate != rate:
                limiter = cls._instances[key] = cls(rate)
            return limiter

    def _forget(self, now):
        # calls older than a second (or from a clock that jumped) no longer count
        while self.calls and not 0 <= now - self.calls[0] < 1.0:
            self.calls.popleft()

    def wait(self):
        with self.lock:
            now = time.monotonic()
            self._forget(now)
            if len(self.calls) >= self.rate:
                delay = min(1.0, 1.0 - (now - self.calls[0]))
                if delay > 0:
                    time.sleep(delay)
                self._forget(time.monotonic())
            self.calls.append(time.monotonic())


class SmsClubClient:
    """One SMS Club account.

    :param token: the API token of the SMS Club cabinet (never logged);
    :param base_url: API root, :data:`DEFAULT_URL` in production;
    :param timeout: seconds to connect and to wait for the answer;
    :param rate: requests per second allowed for this token.
    """

    def __init__(
        self,
        token,
        base_url=DEFAULT_URL,
        timeout=DEFAULT_TIMEOUT,
        rate=MAX_REQUESTS_PER_SECOND,
        session=None,
    ):
        if not token:
            raise SmsClubError("No SMS Club token is set.", code="account")
        self.token = token
        self.base_url = (base_url or DEFAULT_URL).rstrip("/") + "/"
        self.timeout = timeout
        self.session = session or requests.Session()
        key = self.base_url + hashlib.sha256(token.encode()).hexdigest()
        self.limiter = _RateLimiter.get(key, rate)
        self.calls = 0

    # ------------------------------------------------------------ transport
    def _redact(self, text):
        return str(text).replace(self.token, "••••") if text else text

    def _request(self, path, payload=None, method="POST"):
        url = self.base_url + path.lstrip("/")
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Content-Type": "application/json; charset=utf-8",
            "Accept": "application/json",
        }
        data = json.dumps(payload if payload is not None else {}, ensure_ascii=False)
        self.limiter.wait()
        self.calls += 1
        try:
            response = self.session.request(
                method,
                url,
                data=data.encode("utf-8") if method == "POST" else None,
                headers=headers,
                timeout=self.timeout,
            )
        except requests.exceptions.ConnectTimeout as error:
            raise SmsClubError(
                "SMS Club could not be reached (connection timeout).", outcome="retry"
            ) from error
        except requests.exceptions.Timeout as error:
            raise SmsClubError(
                "SMS Club did not answer in time: the request may have been accepted.",
                outcome="unknown",
            ) from error
        except requests.exceptions.ConnectionError as error:
            text = str(error)
            refused = "NewConnectionError" in text or "Connection refused" in text
            raise SmsClubError(
                "SMS Club could not be reached."
                if refused
                else "The connection to SMS Club broke: the request may have been accepted.",
                outcome="retry" if refused else "unknown",
            ) from error
        except requests.exceptions.RequestException as error:
            raise SmsClubError(self._redact(error), outcome="unknown") from error
        _logger.debug("SMS Club %s %s: HTTP %s", method, path, response.status_code)
        return self._parse(response)

    def _parse(self, response):
        status = response.status_code
        try:
            body = response.json()
        except ValueError:
            body = None
        if status >= 400:
            raise self._http_error(status, body, response.text)
        if not isinstance(body, dict):
            raise SmsClubError(
                "SMS Club sent an answer that cannot be read: the request may have been accepted.",
                status=status,
                outcome="unknown",
            )
        if "errorRequest" in body:
            raise self._viber_error(status, body["errorRequest"])
        return body

    def _http_error(self, status, body, text):
        if isinstance(body, dict) and "errorRequest" in body:
            return self._viber_error(status, body["errorRequest"])
        message = ""
        code = None
        if isinstance(body, dict):
            message = body.get("message") or body.get("name") or ""
            code = body.get("code")
        if not message:
            message = {
                400: "The request was refused as invalid.",
                401: "The SMS Club token was refused (unauthorized).",
                429: "Too many requests to SMS Club.",
            }.get(status) or ("SMS Club is unavailable." if status >= 500 else (text or "")[:200])
        if status == 429:
            outcome = "retry"
        elif status >= 500:
            outcome = "refused"
        else:
            outcome = "refused"
        return SmsClubError(self._redact(message), status=status, code=code, outcome=outcome)

    def _viber_error(self, status, error_request):
        errors = error_request.get("errors") if isinstance(error_request, dict) else None
        reasons = {}
        if isinstance(errors, dict):
            for key, value in errors.items():
                reasons[key] = "; ".join(map(str, value)) if isinstance(value, list) else str(value)
        elif errors:
            reasons["error"] = str(errors)
        code = next(iter(reasons), None)
        message = "; ".join(f"{key}: {value}" for key, value in reasons.items()) or str(
            error_request
        )
        return SmsClubError(
            self._redact(message),
            status=status if status >= 400 else None,
            code=code,
            reasons=reasons,
        )

    @staticmethod
    def _success_info(body):
        success = body.get("success_request")
        if not isinstance(success, dict):
            raise SmsClubError(
                "SMS Club sent an answer without “success_request”.", outcome="unknown"
            )
        return success.get("info"), success.get("add_info")

    # ------------------------------------------------------------------ SMS
    def _read_sms_send(self, body, phones):
        info, add_info = self._success_info(body)
        result = SendResult(phones=list(phones))
        wanted = {_digits(phone): phone for phone in phones}
        if info is not None and not isinstance(info, dict):
            raise SmsClubError("SMS Club sent an unreadable list of sent SMS.", outcome="unknown")
        for sms_id, phone in (info or {}).items():
            key = wanted.get(_digits(phone), _digits(phone))
            result.accepted[key] = str(sms_id)
        if isinstance(add_info, dict):
            for key, reason in add_info.items():
                reason_text = "; ".join(map(str, reason)) if isinstance(reason, list) else reason
                if key in SMS_FIELD_KEYS and key != "invalid_phone":
                    result.errors[key] = str(reason_text)
                elif key == "invalid_phone":
                    listed = reason if isinstance(reason, list) else str(reason).split(",")
                    for phone in listed:
                        if _digits(phone) in wanted:
                            result.rejected[wanted[_digits(phone)]] = "invalid phone number"
                    if not any(_digits(p) in wanted for p in listed):
                        result.errors[key] = str(reason_text)
                elif _digits(key) in wanted:
                    result.rejected[wanted[_digits(key)]] = str(reason_text)
                else:
                    result.errors[key] = str(reason_text)
        elif add_info:
            result.errors["add_info"] = str(add_info)
        return result

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
                    auth_error = SmsClubError(
                        error.message, status=error.status, code=error.code, outcome="refused"
                    )
        return results

    def send_sms(self, phones, message, sender):
        """The same text to many numbers (``/sms/send``): one
        :class:`SendResult` per call of at most 100 numbers."""
        chunks = [list(c) for c in chunks_unique(phones)]
        return self._send_calls(
            chunks,
            lambda chunk: self._read_sms_send(
                self._request("sms/send", {"phone": chunk, "message": message, "src_addr": sender}),
                chunk,
            ),
        )

    def send_sms_each(self, items, sender):
        """A different text per number (``/v2/sms/send``): ``items`` is a list
        of ``(phone, text)``; one :class:`SendResult` per call of at most 100."""
        chunks = [list(c) for c in chunks_unique(items, key=lambda item: item[0])]

        def call(chunk):
            body = self._request(
                "v2/sms/send",
                {
                    "src_addr": sender,
                    "data_message": [{"phone": phone, "message": text} for phone, text in chunk],
                },
            )
            return self._read_sms_send(body, [phone for phone, _text in chunk])

        results = self._send_calls(chunks, call)
        for result in results:
            if result.error is not None:
                result.phones = [
                    item[0] if isinstance(item, tuple) else item for item in result.phones
                ]
        return results

    def sms_status(self, sms_ids):
        """``{id: (state, raw)}`` for SMS ids (100 per call); ``state`` is
        ``None`` for a word the client does not know."""
        statuses = {}
        for chunk in chunks_unique(str(i) for i in sms_ids):
            info, add_info = self._success_info(self._request("sms/status", {"id_sms": chunk}))
            if info is None and add_info:
                raise SmsClubError(str(add_info))
            for sms_id, raw in (info or {}).items():
                statuses[str(sms_id)] = (parse_status(raw), raw)
        return statuses

    def balance(self):
        """``(Decimal amount, currency)`` of the account."""
        info, add_info = self._success_info(self._request("sms/balance"))
        if not isinstance(info, dict) or "money" not in info:
            raise SmsClubError(str(add_info or "SMS Club sent no balance."), outcome="refused")
        try:
            money = Decimal(str(info["money"]))
        except InvalidOperation as error:
            raise SmsClubError("SMS Club sent an unreadable balance.") from error
        return money, info.get("currency") or ""

    def sms_senders(self):
        """The account's SMS alpha names (a list, or an id → name map)."""
        info, add_info = self._success_info(self._request("sms/originator"))
        if info is None and add_info:
            raise SmsClubError(str(add_info))
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
            body = self._request("vibers/send", dict(payload, phones=chunk))
            return self._read_viber_send(body, chunk)

        return self._send_calls(chunks, call)

    @staticmethod
    def _viber_data(body):
        success = body.get("successfulRequest")
        if not isinstance(success, dict) or "requestData" not in success:
            raise SmsClubError(
                "SMS Club sent an answer without “successfulRequest”.", outcome="unknown"
            )
        return success["requestData"]

    def _read_viber_send(self, body, phones):
        data = self._viber_data(body)
        result = SendResult(phones=list(phones))
        wanted = {_digits(phone): phone for phone in phones}
        if not isinstance(data, dict):
            raise SmsClubError("SMS Club sent an unreadable Viber answer.", outcome="unknown")
        for item in data.get("messages") or []:
            number = _digits(item.get("number", ""))
            result.accepted[wanted.get(number, number)] = str(item.get("id"))
        extra = data.get("additionalInfo") or {}
        for key, reason in (("incorrectPhones", "incorrect phone"), ("blackList", "blacklisted")):
            for phone in extra.get(key) or []:
                number = _digits(phone)
                result.rejected[wanted.get(number, number)] = reason
        return result

    def viber_status(self, message_ids):
        """``{id: {'state', 'raw', 'sms_state', 'sms_raw', 'addition'}}`` for
        Viber message ids (100 per call)."""
        statuses = {}
        for chunk in chunks_unique(str(i) for i in message_ids):
            data = self._viber_data(self._request("vibers/status", {"messageIds": chunk}))
            if isinstance(data, list):  # [{"id": …, "status": …}] (unconfirmed form)
                data = {str(item.get("id")): item for item in data if isinstance(item, dict)}
            if not isinstance(data, dict):
                raise SmsClubError("SMS Club sent unreadable Viber states.", outcome="unknown")
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
