from datetime import date, datetime, time, timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from .common import NovaPoshtaCommon


@tagged("post_install", "-at_install")
class TestRefusalAndStorage(NovaPoshtaCommon):
    """Nova Poshta's part of the customer's refusal risk (refusal and return
    statuses, cash on delivery not collected) and of the paid storage
    reminders (the storage dates and charge NP reports)."""

    def test_np_refusals_count_when_the_order_did_not_move(self):
        """Parcels NP reports refused (103) or returned (a status the mapping
        table maps to “Returned”) count, even on orders that NP does not move;
        a cash-on-delivery parcel received counts as collected."""
        self.env.ref("delivery_novaposhta.status_map_111").stage_id = self.stage("returned")
        refused = self.order_to_delivery(
            paid=100.0, np_auto_update=False, np_preset_id=self.preset_cod.id
        )
        self.assertTrue(refused.np_cod_amount)
        self.fake.set_status(refused.np_waybill_number, "103")
        received = self.order_to_delivery(
            paid=100.0, np_auto_update=False, np_preset_id=self.preset_cod.id
        )
        self.fake.set_status(received.np_waybill_number, "9")
        returned = self.order_to_delivery(np_auto_update=False)
        self.fake.set_status(returned.np_waybill_number, "111")
        self.sync()
        self.assertEqual(
            {refused.stage_code, received.stage_code, returned.stage_code}, {"to_delivery"}
        )
        self.env.invalidate_all()
        order = self.np_order()
        self.assertEqual(order.refusal_risk_count, 2)
        self.assertEqual(
            order.refusal_risk_text,
            "Refusal risk: 2 refused or returned, 50 % of cash-on-delivery orders not collected",
        )
        self.assertEqual(self.customer.refusal_risk_count, 2)

    def test_paid_storage_date_and_charge_drive_the_reminder(self):
        automation = self.env["base.automation"]
        order = self.order_to_delivery()
        today = date.today()
        paid_from = today + timedelta(days=7)
        self.fake.set_status(
            order.np_waybill_number,
            "7",
            DateFirstDayStorage=today.strftime("%Y-%m-%d"),
            DatePayedKeeping=paid_from.strftime("%Y-%m-%d 00:00:00"),
            StorageAmount="0",
        )
        now = datetime.now()
        automation.search([("trigger", "=", "on_time")]).write({"last_run": now})
        self.sync()
        self.assertEqual(order.stage_code, "at_pickup_point")
        self.assertEqual(order.delivery_storage_until, paid_from - timedelta(days=1))
        self.assertEqual(order.delivery_point_name, self.lviv_2.name)
        with freeze_time(datetime.combine(paid_from - timedelta(days=1), time(0, 5))):
            automation._check()
        reminder = order.customer_message_ids.filtered(
            lambda m: m.template_name == "Paid storage starts tomorrow (reminder)"
        )
        self.assertEqual(len(reminder), 1)
        self.assertIn(self.lviv_2.name, reminder.message_id.body)
        self.fake.set_status(order.np_waybill_number, "7", StorageAmount="40.00")
        self.sync()
        self.assertEqual(order.np_waybill_id.storage_amount, 40.0)
        self.assertEqual(order.np_storage_amount, 40.0)
