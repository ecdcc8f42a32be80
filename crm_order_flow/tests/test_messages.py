from datetime import datetime

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.crm_order_flow.tools import sms_segments

from .common import OrderFlowCommon

EVENING = datetime(2031, 1, 15, 20, 30, 0)  # 22:30 in Kyiv (UTC+2 in winter)
MORNING_OPEN = datetime(2031, 1, 16, 7, 0, 0)  # 09:00 in Kyiv


@tagged("post_install", "-at_install")
class TestMessages(OrderFlowCommon):
    def test_templates_exist_in_pairs(self):
        keys = [
            "order_created",
            "order_paid",
            "shipped_tracking",
            "shipped_courier",
            "ready_for_pickup",
            "at_pickup_point",
            "review_request",
            "not_collected_carrier",
            "not_collected_pickup",
            "completed",
            "return",
            "payment_link",
            "cancelled",
        ]
        for key in keys:
            self.assertEqual(self.env.ref(f"crm_order_flow.sms_template_{key}").model, "sale.order")
            self.assertEqual(
                self.env.ref(f"crm_order_flow.mail_template_{key}").model, "sale.order"
            )

    def test_missing_value_renders_as_nothing(self):
        order = self.make_order()
        for key in ("at_pickup_point", "shipped_tracking", "completed"):
            template = self.env.ref(f"crm_order_flow.sms_template_{key}")
            body = template._render_field("body", order.ids)[order.id]
            self.assertNotIn("False", body)
            self.assertNotIn("None", body)
            mail = self.env.ref(f"crm_order_flow.mail_template_{key}")
            html = mail._render_field("body_html", order.ids)[order.id]
            self.assertNotIn("False", html)
        order.sudo().write(
            {"delivery_point_name": "Branch No. 5", "delivery_storage_until": "2031-02-01"}
        )
        body = self.env.ref("crm_order_flow.sms_template_at_pickup_point")._render_field(
            "body", order.ids
        )[order.id]
        self.assertIn("Branch No. 5", body)
        self.assertIn("02/01/2031", body)
        html = self.env.ref("crm_order_flow.mail_template_order_created")._render_field(
            "body_html", order.ids
        )[order.id]
        self.assertIn("Hello, Olha!", html)

    def test_customer_gets_message_by_preferred_channel(self):
        order = self.make_order()
        log = order.customer_message_ids
        self.assertEqual((log.medium, log.template_name), ("sms", "Order received"))
        sms = self.env["sms.sms"].search([("mail_message_id", "=", log.message_id.id)])
        self.assertEqual(sms.number, "+380501112233")
        self.customer.order_notify_channel = "email"
        order2 = self.make_order()
        self.assertEqual(order2.customer_message_ids.medium, "email")
        self.assertIn(self.customer, order2.customer_message_ids.message_id.partner_ids)
        self.customer.order_notify_channel = "none"
        order3 = self.make_order()
        self.assertFalse(order3.customer_message_ids)

    def test_no_phone_falls_back_to_email(self):
        self.customer.mobile = "12"
        order = self.make_order()
        self.assertEqual(order.customer_message_ids.medium, "email")

    def test_sending_window_holds_messages(self):
        self.company.write({"order_flow_window_start": 9.0, "order_flow_window_end": 21.0})
        with freeze_time(EVENING):
            order = self.make_order()
        log = order.customer_message_ids
        self.assertEqual(log.scheduled_date, MORNING_OPEN)
        self.assertEqual(log.state, "scheduled")
        self.assertFalse(self.env["sms.sms"].search([("mail_message_id", "=", log.message_id.id)]))
        with freeze_time(MORNING_OPEN.replace(minute=1)):
            self.env["mail.message.schedule"]._send_notifications_cron()
        sms = self.env["sms.sms"].search([("mail_message_id", "=", log.message_id.id)])
        self.assertEqual(sms.number, "+380501112233")
        log.invalidate_recordset(["state"])
        self.assertEqual(log.state, "queued")

    def test_send_now_overrides_the_window(self):
        self.company.write({"order_flow_window_start": 9.0, "order_flow_window_end": 21.0})
        with freeze_time(EVENING):
            order = self.make_order()
        order.customer_message_ids.with_user(self.sales).action_send_now()
        self.assertTrue(
            self.env["sms.sms"].search(
                [("mail_message_id", "=", order.customer_message_ids.message_id.id)]
            )
        )

    def test_once_per_order_template_and_visit(self):
        order = self.make_order()
        action = self.env.ref("crm_order_flow.action_07_payment_link_sms")
        ctx = {"active_model": "sale.order", "active_ids": order.ids, "active_id": order.id}

        def payment_links():
            return order.customer_message_ids.filtered(lambda m: m.template_name == "Payment link")

        action.with_context(**ctx).run()
        action.with_context(**ctx).run()
        self.assertEqual(len(payment_links()), 1, "a rule running twice sends once")
        # A new visit of a status is a new occasion.
        self.walk(order, "offer_replacement", "availability_confirmed")
        action.with_context(**ctx).run()
        self.assertEqual(len(payment_links()), 2)
        self.assertEqual(
            self.env["sms.sms"].search_count(
                [("mail_message_id", "in", payment_links().message_id.ids)]
            ),
            2,
        )

    def test_once_per_occasion_within_a_visit(self):
        """A template that rightly goes out once per thing in one status visit
        (the link of each fiscal receipt) is sent once per occasion."""
        order = self.make_order()
        template = self.env.ref("crm_order_flow.sms_template_payment_link")

        def sent():
            return order.customer_message_ids.filtered(lambda m: m.template_name == "Payment link")

        order._order_flow_send_customer_message(template, occasion="receipt,1")
        order._order_flow_send_customer_message(template, occasion="receipt,1")
        self.assertEqual(len(sent()), 1, "the same occasion twice: sent once")
        order._order_flow_send_customer_message(template, occasion="receipt,2")
        self.assertEqual(len(sent()), 2, "another occasion in the same visit: sent again")
        self.assertEqual(len(sent().visit_id), 1, "both in one status visit")

    def test_sms_segments(self):
        self.assertEqual(sms_segments("Hello"), (5, 1, "gsm7"))
        self.assertEqual(sms_segments("а" * 70), (70, 1, "ucs2"))
        self.assertEqual(sms_segments("а" * 71), (71, 2, "ucs2"))
        self.assertEqual(sms_segments("a" * 161), (161, 2, "gsm7"))
        self.assertEqual(sms_segments("{}"), (4, 1, "gsm7"))
        template = self.env.ref("crm_order_flow.sms_template_order_created").with_context(
            lang="en_US"
        )
        self.assertEqual(template.body_placeholder_count, 1)
        self.assertEqual(template.body_segments, 1)
