import json

from odoo import Command, fields
from odoo.tests import HttpCase, tagged

from ..checkbox import to_kopecks
from ..checkbox.client import report_totals
from .common import LICENSE_KEY, PASSWORD, FakeCheckboxTimeouts
from .fake_checkbox import FakeCheckbox


@tagged("post_install", "-at_install")
class TestAccountantTour(FakeCheckboxTimeouts, HttpCase):
    """The demo Accountant's day in the browser, in Ukrainian: she opens the
    shift, fiscalizes an invoice at the (fake) Checkbox, looks at the receipt,
    takes an X-report and closes the shift."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fake = FakeCheckbox(cashiers={"tour-cashier": PASSWORD}, license_keys={LICENSE_KEY})
        cls.fake.start()
        cls.addClassCleanup(cls.fake.stop)
        cls.env["ir.config_parameter"].sudo().set_param("fiscal_ua.poll_interval", "0.05")
        cls.accountant = cls.env["res.users"].search([("login", "=", "accountant")])
        cls.company = cls.accountant.company_id
        env = cls.env(context=dict(cls.env.context, allowed_company_ids=cls.company.ids))
        # the company's other registers (the demo one) are put aside: this one issues
        Register = env["fiscal.cash.register"]
        Register.search([("company_id", "=", cls.company.id)]).active = False
        cashier = env["fiscal.cashier"].create(
            {
                "name": "Тур: касир",
                "company_id": cls.company.id,
                "login": "tour-cashier",
                "password": PASSWORD,
            }
        )
        cls.register = Register.create(
            {
                "name": "Тур: онлайн-каса",
                "company_id": cls.company.id,
                "mode": "test",
                "base_url": cls.fake.url,
                "license_key": LICENSE_KEY,
                "cashier_id": cashier.id,
                "request_timeout": 5.0,
                "receipt_wait": 5.0,
                "send_receipt_link": False,
                "default_payment_form_id": env.ref("fiscal_ua.payment_form_card").id,
            }
        )
        tax = env["account.tax"].create(
            {
                "name": "Тур: без ПДВ",
                "amount_type": "percent",
                "amount": 0.0,
                "type_tax_use": "sale",
                "company_id": cls.company.id,
            }
        )
        exempt = env["fiscal.tax"].create(
            {
                "register_id": cls.register.id,
                "code": 8,
                "label": "Без ПДВ",
                "symbol": "З",
                "rate": 0.0,
                "no_vat": True,
                "tax_ids": [Command.set(tax.ids)],
            }
        )
        cls.register.untaxed_tax_id = exempt
        customer = env["res.partner"].create(
            {"name": "Тур: Оксана Мельник", "phone": "+380 67 555 12 34", "lang": "uk_UA"}
        )
        product = env["product.product"].create(
            {"name": "Тур: ковдра бавовняна", "default_code": "TOUR-KOVDRA", "taxes_id": False}
        )
        cls.invoice = env["account.move"].create(
            {
                "move_type": "out_invoice",
                "company_id": cls.company.id,
                "partner_id": customer.id,
                "currency_id": cls.company.currency_id.id,
                "invoice_date": fields.Date.context_today(cls.accountant),
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "quantity": 2.0,
                            "price_unit": 745.0,
                            "tax_ids": [Command.set(tax.ids)],
                        }
                    )
                ],
            }
        )
        cls.invoice.action_post()

    def setUp(self):
        super().setUp()
        self.fake.reset()

    def test_accountant_day_at_the_cash_register(self):
        self.assertTrue(self.accountant, "the demo Accountant (login accountant) is installed")
        self.assertEqual(self.company.currency_id.name, "UAH")
        self.assertEqual(self.invoice.amount_total, 1490.0)
        self.start_tour("/odoo", "fiscal_ua_accountant_day", login="accountant")

        # the invoice carries its receipt and the fiscal number Checkbox gave it
        receipt = self.invoice.fiscal_receipt_ids
        self.assertEqual(len(receipt), 1)
        self.assertEqual((receipt.state, self.invoice.fiscal_state), ("done", "done"))
        (issued,) = self.fake.fiscal_receipts()
        self.assertEqual(receipt.fiscal_code, issued["fiscal_code"])
        self.assertEqual(issued["total_sum"], to_kopecks(self.invoice.amount_total))
        # the fake got exactly one receipt
        self.assertEqual(len(self.fake.calls_to("POST", r"receipts/sell$")), 1)
        self.assertFalse(self.fake.duplicates())
        # the shift is closed, here and at Checkbox, with its Z-report
        shift = receipt.shift_id
        self.assertEqual(shift.register_id, self.register)
        self.assertEqual(shift.status, "CLOSED")
        self.assertTrue(shift.closed_at)
        self.assertFalse(self.fake.open_shift_id)
        self.assertTrue(json.loads(shift.z_report)["is_z_report"])
        # the X-report she took showed the receipts' totals
        totals = report_totals(json.loads(shift.x_report))
        self.assertEqual(totals["sell_receipts_count"], len(shift.receipt_ids))
        self.assertEqual(
            totals["sell_sum"], sum(to_kopecks(r.amount_total) for r in shift.receipt_ids)
        )
        self.assertEqual(totals["sell_sum"], 149000)

    def test_accountant_daily_screens_open_in_ukrainian(self):
        """Every fiscal screen of her day opens without an error dialog, says
        in Ukrainian when it is empty, and shows the day's receipt."""
        self.invoice.with_user(self.accountant).action_fiscalize()
        self.assertEqual(self.invoice.fiscal_state, "done")
        self.assertEqual(self.accountant.lang, "uk_UA")
        self.start_tour("/odoo", "fiscal_ua_accountant_menus", login="accountant")
        # walking the screens sent nothing to Checkbox
        self.assertEqual(len(self.fake.calls_to("POST", r"receipts/sell$")), 1)
