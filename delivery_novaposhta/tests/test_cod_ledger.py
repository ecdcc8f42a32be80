from datetime import date
from unittest.mock import patch

import psycopg2
from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import mute_logger
from odoo.tools.safe_eval import safe_eval

from .common import NovaPoshtaCommon

PREPAID = 100.0


@tagged("post_install", "-at_install")
class TestCodLedger(NovaPoshtaCommon):
    """The cash-on-delivery ledger: NP's transfer facts from the tracking,
    the discrepancies, and the payment registered once on the invoice."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = cls.users["accountant"]
        cls.journal = cls.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", cls.env.company.id)], limit=1
        )
        cls.ledger_action = cls.env.ref("delivery_novaposhta.novaposhta_waybill_action_cod")

    def cod_order(self):
        """A cash-on-delivery order: invoiced in full, 100 prepaid, its
        waybill created at NP with the rest as cash on delivery."""
        order = self.np_order(np_preset_id=self.preset_cod.id)
        self.invoice = self.pay(order, PREPAID)
        self.walk(order, "assembling", "assembled")
        self.env.flush_all()
        self.run_waybill_cron()
        self.assertEqual(order.np_cod_amount, order.amount_total - PREPAID)
        return order

    def transfer(self, order, **fields):
        """NP reports the money of ``order`` paid out to the store."""
        self.fake.set_status(order.np_waybill_number, "11", **fields)
        self.sync()

    def ledger(self, filter_name):
        """The waybills the ledger's filter ``filter_name`` shows today."""
        view = self.env.ref("delivery_novaposhta.novaposhta_waybill_view_search_cod")
        arch = view.arch_db
        start = arch.index(f'name="{filter_name}"')
        text = arch[arch.index('domain="', start) + 8 :]
        domain_text = text[: text.index('"')].replace("&lt;", "<").replace("&gt;", ">")
        domain = safe_eval(domain_text, {"context_today": lambda: date.today()})
        base = safe_eval(self.ledger_action.domain)
        return self.env["novaposhta.waybill"].search(base + domain)

    def payments_of(self, order):
        return self.env["account.payment"].search([("partner_id", "=", order.partner_id.id)])

    def fiscal_receipts(self, order):
        if "fiscal.receipt" not in self.env:
            return []
        return self.env["fiscal.receipt"].sudo().search([("sale_order_id", "=", order.id)]).ids

    def register(self, waybill, user=None):
        user = user or self.accountant
        result = waybill.with_user(user).action_np_cod_register_payment()
        self.env.flush_all()
        return result

    # ---------------------------------------------------------------- tests
    def test_tracking_fills_the_ledger(self):
        order = self.cod_order()
        waybill = order.np_waybill_id
        expected = waybill.cod_amount
        self.assertIn(waybill, self.ledger("cod_expected"))
        self.fake.set_status(order.np_waybill_number, "9", RecipientDateTime="20.11.2026 14:05:00")
        self.sync()
        self.assertEqual(waybill.cod_transfer_state, "collected")
        self.assertEqual(waybill.cod_collected_date, date(2026, 11, 20))
        self.assertEqual(waybill.cod_collected_amount, expected)
        self.assertEqual(waybill.cod_due_date, date(2026, 11, 23), "3 days by default")
        # NP's money fields as it sends them: money as strings with a comma or
        # as numbers, its own date format
        self.transfer(
            order,
            LastAmountTransferGM=f"{expected:.2f}".replace(".", ","),
            LastTransactionDateTimeGM="2026-11-21 10:15:00",
            LastTransactionStatusGM="Видано",
            RedeliveryNum="20459900000042",
            LastAmountReceivedCommissionGM=21.5,
        )
        self.assertEqual(waybill.cod_transfer_state, "transferred")
        self.assertEqual(waybill.cod_transfer_amount, expected)
        self.assertEqual(waybill.cod_transfer_date, date(2026, 11, 21))
        self.assertEqual(waybill.cod_transfer_status, "Видано")
        self.assertEqual(waybill.cod_transfer_number, "20459900000042")
        self.assertEqual(waybill.cod_commission, 21.5)
        self.assertFalse(waybill.cod_due_date, "no longer waiting for the transfer")
        self.assertTrue(waybill.cod_not_paid)
        self.assertFalse(waybill.cod_amount_differs)
        self.assertFalse(waybill.cod_no_invoice)
        self.assertEqual(self.ledger("cod_not_paid"), waybill)
        # totals per day and per account: the pivot's grouping
        groups = self.env["novaposhta.waybill"].read_group(
            safe_eval(self.ledger_action.domain),
            ["cod_transfer_amount:sum", "cod_amount:sum"],
            ["cod_transfer_date:day", "account_id"],
            lazy=False,
        )
        day = next(g for g in groups if g["account_id"] and g["account_id"][0] == self.account.id)
        self.assertEqual(day["cod_transfer_amount"], expected)

    def test_late_transfer_flagged_after_the_account_days(self):
        order = self.cod_order()
        waybill = order.np_waybill_id
        self.account.cod_transfer_days = 2
        with freeze_time("2026-11-10 12:00:00"):
            self.fake.set_status(order.np_waybill_number, "10", RecipientDateTime="")
            self.sync()
        self.assertEqual(waybill.cod_collected_date, date(2026, 11, 10))
        with freeze_time("2026-11-12 09:00:00"):
            self.assertNotIn(waybill, self.ledger("cod_late"))
        with freeze_time("2026-11-13 09:00:00"):
            self.assertIn(waybill, self.ledger("cod_late"))
        self.transfer(order)
        with freeze_time("2026-11-13 09:00:00"):
            self.assertNotIn(waybill, self.ledger("cod_late"))

    def test_amount_differs_and_no_invoice(self):
        order = self.cod_order()
        waybill = order.np_waybill_id
        self.transfer(order, LastAmountTransferGM=str(waybill.cod_amount - 30))
        self.assertTrue(waybill.cod_amount_differs)
        self.assertIn(waybill, self.ledger("cod_amount_differs"))
        # the invoice is cancelled: nothing to register the payment on
        self.invoice.sudo().button_draft()
        self.invoice.sudo().button_cancel()
        self.env.flush_all()
        self.assertTrue(waybill.cod_no_invoice)
        self.assertIn(waybill, self.ledger("cod_no_invoice"))
        with self.assertRaisesRegex(UserError, "has no posted invoice left to pay"):
            self.register(waybill)
        self.assertFalse(waybill.sudo().cod_payment_id)

    def test_one_click_registers_once_and_keeps_the_paid_amount(self):
        order = self.cod_order()
        waybill = order.np_waybill_id
        self.transfer(order, LastTransactionDateTimeGM="21.11.2026 10:15:00")
        self.assertEqual(order.delivery_cod_state, "transferred")
        self.assertEqual(order.paid_amount, order.amount_total)
        self.assertEqual(order.order_payment_state, "paid")
        before = self.payments_of(order)
        receipts = self.fiscal_receipts(order)
        self.register(waybill)
        payment = self.payments_of(order) - before
        self.assertEqual(len(payment), 1)
        self.assertEqual(waybill.sudo().cod_payment_id, payment)
        self.assertIn(payment.state, ("in_process", "paid"))
        self.assertEqual(payment.amount, waybill.cod_amount)
        self.assertEqual(payment.date, date(2026, 11, 21), "dated as NP's transfer")
        self.assertIn(self.invoice.payment_state, ("paid", "in_payment"))
        self.assertIn(self.invoice, payment.reconciled_invoice_ids)
        self.assertTrue(waybill.cod_paid)
        self.assertFalse(waybill.cod_not_paid)
        self.assertFalse(waybill.cod_amount_differs)
        # one place for the paid amount: the transfer now counts through the
        # invoice, not twice
        self.assertEqual(order.paid_amount, order.amount_total)
        self.assertEqual(order.amount_due, 0.0)
        # a second click, the list action and the automatic policy do nothing more
        self.register(waybill)
        self.register(waybill | waybill)
        self.account.write({"cod_auto_payment": True, "cod_journal_id": self.journal.id})
        self.sync()
        self.assertEqual(self.payments_of(order) - before, payment)
        self.assertEqual(order.paid_amount, order.amount_total)
        # a payment registered in Odoo issues no fiscal receipt (fiscal_ua
        # issues them for online payments, at shipping or from the invoice)
        self.assertEqual(self.fiscal_receipts(order), receipts)

    def test_one_payment_per_transfer_even_concurrently(self):
        order = self.cod_order()
        waybill = order.np_waybill_id
        self.transfer(order)
        # a colleague (or the scheduled action) holds the waybill's row
        with patch.object(type(waybill), "_np_cod_lock", lambda self: False):
            with self.assertRaisesRegex(UserError, "being registered by someone else"):
                self.register(waybill)
        self.assertFalse(waybill.sudo().cod_payment_id)
        self.register(waybill)
        payment = waybill.sudo().cod_payment_id
        # and one Odoo payment is the payment of one transfer only
        other = self.cod_order().np_waybill_id
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.IntegrityError):
            with self.env.cr.savepoint():
                other.sudo().write({"cod_payment_id": payment.id})
                self.env.flush_all()

    def test_payment_registered_by_hand_on_the_invoice_is_not_counted_twice(self):
        order = self.cod_order()
        self.transfer(order)
        # the accountant registers the rest with Odoo's own wizard, not the ledger
        self.env["account.payment.register"].with_user(self.accountant).with_context(
            active_model="account.move", active_ids=self.invoice.ids
        ).create({})._create_payments()
        self.env.flush_all()
        self.assertEqual(order.paid_amount, order.amount_total)
        self.assertTrue(order.np_waybill_id.cod_no_invoice, "nothing left to register it on")

    def test_automatic_policy_registers_from_the_tracking_sync(self):
        self.account.write({"cod_auto_payment": True, "cod_journal_id": self.journal.id})
        order = self.cod_order()
        waybill = order.np_waybill_id
        short = self.cod_order()
        before = self.payments_of(order)
        self.fake.set_status(order.np_waybill_number, "11")
        self.fake.set_status(
            short.np_waybill_number, "11", LastAmountTransferGM=short.np_cod_amount - 10
        )
        stats = self.sync()
        self.assertEqual(stats.get("cod_registered"), 1)
        payment = self.payments_of(order) - before
        self.assertEqual(len(payment), 1)
        self.assertEqual(waybill.sudo().cod_payment_id, payment)
        self.assertEqual(payment.journal_id, self.journal)
        self.assertEqual(order.paid_amount, order.amount_total)
        # amounts that differ are left for a person, with the reason, noted once
        self.assertFalse(short.np_waybill_id.sudo().cod_payment_id)
        self.assertIn("a person registers this payment", short.np_waybill_id.cod_problem)
        self.sync()
        notes = short.message_ids.filtered(lambda m: "was not registered" in (m.body or ""))
        self.assertEqual(len(notes), 1)
        self.assertEqual(self.payments_of(order) - before, payment)

    def test_commission_withheld_is_written_off(self):
        self.account.write({"cod_auto_payment": True, "cod_journal_id": self.journal.id})
        order = self.cod_order()
        waybill = order.np_waybill_id
        self.transfer(
            order,
            LastAmountTransferGM=f"{waybill.cod_amount - 25:.2f}",
            LastAmountReceivedCommissionGM="25.00",
        )
        self.assertFalse(waybill.cod_amount_differs, "the commission explains the difference")
        self.assertIn("set the account of NP commissions", waybill.cod_problem)
        self.assertFalse(waybill.sudo().cod_payment_id)
        expense = self.env["account.account"].search(
            [
                ("account_type", "=", "expense"),
                ("company_ids", "in", self.env.company.id),
            ],
            limit=1,
        )
        self.account.cod_commission_account_id = expense
        self.sync()
        payment = waybill.sudo().cod_payment_id
        self.assertEqual(payment.amount, waybill.cod_amount - 25)
        self.assertIn(self.invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(
            sum(
                payment.move_id.line_ids.filtered(lambda line: line.account_id == expense).mapped(
                    "debit"
                )
            ),
            25.0,
        )
        self.assertEqual(order.paid_amount, order.amount_total)
        self.assertFalse(waybill.cod_amount_differs)

    def test_rights(self):
        order = self.cod_order()
        waybill = order.np_waybill_id
        self.transfer(order)
        for role in ("manager", "logistics", "sales", "support"):
            with self.assertRaises(AccessError, msg=role):
                self.register(waybill, self.users[role])
        self.assertFalse(waybill.sudo().cod_payment_id)
        payment = (
            self.env["account.payment"]
            .sudo()
            .create(
                {
                    "amount": 1.0,
                    "partner_id": order.partner_id.id,
                    "payment_type": "inbound",
                    "partner_type": "customer",
                    "journal_id": self.journal.id,
                }
            )
        )
        for role in ("accountant", "manager", "administrator"):
            user = self.users[role]
            for vals in (
                {"cod_transfer_amount": 1.0},
                {"cod_transfer_date": "2026-01-01"},
                {"cod_payment_id": payment.id},
                {"cod_problem": False},
            ):
                with self.assertRaises(AccessError, msg=f"{role} {vals}"):
                    waybill.with_user(user).write(vals)
        self.assertFalse(waybill.sudo().cod_payment_id)
        with self.assertRaises(AccessError):
            self.account.with_user(self.accountant).write({"cod_auto_payment": True})
        # the accountant registers it
        self.register(waybill)
        self.assertTrue(waybill.cod_paid)
