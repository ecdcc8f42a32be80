"""A day of the store across roles: an order goes from the Sales Manager to
the warehouse, the accountant and support, each seeing and doing only what
the role allows."""

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tests.common import TransactionCase


@tagged("post_install", "-at_install")
class TestStoreDay(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))

        def user(role):
            return new_test_user(
                cls.env,
                login=f"day_{role}",
                groups=f"base.group_user,access_roles.group_role_{role}",
            )

        cls.sales, cls.logistics, cls.accountant, cls.support, cls.marketer = (
            user(role) for role in ("sales", "logistics", "accountant", "support", "marketer")
        )
        cls.customer = cls.env["res.partner"].create({"name": "Оксана Коваль", "customer_rank": 1})
        cls.product = cls.env["product.product"].create(
            {
                "name": "Чайник",
                "type": "consu",
                "is_storable": True,
                "list_price": 1200,
                "standard_price": 700,
            }
        )
        cls.env["stock.quant"]._update_available_quantity(
            cls.product, cls.env.ref("stock.stock_location_stock"), 10
        )

    def test_order_through_the_roles(self):
        # The Sales Manager takes the order and agrees a discount while it is new.
        order = (
            self.env["sale.order"].with_user(self.sales).create({"partner_id": self.customer.id})
        )
        order.order_line = [Command.create({"product_id": self.product.id, "product_uom_qty": 1})]
        order.order_line.discount = 10
        self.assertEqual(order.amount_untaxed, 1080)
        # The warehouse does not see quotations.
        self.assertFalse(
            self.env["sale.order"].with_user(self.logistics).search([("id", "=", order.id)])
        )
        # She chooses self-pickup and reserves the goods: the order is confirmed.
        order.carrier_id = self.env.ref("crm_order_flow.carrier_self_pickup")
        order.action_order_flow_reserve()
        self.assertEqual(order.stage_id.code, "availability_confirmed")
        self.assertEqual(order.state, "sale")
        # The accountant invoices it and registers the payment: the order goes to assembly.
        invoice = order.with_user(self.accountant).sudo()._create_invoices()
        invoice.with_user(self.accountant).action_post()
        self.env["account.payment.register"].with_user(self.accountant).with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({})._create_payments()
        self.env.flush_all()
        self.assertEqual(order.stage_id.code, "to_assembly")
        # The warehouse sees it, ships it, and may not touch prices.
        order_wh = order.with_user(self.logistics)
        self.assertEqual(order_wh.name, order.name)
        picking = order.picking_ids.with_user(self.logistics)
        picking.move_ids.quantity = 1
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        with self.assertRaises(AccessError):
            order_wh.order_line.price_unit = 1
        # In assembly the Sales Manager may not change the price any more.
        with self.assertRaises(AccessError):
            order.order_line.discount = 50
        self.assertEqual(order.order_line.discount, 10)
        # The Sales Manager reads the invoice of his order.
        self.assertEqual(invoice.with_user(self.sales).amount_total, invoice.amount_total)
        # Support answers the customer from the order, cannot see the invoice.
        order.with_user(self.support).message_post(body="Клієнтка питала про доставку")
        with self.assertRaises(AccessError):
            invoice.with_user(self.support).read(["name"])
        # The marketer tags the customer but never sees the order.
        self.customer.with_user(self.marketer).category_id = [
            Command.create({"name": "Постійні клієнти"})
        ]
        with self.assertRaises(AccessError):
            order.with_user(self.marketer).read(["amount_total"])
