"""Paid storage at the pickup point: the placeholder of the first paid
storage day for the customer reminder sent the day before it (the shipped
rules are ``data/storage_reminder_automation_data.xml``).

The fact is the carrier-agnostic ``delivery_storage_until`` (the last free
storage day, ``sale_order_delivery.py``), which carriers fill
(``delivery_novaposhta`` from Nova Poshta's ``DatePayedKeeping``): paid
storage begins the day after it. The rules are timed on that field, so they
work for any carrier that fills it."""

from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import format_date


# One concern of the order per file, on purpose (see sale_order.py).
class SaleOrder(models.Model):
    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    delivery_storage_paid_from_text = fields.Char(
        string="First paid storage day",
        compute="_compute_delivery_storage_paid_from_text",
        help="The day the pickup point starts charging for storage (the day after the last "
        "free storage day), as a date in the customer's language.",
    )

    @api.depends("delivery_storage_until")
    @api.depends_context("lang")
    def _compute_delivery_storage_paid_from_text(self):
        for order in self:
            until = order.delivery_storage_until
            order.delivery_storage_paid_from_text = (
                format_date(order.env, until + timedelta(days=1)) if until else False
            )

    @api.model
    def _order_flow_message_placeholders(self):
        return super()._order_flow_message_placeholders() + ("delivery_storage_paid_from_text",)

    @api.model
    def _order_flow_sample_message_values(self):
        values = super()._order_flow_sample_message_values()
        paid_from = fields.Date.context_today(self) + timedelta(days=6)
        values["delivery_storage_paid_from_text"] = format_date(self.env, paid_from)
        return values
