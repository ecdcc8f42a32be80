"""Automation rules keep their privilege on the server side: time-based rules
run from Odoo's scheduler, and a rule an administrator adds in the UI moves
orders as a rule (cause “rule” in the history), not as the person whose change
started it."""

from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from .common import OrderFlowCommon

T0 = datetime(2031, 4, 7, 9, 0, 0)


@tagged("post_install", "-at_install")
class TestRulePrivilege(OrderFlowCommon):
    def test_time_based_rules_run_from_the_scheduler(self):
        """Odoo's scheduled action of time-based rules runs them every minute
        as its own user (the superuser); the rules' actions run and record
        the rule as the cause. (The scheduled action itself commits, which a
        test may not: its method is called the way the job calls it.)"""
        Automation = self.env["base.automation"]
        cron = self.env.ref("base_automation.ir_cron_data_base_automation_check")
        self.assertTrue(cron.active)
        self.assertEqual((cron.interval_number, cron.interval_type), (1, "minutes"))
        retry = self.env.ref("crm_order_flow.automation_06_wait_retry")
        with freeze_time(T0):
            Automation.search([("trigger", "=", "on_time")]).write({"last_run": T0})
            order = self.make_order(product=self.product_missing)
            self.move(order, "ready_to_wait", user=self.sales)
        self.env["stock.quant"]._update_available_quantity(
            self.product_missing, self.stock_location, 5
        )
        with freeze_time(T0 + timedelta(days=1, minutes=1)):
            Automation.with_user(cron.user_id)._check()
        self.assertEqual(order.stage_id.code, "availability_confirmed")
        awaiting = self.visits(order).filtered(lambda v: v.stage_id.code == "awaiting_arrival")
        self.assertEqual((awaiting.cause, awaiting.automation_id), ("rule", retry))
        self.assertEqual(self.visits(order)[-1].cause, "rule")

    def test_rule_added_by_an_administrator_moves_as_a_rule(self):
        admin = self.users["administrator"]
        sale_order = self.env.ref("sale.model_sale_order")
        rule = (
            self.env["base.automation"]
            .with_user(admin)
            .create(
                {
                    "name": "Replacement offered: the customer will wait",
                    "model_id": sale_order.id,
                    "trigger": "on_stage_set",
                    "trg_field_ref": self.stage("offer_replacement").id,
                }
            )
        )
        self.env["ir.actions.server"].with_user(admin).create(
            {
                "name": "Move to Customer will wait",
                "model_id": sale_order.id,
                "base_automation_id": rule.id,
                "usage": "base_automation",
                "state": "object_write",
                "update_path": "stage_id",
                "evaluation_type": "value",
                "value": str(self.stage("ready_to_wait").id),
            }
        )
        # The salesperson creates the order; the rules move it.
        order = self.make_order(product=self.product_missing)
        self.assertEqual(order.stage_id.code, "ready_to_wait")
        visit = self.visits(order)[-1]
        self.assertEqual(
            (visit.stage_id.code, visit.cause, visit.automation_id, visit.user_id),
            ("ready_to_wait", "rule", rule, self.sales),
        )
