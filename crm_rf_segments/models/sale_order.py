from odoo import fields, models

# Statuses after which the customer's recency and frequency change at once.
RF_TRIGGER_CODES = ("done", "partially_done", "returned", "cancelled")


# One concern of the order per file (as in crm_order_flow).
class SaleOrder(models.Model):
    _inherit = "sale.order"

    rf_segment_id = fields.Many2one(
        "rf.segment", string="Customer segment", compute="_compute_rf_segment_id"
    )

    def _compute_rf_segment_id(self):
        for order in self:
            order.rf_segment_id = order.partner_id.rf_segment_id

    def _order_flow_sync_state(self):
        # Called by the order flow right after orders moved to a new status
        # (the status is written): an order completed or returned updates its
        # customer's recency, frequency and segment now, by one SQL statement
        # limited to that customer.
        result = super()._order_flow_sync_state()
        moved = self.filtered(lambda order: order.stage_id.code in RF_TRIGGER_CODES)
        if moved:
            self.env["rf.customer"]._rf_recompute(partners=moved.partner_id)
        return result
