from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    rf_recency_1 = fields.Integer(
        string="Recent: up to (days)",
        default=30,
        help="A customer whose last completed order is at most this many days old is recent.",
    )
    rf_recency_2 = fields.Integer(string="Cooling: up to (days)", default=90)
    rf_recency_3 = fields.Integer(
        string="Fading: up to (days)",
        default=180,
        help="Older than this: the customer is gone (last recency band).",
    )
    rf_frequency_1 = fields.Integer(string="One-time buyer: up to (orders)", default=1)
    rf_frequency_2 = fields.Integer(
        string="Repeat buyer: up to (orders)",
        default=3,
        help="More completed orders than this: a frequent buyer.",
    )
    rf_campaign_days = fields.Integer(
        string="Campaign result window (days)",
        default=30,
        help="Orders placed within this many days after a campaign message count as its result.",
    )

    @api.constrains(
        "rf_recency_1", "rf_recency_2", "rf_recency_3", "rf_frequency_1", "rf_frequency_2"
    )
    def _check_rf_thresholds(self):
        for company in self:
            if not (0 <= company.rf_recency_1 < company.rf_recency_2 < company.rf_recency_3):
                raise ValidationError(
                    self.env._("The recency thresholds must grow: e.g. 30, 90, 180 days.")
                )
            if not (1 <= company.rf_frequency_1 < company.rf_frequency_2):
                raise ValidationError(
                    self.env._("The frequency thresholds must grow from 1: e.g. 1 and 3 orders.")
                )

    def _rf_thresholds(self):
        self.ensure_one()
        return {
            "r1": self.rf_recency_1,
            "r2": self.rf_recency_2,
            "r3": self.rf_recency_3,
            "f1": self.rf_frequency_1,
            "f2": self.rf_frequency_2,
        }
