from datetime import datetime

from freezegun import freeze_time

from odoo.tests import tagged

from .common import OrderFlowCommon

T0 = datetime(2031, 4, 7, 9, 0, 0)
# The last free storage day at the pickup point; paid storage begins the next day.
LAST_FREE_DAY = "2031-04-14"
REMINDER = "Paid storage starts tomorrow (reminder)"
CALL = "Call the customer: paid storage has begun"


@tagged("post_install", "-at_install")
class TestPaidStorageReminder(OrderFlowCommon):
    """The shipped rules on the last free storage day of an order waiting at
    the pickup point: the customer is reminded that day, the salesperson gets
    a call on the first paid day."""

    def at_pickup_point(self, partner=None, **vals):
        order = self.make_order(
            carrier=self.carrier, **({"partner_id": partner.id} if partner else {})
        )
        self.pay(order)
        self.walk(order, "assembling", "assembled")
        order.sudo().write(
            dict(
                {"delivery_point_name": "Branch No. 12", "delivery_storage_until": LAST_FREE_DAY},
                **vals,
            )
        )
        self.walk(order, "at_pickup_point")
        return order

    def reminders(self, order):
        return order.customer_message_ids.filtered(lambda m: m.template_name == REMINDER)

    def calls(self, order):
        return order.activity_ids.filtered(lambda a: a.summary == CALL)

    def check(self, moment):
        with freeze_time(moment):
            self.env["base.automation"]._check()

    def test_reminder_the_day_before_paid_storage_and_call_on_the_paid_day(self):
        automation = self.env["base.automation"]
        with freeze_time(T0):
            automation.search([("trigger", "=", "on_time")]).write({"last_run": T0})
            waiting = self.at_pickup_point()
            received = self.at_pickup_point()
            self.walk(received, "done")
            returning = self.at_pickup_point()
            returning.sudo().delivery_return_in_transit = True
        # The company's sending window (09:00-21:00 Kyiv): the rule fires at night, the
        # reminder waits for the morning.
        self.company.write({"order_flow_window_start": 9.0, "order_flow_window_end": 21.0})
        self.check(datetime(2031, 4, 13, 23, 50))
        self.assertFalse(self.reminders(waiting), "not before the last free day")
        self.check(datetime(2031, 4, 14, 0, 5))
        reminder = self.reminders(waiting)
        self.assertEqual(len(reminder), 1)
        self.assertEqual(reminder.medium, "sms")
        self.assertEqual(reminder.scheduled_date, datetime(2031, 4, 14, 6, 0))
        self.assertEqual(reminder.state, "scheduled")
        body = reminder.message_id.body
        self.assertIn("Branch No. 12", body)
        self.assertIn("04/15/2031", body, "the first paid day, in the customer's language")
        self.assertFalse(self.calls(waiting), "the call comes on the first paid day")
        for order in (received, returning):
            self.assertFalse(self.reminders(order), "only parcels still waiting at the point")
        self.check(datetime(2031, 4, 15, 0, 5))
        call = self.calls(waiting)
        self.assertEqual(call.user_id, self.sales)
        self.assertEqual(call.date_deadline.isoformat(), "2031-04-15")
        self.assertEqual(len(self.reminders(waiting)), 1, "reminded once")
        for order in (received, returning):
            self.assertFalse(self.calls(order))

    def test_reminder_in_ukrainian_with_the_ukrainian_date(self):
        self.env["res.lang"]._activate_lang("uk_UA")
        self.env["ir.module.module"].search([("name", "=", "crm_order_flow")])._load_module_terms(
            ["crm_order_flow"], ["uk_UA"]
        )
        customer = self.customer.copy({"lang": "uk_UA", "order_notify_channel": "email"})
        automation = self.env["base.automation"]
        with freeze_time(T0):
            automation.search([("trigger", "=", "on_time")]).write({"last_run": T0})
            order = self.at_pickup_point(partner=customer, delivery_point_name="Відділення №12")
        self.check(datetime(2031, 4, 14, 0, 5))
        reminder = self.reminders(order)
        self.assertEqual(reminder.medium, "email")
        body = reminder.message_id.body
        self.assertIn("Відділення №12", body)
        self.assertIn("15.04.2031", body)
        self.assertIn("14.04.2031", body)
        self.assertIn("перевізник бере за нього плату", body)
        sms = self.env.ref("crm_order_flow.sms_template_paid_storage_reminder")
        text = sms._render_field("body", order.ids, compute_lang=True)[order.id]
        self.assertIn("Відділення №12", text)
        self.assertIn("15.04.2031", text)

    def test_administrator_switches_the_reminder_off(self):
        self.env.ref("crm_order_flow.automation_14_storage_reminder").active = False
        automation = self.env["base.automation"]
        with freeze_time(T0):
            automation.search([("trigger", "=", "on_time")]).write({"last_run": T0})
            order = self.at_pickup_point()
        self.check(datetime(2031, 4, 14, 0, 5))
        self.assertFalse(self.reminders(order))
