"""A local fake of monobank acquiring for the tests and benchmarks.

It speaks the real shapes (``/api/merchant/invoice/create``, ``invoice/status``,
``invoice/cancel``, ``pubkey``, ``X-Token``, ``errCode``/``errText``) and signs
its callbacks like monobank: ``X-Sign`` is base64 of a DER ECDSA signature
(P-256, SHA-256) of the raw body, made with its own key, whose public half it
serves at ``/api/merchant/pubkey`` (base64 of the PEM).

Usage::

    fake = FakeMonobank().start()      # 127.0.0.1, a free port
    provider.monobank_api_url = fake.url
    provider.monobank_token = fake.token
    ...                                # Odoo creates an invoice (the checkout)
    fake.pay(tx.reference)             # the customer pays: the signed callback is sent
                                       # to the invoice's webHookUrl, Odoo's HTTP codes returned
    fake.fail_next("lost")             # the next request is processed, its answer dropped
    fake.stop()

Faults (:meth:`FakeMonobank.fail_next`): ``5xx`` (HTTP 500 with errCode, not processed),
``429`` (not processed), ``400`` (a refusal, not processed), ``timeout`` (no answer until
the client gives up, not processed), ``reset`` (the connection is reset, not processed),
``html``/``empty``/``malformed`` (processed, then an HTTP 200 answer that cannot be read),
``lost`` (processed, then the connection is reset without an answer).
"""

import base64
import itertools
import json
import select
import socket
import struct
import threading
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

TOKEN = "uXr7mTestMerchantToken-2f9c41d7e8"
FAULT_KINDS = ("5xx", "429", "400", "timeout", "reset", "html", "empty", "malformed", "lost")
# Faults answered before anything is processed (the others after).
FAULTS_BEFORE = ("5xx", "429", "400", "timeout", "reset")
HTML_PAGE = "<html><body><h1>502 Bad Gateway</h1></body></html>"
UAH = 980


@dataclass
class Callback:
    """One callback the fake sent (or would send): where, the raw body, its signature."""

    url: str
    body: bytes
    x_sign: str


