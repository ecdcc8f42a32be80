from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    # Cost is shown only to the roles that may see purchase prices.
    standard_price = fields.Float(groups="access_roles.group_see_cost")
