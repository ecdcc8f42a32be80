from odoo import api, fields, models
from odoo.exceptions import ValidationError


class RfSettings(models.Model):
    """The thresholds of the customer segments, one record per company: the
    Marketer edits them without any right on the company itself."""

    _name = "rf.settings"
    _description = "Customer segment settings"
    _rec_name = "company_id"

    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        ondelete="cascade",
        system_only=True,
        copy=False,
    )
    recency_1 = fields.Integer(
        string="Recent: up to (days)",
        default=30,
        help="A customer whose last completed order is at most this many days old is recent.",
    )
    recency_2 = fields.Integer(string="Cooling: up to (days)", default=90)
    recency_3 = fields.Integer(
        string="Fading: up to (days)",
        default=180,
        help="Older than this: the customer is gone (last recency band).",
    )
    frequency_1 = fields.Integer(string="One-time buyer: up to (orders)", default=1)
    frequency_2 = fields.Integer(
        string="Repeat buyer: up to (orders)",
        default=3,
        help="More completed orders than this: a frequent buyer.",
    )
    campaign_days = fields.Integer(
        string="Campaign result window (days)",
        default=30,
        help="Orders placed within this many days after a campaign message count as its result.",
    )

    _sql_constraints = [
        ("company_uniq", "unique(company_id)", "One segment settings record per company.")
    ]

    @api.constrains("recency_1", "recency_2", "recency_3", "frequency_1", "frequency_2")
    def _check_thresholds(self):
        for settings in self:
            if not (0 <= settings.recency_1 < settings.recency_2 < settings.recency_3):
                raise ValidationError(
                    self.env._("The recency thresholds must grow: e.g. 30, 90, 180 days.")
                )
            if not (1 <= settings.frequency_1 < settings.frequency_2):
                raise ValidationError(
                    self.env._("The frequency thresholds must grow from 1: e.g. 1 and 3 orders.")
                )

    @api.constrains("campaign_days")
    def _check_campaign_days(self):
        if any(settings.campaign_days < 1 for settings in self):
            raise ValidationError(self.env._("The campaign result window must be at least 1 day."))

    @api.model
    def _rf_for_company(self, company=None):
        """The settings of ``company`` (the current one by default), created
        with the defaults the first time they are needed."""
        company = company or self.env.company
        # sudo: the company's single settings record, read or created with its defaults.
        settings = self.sudo().search([("company_id", "=", company.id)], limit=1)
        if not settings:
            settings = self.sudo().create({"company_id": company.id})
        return settings

    def _rf_thresholds(self):
        self.ensure_one()
        return {
            "r1": self.recency_1,
            "r2": self.recency_2,
            "r3": self.recency_3,
            "f1": self.frequency_1,
            "f2": self.frequency_2,
        }

    @api.model
    def action_open_settings(self):
        """The form of the current company's settings (Marketer, administrators)."""
        self.check_access("write")
        settings = self._rf_for_company()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Segment settings"),
            "res_model": self._name,
            "res_id": settings.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }
