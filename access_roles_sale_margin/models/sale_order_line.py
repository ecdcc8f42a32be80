from odoo import fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    margin = fields.Float(groups="access_roles.group_see_cost")
    margin_percent = fields.Float(groups="access_roles.group_see_cost")
    purchase_price = fields.Float(groups="access_roles.group_see_cost")
