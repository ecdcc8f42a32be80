"""Golden payloads: the receipt JSON built from invoices."""

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import FiscalCommon


@tagged("post_install", "-at_install")
class TestReceiptPayload(FiscalCommon):
    def _draft_receipt(self, invoice, payments=None):
        # receipts are system records: created here as the system, like the Fiscalize button
        Receipt = self.env["fiscal.receipt"].sudo()
        payments = payments or invoice._fiscal_payments(self.register)
        return Receipt.create(
            {
                "purpose_key": f"sell:move:{invoice.id}",
                "uuid": Receipt._new_uuid(f"sell:move:{invoice.id}", 0),
                "receipt_type": "sell",
                "register_id": self.register.id,
                "move_id": invoice.id,
                "partner_id": invoice.partner_id.id,
                "amount_total": invoice.amount_total,
                "payments_data": Receipt._payments_json(payments),
            }
        )

    def test_discounts_several_tax_rates_and_vat_exempt(self):
        invoice = self._invoice(
            [
                (self.kettle, 2, 1000.0, 10.0, self.tax_20),
                (self.mug, 3, 33.33, 0.0, self.tax_7),
                (self.book, 1, 250.0, 0.0, self.env["account.tax"]),
            ]
        )
        self.assertAlmostEqual(invoice.amount_total, 2149.99)
        receipt = self._draft_receipt(invoice)
        self.assertEqual(
            receipt._build_payload(),
            {
                "id": receipt.uuid,
                "goods": [
                    {
                        "good": {"code": "KTL-1", "name": "Чайник", "price": 100000, "tax": [1]},
                        "quantity": 2000,
                        "discounts": [
                            {
                                "type": "DISCOUNT",
                                "mode": "VALUE",
                                "value": 20000,
                                "name": "Знижка 10%",
                            }
                        ],
                    },
                    {
                        "good": {"code": "MUG-1", "name": "Кружка", "price": 3333, "tax": [2]},
                        "quantity": 3000,
                    },
                    {
                        "good": {"code": "BOOK-1", "name": "Книга", "price": 25000, "tax": [8]},
                        "quantity": 1000,
                    },
                ],
                "payments": [
                    {"type": "CASHLESS", "value": 214999, "label": "Переказ з картки", "code": 1}
                ],
                "footer": f"Рахунок {invoice.name}",
            },
        )

    def test_vat_exempt_seller_without_a_rate_sends_no_tax(self):
        self.register.untaxed_tax_id = False
        invoice = self._invoice([(self.book, 2, 125.5, 0.0, self.env["account.tax"])])
        payload = self._draft_receipt(invoice)._build_payload()
        self.assertEqual(
            payload["goods"],
            [
                {
                    "good": {"code": "BOOK-1", "name": "Книга", "price": 12550},
                    "quantity": 2000,
                }
            ],
        )
        self.assertEqual(payload["payments"][0]["value"], 25100)

    def test_tax_excluded_prices_are_rounded_to_kopecks(self):
        """Prices without tax: 1.08 UAH + 20 % is 1.296 → 130 kopecks a piece,
        3 pieces 3.90 UAH, but the invoice line says 3.24 + 0.65 = 3.89 UAH: the
        kopeck becomes a rounding discount. 1.01 UAH + 20 % → 121 kopecks, 3
        pieces 3.63 UAH against 3.64 UAH on the invoice: a rounding extra
        charge. The receipt equals the invoice to the kopeck."""
        invoice = self._invoice(
            [
                (self.mug, 3, 1.08, 0.0, self.tax_20_excluded),
                (self.kettle, 3, 1.01, 0.0, self.tax_20_excluded),
            ]
        )
        self.assertAlmostEqual(invoice.amount_total, 7.53)
        payload = self._draft_receipt(invoice)._build_payload()
        rounding = {"mode": "VALUE", "value": 1, "name": "Округлення"}
        self.assertEqual(
            payload["goods"],
            [
                {
                    "good": {"code": "MUG-1", "name": "Кружка", "price": 130, "tax": [1]},
                    "quantity": 3000,
                    "discounts": [dict(rounding, type="DISCOUNT")],
                },
                {
                    "good": {"code": "KTL-1", "name": "Чайник", "price": 121, "tax": [1]},
                    "quantity": 3000,
                    "discounts": [dict(rounding, type="EXTRA_CHARGE")],
                },
            ],
        )
        self.assertEqual(payload["payments"][0]["value"], 753)

    def test_document_total_wins_over_line_rounding(self):
        """When the lines and the document total differ by a kopeck, the last
        good takes it (an extra charge here), and the payments equal the total."""
        invoice = self._invoice(
            [(self.mug, 1, 10.0, 0.0, self.tax_7), (self.kettle, 1, 20.0, 0.0, self.tax_20)]
        )
        receipt = self._draft_receipt(invoice)
        lines = invoice._fiscal_lines()
        goods, discounts = receipt._goods(lines, invoice.amount_total + 0.01)
        self.assertFalse(discounts)
        self.assertEqual(
            goods[-1]["discounts"],
            [{"type": "EXTRA_CHARGE", "mode": "VALUE", "value": 1, "name": "Округлення"}],
        )
        self.assertNotIn("discounts", goods[0])

    def test_negative_line_becomes_a_receipt_discount(self):
        invoice = self._invoice(
            [
                (self.kettle, 1, 1000.0, 0.0, self.tax_20),
                (self.book, 1, -100.0, 0.0, self.tax_20),
            ]
        )
        payload = self._draft_receipt(invoice)._build_payload()
        self.assertEqual(len(payload["goods"]), 1)
        self.assertEqual(
            payload["discounts"],
            [{"type": "DISCOUNT", "mode": "VALUE", "value": 10000, "name": "Знижка"}],
        )
        self.assertEqual(payload["payments"][0]["value"], 90000)

    def test_payments_come_from_the_reconciled_payments(self):
        cash_journal = self.company_data["default_journal_cash"]
        self.form_cash.journal_ids = [Command.set(cash_journal.ids)]
        invoice = self._invoice([(self.kettle, 1, 1000.0, 0.0, self.tax_20)])
        self._pay(invoice, self.bank_journal, 600.0)
        self._pay(invoice, cash_journal, 400.0)
        payload = self._draft_receipt(invoice)._build_payload()
        self.assertEqual(
            sorted(payload["payments"], key=lambda p: p["type"]),
            [
                {"type": "CASH", "value": 40000, "label": "Готівка", "code": 0},
                {"type": "CASHLESS", "value": 60000, "label": "Переказ з картки", "code": 1},
            ],
        )

    def test_unmapped_tax_is_refused_before_anything_is_sent(self):
        other_tax = self.env["account.tax"].create(
            {"name": "Акциз 5%", "amount": 5.0, "type_tax_use": "sale"}
        )
        invoice = self._invoice([(self.kettle, 1, 100.0, 0.0, other_tax)])
        with self.assertRaises(UserError) as caught:
            self._fiscalize(invoice)
        self.assertIn("Акциз 5%", str(caught.exception))
        self.assertFalse(self._receipts(invoice))
        self.assertFalse(self.fake.calls)

    def test_return_payload_refers_to_the_sale(self):
        invoice = self._invoice([(self.kettle, 1, 1000.0, 0.0, self.tax_20)])
        self._fiscalize(invoice)
        sale = self._receipts(invoice)
        refund = invoice._reverse_moves()
        refund.action_post()
        refund.with_user(self.accountant).action_fiscal_return()
        receipt = self._receipts(refund)
        payload = receipt._build_payload()
        self.assertEqual(payload["related_receipt_id"], sale.checkbox_id)
        self.assertEqual(
            payload["goods"],
            [
                {
                    "good": {"code": "KTL-1", "name": "Чайник", "price": 100000, "tax": [1]},
                    "quantity": 1000,
                    "is_return": True,
                }
            ],
        )
        self.assertEqual(payload["payments"][0]["value"], 100000)
