"""Refunds from Odoo at LiqPay: sent once, never twice, nothing lost; a refund is
confirmed only when LiqPay's refunded total shows it."""

from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import LiqPayCommon
from .fake_liqpay import PRIVATE_KEY

TX_LOGGER = "odoo.addons.payment_liqpay.models.payment_transaction"


@tagged("post_install", "-at_install")
class TestLiqPayRefund(LiqPayCommon):
    def setUp(self):
        super().setUp()
        self.tx = self._create_transaction("redirect")
        self.checkout(self.tx)
        self.fake.pay(self.tx.reference, times=0)
        self.tx._liqpay_reconcile()
        self.assertEqual(self.tx.state, "done")

    def refunded_at_liqpay(self):
        return float(self.fake.payment(self.tx.reference)["refunded"])

    def notice(self):
        """LiqPay's data of the payment reach Odoo (a callback or a status answer)."""
        self.tx._process_notification_data(self.fake.payment_data(self.tx.reference))

    def age(self, tx, minutes):
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE payment_transaction SET create_date = %s WHERE id = %s",
            (fields.Datetime.now() - timedelta(minutes=minutes), tx.id),
        )
        self.env.invalidate_all()

    def test_full_refund(self):
        self.tx.action_refund()
        refund = self.refunds(self.tx)
        self.assertEqual((refund.state, refund.amount), ("done", -1111.11))
        self.assertEqual(refund.provider_reference, self.tx.provider_reference)
        self.assertEqual(self.refunded_at_liqpay(), 1111.11)
        [request] = self.fake.api_requests("refund")
        self.assertEqual(request["params"]["order_id"], self.tx.reference)
        self.assertEqual(request["params"]["amount"], "1111.11")

    @mute_logger(TX_LOGGER)
    def test_partial_refund_then_reversal_notice(self):
        self.tx.action_refund(amount_to_refund=100)
        refund = self.refunds(self.tx)
        self.assertEqual((refund.state, refund.amount), ("done", -100))
        # LiqPay's notice of the reversal (callback or status) records nothing more
        self.tx._process_notification_data(self.fake.payment_data(self.tx.reference))
        self.assertEqual(self.refunds(self.tx), refund)
        self.assertEqual(self.refunded_at_liqpay(), 100)

    def test_refusal_keeps_nothing(self):
        self.tx.action_refund(amount_to_refund=1000)
        # the user's request is one transaction: the error rolls it back
        with self.assertRaises(UserError) as caught, self.env.cr.savepoint():
            self.tx.action_refund(amount_to_refund=200)
        self.assertIn("LiqPay refused the request", str(caught.exception))
        self.assertIn("err_amount", str(caught.exception))
        self.assertNotIn(PRIVATE_KEY, str(caught.exception))
        self.assertEqual(self.refunded_at_liqpay(), 1000)
        self.assertEqual(len(self.refunds(self.tx)), 1)

    def test_too_many_requests_keeps_nothing(self):
        self.fake.fail_next("429")
        with self.assertRaises(UserError) as caught, self.env.cr.savepoint():
            self.tx.action_refund()
        self.assertIn("too many requests", str(caught.exception))
        self.assertFalse(self.refunds(self.tx))
        self.assertEqual(self.refunded_at_liqpay(), 0)
        # the user tries again later
        self.tx.action_refund()
        self.assertEqual(self.refunds(self.tx).state, "done")

    def test_lost_answer_is_not_resent(self):
        """LiqPay refunded but the answer was lost: the refund stays pending, is never
        sent again, and the reconciliation confirms it."""
        self.fake.fail_next("lost")
        with self.assertLogs(TX_LOGGER, "WARNING") as logs:
            self.tx.action_refund()
        self.assertIn("unknown outcome", logs.output[0])
        refund = self.refunds(self.tx)
        self.assertEqual(refund.state, "pending")
        self.assertIn("check it in the LiqPay cabinet", refund.state_message)
        self.assertEqual(self.refunded_at_liqpay(), 1111.11)
        self.assertTrue(refund._liqpay_reconcile())
        self.assertEqual(refund.state, "done")
        self.assertEqual(len(self.fake.api_requests("refund")), 1)

    @mute_logger(TX_LOGGER)
    def test_unprocessed_refund_not_resent_by_reconciliation(self):
        self.fake.fail_next("5xx")
        self.tx.action_refund(amount_to_refund=50)
        refund = self.refunds(self.tx)
        self.assertEqual(refund.state, "pending")
        self.assertEqual(self.refunded_at_liqpay(), 0)
        refund._liqpay_reconcile()
        self.assertEqual(refund.state, "pending", "LiqPay shows no refund yet: it may come")
        # the grace period (4 × 15 minutes, at least one hour) is over: in error
        self.age(refund, 59)
        refund._liqpay_reconcile()
        self.assertEqual(refund.state, "pending")
        self.age(refund, 61)
        refund._liqpay_reconcile()
        self.assertEqual(refund.state, "error")
        self.assertIn("LiqPay shows no such refund", refund.state_message)
        self.assertIn("0.00 UAH", refund.state_message)
        self.assertEqual(len(self.fake.api_requests("refund")), 1, "never sent again")
        self.assertEqual(self.tx.state, "done")

    def test_two_partial_refunds_only_the_first_carried_out(self):
        """LiqPay carried out the first refund (its answer lost), not the second (a 502):
        LiqPay's refunded total confirms the first only; the second is set in error after
        the grace period, and confirmed when LiqPay shows it later."""
        self.fake.fail_next("lost")
        self.fake.fail_next("5xx")
        with self.assertLogs(TX_LOGGER, "WARNING"):
            self.tx.action_refund(amount_to_refund=100)
            self.tx.action_refund(amount_to_refund=50)
        first, second = self.refunds(self.tx).sorted("id")
        self.assertEqual((first.state, second.state), ("pending", "pending"))
        self.assertEqual(self.refunded_at_liqpay(), 100)

        # LiqPay's "reversed" notice (refunded 100 in all) confirms the first only
        self.notice()
        self.assertEqual((first.state, second.state), ("done", "pending"))
        self.assertEqual(self.refunds(self.tx), first | second, "nothing recorded twice")

        # the scheduled check, once the grace period is over
        self.age(first, 120)
        self.age(second, 120)
        with self.assertLogs(TX_LOGGER, "WARNING") as logs:
            self.env["payment.transaction"]._cron_liqpay_reconcile_pending()
        self.assertIn("not shown by LiqPay", "\n".join(logs.output))
        self.assertEqual((first.state, second.state), ("done", "error"))
        self.assertIn("LiqPay shows no such refund", second.state_message)
        self.assertIn("100.00 UAH", second.state_message)
        # out of the scheduled check (it asks about draft and pending ones)
        self.env["payment.transaction"]._cron_liqpay_reconcile_pending()
        self.assertEqual(len(self.fake.api_requests("status")), 2)

        # a person makes the refund in LiqPay's cabinet: LiqPay now shows it
        self.fake.refund(self.tx.reference, 50, times=0)
        self.notice()
        self.assertEqual((first.state, second.state), ("done", "done"))
        self.assertEqual(self.refunds(self.tx), first | second, "not recorded as another one")
        self.assertEqual(len(self.fake.api_requests("refund")), 2)

    @mute_logger(TX_LOGGER)
    def test_refunds_beyond_liqpay_total_not_confirmed(self):
        """A "reversed" notice confirms no more than LiqPay's refunded total."""
        self.fake.fail_next("5xx", count=2)
        self.tx.action_refund(amount_to_refund=300)
        self.tx.action_refund(amount_to_refund=200)
        self.fake.refund(self.tx.reference, 200, times=0)  # LiqPay: 200 refunded in all
        self.notice()
        first, second = self.refunds(self.tx).sorted("id")
        self.assertEqual((first.state, second.state), ("pending", "done"))
        self.assertEqual(len(self.refunds(self.tx)), 2)

    @mute_logger(TX_LOGGER)
    def test_reversal_confirms_a_pending_refund(self):
        self.fake.fail_next("lost")
        self.tx.action_refund()
        refund = self.refunds(self.tx)
        self.tx._process_notification_data(self.fake.payment_data(self.tx.reference))
        self.assertEqual(refund.state, "done")
        self.assertEqual(self.refunds(self.tx), refund)
