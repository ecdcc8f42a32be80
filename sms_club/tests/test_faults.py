from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .common import TIMEOUT, SmsClubCommon
from .test_client import dead_url

# fault → (state after the queue ran, messages SMS Club has, state at the end)
# "at the end": after the scheduled actions ran again (queue and poller),
# without anybody doing anything.
FAULTS = {
    "processed_timeout": ("unknown", 1, "unknown"),
    "late": ("unknown", 1, "unknown"),
    "hang": ("unknown", 0, "unknown"),
    "reset": ("unknown", 1, "unknown"),
    "500": ("unknown", 1, "unknown"),
    "502": ("unknown", 1, "unknown"),
    "malformed": ("unknown", 1, "unknown"),
    "empty": ("unknown", 1, "unknown"),
    "html": ("unknown", 1, "unknown"),
    "ids_then_500": ("checking", 1, "sent"),
    "429": ("queued", 0, "sent"),
    "503": ("queued", 0, "sent"),
    "no_money": ("queued", 0, "sent"),
    "400": ("failed", 0, "failed"),
    "400_fields": ("failed", 0, "failed"),
    "unknown_sender": ("failed", 0, "failed"),
    "invalid_number": ("failed", 0, "failed"),
}
# Odoo's SMS and chatter notification per final state
SMS_STATE = {"unknown": "error", "failed": "error", "queued": "outgoing"}
NOTIFICATION = {"unknown": "exception", "failed": "exception", "sent": "pending"}


