"""A plain-Python client of the Checkbox API (software cash register, ПРРО).

Nothing here imports Odoo: the addon builds one :class:`CheckboxClient` per
operation (``fiscal.cash.register._checkbox_client``) and turns
:class:`CheckboxError` into a user message in one place.

Conventions of the API:

- money is sent in kopecks (integers, 5500 = 55.00 UAH) and quantities
  multiplied by 1000 (1000 = 1 pc); :func:`to_kopecks` and :func:`to_quantity`
  are the only places that convert;
- every request carries ``X-Client-Name``/``X-Client-Version`` and, once
  known, the register's ``X-License-Key``; cashier calls carry the bearer
  token, refreshed once on 401/403;
- every request has a timeout; every failure comes out as one exception
  type, :class:`CheckboxError`, with a ``code`` and a ``message``.

Two kinds of failure are kept apart, because a receipt must never be issued
twice:

- a *refusal*: Checkbox answered with a business error (4xx, e.g. a 422
  validation error). The request was not carried out; it is safe to fix the
  data and try again;
- an *uncertain outcome*: no answer in time, the connection cut, a server
  error (5xx), too many requests (429), or an answer that cannot be read
  (empty, not JSON, an HTML page, not the expected shape). Checkbox may have
  carried the request out: before anything is sent again, the receipt is
  looked up by our id.
"""

import logging
import time
from decimal import ROUND_HALF_UP, Decimal

import requests

_logger = logging.getLogger(__name__)

PRODUCTION_URL = "https://api.checkbox.ua/api/v1"
TEST_URL = "https://dev-api.checkbox.in.ua/api/v1"
CHECK_URL = "https://check.checkbox.ua/"  # public receipt page: CHECK_URL + receipt id
DEFAULT_TIMEOUT = (5.0, 20.0)  # (connect, read) seconds

RECEIPT_FINAL_STATUSES = ("DONE", "ERROR", "CANCELLED")
NO_SHIFT_MESSAGES = ("зміну не відкрито", "shift is not opened", "no open shift")
SHIFT_ALREADY_OPEN_MESSAGES = ("вже працює з відкритою зміною", "already has an open shift")
DUPLICATE_ID_CODES = ("receipt.already_exists", "receipt_already_exists", "already_exists")
DUPLICATE_ID_MESSAGES = ("вже існує", "already exists")

# Our own error codes (Checkbox's codes are kept as they come).
TIMEOUT = "timeout"  # no answer in time
CONNECTION = "connection"  # no connection, or the connection was cut
SERVER_ERROR = "server_error"  # HTTP 5xx
RATE_LIMITED = "rate_limited"  # HTTP 429
BAD_ANSWER = "bad_answer"  # empty, not JSON, an HTML page, not the expected shape
NOT_CONFIRMED = "not_confirmed"  # Checkbox may have the receipt but did not show it
NO_CREDENTIALS = "no_credentials"
HTTP_ERROR = "http_error"  # a refusal without a code of Checkbox
SHIFT_OPEN_FAILED = "shift.open_failed"  # the tax service did not let the shift open
UNCERTAIN_CODES = (TIMEOUT, CONNECTION, SERVER_ERROR, RATE_LIMITED, BAD_ANSWER, NOT_CONFIRMED)


