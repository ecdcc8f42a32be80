"""A local fake of the Checkbox API for the tests and the benchmark.

It speaks the request/response shapes the addon relies on (see
``shared/spec/checkbox.md``): cashier sign-in by login/password or PIN, the
shift sequence CREATED → OPENING → OPENED (one step per poll), closing with a
Z-report, X-reports, tax rates, sell/return/prepayment/after-payment/service
receipts going CREATED → DONE (or ERROR), "Зміну не відкрито" without an open
shift, 401 once a token has expired, 422 with a ``detail`` list, a refused
duplicate id, renderings and sending. Failures are injected with
:meth:`FakeCheckbox.fail_next` or, for the benchmark, ``timeout_ratio`` (a share
of the requests answered too late, once per distinct request).

Plain Python (no Odoo import): ``FakeCheckbox().start()`` serves on a free port
of 127.0.0.1; ``setup/bench_fiscal.py`` uses it too.
"""

import hashlib
import json
import random
import re
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
    ):
        self.cashiers = dict(cashiers or {"cashier": "secret-password"})
        self.pins = dict(pins or {"1234": "cashier"})
        self.license_keys = set(license_keys or {"test-license-key-000000001"})
        self.taxes = list(taxes or DEFAULT_TAXES)
        self.timeout_ratio = timeout_ratio
        self.slow_seconds = slow_seconds
        self.random = random.Random(seed)
        self.lock = threading.RLock()
        self.server = None
        self.thread = None
        self.reset()

    # ------------------------------------------------------------------ control
    def reset(self):
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
            self.serial = 0

    def start(self):
        fake = self

        class Handler(_Handler):
            pass

        Handler.fake = fake
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    @property
    def url(self):
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/api/v1"

    def fail_next(self, method, path_regex, kind, times=1, message=None):
        """Make the next ``times`` requests matching ``method`` and the
        ``path_regex`` fail. ``kind``: ``500``; ``slow`` (processed, then
        answered after ``slow_seconds``); ``lost`` (answered late and NOT
        processed); ``422``; ``401``; ``400``."""
        with self.lock:
            self.failures.append(
                {
                    "method": method,
                    "path": re.compile(path_regex),
                    "kind": kind,
                    "times": times,
                    "message": message,
                }
            )

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

    def duplicates(self):
        """Documents (the receipt footer names them) with more than one
        fiscalized receipt of the same type."""
        counter = Counter(
            (r["type"], r.get("footer") or r["id"], r.get("pre_payment_relation_id") or "")
            for r in self.fiscal_receipts()
            if r["type"] in ("SELL", "RETURN")
        )
        return {key: count for key, count in counter.items() if count > 1}

    # ------------------------------------------------------------------ dispatch
    def handle(self, method, path, headers, body):
        """Returns (status, payload, delay_after, process)."""
        with self.lock:
            call = {"method": method, "path": path, "headers": dict(headers), "body": body}
            self.calls.append(call)
            failure = self._take_failure(method, path)
            if failure is None and self.timeout_ratio:
                failure = self._random_slow(method, path, body)
        kind = failure and failure["kind"]
        if kind == "500":
            return 500, {"message": "Internal Server Error"}, 0
        if kind == "401":
            return 401, {"message": "Not authenticated"}, 0
        if kind == "422":
            return (
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
                0,
            )
        if kind == "400":
            return 400, {"message": failure["message"] or "Bad request"}, 0
        if kind == "lost":
            return 504, {"message": "Gateway Timeout"}, self.slow_seconds
        with self.lock:
            status, payload = self._route(method, path, headers, body)
        delay = self.slow_seconds if kind == "slow" else 0
        return status, payload, delay

    def _take_failure(self, method, path):
        for failure in self.failures:
            if failure["method"] == method and failure["path"].search(path) and failure["times"]:
                failure["times"] -= 1
                if not failure["times"]:
                    self.failures.remove(failure)
                return failure
        return None

    def _random_slow(self, method, path, body):
        key = hashlib.sha1(
            f"{method} {path} {json.dumps(body, sort_keys=True)}".encode()
        ).hexdigest()
        if key in self.seen_requests:
            return None
        self.seen_requests.add(key)
        if self.random.random() < self.timeout_ratio:
            self.slow_replies += 1
            return {"kind": "slow"}
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

    def _shift_totals(self, shift):
        receipts = [self.receipts[rid] for rid in shift["_receipts"] if rid in self.receipts]
        done = [r for r in receipts if r["status"] == "DONE"]
        return {
            "sell_receipts_count": len([r for r in done if r["type"] == "SELL"]),
            "return_receipts_count": len([r for r in done if r["type"] == "RETURN"]),
            "sell_sum": sum(r["total_sum"] for r in done if r["type"] == "SELL"),
            "return_sum": sum(r["total_sum"] for r in done if r["type"] == "RETURN"),
        }

    def _close_shift(self, key):
        shift_id = self.open_shift_id.get(key)
        if not shift_id:
            return 400, {"message": NO_SHIFT}
        shift = self.shifts[shift_id]
        shift["status"] = "CLOSING"
        shift["z_report"] = dict(
            {"id": str(uuid.uuid4()), "serial": shift["serial"], "is_z_report": True},
            **self._shift_totals(shift),
        )
        del self.open_shift_id[key]
        return 202, self._public_shift(shift)

    def _x_report(self, key):
        shift_id = self.open_shift_id.get(key)
        if not shift_id:
            return 400, {"message": NO_SHIFT}
        report = {"id": str(uuid.uuid4()), "serial": 1, "is_z_report": False}
        report.update(self._shift_totals(self.shifts[shift_id]))
        return 201, report

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

    def _new_receipt(self, key, body, receipt_type, total, paid):
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
        receipt = self._new_receipt(key, body, "RETURN" if is_return else "SELL", total, paid)
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
        receipt = self._new_receipt(key, body, "SELL", total, paid)
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
        receipt = self._new_receipt(key, body, "SELL", paid, paid)
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
            key, body, "SERVICE_IN" if value > 0 else "SERVICE_OUT", abs(value), abs(value)
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
        status, payload, delay = self.fake.handle(method, self.path, headers, body)
        if delay:
            time.sleep(delay)
        if isinstance(payload, bytes):
            data, content_type = payload, "application/octet-stream"
        else:
            data, content_type = json.dumps(payload).encode(), "application/json"
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            return  # the client gave up (timeout) before the answer

    def do_GET(self):  # noqa: N802
        self._serve("GET")

    def do_POST(self):  # noqa: N802
        self._serve("POST")
