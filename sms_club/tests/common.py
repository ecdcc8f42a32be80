from unittest.mock import patch

from odoo.addons.access_roles.tests.local_fakes import LocalFakeTimeouts
from odoo.addons.crm_order_flow.tests.common import OrderFlowCommon

from .fake_smsclub import TOKEN, FakeSmsClub

# Short waits (seconds): the client gives up after TIMEOUT. SLOW is only an
# upper bound: a fake that answers late or hangs waits until the client hangs
# up (after TIMEOUT), never a fixed time.
TIMEOUT = 0.2
SLOW = 2.0
# SMS Club counts 9 requests a second; the tests' fake and clients count 9
# requests per RATE_PERIOD: the same rule, ten times faster.
RATE_PERIOD = 0.1


class FakeSmsClubTimeouts(LocalFakeTimeouts):
    """Requests to the class's local fake SMS Club (``cls.fake``) keep the
    client's own short timeouts, so that the tests can prove what happens
    when SMS Club answers too late."""

    @classmethod
    def local_fake_urls(cls):
        fake = getattr(cls, "fake", None)
        return (fake.url,) if fake is not None and fake.server else ()


class SmsClubCommon(FakeSmsClubTimeouts, OrderFlowCommon):
    """The order-flow store with its company on SMS Club, served by a local
    fake SMS Club."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.startClassPatcher(patch("odoo.addons.sms_club.smsclub.client.RATE_PERIOD", RATE_PERIOD))
        cls.fake = FakeSmsClub(slow_seconds=SLOW, rate_period=RATE_PERIOD).start()
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
