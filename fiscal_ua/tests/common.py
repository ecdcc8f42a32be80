from odoo import Command
from odoo.tests import new_test_user

from odoo.addons.access_roles.tests.common import ROLES
from odoo.addons.access_roles.tests.local_fakes import LocalFakeTimeouts
from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from .fake_checkbox import FakeCheckbox

LICENSE_KEY = "test-license-key-000000001"
PASSWORD = "secret-password"
# The register's request timeout in a test where Checkbox answers too late (s): the
# fake answers (or carries the request out) as soon as the client has given up.
SHORT_TIMEOUT = 0.2


class FakeCheckboxTimeouts(LocalFakeTimeouts):
    """For a test class that runs the fake Checkbox as ``cls.fake``: its
    requests keep their own short timeouts (the suite's ``LocalFakeTimeouts``),
    so that the tests can prove what happens when Checkbox answers too late."""

    @classmethod
    def local_fake_urls(cls):
        fake = getattr(cls, "fake", None)
        return (fake.url,) if fake is not None and fake.server else ()


class FiscalCommon(FakeCheckboxTimeouts, AccountTestInvoicingCommon):
    """A company in hryvnias, one user per store role, a cash register
    pointed at a local fake Checkbox, tax rates 20 % and 7 % (VAT included)
    and the VAT-exempt rate mapped, a bank journal paid by card."""

    @classmethod
    def get_default_groups(cls):
        # the user who sets the tests up is a store administrator
        return super().get_default_groups() | cls.env.ref("access_roles.group_role_administrator")

    @classmethod
    def setup_independent_company(cls, **kwargs):
        uah = cls._enable_currency("UAH")
        return super().setup_independent_company(currency_id=uah.id, **kwargs)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fake = FakeCheckbox(cashiers={"cashier": PASSWORD}, license_keys={LICENSE_KEY})
        cls.fake.start()
        cls.addClassCleanup(cls.fake.stop)
        cls.env["ir.config_parameter"].sudo().set_param("fiscal_ua.poll_interval", "0.01")
        cls.company = cls.env.company
        cls.uah = cls.company.currency_id
        # customer messages go out at once, by SMS unless the customer chose otherwise
        cls.company.write(
            {
                "order_flow_window_start": 0.0,
                "order_flow_window_end": 24.0,
                "order_flow_default_channel": "sms",
            }
        )
        cls.users = {
            role: new_test_user(
                cls.env,
                login=f"fiscal_{role}",
                name=f"Fiscal {role}",
                groups=f"base.group_user,access_roles.group_role_{role}",
                company_id=cls.company.id,
                company_ids=[Command.set(cls.company.ids)],
            )
            for role in ROLES
        }
        cls.accountant = cls.users["accountant"]
        cls.form_card = cls.env.ref("fiscal_ua.payment_form_card")
        cls.form_online = cls.env.ref("fiscal_ua.payment_form_online")
        cls.form_cod = cls.env.ref("fiscal_ua.payment_form_cod")
        cls.form_cash = cls.env.ref("fiscal_ua.payment_form_cash")
        cls.bank_journal = cls.company_data["default_journal_bank"]
        cls.form_card.journal_ids = [Command.set(cls.bank_journal.ids)]

        cls.cashier = (
            cls.env["fiscal.cashier"]
            .sudo()
            .create(
                {
                    "name": "Test cashier",
                    "company_id": cls.company.id,
                    "login": "cashier",
                    "password": PASSWORD,
                }
            )
        )
        cls.register = (
            cls.env["fiscal.cash.register"]
            .sudo()
            .create(
                {
                    "name": "Test register",
                    "company_id": cls.company.id,
                    "mode": "test",
                    "base_url": cls.fake.url,
                    "license_key": LICENSE_KEY,
                    "cashier_id": cls.cashier.id,
                    "request_timeout": 1.0,
                    "receipt_wait": 2.0,
                    "default_payment_form_id": cls.form_card.id,
                }
            )
        )
        Tax = cls.env["account.tax"]
        tax_values = {
            "type_tax_use": "sale",
            "amount_type": "percent",
            "company_id": cls.company.id,
            "price_include_override": "tax_included",
        }
        cls.tax_20 = Tax.create(dict(tax_values, name="ПДВ 20%", amount=20.0))
        cls.tax_7 = Tax.create(dict(tax_values, name="ПДВ 7%", amount=7.0))
        cls.tax_20_excluded = Tax.create(
            dict(
                tax_values,
                name="ПДВ 20% зверху",
                amount=20.0,
                price_include_override="tax_excluded",
            )
        )
        FiscalTax = cls.env["fiscal.tax"].sudo()
        cls.fiscal_tax_20 = FiscalTax.create(
            {
                "register_id": cls.register.id,
                "code": 1,
                "label": "ПДВ",
                "symbol": "А",
                "rate": 20.0,
                "tax_ids": [Command.set((cls.tax_20 | cls.tax_20_excluded).ids)],
            }
        )
        cls.fiscal_tax_7 = FiscalTax.create(
            {
                "register_id": cls.register.id,
                "code": 2,
                "label": "ПДВ",
                "symbol": "Б",
                "rate": 7.0,
                "tax_ids": [Command.set(cls.tax_7.ids)],
            }
        )
        cls.fiscal_tax_exempt = FiscalTax.create(
            {
                "register_id": cls.register.id,
                "code": 8,
                "label": "Без ПДВ",
                "symbol": "З",
                "rate": 0.0,
                "no_vat": True,
            }
        )
        cls.register.untaxed_tax_id = cls.fiscal_tax_exempt
        Product = cls.env["product.product"]
        cls.kettle = Product.create(
            {"name": "Чайник", "default_code": "KTL-1", "list_price": 1000.0, "taxes_id": False}
        )
        cls.mug = Product.create(
            {"name": "Кружка", "default_code": "MUG-1", "list_price": 33.33, "taxes_id": False}
        )
        cls.book = Product.create(
            {"name": "Книга", "default_code": "BOOK-1", "list_price": 250.0, "taxes_id": False}
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Олена Покупець", "email": "olena@example.com", "lang": "en_US"}
        )

    def setUp(self):
        super().setUp()
        self.fake.reset()

    # ------------------------------------------------------------------ helpers
    @classmethod
    def _invoice(cls, lines, partner=None, post=True, move_type="out_invoice"):
        """``lines``: (product, quantity, price, discount, taxes)."""
        move = cls.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": (partner or cls.customer).id,
                "invoice_date": "2025-03-10",
                "currency_id": cls.uah.id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "quantity": quantity,
                            "price_unit": price,
                            "discount": discount,
                            "tax_ids": [Command.set(taxes.ids)],
                        }
                    )
                    for product, quantity, price, discount, taxes in lines
                ],
            }
        )
        if post:
            move.action_post()
        return move

    def _simple_invoice(self, amount=1000.0):
        return self._invoice([(self.kettle, 1, amount, 0.0, self.env["account.tax"])])

    def _pay(self, invoice, journal=None, amount=None):
        wizard = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create(
                {
                    "journal_id": (journal or self.bank_journal).id,
                    "amount": amount or invoice.amount_residual,
                }
            )
        )
        return wizard._create_payments()

    def _answer_late(self):
        """Checkbox answers too late in this test: the register gives up
        after ``SHORT_TIMEOUT``."""
        self.register.request_timeout = SHORT_TIMEOUT

    def _fiscalize(self, invoice, user=None):
        return invoice.with_user(user or self.accountant).action_fiscalize()

    def _receipts(self, invoice):
        return self.env["fiscal.receipt"].search([("move_id", "=", invoice.id)])
