"""The entry validation of a status that applies the company's policy on
customers with many refusals (``sale_order_refusal_risk.py``): set on the
status like the other entry validations, by administrators."""

from odoo import fields, models


class SaleOrderStage(models.Model):
    _inherit = "sale.order.stage"  # pylint: disable=consider-merging-classes-inherited

    refusal_prepay_required = fields.Boolean(
        string="Prepayment from customers with refusals required to enter",
        help="With the company's policy “Prepayment from customers with refusals” on, an "
        "order of a customer who refused or returned that many parcels enters this status "
        "only when it is paid at least in part (cash on delivery alone is not enough), "
        "unless an administrator waived the requirement for the order.",
    )
