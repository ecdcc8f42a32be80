from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import OrderFlowCommon


@tagged("post_install", "-at_install")
class TestBadInput(OrderFlowCommon):
    def assertRefusedLine(self, func, order):
        before = order.order_line.read(["product_uom_qty", "price_unit"])
        total = order.amount_total
        with self.assertRaises(ValidationError) as refused:
            func()
        order.invalidate_recordset()
        order.order_line.invalidate_recordset()
        self.assertEqual(order.order_line.read(["product_uom_qty", "price_unit"]), before)
        self.assertEqual(order.amount_total, total)
        return str(refused.exception)

    def test_negative_quantity_and_price_are_refused(self):
        order = (
            self.env["sale.order"]
            .with_user(self.sales)
            .create({"partner_id": self.customer.id, "user_id": self.sales.id})
        )
        order.order_line = [Command.create({"product_id": self.product.id, "product_uom_qty": 2})]
        line = order.order_line.with_user(self.sales)
        message = self.assertRefusedLine(lambda: line.write({"product_uom_qty": -3}), order)
        self.assertIn("cannot be negative", message)
        self.assertIn("Kettle", message)
        message = self.assertRefusedLine(lambda: line.write({"price_unit": -1000}), order)
        self.assertIn("unit price", message)
        self.assertRefusedLine(
            lambda: order.with_user(self.sales).write(
                {
                    "order_line": [
                        Command.create(
                            {"product_id": self.product.id, "product_uom_qty": -1, "price_unit": 5}
                        )
                    ]
                }
            ),
            order,
        )
        self.assertEqual(len(order.order_line), 1)

    def test_refusal_is_in_the_users_language(self):
        self.env["res.lang"]._activate_lang("uk_UA")
        order = (
            self.env["sale.order"]
            .with_user(self.sales)
            .create({"partner_id": self.customer.id, "user_id": self.sales.id})
        )
        order.order_line = [Command.create({"product_id": self.product.id, "product_uom_qty": 1})]
        line = order.order_line.with_user(self.sales).with_context(lang="uk_UA")
        with self.assertRaises(ValidationError) as refused:
            line.write({"price_unit": -1})
        self.assertIn("не може бути від’ємною", str(refused.exception))

    def test_discount_lines_keep_their_negative_price(self):
        """Odoo's Discount button adds a line of the company's discount
        product with a negative price: that is a discount, not bad input."""
        order = (
            self.env["sale.order"]
            .with_user(self.sales)
            .create({"partner_id": self.customer.id, "user_id": self.sales.id})
        )
        order.order_line = [Command.create({"product_id": self.product.id, "product_uom_qty": 1})]
        if not self.company.sale_discount_product_id:
            self.company.sale_discount_product_id = self.env["product.product"].create(
                {"name": "Discount", "type": "service", "list_price": 0.0}
            )
        wizard = (
            self.env["sale.order.discount"]
            .with_user(self.sales)
            .create({"sale_order_id": order.id, "discount_type": "amount", "discount_amount": 100})
        )
        total = order.amount_total
        wizard.action_apply_discount()
        discount = order.order_line.filtered(lambda line: line.price_unit < 0)
        self.assertEqual(discount.product_id, self.company.sale_discount_product_id)
        self.assertAlmostEqual(order.amount_total, total - 100, places=1)
        # but no other product line may carry a negative price
        with self.assertRaises(ValidationError):
            order.order_line.filtered(lambda line: line.product_id == self.product).with_user(
                self.sales
            ).price_unit = -5
