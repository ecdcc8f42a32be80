from odoo.tests import HttpCase, tagged

from .common import FakeSmsClubTimeouts
from .fake_smsclub import TOKEN, FakeSmsClub


@tagged("post_install", "-at_install")
class TestSmsClubSettingsTour(FakeSmsClubTimeouts, HttpCase):
    """The administrator sends a test message from the settings page in the
    browser: a button, a small form with the number, SMS Club's answer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fake = FakeSmsClub().start()
        cls.addClassCleanup(cls.fake.stop)
        # The settings page shows the administrator's current company.
        company = cls.env.ref("base.user_admin").company_id
        sender = cls.env["sms.club.sender"].create(
            {"name": "MyShop", "kind": "sms", "company_id": company.id}
        )
        company.write(
            {
                "smsclub_enabled": True,
                "smsclub_url": cls.fake.url,
                "smsclub_token": TOKEN,
                "smsclub_timeout": 5.0,
                "smsclub_sms_sender_id": sender.id,
                "order_flow_default_channel": "sms",
            }
        )

    def test_send_a_test_message_from_the_settings(self):
        self.start_tour("/odoo/settings", "sms_club_test_message", login="admin")
        ((kind, phone, _text),) = self.fake.sent()
        self.assertEqual((kind, phone), ("sms", "380501112233"))
        row = self.env["sms.club.message"].search([("phone", "=", "380501112233")])
        self.assertEqual((row.state, row.provider_id), ("sent", next(iter(self.fake.messages))))