def to_kopecks(amount):
    """UAH amount → integer kopecks, rounded half up (12.345 → 1235)."""
    value = Decimal(str(amount or 0)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return int(value * 100)


def from_kopecks(value):
    """Integer kopecks → UAH amount as a float (1235 → 12.35)."""
    return float(Decimal(int(value or 0)) / 100)


def to_quantity(quantity):
    """Quantity → thousandths, rounded half up (1.5 pc → 1500)."""
    value = Decimal(str(quantity or 0)) * 1000
    return int(value.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def line_sum(price, quantity):
    """Sum of a good in kopecks, as the register computes it: price (kopecks)
    × quantity (thousandths) / 1000, rounded half up."""
    value = Decimal(int(price)) * Decimal(int(quantity)) / 1000
    return int(value.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def report_totals(report):
    """Totals of an X- or Z-report: Checkbox nests the sums by payment type
    (``payments: [{"type", "label", "sell_sum", "return_sum", …}]``, in
    kopecks) next to the receipt counts. Returns a dict with
    ``sell_receipts_count``, ``return_receipts_count``, ``sell_sum`` and
    ``return_sum`` (kopecks)."""
    report = report if isinstance(report, dict) else {}
    payments = [p for p in report.get("payments") or [] if isinstance(p, dict)]
    return {
        "sell_receipts_count": int(report.get("sell_receipts_count") or 0),
        "return_receipts_count": int(report.get("return_receipts_count") or 0),
        "sell_sum": sum(int(p.get("sell_sum") or 0) for p in payments),
        "return_sum": sum(int(p.get("return_sum") or 0) for p in payments),
    }


def _redact(text, secrets):
    """``text`` with every secret of the client masked. The suite's helper
    for this is ``redact`` in access_roles/tools/credentials.py, which the
    Odoo side of the addon uses; this client must not import Odoo (nor an
    addon), so it keeps this small copy for the texts of its own errors."""
    if not text:
        return text
    text = str(text)
    for secret in secrets:
        if secret and len(str(secret)) >= 4:
            text = text.replace(str(secret), "••••")
    return text


class CheckboxError(Exception):
    """Any failure of a Checkbox call.

    :param message: Checkbox's ``message``, or ours when there was no usable
        answer (for the logs; the addon shows its own text per ``code``);
    :param status: HTTP status, or ``None`` when no answer came;
    :param code: Checkbox's error code when it sends one, else one of ours
        (:data:`TIMEOUT`, :data:`CONNECTION`, :data:`SERVER_ERROR`,
        :data:`RATE_LIMITED`, :data:`BAD_ANSWER`, :data:`NOT_CONFIRMED`,
        :data:`HTTP_ERROR`…);
    :param detail: the 422 ``detail`` list (``loc``, ``msg``, ``type``);
    :param uncertain: whether Checkbox may have carried the request out;
        by default: no answer, a server error, 429 or an unreadable answer.
    """

    reason = None  # the tax service's own words, when Checkbox passes them on

    def __init__(self, message, status=None, code=None, detail=None, uncertain=None):
        self.message = message or "Checkbox error"
        self.status = status
        self.code = code or (HTTP_ERROR if status else CONNECTION)
        self.detail = detail if isinstance(detail, list) else ([detail] if detail else [])
        if uncertain is None:
            uncertain = self.code in UNCERTAIN_CODES or bool(
                status and (status >= 500 or status == 429)
            )
        self.uncertain = uncertain
        super().__init__(self.full_message)

    @property
    def detail_text(self):
        parts = []
        for item in self.detail:
            if isinstance(item, dict):
                loc = ".".join(str(part) for part in item.get("loc") or [] if part != "body")
                parts.append(f"{loc}: {item.get('msg')}" if loc else str(item.get("msg")))
            else:
                parts.append(str(item))
        return "; ".join(parts)

    @property
    def full_message(self):
        text = self.message
        if self.status:
            text = f"[{self.status}] {text}"
        if self.detail:
            text = f"{text} ({self.detail_text})"
        return text

    @property
    def kind(self):
        """What happened, in one word: ``timeout``, ``connection``,
        ``server_error``, ``rate_limited``, ``bad_answer``, ``not_confirmed``,
        ``no_credentials``, ``auth``, ``shift_not_opened``, ``not_found``,
        ``invalid`` (a 422 validation error) or ``refused``."""
        if self.code in UNCERTAIN_CODES:
            return self.code
        if self.status and self.status >= 500:
            return SERVER_ERROR
        if self.status == 429:
            return RATE_LIMITED
        if self.uncertain:
            return NOT_CONFIRMED
        if self.code == NO_CREDENTIALS:
            return NO_CREDENTIALS
        if self.is_auth:
            return "auth"
        if self.code == SHIFT_OPEN_FAILED:
            return "shift_not_opened"
        if self.is_not_found:
            return "not_found"
        if self.status == 422:
            return "invalid"
        return "refused"

    @property
    def timeout(self):
        return self.code == TIMEOUT

    @property
    def is_transient(self):
        """Kept for callers of older versions: same as :attr:`uncertain`."""
        return self.uncertain

    @property
    def is_refused(self):
        """Checkbox answered with a business error: the request was not
        carried out."""
        return not self.uncertain

    @property
    def is_auth(self):
        return self.status in (401, 403)

    @property
    def is_not_found(self):
        return self.status == 404

    @property
    def is_no_open_shift(self):
        text = (self.message or "").lower()
        return any(marker in text for marker in NO_SHIFT_MESSAGES) or (self.code or "").lower() in (
            "shift.not_opened",
            "shift_not_opened",
        )

    @property
    def is_shift_already_open(self):
        text = (self.message or "").lower()
        return any(marker in text for marker in SHIFT_ALREADY_OPEN_MESSAGES)

    @property
    def is_duplicate_id(self):
        """Checkbox refused the id because a receipt with it already exists."""
        if self.uncertain:
            return False
        text = (self.message or "").lower()
        return (self.code or "").lower() in DUPLICATE_ID_CODES or any(
            marker in text for marker in DUPLICATE_ID_MESSAGES
        )

    def __str__(self):
        return self.full_message


class CheckboxClient:
    """One cashier working on one cash register.

    :param base_url: API root including the version, e.g. :data:`PRODUCTION_URL`;
    :param license_key: the register's licence key (``X-License-Key``);
    :param login, password: cashier credentials, or ``pin_code``;
    :param access_token: a token from an earlier sign-in (saved by the caller
        through ``on_token``), used until Checkbox answers 401/403;
    :param timeout: seconds, or a ``(connect, read)`` pair, for every request;
    :param poll_interval: seconds between two status polls;
    """

    def __init__(
        self,
        base_url,
        license_key=None,
        login=None,
        password=None,
        pin_code=None,
        access_token=None,
        client_name="UA Store Order Suite",
        client_version="18.0.1.0.0",
        timeout=DEFAULT_TIMEOUT,
        poll_interval=1.0,
        on_token=None,
        session=None,
        check_url=CHECK_URL,
        sleep=time.sleep,
    ):
        self.base_url = (base_url or PRODUCTION_URL).rstrip("/")
        self.license_key = license_key
        self.login = login
        self.password = password
        self.pin_code = pin_code
        self.access_token = access_token
        self.client_name = client_name
        self.client_version = client_version
        self.timeout = timeout
        self.poll_interval = poll_interval
        self.on_token = on_token
        self.session = session or requests.Session()
        self.check_url = check_url
        self.sleep = sleep
        self.calls = 0  # HTTP requests sent by this client (the benchmark counts them)

    # ------------------------------------------------------------------ transport
    def _secrets(self):
        return (self.password, self.pin_code, self.license_key, self.access_token, self.login)

    def _headers(self, auth):
        headers = {
            "Accept": "application/json",
            "X-Client-Name": self.client_name,
            "X-Client-Version": self.client_version,
        }
        if self.license_key:
            headers["X-License-Key"] = self.license_key
        if auth and self.access_token:
            headers["Authorization"] = f"Bearer {self.access_token}"
        return headers

    @staticmethod
    def _looks_like_html(response):
        content_type = (response.headers.get("Content-Type") or "").lower()
        start = (response.content or b"")[:64].lstrip().lower()
        return "html" in content_type or start.startswith((b"<!doctype", b"<html", b"<"))

    def _error(self, response, where):
        status = response.status_code
        body = None
        if not self._looks_like_html(response):
            try:
                body = response.json()
            except ValueError:
                body = None
        message = code = detail = None
        if isinstance(body, dict):
            message = body.get("message")
            code = body.get("code") or body.get("error_code")
            detail = body.get("detail")
            if isinstance(detail, str) and not message:
                message, detail = detail, None
        if status >= 500 or status == 429:
            # a proxy's page or a server error: nothing to learn from the body
            return CheckboxError(
                _redact(
                    f"{message or response.reason or 'server error'} ({where})", self._secrets()
                ),
                status=status,
                code=RATE_LIMITED if status == 429 else SERVER_ERROR,
            )
        if not isinstance(message, str) or not message:
            if body is None:
                # a 4xx that is not Checkbox's JSON (a proxy page): not a business answer
                return CheckboxError(
                    f"HTTP {status} without a Checkbox answer ({where})",
                    status=status,
                    code=BAD_ANSWER,
                )
            message = response.reason or f"HTTP {status}"
        return CheckboxError(
            _redact(message, self._secrets()),
            status=status,
            code=code if isinstance(code, str) else None,
            detail=detail,
        )

    def request(
        self,
        method,
        path,
        payload=None,
        params=None,
        auth=True,
        raw=False,
        retry=True,
        allow_empty=False,
    ):
        """One HTTP call; returns the decoded JSON (or bytes when ``raw``).

        An answer that cannot be used (empty unless ``allow_empty``, an HTML
        page, not JSON) raises :class:`CheckboxError` with code
        :data:`BAD_ANSWER`: it is never taken for "nothing"."""
        if auth and not self.access_token:
            self.signin()
        where = f"{method} /{path.lstrip('/')}"
        url = f"{self.base_url}/{path.lstrip('/')}"
        self.calls += 1
        try:
            response = self.session.request(
                method,
                url,
                json=payload,
                params=params,
                headers=self._headers(auth),
                timeout=self.timeout,
            )
        except requests.Timeout as exc:
            raise CheckboxError(f"no answer in time ({where})", code=TIMEOUT) from exc
        except requests.RequestException as exc:
            raise CheckboxError(
                f"no connection or connection cut ({where})", code=CONNECTION
            ) from exc
        if response.status_code in (401, 403) and auth and retry and self._can_sign_in():
            _logger.info("Checkbox: token refused (%s), signing in again", response.status_code)
            self.access_token = None
            self.signin()
            return self.request(method, path, payload, params, auth, raw, False, allow_empty)
        if response.status_code >= 400:
            raise self._error(response, where)
        if raw:
            if not response.content:
                raise CheckboxError(
                    f"empty answer ({where})", status=response.status_code, code=BAD_ANSWER
                )
            return response.content
        if not response.content:
            if allow_empty:
                return None
            raise CheckboxError(
                f"empty answer ({where})", status=response.status_code, code=BAD_ANSWER
            )
        if self._looks_like_html(response):
            raise CheckboxError(
                f"a web page instead of data ({where})",
                status=response.status_code,
                code=BAD_ANSWER,
            )
        try:
            return response.json()
        except ValueError as exc:
            raise CheckboxError(
                f"an answer that is not JSON ({where})",
                status=response.status_code,
                code=BAD_ANSWER,
            ) from exc

    @staticmethod
    def _expect(data, keys, what):
        """``data`` must be a JSON object with ``keys``; else BAD_ANSWER."""
        if not isinstance(data, dict) or any(not data.get(key) for key in keys):
            raise CheckboxError(f"unexpected answer for {what}", code=BAD_ANSWER)
        return data

    def _can_sign_in(self):
        return bool(self.pin_code or (self.login and self.password))

    # ------------------------------------------------------------------ cashier
    def signin(self):
        """Sign the cashier in (PIN code when given, else login/password);
        returns the access token and hands it to ``on_token``."""
        if self.pin_code:
            data = self.request(
                "POST", "cashier/signinPinCode", {"pin_code": self.pin_code}, auth=False
            )
        elif self.login and self.password:
            data = self.request(
                "POST",
                "cashier/signin",
                {"login": self.login, "password": self.password},
                auth=False,
            )
        else:
            raise CheckboxError(
                "No cashier credentials: set a login and password or a PIN code",
                code=NO_CREDENTIALS,
                uncertain=False,
            )
        token = self._expect(data, ("access_token",), "the sign-in")["access_token"]
        self.access_token = token
        if self.on_token:
            self.on_token(token)
        return token

    def get_cashier(self):
        return self.request("GET", "cashier/me")

    # ------------------------------------------------------------------ shifts
    def get_current_shift(self):
        """The cashier's current shift, or ``None`` (Checkbox answers JSON
        ``null``; an empty body is not an answer)."""
        data = self.request("GET", "cashier/shift")
        if data is None:
            return None
        return self._expect(data, ("id", "status"), "the current shift")

    def get_shift(self, shift_id):
        return self._expect(self.request("GET", f"shifts/{shift_id}"), ("id", "status"), "a shift")

    def wait_shift(self, shift, statuses, max_wait=30.0):
        """Poll a shift until its status is one of ``statuses``."""
        deadline = time.monotonic() + max_wait
        while shift.get("status") not in statuses:
            if time.monotonic() >= deadline:
                raise CheckboxError(
                    f"Shift {shift.get('id')} is still {shift.get('status')} after {max_wait:g} s",
                    code=TIMEOUT,
                )
            self.sleep(self.poll_interval)
            shift = self.get_shift(shift["id"])
        return shift

    def open_shift(self, shift_id=None, max_wait=30.0):
        """Open a shift (CREATED → OPENING → OPENED) and wait until it is open."""
        payload = {"id": shift_id} if shift_id else None
        shift = self._expect(self.request("POST", "shifts", payload), ("id", "status"), "a shift")
        shift = self.wait_shift(shift, ("OPENED", "CLOSED"), max_wait)
        if shift.get("status") == "CLOSED":
            transaction = shift.get("initial_transaction") or {}
            # the tax service's reason, as Checkbox passes it on (None when it gave none)
            reason = transaction.get("response_error_message") or None
            error = CheckboxError(
                reason or f"shift not opened ({transaction.get('status') or 'no reason'})",
                code=SHIFT_OPEN_FAILED,
                uncertain=False,
            )
            error.reason = reason
            raise error
        return shift

    def close_shift(self, max_wait=60.0):
        """Close the current shift (Z-report) and wait until it is CLOSED;
        returns the shift, whose ``z_report`` holds the report."""
        shift = self._expect(self.request("POST", "shifts/close"), ("id", "status"), "a shift")
        return self.wait_shift(shift, ("CLOSED",), max_wait)

    def x_report(self):
        """An X-report of the current shift (see :func:`report_totals`)."""
        return self._expect(self.request("POST", "reports"), ("id",), "an X-report")

    # ------------------------------------------------------------------ taxes
    def get_taxes(self):
        """The register's tax rates: ``code``, ``label``, ``rate``, ``no_vat``…"""
        data = self.request("GET", "tax")
        if isinstance(data, dict):
            data = data.get("results")
        if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
            raise CheckboxError("unexpected answer for the tax rates", code=BAD_ANSWER)
        return data

    # ------------------------------------------------------------------ receipts
    def _receipt(self, data, receipt_id):
        data = self._expect(data, ("id", "status"), "a receipt")
        if receipt_id and str(data["id"]) != str(receipt_id):
            raise CheckboxError(
                f"answer about receipt {data['id']} instead of {receipt_id}", code=BAD_ANSWER
            )
        return data

    def find_receipt(self, receipt_id):
        """The receipt with our id, or ``None`` when Checkbox answers that it
        does not know it (404). Any other failure raises: "no answer" is
        never taken for "not there"."""
        try:
            data = self.request("GET", f"receipts/{receipt_id}")
        except CheckboxError as exc:
            if exc.is_not_found and exc.code != BAD_ANSWER:
                return None
            raise
        return self._receipt(data, receipt_id)

    def get_receipt(self, receipt_id):
        return self._receipt(self.request("GET", f"receipts/{receipt_id}"), receipt_id)

    def _find_after_failure(self, receipt_id, failure):
        """Look our receipt up after ``failure``; raises an uncertain error
        when the look-up does not give a clear answer."""
        try:
            return self.find_receipt(receipt_id)
        except CheckboxError as exc:
            if failure.uncertain:
                raise failure from exc
            raise CheckboxError(
                f"{failure.message}; the look-up of receipt {receipt_id} failed: {exc.message}",
                status=failure.status,
                code=NOT_CONFIRMED,
                uncertain=True,
            ) from exc

    def create_receipt(self, path, payload, check_first=False):
        """POST a receipt that carries our id, exactly once.

        With ``check_first`` (an earlier attempt may have reached Checkbox),
        Checkbox is asked first whether it has our id. After any failure the
        receipt is looked up by our id; if Checkbox has it, that receipt is
        the answer. A refused duplicate id means the receipt exists: it is
        fetched, never issued again. After an uncertain outcome with no
        receipt found, the same request (same id) is sent once more; a second
        uncertain outcome is raised for a later check. A refusal is raised
        only when the look-up confirms that Checkbox has no such receipt.
        """
        receipt_id = payload["id"]
        if check_first:
            existing = self.find_receipt(receipt_id)
            if existing:
                return existing
        for attempt in (1, 2):
            try:
                return self._receipt(self.request("POST", path, payload), receipt_id)
            except CheckboxError as exc:
                if exc.is_auth:
                    raise  # the cashier could not sign in: nothing was sent
                existing = self._find_after_failure(receipt_id, exc)
                if existing:
                    _logger.info("Checkbox: receipt %s already exists, adopting it", receipt_id)
                    return existing
                if exc.is_duplicate_id:
                    raise CheckboxError(
                        f"Checkbox says receipt {receipt_id} exists but does not show it",
                        status=exc.status,
                        code=NOT_CONFIRMED,
                        uncertain=True,
                    ) from exc
                if not exc.uncertain or attempt == 2:
                    raise
                _logger.info(
                    "Checkbox: receipt %s not found after %s, sending it again",
                    receipt_id,
                    exc.code,
                )
        raise AssertionError("unreachable")  # pragma: no cover

    def sell(self, payload, check_first=False):
        """A sale receipt (or a return when the goods have ``is_return``)."""
        return self.create_receipt("receipts/sell", payload, check_first)

    def sell_return(self, payload, related_receipt_id, check_first=False):
        """A return receipt for ``related_receipt_id``."""
        payload = dict(payload, related_receipt_id=related_receipt_id)
        payload["goods"] = [dict(good, is_return=True) for good in payload.get("goods", [])]
        return self.create_receipt("receipts/sell", payload, check_first)

    def prepayment(self, payload, check_first=False):
        """A prepayment receipt: goods at full price, payments for the prepaid
        part; the answer carries ``pre_payment_relation_id``."""
        return self.create_receipt("prepayment-receipts", payload, check_first)

    def after_payment(self, relation_id, payload, check_first=False):
        """A further (final) payment of a prepayment chain."""
        return self.create_receipt(f"prepayment-receipts/{relation_id}", payload, check_first)

    def get_prepayment(self, relation_id):
        """``paid_sum``, ``total_sum``, ``left_to_pay``, ``pre_payment_status``."""
        return self._expect(
            self.request("GET", f"prepayment-receipts/{relation_id}"),
            ("total_sum",),
            "a prepayment chain",
        )

    def return_prepayment(self, relation_id):
        return self.request("POST", f"prepayment-receipts/{relation_id}/return", {})

    def service_receipt(self, value, receipt_id=None, payment_type="CASH", label=None):
        """Cash in (positive kopecks) or out (negative) of the register."""
        payment = {"type": payment_type, "value": int(value)}
        if label:
            payment["label"] = label
        payload = {"payment": payment}
        if receipt_id:
            payload["id"] = receipt_id
            return self.create_receipt("receipts/service", payload)
        return self._receipt(self.request("POST", "receipts/service", payload), None)

    def wait_receipt(self, receipt, max_wait=10.0):
        """Poll a receipt until DONE/ERROR/CANCELLED or ``max_wait`` seconds
        have passed; returns the last answer (still CREATED on a timeout)."""
        deadline = time.monotonic() + max_wait
        while receipt.get("status") not in RECEIPT_FINAL_STATUSES:
            if time.monotonic() >= deadline:
                break
            self.sleep(self.poll_interval)
            receipt = self.get_receipt(receipt["id"])
        return receipt

    # ------------------------------------------------------------------ renderings
    def receipt_pdf(self, receipt_id):
        return self.request("GET", f"receipts/{receipt_id}/pdf", raw=True)

    def receipt_text(self, receipt_id):
        return self.request("GET", f"receipts/{receipt_id}/text", raw=True).decode("utf-8")

    def receipt_html(self, receipt_id):
        return self.request("GET", f"receipts/{receipt_id}/html", raw=True).decode("utf-8")

    def receipt_png(self, receipt_id):
        return self.request("GET", f"receipts/{receipt_id}/png", raw=True)

    def receipt_qrcode(self, receipt_id):
        return self.request("GET", f"receipts/{receipt_id}/qrcode", raw=True)

    def public_url(self, receipt_id):
        """The receipt's public page (unconfirmed host, see the readme)."""
        return f"{self.check_url.rstrip('/')}/{receipt_id}"

    def send_email(self, receipt_id, emails):
        if isinstance(emails, str):
            emails = [emails]
        return self.request("POST", f"receipts/{receipt_id}/email", list(emails), allow_empty=True)

    def send_sms(self, receipt_id, phone):
        return self.request(
            "POST", f"receipts/{receipt_id}/sms", {"phone": phone}, allow_empty=True
        )
