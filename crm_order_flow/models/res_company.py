from datetime import datetime, time, timedelta

import pytz

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.base.models.res_partner import _tz_get

from .sale_order_customer_message import CHANNELS


class ResCompany(models.Model):
    _inherit = "res.company"

    order_flow_window_start = fields.Float(
        string="Send customer messages from",
        default=9.0,
        help="Messages created outside the sending window wait until it opens.",
    )
    order_flow_window_end = fields.Float(string="Send customer messages until", default=21.0)
    order_flow_window_tz = fields.Selection(
        _tz_get, string="Sending window time zone", default="Europe/Kyiv"
    )
    order_flow_default_channel = fields.Selection(
        CHANNELS,
        string="Default message channel",
        default="sms",
        help="Used for customers who did not choose a channel.",
    )
    order_flow_promo_line = fields.Char(
        string="Promotional line",
        translate=True,
        help="Offered to every customer message template as a placeholder.",
    )
    order_flow_payment_provider_id = fields.Many2one(
        "payment.provider",
        string="Payment link provider",
        domain="[('state', 'in', ('enabled', 'test')), ('is_published', '=', True)]",
        help="The customer's payment link opens this provider's payment page directly "
        "for the amount due (it must be published). Empty: the first published provider "
        "that takes the order's currency and amount.",
    )
    order_flow_warehouse_user_id = fields.Many2one(
        "res.users",
        string="Warehouse user",
        help="Receives the “Assemble the order!” activities.",
    )

    @api.constrains("order_flow_window_start", "order_flow_window_end")
    def _check_order_flow_window(self):
        for company in self:
            start, end = company.order_flow_window_start, company.order_flow_window_end
            if not (0 <= start < end <= 24):
                raise ValidationError(
                    _(
                        "The sending window must start before it ends, between 00:00 and "
                        "24:00 (company %(company)s).",
                        company=company.name,
                    )
                )

    def _order_flow_next_send_time(self, now=None):
        """False when a customer message may go out now; otherwise the UTC
        (naive) datetime when the company's sending window opens next."""
        self.ensure_one()
        tz = pytz.timezone(self.order_flow_window_tz or "Europe/Kyiv")
        now = now or fields.Datetime.now()
        local = pytz.utc.localize(now).astimezone(tz)
        start, end = self.order_flow_window_start, self.order_flow_window_end
        hour = local.hour + local.minute / 60.0 + local.second / 3600.0
        if start <= hour < end:
            return False
        day = local.date() if hour < start else local.date() + timedelta(days=1)
        minutes = int(round(start * 60))
        opening = tz.localize(datetime.combine(day, time(minutes // 60, minutes % 60)))
        return opening.astimezone(pytz.utc).replace(tzinfo=None)
