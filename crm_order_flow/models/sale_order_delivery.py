"""The carrier-agnostic delivery facts of the order: the kind of delivery,
the tracking number, the pickup point and its free storage, the return under
way. Carrier integrations fill them (``delivery_novaposhta``), staff enter
them for other carriers, customer messages show them."""

from odoo import fields, models


# One concern of the order per file, on purpose (see sale_order.py).
class SaleOrder(models.Model):
    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    delivery_kind = fields.Selection(related="carrier_id.order_flow_delivery_kind")
    delivery_tracking_ref = fields.Char(
        string="Tracking number", copy=False, tracking=True, index="btree_not_null"
    )
    delivery_point_name = fields.Char(
        string="Pickup point", copy=False, help="Carrier branch or parcel locker."
    )
    delivery_point_address = fields.Char(string="Pickup point address", copy=False)
    delivery_storage_until = fields.Date(
        string="Free storage until",
        copy=False,
        help="Last day the parcel is kept at the pickup point free of charge.",
    )
    delivery_return_in_transit = fields.Boolean(
        system_only=True,
        string="Returning to the store",
        copy=False,
        tracking=True,
        help="The carrier reports that the parcel was not collected and is on its way back.",
    )