@tagged("post_install", "-at_install")
class TestSmsClubFaults(SmsClubCommon):
    """Each fault of SMS Club, for an SMS and for a Viber message with the
    SMS fallback, sent by Odoo's SMS queue: exactly one message at SMS Club
    per Odoo message, the message in the right state, and what can be
    retried retried by the scheduled actions alone."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.smsclub_timeout = TIMEOUT

    def queue_message(self, channel, partner=None):
        partner = partner or self.customer
        partner.order_notify_channel = channel
        order = self.make_order(partner_id=partner.id)
        row = self.rows(order=order)
        self.assertEqual((len(row), row.state, row.channel), (1, "queued", channel))
        return row

    def path(self, channel):
        # one message with its own text goes by /v2/sms/send
        return "vibers/send" if channel == "viber_sms" else "v2/sms/send"

    def sms_of(self, row):
        return row._sms_records()

    def notification(self, row):
        return self.env["mail.notification"].search(
            [("mail_message_id", "=", row.mail_message_id.id), ("notification_type", "=", "sms")]
        )

    def queue_retries_planned(self):
        """Runs of Odoo's SMS queue planned for later (not now)."""
        cron = self.env.ref("sms.ir_cron_sms_scheduler_action")
        later = fields.Datetime.now() + timedelta(seconds=30)
        return self.env["ir.cron.trigger"].search_count(
            [("cron_id", "=", cron.id), ("call_at", ">", later)]
        )

    def other_customer(self, mobile="+380671234567"):
        return self.env["res.partner"].create(
            {"name": "Ivan Petrenko", "mobile": mobile, "lang": "en_US"}
        )

    def check_fault(self, fault, channel):
        after_run, at_vendor, at_end = FAULTS[fault]
        row = self.queue_message(channel)
        self.fake.fail_next(fault, path=self.path(channel))
        planned = self.queue_retries_planned()
        self.process_queue()
        self.assertEqual(row.state, after_run)
        self.assertEqual(self.at_vendor(row), at_vendor)
        if after_run in SMS_STATE:
            self.assertEqual(self.sms_of(row).state, SMS_STATE[after_run])
        if after_run == "queued":
            self.assertGreater(self.queue_retries_planned(), planned, "the queue runs again")
        if fault == "no_money":
            self.assertIn("top-up", row.failure_reason)
        # the scheduled actions run again, nobody does anything
        self.process_queue()
        self.poll()
        self.process_queue()
        self.assertEqual(row.state, at_end)
        self.assertEqual(self.at_vendor(row), 1 if at_end == "sent" else at_vendor)
        self.assertLessEqual(self.at_vendor(row), 1)
        self.assertEqual(self.notification(row).notification_status, NOTIFICATION[at_end])
        if at_end == "unknown":
            self.assertIn("SMS Club cabinet", row.failure_reason)
            self.assertFalse(row.provider_id)
        if at_end == "sent":
            self.assertTrue(row.provider_id)
            self.assertIn(row.provider_id, self.fake.messages)
        return row

    def test_each_fault_on_an_sms(self):
        for fault in FAULTS:
            with self.subTest(fault=fault):
                self.fake.reset()
                self.check_fault(fault, "sms")

    def test_each_fault_on_viber_with_sms_fallback(self):
        for fault in FAULTS:
            with self.subTest(fault=fault):
                self.fake.reset()
                row = self.check_fault(fault, "viber_sms")
                if row.state == "sent":
                    sends = [call for call in self.fake.calls if call["path"] == "vibers/send"]
                    body = sends[-1]["body"]
                    self.assertEqual(body.get("senderSms"), "MyShop")
        with self.subTest(fault="system_error"):
            self.fake.reset()
            row = self.queue_message("viber_sms")
            self.fake.fail_next("system_error", path="vibers/send")
            self.process_queue()
            self.poll()
            self.assertEqual((row.state, self.at_vendor(row)), ("unknown", 1))

    def test_a_400_keeps_sms_club_reason(self):
        for fault, reason in (
            ("400", "Текст повідомлення заборонений"),
            ("400_fields", "Текст повідомлення задовгий"),
            ("400_add_info", "Заборонене слово в тексті"),
        ):
            with self.subTest(fault=fault):
                row = self.queue_message("sms")
                self.fake.fail_next(fault)
                self.process_queue()
                self.assertEqual(row.state, "failed")
                self.assertIn(reason, row.failure_reason)
                self.assertIn(reason, self.notification(row).failure_reason)

    def test_not_enough_money_waits_for_the_top_up(self):
        """SMS Club refuses for lack of money (in any of its forms): nothing
        was sent, the messages wait, and go out after the top-up."""
        for fault in ("no_money", "no_money_http", "no_money_words"):
            with self.subTest(fault=fault):
                self.fake.reset()
                row = self.queue_message("sms")
                self.fake.fail_next(fault)
                self.process_queue()
                self.assertEqual(row.state, "queued")
                self.assertIn("top-up", row.failure_reason)
                self.process_queue()
                self.assertEqual((row.state, self.at_vendor(row)), ("sent", 1))

    def test_empty_account_then_top_up(self):
        self.fake.money = "0.10"
        rows = self.queue_message("sms") | self.queue_message(
            "viber_sms", partner=self.other_customer()
        )
        self.process_queue()
        self.assertEqual(rows.mapped("state"), ["queued", "queued"])
        self.assertFalse(self.fake.sent())
        self.assertEqual(self.company.smsclub_balance, 0.0)
        # still empty: the balance is read, nothing is sent
        calls = len(self.fake.calls)
        self.process_queue()
        self.assertEqual(self.fake.paths()[calls:], ["sms/balance"])
        self.assertIn("Waiting for a top-up", rows[0].failure_reason)
        # the top-up: the scheduled send takes them, once
        self.fake.money = "100"
        self.process_queue()
        self.assertEqual(rows.mapped("state"), ["sent", "sent"])
        self.assertEqual([self.at_vendor(row) for row in rows], [1, 1])

    def test_connection_refused_is_retried_by_the_queue(self):
        url = self.company.smsclub_url
        self.company.smsclub_url = dead_url()
        row = self.queue_message("sms")
        self.process_queue()
        self.assertEqual(row.state, "queued")
        self.assertIn("could not be reached", row.failure_reason)
        self.company.smsclub_url = url
        self.process_queue()
        self.assertEqual((row.state, self.at_vendor(row)), ("sent", 1))

    def test_too_many_requests_never_fail_the_message(self):
        row = self.queue_message("sms")
        for _attempt in range(7):
            self.fake.fail_next("429")
            self.process_queue()
            self.assertEqual(row.state, "queued")
        self.assertEqual(row.attempt_count, 7)
        self.process_queue()
        self.assertEqual((row.state, self.at_vendor(row)), ("sent", 1))

    def test_a_number_left_out_of_the_answer_is_not_resent(self):
        """SMS Club's answer names some numbers of the call and not another:
        that one may have gone out; it is handed to a person."""
        partners = self.customer | self.other_customer()
        composer = (
            self.env["sms.composer"]
            .with_context(active_model="res.partner", active_ids=partners.ids)
            .create({"body": "Sale today", "composition_mode": "mass", "mass_force_send": True})
        )
        composer.action_send_sms()
        rows = self.rows(partner=self.customer) | self.rows(partner=partners[1])
        original = self.fake._sms_send

        def forgetful(items, sender):
            status, answer = original(items, sender)
            info = answer["success_request"]["info"]
            info.pop(next(iter(info)))
            return status, answer

        self.fake._sms_send = forgetful
        self.addCleanup(setattr, self.fake, "_sms_send", original)
        self.process_queue()
        self.process_queue()
        self.poll()
        self.assertEqual(self.fake.paths(), ["sms/send", "sms/status"], "one call for one text")
        self.assertEqual(sorted(rows.mapped("state")), ["sent", "unknown"])
        self.assertEqual([self.at_vendor(row) for row in rows], [1, 1], "each once")

    # ------------------------------------------------------ needs a person
    def test_look_up_by_id_and_the_person_view(self):
        """An id given in an answer of unknown outcome is looked up: SMS Club
        does not know it → a person; the person's re-check settles it once SMS
        Club knows it."""
        row = self.queue_message("sms")
        self.fake.fail_next("ids_then_500")
        self.process_queue()
        self.assertEqual(row.state, "checking")
        saved = dict(self.fake.messages)
        self.fake.messages.clear()  # SMS Club does not know the id
        self.poll()
        self.assertEqual(row.state, "unknown")
        self.assertIn(row.provider_id, row.failure_reason)
        attention = self.env.ref("sms_club.sms_club_message_action_attention")
        admin = self.users["administrator"]
        listed = self.env["sms.club.message"].with_user(admin).search(safe_eval(attention.domain))
        self.assertIn(row, listed)
        for role in ("manager", "sales", "support"):
            with self.assertRaises(AccessError):
                row.with_user(self.users[role]).action_recheck()
        self.fake.messages.update(saved)
        result = row.with_user(admin).action_recheck()
        self.assertEqual(result["params"]["type"], "success")
        self.assertEqual(row.state, "sent")
        self.assertNotIn(row, self.env["sms.club.message"].search(safe_eval(attention.domain)))
        self.assertEqual(self.at_vendor(row), 1)

    def test_a_person_settles_what_sms_club_cannot_tell(self):
        admin = self.users["administrator"]
        hung = self.queue_message("sms")
        self.fake.fail_next("hang")
        self.process_queue()
        lost = self.queue_message("sms", partner=self.other_customer())
        self.fake.fail_next("processed_timeout")
        self.process_queue()
        self.assertEqual((hung | lost).mapped("state"), ["unknown", "unknown"])
        # re-check: nothing to ask SMS Club without an id
        result = (hung | lost).with_user(admin).action_recheck()
        self.assertEqual(result["params"]["type"], "warning")
        self.assertEqual((hung | lost).mapped("state"), ["unknown", "unknown"])
        # the cabinet shows one went out, the other did not
        lost.with_user(admin).action_mark_sent()
        hung.with_user(admin).action_send_again()
        self.assertEqual(hung.state, "queued")
        self.process_queue()
        self.assertEqual((hung.state, lost.state), ("sent", "sent"))
        self.assertEqual((self.at_vendor(hung), self.at_vendor(lost)), (1, 1))
        self.assertEqual((hung.checked_by_id, lost.checked_by_id), (admin, admin))
        with self.assertRaises(AccessError):
            hung.with_user(self.users["manager"]).action_send_again()
