"""A local fake of the LiqPay API v3 for the tests and the benchmarks.

Plain Python (no Odoo import), importable as
``odoo.addons.payment_liqpay.tests.fake_liqpay``::

    fake = FakeLiqPay()            # or FakeLiqPay(public_key=..., private_key=...)
    fake.start()                   # serves on a free port of 127.0.0.1
    provider.liqpay_api_url = fake.url
    fake.post_form(tx._get_processing_values()["redirect_form_html"])
                                   # the customer's browser posts the checkout form
    fake.pay(tx.reference)         # the customer pays: signed callback(s) to server_url
    fake.stop()

It speaks the real shapes and signatures (``data`` = base64 JSON, ``signature`` =
base64(sha1(private_key + data + private_key))) and checks the signature of what
it receives:

- ``POST /api/3/checkout`` (form ``data``, ``signature``): the checkout page. It
  records the order (amount, currency, ``server_url``, ``result_url``,
  ``sandbox``) under its ``order_id`` and answers an HTML page; a bad signature
  gets an HTML error page (HTTP 400);
- ``POST /api/request`` (form ``data``, ``signature``), ``action``:

  - ``status``: the payment's data with ``result`` "ok", or ``{"result": "error",
    "err_code": "payment_not_found"}`` for an order nobody paid yet;
  - ``refund``: ``{"result": "ok", "status": "reversed", …}`` (any refund, partial
    or not, leaves the payment "reversed"; the payment's ``refund_amount`` is then
    the total of its refunds) or ``{"result": "error", "err_code",
    "err_description"}`` (not paid, or more than what is left);
  - a bad signature: ``{"result": "error", "err_code": "invalid_signature"}``.

The customer is played by :meth:`FakeLiqPay.pay`: it sets the payment's status
and sends the signed server-to-server callback to the order's ``server_url``,
``times`` times, and returns the HTTP statuses the shop answered. A person
refunding in LiqPay's cabinet is played by :meth:`FakeLiqPay.refund` (the same
callbacks). Every callback is kept in ``callbacks`` (also with ``times=0``) and
can be sent again later with :meth:`FakeLiqPay.resend` (replays, callbacks
arriving out of order).

Faults, queued with :meth:`FakeLiqPay.fail_next` for the next requests
(checkout or API):

============= =============================================================
``5xx``       HTTP 502 with an HTML page; not processed
``429``       HTTP 429; not processed
``timeout``   no answer: the fake waits until the client gives up (closes the
              connection), :meth:`release` or ``hang_seconds``; not processed
``reset``     the connection is reset (TCP RST) without an answer; not processed
``html``      HTTP 200 with an HTML page (a proxy's); not processed
``empty``     processed, then HTTP 200 with an empty body
``malformed`` processed, then HTTP 200 with cut JSON
``lost``      processed, then the connection is closed without an answer
============= =============================================================

``requests`` lists what the fake received: ``path``, ``params`` (decoded
``data``), ``signature_ok``, ``fault`` and the HTTP ``status`` it answered
(``None``: no answer).
"""

import base64
import contextlib
import hashlib
import hmac
import json
import select
import socket
import struct
import threading
import time
from decimal import Decimal
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import requests

PUBLIC_KEY = "sandbox_i00000000042"
PRIVATE_KEY = "sandbox_fake-private-key-5f3c9a1e7b2d4c6f"
FAULT_KINDS = ("5xx", "429", "timeout", "reset", "html", "empty", "malformed", "lost")
PROCESSED_FAULTS = ("empty", "malformed", "lost")
HTML_PAGE = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
FAILURE_STATUSES = ("failure", "error")


def encode(params):
    text = json.dumps(params, separators=(",", ":"))
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def signature_of(private_key, data):
    digest = hashlib.sha1(f"{private_key}{data}{private_key}".encode()).digest()
    return base64.b64encode(digest).decode("ascii")


class _FormParser(HTMLParser):
    """The action and the hidden inputs of an HTML form."""

    def __init__(self):
        super().__init__()
        self.action = None
        self.inputs = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.action = attrs.get("action")
        elif tag == "input" and attrs.get("name"):
            self.inputs[attrs["name"]] = attrs.get("value") or ""


