from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import AccessRolesCommon


@tagged("post_install", "-at_install")
class TestFieldPolicy(AccessRolesCommon):
    def test_message_names_role_fields_and_status(self):
        line = self.as_role(self.order_confirmed.order_line, "sales")
        with self.assertRaises(AccessError) as caught:
            line.write({"price_unit": 1})
        message = str(caught.exception)
        self.assertIn("Sales Manager", message)
        self.assertIn("Unit Price", message)
        self.assertIn("Assembly", message)

    def test_message_in_the_users_language(self):
        self.env["res.lang"]._activate_lang("uk_UA")
        self.env["ir.module.module"].search([("name", "=", "access_roles")])._load_module_terms(
            ["access_roles"], ["uk_UA"]
        )
        user = self.users["sales"]
        user.lang = "uk_UA"
        line = self.order_confirmed.order_line.with_user(user).with_context(lang="uk_UA")
        with self.assertRaises(AccessError) as caught:
            line.write({"price_unit": 1})
        self.assertIn("Ваша роль (Менеджер з продажу) не може змінювати", str(caught.exception))
        self.assertIn("Комплектація", str(caught.exception))

    def test_policy_edited_in_the_ui_applies_at_once(self):
        policy = self.env.ref("access_roles.field_policy_sales_order_line_prices")
        policy.status_group_ids = [(4, self.env.ref("access_roles.status_group_new").id)]
        line = self.as_role(self.order_draft.order_line, "sales")
        self.assertRefused(
            lambda: line.write({"price_unit": 1}), self.order_draft.order_line, ["price_unit"]
        )
        policy.active = False
        line.write({"price_unit": 1})
        self.assertEqual(self.order_draft.order_line.price_unit, 1)

    def test_automatic_work_is_not_limited(self):
        self.order_confirmed.order_line.with_user(self.users["sales"]).sudo().price_unit = 5
        self.assertEqual(self.order_confirmed.order_line.price_unit, 5)

    def test_users_without_a_store_role_are_not_limited(self):
        user = self.env["res.users"].create(
            {
                "name": "Plain salesman",
                "login": "plain_salesman",
                "groups_id": [
                    (6, 0, [self.env.ref("sales_team.group_sale_salesman_all_leads").id])
                ],
            }
        )
        self.order_confirmed.order_line.with_user(user).price_unit = 7
        self.assertEqual(self.order_confirmed.order_line.price_unit, 7)
