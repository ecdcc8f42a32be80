"""The scheduled check of pending payments (a lost callback is not a lost payment)."""

from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged
from odoo.tools import mute_logger

from .. import const
from .common import LiqPayCommon

TX_LOGGER = "odoo.addons.payment_liqpay.models.payment_transaction"


@tagged("post_install", "-at_install")
class TestLiqPayReconcile(LiqPayCommon):
    def setUp(self):
        super().setUp()
        self.tx = self.new_tx("Test Transaction", minutes_ago=20)

    def new_tx(self, reference, minutes_ago, **values):
        tx = self._create_transaction("redirect", reference=reference, **values)
        self.checkout(tx)
        self.age(tx, minutes_ago)
        return tx

    def age(self, tx, minutes):
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE payment_transaction SET create_date = %s WHERE id = %s",
            (fields.Datetime.now() - timedelta(minutes=minutes), tx.id),
        )
        self.env.invalidate_all()

    def run_cron(self):
        return self.env["payment.transaction"]._cron_liqpay_reconcile_pending()

    def run_cron_batch(self, lastcall):
        """One batch as the scheduler runs it: the progress it notified."""
        cron = self.env.ref("payment_liqpay.ir_cron_liqpay_reconcile_pending")
        _cron, progress = cron._add_progress()
        self.env["payment.transaction"].with_context(
            ir_cron_progress_id=progress.id, lastcall=lastcall
        )._cron_liqpay_reconcile_pending()
        return progress.done, progress.remaining

    def spy_client_timeouts(self):
        """Patch the provider's client factory to record the timeouts asked for."""
        provider_class = self.registry["payment.provider"]
        original = provider_class._liqpay_client
        timeouts = []

        def spy(provider, timeout=None):
            timeouts.append(timeout)
            return original(provider, timeout=timeout)

        return patch.object(provider_class, "_liqpay_client", spy), timeouts

    def test_lost_callback_settled(self):
        self.fake.pay(self.tx.reference, times=0)  # paid; the callback never came
        self.assertTrue(self.run_cron())
        self.assertEqual(self.tx.state, "done")
        self.assertEqual(self.tx.liqpay_status, "success")
        self.assertTrue(self.tx.liqpay_checked_at)
        self.assertTrue(self.post_processing_triggered())
        # settled: not asked again
        self.run_cron()
        self.assertEqual(len(self.fake.api_requests("status")), 1)

    def test_pending_failure_settled(self):
        self.fake.pay(self.tx.reference, "processing", times=0)
        self.run_cron()
        self.assertEqual(self.tx.state, "pending")
        self.fake.pay(self.tx.reference, "failure", times=0, err_description="Declined")
        self.run_cron()
        self.assertEqual(self.tx.state, "error")
        self.assertIn("Declined", self.tx.state_message)

    def test_window(self):
        recent = self.new_tx("Recent", minutes_ago=5)
        old = self.new_tx("Old", minutes_ago=8 * 24 * 60)
        for tx in (recent, old):
            self.fake.pay(tx.reference, times=0)
        self.run_cron()
        asked = [r["params"]["order_id"] for r in self.fake.api_requests("status")]
        self.assertEqual(asked, ["Test Transaction"])
        self.assertEqual((recent.state, old.state), ("draft", "draft"))
        # the provider's own delay
        self.liqpay.liqpay_reconcile_minutes = 3
        self.run_cron()
        self.assertEqual(recent.state, "done")

    def test_not_paid_yet(self):
        self.assertFalse(self.run_cron())
        self.assertEqual(self.tx.state, "draft")
        self.assertTrue(self.tx.liqpay_checked_at)
        self.assertFalse(self.post_processing_triggered())

    def test_vendor_error_left_for_next_run(self):
        other = self.new_tx("Second", minutes_ago=30)
        for tx in (self.tx, other):
            self.fake.pay(tx.reference, times=0)
        self.fake.fail_next("5xx")
        with self.assertLogs(TX_LOGGER, "WARNING") as logs:
            self.run_cron()
        self.assertEqual(len(logs.output), 1)
        self.assertIn("left for the next run", logs.output[0])
        self.assertEqual(sorted([self.tx.state, other.state]), ["done", "draft"])
        self.run_cron()
        self.assertEqual((self.tx.state, other.state), ("done", "done"))

    @mute_logger(TX_LOGGER)
    def test_wrong_amount_not_accepted(self):
        self.fake.pay(self.tx.reference, amount="1.00", times=0)
        self.run_cron()
        self.assertEqual(self.tx.state, "error")
        self.assertIn("1.0 UAH", self.tx.state_message)

    def test_one_transaction(self):
        """`_liqpay_reconcile` checks one transaction, whatever its age."""
        recent = self.new_tx("Just now", minutes_ago=0)
        self.assertFalse(recent._liqpay_reconcile(), "LiqPay knows no payment yet")
        self.fake.pay(recent.reference, times=0)
        self.assertTrue(recent._liqpay_reconcile())
        self.assertEqual(recent.state, "done")

    def test_disabled_provider_not_checked(self):
        self.fake.pay(self.tx.reference, times=0)
        self.liqpay.state = "disabled"
        self.run_cron()
        self.assertFalse(self.fake.api_requests())
        self.assertEqual(self.tx.state, "draft")

    def test_stops_when_liqpay_is_unreachable(self):
        """Three failures in a row saying LiqPay cannot be reached (a timeout is one of
        them) end the run: the rest waits for the next run, what was applied stays."""
        others = [self.new_tx(f"Other {i}", minutes_ago=30) for i in range(4)]
        for tx in (self.tx, *others):
            self.fake.pay(tx.reference, times=0)
        self.fake.fail_next("reset", after=1)
        self.fake.fail_next("5xx")
        self.fake.fail_next("429")
        lastcall = fields.Datetime.now() - timedelta(minutes=5)
        patcher, timeouts = self.spy_client_timeouts()
        with patcher, self.assertLogs(TX_LOGGER, "WARNING") as logs:
            done, remaining = self.run_cron_batch(lastcall)
        self.assertEqual(len(self.fake.api_requests("status")), 4, "the fifth is not asked")
        self.assertIn("cannot be reached (3 failures in a row)", logs.output[-1])
        self.assertIn("1 transactions wait for the next run", logs.output[-1])
        self.assertEqual((done, remaining), (4, 0), "not run again at once: LiqPay is down")
        self.assertEqual(set(timeouts), {const.RECONCILE_TIMEOUT})
        self.assertEqual(self.tx.state, "done", "what was applied stays")
        self.assertEqual([tx.state for tx in others], ["draft"] * 4)
        self.assertTrue(self.post_processing_triggered())
        # the next run asks the one never checked first, then the others
        self.run_cron()
        asked = [r["params"]["order_id"] for r in self.fake.api_requests("status")[4:]]
        self.assertEqual(asked, ["Other 3", "Other 0", "Other 1", "Other 2"])
        self.assertEqual([tx.state for tx in others], ["done"] * 4)

    def test_time_budget_leaves_the_rest_to_the_next_batch(self):
        others = [self.new_tx(f"Other {i}", minutes_ago=30) for i in range(2)]
        self.fake.pay(self.tx.reference, times=0)  # the others are not paid yet
        lastcall = fields.Datetime.now() - timedelta(minutes=5)
        with patch.object(const, "RECONCILE_TIME_BUDGET", 0):
            # out of time after the first one: the scheduler commits and runs it again
            self.assertEqual(self.run_cron_batch(lastcall), (1, 2))
            self.assertEqual(self.run_cron_batch(lastcall), (1, 1))
            self.assertEqual(self.run_cron_batch(lastcall), (1, 0))
            # everything checked in this run: the same run's next batch asks nothing
            self.assertEqual(self.run_cron_batch(lastcall), (0, 0))
        asked = [r["params"]["order_id"] for r in self.fake.api_requests("status")]
        self.assertEqual(asked, ["Test Transaction", "Other 0", "Other 1"])
        self.assertEqual([tx.state for tx in (self.tx, *others)], ["done", "draft", "draft"])
        self.assertTrue(all(tx.liqpay_checked_at for tx in others))
