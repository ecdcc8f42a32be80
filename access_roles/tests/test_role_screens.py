"""Each role opens the screens of its area as the web client does: the view's
fields are read with web_read / web_search_read (related records included),
so a right missing on a model the screen shows is caught here, not by a user."""

from types import SimpleNamespace
from unittest.mock import patch

from lxml import etree

from odoo import Command
from odoo.tests import tagged

from odoo.addons.base.models import ir_ui_view

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

    def _specification(self, records, view_type, nested=False):
        views = records.get_views([(False, view_type)])
        if nested:
            # as the web client: the fields of the arch the user gets, the
            # columns of an embedded list included
            return self._arch_specification(
                records, etree.fromstring(views["views"][view_type]["arch"])
            )
        fields = views["models"][records._name]["fields"]
        return {
            name: ({"fields": {"display_name": {}}} if records._fields[name].relational else {})
            for name in fields
            if name in records._fields
        }

    def _arch_specification(self, model, node):
        spec = {}
        for element in node.iter("field"):
            parent = element.getparent()
            while parent is not None and parent is not node and parent.tag != "field":
                parent = parent.getparent()
            if parent is not node:
                continue  # a field of an embedded view, read with its x2many
            field = model._fields.get(element.get("name"))
            if field is None:
                continue
            if field.type in ("one2many", "many2many") and len(element):
                comodel = self.env[field.comodel_name].with_user(model.env.user)
                spec[field.name] = {"fields": self._arch_specification(comodel, element)}
            elif field.relational:
                spec[field.name] = {"fields": {"display_name": {}}}
            else:
                spec[field.name] = {}
        return spec

    def open_form(self, role, record, nested=False):
        record = record.with_user(self.users[role])
        values = self.assertAllowed(
            lambda: record.web_read(self._specification(record, "form", nested)),
            f"{role} opening {record}",
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
