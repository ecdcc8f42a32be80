from odoo.tests import tagged

from .common import OrderFlowCommon


@tagged("post_install", "-at_install")
class TestJourney(OrderFlowCommon):
    """Whole journeys of one order, each step done by the role that does it."""

    def test_self_pickup_order_from_new_to_done(self):
        sales, logistics = self.sales, self.users["logistics"]
        order = self.make_order(qty=2)
        self.assertEqual(order.stage_id.code, "availability_confirmed")
        order.with_user(sales).write({"carrier_id": self.self_pickup.id, "require_payment": True})
        self.move(order, "agreed", user=sales)
        self.assertIn("Payment link", order.customer_message_ids.mapped("template_name"))
        self.pay(order)
        self.assertEqual(order.stage_id.code, "to_assembly")
        self.move(order, "assembling", user=logistics)
        self.move(order, "assembled", user=logistics)
        self.assertEqual(order.stage_id.code, "to_delivery")
        self.move(order, "ready_for_pickup", user=logistics)
        self.move(order, "done", user=sales)
        self.assertEqual(order.stage_id.code, "done")
        self.assertTrue(order.locked)
        self.assertEqual(
            [visit.stage_id.code for visit in self.visits(order)],
            [
                "new",
                "availability_confirmed",
                "agreed",
                "to_assembly",
                "assembling",
                "assembled",
                "to_delivery",
                "ready_for_pickup",
                "done",
            ],
        )
        self.assertEqual(
            order.customer_message_ids.sorted("id").mapped("template_name"),
            [
                "Order received",
                "Payment link",
                "Order paid",
                "Ready for self-pickup",
                "Completed (thank you)",
            ],
        )

    def test_carrier_order_from_new_to_returned(self):
        sales, logistics = self.sales, self.users["logistics"]
        order = self.make_order(carrier=self.carrier, require_payment=False)
        self.move(order, "agreed", user=sales)
        self.pay(order, amount=150.0)  # prepayment; the rest is cash on delivery
        self.assertEqual(order.stage_id.code, "to_assembly")
        order.sudo().delivery_cod_state = "expected"
        self.move(order, "assembling", user=logistics)
        self.move(order, "assembled", user=logistics)
        order.with_user(logistics).write(
            {
                "delivery_tracking_ref": "20450000000077",
                "delivery_point_name": "Branch No. 3",
                "delivery_storage_until": "2031-05-20",
            }
        )
        order._order_flow_carrier_move("at_pickup_point")
        self.assertEqual(order.stage_id.code, "at_pickup_point")
        self.assertEqual(self.visits(order)[-1].cause, "carrier")
        order.sudo().delivery_return_in_transit = True
        self.move(order, "returned", user=logistics, operator_comment="Not collected")
        self.assertEqual(order.stage_id.code, "returned")
        self.assertEqual(
            order.customer_message_ids.sorted("id").mapped("template_name"),
            [
                "Order received",
                "Shipped with tracking number",
                "Arrived at pickup point",
                "Return",
            ],
            "the return is announced once, when the parcel starts back",
        )
