from odoo import api, fields, models


class NovaPoshtaStatusMap(models.Model):
    """NP status code → order status: the table the tracking sync follows
    (administrators and logistics edit it)."""

    _name = "novaposhta.status.map"
    _description = "Nova Poshta Status Mapping"
    _order = "sequence, id"

    code = fields.Char(string="NP status code", required=True, index=True)
    name = fields.Char(string="NP meaning", required=True, translate=True)
    sequence = fields.Integer(default=10)
    stage_id = fields.Many2one(
        "sale.order.stage",
        string="Order status",
        ondelete="set null",
        help="Empty: the order status does not change.",
    )
    is_final = fields.Boolean(
        string="Final",
        help="The waybill's journey ends here: it is no longer polled (unless “Keep updating”).",
    )
    keep_updating = fields.Boolean(
        help="Keep polling the waybill after this status (e.g. a return on its way)."
    )
    is_return = fields.Boolean(
        string="Return",
        help="The parcel goes back to the store: the order is marked as returning.",
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [("code_unique", "unique(code)", "Each NP status code is mapped once.")]

    @api.depends("code", "name")
    def _compute_display_name(self):
        for row in self:
            row.display_name = f"{row.code}: {row.name}"

    @api.model
    def _np_table(self):
        """``{code: row}`` of the active rows (one query)."""
        return {row.code: row for row in self.search([])}
