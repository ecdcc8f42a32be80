import re

from odoo import api, fields, models
from odoo.osv import expression
from odoo.tools import SQL

from ..tools.phone import phone_national_digits
from .sale_order_customer_message import CHANNELS

# What a person types when looking a contact up by phone: digits, "+" and
# the usual separators, at least five digits.
PHONE_QUERY = re.compile(r"^\+?[\d\s().\-/]+$")
POSITIVE_OPERATORS = ("=", "like", "ilike", "=like", "=ilike")


class ResPartner(models.Model):
    _inherit = "res.partner"

    order_notify_channel = fields.Selection(
        CHANNELS,
        string="Order messages by",
        help="How the customer wants to hear about their orders. Empty: the company's "
        "default channel. Without a usable phone number or email the other channel is used.",
    )

    # The customer's channel, read the same way for the messages of an order
    # (sale_order_messaging.py) and for messages about no order (e.g. a
    # customer segment's campaign).
    def _order_flow_channel_for(self, company):
        """The customer's preferred channel, or ``company``'s default."""
        self.ensure_one()
        return self.order_notify_channel or company.order_flow_default_channel or "sms"

    def _order_flow_valid_phone(self):
        """The customer's mobile (or phone) when it is a valid number, read
        by the store's phone rule (a Ukrainian spelling is Ukrainian whatever
        the company's country) through Odoo's own phone formatting."""
        self.ensure_one()
        for fname in ("mobile", "phone"):
            if self[fname] and self._phone_format(fname=fname):
                return self[fname]
        return False

    def _order_flow_mediums_for(self, company):
        """How a customer message reaches the customer: 'sms' (Viber then
        SMS, or SMS), 'email', or nothing (channel "No messages", or no usable
        address). When the preferred channel has no usable address the other
        one is used."""
        self.ensure_one()
        channel = self._order_flow_channel_for(company)
        if channel == "none":
            return set()
        has_phone = bool(self._order_flow_valid_phone())
        has_email = bool(self.email)
        if channel == "email":
            return {"email"} if has_email else ({"sms"} if has_phone else set())
        return {"sms"} if has_phone else ({"email"} if has_email else set())

    @api.model
    def _order_flow_phone_region(self):
        return (self.env.company.country_id.code or "UA").upper()

    def _search_phone_mobile_search(self, operator, value):
        # Odoo compares the typed characters with the stored ones: "0671234567"
        # misses "+380 67 123 45 67" and "+380…" misses "067…". A complete
        # number also finds every contact whose phone or mobile ends with its
        # national number, however it was written.
        domain = super()._search_phone_mobile_search(operator, value)
        if operator not in POSITIVE_OPERATORS or not isinstance(value, str):
            return domain
        national = phone_national_digits(value.strip(), self._order_flow_phone_region())
        if not national:
            return domain
        pattern = "%" + national
        self.env.cr.execute(
            SQL(
                "SELECT id FROM res_partner WHERE %s",
                SQL(" OR ").join(
                    SQL(
                        "(%s IS NOT NULL AND regexp_replace(%s, '[^0-9]', '', 'g') LIKE %s)",
                        SQL.identifier(fname),
                        SQL.identifier(fname),
                        pattern,
                    )
                    for fname in ("phone", "mobile")
                ),
            )
        )
        ids = [row[0] for row in self.env.cr.fetchall()]
        return expression.OR([domain, [("id", "in", ids)]]) if ids else domain

    @api.model
    def _search_display_name(self, operator, value):
        # The customer field of an order (and any contact picker) finds the
        # contact by phone or mobile, typed in any usual spelling.
        domain = super()._search_display_name(operator, value)
        if (
            operator in POSITIVE_OPERATORS
            and isinstance(value, str)
            and PHONE_QUERY.match(value.strip())
            and sum(ch.isdigit() for ch in value) >= 5
        ):
            domain = expression.OR([domain, [("phone_mobile_search", operator, value.strip())]])
        return domain
