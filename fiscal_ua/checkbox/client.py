"""A plain-Python client of the Checkbox API (software cash register, ПРРО).

Nothing here imports Odoo: the addon builds one :class:`CheckboxClient` per
operation (``fiscal.cash.register._checkbox_client``) and turns
:class:`CheckboxError` into a user message in one place.

Conventions of the API (see ``shared/spec/checkbox.md`` of the project):

- money is sent in kopecks (integers, 5500 = 55.00 UAH) and quantities
  multiplied by 1000 (1000 = 1 pc); :func:`to_kopecks` and :func:`to_quantity`
  are the only places that convert;
- every request carries ``X-Client-Name``/``X-Client-Version`` and, once
  known, the register's ``X-License-Key``; cashier calls carry the bearer
  token, refreshed once on 401/403;
- every request has a timeout; errors (``message``, 422 ``detail``) come out
  as one exception type, :class:`CheckboxError`.
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


def _redact(text, secrets):
    if not text:
        return text
    text = str(text)
    for secret in secrets:
        if secret and len(str(secret)) >= 4:
            text = text.replace(str(secret), "••••")
    return text


class CheckboxError(Exception):
    """Any failure of a Checkbox call.

    :param status: HTTP status, or ``None`` when no answer came (timeout,
        connection refused);
    :param code: the vendor's error code when it sends one;
    :param message: the vendor's ``message`` (or ours when there was no answer);
    :param detail: the 422 ``detail`` list (``loc``, ``msg``, ``type``).
    """

    def __init__(self, message, status=None, code=None, detail=None, timeout=False):
        self.message = message or "Checkbox error"
        self.status = status
        self.code = code
        self.detail = detail if isinstance(detail, list) else ([detail] if detail else [])
        self.timeout = timeout
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
    def is_transient(self):
        """No answer or a server error: the same request may be tried later."""
        return self.timeout or self.status is None or self.status >= 500 or self.status == 429

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
        return (self.password, self.pin_code, self.license_key, self.access_token)

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

    def _error(self, response):
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
        if not message:
            message = (response.text or "")[:300] or response.reason or "HTTP error"
        return CheckboxError(
            _redact(message, self._secrets()),
            status=response.status_code,
            code=code,
            detail=detail,
        )

    def request(self, method, path, payload=None, params=None, auth=True, raw=False, retry=True):
        """One HTTP call; returns the decoded JSON (or bytes when ``raw``)."""
        if auth and not self.access_token:
            self.signin()
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
            raise CheckboxError(
                f"Checkbox did not answer in time ({method} /{path.lstrip('/')})", timeout=True
            ) from exc
        except requests.RequestException as exc:
            raise CheckboxError(
                f"Checkbox cannot be reached ({exc.__class__.__name__}, {method} "
                f"/{path.lstrip('/')})"
            ) from exc
        if response.status_code in (401, 403) and auth and retry and self._can_sign_in():
            _logger.info("Checkbox: token refused (%s), signing in again", response.status_code)
            self.access_token = None
            self.signin()
            return self.request(method, path, payload, params, auth, raw, retry=False)
        if response.status_code >= 400:
            raise self._error(response)
        if raw:
            return response.content
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise CheckboxError(
                "Checkbox sent an answer that is not JSON", status=response.status_code
            ) from exc

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
            raise CheckboxError("No cashier credentials: set a login and password or a PIN code")
        token = (data or {}).get("access_token")
        if not token:
            raise CheckboxError("Checkbox sign-in returned no access token")
        self.access_token = token
        if self.on_token:
            self.on_token(token)
        return token

    def get_cashier(self):
        return self.request("GET", "cashier/me")

    # ------------------------------------------------------------------ shifts
    def get_current_shift(self):
        """The cashier's current shift, or ``None``."""
        return self.request("GET", "cashier/shift") or None

    def get_shift(self, shift_id):
        return self.request("GET", f"shifts/{shift_id}")

    def wait_shift(self, shift, statuses, max_wait=30.0):
        """Poll a shift until its status is one of ``statuses``."""
        deadline = time.monotonic() + max_wait
        while shift.get("status") not in statuses:
            if time.monotonic() >= deadline:
                raise CheckboxError(
                    f"Shift {shift.get('id')} is still {shift.get('status')} after {max_wait:g} s",
                    timeout=True,
                )
            self.sleep(self.poll_interval)
            shift = self.get_shift(shift["id"])
        return shift

    def open_shift(self, shift_id=None, max_wait=30.0):
        """Open a shift (CREATED → OPENING → OPENED) and wait until it is open."""
        payload = {"id": shift_id} if shift_id else None
        shift = self.request("POST", "shifts", payload)
        shift = self.wait_shift(shift, ("OPENED", "CLOSED"), max_wait)
        if shift.get("status") == "CLOSED":
            transaction = shift.get("initial_transaction") or {}
            raise CheckboxError(
                "The shift could not be opened: %s"
                % (transaction.get("response_error_message") or transaction.get("status") or "?"),
                code="shift.open_failed",
            )
        return shift

    def close_shift(self, max_wait=60.0):
        """Close the current shift (Z-report) and wait until it is CLOSED;
        returns the shift, whose ``z_report`` holds the report."""
        shift = self.request("POST", "shifts/close")
        return self.wait_shift(shift, ("CLOSED",), max_wait)

    def x_report(self):
        """An X-report of the current shift."""
        return self.request("POST", "reports")

    # ------------------------------------------------------------------ taxes
    def get_taxes(self):
        """The register's tax rates: ``code``, ``label``, ``rate``, ``no_vat``…"""
        data = self.request("GET", "tax")
        if isinstance(data, dict):
            data = data.get("results") or []
        return data or []

    # ------------------------------------------------------------------ receipts
    def find_receipt(self, receipt_id):
        """The receipt with our id, or ``None`` when Checkbox does not know it."""
        try:
            return self.request("GET", f"receipts/{receipt_id}")
        except CheckboxError as exc:
            if exc.is_not_found:
                return None
            raise

    def get_receipt(self, receipt_id):
        return self.request("GET", f"receipts/{receipt_id}")

    def create_receipt(self, path, payload):
        """POST a receipt that carries our id, exactly once.

        After any failure (timeout, 5xx, a refused duplicate id…) Checkbox is
        first asked whether it already has a receipt with our id; if it does,
        that receipt is the answer. After a timeout or 5xx with no receipt
        found, the same request (same id) is sent once more.
        """
        receipt_id = payload["id"]
        try:
            return self.request("POST", path, payload)
        except CheckboxError as exc:
            if exc.is_auth or exc.is_no_open_shift:
                raise
            try:
                existing = self.find_receipt(receipt_id)
            except CheckboxError:
                raise exc from None
            if existing:
                _logger.info("Checkbox: receipt %s already exists, adopting it", receipt_id)
                return existing
            if not exc.is_transient:
                raise
        return self.request("POST", path, payload)

    def sell(self, payload):
        """A sale receipt (or a return when the goods have ``is_return``)."""
        return self.create_receipt("receipts/sell", payload)

    def sell_return(self, payload, related_receipt_id):
        """A return receipt for ``related_receipt_id``."""
        payload = dict(payload, related_receipt_id=related_receipt_id)
        payload["goods"] = [dict(good, is_return=True) for good in payload.get("goods", [])]
        return self.create_receipt("receipts/sell", payload)

    def prepayment(self, payload):
        """A prepayment receipt: goods at full price, payments for the prepaid
        part; the answer carries ``pre_payment_relation_id``."""
        return self.create_receipt("prepayment-receipts", payload)

    def after_payment(self, relation_id, payload):
        """A further (final) payment of a prepayment chain."""
        return self.create_receipt(f"prepayment-receipts/{relation_id}", payload)

    def get_prepayment(self, relation_id):
        """``paid_sum``, ``total_sum``, ``left_to_pay``, ``pre_payment_status``."""
        return self.request("GET", f"prepayment-receipts/{relation_id}")

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
        return self.request("POST", "receipts/service", payload)

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
        return self.request("POST", f"receipts/{receipt_id}/email", list(emails))

    def send_sms(self, receipt_id, phone):
        return self.request("POST", f"receipts/{receipt_id}/sms", {"phone": phone})
