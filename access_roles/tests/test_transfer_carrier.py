from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import AccessRolesCommon


@tagged("post_install", "-at_install")
class TestTransferCarrier(AccessRolesCommon):
    """The delivery method chosen on a confirmed order reaches its transfer,
    while the transfer's carrier itself stays out of a Sales Manager's hands."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        product = cls.env["product.product"].create({"name": "Shipping", "type": "service"})
        cls.carrier_a = cls.env["delivery.carrier"].create(
            {"name": "Carrier A", "product_id": product.id, "fixed_price": 70}
        )
        cls.carrier_b = cls.env["delivery.carrier"].create(
            {"name": "Carrier B", "product_id": product.id, "fixed_price": 90}
        )

    def _choose_carrier(self, role, order, carrier):
        """What the “Add shipping” dialog of the order form does."""
        user = self.users[role]
        wizard = (
            self.env["choose.delivery.carrier"]
            .with_user(user)
            .create({"order_id": order.id, "carrier_id": carrier.id})
        )
        wizard.button_confirm()

    def test_sales_manager_chooses_the_delivery_method_of_a_confirmed_order(self):
        order = self.order_confirmed
        self.assertEqual(order.state, "sale")
        self.assertTrue(self.picking)
        self.assertAllowed(lambda: self._choose_carrier("sales", order, self.carrier_a))
        self.assertEqual(order.carrier_id, self.carrier_a)
        self.assertEqual(self.picking.carrier_id, self.carrier_a, "the transfer follows its order")
        # and again, to another one
        self.assertAllowed(lambda: self._choose_carrier("sales", order, self.carrier_b))
        self.assertEqual(self.picking.carrier_id, self.carrier_b)

    def test_manager_chooses_the_delivery_method_of_a_confirmed_order(self):
        self.assertAllowed(
            lambda: self._choose_carrier("manager", self.order_confirmed, self.carrier_a)
        )
        self.assertEqual(self.picking.carrier_id, self.carrier_a)

    def test_sales_manager_cannot_set_another_carrier_on_the_transfer(self):
        self._choose_carrier("sales", self.order_confirmed, self.carrier_a)
        picking = self.as_role(self.picking, "sales")
        self.assertRefused(
            lambda: picking.write({"carrier_id": self.carrier_b.id}),
            self.picking,
            ["carrier_id"],
        )
        self.assertRefused(
            lambda: picking.write({"carrier_id": False}), self.picking, ["carrier_id"]
        )
        # the carrier of the order together with another field of the transfer
        self.assertRefused(
            lambda: picking.write({"carrier_id": self.carrier_a.id, "origin": "X"}),
            self.picking,
            ["carrier_id", "origin"],
        )

    def test_the_orders_carrier_is_no_pass_for_a_transfer_of_another_order(self):
        # The order's carrier is A; the transfer of an order whose delivery
        # method is B cannot be set to A by pointing at the first order.
        self._choose_carrier("sales", self.order_confirmed, self.carrier_a)
        other = self._make_order(self.users["sales"], self.customer)
        other.action_confirm()
        self._put_in_assembly(other)
        self._choose_carrier("sales", other, self.carrier_b)
        picking = other.picking_ids[:1]
        self.assertRefused(
            lambda: self.as_role(picking, "sales").write({"carrier_id": self.carrier_a.id}),
            picking,
            ["carrier_id"],
        )

    def test_the_orders_carrier_needs_the_right_to_change_that_order(self):
        # A Sales Manager does not change another salesperson's order, so
        # neither the carrier of its transfer.
        order = self._make_order(self.other_sales, self.other_customer)
        order.action_confirm()
        self._put_in_assembly(order)
        order.carrier_id = self.carrier_a
        picking = order.picking_ids[:1]
        self.assertRefused(
            lambda: self.as_role(picking, "sales").write({"carrier_id": self.carrier_a.id}),
            picking,
            ["carrier_id"],
        )

    def test_the_delivery_line_goes_only_with_a_new_delivery_method(self):
        # The shipping line of an order in assembly is replaced when the
        # delivery method changes, never deleted by hand by a Sales Manager.
        self._choose_carrier("sales", self.order_confirmed, self.carrier_a)
        line = self.order_confirmed.order_line.filtered("is_delivery")
        self.assertEqual(len(line), 1)
        self.assertIn("Carrier A", line.name)
        with self.assertRaises(AccessError):
            self.as_role(line, "sales").unlink()
        self.assertTrue(line.exists())
        self._choose_carrier("sales", self.order_confirmed, self.carrier_b)
        self.assertFalse(line.exists())
        self.assertIn("Carrier B", self.order_confirmed.order_line.filtered("is_delivery").name)
