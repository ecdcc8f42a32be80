from odoo import fields, models


class AccessStatusGroup(models.Model):
    """The six fixed groups of order business statuses.

    They are the shared vocabulary of the suite: status rights and field
    policies refer to them here, and ``crm_order_flow`` files each status
    under one of them.
    """

    _name = "access.status.group"
    _description = "Order Status Group"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, readonly=True)
    sequence = fields.Integer(default=10)
    is_final = fields.Boolean(
        string="Final",
        help="Orders in a final group (done, cancelled) are closed.",
    )

    _sql_constraints = [
        ("code_unique", "unique(code)", "The code of a status group must be unique."),
    ]
