from odoo import _, fields, models
from odoo.exceptions import UserError


class StockPicking(models.Model):
    _inherit = "stock.picking"

    np_waybill_ids = fields.One2many("novaposhta.waybill", "picking_id", string="NP waybills")

    def action_np_create_waybill(self):
        """Button on the delivery transfer: the order's waybill (created at
        most once) becomes the transfer's tracking number."""
        self.check_access("read")
        for picking in self:
            order = picking.sale_id
            if not order:
                raise UserError(
                    _(
                        "Transfer %(picking)s has no sales order: Nova Poshta waybills are "
                        "created for the orders of the store. Create the waybill from the "
                        "order, or link the transfer to its order.",
                        picking=picking.name,
                    )
                )
            order._np_check_rights()
            self.env["novaposhta.waybill"]._np_lock_order_or_refuse(order)
            waybill = order._np_carrier()._np_create_waybill(order, picking=picking)
            if waybill.state == "created" and not picking.carrier_tracking_ref:
                # sudo: the tracking number comes from NP, not from the user.
                picking.sudo().carrier_tracking_ref = waybill.name
            elif waybill.state != "created":
                return order._np_notify(
                    _(
                        "%(problem)s The waybill may have been created: it is looked up at "
                        "Nova Poshta automatically; no second waybill is made.",
                        problem=waybill.error_message or "",
                    ),
                    "warning",
                )
        return True
