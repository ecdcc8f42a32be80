from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    order_flow_window_start = fields.Float(
        related="company_id.order_flow_window_start", readonly=False
    )
    order_flow_window_end = fields.Float(related="company_id.order_flow_window_end", readonly=False)
    order_flow_window_tz = fields.Selection(
        related="company_id.order_flow_window_tz", readonly=False
    )
    order_flow_default_channel = fields.Selection(
        related="company_id.order_flow_default_channel", readonly=False
    )
    order_flow_promo_line = fields.Char(related="company_id.order_flow_promo_line", readonly=False)
    order_flow_payment_provider_id = fields.Many2one(
        related="company_id.order_flow_payment_provider_id", readonly=False
    )
    order_flow_warehouse_user_id = fields.Many2one(
        related="company_id.order_flow_warehouse_user_id", readonly=False
    )
