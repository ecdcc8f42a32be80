from odoo import api, fields, models

from ..models.sale_order_customer_message import MEDIUMS


class SaleOrderCustomerMessageCompose(models.TransientModel):
    """“Message the customer” on an order: a text written by the person who
    answers the customer (placeholders of the order allowed), sent by the
    order flow's messaging after the customer's channel, and kept in the
    order's chatter and message log."""

    _name = "sale.order.customer.message.compose"
    _description = "Message the Customer of an Order"

    order_id = fields.Many2one("sale.order", required=True, readonly=True)
    partner_id = fields.Many2one(related="order_id.partner_id", string="Customer")
    channel = fields.Char(string="Customer's channel", compute="_compute_route")
    medium = fields.Selection(MEDIUMS, string="Sent as", compute="_compute_route")
    refusal = fields.Char(string="Cannot be sent", compute="_compute_route")
    body = fields.Text(string="Message", required=True)
    placeholder_help = fields.Char(string="Placeholders", compute="_compute_placeholder_help")

    @api.depends("order_id")
    def _compute_route(self):
        labels = dict(
            self.env["res.partner"]._fields["order_notify_channel"]._description_selection(self.env)
        )
        for wizard in self:
            order = wizard.order_id
            wizard.channel = labels.get(order._order_flow_channel()) if order else False
            wizard.refusal = order._order_flow_refusal_text() if order else False
            mediums = order._order_flow_mediums() if order and not wizard.refusal else set()
            wizard.medium = ("sms" if "sms" in mediums else "email") if mediums else False

    def _compute_placeholder_help(self):
        self.placeholder_help = self.env["sale.order"]._order_flow_placeholder_labels()

    def action_send(self):
        self.ensure_one()
        log = self.order_id._order_flow_send_manual_message(self.body)
        medium = dict(self._fields["medium"]._description_selection(self.env))[log.medium]
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "The message to %(customer)s is on its way (%(medium)s).",
                    customer=self.order_id.partner_id.display_name,
                    medium=medium,
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
