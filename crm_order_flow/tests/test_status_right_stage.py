"""A status right names an order status by record: the administrator picks
the status, a code that is no status's is refused, and the statuses' codes
cannot change or disappear under the rights that name them."""

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import OrderFlowCommon


@tagged("post_install", "-at_install")
class TestStatusRightStage(OrderFlowCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Right = cls.env["access.status.right"].with_user(cls.users["administrator"])
        cls.accountant_role = cls.env.ref("access_roles.group_role_accountant")
        cls.accountant = cls.users["accountant"]

    def allowed(self, user, code):
        stage = self.stage(code)
        return self.env["access.status.right"]._is_allowed(user, code, stage.group_code)

    def test_administrator_picks_the_status(self):
        self.assertFalse(self.allowed(self.accountant, "to_assembly"))
        right = self.Right.create(
            {"group_id": self.accountant_role.id, "stage_id": self.stage("to_assembly").id}
        )
        self.assertEqual(right.status_code, "to_assembly")
        self.assertEqual(right.stage_id, self.stage("to_assembly"))
        self.assertTrue(self.allowed(self.accountant, "to_assembly"))
        right.stage_id = self.stage("assembling")
        self.assertEqual(right.status_code, "assembling")
        self.assertFalse(self.allowed(self.accountant, "to_assembly"))
        self.assertTrue(self.allowed(self.accountant, "assembling"))
        self.assertEqual(self.Right.search([("stage_id", "=", self.stage("assembling").id)]), right)
        self.assertIn(right, self.Right.search([("stage_id", "ilike", "Assembl")]))
        self.assertNotIn(
            right, self.Right.search([("stage_id", "!=", self.stage("assembling").id)])
        )

    def test_the_statuses_picker_fills_the_code(self):
        right = self.Right.new({"group_id": self.accountant_role.id})
        right.stage_id = self.stage("agreed")
        right._onchange_stage_id()
        self.assertEqual(right.status_code, "agreed")

    def test_a_typo_in_the_code_is_refused(self):
        with self.assertRaises(ValidationError) as refused:
            self.Right.create({"group_id": self.accountant_role.id, "status_code": "canceled"})
        self.assertIn("no order status with the code “canceled”", str(refused.exception))
        right = self.env.ref("access_roles.status_right_sales_cancelled")
        with self.assertRaises(ValidationError):
            right.with_user(self.users["administrator"]).write({"status_code": "cancelld"})
        self.assertEqual(right.status_code, "cancelled")
        self.env["res.lang"]._activate_lang("uk_UA")
        with self.assertRaises(ValidationError) as refused:
            self.Right.with_context(lang="uk_UA").create(
                {"group_id": self.accountant_role.id, "status_code": "canceled"}
            )
        self.assertIn("Немає статусу замовлення з кодом «canceled»", str(refused.exception))

    def test_shipped_rights_name_their_statuses(self):
        for xmlid, code in (
            ("status_right_sales_cancelled", "cancelled"),
            ("status_right_sales_done_courier", "done"),
            ("status_right_logistics_returned", "returned"),
        ):
            with self.subTest(right=xmlid):
                right = self.env.ref(f"access_roles.{xmlid}")
                self.assertEqual(right.stage_id, self.stage(code))

    def test_renamed_code_carries_its_rights(self):
        right = self.env.ref("access_roles.status_right_logistics_returned")
        returned = self.stage("returned")
        returned.with_user(self.users["administrator"]).code = "returned_to_stock"
        self.assertEqual(right.status_code, "returned_to_stock")
        self.assertEqual(right.stage_id, returned)
        self.assertTrue(self.allowed(self.users["logistics"], "returned_to_stock"))

    def test_status_named_by_rights_cannot_be_deleted(self):
        stage = self.env["sale.order.stage"].create(
            {
                "name": "Checked twice",
                "code": "checked_twice",
                "group_id": self.stage("assembling").group_id.id,
            }
        )
        right = self.Right.create({"group_id": self.accountant_role.id, "stage_id": stage.id})
        right.active = False
        with self.assertRaises(UserError) as refused:
            stage.with_user(self.users["administrator"]).unlink()
        self.assertIn("“Checked twice” cannot be deleted", str(refused.exception))
        self.assertTrue(right.exists())
        right.unlink()
        stage.with_user(self.users["administrator"]).unlink()
        self.assertFalse(stage.exists())
