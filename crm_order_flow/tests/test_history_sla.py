from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from .common import OrderFlowCommon

T0 = datetime(2031, 3, 10, 8, 0, 0)


@tagged("post_install", "-at_install")
class TestHistorySla(OrderFlowCommon):
    def test_visits_and_durations_survive_moving_back(self):
        with freeze_time(T0):
            order = self.make_order(product=self.product_missing)
        self.assertEqual(order.stage_id.code, "offer_replacement")
        with freeze_time(T0 + timedelta(hours=1)):
            self.move(order, "ready_to_wait", user=self.users["support"])
        with freeze_time(T0 + timedelta(hours=3)):
            self.move(order, "awaiting_arrival", user=self.users["manager"])
        # Nothing arrived: the reservation sends it back to “Customer will wait”.
        self.assertEqual(order.stage_id.code, "ready_to_wait")
        visits = self.visits(order)
        self.assertEqual(
            [visit.stage_id.code for visit in visits],
            ["new", "offer_replacement", "ready_to_wait", "awaiting_arrival", "ready_to_wait"],
        )
        self.assertAlmostEqual(visits[1].duration, 1.0, places=3)
        self.assertAlmostEqual(visits[2].duration, 2.0, places=3)
        self.assertEqual(visits[2].user_id, self.users["support"])
        self.assertEqual(visits[2].cause, "user")
        self.assertEqual(visits[4].cause, "rule")
        self.assertEqual(
            visits[4].automation_id, self.env.ref("crm_order_flow.automation_06_arrival_reserve")
        )
        self.assertFalse(visits[4].date_out)

    def test_history_shows_the_open_visit_until_now(self):
        """The salesperson opening the status history sees how long the order
        has been in its current status so far, growing from one look to the
        next; finished visits keep the time they lasted."""
        with freeze_time(T0):
            order = self.make_order(product=self.product_missing)
        with freeze_time(T0 + timedelta(hours=1)):
            self.move(order, "ready_to_wait", user=self.users["support"])

        def history_on_the_form():
            self.env.invalidate_all()
            form = order.with_user(self.sales).web_read(
                {"stage_history_ids": {"fields": {"stage_id": {}, "current_duration": {}}}}
            )[0]
            return {
                self.env["sale.order.stage"].browse(row["stage_id"]).code: row["current_duration"]
                for row in form["stage_history_ids"]
            }

        with freeze_time(T0 + timedelta(hours=3)):
            shown = history_on_the_form()
        self.assertAlmostEqual(shown["offer_replacement"], 1.0, places=3)
        self.assertAlmostEqual(shown["ready_to_wait"], 2.0, places=3, msg="open visit: until now")
        with freeze_time(T0 + timedelta(hours=5)):
            shown = history_on_the_form()
        self.assertAlmostEqual(shown["offer_replacement"], 1.0, places=3)
        self.assertAlmostEqual(shown["ready_to_wait"], 4.0, places=3, msg="and it grows")
        current = self.visits(order)[-1]
        self.assertFalse(current.date_out)
        self.assertEqual(current.duration, 0.0, "the report counts finished visits only")

    def test_overdue_flag_filter_and_notification(self):
        automation = self.env["base.automation"]
        self.assertLessEqual(
            automation._get_cron_interval(), 1, "time-based rules are checked every minute"
        )
        cron = self.env.ref("base_automation.ir_cron_data_base_automation_check")
        automation._update_cron()
        self.assertEqual((cron.interval_number, cron.interval_type), (1, "minutes"))
        with freeze_time(T0):
            automation.search([("trigger", "=", "on_time")]).write({"last_run": T0})
            order = self.make_order()
        self.assertEqual(order.stage_deadline, T0 + timedelta(minutes=15))
        with freeze_time(T0 + timedelta(minutes=14)):
            self.assertFalse(order.is_overdue)
            automation._check()
            self.assertFalse(self._overdue_notes(order))
        with freeze_time(T0 + timedelta(minutes=16)):
            order.invalidate_recordset(["is_overdue"])
            self.assertTrue(order.is_overdue)
            self.assertIn(order, self.env["sale.order"].search([("is_overdue", "=", True)]))
            automation._check()
            notes = self._overdue_notes(order)
            self.assertEqual(len(notes), 1)
            self.assertIn(self.sales.partner_id, notes.partner_ids)
            automation._check()
            self.assertEqual(len(self._overdue_notes(order)), 1, "notified once")

    def _overdue_notes(self, order):
        return self.env["mail.message"].search(
            [
                ("model", "=", "sale.order"),
                ("res_id", "=", order.id),
                ("body", "ilike", "is overdue"),
            ]
        )
