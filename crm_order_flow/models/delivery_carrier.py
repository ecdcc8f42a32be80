from odoo import fields, models

DELIVERY_KINDS = [
    ("self_pickup", "Self-pickup"),
    ("courier", "Courier"),
    ("carrier", "Carrier"),
]


class DeliveryCarrier(models.Model):
    _inherit = "delivery.carrier"

    order_flow_delivery_kind = fields.Selection(
        DELIVERY_KINDS,
        string="Kind of delivery",
        default="carrier",
        required=True,
        help="Drives the order process: carriers register shipments and report their "
        "status, couriers and self-pickup are moved by staff. Status rights may depend on it.",
    )

    def _order_flow_register_shipment(self, order):
        """Register ``order``'s shipment with the carrier when the order is
        handed to delivery (automation rule 10).

        Carrier integrations override this for their ``delivery_type``: they
        create the waybill, write the carrier-agnostic delivery facts on the
        order (``delivery_tracking_ref``, ``delivery_point_name``, …) and
        raise ``UserError`` when the carrier refuses, which moves the order
        to “Delivery postponed”. A carrier without an integration has nothing
        to register: staff enter the tracking number."""
        self.ensure_one()
        return False
