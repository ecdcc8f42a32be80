"""Each role opens the screens of its area as the web client does: the view's
fields are read with web_read / web_search_read (related records included),
so a right missing on a model the screen shows is caught here, not by a user."""

from types import SimpleNamespace
from unittest.mock import patch

from odoo import Command
from odoo.tests import tagged

from odoo.addons.base.models import ir_ui_view

from .common import ROLES, AccessRolesCommon, RoleScreensMixin


@tagged("post_install", "-at_install")
class TestRoleScreens(RoleScreensMixin, AccessRolesCommon):
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

    def test_order_screens(self):
        for role in ("administrator", "manager", "sales", "logistics", "accountant", "support"):
            with self.subTest(role=role):
                self.open_form(role, self.order_confirmed)
                self.open_list(role, "sale.order")

    def test_paid_order_screens(self):
        """The orders customers call about are invoiced and paid: the roles
        that read orders open them, their lines included, also in debug mode
        (staff users have the technical features, which then show the lines'
        technical blocks, e.g. a line's invoice lines)."""
        order = self._make_order(self.users["sales"], self.customer)
        order.action_confirm()
        self._put_in_assembly(order)
        invoice = self._make_invoice(order)
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({})._create_payments()
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        technical = self.env.ref("base.group_no_one")
        debug_request = SimpleNamespace(session=SimpleNamespace(debug="1"))
        for role in ("administrator", "manager", "sales", "logistics", "accountant", "support"):
            self.users[role].groups_id = [Command.link(technical.id)]
            for debug in (False, True):
                with (
                    self.subTest(role=role, debug=debug),
                    patch.object(ir_ui_view, "request", debug_request if debug else None),
                ):
                    self.open_form(role, order, nested=True)
        # what Support and Logistics are not given: the invoice itself
        for role in ("logistics", "support"):
            with self.subTest(role=role):
                self.assertRefused(lambda role=role: self.as_role(invoice, role).read(["name"]))
                self.assertRefused(
                    lambda role=role: self.as_role(invoice.line_ids, role).read(["name"])
                )
                order_as_role = self.as_role(order, role)
                self.assertEqual(order_as_role.invoice_count, 1)
                self.assertRefused(lambda order=order_as_role: order.invoice_ids.read(["name"]))
                line = self.as_role(order.order_line, role)
                self.assertNotIn("invoice_lines", line.fields_get())

    def test_contact_screens(self):
        # the Purchaser's contacts (vendors): access_roles_purchase
        for role in [role for role in ROLES if role != "purchaser"]:
            with self.subTest(role=role):
                self.open_form(role, self.customer)
                self.open_list(role, "res.partner")

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
