from odoo.tests import tagged

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
