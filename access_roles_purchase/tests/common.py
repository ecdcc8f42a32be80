from odoo import Command

from odoo.addons.access_roles.tests.common import AccessRolesCommon


class AccessRolesPurchaseCommon(AccessRolesCommon):
    """The store of access_roles' tests, with a purchase order from its
    vendor."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.purchase = cls.env["purchase.order"].create(
            {
                "partner_id": cls.vendor.id,
                "order_line": [
                    Command.create(
                        {"product_id": cls.product.id, "product_qty": 5, "price_unit": 550}
                    )
                ],
            }
        )
