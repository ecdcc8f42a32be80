from odoo import fields, models

from .sms_club_message_mixin import MESSAGE_READERS


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "sms.club.message.mixin"]
    _smsclub_link_field = "partner_id"

    order_notify_channel = fields.Selection(
        selection_add=[("viber", "Viber only")], ondelete={"viber": "set null"}
    )
    smsclub_message_ids = fields.One2many(
        "sms.club.message",
        "partner_id",
        string="SMS / Viber messages",
        readonly=True,
        groups=MESSAGE_READERS,
    )
