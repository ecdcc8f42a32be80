"""A local fake of the Checkbox API for the tests and the benchmarks.

It speaks the request/response shapes the addon relies on: cashier sign-in
by login/password or PIN, the shift sequence CREATED → OPENING → OPENED (one
step per poll), closing with a Z-report, X-reports (sums nested by payment
type, as Checkbox reports them), tax rates, sell/return/prepayment/
after-payment/service receipts going CREATED → DONE (or ERROR), "Зміну не
відкрито" without an open shift, 401 once a token has expired, 422 with a
``detail`` list, a refused duplicate id, renderings and sending.

Faults are injected with :meth:`FakeCheckbox.fail_next` (the next matching
requests), or drawn at random for the benchmarks (``fault_ratio`` of the
calls, seeded; ``timeout_ratio`` is the older "answer too late once per
distinct request"). The faults (see :data:`FAULTS`):

- ``500``, ``502``, ``503`` (HTML pages of a proxy), ``429``: refused
  before anything is done;
- ``reset``: the connection is cut without an answer (``processed=True``:
  after the request was carried out);
- ``hang``: no answer at all until the client gives up; nothing is done;
- ``slow`` / ``processed_timeout``: carried out, answered too late;
- ``late``: carried out only after the client gave up (late processing);
- ``lost``: answered too late with a 504, not carried out;

"Too late" is as soon as the client has given up: it closes the connection
at its timeout, which the fake sees at once. A ``late`` request is carried
out after that, when the test calls :meth:`FakeCheckbox.wait_idle` (by then
the client has done what it does after a timeout: looked the receipt up,
sent it again…). ``slow_seconds`` (``hang_seconds`` for a hang), counted
from the request, is only the longest wait: for a client that keeps waiting,
and for the benchmarks, whose late requests are carried out then. So a test
of a late answer lasts the client's own timeout, with no fixed sleep.
- ``malformed``, ``empty``, ``html``: HTTP 200 with a broken JSON body, an
  empty body or an HTML maintenance page (``processed``: by default yes for
  ``malformed`` and ``empty``, no for ``html``);
- ``400``, ``401``, ``422``: Checkbox's own refusals.

Plain Python (no Odoo import): ``FakeCheckbox().start()`` serves on a free port
of 127.0.0.1; ``setup/bench_fiscal.py`` and ``setup/bench_faults_fiscal.py``
use it too. :meth:`FakeCheckbox.documents` and :meth:`FakeCheckbox.duplicates`
tell what was fiscalized, for the exactly-once checks.
"""

import hashlib
import json
import random
import re
import select
import socket
import struct
import threading
import time
import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

KYIV = timezone(timedelta(hours=2))
NO_SHIFT = "Зміну не відкрито"
DEFAULT_TAXES = [
    {"id": "t-a", "code": 1, "label": "ПДВ", "symbol": "А", "rate": 20.0, "no_vat": False},
    {"id": "t-b", "code": 2, "label": "ПДВ", "symbol": "Б", "rate": 7.0, "no_vat": False},
    {"id": "t-c", "code": 8, "label": "Без ПДВ", "symbol": "З", "rate": 0.0, "no_vat": True},
]
# fault kind -> carried out by default (None: not applicable)
FAULTS = {
    "500": False,
    "502": False,
    "503": False,
    "429": False,
    "reset": False,
    "hang": False,
    "slow": True,
    "processed_timeout": True,
    "late": True,
    "lost": False,
    "malformed": True,
    "empty": True,
    "html": False,
    "400": False,
    "401": False,
    "422": False,
}
# what the benchmark draws from: every transport fault and a business refusal
RANDOM_FAULTS = (
    "processed_timeout",
    "late",
    "hang",
    "reset",
    "429",
    "500",
    "502",
    "503",
    "malformed",
    "empty",
    "html",
    "422",
)
# business refusals are drawn only for the requests that create a document
DOCUMENT_PATHS = re.compile(
    r"/api/v1/(receipts/sell|receipts/service|prepayment-receipts(/[\w-]+)?|shifts|shifts/close)$"
)
HTML_PAGE = (
    b"<!DOCTYPE html><html><head><title>%s</title></head><body><h1>%s</h1>"
    b"<p>The service is temporarily unavailable. Please try again later.</p></body></html>"
)


