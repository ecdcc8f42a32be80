import inspect
from ast import literal_eval
from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.base_automation.models.base_automation import (
    CREATE_TRIGGERS,
)
from odoo.addons.base_automation.models.base_automation import (
    BaseAutomation as CoreBaseAutomation,
)

from .common import T0, CartRecoveryCommon


@tagged("post_install", "-at_install")
class TestCartRecovery(CartRecoveryCommon):
    def test_abandoned_after_the_delay_and_not_before(self):
        self.assertEqual(self.env["website"].new({}).cart_abandoned_delay, 1.0)
        with freeze_time(T0):
            cart = self.make_cart()
            anonymous = self.make_cart(partner=self.website.user_id.partner_id)
        self.run_cron(T0 + timedelta(minutes=59))
        self.assertFalse(cart.cart_recovery_ids, "not abandoned before the delay")
        self.assertFalse(self.reminders(cart))
        self.run_cron(T0 + timedelta(minutes=61))
        recovery = cart.cart_recovery_ids
        self.assertEqual(len(recovery), 1)
        self.assertEqual(recovery.abandoned_date, T0 + timedelta(hours=1))
        self.assertFalse(anonymous.cart_recovery_ids, "a visitor without phone or e-mail")

    def test_chain_steps_at_their_times_and_mediums_once(self):
        # The customer's channel decides (the order flow's path): a "Viber, then
        # SMS" customer gets the SMS steps, an "Email only" customer the e-mail one.
        self.customer.order_notify_channel = "viber_sms"
        reader = self.env["res.partner"].create(
            {"name": "Ivan", "email": "ivan@example.com", "order_notify_channel": "email"}
        )
        with freeze_time(T0):
            cart = self.make_cart()
            mail_cart = self.make_cart(partner=reader)
        self.run_cron(T0 + timedelta(minutes=61))
        first = self.reminders(cart)
        self.assertEqual(len(first), 1)
        self.assertEqual(first.medium, "sms", "Viber then SMS: through the SMS queue")
        self.assertEqual(first.channel, "viber_sms")
        self.assertIn("/shop/cart?access_token=", first.message_id.body)
        self.assertFalse(self.reminders(mail_cart), "step 1 is an SMS: not for e-mail only")
        self.run_cron(T0 + timedelta(hours=23, minutes=59))
        self.assertEqual(len(self.reminders(cart)), 1, "step 2 not before 24 h")
        self.assertFalse(self.reminders(mail_cart))
        self.run_cron(T0 + timedelta(hours=24, minutes=1))
        self.assertEqual(len(self.reminders(cart)), 1, "step 2 is an e-mail")
        second = self.reminders(mail_cart)
        self.assertEqual(second.medium, "email")
        self.assertIn("/shop/cart?access_token=", second.message_id.body)
        self.assertEqual(mail_cart.cart_recovery_ids.step, 2)
        self.run_cron(T0 + timedelta(hours=48))
        self.assertEqual(len(self.reminders(cart)), 1, "step 3 not before 72 h")
        self.run_cron(T0 + timedelta(hours=72, minutes=1))
        third = self.reminders(cart) - first
        self.assertEqual(third.medium, "sms")
        self.assertIn("PROMO10", third.message_id.body)
        recovery = cart.cart_recovery_ids
        self.assertEqual(recovery.step, 3)
        self.assertEqual(recovery.state, "done")
        self.assertEqual(recovery.message_count, 2)
        self.assertEqual(recovery.step1_date, T0 + timedelta(minutes=61))
        self.assertEqual(mail_cart.cart_recovery_ids.message_count, 1)
        # Retries (the scheduler again, or a step run twice) send nothing more.
        self.run_cron(T0 + timedelta(hours=100))
        steps = self.env["sale.cart.recovery.step"]._chain()
        recovery.write({"step": 0, "state": "open"})
        recovery._process_step(steps, T0 + timedelta(hours=100))
        self.assertEqual(len(self.reminders(cart)), 2, "a message is never sent twice")

    def test_stops_when_the_cart_is_ordered(self):
        with freeze_time(T0):
            cart = self.make_cart(qty=2)
        self.run_cron(T0 + timedelta(minutes=61))
        with freeze_time(T0 + timedelta(hours=3)):
            cart.action_quotation_sent()
        recovery = cart.cart_recovery_ids
        self.assertEqual(recovery.state, "recovered")
        self.assertEqual(recovery.stop_reason, "ordered")
        self.assertEqual(recovery.recovered_step, 1)
        self.assertEqual(recovery.recovered_amount, cart.amount_total)
        self.run_cron(T0 + timedelta(hours=24, minutes=1))
        self.assertEqual(len(self.reminders(cart)), 1, "no reminder after the order")

    def test_stops_when_the_customer_orders_another_cart(self):
        with freeze_time(T0):
            cart = self.make_cart()
        self.run_cron(T0 + timedelta(minutes=61))
        with freeze_time(T0 + timedelta(hours=5)):
            # Another contact with the same number orders by phone.
            other = self.env["sale.order"].create(
                {
                    "partner_id": self.env["res.partner"]
                    .create({"name": "Olha K.", "phone": "050 111 22 33"})
                    .id,
                    "order_line": [(0, 0, {"product_id": self.product.id})],
                }
            )
            if other.state == "draft":
                other.action_confirm()
        self.run_cron(T0 + timedelta(hours=24, minutes=1))
        recovery = cart.cart_recovery_ids
        self.assertEqual(len(self.reminders(cart)), 1)
        self.assertEqual(recovery.stop_reason, "other_order")
        self.assertEqual(recovery.recovered_order_id, other)
        self.assertTrue(recovery.recovered)

    def test_stops_when_the_customer_opts_out(self):
        with freeze_time(T0):
            cart = self.make_cart()
        self.run_cron(T0 + timedelta(minutes=61))
        self.env["phone.blacklist"].sudo().add("+380501112233")
        self.run_cron(T0 + timedelta(hours=24, minutes=1))
        recovery = cart.cart_recovery_ids
        self.assertEqual(len(self.reminders(cart)), 1)
        self.assertEqual(recovery.state, "stopped")
        self.assertEqual(recovery.stop_reason, "opt_out")
        self.assertFalse(recovery.recovered)

    def test_system_fields_refused_and_report_for_the_marketer(self):
        with freeze_time(T0):
            cart = self.make_cart()
        self.run_cron(T0 + timedelta(minutes=61))
        recovery = cart.cart_recovery_ids
        for user in (self.marketer, self.manager):
            for vals in ({"step": 3}, {"recovered": True, "recovered_amount": 99.0}):
                with self.subTest(user=user.login, vals=vals), self.assertRaises(AccessError):
                    recovery.with_user(user).write(vals)
        self.assertEqual(recovery.step, 1)
        with self.assertRaises(AccessError):
            self.Recovery.with_user(self.manager).create({"order_id": cart.id})
        # The Marketer sees the results per step, not the carts of single orders.
        with self.assertRaises(AccessError):
            recovery.with_user(self.marketer).read(["recovered_amount"])
        with freeze_time(T0 + timedelta(hours=2)):
            cart.action_quotation_sent()
        self.env.flush_all()
        rows = self.env["sale.cart.recovery.report"].with_user(self.marketer).search([])
        row = rows.filtered(lambda row: row.step == 1)
        self.assertEqual(row.cart_count, 1)
        self.assertEqual(row.message_count, 1)
        self.assertEqual(row.recovered_count, 1)
        self.assertEqual(row.recovered_amount, cart.amount_total)


