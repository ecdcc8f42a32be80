from datetime import datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import OrderFlowCommon

T0 = datetime(2031, 4, 7, 9, 0, 0)


@tagged("post_install", "-at_install")
class TestAutomations(OrderFlowCommon):
    def test_auto_reservation_success(self):
        order = self.make_order(qty=3)
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.stage_id.code, "availability_confirmed")
        moves = order.picking_ids.move_ids
        self.assertEqual(set(moves.mapped("state")), {"assigned"})
        self.assertTrue(
            order.activity_ids.filtered(
                lambda a: a.summary == "Agree payment and delivery with the customer"
            )
        )

    def test_auto_reservation_failure_offers_replacement(self):
        order = self.make_order(product=self.product_missing)
        self.assertEqual(order.stage_id.code, "offer_replacement")
        summaries = order.activity_ids.mapped("summary")
        self.assertIn("Contact the customer", summaries)
        self.assertIn("Offer a replacement", summaries)
        self.assertIn(
            "Toaster",
            order.activity_ids.filtered(lambda a: a.summary == "Contact the customer").note,
        )

    def test_re_reservation_chain(self):
        automation = self.env["base.automation"]
        with freeze_time(T0):
            automation.search([("trigger", "=", "on_time")]).write({"last_run": T0})
            order = self.make_order(product=self.product_missing)
            self.move(order, "ready_to_wait", user=self.sales)
        with freeze_time(T0 + timedelta(days=1, minutes=1)):
            automation._check()
        self.assertEqual(order.stage_id.code, "ready_to_wait", "nothing arrived: waits again")
        self.assertEqual(
            [visit.stage_id.code for visit in self.visits(order)][-2:],
            ["awaiting_arrival", "ready_to_wait"],
        )
        # Stock arrives; the next round of the chain reserves it.
        self.env["stock.quant"]._update_available_quantity(
            self.product_missing, self.stock_location, 5
        )
        with freeze_time(T0 + timedelta(days=2, minutes=2)):
            automation._check()
        self.assertEqual(order.stage_id.code, "availability_confirmed")

    def _refused_shipment(self):
        """An order assembled by Logistics whose carrier refuses the shipment;
        returns it with the salesperson's to-dos about the failure."""
        order = self.make_order(carrier=self.carrier)
        self.pay(order)
        self.walk(order, "assembling")
        with patch.object(
            type(self.env["delivery.carrier"]),
            "_order_flow_register_shipment",
            side_effect=UserError("The carrier refused: recipient phone is missing"),
        ):
            self.move(order, "assembled", user=self.users["logistics"])
        self.assertEqual(order.stage_id.code, "delivery_postponed")
        why = order.activity_ids.filtered(lambda a: a.summary.startswith("Find out why"))
        self.assertIn("recipient phone is missing", why.note)
        return order, why

    def test_assembled_goes_to_delivery_and_carrier_registration(self):
        # One to-do for the salesperson, the postponed rule's, saying why.
        _order, why = self._refused_shipment()
        self.assertEqual(why.mapped("summary"), ["Find out why delivery was postponed"])

    def test_shipment_failure_without_the_postponed_rule(self):
        """An administrator switched the postponed rule off: the failure
        still gives the salesperson one to-do with the reason."""
        self.env.ref("crm_order_flow.automation_15_postponed").active = False
        _order, why = self._refused_shipment()
        self.assertEqual(why.mapped("summary"), ["Find out why the shipment failed"])

    def test_tracking_number_message(self):
        order = self.make_order(carrier=self.carrier)
        order.with_user(self.users["logistics"]).delivery_tracking_ref = "20450000000001"
        log = order.customer_message_ids.filtered(
            lambda m: m.template_name == "Shipped with tracking number"
        )
        self.assertEqual(len(log), 1)
        self.assertIn("20450000000001", log.message_id.body)

    def test_pickup_point_reminders(self):
        automation = self.env["base.automation"]
        order = self.make_order(carrier=self.carrier)
        self.pay(order)
        self.walk(order, "assembling", "assembled")
        with freeze_time(T0):
            automation.search([("trigger", "=", "on_time")]).write({"last_run": T0})
            order.sudo().write(
                {
                    "delivery_point_name": "Branch No. 12",
                    "delivery_storage_until": "2031-04-14",
                }
            )
            self.walk(order, "at_pickup_point")
        names = lambda: order.customer_message_ids.mapped("template_name")  # noqa: E731
        self.assertEqual(names().count("Arrived at pickup point"), 1)
        with freeze_time(T0 + timedelta(days=4, hours=23)):
            automation._check()
        self.assertNotIn("Not collected from carrier (reminder)", names())
        with freeze_time(T0 + timedelta(days=5, minutes=1)):
            automation._check()
        self.assertIn("Not collected from carrier (reminder)", names())
        self.assertFalse(
            order.activity_ids.filtered(
                lambda a: a.summary == "Call the customer: parcel not collected"
            )
        )
        with freeze_time(T0 + timedelta(days=6, minutes=1)):
            automation._check()
        call = order.activity_ids.filtered(
            lambda a: a.summary == "Call the customer: parcel not collected"
        )
        self.assertEqual(call.user_id, self.sales)

    def test_self_pickup_reminder_after_two_days(self):
        automation = self.env["base.automation"]
        order = self.make_order(carrier=self.self_pickup)
        self.pay(order)
        self.walk(order, "assembling", "assembled")
        with freeze_time(T0):
            automation.search([("trigger", "=", "on_time")]).write({"last_run": T0})
            self.move(order, "ready_for_pickup", user=self.users["logistics"])
        with freeze_time(T0 + timedelta(days=2, minutes=1)):
            automation._check()
        self.assertIn(
            "Not collected, self-pickup (reminder)",
            order.customer_message_ids.mapped("template_name"),
        )

    def test_returned_goods_back_to_stock(self):
        order = self.make_order(qty=2, carrier=self.carrier)
        self.pay(order)
        self.walk(order, "assembling")
        picking = order.picking_ids
        picking = picking.with_user(self.users["logistics"])
        picking.move_ids.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        available = self.product.qty_available
        self.walk(order, "assembled", "delivering")
        self.move(
            order, "returned", user=self.users["logistics"], operator_comment="Refused at door"
        )
        self.env.invalidate_all()
        self.assertEqual(self.product.qty_available, available + 2)
        self.assertTrue(order.locked)
        self.assertIn("Return", order.customer_message_ids.mapped("template_name"))

    def test_admin_edit_of_rule_survives_and_applies(self):
        rule = self.env.ref("crm_order_flow.automation_02_new_notify")
        rule.active = False
        order = self.make_order()
        self.assertNotIn("Order received", order.customer_message_ids.mapped("template_name"))

    def test_missed_call_extension_point(self):
        order = self.make_order()
        order._order_flow_handle_call("missed")
        self.assertIn(
            "Call back: missed call from the customer", order.activity_ids.mapped("summary")
        )
