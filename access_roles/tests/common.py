from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user
from odoo.tests.common import TransactionCase

ROLES = (
    "administrator",
    "manager",
    "sales",
    "logistics",
    "accountant",
    "marketer",
    "support",
    "purchaser",
)


class AccessRolesCommon(TransactionCase):
    """One user per store role and a small store: customers, a vendor, a
    product, orders of two salespeople (draft, confirmed, unassigned), a
    delivery and a customer invoice."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, lang="en_US"))
        cls.users = {
            role: new_test_user(
                cls.env,
                login=f"test_{role}",
                name=f"Test {role}",
                groups=f"base.group_user,access_roles.group_role_{role}",
            )
            for role in ROLES
        }
        cls.other_sales = new_test_user(
            cls.env,
            login="test_sales_other",
            name="Other salesperson",
            groups="base.group_user,access_roles.group_role_sales",
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Customer Olha", "phone": "+380501112233", "customer_rank": 1}
        )
        cls.other_customer = cls.env["res.partner"].create(
            {"name": "Customer Ivan", "phone": "+380671112233", "customer_rank": 1}
        )
        cls.vendor = cls.env["res.partner"].create({"name": "Vendor LLC", "supplier_rank": 1})
        cls.segment = cls.env["res.partner.category"].create({"name": "VIP"})
        cls.product = cls.env["product.product"].create(
            {
                "name": "Kettle",
                "type": "consu",
                "is_storable": True,
                "list_price": 1000.0,
                "standard_price": 600.0,
            }
        )
        stock = cls.env.ref("stock.stock_location_stock")
        cls.env["stock.quant"]._update_available_quantity(cls.product, stock, 100)
        cls.carrier = cls.env["delivery.carrier"].search([], limit=1) or cls.env[
            "delivery.carrier"
        ].create(
            {
                "name": "Test carrier",
                "product_id": cls.env["product.product"]
                .create({"name": "Delivery", "type": "service"})
                .id,
            }
        )
        sales = cls.users["sales"]
        cls.order_draft = cls._make_order(sales, cls.customer)
        cls.order_confirmed = cls._make_order(sales, cls.customer)
        cls.order_confirmed.action_confirm()
        cls._put_in_assembly(cls.order_confirmed)
        cls.order_other = cls._make_order(cls.other_sales, cls.other_customer)
        cls.order_unassigned = cls._make_order(cls.env["res.users"], cls.customer)
        cls.picking = cls.order_confirmed.picking_ids[:1]
        cls.invoice_own = cls._make_invoice(cls.order_confirmed)
        other_confirmed = cls._make_order(cls.other_sales, cls.other_customer)
        other_confirmed.action_confirm()
        cls._put_in_assembly(other_confirmed)
        cls.invoice_other = cls._make_invoice(other_confirmed)

    @classmethod
    def _make_order(cls, salesperson, partner):
        # A quotation composed in the back office: created, then its lines
        # added. (With the order flow installed, an order created together
        # with its lines is confirmed at once by the auto-reservation rule.)
        order = cls.env["sale.order"].create(
            {"partner_id": partner.id, "user_id": salesperson.id or False}
        )
        order.order_line = [
            Command.create({"product_id": cls.product.id, "product_uom_qty": 2, "price_unit": 1000})
        ]
        return order

    @classmethod
    def _put_in_assembly(cls, order):
        """A confirmed order is in the warehouse's hands. Without the order
        flow its status group follows Odoo's state; with it, the business
        status decides, so the fixture puts the order in “Sent to assembly”
        directly (set-up data, not the process the order flow tests)."""
        if "stage_id" in order._fields:
            stage = cls.env["sale.order.stage"].search([("code", "=", "to_assembly")])
            order.sudo()._write({"stage_id": stage.id})
            order.invalidate_recordset()

    @classmethod
    def _make_invoice(cls, order):
        order.order_line.qty_delivered = order.order_line.product_uom_qty
        invoice = order._create_invoices()
        invoice.action_post()
        return invoice

    # ------------------------------------------------------------------
    def as_role(self, record, role):
        return record.with_user(self.users[role])

    def assertAllowed(self, func, msg=None):
        try:
            return func()
        except (AccessError, UserError) as error:  # pragma: no cover - shows why
            self.fail(f"{msg or 'operation'} was refused: {error}")

    def assertRefused(self, func, record=None, fields=None, msg=None, exception=AccessError):
        """The operation raises (AccessError unless told otherwise) and the
        record is left exactly as it was."""
        before = record.sudo().read(fields)[0] if record else None
        with self.assertRaises(exception, msg=msg):
            func()
        if record:
            record.invalidate_recordset()
            self.assertEqual(
                record.sudo().read(fields)[0], before, "refused change altered the record"
            )


class RoleScreensMixin:
    """Opens a screen as the web client does, as a user of a role: the
    view's fields are read with web_read / web_search_read."""

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
