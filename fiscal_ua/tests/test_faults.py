"""Connector faults, exactly once: every fault the fake Checkbox can produce,
on every operation that changes state at Checkbox (sale, return,
prepayment, final payment, shift opening, shift closing). Whatever the
fault, Checkbox ends with exactly one document, the Odoo record ends in the
right state, and what could not be settled at once is settled by the
scheduled actions without a person."""

import ast
import re
import uuid

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tests.common import TransactionCase

from ..checkbox import CheckboxClient, CheckboxError, line_sum
from ..checkbox.client import report_totals
from .common import LICENSE_KEY, FakeCheckboxTimeouts, FiscalCommon
from .fake_checkbox import FakeCheckbox

KEY = "faults-test-licence-key-1"
TIMEOUT = 0.2  # the client's timeout in these tests (s)
# The fake answers late (or carries a request out late) as soon as the client has given
# up, i.e. after TIMEOUT; this is only the longest it waits for a client that does not.
LATE = 5.0
# every fault of the transport the fake produces (the business refusals are tested elsewhere)
FAULTS = (
    "500",
    "502",
    "503",
    "429",
    "reset",
    "hang",
    "processed_timeout",
    "late",
    "malformed",
    "empty",
    "html",
)


def _sale(receipt_id=None, price=5500):
    return {
        "id": receipt_id or str(uuid.uuid4()),
        "goods": [{"good": {"code": "A1", "name": "Чайник", "price": price}, "quantity": 1000}],
        "payments": [{"type": "CASHLESS", "value": line_sum(price, 1000), "label": "Картка"}],
        "footer": f"Рахунок {uuid.uuid4()}",
    }


