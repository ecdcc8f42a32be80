"""The plain LiqPay client: signatures (golden vectors) and the fake LiqPay."""

import base64
import logging

from odoo.tests import tagged
from odoo.tests.common import TransactionCase

from ..liqpay import (
    LiqPayClient,
    LiqPayError,
    decode_data,
    encode_data,
    format_amount,
    scrub,
    sign,
    verify,
)
from .fake_liqpay import PRIVATE_KEY, PUBLIC_KEY, FakeLiqPay

# The example of LiqPay's documentation (private key of the docs' demo shop).
DOC_PRIVATE_KEY = "a4825234f4bae72a0be04eafe9e8e2bada209255"
DOC_DATA = (
    "eyJ2ZXJzaW9uIjozLCJwdWJsaWNfa2V5IjoiaTAwMDAwMDAwIiwiYWN0aW9uIjoicGF5IiwiYW1vdW50IjoiMyIs"
    "ImN1cnJlbmN5IjoiVUFIIiwiZGVzY3JpcHRpb24iOiJ0ZXN0Iiwib3JkZXJfaWQiOiIwMDAwMDEifQ=="
)
# base64(sha1(key + DOC_DATA + key)), the same with `openssl dgst -binary -sha1 | base64`.
DOC_SIGNATURE = "LyrV29v6ymgTgUl728eiNJvypZ8="
# The JSON text of the documentation's page, as written there (other key order, "3").
DOC_JSON_TEXT = (
    '{"public_key":"i00000000","version":"3","action":"pay","amount":"3",'
    '"currency":"UAH","description":"test","order_id":"000001"}'
)
DOC_JSON_SIGNATURE = "wR+UZDC4jjeL/qUOvIsofIWpZh8="

LOGGER = "odoo.addons.payment_liqpay"


@tagged("post_install", "-at_install")
class TestLiqPaySignature(TransactionCase):
    def test_golden_vector(self):
        self.assertEqual(sign(DOC_PRIVATE_KEY, DOC_DATA), DOC_SIGNATURE)
        self.assertTrue(verify(DOC_PRIVATE_KEY, DOC_DATA, DOC_SIGNATURE))
        self.assertEqual(
            decode_data(DOC_DATA),
            {
                "version": 3,
                "public_key": "i00000000",
                "action": "pay",
                "amount": "3",
                "currency": "UAH",
                "description": "test",
                "order_id": "000001",
            },
        )
        # our encoding of the same parameters gives the documentation's data, byte for byte
        self.assertEqual(encode_data(decode_data(DOC_DATA)), DOC_DATA)

    def test_golden_vector_of_the_documentation_json_text(self):
        data = base64.b64encode(DOC_JSON_TEXT.encode()).decode()
        self.assertEqual(sign(DOC_PRIVATE_KEY, data), DOC_JSON_SIGNATURE)

    def test_verify_refuses_what_is_not_signed_by_the_key(self):
        self.assertFalse(verify(DOC_PRIVATE_KEY, DOC_DATA + "x", DOC_SIGNATURE))
        self.assertFalse(verify(DOC_PRIVATE_KEY, DOC_DATA, "MPgGw632itnbRVDSd/KyNEGrAsQ="))
        self.assertFalse(verify("another-key", DOC_DATA, DOC_SIGNATURE))
        self.assertFalse(verify(DOC_PRIVATE_KEY, DOC_DATA, None))
        self.assertFalse(verify(DOC_PRIVATE_KEY, "", sign(DOC_PRIVATE_KEY, "")))
        self.assertFalse(verify("", DOC_DATA, sign("", DOC_DATA)))

    def test_decode_refuses_what_is_not_base64_json(self):
        for data in ("not base64!", encode_data([1, 2])[:-4], "bm90IGpzb24="):
            with self.assertRaises(LiqPayError) as caught:
                decode_data(data)
            self.assertEqual(caught.exception.code, "invalid_data")

    def test_format_amount(self):
        self.assertEqual(format_amount(1111.1), "1111.10")
        self.assertEqual(format_amount(0.005), "0.01")
        self.assertEqual(format_amount(3, 0), "3")

    def test_scrub(self):
        text = f"Key {PRIVATE_KEY} or {PUBLIC_KEY} refused; {PRIVATE_KEY}"
        self.assertEqual(scrub(text, PUBLIC_KEY, PRIVATE_KEY), "Key *** or *** refused; ***")
        # nothing to scrub, or keys too short to be keys
        self.assertEqual(scrub("a bad amount", None, "", "a"), "a bad amount")
        self.assertEqual(scrub(None, PUBLIC_KEY), "")

    def test_parse_callback(self):
        client = LiqPayClient(PUBLIC_KEY, PRIVATE_KEY)
        fields = client.signed({"status": "success", "order_id": "S1"})
        self.assertEqual(client.parse_callback(**fields)["status"], "success")
        with self.assertRaises(LiqPayError) as caught:
            client.parse_callback(fields["data"], "x" + fields["signature"][1:])
        self.assertEqual(caught.exception.code, "invalid_signature")
        other = LiqPayClient("i-other-shop", PRIVATE_KEY).signed({"status": "success"})
        with self.assertRaises(LiqPayError) as caught:
            client.parse_callback(**other)
        self.assertEqual(caught.exception.code, "wrong_public_key")


