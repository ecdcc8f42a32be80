from odoo import fields, models

from odoo.addons.access_roles.models.sale_order_line import INVOICE_LINES_GROUPS


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    # Purchase's users read journal items too (vendor bills).
    invoice_lines = fields.Many2many(groups=f"{INVOICE_LINES_GROUPS},purchase.group_purchase_user")
