from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import NovaPoshtaCommon
from .fake_novaposhta import VALID_KEY


@tagged("post_install", "-at_install")
class TestAccess(NovaPoshtaCommon):
    def test_api_key_admin_only(self):
        manager = self.users["manager"]
        account = self.account.with_user(manager)
        self.assertEqual(account.name, "Test NP account")
        with self.assertRaises(AccessError):
            account.read(["api_key"])
        self.assertNotIn(VALID_KEY, account.api_key_masked)
        admin = self.users["administrator"]
        self.assertEqual(self.account.with_user(admin).api_key, VALID_KEY)

    def test_roles_on_waybills(self):
        order = self.np_order()
        with self.assertRaises(AccessError):
            order.with_user(self.users["support"]).action_np_create_waybill()
        order.with_user(self.users["logistics"]).action_np_create_waybill()
        waybill = order.np_waybill_id
        self.assertTrue(waybill.with_user(self.users["support"]).read(["name"]))
        with self.assertRaises(AccessError):
            waybill.with_user(self.users["sales"]).write({"error_message": "x"})

    def test_logistics_edits_mapping_and_order_delivery_data(self):
        row = self.env.ref("delivery_novaposhta.status_map_7").with_user(self.users["logistics"])
        row.keep_updating = True
        order = self.order_to_delivery()
        order.with_user(self.users["logistics"]).write({"np_auto_update": False})
        self.assertFalse(order.np_auto_update)
        with self.assertRaises(AccessError):
            self.env.ref("delivery_novaposhta.status_map_7").with_user(self.users["sales"]).write(
                {"keep_updating": False}
            )

    def test_key_expiry_warning(self):
        self.account.api_key_expiry = fields.Date.today() + timedelta(days=10)
        self.assertEqual(self.account.key_state, "soon")
        self.env["novaposhta.account"]._cron_check_key_expiry()
        self.assertEqual(len(self.account.activity_ids), 1)
        self.assertIn("expires soon", self.account.activity_ids.summary)
        self.env["novaposhta.account"]._cron_check_key_expiry()
        self.assertEqual(len(self.account.activity_ids), 1, "warned once a day")
