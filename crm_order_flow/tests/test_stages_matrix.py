from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import OrderFlowCommon


@tagged("post_install", "-at_install")
class TestStagesMatrix(OrderFlowCommon):
    def test_statuses_groups_and_default(self):
        stages = self.env["sale.order.stage"].search([])
        self.assertEqual(len(stages), 18)
        by_group = {}
        for stage in stages:
            by_group.setdefault(stage.group_code, []).append(stage.code)
        self.assertEqual(by_group["new"], ["new"])
        self.assertEqual(len(by_group["approval"]), 5)
        self.assertEqual(by_group["done"], ["done", "partially_done"])
        self.assertEqual(by_group["cancel"], ["cancelled", "returned"])
        self.assertTrue(self.stage("done").is_final)
        self.assertEqual(self.stage("availability_confirmed").time_limit, 15)
        order = self.env["sale.order"].create({"partner_id": self.customer.id})
        self.assertEqual(order.stage_id.code, "new", "an order without lines stays in New")
        self.assertTrue(order.stage_history_ids, "the first visit is recorded")

    def test_stage_field_offers_stage_trigger(self):
        """Odoo's “Stage is set to” trigger finds the status field by name."""
        rule = self.env["base.automation"].new(
            {"model_id": self.env.ref("sale.model_sale_order").id, "trigger": "on_stage_set"}
        )
        self.assertEqual(rule._get_trigger_specific_field().name, "stage_id")

    def test_kanban_shows_every_status(self):
        groups = self.env["sale.order"].web_read_group(
            [("id", "=", 0)], ["stage_id"], ["stage_id"]
        )["groups"]
        self.assertEqual(len(groups), 18)

    def test_matrix_refuses_and_names_both_statuses(self):
        order = self.make_order()
        self.assertEqual(order.stage_id.code, "availability_confirmed")
        before = order.stage_history_ids
        with self.assertRaisesRegex(UserError, "“Availability confirmed” to “Completed”"):
            self.move(order, "done", user=self.users["manager"])
        self.assertEqual(order.stage_id.code, "availability_confirmed")
        self.assertEqual(order.stage_history_ids, before)

    def test_status_bar_offers_only_allowed_statuses(self):
        order = self.make_order()
        allowed = set(order.allowed_stage_ids.mapped("code"))
        self.assertEqual(
            allowed,
            {"availability_confirmed", "agreed", "offer_replacement", "to_assembly", "cancelled"},
        )
        # An administrator edits the matrix: the order offers the new move at once.
        self.stage("availability_confirmed").with_user(
            self.users["administrator"]
        ).next_stage_ids |= self.stage("ready_to_wait")
        order.invalidate_recordset(["allowed_stage_ids"])
        self.assertIn("ready_to_wait", order.allowed_stage_ids.mapped("code"))

    def test_automatic_move_obeys_matrix(self):
        order = self.make_order()
        moved = order._order_flow_auto_move("done")
        self.assertFalse(moved)
        self.assertEqual(order.stage_id.code, "availability_confirmed")
        activity = order.activity_ids.filtered(
            lambda a: a.summary == "Automatic status change refused"
        )
        self.assertEqual(activity.user_id, self.sales)
        self.assertIn("status matrix", activity.note)

    def test_role_may_set_only_its_statuses(self):
        order = self.make_order(carrier=self.self_pickup)
        self.pay(order)
        self.walk(order, "to_assembly")
        # Sales may not move assembly statuses; Logistics may.
        with self.assertRaisesRegex(
            UserError, "Your role may not set the status “Being assembled”"
        ):
            self.move(order, "assembling", user=self.sales)
        self.assertEqual(order.stage_id.code, "to_assembly")
        self.move(order, "assembling", user=self.users["logistics"])
        self.assertEqual(order.stage_id.code, "assembling")
        # Support may set “Delivery postponed” but not “In delivery”.
        self.move(order, "assembled", user=self.users["logistics"])
        self.assertEqual(order.stage_id.code, "to_delivery", "assembled moves on to delivery")
        with self.assertRaisesRegex(UserError, "Your role may not set"):
            self.move(order, "delivering", user=self.users["support"])
        self.move(order, "delivery_postponed", user=self.users["support"])
        self.assertEqual(order.stage_id.code, "delivery_postponed")
        history = self.visits(order)
        self.assertEqual(history[-2].stage_id.code, "to_delivery")
        self.assertEqual(history[-2].cause, "rule", "the move after assembly is the rule's")
        self.assertEqual(history[-2].user_id, self.users["logistics"])
