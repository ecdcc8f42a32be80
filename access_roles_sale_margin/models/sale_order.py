from odoo import fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    margin = fields.Monetary(groups="access_roles.group_see_cost")
    margin_percent = fields.Float(groups="access_roles.group_see_cost")
