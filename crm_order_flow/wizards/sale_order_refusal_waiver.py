from odoo import fields, models


class SaleOrderRefusalWaiver(models.TransientModel):
    """“Waive prepayment” on an order (administrators): let an order of a
    customer with many refusals go to assembly without the prepayment the
    company's policy asks, with a comment kept on the order and in its
    chatter."""

    _name = "sale.order.refusal.waiver"
    _description = "Waive the Prepayment Required from a Customer with Refusals"

    order_id = fields.Many2one("sale.order", required=True, readonly=True, ondelete="cascade")
    refusal_risk_text = fields.Char(related="order_id.refusal_risk_text")
    comment = fields.Text(
        required=True,
        help="Why this order may go to assembly without a prepayment (kept on the order).",
    )

    def action_apply(self):
        self.ensure_one()
        self.order_id._order_flow_waive_prepayment(self.comment)
        return {"type": "ir.actions.act_window_close"}
