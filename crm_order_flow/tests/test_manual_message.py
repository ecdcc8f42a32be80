"""Customer Support (and the Sales Manager) write the customer from the
order: the text goes by the customer's channel through the order flow's
messaging, and is kept in the chatter and the message log."""

from datetime import datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import OrderFlowCommon

EVENING = datetime(2031, 1, 15, 20, 30, 0)  # 22:30 in Kyiv (UTC+2 in winter)
MORNING_OPEN = datetime(2031, 1, 16, 7, 0, 0)  # 09:00 in Kyiv


@tagged("post_install", "-at_install")
class TestManualMessage(OrderFlowCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.support = cls.users["support"]

    def compose(self, order, body, user=None):
        return (
            self.env["sale.order.customer.message.compose"]
            .with_user(user or self.support)
            .create({"order_id": order.id, "body": body})
        )

    def manual_logs(self, order):
        return self.env["sale.order.customer.message"].search(
            [("order_id", "=", order.id), ("kind", "=", "manual")]
        )

    def test_support_sends_an_sms_with_placeholders(self):
        order = self.make_order()
        wizard = self.compose(
            order, "{{ object.customer_first_name }}, your order {{ object.name }} is on its way"
        )
        self.assertEqual(wizard.medium, "sms")
        self.assertEqual(wizard.channel, "SMS only")
        self.assertFalse(wizard.refusal)
        action = wizard.action_send()
        self.assertEqual(action["params"]["type"], "success")
        log = self.manual_logs(order)
        self.assertEqual(len(log), 1)
        self.assertEqual((log.medium, log.author_id, log.state), ("sms", self.support, "queued"))
        self.assertEqual(log.display_name, "Written by a person")
        self.assertFalse(log.template_ref)
        text = f"Olha, your order {order.name} is on its way"
        sms = self.env["sms.sms"].search([("mail_message_id", "=", log.message_id.id)])
        self.assertEqual((sms.number, sms.state, sms.body), ("+380501112233", "outgoing", text))
        # In the chatter, by the person who wrote it.
        self.assertEqual(log.message_id.author_id, self.support.partner_id)
        self.assertEqual(log.message_id.message_type, "sms")
        self.assertIn(log.message_id, order.message_ids)

    def test_customer_who_prefers_email_gets_an_email(self):
        self.customer.order_notify_channel = "email"
        order = self.make_order()
        self.compose(order, "Hello {{ object.customer_first_name }}!").action_send()
        log = self.manual_logs(order)
        self.assertEqual(log.medium, "email")
        self.assertIn(self.customer, log.message_id.partner_ids)
        self.assertIn("Hello Olha!", log.message_id.body)
        self.assertFalse(self.env["sms.sms"].search([("mail_message_id", "=", log.message_id.id)]))

    def test_customer_who_wants_no_messages_is_refused_clearly(self):
        order = self.make_order()
        self.customer.order_notify_channel = "none"
        wizard = self.compose(order, "Hello")
        self.assertIn("does not want messages", wizard.refusal)
        with self.assertRaisesRegex(UserError, "does not want messages"):
            wizard.action_send()
        self.assertFalse(self.manual_logs(order))

    def test_unreachable_customer_is_refused_with_what_to_do(self):
        order = self.make_order()
        self.customer.write({"mobile": "12", "email": False})
        with self.assertRaisesRegex(UserError, "correct the number on the customer"):
            self.compose(order, "Hello").action_send()
        self.assertFalse(self.manual_logs(order))

    def test_forbidden_placeholder_is_refused_with_the_allowed_ones(self):
        order = self.make_order()
        with self.assertRaises(UserError) as refused:
            self.compose(order, "Your manager: {{ object.user_id.login }}").action_send()
        self.assertIn("object.customer_first_name", str(refused.exception))
        self.assertFalse(self.manual_logs(order))
        # The administrator too: a message is no template.
        with self.assertRaises(UserError):
            self.compose(
                order, "{{ object.user_id.login }}", user=self.users["administrator"]
            ).action_send()

    def test_sales_manager_writes_on_own_orders_only(self):
        own = self.make_order()
        self.compose(own, "Hi", user=self.sales).action_send()
        self.assertEqual(self.manual_logs(own).author_id, self.sales)
        other_sales = self.env["res.users"].create(
            {
                "name": "Other sales",
                "login": "flow_other_sales",
                "groups_id": [(6, 0, self.sales.groups_id.ids)],
            }
        )
        others = self.make_order(user=other_sales)
        with self.assertRaises(AccessError):
            self.compose(others, "Hi", user=self.sales).action_send()

    def test_roles_without_the_job_cannot_write_to_customers(self):
        order = self.make_order()
        for role in ("logistics", "accountant"):
            with self.subTest(role=role), self.assertRaises(AccessError):
                self.compose(order, "Hi", user=self.users[role])
        with self.assertRaises(AccessError):
            order.with_user(self.users["accountant"]).action_order_flow_message_customer()

    def test_a_wizard_is_its_creators_own(self):
        order = self.make_order()
        wizard = self.compose(order, "Hi")
        with self.assertRaises(AccessError):
            wizard.with_user(self.users["manager"]).read(["body"])
        with self.assertRaises(AccessError):
            wizard.with_user(self.users["manager"]).action_send()
        self.assertFalse(self.manual_logs(order))

    def test_messages_outside_the_sending_window_wait(self):
        self.company.write({"order_flow_window_start": 9.0, "order_flow_window_end": 21.0})
        order = self.make_order()
        with freeze_time(EVENING):
            self.compose(order, "Hi").action_send()
        log = self.manual_logs(order)
        self.assertEqual(log.state, "scheduled")
        self.assertEqual(log.scheduled_date, MORNING_OPEN)
        self.assertFalse(self.env["sms.sms"].search([("mail_message_id", "=", log.message_id.id)]))
