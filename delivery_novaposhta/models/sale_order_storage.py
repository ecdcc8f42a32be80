"""Storage at the NP branch on the order's Nova Poshta tab: what NP charges
for it (the dates are in ``sale_order.py``; the last free day is the order
flow's ``delivery_storage_until``, which the paid storage reminders of
``crm_order_flow`` are timed on)."""

from odoo import fields, models


# One concern of the order per file, on purpose (see crm_order_flow's sale_order.py).
class SaleOrder(models.Model):
    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    np_storage_amount = fields.Float(
        related="np_waybill_id.storage_amount", string="Storage charge at NP"
    )