class FakeMonobank:
    """A threaded HTTP server on 127.0.0.1 playing monobank acquiring.

    :param token: the merchant token it accepts (``X-Token``), others get 403;
    :param hang_seconds: the longest a ``timeout`` fault waits for the client to give up.
    """

    def __init__(self, token=TOKEN, hang_seconds=30.0):
        self.token = token
        self.hang_seconds = hang_seconds
        self.lock = threading.RLock()
        self.server = None
        self.thread = None
        self._wake_reader, self._wake_writer = socket.socketpair()
        self._key = ec.generate_private_key(ec.SECP256R1())
        self.reset()

    # ------------------------------------------------------------ control
    def reset(self):
        """Forget the invoices, requests, callbacks and pending faults."""
        with self.lock:
            self.invoices = {}  # invoiceId -> invoice dict (the status shape + urls)
            self.requests = []  # dicts: method, path, query, headers, body, raw
            self.callbacks = []  # Callback, in the order they were made
            self.faults = deque()
            self.cancel_status = "success"  # the status of the next refunds
            self.broken_replies = 0  # answers the client no longer waited for
            self._ids = itertools.count(1)
            self._clock = datetime(2025, 3, 1, 9, 0, 0, tzinfo=timezone.utc)

    def start(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep the test log clean
                pass

            def do_GET(self):
                fake._serve(self, "GET")

            def do_POST(self):
                fake._serve(self, "POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        if self.server:
            self._wake_writer.send(b"x")  # ends the waits of the hanging requests
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def fail_next(self, kind, count=1, after=0):
        """The next ``count`` requests fail with ``kind`` (see the module's documentation),
        after ``after`` requests answered normally."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}")
        with self.lock:
            self.faults.extend([None] * after + [kind] * count)

    def rotate_key(self):
        """monobank changes its signing key: callbacks are signed with a new key, and
        ``/api/merchant/pubkey`` serves the new public key."""
        with self.lock:
            self._key = ec.generate_private_key(ec.SECP256R1())

    @property
    def public_pem(self):
        return (
            self._key.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode("ascii")
        )

    def sign(self, body):
        """``X-Sign`` of the raw ``body`` with the fake's current key."""
        signature = self._key.sign(body, ec.ECDSA(hashes.SHA256()))
        return base64.b64encode(signature).decode("ascii")

    # ------------------------------------------------------------ the customer
    def invoice(self, ref_or_id):
        """The invoice of an invoice id or of our transaction reference (the last one)."""
        with self.lock:
            if ref_or_id in self.invoices:
                return self.invoices[ref_or_id]
            for invoice in reversed(list(self.invoices.values())):
                if invoice["reference"] == ref_or_id:
                    return invoice
        raise KeyError(f"no invoice for {ref_or_id!r}")

    def pay(self, ref_or_id, status="success", amount=None, times=1):
        """The customer pays (or the payment moves to ``status``): the invoice takes the
        status (``amount``, kopecks, replaces its amount: a mismatch), and its signed
        callback is sent ``times`` times to the invoice's ``webHookUrl`` (``times=0``: only
        recorded in :attr:`callbacks`, to be sent later with :meth:`deliver`).

        :return: the HTTP statuses Odoo answered (``None`` when nobody answered)
        :rtype: list
        """
        with self.lock:
            invoice = self.invoice(ref_or_id)
            invoice["status"] = status
            if amount is not None:
                invoice["amount"] = amount
            if status == "success":
                invoice["finalAmount"] = invoice["amount"]
                invoice["paymentInfo"] = {
                    "maskedPan": "444403******1902",
                    "approvalCode": "662476",
                    "rrn": "060189181768",
                    "tranId": "13194036",
                    "terminal": "MI001088",
                    "paymentSystem": "visa",
                    "paymentMethod": "pan",
                    "fee": round(invoice["amount"] * 0.013),
                    "country": "804",
                }
            elif status == "failure":
                invoice["failureReason"] = "Недостатньо коштів"
                invoice["errCode"] = "59"
            elif status == "reversed":
                refunded = sum(c["amount"] for c in invoice["cancelList"])
                rest = invoice["finalAmount"] if "finalAmount" in invoice else invoice["amount"]
                rest = min(rest, invoice["amount"] - refunded)
                if rest > 0:
                    invoice["cancelList"].append(self._cancel_entry(rest, None, "success"))
                invoice["finalAmount"] = 0
            self._touch(invoice)
        return self.notify(ref_or_id, times=times)

    def settle_refunds(self, ref_or_id, status="success"):
        """monobank finishes the refunds still ``processing`` with ``status`` (no callback is
        sent: :meth:`notify` sends one)."""
        with self.lock:
            invoice = self.invoice(ref_or_id)
            for entry in invoice["cancelList"]:
                if entry["status"] == "processing":
                    entry["status"] = status
                    entry["modifiedDate"] = self._now()
            refunded = sum(c["amount"] for c in invoice["cancelList"] if c["status"] == "success")
            invoice["finalAmount"] = invoice["amount"] - refunded
            if invoice["finalAmount"] == 0:
                invoice["status"] = "reversed"
            self._touch(invoice)

    def list_refund(self, ref_or_id, amount, ext_ref, status="success"):
        """monobank lists a refund late (a refund request it had not recorded when Odoo
        asked): a ``cancelList`` entry of ``amount`` kopecks with ``ext_ref`` (no callback
        is sent: :meth:`notify` sends one)."""
        with self.lock:
            invoice = self.invoice(ref_or_id)
            invoice["cancelList"].append(self._cancel_entry(amount, ext_ref, status))
            refunded = sum(c["amount"] for c in invoice["cancelList"] if c["status"] == "success")
            invoice["finalAmount"] = invoice["amount"] - refunded
            self._touch(invoice)

    def notify(self, ref_or_id, times=1):
        """Send the invoice's current status as a signed callback ``times`` times."""
        with self.lock:
            invoice = self.invoice(ref_or_id)
            body = json.dumps(self.status_of(invoice), ensure_ascii=False).encode("utf-8")
            callback = Callback(invoice["webHookUrl"], body, self.sign(body))
            self.callbacks.append(callback)
        return [self.deliver(callback) for _index in range(times)]

    def deliver(self, callback, x_sign=None, url=None):
        """POST one callback (a :class:`Callback` or raw bytes signed now, or with
        ``x_sign``) to its URL; return Odoo's HTTP status (``None``: no answer)."""
        if isinstance(callback, Callback):
            body, url, x_sign = callback.body, url or callback.url, x_sign or callback.x_sign
        else:
            body = callback
            x_sign = x_sign if x_sign is not None else self.sign(body)
        headers = {"Content-Type": "application/json"}
        if x_sign:
            headers["X-Sign"] = x_sign
        try:
            response = requests.post(url, data=body, headers=headers, timeout=30)
        except requests.exceptions.RequestException:
            return None
        return response.status_code

    def status_of(self, invoice):
        """The invoice as ``invoice/status`` and the callbacks show it."""
        keys = (
            "invoiceId",
            "status",
            "failureReason",
            "errCode",
            "amount",
            "ccy",
            "finalAmount",
            "createdDate",
            "modifiedDate",
            "reference",
            "destination",
            "paymentInfo",
        )
        data = {key: invoice[key] for key in keys if key in invoice}
        if invoice["cancelList"]:
            data["cancelList"] = [dict(entry) for entry in invoice["cancelList"]]
        return data

    # ------------------------------------------------------------ serving
    def _now(self):
        """The fake's clock: one second later at every change, never the real time."""
        self._clock += timedelta(seconds=1)
        return self._clock.strftime("%Y-%m-%dT%H:%M:%SZ")

    def _touch(self, invoice):
        invoice["modifiedDate"] = self._now()

    def _cancel_entry(self, amount, ext_ref, status):
        moment = self._now()
        entry = {
            "status": status,
            "amount": amount,
            "ccy": UAH,
            "createdDate": moment,
            "modifiedDate": moment,
        }
        if ext_ref:
            entry["extRef"] = ext_ref
        return entry

    def _reply(self, handler, status, body, raw=False, content_type="application/json"):
        data = body if raw else json.dumps(body, ensure_ascii=False)
        data = data.encode("utf-8")
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", f"{content_type}; charset=utf-8")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            with self.lock:
                self.broken_replies += 1  # the client gave up waiting

    def _error(self, handler, status, code, text):
        self._reply(handler, status, {"errCode": code, "errText": text})

    @staticmethod
    def _reset(handler):
        """Close the connection with a TCP reset, without an answer."""
        connection = handler.connection
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        connection.close()
        handler.close_connection = True

    def _serve(self, handler, method):
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        try:
            body = json.loads(raw.decode("utf-8")) if raw else None
        except ValueError:
            body = ValueError
        record = {
            "method": method,
            "path": parts.path,
            "query": dict(parse_qsl(parts.query)),
            "headers": dict(handler.headers.items()),
            "body": body,
            "raw": raw,
        }
        with self.lock:
            self.requests.append(record)
            fault = self.faults.popleft() if self.faults else None
        if fault in FAULTS_BEFORE:
            return self._fault_before(handler, fault)
        if handler.headers.get("X-Token") != self.token:
            return self._error(handler, 403, "forbidden", "forbidden")
        if body is ValueError:
            return self._error(handler, 400, "BAD_REQUEST", "invalid json")
        with self.lock:
            status, answer = self._route(method, parts.path, record["query"], body)
        if fault == "lost":
            return self._reset(handler)
        if fault == "html":
            return self._reply(handler, 200, HTML_PAGE, raw=True, content_type="text/html")
        if fault == "empty":
            return self._reply(handler, 200, "", raw=True)
        if fault == "malformed":
            text = json.dumps(answer)
            return self._reply(handler, 200, text[: max(1, len(text) // 2)], raw=True)
        return self._reply(handler, status, answer)

    def _fault_before(self, handler, fault):
        if fault == "5xx":
            return self._error(handler, 500, "INTERNAL_ERROR", "Internal server error")
        if fault == "429":
            return self._error(handler, 429, "TMR", "Too many requests")
        if fault == "400":
            return self._error(handler, 400, "BAD_REQUEST", "Некоректні параметри запиту")
        if fault == "timeout":
            # no answer until the client gives up (it closes the connection) or the fake stops
            select.select([handler.connection, self._wake_reader], [], [], self.hang_seconds)
            return self._reset(handler)
        return self._reset(handler)  # "reset"

    def _route(self, method, path, query, body):
        if path == "/api/merchant/pubkey" and method == "GET":
            key = base64.b64encode(self.public_pem.encode("ascii")).decode("ascii")
            return 200, {"key": key}
        if path == "/api/merchant/invoice/create" and method == "POST":
            return self._create(body or {})
        if path == "/api/merchant/invoice/status" and method == "GET":
            invoice = self.invoices.get(query.get("invoiceId"))
            if not invoice:
                return 404, {"errCode": "NOT_FOUND", "errText": "invoice not found"}
            return 200, self.status_of(invoice)
        if path == "/api/merchant/invoice/cancel" and method == "POST":
            return self._cancel(body or {})
        if path.startswith("/api/merchant/"):
            return 405, {"errCode": "METHOD_NOT_ALLOWED", "errText": "method not allowed"}
        return 404, {"errCode": "NOT_FOUND", "errText": "not found"}

    def _create(self, body):
        amount = body.get("amount")
        info = body.get("merchantPaymInfo") or {}
        if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
            return 400, {"errCode": "BAD_REQUEST", "errText": "amount is invalid"}
        if body.get("ccy", UAH) != UAH:
            return 400, {"errCode": "BAD_REQUEST", "errText": "ccy is not supported"}
        basket = info.get("basketOrder") or []
        if basket and sum(item.get("sum", 0) for item in basket) != amount:
            return 400, {"errCode": "BAD_REQUEST", "errText": "basketOrder sum mismatch"}
        invoice_id = f"2503{next(self._ids):06d}Fake"
        moment = self._now()
        self.invoices[invoice_id] = {
            "invoiceId": invoice_id,
            "status": "created",
            "amount": amount,
            "ccy": body.get("ccy", UAH),
            "createdDate": moment,
            "modifiedDate": moment,
            "reference": info.get("reference"),
            "destination": info.get("destination"),
            "basketOrder": basket,
            "webHookUrl": body.get("webHookUrl"),
            "redirectUrl": body.get("redirectUrl"),
            "validity": body.get("validity"),
            "paymentType": body.get("paymentType"),
            "cancelList": [],
        }
        page_url = f"{self.url}/pay/{invoice_id}?lang=uk&src=odoo"
        return 200, {"invoiceId": invoice_id, "pageUrl": page_url}

    def _cancel(self, body):
        invoice = self.invoices.get(body.get("invoiceId"))
        if not invoice:
            return 404, {"errCode": "NOT_FOUND", "errText": "invoice not found"}
        if invoice["status"] != "success":
            return 400, {"errCode": "BAD_REQUEST", "errText": "invoice is not paid"}
        refunded = sum(c["amount"] for c in invoice["cancelList"] if c["status"] != "failure")
        amount = body.get("amount", invoice["amount"] - refunded)
        if not isinstance(amount, int) or amount <= 0 or amount > invoice["amount"] - refunded:
            return 400, {"errCode": "BAD_REQUEST", "errText": "amount is invalid"}
        entry = self._cancel_entry(amount, body.get("extRef"), self.cancel_status)
        invoice["cancelList"].append(entry)
        if self.cancel_status == "success":
            invoice["finalAmount"] = invoice["amount"] - refunded - amount
            if invoice["finalAmount"] == 0:
                invoice["status"] = "reversed"
        invoice["modifiedDate"] = entry["modifiedDate"]
        return 200, {
            "status": entry["status"],
            "createdDate": entry["createdDate"],
            "modifiedDate": entry["modifiedDate"],
        }
