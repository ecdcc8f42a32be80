"""The rights of the store roles in Odoo's Purchase app, acting as a user of
the role: what is allowed works, what is refused raises and changes
nothing."""

from odoo import Command
from odoo.tests import tagged

from odoo.addons.access_roles.tests.common import RoleScreensMixin

from .common import AccessRolesPurchaseCommon
from .matrix_expected import RIGHTS


@tagged("post_install", "-at_install")
class TestPurchase(AccessRolesPurchaseCommon):
    def test_administrator_and_purchaser_full(self):
        for role in ("administrator", "purchaser"):
            with self.subTest(role=role):
                Purchase = self.env["purchase.order"].with_user(self.users[role])
                order = Purchase.create(
                    {
                        "partner_id": self.vendor.id,
                        "order_line": [
                            Command.create({"product_id": self.product.id, "product_qty": 1})
                        ],
                    }
                )
                order.button_confirm()
                self.assertEqual(order.state, "purchase")
                self.assertTrue(order.picking_ids, "the receipt is created")
                order.button_cancel()
                self.assertEqual(order.state, "cancel")
                self.assertAllowed(order.unlink)

    def test_read_only_roles(self):
        for role in ("manager", "logistics", "accountant"):
            with self.subTest(role=role):
                order = self.as_role(self.purchase, role)
                self.assertEqual(order.partner_id, self.vendor)
                self.assertRefused(
                    lambda order=order: order.write({"partner_ref": "X"}),
                    self.purchase,
                    ["partner_ref"],
                )

    def test_no_purchases_for_other_roles(self):
        for role in ("sales", "marketer", "support"):
            with self.subTest(role=role):
                self.assertRefused(
                    lambda role=role: self.as_role(self.purchase, role).read(["name"])
                )


@tagged("post_install", "-at_install")
class TestPurchaserCatalogue(AccessRolesPurchaseCommon):
    def test_purchaser_manages_vendors(self):
        Partner = self.env["res.partner"].with_user(self.users["purchaser"])
        self.as_role(self.vendor, "purchaser").phone = "+380441234567"
        self.assertEqual(self.vendor.phone, "+380441234567")
        new_vendor = Partner.create({"name": "Another vendor"})
        self.assertTrue(new_vendor.exists())
        self.assertRefused(
            lambda: self.as_role(self.customer, "purchaser").write({"phone": "+380000000000"}),
            self.customer,
            ["phone"],
        )

    def test_purchaser_create_write_no_delete(self):
        Product = self.env["product.template"].with_user(self.users["purchaser"])
        product = Product.create({"name": "Blender"})
        product.list_price = 99
        self.assertRefused(product.unlink, product, ["name"])

    def test_purchaser_reads_transfers(self):
        picking = self.as_role(self.picking, "purchaser")
        self.assertEqual(picking.sale_id, self.order_confirmed)
        self.assertRefused(
            lambda: picking.write({"origin": "by the purchaser"}), self.picking, ["origin"]
        )
        picking_type = self.env.ref("stock.picking_type_out")
        self.assertRefused(
            lambda: (
                self.env["stock.picking"]
                .with_user(self.users["purchaser"])
                .create(
                    {
                        "picking_type_id": picking_type.id,
                        "location_id": picking_type.default_location_src_id.id,
                        "location_dest_id": self.env.ref("stock.stock_location_customers").id,
                    }
                )
            )
        )


@tagged("post_install", "-at_install")
class TestPurchaseScreens(RoleScreensMixin, AccessRolesPurchaseCommon):
    def test_purchase_screens(self):
        for role in ("administrator", "manager", "logistics", "accountant", "purchaser"):
            with self.subTest(role=role):
                self.open_form(role, self.purchase)
                self.open_list(role, "purchase.order")

    def test_purchaser_contact_screens(self):
        self.open_form("purchaser", self.vendor)
        self.open_list("purchaser", "res.partner")

    def test_purchaser_transfer_screens(self):
        self.open_form("purchaser", self.picking)
        self.open_list("purchaser", "stock.picking")

    def test_no_partner_autocomplete_in_the_purchase_form(self):
        arch = self.env["purchase.order"].get_view(view_type="form")["arch"]
        for widget in ("field_partner_autocomplete", "res_partner_many2one"):
            self.assertNotIn(f'widget="{widget}"', arch)


@tagged("post_install", "-at_install")
class TestPurchaseMatrix(AccessRolesPurchaseCommon):
    def test_matrix_shows_the_purchase_rights(self):
        lines = self.env["access.matrix.line"]._compute_matrix()
        roles = {role: self.env.ref(f"access_roles.group_role_{role}").id for role in self.users}
        cells = {(line["model"], line["role_id"]): line["rights"] for line in lines}
        for model, rights in RIGHTS.items():
            for role, expected in rights.items():
                with self.subTest(model=model, role=role):
                    self.assertEqual(cells.get((model, roles[role]), "–"), expected)
        area = self.env.ref("access_roles_purchase.matrix_area_purchase")
        purchase_lines = [line for line in lines if line["model"] == "purchase.order"]
        self.assertTrue(purchase_lines)
        self.assertTrue(all(line["area_id"] == area.id for line in purchase_lines))

    def test_odoo_vendor_bill_rule_by_its_name(self):
        lines = self.env["access.matrix.line"]._compute_matrix()
        purchaser = self.env.ref("access_roles.group_role_purchaser")
        (line,) = [
            line
            for line in lines
            if line["model"] == "account.move" and line["role_id"] == purchaser.id
        ]
        self.assertIn("Vendor bills and refunds only", line["rules"])
