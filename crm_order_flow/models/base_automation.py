import logging

from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from ..tools import current_cause, journal_run, merge_notes

_logger = logging.getLogger(__name__)

# The scheduler of time-based rules runs at least this often (minutes) while
# such a rule exists on orders, so that a rule fires within about two
# minutes of its due time (the cron's own wake-up adds up to a minute).
ORDER_FLOW_CRON_MINUTES = 1

TIME_TRIGGERS = ("on_time", "on_time_created", "on_time_updated")
# Fields of the order that change when the customer pays.
PAYMENT_FIELDS = frozenset({"order_payment_state", "paid_amount", "amount_due"})


class BaseAutomation(models.Model):
    _inherit = "base.automation"

    order_flow_log_ids = fields.One2many(
        "sale.order.automation.log", "automation_id", string="Automation journal"
    )
    order_flow_error_count = fields.Integer(
        string="Errors (journal)",
        compute="_compute_order_flow_log_counts",
        help="Runs of this rule on orders that ended in an error, in the automation journal.",
    )
    order_flow_refused_count = fields.Integer(
        string="Refused moves (journal)",
        compute="_compute_order_flow_log_counts",
        help="Runs of this rule on orders whose status move was refused.",
    )

    def _compute_order_flow_log_counts(self):
        Log = self.env["sale.order.automation.log"]
        counts = {}
        if self.ids and Log.has_access("read"):
            counts = {
                (rule.id, result): count
                for rule, result, count in Log._read_group(
                    [("automation_id", "in", self.ids), ("result", "in", ("error", "refused"))],
                    ["automation_id", "result"],
                    ["__count"],
                )
            }
        for rule in self:
            rule.order_flow_error_count = counts.get((rule.id, "error"), 0)
            rule.order_flow_refused_count = counts.get((rule.id, "refused"), 0)

    @api.model
    def _get_cron_interval(self, automations=None):
        # Odoo runs the time-based scheduler every tenth of the shortest
        # delay, and every 4 hours when the shortest delay is 0 (a rule due
        # exactly at a date, like the status time limit). Orders' timed
        # rules must not wait hours.
        interval = super()._get_cron_interval(automations)
        if automations is None:
            automations = self.with_context(active_test=True).search(
                [("trigger", "in", ["on_time", "on_time_created", "on_time_updated"])]
            )
        if any(rule.model_name == "sale.order" for rule in automations):
            return min(interval, ORDER_FLOW_CRON_MINUTES)
        return interval

    # ------------------------------------------------------ automation journal
    def _process(self, records, domain_post=None):
        # Every run of a rule on orders goes into the automation journal: the
        # executors note what they did on each order while the rule runs
        # (tools/flow_journal.py); the entries are written at once when the
        # run ends, also when an action failed (its own work was undone by
        # the savepoint around it, see ir_actions_server.py).
        if records._name != "sale.order" or not records:
            return super()._process(records, domain_post=domain_post)
        with journal_run(self.id, self._order_flow_trigger_kind()) as run:
            try:
                return super()._process(records, domain_post=domain_post)
            finally:
                if run.notes and not run.aborted:
                    self._order_flow_write_journal(run)

    def _order_flow_trigger_kind(self):
        """What started the rule now: its timer, a carrier update, a payment,
        a status change or another change of the order."""
        rule = self.sudo()
        if rule.trigger in TIME_TRIGGERS:
            return "timer"
        if current_cause()[0] == "carrier":
            return "carrier"
        names = set(rule.trigger_field_ids.mapped("name"))
        if rule.trigger == "on_stage_set" or "stage_id" in names:
            return "status"
        if names & PAYMENT_FIELDS:
            return "payment"
        return "change"

    def _order_flow_write_journal(self, run):
        cause, _automation_id = current_cause()
        now = fields.Datetime.now()
        name = self.sudo().name
        orders = self.env["sale.order"].browse(run.notes)
        companies = {order.id: order.company_id.id for order in orders.sudo()}
        vals_list = [
            dict(
                merge_notes(notes),
                date=now,
                order_id=order_id,
                company_id=companies.get(order_id),
                automation_id=run.automation_id,
                automation_name=name,
                trigger_kind=run.trigger,
                cause=cause,
                user_id=self.env.uid,
            )
            for order_id, notes in run.notes.items()
        ]
        self.env["sale.order.automation.log"]._journal_add(vals_list)

    # ----------------------------------------------------------------- dry-run
    def action_order_flow_dry_run(self):
        """Button of the rule: try the rule on past orders (nothing is sent
        or written). Administrators only: they are the ones who edit rules."""
        self.ensure_one()
        self._order_flow_check_dry_run_access()
        if self.model_name != "sale.order":
            raise AccessError(_("Only the automation rules of orders can be tried on past orders."))
        return {
            "type": "ir.actions.act_window",
            "name": _("Try on past orders"),
            "res_model": "base.automation.dry.run",
            "view_mode": "form",
            "target": "new",
            "context": {"default_automation_id": self.id},
        }

    @api.model
    def _order_flow_check_dry_run_access(self):
        if not self.env.su and not self.env.user._is_system():
            raise AccessError(
                _("Only administrators, who edit automation rules, may try them on past orders.")
            )

    def action_order_flow_view_journal(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_order_flow.sale_order_automation_log_action"
        )
        action["domain"] = [("automation_id", "=", self.id)]
        action["context"] = {}
        return action
