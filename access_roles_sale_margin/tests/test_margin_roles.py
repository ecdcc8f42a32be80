from odoo.tests import tagged

from odoo.addons.access_roles.tests.common import AccessRolesCommon

from .matrix_expected import PROTECTED


@tagged("post_install", "-at_install")
class TestMargin(AccessRolesCommon):
    def test_margin_visible_to_the_roles_that_may_see_cost(self):
        for role in ("administrator", "manager", "accountant"):
            with self.subTest(role=role):
                order = self.as_role(self.order_confirmed, role)
                self.assertEqual(order.read(["margin"])[0]["margin"], self.order_confirmed.margin)
                self.assertIn("purchase_price", order.order_line.fields_get())

    def test_margin_and_cost_of_orders_hidden_from_other_roles(self):
        for role in ("sales", "support"):
            with self.subTest(role=role):
                self.assertRefused(
                    lambda role=role: self.as_role(self.order_confirmed, role).read(["margin"])
                )
                self.assertRefused(
                    lambda role=role: self.as_role(self.order_confirmed.order_line, role).read(
                        ["purchase_price"]
                    )
                )
                lines = self.env["sale.order.line"].with_user(self.users[role])
                self.assertNotIn("margin", lines.fields_get())

    def test_matrix_lists_the_hidden_margin(self):
        lines = self.env["access.matrix.line"].with_context(lang="en_US")._compute_matrix()
        cells = {(line["model"], line["role_id"]): line for line in lines}
        for (role, model), fragments in PROTECTED.items():
            line = cells[(model, self.env.ref(f"access_roles.group_role_{role}").id)]
            for fragment in fragments:
                with self.subTest(role=role, model=model, fragment=fragment):
                    self.assertIn(fragment, line["protected_fields"])

    def test_matrix_names_the_hidden_cost_of_lines_in_ukrainian(self):
        self.env["res.lang"]._activate_lang("uk_UA")
        self.env["ir.module.module"].search(
            [("name", "in", ("access_roles", "sale_margin"))]
        )._load_module_terms(["access_roles", "sale_margin"], ["uk_UA"])
        env_uk = self.env(context={"lang": "uk_UA"})
        label = env_uk["sale.order.line"]._fields["purchase_price"]._description_string(env_uk)
        self.assertNotEqual(label, "Cost")
        lines = env_uk["access.matrix.line"]._compute_matrix()
        sales = self.env.ref("access_roles.group_role_sales")
        (line,) = [
            line
            for line in lines
            if line["model"] == "sale.order.line" and line["role_id"] == sales.id
        ]
        self.assertIn(
            f"{label}: приховано (закупівельна ціна / собівартість)", line["protected_fields"]
        )
