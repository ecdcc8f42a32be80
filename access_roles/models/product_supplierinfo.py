from odoo import fields, models


class ProductSupplierinfo(models.Model):
    _inherit = "product.supplierinfo"

    price = fields.Float(groups="access_roles.group_see_cost")
