from odoo import fields, models

from .sale_order_customer_message import CHANNELS


class ResPartner(models.Model):
    _inherit = "res.partner"

    order_notify_channel = fields.Selection(
        CHANNELS,
        string="Order messages by",
        help="How the customer wants to hear about their orders. Empty: the company's "
        "default channel. Without a usable phone number or email the other channel is used.",
    )
