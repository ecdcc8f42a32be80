from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import AccessRolesCommon


@tagged("post_install", "-at_install")
class TestStatusRights(AccessRolesCommon):
    def allowed(self, role, code, group, kind="any"):
        return self.env["access.status.right"]._is_allowed(self.users[role], code, group, kind)

    def test_table_of_the_store_roles_matrix(self):
        cases = [
            ("administrator", "returned", "cancel", "any", True),
            ("manager", "to_assembly", "assembly", "carrier", True),
            ("sales", "agreed", "approval", "carrier", True),
            ("sales", "new", "new", "carrier", True),
            ("sales", "cancelled", "cancel", "carrier", True),
            ("sales", "done", "done", "self_pickup", True),
            ("sales", "partially_done", "done", "courier", True),
            ("sales", "done", "done", "carrier", False),
            ("sales", "to_assembly", "assembly", "any", False),
            ("logistics", "assembling", "assembly", "any", True),
            ("logistics", "at_pickup_point", "delivery", "carrier", True),
            ("logistics", "returned", "cancel", "any", True),
            ("logistics", "cancelled", "cancel", "any", False),
            ("logistics", "agreed", "approval", "any", False),
            ("support", "ready_to_wait", "approval", "any", True),
            ("support", "delivery_postponed", "delivery", "any", True),
            ("support", "agreed", "approval", "any", False),
            ("accountant", "to_assembly", "assembly", "any", False),
            ("marketer", "new", "new", "any", False),
            ("purchaser", "done", "done", "any", False),
        ]
        for role, code, group, kind, expected in cases:
            with self.subTest(role=role, status=code, delivery=kind):
                self.assertEqual(self.allowed(role, code, group, kind), expected)

    def test_administrator_edits_the_table(self):
        right = self.env["access.status.right"].create(
            {
                "group_id": self.env.ref("access_roles.group_role_accountant").id,
                "status_code": "to_assembly",
            }
        )
        self.assertTrue(self.allowed("accountant", "to_assembly", "assembly"))
        right.active = False
        self.assertFalse(self.allowed("accountant", "to_assembly", "assembly"))

    def test_a_right_names_exactly_one_target(self):
        with self.assertRaises(ValidationError):
            self.env["access.status.right"].create(
                {"group_id": self.env.ref("access_roles.group_role_support").id}
            )
        with self.assertRaises(ValidationError):
            self.env["access.status.right"].create(
                {
                    "group_id": self.env.ref("access_roles.group_role_support").id,
                    "all_statuses": True,
                    "status_code": "new",
                }
            )
