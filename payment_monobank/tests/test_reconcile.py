from datetime import timedelta
from unittest.mock import patch

import requests

from odoo import fields
from odoo.tests import tagged

from odoo.addons.payment_monobank import const
from odoo.addons.payment_monobank.monobank import client as monobank_client

from .common import MonobankCommon

STATUS = "/api/merchant/invoice/status"
LOGGER = "odoo.addons.payment_monobank"


@tagged("post_install", "-at_install")
class TestMonobankReconcile(MonobankCommon):
    def reconcile(self):
        self.env["payment.transaction"]._cron_monobank_reconcile_pending()

    def test_lost_callback_is_found(self):
        tx = self.rendered_tx()
        self.age(tx, 20)
        self.fake.pay(tx.reference, times=0)  # paid; the callback never arrived
        triggers = self.post_process_triggers()
        self.reconcile()
        self.assertEqual(tx.state, "done")
        self.assertEqual(
            self.requests_to(STATUS)[-1]["query"], {"invoiceId": tx.provider_reference}
        )
        self.assertTrue(tx.monobank_checked_date)
        self.assertGreater(len(self.post_process_triggers() - triggers), 0)

    def test_only_transactions_of_the_window(self):
        young = self.rendered_tx(reference="S-YOUNG")
        self.age(young, 5)
        old = self.rendered_tx(reference="S-OLD")
        self.age(old, 8 * 24 * 60)
        never_rendered = self.create_tx(reference="S-DRAFT")
        self.age(never_rendered, 20)
        done = self.paid_tx(reference="S-DONE")
        self.age(done, 20)
        for tx in young | old:
            self.fake.pay(tx.reference, times=0)
        sent = len(self.requests_to(STATUS))
        self.reconcile()
        self.assertEqual(len(self.requests_to(STATUS)), sent)  # nobody was asked
        self.assertEqual((young.state, old.state, never_rendered.state), ("draft",) * 3)
        # the provider's delay decides what "young" means
        self.provider.monobank_reconcile_minutes = 1
        self.reconcile()
        self.assertEqual(young.state, "done")

    def test_vendor_error_leaves_the_transaction_for_the_next_run(self):
        first = self.rendered_tx(reference="S-1")
        second = self.rendered_tx(reference="S-2")
        for tx in first | second:
            self.age(tx, 20)
            self.fake.pay(tx.reference, times=0)
        self.fake.fail_next("5xx")
        with self.assertLogs(LOGGER, "WARNING") as logs:
            self.reconcile()
        self.assertIn("the status of transaction S-1 could not be checked", logs.output[0])
        self.assertEqual((first.state, second.state), ("draft", "done"))
        self.reconcile()
        self.assertEqual(first.state, "done")

    def cron_batch(self, **context):
        """One batch of the scheduled action as the scheduler runs it: the progress it
        reports (done, remaining)."""
        cron = self.env.ref("payment_monobank.cron_monobank_reconcile_pending")
        _cron, progress = cron._add_progress()
        self.env["payment.transaction"].with_context(
            ir_cron_progress_id=progress.id, **context
        )._cron_monobank_reconcile_pending()
        return progress.done, progress.remaining

    def due_txs(self, count):
        txs = self.env["payment.transaction"]
        for index in range(count):
            tx = self.rendered_tx(reference=f"S-DUE-{index}")
            self.age(tx, 20)
            self.fake.pay(tx.reference, times=0)
            txs |= tx
        return txs

    def test_monobank_down_stops_the_run(self):
        """After 3 requests in a row that do not reach monobank the run stops: what it
        applied is kept, the rest is left for the next run (not reported as remaining: the
        scheduler does not run another batch at once)."""
        txs = self.due_txs(5)
        self.fake.fail_next("reset", count=3, after=1)
        sent = len(self.requests_to(STATUS))
        with (
            patch.object(monobank_client.requests, "request", wraps=requests.request) as spy,
            self.assertLogs(LOGGER, "WARNING") as logs,
        ):
            self.assertEqual(self.cron_batch(), (4, 0))
        self.assertEqual(txs.mapped("state"), ["done", "draft", "draft", "draft", "draft"])
        self.assertEqual(len(self.requests_to(STATUS)) - sent, 4)  # the fifth was not asked
        self.assertEqual({call.kwargs["timeout"] for call in spy.call_args_list}, {10.0})
        self.assertIn("3 requests in a row failed to reach monobank", logs.output[-1])
        self.assertEqual(self.cron_batch(), (4, 0))  # the next run: monobank is back
        self.assertEqual(set(txs.mapped("state")), {"done"})

    def test_time_budget_splits_the_run_into_batches(self):
        """A batch past its time budget stops and reports what remains: the scheduler commits
        and runs the next batch, which does not ask again about the transactions of the
        previous batches of the same run (``lastcall``)."""
        txs = self.due_txs(3)
        lastcall = fields.Datetime.now() - timedelta(minutes=5)
        with patch.object(const, "RECONCILE_TIME_BUDGET", 0):
            self.assertEqual(self.cron_batch(lastcall=lastcall), (1, 2))
            self.assertEqual(txs.mapped("state"), ["done", "draft", "draft"])
            self.assertEqual(self.cron_batch(lastcall=lastcall), (1, 1))
            self.assertEqual(self.cron_batch(lastcall=lastcall), (1, 0))
            self.assertEqual(self.cron_batch(lastcall=lastcall), (0, 0))
        self.assertEqual(set(txs.mapped("state")), {"done"})
        self.assertEqual(len(self.requests_to(STATUS)), 3)

    def test_pending_then_expired(self):
        tx = self.rendered_tx()
        self.age(tx, 20)
        self.fake.pay(tx.reference, status="processing", times=0)
        self.reconcile()
        self.assertEqual(tx.state, "pending")
        self.fake.pay(tx.reference, status="expired", times=0)
        self.reconcile()
        self.assertEqual(tx.state, "cancel")
        self.assertIn("expired", tx.state_message)

    def test_wrong_amount_through_reconciliation(self):
        tx = self.rendered_tx()
        self.fake.pay(tx.reference, amount=111112, times=0)
        tx._monobank_reconcile()
        self.assertEqual(tx.state, "error")
        self.assertIn(
            "(1111.12 UAH) differs from the transaction amount (1111.11 UAH)", tx.state_message
        )

    def test_nothing_to_ask_without_an_invoice(self):
        tx = self.create_tx()
        self.assertFalse(tx._monobank_reconcile())
        self.assertFalse(self.fake.requests)
