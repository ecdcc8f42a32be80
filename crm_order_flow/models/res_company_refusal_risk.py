"""The company's policy on customers who refuse parcels (see
``sale_order_refusal_risk.py``)."""

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

    order_flow_refusal_prepay_threshold = fields.Integer(
        string="Prepayment from customers with refusals",
        default=0,
        help="Customers who refused or returned this many parcels or more must pay in "
        "advance (at least a part) before their order goes to assembly. 0: off.",
    )

    @api.constrains("order_flow_refusal_prepay_threshold")
    def _check_order_flow_refusal_prepay_threshold(self):
        for company in self:
            if company.order_flow_refusal_prepay_threshold < 0:
                raise ValidationError(
                    _(
                        "The number of refusals from which a prepayment is required cannot "
                        "be negative (0 switches the rule off)."
                    )
                )
