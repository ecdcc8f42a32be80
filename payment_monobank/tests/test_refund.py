from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import MonobankCommon

CANCEL = "/api/merchant/invoice/cancel"
LOGGER = "odoo.addons.payment_monobank"


@tagged("post_install", "-at_install")
class TestMonobankRefund(MonobankCommon):
    def refund(self, tx, amount):
        tx.action_refund(amount_to_refund=amount)
        return tx.child_transaction_ids.filtered(lambda t: t.operation == "refund").sorted("id")[
            -1:
        ]

    def test_partial_refund(self):
        tx = self.paid_tx()
        refund = self.refund(tx, 300.0)
        [request] = self.requests_to(CANCEL)
        self.assertEqual(
            request["body"],
            {"invoiceId": tx.provider_reference, "extRef": refund.reference, "amount": 30000},
        )
        self.assertEqual((refund.state, refund.amount), ("done", -300.0))
        self.assertEqual(refund.provider_reference, f"{tx.provider_reference}-{refund.reference}")
        # monobank's later status of the invoice lists the refund: nothing is created again
        tx._monobank_reconcile()
        self.assertEqual(tx.child_transaction_ids, refund)
        self.assertEqual(self.fake.invoice(tx.reference)["finalAmount"], self.kopecks - 30000)

        # a second partial refund, then the rest: monobank reverses the invoice
        second = self.refund(tx, 811.11)
        self.assertEqual(second.state, "done")
        self.assertEqual(self.fake.invoice(tx.reference)["status"], "reversed")
        tx._monobank_reconcile()
        self.assertEqual(len(tx.child_transaction_ids), 2)
        self.assertEqual(tx.state, "done")

    def test_refund_in_progress_then_settled(self):
        tx = self.paid_tx()
        self.fake.cancel_status = "processing"
        refund = self.refund(tx, 100.0)
        self.assertEqual(refund.state, "pending")
        refund._monobank_reconcile()
        self.assertEqual(refund.state, "pending")  # still processing at monobank
        self.fake.settle_refunds(tx.reference)
        refund._monobank_reconcile()
        self.assertEqual(refund.state, "done")

    def test_refund_failed_at_monobank(self):
        tx = self.paid_tx()
        self.fake.cancel_status = "processing"
        refund = self.refund(tx, 100.0)
        self.fake.settle_refunds(tx.reference, status="failure")
        refund._monobank_reconcile()
        self.assertEqual(refund.state, "error")
        self.assertIn("nothing was refunded", refund.state_message)

    def test_refused_refund_records_nothing(self):
        tx = self.paid_tx()
        self.fake.fail_next("400")
        with self.assertRaises(ValidationError) as caught:
            tx.action_refund(amount_to_refund=100.0)
        self.assertIn("Некоректні параметри запиту", str(caught.exception))
        self.assertFalse(tx.child_transaction_ids)

    def test_unconfirmed_refund_is_found_by_its_reference(self):
        tx = self.paid_tx()
        self.fake.fail_next("lost")  # monobank refunded; its answer was lost
        with self.assertLogs(LOGGER, "WARNING"):
            refund = self.refund(tx, 100.0)
        self.assertEqual(refund.state, "pending")
        refund._monobank_reconcile()
        self.assertEqual(refund.state, "done")
        self.assertEqual(tx.child_transaction_ids, refund)

    def test_unconfirmed_refund_monobank_never_made(self):
        tx = self.paid_tx()
        self.fake.fail_next("reset")  # the connection broke before monobank processed it
        with self.assertLogs(LOGGER, "WARNING"):
            refund = self.refund(tx, 100.0)
        self.assertEqual(refund.state, "pending")
        # monobank may list a refund it received late: no error during the grace period
        # (4 times the provider's delay, at least one hour)
        refund._monobank_reconcile()
        self.assertEqual(refund.state, "pending")
        self.age(refund, 59)
        refund._monobank_reconcile()
        self.assertEqual(refund.state, "pending")
        self.provider.monobank_reconcile_minutes = 30
        self.age(refund, 119)
        refund._monobank_reconcile()
        self.assertEqual(refund.state, "pending")
        self.age(refund, 121)
        refund._monobank_reconcile()
        self.assertEqual(refund.state, "error")
        self.assertIn("no record of this refund", refund.state_message)
        self.assertEqual(self.fake.invoice(tx.reference)["cancelList"], [])

    def test_refund_in_error_listed_later_is_done(self):
        """A refund set in error because monobank had no record of it is done when monobank
        lists it as a success later (no second refund transaction is created)."""
        tx = self.paid_tx()
        self.fake.fail_next("reset")
        with self.assertLogs(LOGGER, "WARNING"):
            refund = self.refund(tx, 100.0)
        self.age(refund, 61)
        refund._monobank_reconcile()
        self.assertEqual(refund.state, "error")
        self.fake.list_refund(tx.reference, 10000, refund.reference)
        tx._monobank_reconcile()  # the payment's status (a callback or a check) lists it
        self.assertEqual(refund.state, "done")
        self.assertEqual(tx.child_transaction_ids, refund)
        self.assertEqual(tx.state, "done")

    def test_refund_made_in_monobank_cabinet_is_recorded_once(self):
        tx = self.paid_tx()
        self.fake.pay(tx.reference, status="reversed", times=0)
        tx._monobank_reconcile()
        tx._monobank_reconcile()
        refund = tx.child_transaction_ids
        self.assertEqual(len(refund), 1)
        self.assertEqual((refund.state, refund.amount), ("done", -self.amount))
