"""“Try on past orders”: what an automation rule of orders would have done in
a period, with nothing sent, written or scheduled.

The rule's own decisions are asked, the ones its real run takes (the message,
activity and move decisions of the order flow, see ``_order_flow_dry_run_note``
in ``ir_actions_server.py``); Python code is never run. The rule's condition
is a domain, evaluated as Odoo evaluates it. The whole trial runs inside a
savepoint that is always rolled back, so that even a value computed on the
way (an order's portal token for a payment link) is not kept.
"""

import contextlib
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import html2plaintext, safe_eval

from odoo.addons.base_automation.models.base_automation import DATE_RANGE_FUNCTION

from ..models.base_automation import TIME_TRIGGERS
from ..models.sale_order_automation_log import RESULTS
from ..tools import merge_notes

DRY_RUN_RESULTS = RESULTS + [("code", "Not tried (code)")]
# Status leaves of a condition, read on the status the order entered: the
# path on the order and the same path on the status.
STAGE_PATHS = {"stage_id": "", "stage_code": "code", "stage_group_id": "group_id"}


class BaseAutomationDryRun(models.TransientModel):
    _name = "base.automation.dry.run"
    _description = "Try an Automation Rule on Past Orders"

    automation_id = fields.Many2one(
        "base.automation",
        string="Automation rule",
        required=True,
        ondelete="cascade",
        domain=[("model_name", "=", "sale.order")],
        context={"active_test": False},
    )
    date_from = fields.Datetime(
        string="From", required=True, default=lambda self: self._default_date_from()
    )
    date_to = fields.Datetime(string="Until", required=True, default=fields.Datetime.now)
    line_ids = fields.One2many("base.automation.dry.run.line", "wizard_id", string="Orders")
    state = fields.Selection([("draft", "Draft"), ("done", "Done")], default="draft")
    summary = fields.Char(readonly=True)

    @api.model
    def _default_date_from(self):
        return fields.Datetime.now() - timedelta(days=7)

    @api.model_create_multi
    def create(self, vals_list):
        self.env["base.automation"]._order_flow_check_dry_run_access()
        return super().create(vals_list)

    def action_try(self):
        """Button: try the rule on the orders of the period."""
        self.ensure_one()
        self.env["base.automation"]._order_flow_check_dry_run_access()
        if self.date_from >= self.date_to:
            raise UserError(_("The period must start before it ends."))
        rows = self._order_flow_dry_run(self.automation_id, self.date_from, self.date_to)
        self.line_ids.unlink()
        self.env["base.automation.dry.run.line"].create(
            [dict(row, wizard_id=self.id) for row in rows]
        )
        counts = {key: 0 for key, _label in DRY_RUN_RESULTS}
        for row in rows:
            counts[row["result"]] += 1
        self.write(
            {
                "state": "done",
                "summary": _(
                    "%(total)s run(s): %(done)s would act, %(skipped)s skipped, %(refused)s "
                    "refused moves, %(code)s not tried (code).",
                    total=len(rows),
                    done=counts["done"],
                    skipped=counts["skipped"],
                    refused=counts["refused"],
                    code=counts["code"],
                ),
            }
        )
        return {
            "type": "ir.actions.act_window",
            "name": _("Try on past orders"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    # ---------------------------------------------------------- the trial
    @api.model
    def _order_flow_dry_run(self, rule, date_from, date_to):
        """What ``rule`` would have done on the orders between ``date_from``
        and ``date_to``: one dict per run of the rule on an order (``order_id``,
        ``date``, ``result``, ``reason``, ``detail``, ``text``, ``stage_id``).
        Nothing is kept of what the trial computes."""
        self.env["base.automation"]._order_flow_check_dry_run_access()
        rule.ensure_one()
        if rule.model_name != "sale.order":
            raise UserError(_("Only the automation rules of orders can be tried on past orders."))
        cr = self.env.cr
        with contextlib.closing(cr.savepoint()):
            rows = self._order_flow_dry_run_rows(rule, date_from, date_to)
        self.env.invalidate_all()
        return rows

    @api.model
    def _order_flow_dry_run_rows(self, rule, date_from, date_to):
        runs = self._order_flow_dry_run_candidates(rule, date_from, date_to)
        orders = self.env["sale.order"].browse({order_id for order_id, _at, _visit in runs})
        matching = self._order_flow_dry_run_condition(rule, orders)
        actions = rule.action_server_ids
        rows = []
        to_render = {}
        for order_id, at, visit in runs:
            order = orders.browse(order_id)
            row = {"order_id": order_id, "date": at}
            if order_id not in matching:
                rows.append(
                    dict(
                        row,
                        result="skipped",
                        reason=_("The rule's condition is false for this order."),
                    )
                )
                continue
            notes = [action._order_flow_dry_run_note(order, at, visit) for action in actions]
            if not notes:
                notes = [{"result": "done", "detail": _("The rule has no action.")}]
            merged = merge_notes(notes)
            template = merged.pop("template", None)
            merged.pop("send_at", None)
            row.update(
                result=merged["result"],
                reason=merged["reason"],
                detail=merged["detail"],
                stage_id=merged.get("stage_id", False),
            )
            rows.append(row)
            if template and merged["result"] == "done":
                to_render.setdefault(template, []).append(row)
        for template, template_rows in to_render.items():
            texts = self._order_flow_render(template, [row["order_id"] for row in template_rows])
            for row in template_rows:
                row["text"] = texts.get(row["order_id"], False)
        return rows

    @api.model
    def _order_flow_dry_run_candidates(self, rule, date_from, date_to):
        """The rule's runs in the period, as ``(order id, time, status visit
        or None)``: for a timed rule, the orders whose rule time falls in the
        period; for a rule on a status, each entry of an order into that
        status; for other rules, the orders changed in the period (their last
        change)."""
        Order = self.env["sale.order"]
        if rule.trigger in TIME_TRIGGERS and rule.trg_date_id:
            delay = DATE_RANGE_FUNCTION[rule.trg_date_range_type](rule.trg_date_range or 0)
            name = rule.trg_date_id.name
            orders = Order.search(
                [(name, ">=", date_from - delay), (name, "<", date_to - delay)], order="id"
            )
            runs = []
            for order in orders:
                value = order[name] or (name == "date_automation_last" and order.create_date)
                if value:
                    at = fields.Datetime.to_datetime(value) + delay
                    if date_from <= at < date_to:
                        runs.append((order.id, at, None))
            return runs
        stage = self._order_flow_rule_stage(rule)
        if stage:
            # The visits of the companies the administrator works in.
            visits = self.env["sale.order.stage.history"].search(
                [
                    ("stage_id", "=", stage.id),
                    ("date_in", ">=", date_from),
                    ("date_in", "<", date_to),
                ],
                order="date_in, id",
            )
            return [(visit.order_id.id, visit.date_in, visit) for visit in visits]
        orders = Order.search(
            [("write_date", ">=", date_from), ("write_date", "<", date_to)], order="write_date, id"
        )
        return [(order.id, order.write_date, None) for order in orders]

    @api.model
    def _order_flow_rule_stage(self, rule):
        """The status whose entry starts the rule, if it is a status rule."""
        if rule.trigger == "on_stage_set" and rule.trg_field_ref:
            return self.env["sale.order.stage"].browse(int(rule.trg_field_ref)).exists()
        return self.env["sale.order.stage"]

    @api.model
    def _order_flow_dry_run_condition(self, rule, orders):
        """Ids of ``orders`` that meet the rule's condition, evaluated as
        Odoo's rule does it (a domain, on the orders as superuser). For a rule
        on a status, its status leaves are read on the status the orders
        entered (they may have moved on since)."""
        if not orders:
            return set()
        if not rule.filter_domain:
            return set(orders.ids)
        domain = safe_eval.safe_eval(rule.filter_domain, rule._get_eval_context())
        stage = self._order_flow_rule_stage(rule)
        if stage:
            domain = [self._order_flow_stage_leaf(leaf, stage) for leaf in domain]
        return set(orders.sudo().filtered_domain(domain).ids)

    @api.model
    def _order_flow_stage_leaf(self, leaf, stage):
        if not (isinstance(leaf, list | tuple) and len(leaf) == 3 and isinstance(leaf[0], str)):
            return leaf
        path, operator, value = leaf
        head, _dot, rest = path.partition(".")
        if head not in STAGE_PATHS:
            return leaf
        stage_path = ".".join(part for part in (STAGE_PATHS[head], rest) if part) or "id"
        matches = bool(stage.filtered_domain([(stage_path, operator, value)]))
        return (1, "=", 1) if matches else (0, "=", 1)

    @api.model
    def _order_flow_render(self, template, order_ids):
        """The texts ``template`` would send to these orders' customers, in
        each customer's language (rendered as the administrator who asks)."""
        field = "body" if template._name == "sms.template" else "body_html"
        rendered = template._render_field(field, order_ids, compute_lang=True)
        if field == "body_html":
            return {key: html2plaintext(value or "") for key, value in rendered.items()}
        return rendered


class BaseAutomationDryRunLine(models.TransientModel):
    _name = "base.automation.dry.run.line"
    _description = "Automation Rule Trial: One Order"
    _order = "date, id"

    wizard_id = fields.Many2one("base.automation.dry.run", required=True, ondelete="cascade")
    order_id = fields.Many2one("sale.order", ondelete="cascade")
    date = fields.Datetime(string="Time")
    result = fields.Selection(DRY_RUN_RESULTS, string="Outcome")
    reason = fields.Text(string="Why skipped or refused")
    detail = fields.Text(string="What it would do")
    text = fields.Text(string="Message text")
    stage_id = fields.Many2one("sale.order.stage", string="Status it would set")
