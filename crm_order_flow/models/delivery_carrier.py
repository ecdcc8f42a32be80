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
        handed to delivery (the automation rule “Handed to delivery by
        carrier: register the shipment”). Called inside the status move's
        transaction, which may still be rolled back (a later refusal in the
        same request, a crash, a retried request).

        Carrier integrations override this for their ``delivery_type``. They
        must not call the carrier here when the call cannot be undone (a
        waybill created at the carrier would outlive a rolled-back move):
        they only queue the shipment, i.e. save its pending state on the
        order or on their own record in this transaction, and wake their
        scheduled action (``ir.cron._trigger()``), which registers it with
        the carrier after the move is committed, in its own transaction per
        order (the pending state committed before the call, looked up at the
        carrier after an uncertain outcome, never sent twice). The scheduled
        action then writes the carrier-agnostic delivery facts on the order
        (``delivery_tracking_ref``, ``delivery_point_name``, …).

        A refusal (known here, or later from the carrier) moves the order to
        “Delivery postponed”. Either raise ``UserError`` here (the order flow
        moves the order and gives the salesperson an activity), or report it
        yourself: ``order._order_flow_write_stage(stage, cause="carrier")``
        plus a note and at most one activity for the salesperson.

        Returns the carrier's pending shipment record, or False. A carrier
        without an integration has nothing to register: staff enter the
        tracking number."""
        self.ensure_one()
        return False
