from odoo import fields, models


class SmsClubSender(models.Model):
    """A sender name registered on the company's SMS Club account (an SMS
    alpha name or a Viber sender), as SMS Club lists them: the list is read
    from SMS Club ("Fetch names from SMS Club" in the settings), never typed;
    the administrator chooses among them in the settings."""

    _name = "sms.club.sender"
    _description = "SMS Club Sender Name"
    _order = "kind, name"

    name = fields.Char(required=True, readonly=True, system_only=True, copy=False)
    kind = fields.Selection(
        [("sms", "SMS alpha name"), ("viber", "Viber sender")],
        required=True,
        readonly=True,
        system_only=True,
        copy=False,
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        ondelete="cascade",
        default=lambda self: self.env.company,
        readonly=True,
        system_only=True,
        copy=False,
    )
    active = fields.Boolean(default=True, readonly=True, system_only=True, copy=False)

    _sql_constraints = [
        ("name_unique", "unique(company_id, kind, name)", "This sender name is already listed."),
    ]
