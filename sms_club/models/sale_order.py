from odoo import fields, models

from .sms_club_message_mixin import MESSAGE_READERS


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "sms.club.message.mixin"]
    _smsclub_link_field = "order_id"

    smsclub_message_ids = fields.One2many(
        "sms.club.message",
        "order_id",
        string="SMS / Viber messages",
        readonly=True,
        groups=MESSAGE_READERS,
    )
