from datetime import timedelta

from odoo import api, fields, models

from .sale_order_stage_history import CAUSES

# Config parameter: how many days the automation journal keeps its entries.
RETENTION_PARAM = "crm_order_flow.automation_log_retention_days"
RETENTION_DEFAULT = 90
# Key of the entries waiting to be written, in the cursor's precommit data.
PENDING_KEY = "crm_order_flow.automation_log_pending"

TRIGGER_KINDS = [
    ("status", "Status change"),
    ("timer", "Timer"),
    ("carrier", "Carrier update"),
    ("payment", "Payment"),
    ("change", "Order change"),
]
RESULTS = [
    ("done", "Done"),
    ("skipped", "Skipped"),
    ("refused", "Move refused"),
    ("error", "Error"),
]


class SaleOrderAutomationLog(models.Model):
    """One run of an automation rule on an order: when, what started it,
    what the rule did (the message, activity or status it produced) or why it
    did nothing, a refused move with the validation's message, or the error
    its action raised.

    Written by the order flow alone, inside the rule's run (with sudo()): no
    role creates, changes or deletes entries, and their fields are
    system-only. A scheduled action deletes entries older than the retention
    set in the order-flow settings."""

    _name = "sale.order.automation.log"
    _description = "Automation Journal Entry"
    _order = "date desc, id desc"
    _rec_name = "automation_name"

    date = fields.Datetime(
        string="Time",
        required=True,
        default=fields.Datetime.now,
        index=True,
        system_only=True,
        copy=False,
    )
    order_id = fields.Many2one(
        "sale.order",
        required=True,
        ondelete="cascade",
        index=True,
        system_only=True,
        copy=False,
    )
    # The order's company, written with the entry (no recomputation after
    # each insert: the journal is written inside every rule's run).
    company_id = fields.Many2one(
        "res.company", index=True, ondelete="cascade", system_only=True, copy=False
    )
    salesperson_id = fields.Many2one(related="order_id.user_id", string="Salesperson")
    automation_id = fields.Many2one(
        "base.automation",
        string="Automation rule",
        ondelete="set null",
        index=True,
        system_only=True,
        copy=False,
    )
    automation_name = fields.Char(string="Rule", system_only=True, copy=False)
    trigger_kind = fields.Selection(
        TRIGGER_KINDS,
        string="Trigger",
        required=True,
        default="change",
        system_only=True,
        copy=False,
        help="What started the rule: a status change, its timer, a carrier update, a "
        "payment or another change of the order.",
    )
    cause = fields.Selection(
        CAUSES,
        string="Started by",
        default="user",
        system_only=True,
        copy=False,
        help="Who made the change that started the rule: a person, another automation "
        "rule or a carrier update.",
    )
    user_id = fields.Many2one(
        "res.users",
        ondelete="set null",
        system_only=True,
        copy=False,
        help="The person whose change started the rule (the scheduler's user for timers).",
    )
    result = fields.Selection(RESULTS, required=True, index=True, system_only=True, copy=False)
    reason = fields.Text(
        string="Reason or error",
        system_only=True,
        copy=False,
        help="Why the rule did nothing, why its move was refused, or the error it raised.",
    )
    detail = fields.Text(string="What it did", system_only=True, copy=False)
    stage_id = fields.Many2one(
        "sale.order.stage",
        string="Status",
        help="The status the rule moved the order to, or tried to.",
        ondelete="set null",
        system_only=True,
        copy=False,
    )
    message_id = fields.Many2one("mail.message", ondelete="set null", system_only=True, copy=False)
    customer_message_id = fields.Many2one(
        "sale.order.customer.message",
        string="Customer message",
        ondelete="set null",
        system_only=True,
        copy=False,
    )
    activity_id = fields.Many2one(
        "mail.activity", ondelete="set null", system_only=True, copy=False
    )

    # ------------------------------------------------------------- writing
    @api.model
    def _journal_add(self, vals_list):
        """Record entries. They are written together, in one insert, when the
        transaction is committed (or earlier, as soon as the journal is read
        or a savepoint is taken): a status move pays no query of its own for
        its rules' entries. An entry goes with the transaction of the run it
        records: when that is rolled back, the entry is too."""
        precommit = self.env.cr.precommit
        pending = precommit.data.get(PENDING_KEY)
        if pending is None:
            pending = precommit.data[PENDING_KEY] = []
            precommit.add(self._journal_write_pending)
        pending.extend(vals_list)

    def _journal_write_pending(self):
        pending = self.env.cr.precommit.data.pop(PENDING_KEY, None)
        if not pending:
            return
        # An order deleted since its rule ran takes its entries along.
        # sudo: the journal is the system's record of what the rules did.
        orders = self.env["sale.order"].sudo().browse({vals["order_id"] for vals in pending})
        existing = set(orders.exists().ids)
        rows = [vals for vals in pending if vals["order_id"] in existing]
        if rows:
            # sudo: the journal is written by the system alone.
            self.sudo().create(rows)

    def flush_model(self, fnames=None):
        # Whoever reads the journal sees the entries still to be written.
        self._journal_write_pending()
        return super().flush_model(fnames)

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        self._journal_write_pending()
        return super()._search(domain, offset=offset, limit=limit, order=order)

    @api.model
    def _retention_days(self):
        # sudo: the retention is a setting of the order flow, read by its cron.
        value = self.env["ir.config_parameter"].sudo().get_param(RETENTION_PARAM)
        try:
            days = int(value)
        except (TypeError, ValueError):
            days = RETENTION_DEFAULT
        return days if days > 0 else RETENTION_DEFAULT

    @api.model
    def _cron_purge(self, batch_size=5000):
        """Scheduled action: delete the entries older than the retention, a
        batch at a time (the scheduler runs it again while some remain)."""
        limit = fields.Datetime.now() - timedelta(days=self._retention_days())
        # sudo: purging the journal is the system's own housekeeping.
        Log = self.sudo()
        old = Log.search([("date", "<", limit)], limit=batch_size, order="id")
        done = len(old)
        old.unlink()
        remaining = Log.search_count([("date", "<", limit)]) if done == batch_size else 0
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return done


# One concern of the order per file, on purpose (see sale_order.py).
class SaleOrder(models.Model):
    """The order's side of the automation journal: its entries and the
    button that opens them."""

    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    automation_log_ids = fields.One2many(
        "sale.order.automation.log", "order_id", string="Automation journal", readonly=True
    )
    automation_log_count = fields.Integer(compute="_compute_automation_log_count")

    def _compute_automation_log_count(self):
        # Roles without access to the journal still open the order form:
        # they see no count (the button stays hidden) instead of an error.
        Log = self.env["sale.order.automation.log"]
        if not self.ids or not Log.has_access("read"):
            self.automation_log_count = 0
            return
        counts = dict(Log._read_group([("order_id", "in", self.ids)], ["order_id"], ["__count"]))
        for order in self:
            order.automation_log_count = counts.get(order, 0)

    def action_view_automation_log(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_order_flow.sale_order_automation_log_action"
        )
        action["domain"] = [("order_id", "=", self.id)]
        action["context"] = {}
        return action