@tagged("post_install", "-at_install")
class TestCartIsNoOrder(CartRecoveryCommon):
    def test_hooked_method_is_the_one_every_trigger_runs(self):
        # website_sale_cart_recovery leaves carts out in BaseAutomation._process:
        # if Odoo stops routing its triggers there, carts would become orders.
        self.assertIn("._process(", inspect.getsource(CoreBaseAutomation._check))
        self.assertIn("._process(", inspect.getsource(CoreBaseAutomation._register_hook))
        self.assertIn("domain_post", inspect.signature(CoreBaseAutomation._process).parameters)
        # …and the rules replayed when checkout places a cart are Odoo's creation ones.
        self.assertIn("on_stage_set", CREATE_TRIGGERS)
        self.assertIn("on_create_or_write", CREATE_TRIGGERS)

    def test_cart_is_not_picked_up_by_the_order_flow_rules_until_placed(self):
        cart = self.make_cart()
        self.assertEqual(cart.stage_id.code, "new")
        self.assertEqual(cart.state, "draft", "no auto-reservation of a cart")
        self.assertFalse(cart.picking_ids)
        self.assertFalse(cart.customer_message_ids, "no “order received” message")
        pipeline = self.env.ref("crm_order_flow.sale_order_action_pipeline")
        domain = literal_eval(pipeline.domain)
        self.assertNotIn(cart, self.env["sale.order"].search(domain + [("id", "=", cart.id)]))
        # A phone order of the staff still gets the rules at once.
        phone_order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [(0, 0, {"product_id": self.product.id})],
            }
        )
        self.assertEqual(phone_order.state, "sale", "auto-reservation of a placed order")
        # Checkout places the cart: now the rules of its status run.
        cart.action_quotation_sent()
        self.assertIn("Order received", cart.customer_message_ids.mapped("template_name"))
        self.assertEqual(cart.state, "sale", "reserved once placed")
        self.assertIn(cart, self.env["sale.order"].search(domain + [("id", "=", cart.id)]))

    def test_try_on_past_orders_leaves_the_open_cart_out_like_the_rule(self):
        # "Try on past orders" of the rule on new orders answers as the rule:
        # the open cart is not listed, the staff's phone order is.
        cart = self.make_cart()
        phone_order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [(0, 0, {"product_id": self.product.id})],
            }
        )
        rule = self.env.ref("crm_order_flow.automation_02_new_notify")
        rows = self.env["base.automation.dry.run"]._order_flow_dry_run(
            rule, datetime(2000, 1, 1), datetime(2100, 1, 1)
        )
        listed = {row["order_id"] for row in rows}
        self.assertIn(phone_order.id, listed)
        self.assertNotIn(cart.id, listed)