def _sum(price, quantity):
    value = Decimal(int(price)) * Decimal(int(quantity)) / 1000
    return int(value.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


class FakeCheckbox:
    """The fake's state and behaviour; :meth:`start` serves it over HTTP."""

    def __init__(
        self,
        cashiers=None,
        pins=None,
        license_keys=None,
        taxes=None,
        timeout_ratio=0.0,
        slow_seconds=2.0,
        seed=42,
        fault_ratio=0.0,
        fault_kinds=RANDOM_FAULTS,
        hang_seconds=None,
    ):
        self.cashiers = dict(cashiers or {"cashier": "secret-password"})
        self.pins = dict(pins or {"1234": "cashier"})
        self.license_keys = set(license_keys or {"test-license-key-000000001"})
        self.taxes = list(taxes or DEFAULT_TAXES)
        self.timeout_ratio = timeout_ratio
        self.slow_seconds = slow_seconds
        self.hang_seconds = hang_seconds
        self.fault_ratio = fault_ratio
        self.fault_kinds = tuple(fault_kinds)
        self.random = random.Random(seed)
        self.lock = threading.RLock()
        self.idle = threading.Condition(self.lock)
        self.stopping = threading.Event()
        # raised by wait_idle: the late requests waiting until then are carried out
        self.release_generation = 0
        self.server = None
        self.thread = None
        self.reset()

    # ------------------------------------------------------------------ control
    def reset(self):
        if self.server:
            self.wait_idle()  # a late request of the last test is not carried out in the next
        with getattr(self, "lock", threading.RLock()):
            self.tokens = {}
            self.shifts = {}
            self.open_shift_id = {}  # licence key -> shift id
            self.receipts = {}
            self.chains = {}
            self.calls = []
            self.failures = []
            self.seen_requests = set()
            self.duplicate_refusals = 0
            self.done_after_polls = 1
            self.shift_steps = ("CREATED", "OPENING", "OPENED")
            self.fail_shift_open = False
            self.error_next_receipts = []
            self.sent_emails = []
            self.sent_sms = []
            self.slow_replies = 0
            self.injected = Counter()  # fault kind -> times injected
            self.serial = 0
            self.in_flight = 0

    def start(self):
        fake = self

        class Handler(_Handler):
            pass

        Handler.fake = fake
        self.stopping.clear()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        self.stopping.set()
        with self.idle:
            self.idle.notify_all()
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    @property
    def url(self):
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/api/v1"

    def fail_next(self, method, path_regex, kind, times=1, message=None, processed=None):
        """Make the next ``times`` requests matching ``method`` and the
        ``path_regex`` fail with ``kind`` (see :data:`FAULTS`); ``processed``
        overrides whether the request is carried out for ``reset``,
        ``malformed``, ``empty`` and ``html``."""
        if kind not in FAULTS:
            raise ValueError(f"unknown fault {kind!r}; one of {', '.join(FAULTS)}")
        with self.lock:
            self.failures.append(
                {
                    "method": method,
                    "path": re.compile(path_regex),
                    "kind": kind,
                    "times": times,
                    "message": message,
                    "processed": FAULTS[kind] if processed is None else processed,
                }
            )

    inject = fail_next

    def clear_faults(self):
        with self.lock:
            self.failures = []

    def wait_idle(self, timeout=10.0):
        """Wait until no request is being served; the ``late`` requests whose
        client has given up are carried out now."""
        deadline = time.monotonic() + timeout
        with self.idle:
            self.release_generation += 1
            self.idle.notify_all()
            while self.in_flight:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.idle.wait(left)
        return True

    def expire_tokens(self):
        with self.lock:
            self.tokens.clear()

    def close_shift_silently(self, license_key=None):
        """The shift ends on Checkbox's side (e.g. closed in the cabinet)."""
        with self.lock:
            keys = [license_key] if license_key else list(self.open_shift_id)
            for key in keys:
                shift_id = self.open_shift_id.pop(key, None)
                if shift_id:
                    self.shifts[shift_id]["status"] = "CLOSED"

    def calls_to(self, method, path_regex):
        pattern = re.compile(path_regex)
        return [c for c in self.calls if c["method"] == method and pattern.search(c["path"])]

    def fiscal_receipts(self):
        """Receipts Checkbox fiscalized (DONE or still CREATED), not errors."""
        return [r for r in self.receipts.values() if r["status"] != "ERROR"]

    def documents(self, kind=None):
        """Fiscalized receipts (not errors) of a kind: ``sell``, ``return``,
        ``prepayment``, ``final``, ``service``."""
        return [r for r in self.fiscal_receipts() if kind is None or r["_kind"] == kind]

    @staticmethod
    def _purpose(receipt):
        kind = receipt["_kind"]
        if kind == "final":
            return (kind, receipt.get("pre_payment_relation_id"), receipt["total_sum"])
        return (kind, receipt.get("footer") or receipt["id"], "")

    def duplicates(self):
        """Documents (the receipt footer names the invoice or the order; a
        final payment its prepayment chain and sum) with more than one
        fiscalized receipt of the same kind. Must stay empty."""
        with self.lock:
            counter = Counter(
                self._purpose(r) for r in self.fiscal_receipts() if r["_kind"] != "service"
            )
        return {key: count for key, count in counter.items() if count > 1}

    def z_reports(self):
        return [s["z_report"] for s in self.shifts.values() if s.get("z_report")]

    # ------------------------------------------------------------------ dispatch
    def serve(self, method, path, headers, body, connection=None):
        """Serve one request; returns ``(action, status, content_type,
        data)`` where ``action`` is ``answer``, ``reset`` or ``hang``. Delays
        (and late processing) happen here, in the request's own thread; a
        delay ends when the client closes ``connection`` (the request's
        socket) or after ``slow_seconds``."""
        with self.lock:
            self.in_flight += 1
        try:
            return self._serve(method, path, headers, body, connection)
        finally:
            with self.idle:
                self.in_flight -= 1
                self.idle.notify_all()

    def _wait_client_gone(self, connection, deadline):
        """Wait until the client has given up on the request (it closed the
        connection) or until ``deadline`` (``time.monotonic()``)."""
        while not self.stopping.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            if connection is None:
                self.stopping.wait(left)
                return
            try:
                # wakes up at once when the client closes; the short step only lets a
                # stopping server end the wait
                readable = select.select([connection], [], [], min(left, 0.1))[0]
                if readable and not connection.recv(1, socket.MSG_PEEK):
                    return  # the client closed the connection
            except (OSError, ValueError):
                return  # the connection is gone
            if readable:
                return  # the client sent something else: it is no longer waiting

    def _wait_released(self, generation, deadline):
        """Wait until :meth:`wait_idle` is called after ``generation`` (the
        test lets late requests be carried out) or until ``deadline``."""
        with self.idle:
            while self.release_generation == generation and not self.stopping.is_set():
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                self.idle.wait(left)

    def _serve(self, method, path, headers, body, connection=None):
        started = time.monotonic()
        with self.lock:
            generation = self.release_generation
            call = {"method": method, "path": path, "headers": dict(headers), "body": body}
            self.calls.append(call)
            failure = self._take_failure(method, path)
            if failure is None and self.fault_ratio:
                failure = self._random_fault(method, path)
            if failure is None and self.timeout_ratio:
                failure = self._random_slow(method, path, body)
            if failure:
                call["fault"] = failure["kind"]
                self.injected[failure["kind"]] += 1
        kind = failure and failure["kind"]
        refused = self._refusal(kind, failure)
        if refused:
            return ("answer", *refused)
        deadline = started + self.slow_seconds
        if kind == "hang":
            self._wait_client_gone(connection, started + (self.hang_seconds or self.slow_seconds))
            return ("hang", None, None, None)
        if kind == "lost":
            self._wait_client_gone(connection, deadline)
            return ("answer", *self._json(504, {"message": "Gateway Timeout"}))
        if kind == "late":
            self._wait_client_gone(connection, deadline)
            self._wait_released(generation, deadline)
        status, payload = None, None
        if not kind or failure["processed"]:
            with self.lock:
                status, payload = self._route(method, path, headers, body)
        if kind in ("slow", "processed_timeout"):
            self._wait_client_gone(connection, deadline)
        if kind == "reset":
            return ("reset", None, None, None)
        if kind == "malformed":
            text = json.dumps(payload)[: max(1, len(json.dumps(payload)) // 2)]
            return ("answer", 200, "application/json", text.encode())
        if kind == "empty":
            return ("answer", 200, "application/json", b"")
        if kind == "html":
            page = HTML_PAGE % (b"Maintenance", b"Technical works")
            return ("answer", 200, "text/html; charset=utf-8", page)
        if isinstance(payload, bytes):
            return ("answer", status, "application/octet-stream", payload)
        return ("answer", *self._json(status, payload))

    @staticmethod
    def _json(status, payload):
        return status, "application/json", json.dumps(payload).encode()

    def _refusal(self, kind, failure):
        """The answer of a fault refused before anything is done, or None."""
        if kind == "500":
            return self._json(500, {"message": "Internal Server Error"})
        if kind in ("502", "503"):
            title = b"502 Bad Gateway" if kind == "502" else b"503 Service Unavailable"
            return int(kind), "text/html", HTML_PAGE % (title, title)
        if kind == "429":
            return self._json(429, {"message": "Too Many Requests"})
        if kind == "401":
            return self._json(401, {"message": "Not authenticated"})
        if kind == "422":
            return self._json(
                422,
                {
                    "message": failure["message"] or "Validation error",
                    "detail": [
                        {
                            "loc": ["body", "goods", 0, "good", "price"],
                            "msg": "bad price",
                            "type": "value_error",
                        }
                    ],
                },
            )
        if kind == "400":
            return self._json(400, {"message": failure["message"] or "Bad request"})
        return None

    def _take_failure(self, method, path):
        for failure in self.failures:
            if failure["method"] == method and failure["path"].search(path) and failure["times"]:
                failure["times"] -= 1
                if not failure["times"]:
                    self.failures.remove(failure)
                return failure
        return None

    def _random_fault(self, method, path):
        if self.random.random() >= self.fault_ratio:
            return None
        kinds = self.fault_kinds
        if not (method == "POST" and DOCUMENT_PATHS.search(path.split("?")[0])):
            kinds = [kind for kind in kinds if kind not in ("400", "422")]
        if not kinds:
            return None
        kind = self.random.choice(kinds)
        return {"kind": kind, "message": None, "processed": FAULTS[kind]}

    def _random_slow(self, method, path, body):
        key = hashlib.sha1(
            f"{method} {path} {json.dumps(body, sort_keys=True)}".encode()
        ).hexdigest()
        if key in self.seen_requests:
            return None
        self.seen_requests.add(key)
        if self.random.random() < self.timeout_ratio:
            self.slow_replies += 1
            return {"kind": "slow", "message": None, "processed": True}
        return None

    def _route(self, method, path, headers, body):
        path = path.split("?")[0]
        if not path.startswith("/api/v1/"):
            return 404, {"message": "Not Found"}
        path = path[len("/api/v1/") :]
        if not headers.get("x-client-name") or not headers.get("x-client-version"):
            return 400, {"message": "X-Client-Name and X-Client-Version headers are required"}
        if method == "POST" and path == "cashier/signin":
            return self._signin_password(body or {})
        if method == "POST" and path == "cashier/signinPinCode":
            return self._signin_pin(headers, body or {})
        cashier = self.tokens.get((headers.get("authorization") or "")[len("Bearer ") :])
        if not cashier:
            return 401, {"message": "Not authenticated"}
        key = headers.get("x-license-key")
        routes = [
            ("GET", r"cashier/me$", lambda m: (200, {"id": cashier, "full_name": cashier})),
            ("GET", r"cashier/shift$", lambda m: (200, self._current_shift(key))),
            ("POST", r"shifts$", lambda m: self._open_shift(key, cashier, body)),
            ("POST", r"shifts/close$", lambda m: self._close_shift(key)),
            ("GET", r"shifts/([\w-]+)$", lambda m: self._get_shift(m.group(1))),
            ("POST", r"reports$", lambda m: self._x_report(key)),
            ("GET", r"tax$", lambda m: (200, self.taxes)),
            ("POST", r"receipts/sell$", lambda m: self._sell(key, body)),
            ("POST", r"receipts/service$", lambda m: self._service(key, body)),
            ("POST", r"prepayment-receipts$", lambda m: self._prepayment(key, body)),
            (
                "POST",
                r"prepayment-receipts/([\w-]+)/return$",
                lambda m: (
                    200,
                    [
                        r
                        for r in self.receipts.values()
                        if r.get("pre_payment_relation_id") == m.group(1)
                    ],
                ),
            ),
            (
                "POST",
                r"prepayment-receipts/([\w-]+)$",
                lambda m: self._after_payment(key, m.group(1), body),
            ),
            ("GET", r"prepayment-receipts/([\w-]+)$", lambda m: self._get_chain(m.group(1))),
            (
                "GET",
                r"receipts/([\w-]+)/(pdf|text|html|png|qrcode)$",
                lambda m: self._render(*m.groups()),
            ),
            ("POST", r"receipts/([\w-]+)/email$", lambda m: self._send_email(m.group(1), body)),
            ("POST", r"receipts/([\w-]+)/sms$", lambda m: self._send_sms(m.group(1), body)),
            ("GET", r"receipts/([\w-]+)$", lambda m: self._get_receipt(m.group(1))),
        ]
        for route_method, pattern, handler in routes:
            match = re.match(pattern, path)
            if route_method == method and match:
                return handler(match)
        return 404, {"message": "Not Found"}

    # ------------------------------------------------------------------ cashier
    def _token(self, cashier):
        token = uuid.uuid4().hex
        self.tokens[token] = cashier
        return 200, {"type": "bearer", "token_type": "bearer", "access_token": token}

    def _signin_password(self, body):
        login = body.get("login")
        if not login or self.cashiers.get(login) != body.get("password"):
            return 401, {"message": "Невірний логін або пароль"}
        return self._token(login)

    def _signin_pin(self, headers, body):
        if headers.get("x-license-key") not in self.license_keys:
            return 401, {"message": "Невірний ключ ліцензії каси"}
        cashier = self.pins.get(body.get("pin_code"))
        if not cashier:
            return 401, {"message": "Невірний PIN-код"}
        return self._token(cashier)

    # ------------------------------------------------------------------ shifts
    def _now(self):
        return datetime.now(KYIV).isoformat()

    def _current_shift(self, key):
        shift_id = self.open_shift_id.get(key)
        return dict(self.shifts[shift_id]) if shift_id else None

    def _open_shift(self, key, cashier, body):
        if key not in self.license_keys:
            return 403, {"message": "Невірний ключ ліцензії каси"}
        if self.open_shift_id.get(key):
            return 400, {"message": "Касир вже працює з відкритою зміною"}
        shift_id = (body or {}).get("id") or str(uuid.uuid4())
        self.serial += 1
        shift = {
            "id": shift_id,
            "serial": len(self.shifts) + 1,
            "status": self.shift_steps[0],
            "opened_at": None,
            "closed_at": None,
            "z_report": None,
            "cash_register": {"id": key},
            "cashier": {"id": cashier},
            "initial_transaction": {"status": "PENDING"},
            "_step": 0,
            "_receipts": [],
        }
        self.shifts[shift_id] = shift
        self.open_shift_id[key] = shift_id
        return 202, self._public_shift(shift)

    def _public_shift(self, shift):
        return {k: v for k, v in shift.items() if not k.startswith("_")}

    def _get_shift(self, shift_id):
        shift = self.shifts.get(shift_id)
        if not shift:
            return 404, {"message": "Not Found"}
        if shift["status"] in ("CREATED", "OPENING"):
            if self.fail_shift_open:
                shift["status"] = "CLOSED"
                shift["initial_transaction"] = {
                    "status": "ERROR",
                    "response_error_message": "ДПС: помилка відкриття зміни",
                }
                for key, open_id in list(self.open_shift_id.items()):
                    if open_id == shift_id:
                        del self.open_shift_id[key]
            else:
                shift["_step"] += 1
                shift["status"] = self.shift_steps[min(shift["_step"], len(self.shift_steps) - 1)]
                if shift["status"] == "OPENED":
                    shift["opened_at"] = self._now()
                    shift["initial_transaction"] = {"status": "DONE"}
        elif shift["status"] == "CLOSING":
            shift["status"] = "CLOSED"
            shift["closed_at"] = self._now()
        return 200, self._public_shift(shift)

    def _report(self, shift, is_z_report):
        """An X- or Z-report as Checkbox shapes it: the sums nested by
        payment type (``payments``) and by tax rate (``taxes``), next to the
        receipt counts; money in kopecks."""
        receipts = [self.receipts[rid] for rid in shift["_receipts"] if rid in self.receipts]
        done = [r for r in receipts if r["status"] == "DONE"]
        payments, taxes = {}, {}
        for receipt in done:
            kind = receipt["type"]
            rest = max(0, receipt["total_payment"] - receipt["total_sum"])
            for payment in receipt["payments"]:
                key = (payment.get("type"), payment.get("label"), payment.get("code"))
                entry = payments.setdefault(
                    key,
                    {
                        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, repr(key))),
                        "code": payment.get("code") or 0,
                        "type": payment.get("type"),
                        "label": payment.get("label")
                        or ("Готівка" if payment.get("type") == "CASH" else "Картка"),
                        "sell_sum": 0,
                        "return_sum": 0,
                        "service_in": 0,
                        "service_out": 0,
                        "cash_withdrawal": 0,
                        "cash_withdrawal_commission": 0,
                    },
                )
                value = int(payment.get("value") or 0)
                if payment.get("type") == "CASH" and rest:
                    value, rest = value - min(value, rest), rest - min(value, rest)
                field = {
                    "SELL": "sell_sum",
                    "RETURN": "return_sum",
                    "SERVICE_IN": "service_in",
                    "SERVICE_OUT": "service_out",
                }[kind]
                entry[field] += abs(value)
            for item in receipt["goods"]:
                amount = _sum(item["good"]["price"], item["quantity"])
                for code in item["good"].get("tax") or []:
                    rate = next((t for t in self.taxes if t["code"] == code), None)
                    if not rate:
                        continue
                    entry = taxes.setdefault(
                        code,
                        dict(
                            {k: rate[k] for k in ("id", "code", "label", "symbol", "rate")},
                            no_vat=rate.get("no_vat", False),
                            sell_sum=0,
                            return_sum=0,
                            sales_turnover=0,
                            returns_turnover=0,
                        ),
                    )
                    tax = int(
                        (
                            Decimal(amount)
                            * Decimal(str(rate["rate"]))
                            / (100 + Decimal(str(rate["rate"])))
                        ).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
                    )
                    if kind == "SELL":
                        entry["sell_sum"] += tax
                        entry["sales_turnover"] += amount
                    elif kind == "RETURN":
                        entry["return_sum"] += tax
                        entry["returns_turnover"] += amount
        sells = sum(
            p["sell_sum"] + p["service_in"] for p in payments.values() if p["type"] == "CASH"
        )
        outs = sum(
            p["return_sum"] + p["service_out"] for p in payments.values() if p["type"] == "CASH"
        )
        now = self._now()
        return {
            "id": str(uuid.uuid4()),
            "serial": shift["serial"],
            "is_z_report": is_z_report,
            "payments": list(payments.values()),
            "taxes": list(taxes.values()),
            "sell_receipts_count": len([r for r in done if r["type"] == "SELL"]),
            "return_receipts_count": len([r for r in done if r["type"] == "RETURN"]),
            "cash_withdrawal_receipts_count": 0,
            "transfers_count": 0,
            "transfers_sum": 0,
            "balance": sells - outs,
            "initial": 0,
            "discounts_sum": 0,
            "extra_charge_sum": 0,
            "created_at": now,
            "updated_at": now,
        }

    def _close_shift(self, key):
        shift_id = self.open_shift_id.get(key)
        if not shift_id:
            return 400, {"message": NO_SHIFT}
        shift = self.shifts[shift_id]
        shift["status"] = "CLOSING"
        shift["z_report"] = self._report(shift, True)
        del self.open_shift_id[key]
        return 202, self._public_shift(shift)

    def _x_report(self, key):
        shift_id = self.open_shift_id.get(key)
        if not shift_id:
            return 400, {"message": NO_SHIFT}
        return 201, self._report(self.shifts[shift_id], False)

    # ------------------------------------------------------------------ receipts
    def _validate(self, body, is_chain_payment=False):
        errors = []
        if not is_chain_payment:
            goods = body.get("goods") or []
            if not goods:
                errors.append(
                    {
                        "loc": ["body", "goods"],
                        "msg": "field required",
                        "type": "value_error.missing",
                    }
                )
            codes = {tax["code"] for tax in self.taxes}
            for index, item in enumerate(goods):
                good = item.get("good") or {}
                if not good.get("price") or good["price"] <= 0:
                    errors.append(
                        {
                            "loc": ["body", "goods", index, "good", "price"],
                            "msg": "ensure this value is greater than 0",
                            "type": "value_error.number.not_gt",
                        }
                    )
                if not item.get("quantity") or item["quantity"] <= 0:
                    errors.append(
                        {
                            "loc": ["body", "goods", index, "quantity"],
                            "msg": "must be > 0",
                            "type": "value_error",
                        }
                    )
                for code in good.get("tax") or []:
                    if code not in codes:
                        errors.append(
                            {
                                "loc": ["body", "goods", index, "good", "tax"],
                                "msg": f"Tax code {code} is not configured",
                                "type": "value_error",
                            }
                        )
        for index, payment in enumerate(body.get("payments") or []):
            if (
                payment.get("type") not in ("CASH", "CASHLESS")
                or int(payment.get("value") or 0) <= 0
            ):
                errors.append(
                    {
                        "loc": ["body", "payments", index],
                        "msg": "bad payment",
                        "type": "value_error",
                    }
                )
        if not body.get("payments"):
            errors.append(
                {
                    "loc": ["body", "payments"],
                    "msg": "field required",
                    "type": "value_error.missing",
                }
            )
        return errors

    def _total(self, body):
        total = 0
        for item in body.get("goods") or []:
            amount = _sum(item["good"]["price"], item["quantity"])
            for discount in item.get("discounts") or []:
                sign = -1 if discount.get("type", "DISCOUNT") == "DISCOUNT" else 1
                if discount.get("mode") == "PERCENT":
                    value = int(
                        (Decimal(amount) * Decimal(str(discount["value"])) / 100).quantize(
                            Decimal("1"), rounding=ROUND_HALF_UP
                        )
                    )
                else:
                    value = int(discount["value"])
                amount += sign * value
            total += amount
        for discount in body.get("discounts") or []:
            sign = -1 if discount.get("type", "DISCOUNT") == "DISCOUNT" else 1
            total += sign * int(discount["value"])
        return total

    def _check_receipt(self, key, body, **validate_options):
        """The refusal (status, body) of a receipt request, or None: the
        register's checks, then the 422 validation of the receipt body."""
        refused = self._check_common(key, body)
        if refused:
            return refused
        errors = self._validate(body, **validate_options)
        if errors:
            return 422, {"message": "Validation error", "detail": errors}
        return None

    def _check_common(self, key, body):
        if key not in self.license_keys:
            return 403, {"message": "Невірний ключ ліцензії каси"}
        if not self.open_shift_id.get(key):
            return 400, {"message": NO_SHIFT}
        receipt_id = body.get("id")
        if receipt_id and receipt_id in self.receipts:
            self.duplicate_refusals += 1
            return 400, {
                "message": "Чек з таким ідентифікатором вже існує",
                "code": "receipt.already_exists",
            }
        return None

    def _new_receipt(self, key, body, receipt_type, total, paid, kind):
        receipt_id = body.get("id") or str(uuid.uuid4())
        shift = self.shifts[self.open_shift_id[key]]
        receipt = {
            "id": receipt_id,
            "type": receipt_type,
            "status": "CREATED",
            "serial": len(shift["_receipts"]) + 1,
            "fiscal_code": None,
            "fiscal_date": None,
            "total_sum": total,
            "total_payment": paid,
            "goods": body.get("goods") or [],
            "payments": body.get("payments") or [],
            "discounts": body.get("discounts") or [],
            "footer": body.get("footer"),
            "header": body.get("header"),
            "related_receipt_id": body.get("related_receipt_id"),
            "shift": {"id": shift["id"], "serial": shift["serial"], "status": shift["status"]},
            "transaction": {"status": "PENDING", "response_error_message": None},
            "tax_url": None,
            "_polls": 0,
            "_kind": kind,
            "_error": self.error_next_receipts.pop(0) if self.error_next_receipts else None,
        }
        self.receipts[receipt_id] = receipt
        shift["_receipts"].append(receipt_id)
        return receipt

    def _public_receipt(self, receipt):
        return {k: v for k, v in receipt.items() if not k.startswith("_")}

    def _sell(self, key, body):
        body = body or {}
        refused = self._check_receipt(key, body)
        if refused:
            return refused
        total = self._total(body)
        paid = sum(int(p["value"]) for p in body["payments"])
        cashless = any(p["type"] == "CASHLESS" for p in body["payments"])
        if total <= 0 or paid < total or (cashless and paid != total):
            return 422, {
                "message": "Сума оплати не відповідає сумі чека",
                "detail": [
                    {
                        "loc": ["body", "payments"],
                        "msg": f"paid {paid} != total {total}",
                        "type": "value_error",
                    }
                ],
            }
        is_return = any(item.get("is_return") for item in body["goods"])
        if is_return:
            related = self.receipts.get(body.get("related_receipt_id"))
            if not related or related["status"] != "DONE":
                return 400, {"message": "Не знайдено чек продажу для повернення"}
        receipt = self._new_receipt(
            key,
            body,
            "RETURN" if is_return else "SELL",
            total,
            paid,
            "return" if is_return else "sell",
        )
        return 201, self._public_receipt(receipt)

    def _prepayment(self, key, body):
        body = body or {}
        refused = self._check_receipt(key, body)
        if refused:
            return refused
        total = self._total(body)
        paid = sum(int(p["value"]) for p in body["payments"])
        if paid >= total:
            return 422, {"message": "Передплата має бути меншою за суму чека", "detail": []}
        relation = str(uuid.uuid4())
        receipt = self._new_receipt(key, body, "SELL", total, paid, "prepayment")
        receipt["pre_payment_relation_id"] = relation
        self.chains[relation] = {"total_sum": total, "paid_sum": paid, "receipts": [receipt["id"]]}
        return 201, self._public_receipt(receipt)

    def _after_payment(self, key, relation, body):
        body = body or {}
        chain = self.chains.get(relation)
        if not chain:
            return 404, {"message": "Not Found"}
        refused = self._check_receipt(key, body, is_chain_payment=True)
        if refused:
            return refused
        paid = sum(int(p["value"]) for p in body["payments"])
        if chain["paid_sum"] + paid > chain["total_sum"]:
            return 422, {"message": "Сума оплати перевищує залишок до сплати", "detail": []}
        receipt = self._new_receipt(key, body, "SELL", paid, paid, "final")
        receipt["pre_payment_relation_id"] = relation
        chain["paid_sum"] += paid
        chain["receipts"].append(receipt["id"])
        return 201, self._public_receipt(receipt)

    def _get_chain(self, relation):
        chain = self.chains.get(relation)
        if not chain:
            return 404, {"message": "Not Found"}
        left = chain["total_sum"] - chain["paid_sum"]
        return 200, {
            "relation_id": relation,
            "total_sum": chain["total_sum"],
            "paid_sum": chain["paid_sum"],
            "left_to_pay": left,
            "pre_payment_status": "PAID" if left <= 0 else "PARTIALLY_PAID",
        }

    def _service(self, key, body):
        body = body or {}
        refused = self._check_common(key, body)
        if refused:
            return refused
        payment = body.get("payment") or {}
        if not payment.get("value"):
            return 422, {
                "message": "Validation error",
                "detail": [
                    {"loc": ["body", "payment", "value"], "msg": "required", "type": "value_error"}
                ],
            }
        value = int(payment["value"])
        receipt = self._new_receipt(
            key,
            body,
            "SERVICE_IN" if value > 0 else "SERVICE_OUT",
            abs(value),
            abs(value),
            "service",
        )
        return 201, self._public_receipt(receipt)

    def _get_receipt(self, receipt_id):
        receipt = self.receipts.get(receipt_id)
        if not receipt:
            return 404, {"message": "Not Found"}
        if receipt["status"] == "CREATED":
            receipt["_polls"] += 1
            if receipt["_polls"] >= self.done_after_polls:
                if receipt["_error"]:
                    receipt["status"] = "ERROR"
                    receipt["transaction"] = {
                        "status": "ERROR",
                        "response_error_message": receipt["_error"],
                    }
                else:
                    receipt["status"] = "DONE"
                    receipt["fiscal_code"] = f"TEST{abs(hash(receipt_id)) % 10**10:010d}"
                    receipt["fiscal_date"] = self._now()
                    receipt["transaction"] = {"status": "DONE", "response_error_message": None}
                    receipt["tax_url"] = (
                        f"https://cabinet.tax.gov.ua/cashregs/check?id={receipt['fiscal_code']}"
                        f"&sm={receipt['total_sum'] / 100:.2f}"
                    )
        return 200, self._public_receipt(receipt)

    def _render(self, receipt_id, kind):
        receipt = self.receipts.get(receipt_id)
        if not receipt:
            return 404, {"message": "Not Found"}
        code = receipt.get("fiscal_code") or ""
        text = f"ФІСКАЛЬНИЙ ЧЕК {code}\nСУМА {receipt['total_sum'] / 100:.2f} ГРН"
        if kind == "pdf":
            return 200, b"%PDF-1.4\n% fake receipt\n" + text.encode()
        if kind in ("png", "qrcode"):
            return 200, b"\x89PNG\r\n\x1a\nfake"
        if kind == "html":
            return 200, f"<html><body><pre>{text}</pre></body></html>".encode()
        return 200, text.encode()

    def _send_email(self, receipt_id, body):
        if receipt_id not in self.receipts:
            return 404, {"message": "Not Found"}
        if not isinstance(body, list):
            return 422, {
                "message": "Validation error",
                "detail": [{"loc": ["body"], "msg": "list expected", "type": "type_error"}],
            }
        self.sent_emails.append((receipt_id, body))
        return 200, {"ok": True}

    def _send_sms(self, receipt_id, body):
        if receipt_id not in self.receipts:
            return 404, {"message": "Not Found"}
        self.sent_sms.append((receipt_id, (body or {}).get("phone")))
        return 200, {"ok": True}


class _Handler(BaseHTTPRequestHandler):
    fake = None
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format, *args):  # noqa: A002 - silence the default stderr log
        return

    def _serve(self, method):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        headers = {k.lower(): v for k, v in self.headers.items()}
        action, status, content_type, data = self.fake.serve(
            method, self.path, headers, body, connection=self.connection
        )
        if action in ("reset", "hang"):
            # cut the connection without an answer: RST for a reset, a plain
            # close after the client has given up for a hang
            self.close_connection = True
            if action == "reset":
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
            self.connection.close()
            return
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            if status == 429:
                self.send_header("Retry-After", "1")
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            return  # the client gave up (timeout) before the answer

    def finish(self):
        try:
            super().finish()
        except (OSError, ValueError):
            return  # the connection was cut on purpose

    def do_GET(self):  # noqa: N802
        self._serve("GET")

    def do_POST(self):  # noqa: N802
        self._serve("POST")
