from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import OrderFlowCommon


@tagged("post_install", "-at_install")
class TestServerSidePrivilege(OrderFlowCommon):
    """What a client sends (context, record values, action ids) never makes a
    person's change count as the work of a rule or the carrier."""

    def test_context_cause_does_not_lift_the_status_rights(self):
        order = self.make_order()
        before = order.stage_history_ids
        for role in ("support", "logistics"):
            user = self.users[role]
            with self.assertRaises(UserError, msg=role):
                order.with_user(user).with_context(order_flow_cause="rule").write(
                    {"stage_id": self.stage("cancelled").id, "operator_comment": "by rule"}
                )
            self.assertEqual(order.stage_id.code, "availability_confirmed", role)
        self.assertEqual(order.stage_history_ids, before)
        self.assertNotIn("cancel", order.state)

    def test_context_keys_do_not_cancel_behind_the_status(self):
        order = self.make_order()
        self.assertEqual(order.state, "sale")
        for role in ("support", "logistics", "accountant"):
            # (AccessError is a UserError)
            with self.assertRaises(UserError, msg=f"{role} cancelled the order"):
                order.with_user(self.users[role]).with_context(
                    order_flow_syncing=True, disable_cancel_warning=True
                ).action_cancel()
            self.assertEqual(order.state, "sale", role)
            self.assertEqual(order.stage_id.code, "availability_confirmed", role)

    def test_rule_actions_do_not_run_by_hand(self):
        order = self.make_order(carrier=self.carrier)
        self.assertEqual(order.state, "sale")
        actions = self.env.ref("crm_order_flow.action_10_register_shipment") | self.env.ref(
            "crm_order_flow.action_08_paid_to_assembly"
        )
        for role in ("support", "accountant"):
            for action in actions:
                with self.assertRaises(AccessError, msg=f"{role}: {action.name}"):
                    action.with_user(self.users[role]).with_context(
                        active_model="sale.order", active_id=order.id, active_ids=order.ids
                    ).run()
        self.assertEqual(order.stage_id.code, "availability_confirmed")

    def test_create_starts_in_new_whatever_is_sent(self):
        done = self.stage("done")
        handed = self.stage("to_delivery")
        for stage in (done, handed):
            order = (
                self.env["sale.order"]
                .with_user(self.sales)
                .create({"partner_id": self.customer.id, "stage_id": stage.id})
            )
            self.assertEqual(order.stage_id.group_code, "new", stage.code)
            self.assertEqual(order.state, "draft")
            self.assertEqual(order.stage_history_ids.stage_id.mapped("group_code"), ["new"])
