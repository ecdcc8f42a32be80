from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"  # pylint: disable=consider-merging-classes-inherited

    order_flow_refusal_prepay_threshold = fields.Integer(
        related="company_id.order_flow_refusal_prepay_threshold", readonly=False
    )
