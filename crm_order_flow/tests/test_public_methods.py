"""Every public method of the order flow is an RPC endpoint for whoever reads
the model: the dangerous ones check their caller."""

from datetime import datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import OrderFlowCommon


@tagged("post_install", "-at_install")
class TestPublicMethods(OrderFlowCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users["marketer"] = new_test_user(
            cls.env,
            login="flow_marketer_pm",
            groups="base.group_user,access_roles.group_role_marketer",
        )
        cls.colleague = new_test_user(
            cls.env, login="flow_sales_pm", groups="base.group_user,access_roles.group_role_sales"
        )

    def test_reservation_is_for_those_who_may_confirm_availability(self):
        order = self.make_order(product=self.product_missing)
        self.assertEqual((order.stage_id.code, order.state), ("offer_replacement", "sale"))
        self.env["stock.quant"]._update_available_quantity(
            self.product_missing, self.stock_location, 5
        )
        before = order.stage_history_ids
        for role in ("support", "accountant", "logistics", "marketer"):
            # (AccessError is a UserError)
            with self.subTest(role=role), self.assertRaises(UserError, msg=role):
                order.with_user(self.users[role]).action_order_flow_reserve()
        with self.assertRaises(UserError):
            order.with_user(self.colleague).action_order_flow_reserve()
        self.assertEqual(order.stage_id.code, "offer_replacement")
        self.assertEqual(order.stage_history_ids, before)
        order.with_user(self.sales).action_order_flow_reserve()
        self.assertEqual(order.stage_id.code, "availability_confirmed")

    def test_reservation_only_while_the_order_is_agreed(self):
        order = self.make_order(carrier=self.carrier)
        self.pay(order)
        self.assertEqual(order.stage_id.group_code, "assembly")
        with self.assertRaises(UserError):
            order.with_user(self.users["manager"]).action_order_flow_reserve()

    def test_stage_change_is_opened_by_those_who_change_orders(self):
        order = self.make_order()
        action = order.with_user(self.sales).action_open_stage_change()
        self.assertEqual(action["context"], {"default_order_ids": order.ids})
        for role in ("marketer",):
            with self.assertRaises(AccessError):
                order.with_user(self.users[role]).action_open_stage_change()
        with self.assertRaises(AccessError):
            order.with_user(self.colleague).action_open_stage_change()

    def test_send_now_needs_the_right_to_change_the_order(self):
        self.company.write({"order_flow_window_start": 9.0, "order_flow_window_end": 21.0})
        with freeze_time(datetime(2031, 1, 15, 20, 30)):  # 22:30 in Kyiv
            order = self.make_order()
        log = order.customer_message_ids
        self.assertEqual(log.state, "scheduled")
        for user in (
            self.users["marketer"],
            self.colleague,
            self.users["support"],
            self.users["logistics"],
            self.users["accountant"],
        ):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                log.with_user(user).action_send_now()
        self.assertEqual(
            order.customer_message_ids.scheduled_date, log.scheduled_date, "still waiting"
        )
        log.with_user(self.users["manager"]).action_send_now()
        self.assertFalse(log.scheduled_date)

    def test_rule_actions_do_not_run_by_hand_for_anyone_but_administrators(self):
        order = self.make_order()
        action = self.env.ref("crm_order_flow.action_01_new_reserve")
        for role in ("manager", "sales", "logistics", "support", "marketer"):
            with self.subTest(role=role), self.assertRaises(AccessError):
                action.with_user(self.users[role]).with_context(
                    active_model="sale.order", active_id=order.id, active_ids=order.ids
                ).run()
