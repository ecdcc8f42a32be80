from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import NovaPoshtaCommon
from .fake_novaposhta import VALID_KEY


@tagged("post_install", "-at_install")
class TestWaybill(NovaPoshtaCommon):
    def test_rule_creates_waybill_on_to_delivery(self):
        order = self.order_to_delivery()
        self.assertEqual(order.stage_code, "to_delivery")
        self.assertEqual(order.np_waybill_state, "created")
        self.assertEqual(len(order.np_waybill_number), 14)
        self.assertTrue(order.np_waybill_ref)
        self.assertEqual(order.delivery_tracking_ref, order.np_waybill_number)
        self.assertEqual(order.delivery_point_name, self.lviv_2.name)
        self.assertEqual(order.delivery_point_address, self.lviv_2.short_address)
        self.assertEqual(order.np_status_code, "1")
        saved = [
            c
            for c in self.fake.calls
            if c["calledMethod"] == "save" and c["modelName"] == "InternetDocument"
        ]
        self.assertEqual(len(saved), 1)
        props = saved[0]["props"]
        self.assertEqual(props["InfoRegClientBarcodes"], order.name)
        self.assertEqual(props["RecipientAddress"], self.lviv_2.ref)
        self.assertEqual(props["RecipientsPhone"], "380501112233")
        self.assertNotIn("BackwardDeliveryData", props)

    def test_button_twice_creates_one_waybill(self):
        order = self.np_order()
        order.with_user(self.users["logistics"]).action_np_create_waybill()
        number = order.np_waybill_number
        order.with_user(self.users["logistics"]).action_np_create_waybill()
        self.np_carrier.novaposhta_send_shipping(order.picking_ids[:1])
        self.assertEqual(order.np_waybill_number, number)
        self.assertEqual(self.fake.count_calls("InternetDocument.save"), 1)
        self.assertEqual(order.picking_ids[:1].carrier_tracking_ref, number)
        self.assertEqual(
            self.np_carrier.novaposhta_get_tracking_link(order.picking_ids[:1]),
            f"https://novaposhta.ua/tracking/?cargo_number={number}",
        )

    def test_refusal_postpones_with_np_message(self):
        order = self.order_to_delivery(np_recipient_phone="0001234")
        self.assertEqual(order.stage_code, "delivery_postponed")
        self.assertFalse(order.np_waybill_id)
        self.assertFalse(self.env["novaposhta.waybill"].search([("order_id", "=", order.id)]))
        notes = order.activity_ids.mapped("note")
        self.assertTrue(any("20000300434" in (note or "") for note in notes), notes)

    def test_timeout_on_save_never_duplicates(self):
        self.fake.fail_next("timeout_after_save", "InternetDocument.save")
        order = self.order_to_delivery()
        # NP created it, but the answer came too late: the order waits in
        # its status while the scheduled action settles the outcome
        self.assertEqual(order.np_waybill_state, "uncertain")
        self.assertEqual(order.stage_code, "to_delivery")
        self.assertEqual(len(self.fake.waybills_with_barcode(order.name)), 1)
        order.with_user(self.users["logistics"]).action_np_create_waybill()
        self.assertEqual(order.np_waybill_state, "created")
        self.assertEqual(
            order.np_waybill_number, self.fake.waybills_with_barcode(order.name)[0]["Number"]
        )
        self.assertEqual(self.fake.count_calls("InternetDocument.save"), 1)
        self.assertEqual(len(self.fake.waybills_with_barcode(order.name)), 1)

    def test_uncertain_save_not_created_is_created_once(self):
        self.fake.fail_next("timeout", "InternetDocument.save")
        order = self.np_order()
        order.with_user(self.users["logistics"]).action_np_create_waybill()
        self.assertEqual(order.np_waybill_state, "uncertain")
        self.assertFalse(self.fake.waybills_with_barcode(order.name))
        order.with_user(self.users["logistics"]).action_np_create_waybill()
        self.assertEqual(order.np_waybill_state, "created")
        self.assertEqual(self.fake.count_calls("getDocumentList"), 1)
        self.assertEqual(len(self.fake.waybills_with_barcode(order.name)), 1)

    def test_np_500_on_save_is_uncertain(self):
        self.fake.fail_next("500", "InternetDocument.save")
        order = self.np_order()
        order.with_user(self.users["logistics"]).action_np_create_waybill()
        self.assertEqual(order.np_waybill_state, "uncertain")

    def test_delete_only_before_acceptance(self):
        order = self.np_order()
        order.with_user(self.users["logistics"]).action_np_create_waybill()
        number = order.np_waybill_number
        order.with_user(self.users["logistics"]).action_np_delete_waybill()
        self.assertFalse(order.np_waybill_id)
        self.assertFalse(order.delivery_tracking_ref)
        self.assertEqual(self.fake.waybills[number]["StatusCode"], "2")
        # a new waybill may be created after the deletion
        order.with_user(self.users["logistics"]).action_np_create_waybill()
        self.assertNotEqual(order.np_waybill_number, number)
        self.fake.set_status(order.np_waybill_number, "5")
        self.sync()
        with self.assertRaisesRegex(UserError, "already accepted"):
            order.with_user(self.users["logistics"]).action_np_delete_waybill()

    def test_label_fetched_server_side(self):
        order = self.np_order()
        order.with_user(self.users["logistics"]).action_np_create_waybill()
        action = order.with_user(self.users["logistics"]).action_np_print_label()
        self.assertNotIn(VALID_KEY, action["url"])
        attachment = self.env["ir.attachment"].search(
            [("res_model", "=", "sale.order"), ("res_id", "=", order.id)]
        )
        self.assertEqual(attachment.mimetype, "application/pdf")
        self.assertTrue(attachment.raw.startswith(b"%PDF"))
        self.assertNotIn(VALID_KEY, " ".join(order.message_ids.mapped("body")))

    def test_bulk_reports_per_order(self):
        good = self.np_order()
        bad = self.np_order(np_warehouse_id=False)
        wizard = (
            self.env["novaposhta.waybill.bulk"]
            .with_user(self.users["logistics"])
            .create({"order_ids": [(6, 0, (good | bad).ids)]})
        )
        wizard.action_create()
        self.assertEqual(good.np_waybill_state, "created")
        self.assertFalse(bad.np_waybill_id)
        self.assertIn(good.np_waybill_number, wizard.result)
        self.assertIn("branch or parcel locker", wizard.result)

    def test_postomat_and_cod(self):
        order = self.np_order(
            np_city_id=self.kyiv.id,
            np_warehouse_id=self.postomat.id,
            np_delivery_mode="postomat",
            np_preset_id=self.preset_cod.id,
        )
        order.with_user(self.users["logistics"]).action_np_create_waybill()
        props = [c for c in self.fake.calls if c["calledMethod"] == "save"][-1]["props"]
        self.assertEqual(props["ServiceType"], "WarehousePostomat")
        self.assertTrue(props["OptionsSeat"])
        self.assertEqual(
            float(props["BackwardDeliveryData"][0]["RedeliveryString"]), order.amount_total
        )
        self.assertEqual(order.delivery_cod_state, "expected")
        self.assertEqual(order.np_cod_amount, order.amount_total)
        big = self.np_order(
            np_city_id=self.kyiv.id, np_warehouse_id=self.postomat.id, np_delivery_mode="postomat"
        )
        big.order_line.product_uom_qty = 7
        with self.assertRaisesRegex(UserError, "6000"):
            big.with_user(self.users["logistics"]).action_np_create_waybill()

    def test_rate_shipment(self):
        order = self.np_order()
        result = self.np_carrier.rate_shipment(order)
        self.assertTrue(result["success"], result)
        self.assertGreater(result["price"], 0)
        self.assertIn("Estimated delivery", result["warning_message"])
        no_city = self.np_order(np_city_id=False, np_warehouse_id=False)
        self.assertFalse(self.np_carrier.rate_shipment(no_city)["success"])

    def test_one_default_preset(self):
        with self.assertRaisesRegex(Exception, "already has a default preset"):
            self.preset_cod.is_default = True
            self.preset_cod.flush_recordset()

    def test_delete_uncertain_looks_it_up(self):
        self.fake.fail_next("timeout_after_save", "InternetDocument.save")
        order = self.np_order()
        order.with_user(self.users["logistics"]).action_np_create_waybill()
        self.assertEqual(order.np_waybill_state, "uncertain")
        order.with_user(self.users["logistics"]).action_np_delete_waybill()
        self.assertFalse(order.np_waybill_id)
        created = self.fake.waybills_with_barcode(order.name)
        self.assertEqual([w["StatusCode"] for w in created], ["2"], "deleted at NP too")
