"""Fiscalizing invoices and credit notes; exactly once; failures."""

import psycopg2

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import FiscalCommon


class _Crash(Exception):
    """Stands for a crash of the Odoo worker after Checkbox got the receipt."""


@tagged("post_install", "-at_install")
class TestFiscalizeInvoice(FiscalCommon):
    def _sell_posts(self):
        return self.fake.calls_to("POST", r"receipts/sell$")

    def test_accountant_fiscalizes_a_posted_invoice(self):
        invoice = self._simple_invoice(1000.0)
        action = self._fiscalize(invoice)
        self.assertEqual(action["params"]["type"], "success")
        receipt = self._receipts(invoice)
        self.assertEqual(receipt.state, "done")
        self.assertEqual(receipt.receipt_type, "sell")
        self.assertTrue(receipt.fiscal_code)
        self.assertTrue(receipt.fiscal_date)
        self.assertEqual(receipt.checkbox_id, receipt.uuid)
        self.assertEqual(receipt.public_url, f"https://check.checkbox.ua/{receipt.uuid}")
        self.assertIn("cabinet.tax.gov.ua", receipt.tax_url)
        self.assertTrue(receipt.qr_code)
        self.assertEqual(receipt.amount_total, 1000.0)
        self.assertEqual(receipt.payment_summary, "Переказ з картки 1000.00")
        self.assertEqual(receipt.shift_id.status, "OPENED")
        self.assertEqual(receipt.cashier_id, self.cashier)
        self.assertEqual(invoice.fiscal_state, "done")
        self.assertEqual(invoice.fiscal_receipt_count, 1)
        fake_receipt = self.fake.receipts[receipt.uuid]
        self.assertEqual(fake_receipt["status"], "DONE")
        self.assertEqual(fake_receipt["footer"], f"Рахунок {invoice.name}")
        # the shift was opened before the first receipt of the day
        self.assertEqual(len(self.fake.calls_to("POST", r"shifts$")), 1)
        # the link went to the customer
        self.assertTrue(receipt.link_sent)
        message = invoice.message_ids.filtered(lambda m: receipt.public_url in (m.body or ""))
        self.assertEqual(message.partner_ids, self.customer)

    def test_one_shift_for_many_receipts(self):
        for _index in range(3):
            self._fiscalize(self._simple_invoice())
        self.assertEqual(len(self.fake.calls_to("POST", r"shifts$")), 1)
        self.assertEqual(len(self.env["fiscal.shift"].search([])), 1)

    def test_second_click_is_refused(self):
        invoice = self._simple_invoice()
        self._fiscalize(invoice)
        with self.assertRaisesRegex(UserError, "already has fiscal receipt"):
            self._fiscalize(invoice)
        self.assertEqual(len(self._receipts(invoice)), 1)
        self.assertEqual(len(self._sell_posts()), 1)

    def test_one_active_receipt_per_purpose_in_the_database(self):
        invoice = self._simple_invoice()
        self._fiscalize(invoice)
        receipt = self._receipts(invoice)
        with (
            self.assertRaises(psycopg2.errors.UniqueViolation),
            mute_logger("odoo.sql_db"),
            self.env.cr.savepoint(),
        ):
            receipt.sudo().copy({"uuid": "another-id", "purpose_key": receipt.purpose_key})

    def test_only_posted_customer_invoices(self):
        draft = self._invoice([(self.kettle, 1, 10.0, 0.0, self.tax_20)], post=False)
        with self.assertRaisesRegex(UserError, "posted customer invoice"):
            self._fiscalize(draft)
        self.assertFalse(self.fake.calls)

    def test_refused_receipt_leaves_the_invoice_untouched_and_listed(self):
        invoice = self._simple_invoice()
        messages = invoice.message_ids
        self.fake.fail_next("POST", r"receipts/sell$", "422", message="Некоректні дані чека")
        action = self._fiscalize(invoice)
        self.assertEqual(action["params"]["type"], "danger")
        receipt = self._receipts(invoice)
        self.assertEqual(receipt.state, "error")
        self.assertIn("Некоректні дані чека", receipt.error_message)
        self.assertIn("goods.0.good.price", receipt.error_message)
        self.assertEqual((invoice.state, invoice.payment_state), ("posted", "not_paid"))
        self.assertEqual(invoice.message_ids, messages)
        self.assertEqual(invoice.fiscal_state, "error")
        errors = self.env["fiscal.receipt"].search([("state", "=", "error")])
        self.assertIn(receipt, errors)

    def test_issue_again_after_an_error_uses_a_new_id(self):
        invoice = self._simple_invoice()
        self.fake.error_next_receipts.append("ДПС: помилка реєстрації")
        self._fiscalize(invoice)
        failed = self._receipts(invoice)
        self.assertEqual(failed.state, "error")
        self.assertEqual(failed.error_message, "ДПС: помилка реєстрації")
        failed.with_user(self.accountant).action_retry()
        receipts = self._receipts(invoice)
        retried = receipts - failed
        self.assertEqual(retried.state, "done")
        self.assertNotEqual(retried.uuid, failed.uuid)
        self.assertEqual(retried.generation, 1)
        self.assertEqual(len([r for r in self.fake.fiscal_receipts()]), 1)
        with self.assertRaises(UserError):
            retried.with_user(self.accountant).action_retry()

    def test_answer_lost_after_checkbox_created_the_receipt(self):
        """Checkbox created the receipt but the answer came too late: Odoo
        asks for our id and adopts the receipt; nothing is sent twice."""
        invoice = self._simple_invoice()
        self._answer_late()
        self.fake.fail_next("POST", r"receipts/sell$", "slow")
        self._fiscalize(invoice)
        receipt = self._receipts(invoice)
        self.assertEqual(receipt.state, "done")
        self.assertEqual(len(self._sell_posts()), 1)
        self.assertEqual(len(self.fake.fiscal_receipts()), 1)

    def test_checkbox_out_of_reach_says_the_receipt_is_not_sent_yet(self):
        """No connection before anything is sent: the accountant reads that the
        receipt is not sent yet and why, not that it is on its way."""
        invoice = self._simple_invoice()
        self.fake.fail_next("POST", r"cashier/signin$", "reset")
        self.fake.fail_next("GET", r"cashier/shift$", "reset")
        action = self._fiscalize(invoice)
        params = action["params"]
        self.assertEqual((params["type"], params["title"]), ("warning", "Receipt not sent yet"))
        self.assertIn("could not be sent yet", params["message"])
        self.assertIn("could not be reached", params["message"])
        receipt = self._receipts(invoice)
        self.assertEqual((receipt.state, receipt.attempt_count), ("draft", 0))
        self.assertFalse(self._sell_posts())
        self.fake.wait_idle()
        self.fake.clear_faults()
        self.env["fiscal.receipt"]._cron_process_receipts()
        self.assertEqual(receipt.state, "done")
        self.assertEqual(len(self._sell_posts()), 1)

    def test_no_answer_at_all_is_reconciled_by_the_scheduled_action(self):
        invoice = self._simple_invoice()
        self._answer_late()
        self.fake.fail_next("POST", r"receipts/sell$", "lost", times=2)
        action = self._fiscalize(invoice)
        self.assertEqual(action["params"]["type"], "warning")
        receipt = self._receipts(invoice)
        self.assertEqual(receipt.state, "draft")
        self.assertIn("Checkbox did not answer in time", receipt.error_message)
        self.assertIn("never issued twice", receipt.error_message)
        self.assertEqual(invoice.fiscal_state, "pending")
        self.assertFalse(self.fake.receipts)
        self.env["fiscal.receipt"]._cron_process_receipts()
        self.assertEqual(receipt.state, "done")
        posts = self._sell_posts()
        self.assertEqual({call["body"]["id"] for call in posts}, {receipt.uuid})
        self.assertEqual(len(self.fake.fiscal_receipts()), 1)

    def test_created_but_unconfirmed_receipt_is_found_not_resent(self):
        invoice = self._simple_invoice()
        self._answer_late()
        self.fake.fail_next("POST", r"receipts/sell$", "slow")
        self.fake.fail_next("GET", r"receipts/[\w-]+$", "500")
        self._fiscalize(invoice)
        receipt = self._receipts(invoice)
        self.assertEqual(receipt.state, "draft")
        self.env["fiscal.receipt"]._cron_process_receipts()
        self.assertEqual(receipt.state, "done")
        self.assertEqual(len(self._sell_posts()), 1, "asked first, did not send again")
        self.assertEqual(len(self.fake.fiscal_receipts()), 1)

    def test_server_error_is_retried_with_the_same_id(self):
        invoice = self._simple_invoice()
        self.fake.fail_next("POST", r"receipts/sell$", "500")
        self._fiscalize(invoice)
        receipt = self._receipts(invoice)
        self.assertEqual(receipt.state, "done")
        self.assertEqual({call["body"]["id"] for call in self._sell_posts()}, {receipt.uuid})
        self.assertEqual(len(self.fake.fiscal_receipts()), 1)

    def test_crash_after_sending_does_not_make_a_second_receipt(self):
        """The worker dies after Checkbox accepted the receipt: our record is
        lost with the transaction. Fiscalizing again derives the same id,
        Checkbox refuses the duplicate, and the existing receipt is adopted."""
        invoice = self._simple_invoice()
        with self.assertRaises(_Crash), self.env.cr.savepoint():
            self._fiscalize(invoice)
            raise _Crash()
        self.assertFalse(self._receipts(invoice))
        self.assertEqual(len(self.fake.receipts), 1)
        lost_id = next(iter(self.fake.receipts))
        self._fiscalize(invoice)
        receipt = self._receipts(invoice)
        self.assertEqual(receipt.uuid, lost_id)
        self.assertEqual(receipt.state, "done")
        self.assertEqual(self.fake.duplicate_refusals, 1)
        self.assertEqual(len(self.fake.fiscal_receipts()), 1)

    def test_receipt_waiting_for_its_fiscal_number(self):
        self.register.receipt_wait = 0.05
        self.fake.done_after_polls = 10**6
        invoice = self._simple_invoice()
        self._fiscalize(invoice)
        receipt = self._receipts(invoice)
        self.assertEqual(receipt.state, "sent")
        self.fake.done_after_polls = 1
        self.env["fiscal.receipt"]._cron_process_receipts()
        self.assertEqual(receipt.state, "done")
        self.assertEqual(len(self._sell_posts()), 1)

    def test_shift_closed_on_checkbox_side_is_reopened(self):
        self._fiscalize(self._simple_invoice())
        first_shift = self.env["fiscal.shift"].search([])
        self.fake.close_shift_silently()
        invoice = self._simple_invoice()
        self._fiscalize(invoice)
        receipt = self._receipts(invoice)
        self.assertEqual(receipt.state, "done")
        self.assertEqual(first_shift.status, "CLOSED")
        self.assertEqual(receipt.shift_id.status, "OPENED")
        self.assertNotEqual(receipt.shift_id, first_shift)
        self.assertEqual(len(self.fake.fiscal_receipts()), 2)

    def test_expired_token_is_renewed(self):
        self._fiscalize(self._simple_invoice())
        self.fake.expire_tokens()
        invoice = self._simple_invoice()
        self._fiscalize(invoice)
        self.assertEqual(self._receipts(invoice).state, "done")
        self.assertEqual(len(self.fake.calls_to("POST", r"cashier/signin$")), 2)

    def test_return_receipt_from_a_credit_note(self):
        invoice = self._simple_invoice(1000.0)
        self._fiscalize(invoice)
        sale = self._receipts(invoice)
        refund = invoice._reverse_moves()
        refund.action_post()
        action = refund.with_user(self.accountant).action_fiscalize()
        self.assertEqual(action["params"]["type"], "success")
        receipt = self._receipts(refund)
        self.assertEqual(receipt.receipt_type, "return")
        self.assertEqual(receipt.state, "done")
        self.assertEqual(receipt.related_receipt_id, sale)
        self.assertEqual(self.fake.receipts[receipt.uuid]["type"], "RETURN")
        self.assertEqual(self.fake.receipts[receipt.uuid]["related_receipt_id"], sale.checkbox_id)
        with self.assertRaises(UserError):
            refund.with_user(self.accountant).action_fiscal_return()

    def test_credit_note_of_an_unfiscalized_invoice_is_refused(self):
        invoice = self._simple_invoice()
        refund = invoice._reverse_moves()
        refund.action_post()
        with self.assertRaisesRegex(UserError, "does not reverse a fiscalized invoice"):
            refund.with_user(self.accountant).action_fiscal_return()

    def test_missing_credentials_are_explained(self):
        self.cashier.sudo().password = False
        invoice = self._simple_invoice()
        with self.assertRaises(UserError) as caught:
            self._fiscalize(invoice)
        self.assertIn("An administrator enters them", str(caught.exception))
        self.assertFalse(self._receipts(invoice))

    def test_scheduled_action_goes_on_after_a_failing_receipt(self):
        good, bad = self._simple_invoice(), self._simple_invoice()
        self.fake.fail_next("POST", r"receipts/sell$", "lost", times=2)
        self._answer_late()
        self._fiscalize(bad)
        self.fake.fail_next("POST", r"receipts/sell$", "lost", times=2)
        self._fiscalize(good)
        bad_receipt, good_receipt = self._receipts(bad), self._receipts(good)
        self.assertEqual((bad_receipt.state, good_receipt.state), ("draft", "draft"))
        # the first receipt's register loses its cashier: that receipt fails, the other goes on
        other_register = self.register.sudo().copy({"name": "Broken register"})
        other_register.cashier_id = False
        bad_receipt.sudo().register_id = other_register
        with mute_logger("odoo.addons.fiscal_ua.models.fiscal_receipt"):
            self.env["fiscal.receipt"]._cron_process_receipts()
        self.assertEqual(bad_receipt.state, "draft")
        self.assertEqual(good_receipt.state, "done")
