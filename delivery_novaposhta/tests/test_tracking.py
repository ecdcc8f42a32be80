from datetime import date, timedelta

from odoo.tests import tagged

from .common import NovaPoshtaCommon


@tagged("post_install", "-at_install")
class TestTracking(NovaPoshtaCommon):
    def history_causes(self, order):
        return [(v.stage_id.code, v.cause) for v in self.visits(order)]

    def test_journey_to_done(self):
        order = self.order_to_delivery()
        number = order.np_waybill_number
        self.fake.set_status(number, "5")
        self.sync()
        self.assertEqual(order.stage_code, "delivering")
        self.assertEqual(order.np_status_code, "5")
        self.assertTrue(order.np_last_update)
        self.assertTrue(order.np_scheduled_delivery_date)
        first = (date.today()).strftime("%Y-%m-%d")
        self.fake.set_status(number, "7", DateFirstDayStorage=first)
        self.sync()
        self.assertEqual(order.stage_code, "at_pickup_point")
        # one chatter message: the status change, with NP's status as its text
        moved = order.message_ids.filtered(
            lambda m: m.tracking_value_ids.filtered(
                lambda t: t.new_value_char == self.stage("at_pickup_point").name
            )
        )
        self.assertEqual(len(moved), 1)
        self.assertIn("Прибув на відділення", moved.body)
        self.assertEqual(order.np_storage_first_day, date.today())
        self.assertEqual(order.delivery_storage_until, date.today() + timedelta(days=6))
        self.fake.set_status(number, "9")
        self.sync()
        self.assertEqual(order.stage_code, "done")
        self.assertIn(("at_pickup_point", "carrier"), self.history_causes(order))
        self.assertIn(("done", "carrier"), self.history_causes(order))
        notes = " ".join(order.message_ids.mapped("body"))
        self.assertIn(f"waybill {number} is now", notes)
        # received, final: no longer polled
        waybill = order.np_waybill_id
        self.assertFalse(waybill.tracking_active)
        calls = self.fake.count_calls("getStatusDocuments")
        self.sync()
        self.assertEqual(self.fake.count_calls("getStatusDocuments"), calls)

    def test_cod_transfer_counts_as_payment(self):
        order = self.np_order(np_preset_id=self.preset_cod.id)
        self.pay(order, 100.0)
        self.walk(order, "assembling", "assembled")
        self.env.flush_all()
        self.run_waybill_cron()  # the waybill is created after the move
        self.assertEqual(order.np_cod_amount, order.amount_total - 100.0)
        number = order.np_waybill_number
        self.fake.set_status(number, "9")
        self.sync()
        # received, but the money is not with the store yet
        self.assertEqual(order.stage_code, "to_delivery")
        self.assertEqual(order.delivery_cod_state, "collected")
        self.assertTrue(order.np_waybill_id.tracking_active)
        self.fake.set_status(number, "11")
        self.sync()
        self.assertEqual(order.delivery_cod_state, "transferred")
        self.assertEqual(order.order_payment_state, "paid")
        self.assertEqual(order.stage_code, "done")
        self.assertFalse(order.np_waybill_id.tracking_active)

    def test_refusal_to_returned_keeps_polling(self):
        order = self.order_to_delivery()
        number = order.np_waybill_number
        self.fake.set_status(number, "7")
        self.sync()
        self.fake.set_status(number, "103", ReturnNumber="20450000099999")
        self.sync()
        self.assertEqual(order.stage_code, "returned")
        self.assertTrue(order.delivery_return_in_transit)
        self.assertIn("Nova Poshta", order.operator_comment)
        self.assertEqual(order.np_waybill_id.return_number, "20450000099999")
        self.assertTrue(order.np_waybill_id.tracking_active, "keep updating after a refusal")
        self.assertIn(("returned", "carrier"), self.history_causes(order))

    def test_checkbox_off_only_stores_status(self):
        order = self.order_to_delivery(np_auto_update=False)
        self.fake.set_status(order.np_waybill_number, "7")
        self.sync()
        self.assertEqual(order.np_status_code, "7")
        self.assertEqual(order.stage_code, "to_delivery")

    def test_mapping_table_is_followed(self):
        self.env.ref("delivery_novaposhta.status_map_5").stage_id = self.stage("delivery_postponed")
        order = self.order_to_delivery()
        self.fake.set_status(order.np_waybill_number, "5")
        self.sync()
        self.assertEqual(order.stage_code, "delivery_postponed")

    def test_batches_of_100_and_failures_isolated(self):
        orders = self.env["sale.order"]
        Waybill = self.env["novaposhta.waybill"].sudo()
        order = self.np_order()
        waybills = Waybill.browse()
        # 250 waybills on test orders without lines (quick to create)
        bare = self.env["sale.order"].create(
            [
                {"partner_id": self.customer.id, "carrier_id": self.np_carrier.id}
                for _i in range(250)
            ]
        )
        for index, each in enumerate(bare):
            fake = self.fake.add_waybill(status="4")
            waybills |= Waybill.create(
                {
                    "order_id": each.id,
                    "carrier_id": self.np_carrier.id,
                    "account_id": self.account.id,
                    "state": "created",
                    "name": fake["Number"] if index != 7 else "20459999999999",
                    "ref": fake["Ref"],
                    "status_code": "1",
                    "tracking_active": True,
                }
            )
        orders |= order
        self.fake.fail_next("500", "getStatusDocuments", times=3)  # first batch fails (3 tries)
        stats = self.sync()
        self.assertEqual(self.fake.count_calls("getStatusDocuments"), 5)
        self.assertEqual(stats["failed_batches"], 1)
        self.assertEqual(self.retry_pauses, [0.5, 1.0], "a longer pause before each new try")
        failed = waybills.filtered("error_message")
        self.assertEqual(len(failed), 100)
        self.assertEqual(
            set(failed.mapped("error_message")), {"Nova Poshta's server failed (HTTP 500)."}
        )
        self.assertEqual(set((waybills - failed).mapped("status_code")), {"4"})
        # the next run picks up the failed batch first; the number NP does not
        # know keeps its last known status
        lost = waybills.filtered(lambda w: w.name == "20459999999999")
        self.sync()
        self.assertEqual(set((waybills - lost).mapped("status_code")), {"4"})
        self.assertEqual(lost.status_code, "1")
        self.assertFalse(waybills.filtered("error_message"))

    def test_bad_waybill_does_not_stop_the_batch(self):
        first = self.order_to_delivery()
        second = self.order_to_delivery()
        self.fake.set_status(first.np_waybill_number, "5", ScheduledDeliveryDate="garbage")
        self.fake.set_status(second.np_waybill_number, "5")
        self.sync()
        self.assertEqual(second.stage_code, "delivering")

    def test_not_found_number(self):
        order = self.order_to_delivery()
        self.fake.waybills.pop(order.np_waybill_number)
        self.sync()
        self.assertEqual(order.np_status_code, "1", "a lost number keeps its last known status")
        self.assertEqual(order.stage_code, "to_delivery")

    def test_refused_move_keeps_note_and_reports(self):
        # an administrator maps “on the way” to a status the matrix refuses
        self.env.ref("delivery_novaposhta.status_map_5").stage_id = self.stage("new")
        order = self.order_to_delivery()
        self.fake.set_status(order.np_waybill_number, "5")
        self.sync()
        self.assertEqual(order.stage_code, "to_delivery")
        self.assertEqual(order.np_status_code, "5")
        bodies = " ".join(order.message_ids.mapped("body"))
        self.assertIn(f"waybill {order.np_waybill_number} is now", bodies)
        self.assertIn("Automatic move to", bodies)
        self.assertIn("Automatic status change refused", order.activity_ids.mapped("summary"))
