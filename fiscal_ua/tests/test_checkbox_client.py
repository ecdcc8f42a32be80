"""The plain Checkbox client against the local fake server."""

import uuid
from types import SimpleNamespace
from unittest.mock import patch

from odoo.tests import tagged
from odoo.tests.common import TransactionCase

from ..checkbox import (
    CheckboxClient,
    CheckboxError,
    from_kopecks,
    line_sum,
    to_kopecks,
    to_quantity,
)
from ..checkbox import client as client_module
from .common import FakeCheckboxTimeouts
from .fake_checkbox import FakeCheckbox

KEY = "client-test-licence-key-01"


def _sale(receipt_id=None, price=5500, quantity=1000, payment_type="CASHLESS"):
    return {
        "id": receipt_id or str(uuid.uuid4()),
        "goods": [{"good": {"code": "A1", "name": "Чайник", "price": price}, "quantity": quantity}],
        "payments": [{"type": payment_type, "value": line_sum(price, quantity), "label": "Картка"}],
    }


@tagged("post_install", "-at_install")
class TestCheckboxClient(FakeCheckboxTimeouts, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fake = FakeCheckbox(
            cashiers={"anna": "pass-anna-1"}, pins={"4321": "anna"}, license_keys={KEY}
        )
        cls.fake.start()
        cls.addClassCleanup(cls.fake.stop)

    def setUp(self):
        super().setUp()
        self.fake.reset()
        # a late answer comes as soon as the client gives up (its timeout below)
        self.fake.slow_seconds = 5.0
        self.tokens = []
        self.client = self._client()

    def _client(self, **kwargs):
        values = {
            "license_key": KEY,
            "login": "anna",
            "password": "pass-anna-1",
            "timeout": 0.3,
            "poll_interval": 0.01,
            "on_token": self.tokens.append,
            "client_version": "18.0.1.0.0",
        }
        values.update(kwargs)
        return CheckboxClient(self.fake.url, **values)

    def _open(self):
        return self.client.open_shift()

    # ------------------------------------------------------------------ conversions
    def test_money_and_quantity_are_converted_in_one_place(self):
        self.assertEqual(to_kopecks(55), 5500)
        self.assertEqual(to_kopecks(12.345), 1235)  # half up, not banker's rounding
        self.assertEqual(to_kopecks(0.005), 1)
        self.assertEqual(to_kopecks(-10.5), -1050)
        self.assertEqual(to_quantity(1), 1000)
        self.assertEqual(to_quantity(0.3335), 334)
        self.assertEqual(to_quantity(2.5), 2500)
        self.assertEqual(line_sum(3333, 3000), 9999)
        self.assertEqual(line_sum(1999, 333), 666)  # 665.667 → 666
        self.assertEqual(from_kopecks(1235), 12.35)

    # ------------------------------------------------------------------ sign-in
    def test_sign_in_with_password_sends_client_headers_and_licence_key(self):
        token = self.client.signin()
        self.assertEqual(self.tokens, [token])
        self.client.get_current_shift()
        signin, shift = self.fake.calls[-2:]
        for call in (signin, shift):
            self.assertEqual(call["headers"]["x-client-name"], "UA Store Order Suite")
            self.assertEqual(call["headers"]["x-client-version"], "18.0.1.0.0")
            self.assertEqual(call["headers"]["x-license-key"], KEY)
        self.assertNotIn("authorization", signin["headers"])
        self.assertEqual(shift["headers"]["authorization"], f"Bearer {token}")
        self.assertEqual(signin["body"], {"login": "anna", "password": "pass-anna-1"})

    def test_sign_in_with_pin_code(self):
        client = self._client(login=None, password=None, pin_code="4321")
        client.get_current_shift()
        self.assertTrue(self.fake.calls_to("POST", r"cashier/signinPinCode$"))
        self.assertEqual(self.fake.calls[0]["body"], {"pin_code": "4321"})

    def test_wrong_password_is_one_error_without_the_secret(self):
        client = self._client(password="wrong-password-9")
        with self.assertRaises(CheckboxError) as caught:
            client.get_current_shift()
        self.assertEqual(caught.exception.status, 401)
        self.assertTrue(caught.exception.is_auth)
        self.assertIn("Невірний логін або пароль", str(caught.exception))
        self.assertNotIn("wrong-password-9", str(caught.exception))

    def test_expired_token_signs_in_again_once(self):
        self.client.signin()
        self.fake.expire_tokens()
        self.assertIsNone(self.client.get_current_shift())
        self.assertEqual(len(self.fake.calls_to("POST", r"cashier/signin$")), 2)
        self.assertEqual(len(self.tokens), 2)

    # ------------------------------------------------------------------ shifts
    def test_shift_opens_through_created_opening_opened(self):
        shift = self._open()
        self.assertEqual(shift["status"], "OPENED")
        polls = self.fake.calls_to("GET", r"shifts/[\w-]+$")
        self.assertEqual(len(polls), 2, "CREATED → OPENING → OPENED takes two polls")
        self.assertEqual(self.client.get_current_shift()["id"], shift["id"])

    def test_shift_that_fails_to_open_raises(self):
        self.fake.fail_shift_open = True
        with self.assertRaises(CheckboxError) as caught:
            self._open()
        self.assertIn("ДПС: помилка відкриття зміни", str(caught.exception))

    def test_close_shift_with_z_report_and_x_report(self):
        self._open()
        self.client.sell(_sale())
        x_report = self.client.x_report()
        self.assertFalse(x_report["is_z_report"])
        shift = self.client.close_shift()
        self.assertEqual(shift["status"], "CLOSED")
        self.assertTrue(shift["z_report"]["is_z_report"])
        self.assertIsNone(self.client.get_current_shift())

    def test_receipt_without_open_shift_says_so(self):
        with self.assertRaises(CheckboxError) as caught:
            self.client.sell(_sale())
        self.assertTrue(caught.exception.is_no_open_shift)
        self.assertIn("Зміну не відкрито", str(caught.exception))

    def test_tax_rates(self):
        taxes = self.client.get_taxes()
        self.assertEqual({t["code"] for t in taxes}, {1, 2, 8})
        self.assertTrue(next(t for t in taxes if t["code"] == 8)["no_vat"])

    # ------------------------------------------------------------------ errors
    def test_validation_error_carries_the_detail(self):
        self._open()
        with self.assertRaises(CheckboxError) as caught:
            self.client.sell(_sale(price=0))
        error = caught.exception
        self.assertEqual(error.status, 422)
        self.assertFalse(error.is_transient)
        self.assertIn("goods.0.good.price", error.detail_text)
        self.assertIn("greater than 0", str(error))

    def test_server_error_is_transient(self):
        self.fake.fail_next("GET", r"cashier/shift$", "500")
        with self.assertRaises(CheckboxError) as caught:
            self.client.get_current_shift()
        self.assertEqual(caught.exception.status, 500)
        self.assertTrue(caught.exception.is_transient)

    def test_every_request_has_a_timeout(self):
        """The fake holds its answer until the client gives up (at most 5 s):
        a client without a timeout would get the answer, not an error."""
        self.client.signin()
        self.fake.fail_next("GET", r"cashier/shift$", "slow")
        with self.assertRaises(CheckboxError) as caught:
            self.client.get_current_shift()
        self.assertTrue(caught.exception.timeout)
        self.assertTrue(caught.exception.is_transient)

    # ------------------------------------------------------------------ receipts, once
    def test_sell_then_poll_until_done(self):
        self._open()
        receipt = self.client.sell(_sale())
        self.assertEqual(receipt["status"], "CREATED")
        receipt = self.client.wait_receipt(receipt, max_wait=2)
        self.assertEqual(receipt["status"], "DONE")
        self.assertTrue(receipt["fiscal_code"])
        self.assertEqual(receipt["total_sum"], 5500)

    def test_receipt_error_status(self):
        self._open()
        self.fake.error_next_receipts.append("ДПС відхилила чек")
        receipt = self.client.wait_receipt(self.client.sell(_sale()), max_wait=2)
        self.assertEqual(receipt["status"], "ERROR")
        self.assertEqual(receipt["transaction"]["response_error_message"], "ДПС відхилила чек")

    def test_wait_is_bounded(self):
        """Polling for the fiscal number stops after ``max_wait``: counted on
        a clock that only the client's pauses move, not on the wall clock."""
        clock = {"now": 0.0}

        def pause(seconds):
            clock["now"] += seconds

        self.client = self._client(sleep=pause, poll_interval=0.25)
        self._open()
        self.fake.done_after_polls = 10**6
        receipt = self.client.sell(_sale())
        polls = self.fake.calls_to("GET", r"receipts/[\w-]+$")
        started = clock["now"]
        with patch.object(client_module, "time", SimpleNamespace(monotonic=lambda: clock["now"])):
            receipt = self.client.wait_receipt(receipt, max_wait=1.0)
        self.assertEqual(receipt["status"], "CREATED")
        self.assertEqual(clock["now"] - started, 1.0, "paused until max_wait, no longer")
        self.assertEqual(len(self.fake.calls_to("GET", r"receipts/[\w-]+$")) - len(polls), 4)

    def test_timeout_after_the_receipt_was_created_adopts_it(self):
        self._open()
        payload = _sale()
        self.fake.fail_next("POST", r"receipts/sell$", "slow")
        receipt = self.client.sell(payload)
        self.assertEqual(receipt["id"], payload["id"])
        self.assertEqual(len(self.fake.receipts), 1)
        self.assertEqual(len(self.fake.calls_to("POST", r"receipts/sell$")), 1)
        self.assertEqual(len(self.fake.calls_to("GET", payload["id"])), 1)

    def test_lost_request_is_sent_again_with_the_same_id(self):
        self._open()
        payload = _sale()
        self.fake.fail_next("POST", r"receipts/sell$", "lost")
        receipt = self.client.sell(payload)
        posts = self.fake.calls_to("POST", r"receipts/sell$")
        self.assertEqual([call["body"]["id"] for call in posts], [payload["id"]] * 2)
        self.assertEqual(receipt["id"], payload["id"])
        self.assertEqual(len(self.fake.receipts), 1)

    def test_duplicate_id_is_refused_and_the_existing_receipt_returned(self):
        self._open()
        payload = _sale()
        first = self.client.sell(payload)
        second = self.client.sell(payload)
        self.assertEqual(first["id"], second["id"])
        self.assertEqual(self.fake.duplicate_refusals, 1)
        self.assertEqual(len(self.fake.receipts), 1)

    def test_return_refers_to_the_sale(self):
        self._open()
        sale = self.client.wait_receipt(self.client.sell(_sale()), 2)
        refund = self.client.sell_return(_sale(), sale["id"])
        body = self.fake.calls_to("POST", r"receipts/sell$")[-1]["body"]
        self.assertEqual(body["related_receipt_id"], sale["id"])
        self.assertTrue(body["goods"][0]["is_return"])
        self.assertEqual(refund["type"], "RETURN")

    def test_prepayment_then_final_payment(self):
        self._open()
        payload = _sale(price=100000)
        payload["payments"][0]["value"] = 30000
        prepayment = self.client.prepayment(payload)
        relation = prepayment["pre_payment_relation_id"]
        self.assertTrue(relation)
        self.assertEqual(self.client.get_prepayment(relation)["left_to_pay"], 70000)
        final = self.client.after_payment(
            relation,
            {"id": str(uuid.uuid4()), "payments": [{"type": "CASHLESS", "value": 70000}]},
        )
        self.assertEqual(final["pre_payment_relation_id"], relation)
        chain = self.client.get_prepayment(relation)
        self.assertEqual((chain["left_to_pay"], chain["pre_payment_status"]), (0, "PAID"))

    def test_service_receipts(self):
        self._open()
        cash_in = self.client.service_receipt(5100, receipt_id=str(uuid.uuid4()))
        cash_out = self.client.service_receipt(-2000)
        self.assertEqual((cash_in["type"], cash_in["total_sum"]), ("SERVICE_IN", 5100))
        self.assertEqual((cash_out["type"], cash_out["total_sum"]), ("SERVICE_OUT", 2000))

    def test_renderings_and_sending(self):
        self._open()
        receipt = self.client.wait_receipt(self.client.sell(_sale()), 2)
        self.assertTrue(self.client.receipt_pdf(receipt["id"]).startswith(b"%PDF"))
        self.assertIn("ФІСКАЛЬНИЙ ЧЕК", self.client.receipt_text(receipt["id"]))
        self.assertTrue(self.client.receipt_qrcode(receipt["id"]).startswith(b"\x89PNG"))
        self.assertEqual(
            self.client.public_url(receipt["id"]), f"https://check.checkbox.ua/{receipt['id']}"
        )
        self.client.send_email(receipt["id"], "olena@example.com")
        self.client.send_sms(receipt["id"], "+380501112233")
        self.assertEqual(self.fake.sent_emails, [(receipt["id"], ["olena@example.com"])])
        self.assertEqual(self.fake.sent_sms, [(receipt["id"], "+380501112233")])
