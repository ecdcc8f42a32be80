"""A plain-Python client of the Nova Poshta API 2.0 (no Odoo import).

One endpoint, one JSON envelope::

    POST <url>  {"apiKey", "modelName", "calledMethod", "methodProperties"}
    → {"success", "data", "errors", "errorCodes", "warnings", "info", ...}

Failures also come back as HTTP 200 with ``success: false``: every answer
goes through :meth:`NovaPoshtaClient.call`, which raises
:class:`NovaPoshtaError` (NP's codes and texts, or ours for transport faults)
in this one place. Each error says what kind of fault it was (``kind``: a
timeout, a cut connection, HTTP 429, a server error, an unreadable, empty or
HTML answer, NP's own refusal), so that the caller can tell the user what
happened. Every request has a timeout; only requests that change nothing at
NP (reads) are retried. A write whose answer did not arrive raises an error
with ``uncertain=True``: the caller must look the document up before trying
again (:meth:`NovaPoshtaClient.find_waybills`, :func:`match_waybill`).
"""

import json
import logging
import re
import time
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import requests

_logger = logging.getLogger(__name__)

DEFAULT_URL = "https://api.novaposhta.ua/v2.0/json/"
DEFAULT_PRINT_URL = "https://my.novaposhta.ua/orders/"
DEFAULT_TIMEOUT = (5.0, 15.0)  # (connect, read) seconds
TRACKING_BATCH = 100

ERROR_AUTH = "20000200068"
ERROR_KEY_EXPIRED = "20000201204"
ERROR_BAD_NUMBER = "20001401442"

# What went wrong (NovaPoshtaError.kind).
KIND_TIMEOUT = "timeout"  # no answer within the timeout
KIND_UNREACHABLE = "unreachable"  # no connection could be made: nothing was sent
KIND_CONNECTION = "connection"  # the connection was cut after the request went
KIND_RATE_LIMIT = "rate_limit"  # HTTP 429
KIND_SERVER = "server"  # HTTP 5xx
KIND_HTTP = "http"  # another HTTP error status
KIND_MALFORMED = "malformed"  # a body that is not the JSON envelope
KIND_EMPTY = "empty"  # an empty body
KIND_HTML = "html"  # an HTML page instead of JSON (a proxy, a login page)
KIND_INCOMPLETE = "incomplete"  # success without the data a write must return
KIND_BUSINESS = "business"  # NP's own refusal (success: false)

DATETIME_FORMATS = (
    "%d-%m-%Y %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%d.%m.%Y %H:%M:%S",
    "%Y.%m.%d %H:%M:%S",
    "%H:%M %d.%m.%Y",
    "%d.%m.%Y %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%d-%m-%Y",
    "%Y-%m-%d",
    "%d.%m.%Y",
    "%Y.%m.%d",
)

# The label URL carries the key: whatever logs a URL (urllib3 at DEBUG)
# gets it masked.
_KEY_IN_URL = re.compile(r"(apiKey/)[^/\s\"']+", re.IGNORECASE)


class _RedactKeyInUrls(logging.Filter):
    """Mask ``apiKey/<key>`` in the log records of the HTTP library."""

    def filter(self, record):
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(
                _KEY_IN_URL.sub(r"\1••••", arg) if isinstance(arg, str) else arg
                for arg in record.args
            )
        if isinstance(record.msg, str):
            record.msg = _KEY_IN_URL.sub(r"\1••••", record.msg)
        return True


_URL_FILTER = _RedactKeyInUrls()
for _name in ("urllib3.connectionpool", "urllib3.util.retry", "requests"):
    _lib_logger = logging.getLogger(_name)
    if not any(isinstance(f, _RedactKeyInUrls) for f in _lib_logger.filters):
        _lib_logger.addFilter(_URL_FILTER)


def to_decimal(value):
    """NP money and numbers arrive as strings or numbers: ``"1250.00"``,
    ``1250``, ``"1 250,5"``, ``""`` → :class:`~decimal.Decimal` (0 when
    empty or unreadable)."""
    if value in (None, "", False):
        return Decimal(0)
    if isinstance(value, (int, float, Decimal)):
        return Decimal(str(value))
    text = str(value).replace("\xa0", "").replace(" ", "").replace(",", ".")
    try:
        return Decimal(text)
    except InvalidOperation:
        return Decimal(0)


