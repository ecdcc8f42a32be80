from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import OrderFlowCommon


@tagged("post_install", "-at_install")
class TestValidations(OrderFlowCommon):
    def assertRefusedUnchanged(self, order, regex, action):
        snapshot = order.read(["stage_id", "partner_id", "operator_comment", "note"])[0]
        visits = order.stage_history_ids
        with self.assertRaisesRegex(UserError, regex):
            action()
        order.invalidate_recordset()
        self.assertEqual(
            order.read(["stage_id", "partner_id", "operator_comment", "note"])[0], snapshot
        )
        self.assertEqual(order.stage_history_ids, visits)

    def test_1_no_assembly_before_payment(self):
        order = self.make_order(carrier=self.self_pickup)
        self.assertRefusedUnchanged(
            order,
            "before it is paid at least in part",
            lambda: self.move(order, "to_assembly", user=self.users["manager"]),
        )

    def test_2_done_order_cannot_be_edited(self):
        order = self.make_order(carrier=self.self_pickup)
        self.pay(order)
        self.walk(order, "assembling", "assembled", "ready_for_pickup", "done")
        self.assertTrue(order.locked, "a final status locks the Odoo order")
        self.assertRefusedUnchanged(
            order,
            "can no longer be changed",
            lambda: order.with_user(self.users["manager"]).write({"note": "late change"}),
        )
        admin = self.users["administrator"]
        self.assertRefusedUnchanged(
            order,
            "can no longer be changed",
            lambda: order.with_user(admin).write({"note": "late change"}),
        )
        # The administrator unlocks the field in the status: now it can be changed.
        self.stage("done").with_user(admin).unlocked_field_ids = self.env.ref(
            "sale.field_sale_order__note"
        )
        order.with_user(admin).write({"note": "late change"})
        self.assertIn("late change", str(order.note))
        with self.assertRaisesRegex(UserError, "can no longer be changed"):
            order.with_user(self.users["manager"]).write({"note": "other"})

    def test_3_only_responsible_salesperson(self):
        other = self.env["res.users"].create(
            {
                "name": "Other seller",
                "login": "flow_other_seller",
                "groups_id": [(6, 0, self.users["sales"].groups_id.ids)],
            }
        )
        order = self.make_order()
        # A salesperson of another order (given read access by a wider rule) is refused.
        self.assertRefusedUnchanged(
            order,
            r"Only the responsible salesperson \(Flow sales\)",
            lambda: order.with_user(other)._order_flow_check_edit({"note": "x"}),
        )
        order.with_user(self.users["manager"]).write({"operator_comment": "checked"})
        self.assertEqual(order.operator_comment, "checked")

    def test_4_customer_fixed_after_new(self):
        order = self.make_order()
        self.assertEqual(order.stage_id.code, "availability_confirmed")
        other = self.env["res.partner"].create({"name": "Somebody else"})
        self.assertRefusedUnchanged(
            order,
            "“Customer” of order .* cannot be changed in the status “Availability confirmed”",
            lambda: order.with_user(self.users["manager"]).write({"partner_id": other.id}),
        )
        draft = self.env["sale.order"].create({"partner_id": self.customer.id})
        draft.write({"partner_id": other.id})
        self.assertEqual(draft.partner_id, other, "in New the customer may change")

    def test_5_protected_fields_per_status(self):
        order = self.make_order()
        self.stage("availability_confirmed").protected_field_ids |= self.env.ref(
            "sale.field_sale_order__client_order_ref"
        )
        self.assertRefusedUnchanged(
            order,
            "“Customer Reference” of order",
            lambda: order.with_user(self.users["manager"]).write({"client_order_ref": "X-1"}),
        )

    def test_6_delivery_method_before_assembly(self):
        order = self.make_order()
        self.pay(order)
        # Payment moved nothing: the automatic move was refused and explained.
        self.assertEqual(order.stage_id.code, "availability_confirmed")
        self.assertIn(
            "without a delivery method",
            order.activity_ids.filtered(
                lambda a: a.summary == "Automatic status change refused"
            ).note,
        )
        self.assertRefusedUnchanged(
            order,
            "without a delivery method",
            lambda: self.move(order, "to_assembly", user=self.users["manager"]),
        )
        self.move(order, "to_assembly", user=self.users["manager"], carrier_id=self.courier.id)
        self.assertEqual(order.stage_id.code, "to_assembly")

    def test_7_comment_required_to_cancel(self):
        order = self.make_order()
        self.assertRefusedUnchanged(
            order,
            "without an operator comment",
            lambda: self.move(order, "cancelled", user=self.sales),
        )
        # Odoo's own Cancel button follows the same rule.
        self.assertRefusedUnchanged(
            order,
            "without an operator comment",
            lambda: order.with_user(self.sales)._action_cancel(),
        )
        self.move(order, "cancelled", user=self.sales, operator_comment="Customer changed mind")
        self.assertEqual(order.state, "cancel")
        self.assertFalse(
            order.picking_ids.move_ids.filtered(lambda m: m.state == "assigned"),
            "cancelling releases the reservation",
        )

    def test_8_done_requires_full_payment_or_cod_transfer(self):
        order = self.make_order(carrier=self.carrier)
        self.pay(order, amount=100.0)
        self.assertEqual(order.order_payment_state, "partial")
        self.walk(order, "assembling", "assembled", "at_pickup_point")
        self.assertRefusedUnchanged(
            order,
            "it is not fully paid",
            lambda: self.move(order, "done", user=self.users["manager"]),
        )
        order.sudo().delivery_cod_state = "transferred"
        self.move(order, "done", user=self.users["manager"])
        self.assertEqual(order.stage_id.code, "done")

    def test_bulk_change_reports_refusals(self):
        paid = self.make_order(carrier=self.self_pickup)
        self.pay(paid)
        self.walk(paid, "assembling")
        unpaid = self.make_order(carrier=self.self_pickup)
        orders = paid | unpaid
        wizard = (
            self.env["sale.order.stage.change"]
            .with_user(self.users["manager"])
            .create({"order_ids": [(6, 0, orders.ids)], "stage_id": self.stage("cancelled").id})
        )
        wizard.action_apply()
        self.assertEqual(wizard.refused_count, 2)
        self.assertIn("without an operator comment", wizard.result)
        wizard = (
            self.env["sale.order.stage.change"]
            .with_user(self.users["manager"])
            .create(
                {
                    "order_ids": [(6, 0, orders.ids)],
                    "stage_id": self.stage("assembled").id,
                }
            )
        )
        wizard.action_apply()
        self.assertEqual((wizard.moved_count, wizard.refused_count), (1, 1))
        self.assertIn(unpaid.name, wizard.result)
        self.assertEqual(paid.stage_id.code, "to_delivery")
        self.assertEqual(unpaid.stage_id.code, "availability_confirmed")
