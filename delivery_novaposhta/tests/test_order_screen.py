"""What a Sales Manager and a Manager do on the order's own screen (the Nova
Poshta city and branch on the main page, found by number or street), what
the person responsible sees when Nova Poshta cannot be reached, and the
directory sync an administrator starts from a menu."""

from lxml import etree

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import CLOSED_URL, NovaPoshtaCommon


@tagged("post_install", "-at_install")
class TestOrderScreen(NovaPoshtaCommon):
    def main_page_field(self, user, name):
        arch = self.env["sale.order"].with_user(user).get_views([(False, "form")])["views"]["form"]
        form = etree.fromstring(arch["arch"])
        nodes = form.xpath(f"//sheet/group//field[@name='{name}']")
        self.assertTrue(nodes, f"{name} on the order's main page")
        return nodes[0]

    def test_sales_manager_and_manager_set_city_and_branch(self):
        for role in ("sales", "manager"):
            with self.subTest(role=role):
                user = self.users[role]
                for name in ("np_city_id", "np_warehouse_id"):
                    node = self.main_page_field(user, name)
                    self.assertNotIn(node.get("readonly"), ("1", "True"))
                    self.assertIn("not np_is_novaposhta", node.get("invisible"))
                order = self.np_order(np_city_id=False, np_warehouse_id=False)
                form_order = order.with_user(user)
                form_order.write({"np_city_id": self.kyiv.id, "np_warehouse_id": self.kyiv_1.id})
                self.assertEqual(order.np_warehouse_id, self.kyiv_1)
                # changed while the order is being assembled
                self.pay(order)
                self.walk(order, "assembling")
                form_order.write(
                    {"np_delivery_mode": "postomat", "np_warehouse_id": self.postomat.id}
                )
                self.assertEqual(order.np_warehouse_id, self.postomat)
                # what Nova Poshta fills stays the system's
                with self.assertRaises(AccessError):
                    form_order.write({"delivery_tracking_ref": "20450000000000"})
                self.assertFalse(order.delivery_tracking_ref)

    def test_branch_found_by_number_or_street(self):
        Warehouse = self.env["novaposhta.warehouse"].with_user(self.sales)
        in_kyiv = [("city_id", "=", self.kyiv.id)]
        number = self.kyiv_1.number
        for typed in (number, f"№{number}", f"#{number}"):
            with self.subTest(typed=typed):
                found = [row[0] for row in Warehouse.name_search(typed, args=in_kyiv)]
                self.assertEqual(found, self.kyiv_1.ids)
        found = [row[0] for row in Warehouse.name_search("Тестова 10", args=in_kyiv)]
        self.assertEqual(found, self.postomat.ids)
        found = [row[0] for row in Warehouse.name_search("поштомат", args=in_kyiv)]
        self.assertEqual(found, self.postomat.ids)
        cities = self.env["novaposhta.city"].with_user(self.sales).name_search("Київ")
        self.assertEqual([row[0] for row in cities], self.kyiv.ids)

    def test_unreachable_np_told_once_in_ukrainian(self):
        """NP cannot be reached while the scheduled action sends the
        waybill: the order shows why, its salesperson gets one note and one
        activity in Ukrainian however often the action tries, and once NP is
        back the waybill is made and the activity is done."""
        self.env["res.lang"]._activate_lang("uk_UA")
        self.sales.lang = "uk_UA"
        self.account.api_url = CLOSED_URL  # refused at once
        order = self.order_to_delivery(run_cron=False)
        before = order.activity_ids
        messages = order.message_ids
        for _run in range(4):
            self.run_waybill_cron()
            order.np_waybill_id.sudo().next_try = False
        self.assertEqual(order.stage_code, "to_delivery")
        self.assertEqual(order.np_waybill_state, "queued")
        self.assertTrue(order.with_user(self.sales).np_waybill_problem)
        self.assertIn("Нова Пошта недоступна", order.with_user(self.sales).np_waybill_error)
        new = order.activity_ids - before
        self.assertEqual(len(new), 1, new.mapped("summary"))
        self.assertEqual(new.user_id, self.sales)
        self.assertEqual(new.summary, "Перевірте накладну Нової Пошти")
        notes = (order.message_ids - messages).filtered(lambda m: m.body)
        self.assertEqual(len(notes), 1, notes.mapped("body"))
        self.assertIn("Накладну Нової Пошти для", notes.body)
        self.assertIn("Нова Пошта недоступна", notes.body)
        self.assertNotIn("Connection", notes.body)
        # exhausted attempts keep the one activity
        for _run in range(8):
            self.run_waybill_cron()
            order.np_waybill_id.sudo().next_try = False
        self.assertTrue(order.np_waybill_id.needs_attention)
        self.assertEqual(len(order.activity_ids - before), 1)
        # NP is back: a person checks again, the waybill is made, the to-do is done
        self.account.api_url = self.fake.url
        order.np_waybill_id.with_user(self.users["logistics"]).action_np_recheck()
        self.assertEqual(order.np_waybill_state, "created")
        self.assertFalse(order.np_waybill_problem)
        self.assertFalse(order.activity_ids - before)

    def test_directories_synced_from_the_menu(self):
        menu = self.env.ref("delivery_novaposhta.menu_np_sync_directories")
        action = self.env.ref("delivery_novaposhta.novaposhta_city_action_sync")
        self.assertEqual(menu.action, action)
        admin = self.users["administrator"]
        admin.groups_id |= self.env.ref("base.group_system")
        self.assertIn(menu, self.env["ir.ui.menu"].with_user(admin).search([("id", "=", menu.id)]))
        self.assertNotIn(
            menu,
            self.env["ir.ui.menu"]
            .with_user(self.users["logistics"])
            .search([("id", "=", menu.id)]),
        )
        self.fake.cities.append({"Ref": "city-dnipro", "Description": "Дніпро"})
        result = action.with_user(admin).run()
        self.assertEqual(result["params"]["type"], "success")
        self.assertTrue(self.env["novaposhta.city"].search([("ref", "=", "city-dnipro")]))
        with self.assertRaises(AccessError):
            self.env["novaposhta.city"].with_user(
                self.users["logistics"]
            ).action_np_sync_directories()
        self.account.api_key = False
        with self.assertRaises(UserError):
            self.env["novaposhta.city"].with_user(admin).action_np_sync_directories()

    def test_support_opens_a_nova_poshta_order(self):
        """Customer Support reads the order a customer calls about: its form
        opens with the Nova Poshta delivery shown, without an access error."""
        order = self.np_order()
        spec = {
            "carrier_id": {"fields": {"display_name": {}}},
            "np_is_novaposhta": {},
            "np_city_id": {"fields": {"display_name": {}}},
            "np_warehouse_id": {"fields": {"display_name": {}}},
        }
        (values,) = order.with_user(self.users["support"]).web_read(spec)
        self.assertTrue(values["np_is_novaposhta"])
        self.assertEqual(values["carrier_id"]["id"], order.carrier_id.id)
