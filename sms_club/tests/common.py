from odoo.addons.crm_order_flow.tests.common import OrderFlowCommon

from .fake_smsclub import TOKEN, FakeSmsClub


class SmsClubCommon(OrderFlowCommon):
    """The order-flow store with its company on SMS Club, served by a local
    fake SMS Club."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fake = FakeSmsClub().start()
        cls.addClassCleanup(cls.fake.stop)
        Sender = cls.env["sms.club.sender"]
        cls.sms_sender = Sender.create(
            {"name": "MyShop", "kind": "sms", "company_id": cls.company.id}
        )
        cls.viber_sender = Sender.create(
            {"name": "MyShopViber", "kind": "viber", "company_id": cls.company.id}
        )
        cls.company.write(
            {
                "smsclub_enabled": True,
                "smsclub_url": cls.fake.url,
                "smsclub_token": TOKEN,
                "smsclub_timeout": 5.0,
                "smsclub_sms_sender_id": cls.sms_sender.id,
                "smsclub_viber_sender_id": cls.viber_sender.id,
            }
        )

    def setUp(self):
        super().setUp()
        self.fake.reset()

    def process_queue(self):
        self.env["sms.sms"].sudo()._process_queue()

    def rows(self, order=None, partner=None):
        domain = []
        if order:
            domain.append(("order_id", "=", order.id))
        if partner:
            domain.append(("partner_id", "=", partner.id))
        return self.env["sms.club.message"].search(domain, order="id")
