import base64
import json
import logging
import socket

from odoo.tests import TransactionCase, tagged

from ..monobank import MonobankClient, MonobankError, decode_public_key, verify_signature
from .fake_monobank import TOKEN, FakeMonobank

# A golden vector: a P-256 public key, a callback body and monobank's X-Sign of it.
GOLDEN_PEM = (
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEmweWJsg3P4R2symNQia6kesre7KS\n"
    "LV0Y/1ZnJBRchtxr9Zcp86bVRtmKHpfcMkotimmNfWGkN7ACRWMcVYWJIg==\n"
    "-----END PUBLIC KEY-----\n"
)
GOLDEN_KEY_B64 = base64.b64encode(GOLDEN_PEM.encode("ascii")).decode("ascii")
GOLDEN_BODY = (
    b'{"invoiceId":"p2_9ZgpZVsl3","status":"success","amount":4200,"ccy":980,'
    b'"finalAmount":4200,"createdDate":"2025-03-01T09:00:01Z",'
    b'"modifiedDate":"2025-03-01T09:00:02Z","reference":"S00042"}'
)
GOLDEN_SIGN = (
    "MEUCIFTWvfFoIQucDj3BtRY1i78p0qd+awzBuEMVfyb6q8BjAiEAvkbLG+HekrMJgJAwL0pHdHOlh2hB/AV5"
    "vyP+K0/7tPA="
)

INVOICE = {
    "amount": 4200,
    "ccy": 980,
    "merchantPaymInfo": {
        "reference": "S00042",
        "destination": "Payment S00042",
        "basketOrder": [{"name": "Payment S00042", "qty": 1, "sum": 4200, "code": "S00042"}],
    },
    "redirectUrl": "http://127.0.0.1/payment/monobank/return?ref=S00042",
    "webHookUrl": "http://127.0.0.1/payment/monobank/webhook",
    "validity": 86400,
    "paymentType": "debit",
}


