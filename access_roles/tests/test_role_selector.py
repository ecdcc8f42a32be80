from odoo.tests import tagged
from odoo.tests.common import TransactionCase, new_test_user

from .common import ROLES


@tagged("post_install", "-at_install")
class TestRoleSelector(TransactionCase):
    def test_roles_are_one_selector_on_the_user_form(self):
        category = self.env.ref("access_roles.module_category_store_roles")
        entries = [
            e for e in self.env["res.groups"].get_groups_by_application() if e[0] == category
        ]
        self.assertEqual(len(entries), 1)
        _app, kind, groups, _name = entries[0]
        self.assertEqual(kind, "selection")
        self.assertEqual(len(groups), 8)
        field_name = f"sel_groups_{'_'.join(str(gid) for gid in groups.ids)}"
        self.assertIn(field_name, self.env["res.users"].fields_get())

    def test_choosing_a_role_replaces_the_previous_one(self):
        category = self.env.ref("access_roles.module_category_store_roles")
        groups = next(
            e for e in self.env["res.groups"].get_groups_by_application() if e[0] == category
        )[2]
        field_name = f"sel_groups_{'_'.join(str(gid) for gid in groups.ids)}"
        sales = self.env.ref("access_roles.group_role_sales")
        logistics = self.env.ref("access_roles.group_role_logistics")
        user = self.env["res.users"].create(
            {"name": "Nadia", "login": "nadia", field_name: sales.id}
        )
        self.assertEqual(user.store_role_id, sales)
        user.write({field_name: logistics.id})
        self.assertEqual(user._store_role_groups(), logistics)
        self.assertTrue(
            user.has_group("stock.group_stock_user"), "the role implies Odoo's Inventory user"
        )

    def test_each_role_has_a_bilingual_description_and_a_guide(self):
        for xmlid in ROLES:
            group = self.env.ref(f"access_roles.group_role_{xmlid}")
            with self.subTest(role=xmlid):
                self.assertIn(group.name, group.comment)
                self.assertTrue(group.role_guide)
                self.assertIn("Чого ви не можете", group.role_guide)

    def test_my_role_menu_runs_for_every_role(self):
        """The "My role" menu's action runs for a user of each role (server
        actions check rights of their own)."""
        action = self.env.ref("access_roles.res_users_action_role_guide")
        for xmlid in ROLES:
            with self.subTest(role=xmlid):
                user = new_test_user(
                    self.env,
                    login=f"menu_{xmlid}",
                    groups=f"base.group_user,access_roles.group_role_{xmlid}",
                )
                result = action.with_user(user).run()
                self.assertEqual(
                    result["res_id"], self.env.ref(f"access_roles.group_role_{xmlid}").id
                )

    def test_access_matrix_menu_runs_for_a_manager(self):
        user = new_test_user(
            self.env, login="menu_matrix", groups="base.group_user,access_roles.group_role_manager"
        )
        result = self.env.ref("access_roles.access_matrix_line_action_server").with_user(user).run()
        self.assertEqual(result["res_model"], "access.matrix.line")
        self.assertTrue(self.env["access.matrix.line"].with_user(user).search(result["domain"]))

    def test_my_role_opens_the_guide(self):
        user = new_test_user(
            self.env, login="guide_user", groups="base.group_user,access_roles.group_role_support"
        )
        action = self.env["res.users"].with_user(user).action_open_role_guide()
        self.assertEqual(action["res_id"], self.env.ref("access_roles.group_role_support").id)
        guide = self.env["res.groups"].with_user(user).browse(action["res_id"]).role_guide
        self.assertIn("Підтримка", self.env.ref("access_roles.group_role_support").comment)
        self.assertTrue(guide)
