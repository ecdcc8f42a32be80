from odoo.tests import tagged

from .common import OrderFlowCommon


@tagged("post_install", "-at_install")
class TestTriggerMap(OrderFlowCommon):
    def _rows(self, user):
        action = self.env["sale.order.trigger.map"].with_user(user).action_open_map()
        return self.env["sale.order.trigger.map"].with_user(user).search(action["domain"])

    def test_map_lists_rules_per_status_and_follows_edits(self):
        admin = self.users["administrator"]
        rows = self._rows(admin)
        at_point = rows.filtered(lambda r: r.stage_id.code == "at_pickup_point")
        reminder = at_point.filtered(
            lambda r: r.automation_id == self.env.ref("crm_order_flow.automation_14_point_reminder")
        )
        self.assertEqual(reminder.delay_minutes, 5 * 1440)
        self.assertIn("SMS: Not collected from carrier (reminder)", reminder.templates)
        self.assertIn("Email: Not collected from carrier (reminder)", reminder.templates)
        assembled = rows.filtered(lambda r: r.stage_id.code == "assembled")
        self.assertIn("Status → Handed to delivery", assembled.actions)
        paid = rows.filtered(
            lambda r: (
                r.automation_id == self.env.ref("crm_order_flow.automation_08_paid_to_assembly")
            )
        )
        self.assertEqual(
            set(paid.stage_id.mapped("code")),
            {
                "availability_confirmed",
                "offer_replacement",
                "ready_to_wait",
                "awaiting_arrival",
                "agreed",
            },
            "a rule on a status group is shown under each of its statuses",
        )
        # An administrator switches a rule off: the map says so at once.
        self.env.ref("crm_order_flow.automation_14_point_reminder").active = False
        rows = self._rows(admin)
        reminder = rows.filtered(
            lambda r: r.automation_id == self.env.ref("crm_order_flow.automation_14_point_reminder")
        )
        self.assertFalse(reminder.active)

    def test_statuses_show_the_roles_that_set_them(self):
        names = self.stage("assembling").role_names
        logistics = self.env.ref("access_roles.group_role_logistics").name
        sales = self.env.ref("access_roles.group_role_sales").name
        self.assertIn(logistics, names)
        self.assertNotIn(sales, names)
        self.assertIn(sales, self.stage("agreed").role_names)