@tagged("post_install", "-at_install")
class TestMonobankClient(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fake = FakeMonobank().start()
        cls.addClassCleanup(cls.fake.stop)

    def setUp(self):
        super().setUp()
        self.fake.reset()
        self.client = MonobankClient(TOKEN, api_url=self.fake.url, timeout=10)

    def test_signature_golden_vector(self):
        self.assertTrue(verify_signature(GOLDEN_PEM, GOLDEN_BODY, GOLDEN_SIGN))
        self.assertEqual(decode_public_key(GOLDEN_KEY_B64), GOLDEN_PEM)
        tampered = GOLDEN_BODY.replace(b"4200", b"4201", 1)
        self.assertFalse(verify_signature(GOLDEN_PEM, tampered, GOLDEN_SIGN))
        self.assertFalse(verify_signature(self.fake.public_pem, GOLDEN_BODY, GOLDEN_SIGN))
        for bad in ("", "not base64!", base64.b64encode(b"garbage").decode()):
            self.assertFalse(verify_signature(GOLDEN_PEM, GOLDEN_BODY, bad))
        self.assertFalse(verify_signature("", GOLDEN_BODY, GOLDEN_SIGN))
        self.assertFalse(
            verify_signature("-----BEGIN PUBLIC KEY-----\nxx", GOLDEN_BODY, GOLDEN_SIGN)
        )
        with self.assertRaises(MonobankError) as caught:
            decode_public_key(base64.b64encode(b"not a key").decode())
        self.assertEqual(caught.exception.code, "unreadable")

    def test_invoice_status_refund_and_pubkey(self):
        answer = self.client.create_invoice(INVOICE)
        invoice_id = answer["invoiceId"]
        self.assertTrue(answer["pageUrl"].startswith(self.fake.url))
        sent = self.fake.requests[-1]
        self.assertEqual(sent["path"], "/api/merchant/invoice/create")
        self.assertEqual(sent["headers"]["X-Token"], TOKEN)
        self.assertEqual(sent["body"], INVOICE)

        self.assertEqual(self.client.invoice_status(invoice_id)["status"], "created")
        self.fake.pay(invoice_id, times=0)
        status = self.client.invoice_status(invoice_id)
        self.assertEqual((status["status"], status["finalAmount"]), ("success", 4200))
        self.assertEqual(self.fake.requests[-1]["query"], {"invoiceId": invoice_id})

        refund = self.client.cancel_invoice(invoice_id, "R-S00042", amount=1000)
        self.assertEqual(refund["status"], "success")
        self.assertEqual(
            self.fake.requests[-1]["body"],
            {"invoiceId": invoice_id, "extRef": "R-S00042", "amount": 1000},
        )
        self.assertEqual(self.client.invoice_status(invoice_id)["finalAmount"], 3200)

        pem = self.client.public_key()
        body = json.dumps({"invoiceId": invoice_id}).encode()
        self.assertTrue(verify_signature(pem, body, self.fake.sign(body)))

    def test_each_fault_is_one_clear_error_and_nothing_is_lost(self):
        # kind -> (code, HTTP status, may monobank have processed it, did the fake process it)
        expected = {
            "5xx": ("INTERNAL_ERROR", 500, True, False),
            "429": ("TMR", 429, False, False),
            "400": ("BAD_REQUEST", 400, False, False),
            "reset": ("broken", None, True, False),
            "html": ("unreadable", 200, True, True),
            "empty": ("unreadable", 200, True, True),
            "malformed": ("unreadable", 200, True, True),
            "lost": ("broken", None, True, True),
        }
        for kind, (code, status, uncertain, processed) in expected.items():
            with self.subTest(kind=kind):
                before = len(self.fake.invoices)
                self.fake.fail_next(kind)
                with self.assertRaises(MonobankError) as caught:
                    self.client.create_invoice(INVOICE)
                error = caught.exception
                self.assertEqual(
                    (error.code, error.status, error.uncertain), (code, status, uncertain)
                )
                self.assertTrue(error.message)
                self.assertNotIn(TOKEN, str(error))
                self.assertEqual(len(self.fake.invoices) - before, int(processed))
                # a refusal is certain: nothing exists at monobank; anything else may exist
                self.assertTrue(error.uncertain or not processed)
        # the fake works again once the faults are spent
        self.assertIn("invoiceId", self.client.create_invoice(INVOICE))

    def test_refusals_without_a_fault(self):
        with self.assertRaises(MonobankError) as caught:
            MonobankClient("wrong-token", api_url=self.fake.url).create_invoice(INVOICE)
        self.assertEqual((caught.exception.code, caught.exception.status), ("forbidden", 403))
        self.assertFalse(caught.exception.uncertain)

        with self.assertRaises(MonobankError) as caught:
            self.client.invoice_status("unknown")
        self.assertEqual((caught.exception.code, caught.exception.status), ("NOT_FOUND", 404))

        sent = len(self.fake.requests)
        with self.assertRaises(MonobankError) as caught:
            MonobankClient("", api_url=self.fake.url).invoice_status("x")
        self.assertEqual(caught.exception.code, "config")
        self.assertEqual(len(self.fake.requests), sent)  # nothing was sent without a token

        # nobody listens on the port: nothing was sent, a certain failure
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            closed_port = sock.getsockname()[1]
        with self.assertRaises(MonobankError) as caught:
            MonobankClient(TOKEN, api_url=f"http://127.0.0.1:{closed_port}").public_key()
        self.assertEqual(caught.exception.code, "connection")
        self.assertFalse(caught.exception.uncertain)

    def test_timeout(self):
        """monobank does not answer: the client gives up after its timeout (raised to 10 s
        by Odoo's test framework: the one slow test of the addon)."""
        self.fake.fail_next("timeout")
        client = MonobankClient(TOKEN, api_url=self.fake.url, timeout=1)
        with self.assertRaises(MonobankError) as caught:
            client.create_invoice(INVOICE)
        self.assertEqual(caught.exception.code, "timeout")
        self.assertTrue(caught.exception.uncertain)
        self.assertNotIn(TOKEN, str(caught.exception))

    def test_token_never_logged(self):
        with self.assertLogs("odoo.addons.payment_monobank", level=logging.DEBUG) as logs:
            invoice_id = self.client.create_invoice(INVOICE)["invoiceId"]
            self.client.invoice_status(invoice_id)
            self.client.public_key()
            for kind in ("5xx", "lost", "html"):
                self.fake.fail_next(kind)
                with self.assertRaises(MonobankError):
                    self.client.invoice_status(invoice_id)
            with self.assertRaises(MonobankError):
                MonobankClient(TOKEN + "x", api_url=self.fake.url).public_key()
        output = "\n".join(logs.output)
        self.assertIn("monobank request: GET /api/merchant/invoice/status", output)
        self.assertNotIn(TOKEN, output)
        self.assertNotIn(TOKEN, repr(self.client))
