from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    rf_recency_1 = fields.Integer(related="company_id.rf_recency_1", readonly=False)
    rf_recency_2 = fields.Integer(related="company_id.rf_recency_2", readonly=False)
    rf_recency_3 = fields.Integer(related="company_id.rf_recency_3", readonly=False)
    rf_frequency_1 = fields.Integer(related="company_id.rf_frequency_1", readonly=False)
    rf_frequency_2 = fields.Integer(related="company_id.rf_frequency_2", readonly=False)
    rf_campaign_days = fields.Integer(related="company_id.rf_campaign_days", readonly=False)
