from odoo.tests.common import _super_send

from odoo.addons.crm_order_flow.tests.common import OrderFlowCommon

from .fake_smsclub import TOKEN, FakeSmsClub

# Short waits (seconds): the client gives up after TIMEOUT, the fake answers
# late or hangs for SLOW; no test waits longer than that.
TIMEOUT = 0.2
SLOW = 0.5


class FakeSmsClubTimeouts:
    """Requests to the local fake SMS Club keep their own timeouts (Odoo's
    test framework raises every timeout to 10 s), so that the tests can prove
    what happens when SMS Club answers too late."""

    @classmethod
    def _request_handler(cls, s, r, /, **kw):
        fake = getattr(cls, "fake", None)
        if fake is not None and fake.server and r.url.startswith(fake.url):
            return _super_send(s, r, **kw)
        return super()._request_handler(s, r, **kw)


class SmsClubCommon(FakeSmsClubTimeouts, OrderFlowCommon):
    """The order-flow store with its company on SMS Club, served by a local
    fake SMS Club."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fake = FakeSmsClub(slow_seconds=SLOW).start()
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
        """One run of Odoo's SMS queue (the scheduled action that sends)."""
        self.env["sms.sms"].sudo()._process_queue()

    def poll(self):
        """One run of the scheduled action that reconciles and polls."""
        self.env["sms.club.message"]._cron_smsclub_poll()

    def rows(self, order=None, partner=None):
        domain = []
        if order:
            domain.append(("order_id", "=", order.id))
        if partner:
            domain.append(("partner_id", "=", partner.id))
        return self.env["sms.club.message"].search(domain, order="id")

    def at_vendor(self, row):
        """How many messages SMS Club accepted for the number of ``row``."""
        self.fake.wait_idle()
        return sum(1 for _kind, phone, _text in self.fake.sent() if phone == row.phone)