class FakeLiqPay:
    def __init__(self, public_key=PUBLIC_KEY, private_key=PRIVATE_KEY, hang_seconds=60.0):
        self.public_key = public_key
        self.private_key = private_key
        self.hang_seconds = hang_seconds
        self.lock = threading.RLock()
        self.idle = threading.Condition(self.lock)
        self.in_progress = 0
        self.server = None
        self.thread = None
        # a byte written here ends every wait for the client (see release)
        self._wake_reader, self._wake_writer = socket.socketpair()
        self._wake_reader.setblocking(False)
        self._last_ms = 0
        self.reset()

    # ------------------------------------------------------------ control
    def reset(self):
        with self.lock:
            self.payments = {}  # order_id -> dict
            self.requests = []
            self.callbacks = []
            self.failures = []
            self.next_payment_id = 2400000000
            self._drain_wake()

    def fail_next(self, kind, count=1, after=0):
        """The next ``count`` requests fail as ``kind`` (see the module's table),
        after ``after`` requests served normally (queued after the faults already
        asked for)."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; one of {FAULT_KINDS}")
        with self.lock:
            self.failures.extend([None] * after + [kind] * count)

    def release(self):
        """End now every wait for the client to give up."""
        self._wake_writer.send(b"x")

    def _drain_wake(self):
        with contextlib.suppress(BlockingIOError):  # nothing (more) to read
            while self._wake_reader.recv(1024):
                pass

    def wait_idle(self, timeout=5.0):
        """Wait until no request is being handled."""
        deadline = time.monotonic() + timeout
        with self.idle:
            while self.in_progress > 0:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.idle.wait(left)
        return True

    def api_requests(self, action=None):
        """The API requests received (``/api/request``), of ``action`` when given."""
        self.wait_idle()
        with self.lock:
            return [
                r
                for r in self.requests
                if r["path"] == "api/request"
                and (action is None or (r["params"] or {}).get("action") == action)
            ]

    def payment(self, order_id):
        """A copy of what the fake knows of ``order_id`` (``None``: no checkout)."""
        with self.lock:
            payment = self.payments.get(order_id)
            return dict(payment) if payment else None

    def payment_data(self, order_id):
        """The payment's data as LiqPay shows them (status answers, callbacks)."""
        with self.lock:
            return self._payment_data(self.payments[order_id])

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def checkout_url(self):
        return f"{self.url}/api/3/checkout"

    def start(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep the test log clean
                pass

            def do_GET(self):
                fake._serve(self)

            def do_POST(self):
                fake._serve(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        if self.server:
            self.release()
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    # ------------------------------------------------------------ the customer
    def _now_ms(self):
        with self.lock:
            self._last_ms = max(int(time.time() * 1000), self._last_ms + 1)
            return self._last_ms

    def signed(self, params):
        """``{"data", "signature"}`` of ``params`` signed with the fake's key."""
        data = encode(params)
        return {"data": data, "signature": signature_of(self.private_key, data)}

    def checkout(self, order_id, amount, currency="UAH", server_url=None, **params):
        """Record a checkout as if the customer's browser had posted the form."""
        with self.lock:
            self._record_checkout(
                {
                    "order_id": order_id,
                    "amount": str(amount),
                    "currency": currency,
                    "server_url": server_url,
                    **params,
                }
            )

    def post_form(self, html):
        """Play the customer's browser submitting Odoo's redirect form (the
        ``redirect_form_html`` of the transaction's processing values) to the
        fake's checkout page.

        :return: the checkout parameters the fake received (decoded ``data``)
        """
        parser = _FormParser()
        parser.feed(html)
        response = requests.post(parser.action, data=parser.inputs, timeout=30)
        if response.status_code != 200:
            raise ValueError(f"the fake refused the checkout form (HTTP {response.status_code})")
        return json.loads(base64.b64decode(parser.inputs["data"]).decode("utf-8"))

    def pay(
        self,
        order_id,
        status="success",
        amount=None,
        times=1,
        currency=None,
        err_code=None,
        err_description=None,
    ):
        """Play the customer paying the checkout of ``order_id`` (our reference).

        The payment takes ``status``; the signed callback (with ``amount`` and
        ``currency`` when given, else the checkout's) is sent ``times`` times to
        the checkout's ``server_url``.

        :return: the HTTP statuses the shop answered, one per callback sent
        """
        with self.lock:
            payment = self.payments.get(order_id)
            if payment is None:
                raise KeyError(f"no checkout for order {order_id!r}: post the checkout form first")
            payment["status"] = status
            payment["end_date"] = self._now_ms()
            if amount is not None:
                payment["amount"] = str(amount)
            if currency is not None:
                payment["currency"] = currency
            if status in FAILURE_STATUSES:
                payment["err_code"] = err_code or "limit"
                payment["err_description"] = err_description or "Insufficient funds on the card"
            else:
                payment.pop("err_code", None)
                payment.pop("err_description", None)
            if status == "reversed":
                payment.setdefault("refund_date_last", payment["end_date"])
            callback = dict(
                self.signed(self._payment_data(payment)),
                order_id=order_id,
                status=status,
                url=payment.get("server_url"),
            )
            self.callbacks.append(callback)
        return [self.resend(callback) for _i in range(times)]

    def refund(self, order_id, amount, times=1):
        """Play a refund made by a person in LiqPay's cabinet: ``amount`` more of
        the payment of ``order_id`` is refunded and the signed "reversed" callback
        is sent ``times`` times.

        :return: the HTTP statuses the shop answered, one per callback sent
        """
        with self.lock:
            payment = self.payments.get(order_id)
            if payment is None or not payment.get("status"):
                raise KeyError(f"no payment for order {order_id!r}")
            answer = self._refund(payment, amount)
            if answer["result"] != "ok":
                raise ValueError(answer["err_description"])
            callback = dict(
                self.signed(self._payment_data(payment)),
                order_id=order_id,
                status=payment["status"],
                url=payment.get("server_url"),
            )
            self.callbacks.append(callback)
        return [self.resend(callback) for _i in range(times)]

    def resend(self, callback):
        """Send a recorded callback (an item of ``callbacks``) once more.

        :return: the HTTP status the shop answered
        """
        if not callback.get("url"):
            raise ValueError("the checkout gave no server_url")
        response = requests.post(
            callback["url"],
            data={"data": callback["data"], "signature": callback["signature"]},
            timeout=30,
        )
        return response.status_code

    def _payment_data(self, payment):
        """The payment as LiqPay shows it in callbacks and status answers."""
        data = {
            "payment_id": payment["payment_id"],
            "action": payment.get("action") or "pay",
            "status": payment["status"],
            "version": 3,
            "type": "buy",
            "paytype": "card",
            "public_key": self.public_key,
            "acq_id": 414963,
            "order_id": payment["order_id"],
            "liqpay_order_id": f"FAKE{payment['payment_id']}",
            "description": payment.get("description") or "",
            "sender_first_name": "Тарас",
            "sender_last_name": "Шевченко",
            "sender_card_mask2": "414949*17",
            "sender_card_bank": "pb",
            "sender_card_type": "visa",
            "sender_card_country": 804,
            "ip": "127.0.0.1",
            "amount": float(Decimal(payment["amount"])),
            "currency": payment["currency"],
            "sender_commission": 0.0,
            "receiver_commission": float(Decimal(payment["amount"]) * Decimal("0.015")),
            "agent_commission": 0.0,
            "amount_debit": float(Decimal(payment["amount"])),
            "amount_credit": float(Decimal(payment["amount"])),
            "currency_debit": payment["currency"],
            "currency_credit": payment["currency"],
            "is_3ds": False,
            "language": payment.get("language") or "uk",
            "create_date": payment["create_date"],
            "end_date": payment.get("end_date") or payment["create_date"],
            "transaction_id": payment["payment_id"],
        }
        for key in ("err_code", "err_description", "refund_amount", "refund_date_last"):
            if payment.get(key) is not None:
                data[key] = payment[key]
        return data

    # ------------------------------------------------------------ serving
    def _serve(self, handler):
        with self.lock:
            self.in_progress += 1
        record = {"path": handler.path.split("?")[0].strip("/"), "params": None, "status": None}
        try:
            record["status"] = self._handle(handler, record)
        finally:
            with self.idle:
                self.in_progress -= 1
                self.idle.notify_all()

    def _handle(self, handler, record):
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}
        data, signature = form.get("data"), form.get("signature")
        record["signature_ok"] = bool(
            data
            and signature
            and hmac.compare_digest(signature_of(self.private_key, data), signature)
        )
        try:
            record["params"] = json.loads(base64.b64decode(data or "").decode("utf-8"))
        except ValueError:
            record["params"] = None
        with self.lock:
            self.requests.append(record)
            record["fault"] = self.failures.pop(0) if self.failures else None
        fault = record["fault"]
        if fault in ("5xx", "429", "timeout", "reset", "html"):
            return self._not_processed(handler, fault)
        status, body, content_type = self._route(record)
        if fault == "empty":
            return self._reply(handler, 200, "", "application/json")
        if fault == "malformed":
            return self._reply(handler, 200, body[: max(1, len(body) // 2)], content_type)
        if fault == "lost":
            handler.close_connection = True
            return None
        return self._reply(handler, status, body, content_type)

    def _not_processed(self, handler, fault):
        if fault == "5xx":
            return self._reply(handler, 502, HTML_PAGE, "text/html")
        if fault == "429":
            body = json.dumps({"result": "error", "err_code": "too_many_requests"})
            return self._reply(handler, 429, body, "application/json")
        if fault == "html":
            return self._reply(handler, 200, HTML_PAGE, "text/html")
        if fault == "timeout":
            # until the client closes the connection, release() or hang_seconds
            select.select([handler.connection, self._wake_reader], [], [], self.hang_seconds)
        connection = handler.connection
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        connection.close()
        handler.close_connection = True
        return None

    def _reply(self, handler, status, body, content_type):
        payload = body.encode("utf-8")
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", f"{content_type}; charset=utf-8")
            handler.send_header("Content-Length", str(len(payload)))
            handler.end_headers()
            handler.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            return None  # the client gave up waiting
        return status

    def _route(self, record):
        path, params = record["path"], record["params"]
        if path == "api/3/checkout":
            if not record["signature_ok"] or not isinstance(params, dict):
                return 400, "<html><body>Invalid signature</body></html>", "text/html"
            with self.lock:
                payment = self._record_checkout(params)
            page = (
                "<html><head><title>LiqPay checkout (fake)</title></head><body>"
                f"<h1>{payment['order_id']}</h1><p>{payment['amount']} {payment['currency']}</p>"
                "</body></html>"
            )
            return 200, page, "text/html"
        if path == "api/request":
            return 200, json.dumps(self._api(record)), "application/json"
        return 404, "<html><body>Not found</body></html>", "text/html"

    def _record_checkout(self, params):
        order_id = params.get("order_id")
        payment = self.payments.get(order_id)
        if payment is None or not payment.get("status"):
            payment = self.payments[order_id] = {
                **(payment or {}),
                **{k: v for k, v in params.items() if k not in ("version", "public_key")},
                "payment_id": (payment or {}).get("payment_id") or self._new_payment_id(),
                "create_date": self._now_ms(),
                "status": None,
                "refunded": "0",
            }
        return payment

    def _new_payment_id(self):
        self.next_payment_id += 1
        return self.next_payment_id

    @staticmethod
    def _error(code, description):
        return {
            "result": "error",
            "status": "error",
            "err_code": code,
            "err_description": description,
        }

    def _api(self, record):
        params = record["params"]
        if not record["signature_ok"] or not isinstance(params, dict):
            return self._error("invalid_signature", "Invalid signature")
        if params.get("public_key") != self.public_key:
            # LiqPay's texts may quote what they got back
            return self._error(
                "public_key_not_found", f"Public key {params.get('public_key')} not found"
            )
        action = params.get("action")
        with self.lock:
            payment = self.payments.get(params.get("order_id"))
            if payment is None or not payment.get("status"):
                return self._error("payment_not_found", "payment_not_found")
            if action == "status":
                return {"result": "ok", **self._payment_data(payment)}
            if action == "refund":
                return self._refund(payment, params.get("amount"))
        return self._error("err_action", f"Unknown action {action}")

    def _refund(self, payment, amount):
        if payment["status"] not in ("success", "sandbox", "reversed"):
            return self._error("payment_not_paid", "The payment is not paid")
        try:
            amount = Decimal(str(amount))
        except ArithmeticError:
            amount = Decimal(-1)
        left = Decimal(payment["amount"]) - Decimal(payment["refunded"])
        if amount <= 0 or amount > left:
            return self._error("err_amount", "The refund amount is more than what is left")
        payment["refunded"] = str(Decimal(payment["refunded"]) + amount)
        payment["refund_amount"] = float(Decimal(payment["refunded"]))  # all refunds
        payment["status"] = "reversed"
        payment["end_date"] = payment["refund_date_last"] = self._now_ms()
        return {
            "result": "ok",
            "payment_id": payment["payment_id"],
            "status": "reversed",
            "order_id": payment["order_id"],
            "amount": float(amount),
            "currency": payment["currency"],
            "public_key": self.public_key,
            "version": 3,
            "action": "refund",
        }