def to_float(value):
    return float(to_decimal(value))


def parse_datetime(value):
    """Any of NP's date formats → naive :class:`datetime` (NP's local time),
    or ``None`` for empty values and NP's ``0001-01-01`` placeholder."""
    if not value:
        return None
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    text = str(value).strip()
    if not text or text.startswith("0001-01-01"):
        return None
    for fmt in DATETIME_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    raise ValueError(f"Unknown Nova Poshta date format: {text!r}")


def parse_date(value):
    moment = parse_datetime(value)
    return moment.date() if moment else None


# The store's phone rule lives in the order-flow addon (its ``tools/phone.py``),
# which this plain-Python client cannot import (it runs without Odoo). It needs
# phones only to compare the recipient of a waybill it looks up after a lost
# answer with the one it sent; this reads the usual Ukrainian spellings as that
# rule does (a test checks that the two agree).
_UA_PHONE = re.compile(r"^(?:\+380|00380|380|80|0)?([1-9]\d{8})$")


def _phone_key(phone):
    """``+380 67 123 45 67``, ``067 123 45 67``, ``8 067…``, ``00380…``,
    ``67 123 45 67`` → ``380671234567``; any other number → its digits."""
    text = re.sub(r"[\s().\-/]", "", str(phone or ""))
    match = _UA_PHONE.match(text)
    if match:
        return "380" + match.group(1)
    return "".join(ch for ch in text if ch.isdigit())


def _as_text_list(items):
    """``errors``/``warnings``/``info`` may be a list of strings, a list of
    one-key objects, an object, or empty."""
    if not items:
        return []
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list):
        return [str(items)]
    texts = []
    for item in items:
        if isinstance(item, dict):
            texts.extend(f"{key}: {val}" if val else str(key) for key, val in item.items())
        elif item not in (None, ""):
            texts.append(str(item))
    return texts


def _redact(text, secret):
    """``text`` without the key (NP may quote it in an error) nor a key in a
    label URL. The suite's rule for secrets is access_roles' ``tools/credentials.py``
    (``redact``, ``mask``): this plain-Python client cannot import an Odoo addon,
    so it repeats that rule here (a test checks that the two agree); the Odoo
    side of the addon uses the suite's helper."""
    if not text:
        return text
    text = str(text)
    if secret and len(secret) >= 4:
        text = text.replace(secret, "••••" + (secret[-4:] if len(secret) > 8 else ""))
    return _KEY_IN_URL.sub(r"\1••••", text)


class NovaPoshtaError(Exception):
    """A failure of a Nova Poshta call.

    :param errors: NP's error texts (or ours for a transport fault);
    :param codes: NP's ``errorCodes`` (strings), empty for transport faults;
    :param status: HTTP status when an answer came;
    :param transient: the same request may succeed later (timeout, 5xx,
        connection refused, malformed body);
    :param uncertain: a write was sent but its outcome is unknown;
    :param kind: what went wrong (one of the ``KIND_*`` constants).
    """

    def __init__(
        self, errors, codes=None, status=None, transient=False, uncertain=False, kind=None
    ):
        self.errors = [str(e) for e in (errors or [])] or ["Nova Poshta error"]
        self.codes = [str(c) for c in (codes or [])]
        self.status = status
        self.transient = transient
        self.uncertain = uncertain
        self.kind = kind or (KIND_BUSINESS if self.codes else KIND_HTTP)
        super().__init__(self.message)

    @property
    def message(self):
        text = "; ".join(self.errors)
        if self.codes:
            text = f"{text} [{', '.join(self.codes)}]"
        return text

    @property
    def is_auth(self):
        return ERROR_AUTH in self.codes or ERROR_KEY_EXPIRED in self.codes

    @property
    def is_key_expired(self):
        return ERROR_KEY_EXPIRED in self.codes

    @property
    def is_business(self):
        """NP answered and refused: nothing was done, retrying the same
        request gives the same answer."""
        return self.kind == KIND_BUSINESS

    def __str__(self):
        return self.message


