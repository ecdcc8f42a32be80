"""An order shipped by Nova Poshta while the customer hears about it on
Viber through SMS Club: the order flow, the carrier and the SMS provider
working together, each through its own fake vendor server."""

from datetime import date

from odoo.tests import tagged

from odoo.addons.delivery_novaposhta.tests.common import NovaPoshtaCommon
from odoo.addons.sms_club.tests.fake_smsclub import TOKEN, FakeSmsClub


@tagged("post_install", "-at_install")
class TestParcelJourney(NovaPoshtaCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.smsclub = FakeSmsClub().start()
        cls.addClassCleanup(cls.smsclub.stop)
        Sender = cls.env["sms.club.sender"]
        cls.company.write(
            {
                "smsclub_enabled": True,
                "smsclub_url": cls.smsclub.url,
                "smsclub_token": TOKEN,
                "smsclub_timeout": 5.0,
                "smsclub_sms_sender_id": Sender.create(
                    {"name": "MyShop", "kind": "sms", "company_id": cls.company.id}
                ).id,
                "smsclub_viber_sender_id": Sender.create(
                    {"name": "MyShopViber", "kind": "viber", "company_id": cls.company.id}
                ).id,
            }
        )
        cls.customer.order_notify_channel = "viber_sms"

    def setUp(self):
        super().setUp()
        self.smsclub.reset()

    def viber_texts(self):
        self.env["sms.sms"].sudo()._process_queue()
        return [text for kind, _phone, text in self.smsclub.sent("viber")]

    def test_parcel_from_payment_to_pickup(self):
        order = self.order_to_delivery()
        # Handed to delivery: the waybill exists at Nova Poshta and the
        # customer gets its number on Viber (with the SMS fallback).
        number = order.np_waybill_number
        self.assertTrue(number)
        self.assertEqual(order.delivery_tracking_ref, number)
        self.assertEqual(self.fake.count_calls("InternetDocument.save"), 1)
        self.assertTrue(any(number in text for text in self.viber_texts()))
        self.assertTrue(all(call["path"] == "vibers/send" for call in self.smsclub.calls))
        # Nova Poshta reports the parcel at the branch: the order follows,
        # and the customer learns where and until when to collect it.
        self.fake.set_status(number, "7", DateFirstDayStorage=date.today().strftime("%Y-%m-%d"))
        self.sync()
        self.assertEqual(order.stage_code, "at_pickup_point")
        self.assertTrue(order.delivery_point_name)
        arrived = [text for text in self.viber_texts() if "arrived" in text]
        self.assertEqual(len(arrived), 1)
        self.assertIn(order.delivery_point_name, arrived[0])
        # The same report again moves nothing and sends nothing twice.
        sent_before = len(self.smsclub.sent())
        self.sync()
        self.assertEqual(len([t for t in self.viber_texts() if "arrived" in t]), 1)
        self.assertEqual(len(self.smsclub.sent()), sent_before)
        # Collected: done, every carrier move in the history, and each
        # customer message has its SMS Club id.
        self.fake.set_status(number, "9")
        self.sync()
        self.assertEqual(order.stage_code, "done")
        causes = {
            visit.stage_id.code: visit.cause
            for visit in self.env["sale.order.stage.history"].search([("order_id", "=", order.id)])
        }
        self.assertEqual(causes["at_pickup_point"], "carrier")
        self.assertEqual(causes["done"], "carrier")
        self.viber_texts()  # the queue runs
        rows = self.env["sms.club.message"].search([("order_id", "=", order.id)])
        self.assertTrue(rows)
        self.assertEqual(
            {(row.channel, row.state, bool(row.provider_id)) for row in rows},
            {("viber_sms", "sent", True)},
        )
