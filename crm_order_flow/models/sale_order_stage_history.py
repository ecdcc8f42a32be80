from odoo import api, fields, models

from ..tools import current_cause

CAUSES = [
    ("user", "Person"),
    ("rule", "Automation rule"),
    ("carrier", "Carrier update"),
]


class SaleOrderStageHistory(models.Model):
    """One visit of an order to a status: when it entered, who or what moved
    it there, when it left and how long it stayed. A move back to an earlier
    status opens a new visit, so every duration is kept.

    The history is written by the order flow alone (with sudo()): no role has
    the right to create, change or delete it, and its fields are system-only."""

    _name = "sale.order.stage.history"
    _description = "Order Status Visit"
    _order = "date_in desc, id desc"
    _rec_name = "stage_id"

    order_id = fields.Many2one(
        "sale.order", required=True, ondelete="cascade", index=True, system_only=True, copy=False
    )
    company_id = fields.Many2one(related="order_id.company_id", store=True)
    salesperson_id = fields.Many2one(related="order_id.user_id", store=True, string="Salesperson")
    stage_id = fields.Many2one(
        "sale.order.stage",
        string="Status",
        required=True,
        ondelete="restrict",
        index=True,
        system_only=True,
        copy=False,
    )
    stage_group_id = fields.Many2one(related="stage_id.group_id", store=True, string="Status group")
    previous_stage_id = fields.Many2one(
        "sale.order.stage",
        string="Previous status",
        ondelete="set null",
        system_only=True,
        copy=False,
    )
    user_id = fields.Many2one(
        "res.users",
        string="Moved by",
        ondelete="set null",
        help="The person who moved the order, or whose action started the automation.",
        system_only=True,
        copy=False,
    )
    cause = fields.Selection(CAUSES, required=True, default="user", system_only=True, copy=False)
    automation_id = fields.Many2one(
        "base.automation",
        string="Automation rule",
        ondelete="set null",
        system_only=True,
        copy=False,
    )
    date_in = fields.Datetime(
        string="Entered", required=True, default=fields.Datetime.now, system_only=True, copy=False
    )
    date_out = fields.Datetime(string="Left", system_only=True, copy=False)
    # Two durations: the stored one is the fact the time-in-status report
    # averages (a visit counts once it is finished); the other is what a
    # person reading the history sees, growing while the visit lasts.
    duration = fields.Float(
        string="Time in status (hours)",
        compute="_compute_duration",
        store=True,
        aggregator="avg",
        help="Hours spent in the status during this visit, counted when the order leaves "
        "the status (0 while the visit lasts): what the time-in-status report averages.",
        system_only=True,
        copy=False,
    )
    current_duration = fields.Float(
        string="Time in status so far (hours)",
        compute="_compute_current_duration",
        help="Hours spent in the status during this visit (until now while it lasts).",
    )
    is_current = fields.Boolean(compute="_compute_is_current", string="Current")

    @api.depends("date_in", "date_out")
    def _compute_duration(self):
        for visit in self:
            if visit.date_in and visit.date_out:
                visit.duration = (visit.date_out - visit.date_in).total_seconds() / 3600.0
            else:
                visit.duration = 0.0

    # No dependencies: computed again for each request, so the time of an open
    # visit grows; a finished visit shows its stored duration.
    def _compute_current_duration(self):
        for visit in self:
            if visit.date_out or not visit.date_in:
                visit.current_duration = visit.duration
            else:
                visit.current_duration = visit._current_duration()

    def _compute_is_current(self):
        for visit in self:
            visit.is_current = not visit.date_out

    def _current_duration(self):
        """Hours of the visit, counting an open visit until now."""
        self.ensure_one()
        end = self.date_out or fields.Datetime.now()
        return (end - self.date_in).total_seconds() / 3600.0


# One concern of the order per file, on purpose (see sale_order.py).
class SaleOrder(models.Model):
    """The order's side of its status visits: opening and closing them with
    each move, and the visit it is in now."""

    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    stage_history_ids = fields.One2many(
        "sale.order.stage.history", "order_id", string="Status history", readonly=True
    )

    def _order_flow_open_visits(self, previous, stage=None, date=None):
        """Close the open status visit of the orders and open one in their
        new status (``stage``, or their current one)."""
        History = self.env["sale.order.stage.history"].sudo()
        now = date or fields.Datetime.now()
        if previous is not None:
            History.search([("order_id", "in", self.ids), ("date_out", "=", False)]).write(
                {"date_out": now}
            )
        cause, automation_id = current_cause()
        History.create(
            [
                {
                    "order_id": order.id,
                    "stage_id": (stage or order.stage_id).id,
                    "previous_stage_id": previous and previous[order.id].id or False,
                    "user_id": self.env.uid,
                    "cause": cause,
                    "automation_id": automation_id if cause == "rule" else False,
                    "date_in": now if stage else (order.stage_date or now),
                }
                for order in self
                if stage or order.stage_id
            ]
        )

    def _order_flow_current_visit(self):
        self.ensure_one()
        return (
            self.env["sale.order.stage.history"]
            .sudo()
            .search([("order_id", "=", self.id), ("date_out", "=", False)], limit=1)
        )