@tagged("post_install", "-at_install")
class TestClientFaults(FakeCheckboxTimeouts, TransactionCase):
    """The plain client: every unusable answer is a typed error, and the
    outcome of a receipt request is never taken for "not issued" unless
    Checkbox says so."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fake = FakeCheckbox(
            cashiers={"anna": "pass-anna-1"}, license_keys={KEY}, slow_seconds=LATE
        )
        cls.fake.start()
        cls.addClassCleanup(cls.fake.stop)

    def setUp(self):
        super().setUp()
        self.fake.reset()
        self.client = CheckboxClient(
            self.fake.url,
            license_key=KEY,
            login="anna",
            password="pass-anna-1",
            timeout=TIMEOUT,
            poll_interval=0.01,
        )

    def _error(self, call, *args):
        with self.assertRaises(CheckboxError) as caught:
            call(*args)
        return caught.exception

    def test_every_bad_answer_is_a_typed_error(self):
        self.client.signin()
        expected = {
            "500": ("server_error", 500),
            "502": ("server_error", 502),
            "503": ("server_error", 503),
            "429": ("rate_limited", 429),
            "reset": ("connection", None),
            "hang": ("timeout", None),
            "processed_timeout": ("timeout", None),
            "malformed": ("bad_answer", 200),
            "empty": ("bad_answer", 200),
            "html": ("bad_answer", 200),
        }
        for fault, (kind, status) in expected.items():
            with self.subTest(fault=fault):
                self.fake.fail_next("GET", r"cashier/shift$", fault)
                error = self._error(self.client.get_current_shift)
                self.assertEqual((error.kind, error.status), (kind, status))
                self.assertTrue(error.uncertain, "Checkbox may have done it: look it up first")
                self.assertEqual(error.code, kind)
        self.fake.wait_idle()

    def test_a_refusal_is_definite(self):
        self._open()
        error = self._error(self.client.sell, dict(_sale(), goods=[]))
        self.assertEqual((error.status, error.kind), (422, "invalid"))
        self.assertFalse(error.uncertain)
        self.assertTrue(error.is_refused)

    def _open(self):
        return self.client.open_shift(str(uuid.uuid4()))

    def test_empty_answer_to_a_sale_is_never_nothing(self):
        """An HTTP 200 with an empty body is not "no receipt": the receipt is
        looked up by our id and the real one returned."""
        self._open()
        payload = _sale()
        self.fake.fail_next("POST", r"receipts/sell$", "empty")
        receipt = self.client.sell(payload)
        self.assertEqual(receipt["id"], payload["id"])
        self.assertEqual(len(self.fake.documents("sell")), 1)

    def test_lost_answer_and_an_empty_look_up_do_not_resend(self):
        """The sale was processed, its answer lost; the look-up answers an
        empty body: the outcome stays uncertain, nothing is sent again."""
        self._open()
        payload = _sale()
        self.fake.fail_next("POST", r"receipts/sell$", "processed_timeout")
        self.fake.fail_next("GET", r"receipts/[\w-]+$", "empty")
        error = self._error(self.client.sell, payload)
        self.assertTrue(error.uncertain)
        self.assertEqual(len(self.fake.calls_to("POST", r"receipts/sell$")), 1)
        self.fake.wait_idle()
        # the next check finds the receipt
        receipt = self.client.sell(payload, check_first=True)
        self.assertEqual(receipt["id"], payload["id"])
        self.assertEqual(len(self.fake.calls_to("POST", r"receipts/sell$")), 1)
        self.assertEqual(len(self.fake.documents("sell")), 1)

    def test_duplicate_id_means_the_receipt_exists(self):
        """Checkbox refuses our id as a duplicate and the look-up fails: the
        outcome is uncertain (never a refusal that would lead to a second
        receipt)."""
        self._open()
        payload = _sale()
        self.client.sell(payload)
        self.fake.fail_next("GET", r"receipts/[\w-]+$", "html")
        error = self._error(self.client.sell, payload)
        self.assertTrue(error.uncertain)
        self.assertEqual(error.kind, "not_confirmed")
        self.assertEqual(self.fake.duplicate_refusals, 1)
        # with a readable look-up, the existing receipt is the answer
        self.assertEqual(self.client.sell(payload)["id"], payload["id"])
        self.assertEqual(len(self.fake.documents("sell")), 1)

    def test_late_processing_is_not_issued_twice(self):
        self._open()
        payload = _sale()
        self.fake.fail_next("POST", r"receipts/sell$", "late")
        self.client.sell(payload)
        self.fake.wait_idle()
        self.assertEqual(len(self.fake.documents("sell")), 1)
        self.assertEqual(self.fake.duplicate_refusals, 1, "the late request was refused")

    def test_x_report_sums_are_nested_by_payment_type(self):
        self._open()
        for price in (100000, 50000):
            receipt = self.client.sell(_sale(price=price))
            self.client.wait_receipt(receipt, 2)
        report = self.client.x_report()
        self.assertNotIn("sell_sum", report, "Checkbox nests the sums by payment type")
        self.assertEqual(
            [(p["type"], p["label"], p["sell_sum"]) for p in report["payments"]],
            [("CASHLESS", "Картка", 150000)],
        )
        self.assertEqual(
            report_totals(report),
            {
                "sell_receipts_count": 2,
                "return_receipts_count": 0,
                "sell_sum": 150000,
                "return_sum": 0,
            },
        )


@tagged("post_install", "-at_install")
class TestConnectorFaults(FiscalCommon):
    """Every state-changing operation through every fault."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.register.write({"request_timeout": TIMEOUT, "receipt_wait": 1.0})
        cls.fake.slow_seconds = LATE
        cls.provider = cls.env["payment.provider"].create(
            {
                "name": "Fault acquiring",
                "code": "none",
                "state": "test",
                "company_id": cls.company.id,
            }
        )
        cls.form_online.provider_ids = [Command.set(cls.provider.ids)]
        cls.env["ir.config_parameter"].sudo().set_param("sale.automatic_invoice", "False")

    # ------------------------------------------------------------------ helpers
    def _settle(self, rounds=6):
        """Let the fake finish (late processing included), then run the
        scheduled action until nothing is left to check."""
        Receipt = self.env["fiscal.receipt"]
        for _round in range(rounds):
            self.fake.wait_idle()
            if not Receipt.search_count([("state", "in", ("draft", "sent"))]):
                break
            Receipt._cron_process_receipts()
        self.fake.wait_idle()

    def _assert_once(self, receipt, kind, fault):
        self.assertEqual(receipt.state, "done", f"{fault}: {receipt.error_message}")
        matching = [r for r in self.fake.documents(kind) if r["id"] == receipt.uuid]
        self.assertEqual(len(matching), 1)
        self.assertFalse(self.fake.duplicates(), fault)

    def _order(self):
        order = self.env["sale.order"].create({"partner_id": self.customer.id})
        order.order_line = [
            Command.create(
                {"product_id": self.kettle.id, "product_uom_qty": 1, "price_unit": 1000.0}
            )
        ]
        order.action_confirm()
        return order

    def _pay_online(self, order, amount):
        transaction = self.env["payment.transaction"].create(
            {
                "provider_id": self.provider.id,
                "payment_method_id": self.env.ref("payment.payment_method_card").id,
                "amount": amount,
                "currency_id": self.uah.id,
                "partner_id": order.partner_id.id,
                "reference": f"{order.name}-{len(order.transaction_ids) + 1}",
                "sale_order_ids": [Command.set(order.ids)],
            }
        )
        transaction._set_done()
        order._fiscal_on_transaction_done(transaction)
        return transaction

    # ------------------------------------------------------------------ operations
    def test_sale_through_every_fault(self):
        for fault in FAULTS:
            with self.subTest(fault=fault):
                invoice = self._simple_invoice(100.0 + len(self.fake.receipts))
                self.fake.fail_next("POST", r"receipts/sell$", fault)
                action = self._fiscalize(invoice)
                self.assertIn(action["params"]["type"], ("success", "warning"))
                self._settle()
                receipt = self._receipts(invoice)
                self.assertEqual(len(receipt), 1)
                self._assert_once(receipt, "sell", fault)
                self.assertEqual(invoice.fiscal_state, "done")

    def test_return_through_every_fault(self):
        for fault in FAULTS:
            with self.subTest(fault=fault):
                invoice = self._simple_invoice(200.0 + len(self.fake.receipts))
                self._fiscalize(invoice)
                refund = invoice._reverse_moves()
                refund.action_post()
                self.fake.fail_next("POST", r"receipts/sell$", fault)
                refund.with_user(self.accountant).action_fiscal_return()
                self._settle()
                receipt = self._receipts(refund)
                self.assertEqual(len(receipt), 1)
                self._assert_once(receipt, "return", fault)

    def test_prepayment_and_final_receipts_through_every_fault(self):
        self.form_online.policy = "prepayment"
        for fault in FAULTS:
            with self.subTest(fault=fault):
                order = self._order()
                self.fake.fail_next("POST", r"prepayment-receipts$", fault)
                self._pay_online(order, 300.0)
                self._settle()
                prepayment = order.fiscal_receipt_ids
                self._assert_once(prepayment, "prepayment", fault)
                relation = prepayment.prepayment_relation_id
                self.fake.fail_next("POST", rf"prepayment-receipts/{relation}$", fault)
                self._pay_online(order, 700.0)
                self._settle()
                final = order.fiscal_receipt_ids - prepayment
                self.assertEqual(len(final), 1)
                self._assert_once(final, "final", fault)
                self.assertEqual(self.fake.chains[relation]["paid_sum"], 100000)

    def test_refused_prepayment_issued_again_keeps_the_chain(self):
        """The prepayment receipt is refused; the rest is paid meanwhile: the
        final receipt waits for the prepayment (no sale receipt for the whole
        order on top of it) and follows the prepayment issued again."""
        self.form_online.policy = "prepayment"
        order = self._order()
        self.fake.fail_next("POST", r"prepayment-receipts$", "422", message="Некоректні дані")
        self._pay_online(order, 300.0)
        self._settle()
        refused = order.fiscal_receipt_ids
        self.assertEqual(refused.state, "error")
        self._pay_online(order, 700.0)
        self._settle(rounds=2)
        final = order.fiscal_receipt_ids.filtered(lambda r: r.receipt_type == "final")
        self.assertEqual(final.state, "draft")
        self.assertIn("Waiting for the prepayment receipt", final.error_message)
        self.assertEqual(order.fiscal_receipt_ids, refused | final, "no sale receipt on top")
        refused.with_user(self.accountant).action_retry()
        self._settle()
        again = order.fiscal_receipt_ids.filtered(
            lambda r: r.receipt_type == "prepayment" and r.state == "done"
        )
        self.assertEqual(final.state, "done")
        self.assertEqual(self.fake.chains[again.prepayment_relation_id]["paid_sum"], 100000)
        self.assertEqual(len(self.fake.documents("prepayment")), 1)
        self.assertEqual(len(self.fake.documents("final")), 1)
        self.assertFalse(self.fake.documents("sell"))

    def test_shift_opening_through_every_fault(self):
        for fault in FAULTS:
            with self.subTest(fault=fault):
                self.fake.close_shift_silently()
                self.register.shift_ids.sudo().status = "CLOSED"
                shifts_before = len(self.fake.shifts)
                invoice = self._simple_invoice(300.0 + len(self.fake.receipts))
                self.fake.fail_next("POST", r"shifts$", fault)
                self._fiscalize(invoice)
                self._settle()
                self._assert_once(self._receipts(invoice), "sell", fault)
                self.assertEqual(len(self.fake.shifts), shifts_before + 1, "one shift opened")
                self.assertEqual(
                    self.register.current_shift_id.checkbox_id, self.fake.open_shift_id[LICENSE_KEY]
                )

    def test_shift_closing_through_every_fault(self):
        self.register.close_time = 0.0  # the scheduled action closes the shift at any hour
        Register = self.env["fiscal.cash.register"]
        for fault in FAULTS:
            with self.subTest(fault=fault):
                self._fiscalize(self._simple_invoice(400.0 + len(self.fake.receipts)))
                shift = self.register.current_shift_id
                self.assertTrue(shift)
                reports_before = len(self.fake.z_reports())
                self.fake.fail_next("POST", r"shifts/close$", fault)
                for _round in range(4):
                    Register._cron_close_shifts()
                    self.fake.wait_idle()
                    if shift.status == "CLOSED":
                        break
                self.assertEqual(shift.status, "CLOSED", fault)
                self.assertIn('"is_z_report": true', shift.z_report or "", fault)
                self.assertEqual(len(self.fake.z_reports()), reports_before + 1, "one Z-report")
                self.assertFalse(self.fake.open_shift_id)

    # ------------------------------------------------------------------ the reported faults
    def test_empty_answer_to_a_sale_is_not_an_attribute_error(self):
        invoice = self._simple_invoice()
        self.fake.fail_next("POST", r"receipts/sell$", "empty")
        self.fake.fail_next("GET", r"receipts/[\w-]+$", "empty")
        action = self._fiscalize(invoice)
        self.assertEqual(action["params"]["type"], "warning")
        receipt = self._receipts(invoice)
        self.assertEqual(receipt.state, "draft")
        self.assertIn("cannot be read", receipt.error_message)
        self._settle()
        self._assert_once(receipt, "sell", "empty")

    def test_lost_answer_then_empty_look_up_never_issues_a_second_receipt(self):
        invoice = self._simple_invoice()
        self.fake.fail_next("POST", r"receipts/sell$", "processed_timeout")
        self.fake.fail_next("GET", r"receipts/[\w-]+$", "empty")
        self._fiscalize(invoice)
        receipt = self._receipts(invoice)
        self.assertNotEqual(receipt.state, "error")
        with self.assertRaises(UserError):
            receipt.with_user(self.accountant).action_retry()
        self._settle()
        self._assert_once(receipt, "sell", "processed_timeout")
        self.assertEqual(len(self._receipts(invoice)), 1)
        self.assertEqual(len(self.fake.calls_to("POST", r"receipts/sell$")), 1)

    def test_html_or_malformed_answer_is_reconciled_not_refused(self):
        for fault in ("html", "malformed"):
            with self.subTest(fault=fault):
                invoice = self._simple_invoice(500.0 + len(self.fake.receipts))
                self.fake.fail_next("POST", r"receipts/sell$", fault, processed=False)
                self.fake.fail_next("GET", r"receipts/[\w-]+$", fault)
                self._fiscalize(invoice)
                receipt = self._receipts(invoice)
                self.assertEqual(receipt.state, "draft", "an unreadable answer is no refusal")
                self.assertIn("cannot be read", receipt.error_message)
                self._settle()
                self._assert_once(receipt, "sell", fault)

    def test_retry_after_a_late_processed_refusal_adopts_the_receipt(self):
        """The first request is carried out late (after the client gave up);
        its resend is refused: the receipt is in error. "Issue again" finds
        the late receipt at Checkbox and records it instead of issuing a
        second one."""
        self.register.with_user(self.accountant).action_open_shift()
        invoice = self._simple_invoice()
        self.fake.fail_next("POST", r"receipts/sell$", "late")
        self.fake.fail_next("POST", r"receipts/sell$", "422", message="Некоректні дані")
        self._fiscalize(invoice)
        receipt = self._receipts(invoice)
        self.assertEqual(receipt.state, "error")
        self.assertIn("Некоректні дані", receipt.error_message)
        self.fake.wait_idle()
        self.assertEqual(len(self.fake.documents("sell")), 1, "carried out late")
        action = receipt.with_user(self.accountant).action_retry()
        self.assertEqual(action["params"]["type"], "success")
        self.assertEqual(len(self._receipts(invoice)), 1, "no second receipt record")
        self.assertEqual(receipt.state, "done")
        self.assertEqual(invoice.fiscal_state, "done")
        self.assertEqual(len(self.fake.documents("sell")), 1)
        self.assertFalse(self.fake.duplicates())

    def test_user_messages_say_what_happened_in_plain_words(self):
        cases = (
            ("reset", "could not be reached"),
            ("hang", "did not answer in time"),
            ("503", "answered with a server error (HTTP 503)"),
            ("html", "cannot be read"),
        )
        for fault, text in cases:
            with self.subTest(fault=fault):
                self.fake.close_shift_silently()
                self.register.shift_ids.sudo().status = "CLOSED"
                self.fake.fail_next("GET", r"cashier/shift$", fault)
                with self.assertRaises(UserError) as caught:
                    self.register.with_user(self.accountant).action_open_shift()
                message = str(caught.exception)
                self.assertIn(text, message)
                for raw in ("ConnectionError", "ReadTimeout", "Exception", "HTTPConnectionPool"):
                    self.assertNotIn(raw, message)
                self.fake.wait_idle()

    def test_user_messages_are_translated(self):
        uk = self.env["res.lang"]._activate_lang("uk_UA")
        self.assertTrue(uk)
        self.env["ir.module.module"]._load_module_terms(["fiscal_ua"], ["uk_UA"], overwrite=True)
        self.fake.fail_next("GET", r"cashier/shift$", "hang")
        register = self.register.with_user(self.accountant).with_context(lang="uk_UA")
        with self.assertRaises(UserError) as caught:
            register.action_open_shift()
        self.assertIn("Checkbox не відповів вчасно", str(caught.exception))
        self.fake.wait_idle()

    def test_each_kind_of_fault_is_one_ukrainian_sentence(self):
        """What the accountant reads when Checkbox fails: one Ukrainian
        sentence per kind of fault, with no word of a library's exception
        (only the names Checkbox and HTTP are in Latin letters)."""
        self.env["res.lang"]._activate_lang("uk_UA")
        self.env["ir.module.module"]._load_module_terms(["fiscal_ua"], ["uk_UA"], overwrite=True)
        register = self.register.with_user(self.accountant).with_context(lang="uk_UA")
        cases = (
            ("reset", "Не вдалося зв’язатися з Checkbox"),
            ("hang", "Checkbox не відповів вчасно"),
            ("500", "Checkbox відповів помилкою сервера (HTTP 500)"),
            ("503", "Checkbox відповів помилкою сервера (HTTP 503)"),
            ("429", "Checkbox зараз отримує забагато запитів"),
            ("html", "Checkbox надіслав відповідь, яку неможливо прочитати"),
            ("malformed", "Checkbox надіслав відповідь, яку неможливо прочитати"),
            ("401", "Checkbox відхилив вхід касира або ключ ліцензії."),
            ("shift", "Checkbox не зміг відкрити зміну; податкова служба відповіла: ДПС"),
        )
        for fault, text in cases:
            with self.subTest(fault=fault):
                self.fake.reset()
                self.register.shift_ids.sudo().status = "CLOSED"
                if fault == "shift":
                    self.fake.fail_shift_open = True
                else:
                    # a refused token is retried once after a new sign-in: both refused
                    self.fake.fail_next("GET", r"cashier/shift$", fault, times=2)
                with self.assertRaises(UserError) as caught:
                    register.action_open_shift()
                message = str(caught.exception)
                self.assertIn(text, message)
                self.assertLessEqual(
                    set(re.findall(r"[A-Za-z]{2,}", message)), {"Checkbox", "HTTP"}, message
                )
                self.fake.wait_idle()

    # ------------------------------------------------------------------ needs a person
    def test_unsettled_receipts_are_listed_for_a_person_and_rechecked_safely(self):
        self.env["ir.config_parameter"].sudo().set_param("fiscal_ua.attention_after_checks", "2")
        invoice = self._simple_invoice()
        self.fake.fail_next("POST", r"receipts/sell$", "processed_timeout")
        self.fake.fail_next("GET", r"receipts/[\w-]+$", "503", times=10)
        self._fiscalize(invoice)
        receipt = self._receipts(invoice)
        Receipt = self.env["fiscal.receipt"]
        Receipt._cron_process_receipts()
        self.assertEqual(receipt.state, "draft")
        self.assertTrue(receipt.needs_attention)
        action = self.env.ref("fiscal_ua.fiscal_receipt_action_attention")
        self.assertIn(
            receipt, Receipt.with_user(self.accountant).search(ast.literal_eval(action.domain))
        )
        self.assertIn("Needs a person", receipt.error_message)
        menu = self.env.ref("fiscal_ua.menu_fiscal_receipts_attention")
        self.assertEqual(menu.action, action)
        with self.assertRaises(AccessError):
            receipt.with_user(self.users["manager"]).action_recheck()
        self.fake.clear_faults()
        as_accountant = receipt.with_user(self.accountant)
        first = as_accountant.action_recheck()
        second = as_accountant.action_recheck()
        self.assertEqual(
            (first["params"]["type"], second["params"]["type"]), ("success", "success")
        )
        self.assertEqual(receipt.state, "done")
        self.assertFalse(receipt.needs_attention)
        self.assertNotIn(receipt, Receipt.search(ast.literal_eval(action.domain)))
        self.assertEqual(len(self.fake.calls_to("POST", r"receipts/sell$")), 1)
        self._assert_once(receipt, "sell", "recheck")
