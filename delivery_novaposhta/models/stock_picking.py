from odoo import fields, models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    np_waybill_ids = fields.One2many("novaposhta.waybill", "picking_id", string="NP waybills")

    def action_np_create_waybill(self):
        """Button on the delivery transfer: the order's waybill (created at
        most once) becomes the transfer's tracking number."""
        for picking in self:
            order = picking.sale_id
            order._np_check_rights()
            waybill = order._np_carrier()._np_create_waybill(order, picking=picking)
            if waybill.state == "created" and not picking.carrier_tracking_ref:
                picking.sudo().carrier_tracking_ref = waybill.name
        return True
