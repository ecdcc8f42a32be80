"""Each role opens the screens of its area as the web client does: the view's
fields are read with web_read / web_search_read (related records included),
so a right missing on a model the screen shows is caught here, not by a user."""

from odoo import Command
from odoo.tests import tagged

from .common import ROLES, AccessRolesCommon


@tagged("post_install", "-at_install")
class TestRoleScreens(AccessRolesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # what a real order shows: tags, an optional product, a quotation template
        template = cls.env["sale.order.template"].create({"name": "Kettle offer"})
        cls.order_confirmed.write(
            {
                "tag_ids": [Command.create({"name": "Instagram"})],
                "sale_order_template_id": template.id,
                "sale_order_option_ids": [
                    Command.create(
                        {"product_id": cls.product.id, "name": "Spare lid", "price_unit": 50}
                    )
                ],
            }
        )
        cls.customer.category_id = [Command.create({"name": "Regular"})]
        cls.product.product_tmpl_id.product_tag_ids = [Command.create({"name": "Kitchen"})]

    def _specification(self, records, view_type):
        views = records.get_views([(False, view_type)])
        fields = views["models"][records._name]["fields"]
        return {
            name: ({"fields": {"display_name": {}}} if records._fields[name].relational else {})
            for name in fields
            if name in records._fields
        }

    def open_form(self, role, record):
        record = record.with_user(self.users[role])
        values = self.assertAllowed(
            lambda: record.web_read(self._specification(record, "form")), f"{role} opening {record}"
        )
        self.assertEqual(values[0]["id"], record.id)

    def open_list(self, role, model, domain=None):
        Model = self.env[model].with_user(self.users[role])
        self.assertAllowed(
            lambda: Model.web_search_read(
                domain or [], self._specification(Model, "list"), limit=80
            ),
            f"{role} listing {model}",
        )

    def test_order_screens(self):
        for role in ("administrator", "manager", "sales", "logistics", "accountant", "support"):
            with self.subTest(role=role):
                self.open_form(role, self.order_confirmed)
                self.open_list(role, "sale.order")

    def test_contact_screens(self):
        for role in [role for role in ROLES if role != "purchaser"]:
            with self.subTest(role=role):
                self.open_form(role, self.customer)
                self.open_list(role, "res.partner")
        self.open_form("purchaser", self.vendor)
        self.open_list("purchaser", "res.partner")

    def test_product_screens(self):
        for role in ROLES:
            with self.subTest(role=role):
                self.open_form(role, self.product.product_tmpl_id)
                self.open_list(role, "product.template")

    def test_transfer_screens(self):
        for role in (
            "administrator",
            "manager",
            "sales",
            "logistics",
            "accountant",
            "support",
            "purchaser",
        ):
            with self.subTest(role=role):
                self.open_form(role, self.picking)
                self.open_list(role, "stock.picking")

    def test_invoice_screens(self):
        for role in ("administrator", "manager", "accountant"):
            with self.subTest(role=role):
                self.open_form(role, self.invoice_other)
                self.open_list(role, "account.move")
        self.open_form("sales", self.invoice_own)

    def test_purchase_screens(self):
        for role in ("administrator", "manager", "logistics", "accountant", "purchaser"):
            with self.subTest(role=role):
                self.open_form(role, self.purchase)
                self.open_list(role, "purchase.order")
