"""LiqPay's callbacks, the customer's return and the payment link, through HTTP."""

import logging
from unittest.mock import patch

import requests

from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.payment.tests.http_common import PaymentHttpCommon

from .. import const
from ..controllers.main import LiqPayController
from .common import LiqPayCommon
from .fake_liqpay import PRIVATE_KEY, PUBLIC_KEY, signature_of

CONTROLLER_LOGGER = "odoo.addons.payment_liqpay.controllers.main"
TX_LOGGER = "odoo.addons.payment_liqpay.models.payment_transaction"


@tagged("post_install", "-at_install")
class TestLiqPayWebhook(LiqPayCommon, PaymentHttpCommon):
    def setUp(self):
        super().setUp()
        self.tx = self._create_transaction("redirect")
        self.checkout(self.tx)

    def post_callback(self, fields):
        self.env.flush_all()
        response = self.url_open(LiqPayController._webhook_url, data=fields)
        self.env.invalidate_all()
        return response

    def callback_fields(self, **values):
        """A callback for our transaction, signed with the shop's key."""
        params = {
            "public_key": PUBLIC_KEY,
            "order_id": self.tx.reference,
            "status": "success",
            "amount": 1111.11,
            "currency": "UAH",
            "payment_id": 1,
            **values,
        }
        return self.fake.signed(params)

    def test_success(self):
        self.assertEqual(self.pay(self.tx), [200])
        self.assertEqual(self.tx.state, "done")
        self.assertEqual(self.tx.liqpay_status, "success")
        self.assertEqual(
            self.tx.provider_reference, str(self.fake.payment(self.tx.reference)["payment_id"])
        )
        self.assertTrue(self.post_processing_triggered(), "orders and receipts follow at once")

    def test_bad_signature_refused(self):
        fields = self.callback_fields()
        forged = [
            {"data": fields["data"], "signature": signature_of("a-guessed-key", fields["data"])},
            {"data": fields["data"]},
            {"data": fields["data"] + "=", "signature": fields["signature"]},
        ]
        for form in forged:
            with self.assertLogs(CONTROLLER_LOGGER, "WARNING") as logs:
                self.assertEqual(self.post_callback(form).status_code, 403)
            self.assertIn("invalid signature", logs.output[0])
            self.assertNotIn(PRIVATE_KEY, "\n".join(logs.output))
        self.assertEqual(self.tx.state, "draft")
        self.assertFalse(self.post_processing_triggered())

    def test_other_shop_refused(self):
        with self.assertLogs(CONTROLLER_LOGGER, "WARNING"):
            response = self.post_callback(self.callback_fields(public_key="i-another-shop"))
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.tx.state, "draft")

    def test_disabled_provider_still_hears_of_its_payments(self):
        self.liqpay.state = "disabled"
        self.assertEqual(self.pay(self.tx), [200])
        self.assertEqual(self.tx.state, "done")

    def test_unknown_reference(self):
        webhook = self.fake.payment(self.tx.reference)["server_url"]
        self.fake.checkout("NOT-OUR-TX", "5.00", server_url=webhook)
        self.env.flush_all()
        with self.assertLogs(CONTROLLER_LOGGER, "WARNING") as logs:
            self.assertEqual(self.fake.pay("NOT-OUR-TX"), [404])
        self.assertIn("unknown transaction", logs.output[0])

    @mute_logger(TX_LOGGER, "odoo.addons.payment.models.payment_transaction")
    def test_replay_changes_nothing_twice(self):
        self.assertEqual(self.pay(self.tx, times=3), [200, 200, 200])
        self.assertEqual(self.tx.state, "done")
        first_change = self.tx.last_state_change
        # LiqPay repeats the same callback later: nothing changes, nothing is added
        self.assertEqual(self.resend(self.fake.callbacks[-1]), 200)
        self.assertEqual(self.tx.state, "done")
        self.assertEqual(self.tx.last_state_change, first_change)
        self.assertFalse(self.tx.child_transaction_ids)

    def test_out_of_order(self):
        self.pay(self.tx, "processing", times=0)  # this callback comes late
        late = self.fake.callbacks[-1]
        self.pay(self.tx, "success")
        self.assertEqual(self.tx.state, "done")
        with self.assertLogs(TX_LOGGER, logging.INFO) as logs:
            self.assertEqual(self.resend(late), 200)
        self.assertIn("older notice", logs.output[0])
        self.assertEqual(self.tx.state, "done")
        self.assertEqual(self.tx.liqpay_status, "success")

    def test_pending_then_done(self):
        self.pay(self.tx, "wait_secure")
        self.assertEqual(self.tx.state, "pending")
        self.pay(self.tx, "3ds_verify")
        self.assertEqual((self.tx.state, self.tx.liqpay_status), ("pending", "3ds_verify"))
        self.pay(self.tx, "success")
        self.assertEqual(self.tx.state, "done")

    def test_failure(self):
        self.pay(self.tx, "failure", err_description="Card is blocked")
        self.assertEqual(self.tx.state, "error")
        self.assertIn("Card is blocked", self.tx.state_message)
        # the customer tries again on LiqPay's page and pays
        self.pay(self.tx, "success")
        self.assertEqual(self.tx.state, "done")

    def test_wrong_amount(self):
        with self.assertLogs(TX_LOGGER, "WARNING") as logs:
            self.assertEqual(self.pay(self.tx, amount="1.11"), [200])
        self.assertIn("1.11", logs.output[0])
        self.assertEqual(self.tx.state, "error")
        self.assertIn("1.11 UAH", self.tx.state_message)
        self.assertIn("1111.11 UAH", self.tx.state_message)
        self.assertFalse(self.tx.provider_reference, "nothing of the payment is recorded")

    def test_amount_that_is_no_number(self):
        """A signed callback whose amount is not a finite number pays nothing and is
        answered (no server error)."""
        for amount in ("NaN", "1e400"):
            with self.subTest(amount=amount), self.assertLogs(TX_LOGGER, "WARNING"):
                self.assertEqual(self.pay(self.tx, amount=amount), [200])
            self.assertEqual(self.tx.state, "error")

    def test_wrong_currency(self):
        with self.assertLogs(TX_LOGGER, "WARNING"):
            self.assertEqual(self.pay(self.tx, currency="USD"), [200])
        self.assertEqual(self.tx.state, "error")
        self.assertIn("1111.11 USD", self.tx.state_message)

    def test_sandbox_payment(self):
        self.pay(self.tx, "sandbox")
        self.assertEqual(self.tx.state, "done", "a test payment counts in test mode")

    def test_sandbox_payment_in_production_refused(self):
        self.liqpay.state = "enabled"
        with self.assertLogs(TX_LOGGER, "WARNING") as logs:
            self.pay(self.tx, "sandbox")
        self.assertIn("sandbox", logs.output[0])
        self.assertEqual(self.tx.state, "error")
        self.assertIn("test (sandbox) payment", self.tx.state_message)

    def test_ignored_statuses(self):
        self.pay(self.tx, "subscribed")
        self.assertEqual(self.tx.state, "draft")

    @mute_logger(TX_LOGGER)
    def test_reversal_recorded_once(self):
        self.pay(self.tx)
        self.assertEqual(self.pay(self.tx, "reversed", times=2), [200, 200])
        refund = self.refunds(self.tx)
        self.assertEqual(len(refund), 1)
        self.assertEqual((refund.state, refund.amount), ("done", -1111.11))
        self.assertEqual(refund.provider_reference, self.tx.provider_reference)
        self.assertEqual(self.tx.state, "done")

    @mute_logger(TX_LOGGER)
    def test_cabinet_refunds_recorded_once_each(self):
        """Refunds made in LiqPay's cabinet on top of one from Odoo: each recorded once,
        a later one too, however often LiqPay repeats its callback."""
        self.pay(self.tx)
        self.tx.action_refund(amount_to_refund=100)
        from_odoo = self.refunds(self.tx)
        self.env.flush_all()
        self.assertEqual(self.fake.refund(self.tx.reference, 200, times=2), [200, 200])
        self.env.invalidate_all()
        cabinet = self.refunds(self.tx) - from_odoo
        self.assertEqual((cabinet.state, cabinet.amount), ("done", -200))
        self.assertIn("refund made in the LiqPay cabinet", cabinet.state_message)
        # a later refund in the cabinet is not dropped
        self.env.flush_all()
        self.assertEqual(self.fake.refund(self.tx.reference, 50, times=2), [200, 200])
        self.env.invalidate_all()
        later = self.refunds(self.tx) - from_odoo - cabinet
        self.assertEqual((later.state, later.amount), ("done", -50))
        self.assertEqual(sum(self.refunds(self.tx).mapped("amount")), -350)

    def test_oversized_callback_refused(self):
        """A body far larger than any LiqPay callback is refused before it is read."""
        fields = self.callback_fields()
        fields["padding"] = "x" * (const.WEBHOOK_MAX_CONTENT_LENGTH + 1)
        self.assertEqual(self.post_callback(fields).status_code, 413)
        self.assertEqual(self.tx.state, "draft")
        # a callback of the usual size is taken
        self.assertEqual(self.post_callback(self.callback_fields()).status_code, 200)
        self.assertEqual(self.tx.state, "done")

    # ------------------------------------------------------------------ return
    def open_return(self, ref, data=None):
        self.env.flush_all()
        url = f"{LiqPayController._return_url}?{requests.compat.urlencode({'ref': ref})}"
        response = self.url_open(url, data=data, allow_redirects=False)
        self.env.invalidate_all()
        self.assertEqual(response.status_code, 303)
        self.assertTrue(response.headers["Location"].endswith("/payment/status"))
        return response

    def test_return_asks_liqpay(self):
        self.pay(self.tx, times=0)  # paid, the callback has not come
        provider_class = self.registry["payment.provider"]
        original = provider_class._liqpay_client
        timeouts = []

        def spy(provider, timeout=None):
            timeouts.append(timeout)
            return original(provider, timeout=timeout)

        with patch.object(provider_class, "_liqpay_client", spy):
            self.open_return(self.tx.reference)
        self.assertEqual(timeouts, [const.RETURN_TIMEOUT], "a short wait for the customer")
        self.assertEqual(self.tx.state, "done")
        self.assertEqual(len(self.fake.api_requests("status")), 1)
        self.assertTrue(self.post_processing_triggered())
        # once settled, LiqPay is not asked again
        self.open_return(self.tx.reference)
        self.assertEqual(len(self.fake.api_requests("status")), 1)

    def test_return_asks_at_most_once_in_a_while(self):
        for _i in range(3):  # the customer reloads the page; nobody paid yet
            self.open_return(self.tx.reference)
        self.assertEqual(len(self.fake.api_requests("status")), 1)
        self.assertEqual(self.tx.state, "draft")

    def test_return_trusts_nothing_from_the_browser(self):
        # a browser posting a "success" of its own: LiqPay knows no payment
        self.open_return(self.tx.reference, data=self.callback_fields())
        self.assertEqual(self.tx.state, "draft")
        self.open_return("NO-SUCH-REFERENCE")
        self.assertEqual(len(self.fake.api_requests("status")), 1)

    @mute_logger(TX_LOGGER)
    def test_return_ignores_a_refund(self):
        """The return route is about payments: a refund's reference asks nothing."""
        self.pay(self.tx)
        self.fake.fail_next("5xx")
        self.tx.action_refund(amount_to_refund=10)
        refund = self.refunds(self.tx)
        self.assertEqual(refund.state, "pending")
        self.open_return(refund.reference)
        self.assertFalse(self.fake.api_requests("status"))
        self.assertFalse(refund.liqpay_checked_at)
        self.assertEqual(refund.state, "pending")

    def test_return_when_liqpay_fails(self):
        self.fake.fail_next("5xx")
        with self.assertLogs(CONTROLLER_LOGGER, logging.INFO):
            self.open_return(self.tx.reference)
        self.assertEqual(self.tx.state, "draft")

    # ------------------------------------------------------------------ payment link
    @mute_logger("odoo.addons.payment.models.payment_transaction")
    def test_payment_link(self):
        """/payment/pay offers LiqPay; the transaction's form goes to LiqPay's checkout;
        the customer pays there and the transaction is done."""
        self.partner.company_id = self.env.company
        self.reference = "S00042-LINK"
        route_values = self._prepare_pay_values()
        self.env.flush_all()
        context = self._get_portal_pay_context(**route_values)
        self.assertIn(self.payment_method_id, context["payment_method_ids"])
        page = self._portal_pay(**route_values).text
        self.assertIn(f'data-provider-code="{self.liqpay.code}"', page)

        values = {
            k: context[k]
            for k in (
                "amount",
                "currency_id",
                "partner_id",
                "landing_route",
                "reference_prefix",
                "access_token",
            )
        }
        values.update(
            provider_id=self.liqpay.id,
            payment_method_id=self.payment_method_id,
            token_id=None,
            flow="redirect",
            tokenization_requested=False,
        )
        processing_values = self._get_processing_values(**values)
        self.env.invalidate_all()
        form = self._extract_values_from_html_form(processing_values["redirect_form_html"])
        self.assertEqual(form["action"], self.fake.checkout_url)
        checkout = self.fake.post_form(processing_values["redirect_form_html"])
        self.assertEqual(checkout["order_id"], "S00042-LINK")
        tx = self._get_tx(processing_values["reference"])
        self.assertEqual(tx.reference, "S00042-LINK")
        self.assertEqual(self.pay(tx), [200])
        self.assertEqual(tx.state, "done")
