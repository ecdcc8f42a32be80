from odoo import fields, models


class SmsClubSender(models.Model):
    """A sender name registered on the company's SMS Club account (an SMS
    alpha name or a Viber sender), as SMS Club lists them."""

    _name = "sms.club.sender"
    _description = "SMS Club Sender Name"
    _order = "kind, name"

    name = fields.Char(required=True)
    kind = fields.Selection([("sms", "SMS alpha name"), ("viber", "Viber sender")], required=True)
    company_id = fields.Many2one(
        "res.company", required=True, ondelete="cascade", default=lambda self: self.env.company
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("name_unique", "unique(company_id, kind, name)", "This sender name is already listed."),
    ]
