from odoo import api, fields, models

from .sale_order import CARRIER_BEING_SET

# The groups that may read journal items (Odoo's access rights on
# account.move.line) among the apps this addon depends on.
INVOICE_LINES_GROUPS = (
    "account.group_account_invoice,account.group_account_readonly,"
    "sales_team.group_sale_salesman,base.group_portal"
)


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    # A line's journal items (a debug-mode block of the order form) are shown
    # only to the groups that may read journal items; roles without that
    # right (Support, Logistics) open the order without the block.
    # (access_roles_purchase adds Purchase's users, who read vendor bills.)
    invoice_lines = fields.Many2many(groups=INVOICE_LINES_GROUPS)

    @api.model
    def _access_status_group_code(self):
        return self.order_id._access_status_group_code() if self else False

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            order_ids = {vals["order_id"] for vals in vals_list if vals.get("order_id")}
            self.env["access.field.policy"]._check_write(
                self.env["sale.order"].browse(order_ids), ["order_line"]
            )
        return super().create(vals_list)

    _access_policy_checked_early = True

    def write(self, vals):
        # Field rights first, before sale_stock reacts to the change
        # (quantity → stock moves).
        self._check_access_field_policy(vals)
        return super().write(vals)

    def unlink(self):
        if not self.env.su:
            # the delivery line replaced while the order's delivery method is
            # set (SaleOrder.set_delivery_line) goes with the old method
            being_set = CARRIER_BEING_SET.get()
            checked = self.filtered(
                lambda line: not (line.is_delivery and line.order_id.id in being_set)
            )
            self.env["access.field.policy"]._check_write(checked.order_id, ["order_line"])
        return super().unlink()