class NovaPoshtaResponse:
    """The parsed envelope of a successful call."""

    def __init__(self, body):
        data = body.get("data")
        self.data = data if isinstance(data, list) else ([data] if data else [])
        self.warnings = _as_text_list(body.get("warnings"))
        info = body.get("info")
        self.info = info if isinstance(info, (dict, list)) else {}
        self.raw = body

    @property
    def total_count(self):
        info = self.info
        if isinstance(info, list):
            info = info[0] if info and isinstance(info[0], dict) else {}
        value = info.get("totalCount")
        return int(to_decimal(value)) if value not in (None, "") else None

    @property
    def first(self):
        first = self.data[0] if self.data else {}
        return first if isinstance(first, dict) else {}


# ------------------------------------------------------------ waybill look-up
def waybill_barcode(item):
    """Our number (``InfoRegClientBarcodes``) as a waybill list or tracking
    item carries it, or ``""`` when the answer has none."""
    for key in ("InfoRegClientBarcodes", "ClientBarcode"):
        value = str(item.get(key) or "").strip()
        if value:
            return value
    return ""


def _same_text(left, right):
    return " ".join(str(left).split()).casefold() == " ".join(str(right).split()).casefold()


def _same_number(left, right):
    return abs(to_decimal(left) - to_decimal(right)) < Decimal("0.01")


def _same_date(left, right):
    try:
        return parse_date(left) == parse_date(right)
    except ValueError:
        return False


# (field of our save request, fields of a getDocumentList item, comparison)
_CONTENT_FIELDS = (
    ("RecipientsPhone", ("RecipientsPhone", "PhoneRecipient", "RecipientPhone"), "phone"),
    ("DateTime", ("DateTime",), "date"),
    ("Cost", ("Cost",), "number"),
    ("SeatsAmount", ("SeatsAmount",), "number"),
    ("Weight", ("Weight",), "number"),
    ("Description", ("Description", "CargoDescription"), "text"),
    ("CityRecipient", ("CityRecipient",), "text"),
    ("RecipientAddress", ("RecipientAddress",), "text"),
)
_COMPARE = {
    "phone": lambda a, b: _phone_key(a) == _phone_key(b),
    "date": _same_date,
    "number": _same_number,
    "text": _same_text,
}
# Fields that must all be present (and equal) for a match on content alone.
CONTENT_KEYS = ("DateTime", "Cost", "SeatsAmount")
MIN_CONTENT_FIELDS = 4


def match_waybill(item, barcode=None, expected=None):
    """Whether ``item`` (a ``getDocumentList`` row) is the waybill we asked
    for with the save request ``expected`` and our number ``barcode``.

    When the item carries a client barcode, it decides. Otherwise the
    waybill's own content must agree: every field present on both sides
    equal, the date, declared value and number of places among them, and
    at least four fields compared (recipient phone, date, declared value,
    places, weight, description, recipient city and address)."""
    if not isinstance(item, dict):
        return False
    found = waybill_barcode(item)
    if found:
        return bool(barcode) and found == str(barcode).strip()
    if not expected:
        return False
    compared = set()
    for ours, theirs, how in _CONTENT_FIELDS:
        mine = expected.get(ours)
        if mine in (None, "", False):
            continue
        value = next((item[key] for key in theirs if item.get(key) not in (None, "")), None)
        if value is None:
            continue
        if not _COMPARE[how](mine, value):
            return False
        compared.add(ours)
    return all(key in compared for key in CONTENT_KEYS) and len(compared) >= MIN_CONTENT_FIELDS


def waybill_is_deleted(item):
    return str(item.get("StateId") or item.get("StatusCode") or "") == "2"