@tagged("post_install", "-at_install")
class TestLiqPayClient(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fake = FakeLiqPay().start()
        cls.addClassCleanup(cls.fake.stop)

    def setUp(self):
        super().setUp()
        self.fake.reset()
        self.client = LiqPayClient(PUBLIC_KEY, PRIVATE_KEY, self.fake.url, timeout=2)
        self.fake.checkout("ORD-1", "250.00", "UAH")

    def test_status_of_an_unknown_order(self):
        with self.assertRaises(LiqPayError) as caught:
            self.client.status("ORD-404")
        self.assertEqual(caught.exception.code, "payment_not_found")
        self.assertTrue(caught.exception.not_found)
        self.assertFalse(caught.exception.uncertain)
        # an order checked out but not paid is not known either
        with self.assertRaises(LiqPayError):
            self.client.status("ORD-1")

    def test_status_of_a_paid_order(self):
        self.fake.pay("ORD-1", times=0)
        answer = self.client.status("ORD-1")
        self.assertEqual(answer["status"], "success")
        self.assertEqual(answer["amount"], 250.0)
        self.assertEqual(answer["currency"], "UAH")
        self.assertEqual(answer["public_key"], PUBLIC_KEY)
        [request] = self.fake.api_requests("status")
        self.assertTrue(request["signature_ok"])
        self.assertEqual(request["params"]["version"], 3)
        self.assertEqual(request["params"]["order_id"], "ORD-1")

    def test_wrong_keys_are_refused(self):
        client = LiqPayClient(PUBLIC_KEY, "not-the-key", self.fake.url, timeout=2)
        with self.assertRaises(LiqPayError) as caught:
            client.status("ORD-1")
        self.assertEqual(caught.exception.code, "invalid_signature")
        self.assertFalse(caught.exception.uncertain)

    def test_vendor_text_scrubbed(self):
        """LiqPay quoting a key back: neither key reaches the error."""
        client = LiqPayClient("i-unknown-shop-key", PRIVATE_KEY, self.fake.url, timeout=2)
        with self.assertRaises(LiqPayError) as caught:
            client.status("ORD-1")
        self.assertEqual(caught.exception.code, "public_key_not_found")
        self.assertEqual(caught.exception.message, "Public key *** not found (status)")
        self.assertNotIn("i-unknown-shop-key", str(caught.exception))
        answer = {"result": "error", "err_code": PRIVATE_KEY, "err_description": PUBLIC_KEY}
        refusal = self.client._refusal(answer, "refund")
        self.assertNotIn(PRIVATE_KEY, refusal.code + str(refusal))
        self.assertNotIn(PUBLIC_KEY, refusal.message + str(refusal))

    def test_refund(self):
        self.fake.pay("ORD-1", times=0)
        answer = self.client.refund("ORD-1", 100)
        self.assertEqual((answer["result"], answer["status"]), ("ok", "reversed"))
        self.assertEqual(self.fake.api_requests("refund")[0]["params"]["amount"], "100.00")
        self.assertEqual(self.fake.payment("ORD-1")["refunded"], "100.00")
        # more than what is left: LiqPay refuses, nothing is refunded
        with self.assertRaises(LiqPayError) as caught:
            self.client.refund("ORD-1", 150.01)
        self.assertEqual(caught.exception.code, "err_amount")
        self.assertFalse(caught.exception.uncertain)
        self.assertEqual(self.fake.payment("ORD-1")["refunded"], "100.00")

    def test_faults_are_one_clear_error(self):
        """Each fault is one LiqPayError with its code, marked uncertain (but a 429:
        LiqPay did not take the request); a refund LiqPay carried out is never lost:
        its status shows it."""
        self.fake.pay("ORD-1", times=0)
        expected = {
            "5xx": ("server_error", False),
            "429": ("rate_limited", False),
            "reset": ("connection", False),
            "html": ("bad_answer", False),
            "empty": ("bad_answer", True),
            "malformed": ("bad_answer", True),
            "lost": ("connection", True),
        }
        refunded = 0
        for kind, (code, processed) in expected.items():
            with self.subTest(kind=kind):
                self.fake.fail_next(kind)
                with self.assertRaises(LiqPayError) as caught:
                    self.client.refund("ORD-1", 10)
                self.assertEqual(caught.exception.code, code)
                self.assertEqual(caught.exception.uncertain, kind != "429")
                self.assertNotIn(PRIVATE_KEY, str(caught.exception))
                refunded += 10 if processed else 0
                self.assertEqual(
                    float(self.fake.payment("ORD-1")["refunded"]),
                    refunded,
                    "processed by LiqPay" if processed else "not processed by LiqPay",
                )
        # what LiqPay did is found by asking for the status
        status = self.client.status("ORD-1")
        self.assertEqual(status["status"], "reversed")
        self.assertEqual(len(self.fake.api_requests("refund")), len(expected))

    def test_timeout(self):
        """The one hang test (Odoo's test framework makes it last 10 s)."""
        self.fake.fail_next("timeout")
        client = LiqPayClient(PUBLIC_KEY, PRIVATE_KEY, self.fake.url, timeout=0.5)
        with self.assertRaises(LiqPayError) as caught:
            client.status("ORD-1")
        self.assertEqual(caught.exception.code, "timeout")
        self.assertTrue(caught.exception.uncertain)
        # the fake saw the client give up and answered nothing
        self.assertTrue(self.fake.wait_idle())
        self.assertIsNone(self.fake.requests[-1]["status"])

    def test_keys_never_in_logs_nor_errors(self):
        self.fake.pay("ORD-1", times=0)
        with self.assertLogs(LOGGER, logging.DEBUG) as logs:
            self.client.status("ORD-1")
            self.client.refund("ORD-1", 5)
            self.fake.fail_next("5xx")
            with self.assertRaises(LiqPayError) as caught:
                self.client.status("ORD-1")
        text = "\n".join(logs.output) + str(caught.exception) + repr(self.client)
        self.assertIn("status", text)
        for secret in (PRIVATE_KEY, PUBLIC_KEY):
            self.assertNotIn(secret, text)
