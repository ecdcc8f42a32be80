import threading
from datetime import datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from odoo.addons.sms.tools.sms_api import SmsApi

from ..models.sms_sms import RUNNER_KEY
from .common import TIMEOUT, SmsClubCommon

EVENING = datetime(2031, 1, 15, 20, 30, 0)  # 22:30 in Kyiv
MORNING_OPEN = datetime(2031, 1, 16, 7, 0, 0)  # 09:00 in Kyiv


@tagged("post_install", "-at_install")
class TestSmsClubProvider(SmsClubCommon):
    # ------------------------------------------------------------ entry points
    def test_order_template_goes_through_sms_club(self):
        """The order flow's SMS template (automation rule, put in the queue)
        is sent by SMS Club; the order and the contact show its lifecycle."""
        order = self.make_order()
        row = self.rows(order=order)
        self.assertEqual((row.state, row.channel), ("queued", "sms"))
        self.assertFalse(self.fake.calls, "queued, not sent inside the order's transaction")
        self.process_queue()
        self.assertEqual(row.state, "sent")
        self.assertEqual(row.phone, "380501112233")
        self.assertEqual(self.fake.sent(), [("sms", "380501112233", row.body)])
        self.assertIn(order.name, row.body)
        tracker = self.env["sms.tracker"].search([("sms_uuid", "=", row.sms_uuid)])
        self.assertEqual(tracker.smsclub_id, row.provider_id)
        self.assertEqual(tracker.mail_notification_id.notification_status, "pending")
        self.assertEqual(order.smsclub_message_count, 1)
        self.assertEqual(self.customer.smsclub_message_count, 1)
        self.assertEqual(order.customer_message_ids.smsclub_state, "sent")
        self.assertEqual(order.customer_message_ids.state, "sent")
        # delivery report by the scheduled action
        self.fake.set_state(row.provider_id, "DELIVRD")
        self.env["sms.club.message"]._cron_smsclub_poll()
        self.assertEqual(row.state, "delivered")
        self.assertEqual(tracker.mail_notification_id.notification_status, "sent")
        self.assertEqual(order.customer_message_ids.state, "sent")

    def test_composer_with_template_on_the_order(self):
        order = self.make_order()
        self.process_queue()
        self.fake.reset()
        template = self.env.ref("crm_order_flow.sms_template_order_paid")
        composer = (
            self.env["sms.composer"]
            .with_user(self.sales)
            .with_context(active_model="sale.order", active_id=order.id, active_ids=order.ids)
            .create({"composition_mode": "comment", "template_id": template.id})
        )
        composer.action_send_sms()
        self.assertFalse(self.fake.sent(), "never sent inside the user's transaction")
        self.process_queue()
        (sent,) = self.fake.sent()
        self.assertIn(order.name, sent[2])
        self.assertEqual(self.rows(order=order).mapped("state"), ["sent", "sent"])

    def test_state_is_saved_before_the_call(self):
        """Odoo's queue runner commits after each batch: the first pass of
        an SMS Club batch only saves what is about to be sent."""
        order = self.make_order()
        sms = self.env["sms.sms"].sudo().search([("smsclub_message_id.order_id", "=", order.id)])
        cache = self.env.cr.cache
        self.addCleanup(cache.pop, RUNNER_KEY, None)
        cache[RUNNER_KEY] = "job-1"
        sms._send()
        row = self.rows(order=order)
        self.assertEqual((row.state, row.phone, sms.state), ("sending", "380501112233", "process"))
        self.assertFalse(self.fake.calls)
        cache[RUNNER_KEY] = "job-2"
        sms._send()
        self.assertFalse(self.fake.calls, "another job never calls for messages it did not claim")
        cache[RUNNER_KEY] = "job-1"
        sms._send()
        self.assertEqual(row.state, "sent")
        self.assertEqual(len(self.fake.sent()), 1)
        # outside the queue runner (a user's transaction), SMS Club is never called
        cache.pop(RUNNER_KEY)
        other = self.make_order()
        self.env["sms.sms"].sudo().search([("smsclub_message_id.order_id", "=", other.id)]).send()
        self.assertEqual(len(self.fake.calls), 1)
        self.assertEqual(self.rows(order=other).state, "queued")

    def test_odoo_queue_runner_commits_the_claim_first(self):
        """Claim before call rests on Odoo's SMS queue runner: outside tests,
        ``_process_queue`` calls ``send(auto_commit=True)``, which commits
        after each batch ``_split_batch()`` yields. Run as outside tests (its
        commits recorded instead of made): the message is committed as
        "sending", with its number, before SMS Club is called, and its answer
        is committed after. If Odoo's loop changes, this fails, and the
        ``sms.sms`` override must be rebuilt on the new loop."""
        order = self.make_order()
        row = self.rows(order=order)
        commits = []

        def commit():
            commits.append((row.state, row.phone, len(self.fake.calls)))

        with (
            patch.object(threading.current_thread(), "testing", False),
            patch.object(self.env.cr, "commit", commit),
        ):
            self.process_queue()
        self.assertEqual(
            commits,
            [("sending", "380501112233", 0), ("sent", "380501112233", 1)],
            "claim committed, then SMS Club called, then its answer committed",
        )
        self.assertEqual(self.at_vendor(row), 1)

    def test_numbers_follow_the_store_phone_rule(self):
        """A number written the Ukrainian way is Ukrainian whatever the
        contact's country; any other number is read in the contact's
        country."""
        Partner = self.env["res.partner"]
        polish = Partner.create(
            {"name": "Anna Nowak", "country_id": self.env.ref("base.pl").id, "lang": "en_US"}
        )
        british = Partner.create(
            {"name": "John Smith", "country_id": self.env.ref("base.uk").id, "lang": "en_US"}
        )
        sms = (
            self.env["sms.sms"]
            .sudo()
            .create(
                [
                    {"number": number, "partner_id": partner.id, "body": "Hello"}
                    for number, partner in (
                        ("067 123 45 67", polish),
                        ("07400 123456", british),
                        ("12", british),
                    )
                ]
            )
        )
        self.process_queue()
        rows = sms.smsclub_message_id
        self.assertEqual(rows.mapped("state"), ["sent", "sent", "failed"])
        self.assertEqual(rows[:2].mapped("phone"), ["380671234567", "447400123456"])
        self.assertEqual(
            sorted(phone for _k, phone, _t in self.fake.sent()), ["380671234567", "447400123456"]
        )
        self.assertIn("Wrong number format", rows[2].failure_reason)
        # the same rule for the chatter's SMS and the settings' test message
        polish.mobile = "067 765 43 21"
        polish._message_sms("Hello from the chatter", partner_ids=polish.ids)
        self.process_queue()
        self.assertEqual(self.rows(partner=polish).mapped("phone")[-1:], ["380677654321"])
        company = self.company
        self.assertEqual(company._smsclub_phone("+38 (050) 111-22-33"), "380501112233")
        self.assertEqual(company._smsclub_phone("0501112233"), "380501112233")
        self.assertIsNone(company._smsclub_phone("12"))
        self.assertIsNone(company._smsclub_phone("not a number"))

    def test_server_action_send_sms(self):
        template = self.env["sms.template"].create(
            {
                "name": "Hello contact",
                "model_id": self.env["ir.model"]._get_id("res.partner"),
                "body": "Hello {{ object.name }}",
            }
        )
        action = self.env["ir.actions.server"].create(
            {
                "name": "Send hello",
                "model_id": self.env["ir.model"]._get_id("res.partner"),
                "state": "sms",
                "sms_template_id": template.id,
                "sms_method": "comment",
            }
        )
        action.with_context(
            active_model="res.partner", active_id=self.customer.id, active_ids=self.customer.ids
        ).run()
        self.process_queue()
        self.assertEqual(self.fake.sent(), [("sms", "380501112233", "Hello Olha Kovalenko")])
        self.assertEqual(self.rows(partner=self.customer).state, "sent")

    def test_composer_and_one_bad_number(self):
        """The composer sends to many numbers: a number that cannot be used
        fails with a reason; the others go out."""
        other = self.env["res.partner"].create({"name": "Ivan", "mobile": "+380671234567"})
        broken = self.env["res.partner"].create({"name": "Petro", "mobile": "+380 12"})
        composer = (
            self.env["sms.composer"]
            .with_context(
                active_model="res.partner", active_ids=(self.customer | other | broken).ids
            )
            .create({"body": "Sale today", "composition_mode": "mass", "mass_force_send": True})
        )
        composer.action_send_sms()
        self.process_queue()
        self.assertEqual(
            sorted(p for _k, p, _t in self.fake.sent()), ["380501112233", "380671234567"]
        )
        self.assertEqual(self.fake.paths(), ["sms/send"], "one call for one text")
        failed = self.rows(partner=broken)
        self.assertEqual(failed.state, "failed")
        self.assertIn("Wrong number format", failed.failure_reason)

    def test_chatter_rejected_number_in_add_info(self):
        self.fake.bad_numbers = {"380501112233": "Number in stop list"}
        self.customer._message_sms("Hello from the chatter", partner_ids=self.customer.ids)
        self.process_queue()
        row = self.rows(partner=self.customer)
        self.assertEqual(row.state, "failed")
        self.assertIn("Number in stop list", row.failure_reason)
        notification = self.env["mail.notification"].search(
            [("res_partner_id", "=", self.customer.id), ("notification_type", "=", "sms")]
        )
        self.assertEqual(notification.notification_status, "exception")
        self.assertIn("Number in stop list", notification.failure_reason)

    def test_other_company_keeps_odoo_iap(self):
        company = self.env["res.company"].create({"name": "Other shop"})
        partner = self.env["res.partner"].create(
            {"name": "Other customer", "mobile": "+380671234567", "company_id": company.id}
        )
        with patch.object(
            SmsApi,
            "_send_sms_batch",
            autospec=True,
            side_effect=lambda api, messages, **kw: [
                {"uuid": n["uuid"], "state": "success"} for m in messages for n in m["numbers"]
            ],
        ) as iap:
            partner.with_company(company)._message_sms("Hi", partner_ids=partner.ids)
        self.assertEqual(iap.call_count, 1)
        self.assertFalse(self.fake.calls)
        self.assertFalse(self.rows(partner=partner))

    # ------------------------------------------------------------- channels
    def test_viber_then_sms_for_the_customer_who_wants_it(self):
        self.customer.order_notify_channel = "viber_sms"
        order = self.make_order()
        self.process_queue()
        row = self.rows(order=order)
        self.assertEqual((row.channel, row.state), ("viber_sms", "sent"))
        body = self.fake.calls[-1]["body"]
        self.assertEqual(self.fake.paths(), ["vibers/send"])
        self.assertEqual((body["sender"], body["senderSms"]), ("MyShopViber", "MyShop"))
        self.assertEqual(body["messageSms"], body["message"])
        # Viber not delivered, the fallback SMS was: delivered
        self.fake.set_state(row.provider_id, "UNDELIV", sms_state="DELIVRD")
        self.env["sms.club.message"]._cron_smsclub_poll()
        self.assertEqual(row.state, "delivered")
        self.assertEqual(row.sms_fallback_status, "DELIVRD")

    def test_viber_only_and_company_default(self):
        self.company.order_flow_default_channel = "viber"
        self.customer.order_notify_channel = False
        order = self.make_order()
        self.process_queue()
        body = self.fake.calls[-1]["body"]
        self.assertNotIn("senderSms", body)
        self.assertEqual(self.rows(order=order).channel, "viber")
        # the contact's own preference wins over the company default
        self.customer.order_notify_channel = "sms"
        order2 = self.make_order()
        self.process_queue()
        self.assertEqual(self.rows(order=order2).channel, "sms")

    def test_viber_error_request(self):
        self.customer.order_notify_channel = "viber_sms"
        order = self.make_order()
        self.fake.fail_next("no_money")
        self.process_queue()
        # Refused for lack of money: nothing was sent, the message waits.
        row = self.rows(order=order)
        self.assertEqual(row.state, "queued")
        self.assertIn("Not enough money", row.failure_reason)
        self.assertEqual(self.company.smsclub_balance, 0.0)
        # Still no money when the balance is read again: SMS Club is not called.
        self.fake.money = "2.0000"
        calls = len(self.fake.calls)
        self.process_queue()
        self.assertEqual(self.fake.paths()[calls:], ["sms/balance"])
        self.assertEqual(row.state, "queued")
        self.assertIn("Waiting for a top-up", row.failure_reason)
        self.assertTrue(
            self.company.partner_id.activity_ids.filtered(
                lambda a: a.summary == "SMS Club balance is low"
            )
        )
        # Topped up: it goes out, once.
        self.fake.money = "500.0000"
        self.process_queue()
        self.assertEqual(row.state, "sent")
        self.assertEqual(len(self.fake.sent("viber")), 1)

    def test_no_waiting_when_the_minimum_is_zero(self):
        self.company.write(
            {
                "smsclub_min_balance": 0.0,
                "smsclub_balance": 1.0,
                "smsclub_balance_date": "2031-01-01 00:00:00",
            }
        )
        order = self.make_order()
        self.process_queue()
        self.assertEqual(self.rows(order=order).state, "sent")
        self.assertNotIn("sms/balance", self.fake.paths())

    # ---------------------------------------------------- window, duplicates
    def test_sending_window_and_no_duplicates(self):
        self.company.write({"order_flow_window_start": 9.0, "order_flow_window_end": 21.0})
        with freeze_time(EVENING):
            order = self.make_order()
            action = self.env.ref("crm_order_flow.action_07_payment_link_sms")
            ctx = {"active_model": "sale.order", "active_ids": order.ids, "active_id": order.id}
            action.with_context(**ctx).run()
            action.with_context(**ctx).run()
            self.process_queue()
        self.assertFalse(self.fake.calls, "nothing leaves outside the sending window")
        with freeze_time(MORNING_OPEN.replace(minute=1)):
            self.env["mail.message.schedule"]._send_notifications_cron()
            self.process_queue()
            self.process_queue()
        texts = [text for _k, _p, text in self.fake.sent()]
        self.assertEqual(len(texts), 2, "order received + payment link, each once")
        self.assertEqual(self.rows(order=order).mapped("state"), ["sent", "sent"])

    # ------------------------------------------------------------- failures
    def test_refused_token_fails_with_reason(self):
        order = self.make_order()
        self.fake.fail_next("401")
        self.process_queue()
        row = self.rows(order=order)
        self.assertEqual(row.state, "failed")
        self.assertIn("401", row.failure_reason)
        log = order.customer_message_ids
        self.assertEqual(log.state, "failed")
        self.assertIn("401", log.failure_reason)
        self.process_queue()
        self.assertEqual(len(self.fake.calls), 1, "a failed message is not retried by itself")

    def test_too_many_requests_waits_for_the_next_run(self):
        order = self.make_order()
        self.fake.fail_next("429")
        self.process_queue()
        row = self.rows(order=order)
        self.assertEqual(row.state, "queued")
        self.assertFalse(self.fake.sent())
        self.process_queue()
        self.assertEqual(row.state, "sent")
        self.assertEqual(len(self.fake.sent()), 1)

    def test_server_error_is_an_unknown_outcome_never_resent(self):
        order = self.make_order()
        self.fake.fail_next("500")
        self.process_queue()
        row = self.rows(order=order)
        self.assertEqual(row.state, "unknown", "SMS Club may have processed it")
        self.assertIn("HTTP 500", row.failure_reason)
        self.process_queue()
        self.poll()
        self.assertEqual(len(self.fake.calls), 1)
        self.assertEqual(self.at_vendor(row), 1)

    def test_uncertain_outcomes_are_not_resent(self):
        """A broken answer or a reply past the timeout: SMS Club accepted the
        message, we cannot know it; it is never sent a second time."""
        self.company.smsclub_timeout = TIMEOUT
        for kind in ("malformed", "slow"):
            self.fake.reset()
            order = self.make_order()
            self.fake.fail_next(kind, path="sms/send")
            self.fake.fail_next(kind, path="v2/sms/send")
            self.process_queue()
            self.process_queue()
            row = self.rows(order=order)
            self.assertEqual(row.state, "unknown", kind)
            self.assertIn("SMS Club cabinet", row.failure_reason)
            self.fake.wait_idle()
            self.assertEqual(len(self.fake.sent()), 1, f"{kind}: sent exactly once")

    def test_interrupted_job_resumes_without_resending(self):
        """A job claimed messages (saved "sending") and died: the next run
        sends the rest, never the claimed ones; the poller reconciles them."""
        orders = [self.make_order() for _i in range(3)]
        sms = (
            self.env["sms.sms"]
            .sudo()
            .search([("smsclub_message_id.order_id", "in", [o.id for o in orders])], order="id")
        )
        # first message: sent by an earlier job; second: claimed by a job that died
        sms[0]._process_queue(ids=sms[0].ids)
        sms[1]._smsclub_claim("dead-job")
        self.process_queue()
        self.assertEqual(len(self.fake.sent()), 2)
        states = [self.rows(order=o).state for o in orders]
        self.assertEqual(states, ["sent", "sending", "sent"])
        with freeze_time(datetime.now() + timedelta(minutes=15)):
            self.env["sms.club.message"]._cron_smsclub_poll()
        row = self.rows(order=orders[1])
        self.assertEqual(row.state, "unknown")
        self.assertIn("interrupted", row.failure_reason)
        self.process_queue()
        self.assertEqual(len(self.fake.sent()), 2, "nothing sent twice")

    def test_poller_batches_of_100(self):
        partners = self.env["res.partner"].create(
            [{"name": f"P{i}", "mobile": f"+38050{2000000 + i:07d}"} for i in range(150)]
        )
        composer = (
            self.env["sms.composer"]
            .with_context(active_model="res.partner", active_ids=partners.ids)
            .create({"body": "Bulk", "composition_mode": "mass", "mass_force_send": True})
        )
        composer.action_send_sms()
        self.process_queue()
        self.assertEqual(self.fake.paths(), ["sms/send", "sms/send"])
        self.fake.calls.clear()
        self.fake.russian_states = True
        for message_id in list(self.fake.messages)[:10]:
            self.fake.set_state(message_id, "EXPIRED")
        self.env["sms.club.message"]._cron_smsclub_poll()
        calls = [c for c in self.fake.calls if c["path"] == "sms/status"]
        self.assertEqual([len(c["body"]["id_sms"]) for c in calls], [100, 50])
        expired = self.env["sms.club.message"].search([("state", "=", "expired")])
        self.assertEqual(len(expired), 10)
        self.assertEqual(expired[0].provider_status, "Просрочено")

    # -------------------------------------------------------------- settings
    def test_settings_names_balance_and_test_message(self):
        settings = self.env["res.config.settings"].create({})
        self.fake.sms_names = ["MyShop", "NewName"]
        settings.action_smsclub_fetch_senders()
        names = self.env["sms.club.sender"].search([("kind", "=", "sms")]).mapped("name")
        self.assertEqual(sorted(names), ["MyShop", "NewName"])
        self.fake.money = "12.5000"
        self.company.smsclub_low_balance = 100.0
        settings.action_smsclub_refresh_balance()
        self.assertEqual(self.company.smsclub_balance, 12.5)
        activity = self.company.partner_id.activity_ids.filtered(
            lambda a: a.summary == "SMS Club balance is low"
        )
        self.assertEqual(len(activity), 1)
        self.env["sms.club.message"]._cron_smsclub_balance()
        self.assertEqual(len(self.company.partner_id.activity_ids), 1, "one activity while low")

    def test_test_message_from_the_settings(self):
        """A button of the settings opens a small form: the number typed there
        is kept until "Send" (the settings page has no field to lose)."""
        self.assertNotIn("smsclub_test_number", self.env["res.config.settings"]._fields)
        settings = self.env["res.config.settings"].create({})
        action = settings.action_smsclub_open_test()
        self.assertEqual((action["res_model"], action["target"]), ("sms.club.test.message", "new"))
        Wizard = self.env["sms.club.test.message"].with_context(**action["context"])
        wizard = Wizard.create({"number": "050 111 22 33"})
        self.assertEqual((wizard.company_id, wizard.channel), (self.company, "sms"))
        result = wizard.action_send()
        self.assertEqual(result["params"]["type"], "success")
        ((kind, phone, text),) = self.fake.sent()
        self.assertEqual((kind, phone, text), ("sms", "380501112233", wizard.body))
        row = self.env["sms.club.message"].search([("phone", "=", phone)])
        self.assertEqual((row.state, row.provider_id), ("sent", next(iter(self.fake.messages))))
        with self.assertRaisesRegex(UserError, "Wrong number format"):
            Wizard.create({"number": "12"}).action_send()
        self.fake.bad_numbers = {"380671234567": "Number in stop list"}
        with self.assertRaisesRegex(UserError, "Number in stop list"):
            Wizard.create({"number": "+380671234567"}).action_send()
        self.assertEqual(len(self.fake.sent()), 1)

    def test_token_is_for_administrators_only(self):
        with self.assertRaises(AccessError):
            self.company.with_user(self.users["manager"]).read(["smsclub_token"])
        self.assertEqual(
            self.company.with_user(self.users["administrator"]).sudo(False).smsclub_enabled, True
        )

    def test_sales_sees_messages_of_own_orders_only(self):
        order = self.make_order()
        other = self.make_order(user=self.users["manager"])
        rows = self.env["sms.club.message"].with_user(self.sales).search([])
        self.assertIn(self.rows(order=order), rows)
        self.assertNotIn(self.rows(order=other), rows)