class NovaPoshtaClient:
    """One NP account.

    :param api_key: the account's key (never logged: texts are redacted);
    :param url: the JSON endpoint (a setting: tests use a local fake);
    :param print_url: root of the cabinet's print pages (labels);
    :param timeout: seconds or a ``(connect, read)`` pair for every request;
    :param retries: extra attempts of *read* requests after a transient fault;
    :param stats: optional dict collecting ``calls`` and ``network_seconds``.
    """

    def __init__(
        self,
        api_key,
        url=DEFAULT_URL,
        print_url=DEFAULT_PRINT_URL,
        timeout=DEFAULT_TIMEOUT,
        retries=2,
        retry_delay=0.5,
        session=None,
        stats=None,
    ):
        self.api_key = api_key or ""
        self.url = url or DEFAULT_URL
        self.print_url = (print_url or DEFAULT_PRINT_URL).rstrip("/") + "/"
        self.timeout = timeout
        self.retries = retries
        self.retry_delay = retry_delay
        self.session = session or requests.Session()
        self.stats = stats if stats is not None else {}

    # ------------------------------------------------------------ transport
    def _post(self, payload):
        started = time.perf_counter()
        try:
            return self.session.post(self.url, json=payload, timeout=self.timeout)
        finally:
            self.stats["calls"] = self.stats.get("calls", 0) + 1
            self.stats["network_seconds"] = (
                self.stats.get("network_seconds", 0.0) + time.perf_counter() - started
            )

    def call(self, model, method, properties=None, safe=True):
        """Call ``model.method``; return a :class:`NovaPoshtaResponse` or
        raise :class:`NovaPoshtaError`. ``safe`` calls (reads) are retried
        after transient faults; unsafe ones (save, delete) never are."""
        payload = {
            "apiKey": self.api_key,
            "modelName": model,
            "calledMethod": method,
            "methodProperties": properties or {},
        }
        attempts = 1 + (self.retries if safe else 0)
        for attempt in range(1, attempts + 1):
            try:
                return self._call_once(payload, safe)
            except NovaPoshtaError as error:
                if not error.transient or attempt >= attempts:
                    raise
                _logger.info(
                    "Nova Poshta %s.%s: %s, attempt %s of %s",
                    model,
                    method,
                    error,
                    attempt,
                    attempts,
                )
                self._pause(self.retry_delay * attempt)
        raise NovaPoshtaError(["unreachable"])  # pragma: no cover

    def _pause(self, seconds):
        """The wait before a read is tried again (the tests record it
        instead of waiting)."""
        time.sleep(seconds)

    @staticmethod
    def _not_sent(error):
        """The connection could not even be made: the request never left."""
        if isinstance(error, requests.ConnectTimeout):
            return True
        text = str(error).lower()
        return any(
            mark in text
            for mark in (
                "newconnectionerror",
                "failed to establish a new connection",
                "connection refused",
                "name resolution",
                "name or service not known",
                "nodename nor servname",
            )
        )

    def _call_once(self, payload, safe):
        try:
            response = self._post(payload)
        except requests.Timeout as error:
            not_sent = self._not_sent(error)
            raise NovaPoshtaError(
                ["Nova Poshta did not answer in time"],
                transient=True,
                uncertain=not safe and not not_sent,
                kind=KIND_UNREACHABLE if not_sent else KIND_TIMEOUT,
            ) from None
        except requests.RequestException as error:
            # Refused: nothing went. Reset/aborted: a write may have gone.
            not_sent = self._not_sent(error)
            raise NovaPoshtaError(
                [
                    "Nova Poshta cannot be reached"
                    if not_sent
                    else "The connection to Nova Poshta was cut before its answer came"
                ],
                transient=True,
                uncertain=not safe and not not_sent,
                kind=KIND_UNREACHABLE if not_sent else KIND_CONNECTION,
            ) from None
        status = response.status_code
        if status == 429:
            raise NovaPoshtaError(
                ["Nova Poshta refused the request: too many requests (HTTP 429)"],
                status=status,
                transient=True,
                uncertain=not safe,
                kind=KIND_RATE_LIMIT,
            )
        if status >= 500:
            raise NovaPoshtaError(
                [f"Nova Poshta server error (HTTP {status})"],
                status=status,
                transient=True,
                uncertain=not safe,
                kind=KIND_SERVER,
            )
        content = response.content or b""
        if not content.strip():
            raise NovaPoshtaError(
                [f"Nova Poshta sent an empty answer (HTTP {status})"],
                status=status,
                transient=True,
                uncertain=not safe,
                kind=KIND_EMPTY,
            )
        content_type = (response.headers.get("Content-Type") or "").lower()
        if "html" in content_type or content.lstrip()[:1] == b"<":
            raise NovaPoshtaError(
                [f"Nova Poshta sent a web page instead of data (HTTP {status})"],
                status=status,
                transient=True,
                uncertain=not safe,
                kind=KIND_HTML,
            )
        try:
            body = json.loads(content)
        except ValueError:
            raise NovaPoshtaError(
                [f"Nova Poshta sent an unreadable answer (HTTP {status})"],
                status=status,
                transient=True,
                uncertain=not safe,
                kind=KIND_MALFORMED,
            ) from None
        if not isinstance(body, dict):
            raise NovaPoshtaError(
                [f"Nova Poshta sent an unreadable answer (HTTP {status})"],
                status=status,
                transient=True,
                uncertain=not safe,
                kind=KIND_MALFORMED,
            )
        if status >= 400:
            raise NovaPoshtaError(
                [_redact(e, self.api_key) for e in _as_text_list(body.get("errors"))]
                or [f"Nova Poshta refused the request (HTTP {status})"],
                status=status,
                kind=KIND_HTTP,
            )
        if not body.get("success"):
            errors = _as_text_list(body.get("errors")) or _as_text_list(body.get("warnings"))
            raise NovaPoshtaError(
                [_redact(e, self.api_key) for e in errors],
                codes=body.get("errorCodes") or [],
                status=status,
                kind=KIND_BUSINESS,
            )
        return NovaPoshtaResponse(body)

    # ------------------------------------------------------------ directories
    def search_settlements(self, name, page=1, limit=50):
        res = self.call(
            "Address",
            "searchSettlements",
            {"CityName": name, "Limit": str(limit), "Page": str(page)},
        )
        first = res.first
        return first.get("Addresses") or [] if isinstance(first, dict) else []

    def get_cities(self, page=1, limit=500, find=None):
        """One page of cities → ``(items, totalCount or None)``."""
        props = {"Page": str(page), "Limit": str(limit)}
        if find:
            props["FindByString"] = find
        res = self.call("Address", "getCities", props)
        return res.data, res.total_count

    def get_warehouses(self, page=1, limit=500, city_ref=None, find=None):
        """One page of branches and parcel lockers → ``(items, totalCount)``."""
        props = {"Page": str(page), "Limit": str(limit)}
        if city_ref:
            props["CityRef"] = city_ref
        if find:
            props["FindByString"] = find
        res = self.call("AddressGeneral", "getWarehouses", props)
        return res.data, res.total_count

    # ----------------------------------------------------------- counterparties
    def get_sender_counterparties(self):
        res = self.call(
            "Counterparty", "getCounterparties", {"CounterpartyProperty": "Sender", "Page": "1"}
        )
        return res.data

    def get_contact_persons(self, counterparty_ref):
        res = self.call(
            "Counterparty", "getCounterpartyContactPersons", {"Ref": counterparty_ref, "Page": "1"}
        )
        return res.data

    def save_recipient(self, first_name, last_name, phone, middle_name=""):
        """Create (or find: NP answers with the existing one) a private
        recipient → ``(counterparty_ref, contact_ref)``."""
        res = self.call(
            "Counterparty",
            "save",
            {
                "FirstName": first_name,
                "LastName": last_name,
                "MiddleName": middle_name or "",
                "Phone": phone,
                "Email": "",
                "CounterpartyType": "PrivatePerson",
                "CounterpartyProperty": "Recipient",
            },
            safe=True,  # NP returns the same counterparty for the same person
        )
        first = res.first
        contact = first.get("ContactPerson") or {}
        contact_data = contact.get("data") if isinstance(contact, dict) else contact
        contact_ref = (contact_data[0] or {}).get("Ref") if contact_data else None
        if not first.get("Ref") or not contact_ref:
            raise NovaPoshtaError(
                ["Nova Poshta did not return the recipient's references"], kind=KIND_INCOMPLETE
            )
        return first["Ref"], contact_ref

    # ---------------------------------------------------------------- waybills
    def save_waybill(self, properties):
        """``InternetDocument.save`` (never retried) → ``data[0]``."""
        res = self.call("InternetDocument", "save", properties, safe=False)
        first = res.first
        if not first.get("Ref") or not first.get("IntDocNumber"):
            raise NovaPoshtaError(
                ["Nova Poshta did not return the waybill number"],
                uncertain=True,
                kind=KIND_INCOMPLETE,
            )
        return first

    def delete_waybills(self, refs):
        """``InternetDocument.delete`` (never retried) → the refs NP
        reports as deleted."""
        res = self.call("InternetDocument", "delete", {"DocumentRefs": list(refs)}, safe=False)
        return {str(item.get("Ref")) for item in res.data if isinstance(item, dict)}

    def list_waybills(self, date_from, date_to):
        """Every waybill of the sender created between two dates
        (``InternetDocument.getDocumentList``; ``date_*`` are
        :class:`date` objects)."""
        res = self.call(
            "InternetDocument",
            "getDocumentList",
            {
                "DateTimeFrom": date_from.strftime("%d.%m.%Y"),
                "DateTimeTo": date_to.strftime("%d.%m.%Y"),
                "GetFullList": "1",
            },
        )
        return [item for item in res.data if isinstance(item, dict)]

    def find_waybills(self, date_from, date_to, barcode=None, expected=None, items=None):
        """The live waybills between two dates that are the one we asked for
        (:func:`match_waybill`: our number when NP's list carries it, else
        the waybill's content); ``items`` reuses a list already fetched."""
        if items is None:
            items = self.list_waybills(date_from, date_to)
        return [
            item
            for item in items
            if not waybill_is_deleted(item) and match_waybill(item, barcode, expected)
        ]

    def find_waybills_by_barcode(self, barcode, date_from, date_to):
        """Compatibility: the look-up by our number alone."""
        return self.find_waybills(date_from, date_to, barcode=barcode)

    def get_price(self, properties):
        return self.call("InternetDocument", "getDocumentPrice", properties).first

    def get_delivery_date(self, properties):
        """The estimated delivery date. NP answers ``data[0].date`` (as in
        recorded answers); ``data[0].DeliveryDate`` (an object with
        ``date`` or a string) is read too."""
        first = self.call("InternetDocument", "getDocumentDeliveryDate", properties).first
        value = first.get("DeliveryDate") or first.get("date")
        if isinstance(value, dict):
            value = value.get("date")
        if not value:
            raise NovaPoshtaError(
                ["Nova Poshta sent no delivery date"], kind=KIND_INCOMPLETE, transient=False
            )
        return parse_date(value)

    def track(self, documents):
        """``TrackingDocument.getStatusDocuments`` for at most 100 documents:
        ``documents`` is a list of ``(number, phone)``."""
        if len(documents) > TRACKING_BATCH:
            raise ValueError(f"At most {TRACKING_BATCH} waybills per tracking request")
        res = self.call(
            "TrackingDocument",
            "getStatusDocuments",
            {
                "Documents": [
                    {"DocumentNumber": number, "Phone": phone or ""} for number, phone in documents
                ]
            },
        )
        return res.data

    def label_pdf(self, number, size="100x100"):
        """The label PDF, fetched here: the print URL embeds the key, so it
        must never reach a browser or a log (the HTTP library's log lines
        are masked, and no error text carries the URL)."""
        method = "printMarking85x85" if size == "85x85" else "printMarking100x100"
        url = f"{self.print_url}{method}/orders[]/{number}/type/pdf/apiKey/{self.api_key}/zebra"
        started = time.perf_counter()
        try:
            response = self.session.get(url, timeout=self.timeout)
        except requests.Timeout:
            raise NovaPoshtaError(
                ["The label could not be fetched from Nova Poshta in time"],
                transient=True,
                kind=KIND_TIMEOUT,
            ) from None
        except requests.RequestException:
            raise NovaPoshtaError(
                ["The label could not be fetched from Nova Poshta"],
                transient=True,
                kind=KIND_CONNECTION,
            ) from None
        finally:
            self.stats["calls"] = self.stats.get("calls", 0) + 1
            self.stats["network_seconds"] = (
                self.stats.get("network_seconds", 0.0) + time.perf_counter() - started
            )
        content = response.content or b""
        if response.status_code != 200 or not content.startswith(b"%PDF"):
            raise NovaPoshtaError(
                [f"Nova Poshta did not send a label PDF (HTTP {response.status_code})"],
                status=response.status_code,
                kind=KIND_SERVER if response.status_code >= 500 else KIND_HTML,
            )
        return content
