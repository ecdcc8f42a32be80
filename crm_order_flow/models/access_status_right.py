"""Status rights name an order status by record.

``access_roles`` keeps a status right's single status as its technical code
(``status_code``), so that it works without the order flow. The statuses are
the order flow's (``sale.order.stage``), so here a status right names its
status as a status: administrators pick it (``stage_id``) and the code
follows; a code that is no status's is refused instead of granting nothing;
renaming a status's code carries its rights along, and a status that rights
name cannot be deleted (``sale_order_stage.py``).
"""

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.osv import expression


class AccessStatusRight(models.Model):
    _inherit = "access.status.right"

    stage_id = fields.Many2one(
        "sale.order.stage",
        string="Order status",
        compute="_compute_stage_id",
        inverse="_inverse_stage_id",
        search="_search_stage_id",
        readonly=False,
        help="The role may set only this status.",
    )

    @api.model
    def _order_flow_stages_by_code(self, codes):
        # sudo: the code is matched to its status for every role that reads
        # the rights (the Marketer reads them, not the statuses).
        stages = (
            self.env["sale.order.stage"]
            .sudo()
            .with_context(active_test=False)
            .search([("code", "in", list(codes))])
        )
        return {stage.code: stage.with_env(self.env) for stage in stages}

    @api.depends("status_code")
    def _compute_stage_id(self):
        stages = self._order_flow_stages_by_code(
            {code for code in self.mapped("status_code") if code}
        )
        for right in self:
            right.stage_id = stages.get(right.status_code, False)

    def _inverse_stage_id(self):
        for right in self:
            right.status_code = right.stage_id.code or False

    def _search_stage_id(self, operator, value):
        negative = operator in expression.NEGATIVE_TERM_OPERATORS
        if operator in ("=", "!=") and not value:
            return [("status_code", operator, False)]
        positive = expression.TERM_OPERATORS_NEGATION[operator] if negative else operator
        values = value if isinstance(value, (list, tuple)) else [value]
        by_name = any(isinstance(item, str) for item in values)
        stages = (
            self.env["sale.order.stage"]
            .sudo()
            .with_context(active_test=False)
            .search([("name" if by_name else "id", positive, value)])
        )
        return [("status_code", "not in" if negative else "in", stages.mapped("code"))]

    @api.onchange("stage_id")
    def _onchange_stage_id(self):
        self.status_code = self.stage_id.code or False

    @api.model
    def _order_flow_status_vals(self, vals):
        """``vals`` with the status picked (``stage_id``) turned into its
        code, the fact ``access_roles`` reads."""
        if "stage_id" not in vals:
            return vals
        vals = dict(vals)
        stage = self.env["sale.order.stage"].browse(vals.pop("stage_id")).exists()
        vals["status_code"] = stage.sudo().code or False
        return vals

    @api.model_create_multi
    def create(self, vals_list):
        return super().create([self._order_flow_status_vals(vals) for vals in vals_list])

    def write(self, vals):
        return super().write(self._order_flow_status_vals(vals))

    @api.constrains("status_code")
    def _check_status_code(self):
        codes = {code for code in self.mapped("status_code") if code}
        known = self._order_flow_stages_by_code(codes)
        for right in self:
            if right.status_code and right.status_code not in known:
                raise ValidationError(
                    _(
                        "There is no order status with the code “%(code)s” (status right of "
                        "the role %(role)s): the right would let the role set nothing. Pick "
                        "the status in the “Order status” column instead of typing its code.",
                        code=right.status_code,
                        role=right.group_id.name,
                    )
                )
