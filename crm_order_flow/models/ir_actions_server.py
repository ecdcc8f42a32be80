import re

import psycopg2

from odoo import _, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..tools import acting_as, error_text, journal_action, journal_note

# The code of an action that only makes one of the order flow's automatic
# moves (``records._order_flow_auto_move('to_assembly')``): a dry-run decides
# it like the move, without running any code.
AUTO_MOVE_CODE = re.compile(r"""^records\._order_flow_auto_move\(\s*['"](\w+)['"]\s*\)$""")
# The code of an action that calls one method of the orders.
METHOD_CODE = re.compile(r"^records\.(\w+)\(.*\)$", re.DOTALL)


class IrActionsServer(models.Model):
    _inherit = "ir.actions.server"

    # The title of the activity a rule creates is shown to people: it is
    # translated like the rule's name (the store works in Ukrainian).
    activity_summary = fields.Char(translate=True)

    def run(self):
        # The actions of automation rules are the rules' own work: Odoo runs
        # them as superuser from base.automation (never reachable by a
        # request). Called directly over RPC they would do the rule's work
        # with the rule's privilege for anyone with write access to the
        # record, so only administrators may run them by hand.
        # sudo: read which rule an action belongs to, whoever asks.
        bound = self.sudo().filtered("base_automation_id")
        if not bound:
            return super().run()
        if not self.env.su:
            if not self.env.user._is_system():
                raise AccessError(
                    _(
                        "“%(action)s” is an action of the automation rule “%(rule)s”: it runs "
                        "when the rule fires, not by hand.",
                        action=bound[0].name,
                        rule=bound[0].base_automation_id.name,
                    )
                )
            return super().run()
        result = False
        for action in self:
            if action._order_flow_applies():
                # Work done for an automation rule on orders: moves are
                # automatic (no role check, cause “rule” in the history).
                with (
                    acting_as("rule", action.base_automation_id.id),
                    journal_action(action.id) as run,
                ):
                    result = action._order_flow_run_journaled(
                        run, super(IrActionsServer, action).run
                    )
            else:
                result = super(IrActionsServer, action).run()
        return result

    def _order_flow_run_journaled(self, run, run_action):
        """Run the action of an order rule (``run_action``: Odoo's run of
        it); inside a rule's run (``run``, see tools/flow_journal.py) note on
        each order what it did, or its error, then raise the error as before:
        Odoo refuses the change that started the rule, or its scheduler logs
        the error and goes on.

        An action that may fail halfway (Python code, and any other kind
        than the order flow's own) runs inside a savepoint: its own work is
        undone and the cursor stays usable for the journal. The order flow's
        own actions leave nothing halfway and take no savepoint here, which
        keeps status moves fast (a savepoint writes out every pending change
        first): a message is sent inside its own savepoint, an activity is
        one record, a status move is checked before anything is written."""
        self.ensure_one()
        if run is None:
            return run_action()
        ids = self._context.get("active_ids") or [self._context.get("active_id")]
        order_ids = [order_id for order_id in ids if order_id]
        guarded = not self._order_flow_self_contained()
        try:
            if guarded:
                with self.env.cr.savepoint():
                    result = run_action()
            else:
                result = run_action()
        except Exception as error:
            if not guarded and isinstance(error, psycopg2.Error):
                # The database refused the work and the transaction is
                # aborted: nothing more can be written in it.
                run.aborted = True
            stage = self._order_flow_moved_stage()
            refused = bool(stage) and isinstance(error, UserError | ValidationError)
            for order_id in order_ids:
                run.note(
                    order_id,
                    "refused" if refused else "error",
                    reason=error_text(error),
                    stage_id=stage.id if refused else False,
                )
            raise
        stage = self._order_flow_moved_stage()
        for order_id in order_ids:
            if not run.has_note(order_id, self.id):
                run.note(order_id, "done", detail=self._order_flow_done_detail(), stage_id=stage.id)
        return result

    def _order_flow_self_contained(self):
        """Whether the action is one of the order flow's own, which never
        leave their work halfway (see ``_order_flow_run_journaled``)."""
        self.ensure_one()
        if self.state == "sms":
            return bool(self.sms_template_id)
        if self.state == "mail_post":
            return bool(self.template_id) and self.mail_post_method == "comment"
        if self.state == "next_activity":
            return bool(self.activity_type_id)
        return bool(self._order_flow_moved_stage())

    def _order_flow_moved_stage(self):
        """The status an action sets on orders (an update of the order's
        status), or an empty recordset."""
        self.ensure_one()
        Stage = self.env["sale.order.stage"]
        if (
            self.state == "object_write"
            and self.update_path == "stage_id"
            and self.evaluation_type == "value"
            and (self.value or "").strip().isdigit()
        ):
            return Stage.browse(int(self.value))
        return Stage

    def _order_flow_done_detail(self):
        self.ensure_one()
        stage = self._order_flow_moved_stage()
        if stage:
            return _("Moved to “%(status)s”", status=stage.name)
        return _("Ran the action “%(action)s”", action=self.name)

    def _order_flow_applies(self):
        return self.model_id.model == "sale.order" and bool(self.base_automation_id)

    def _run_action_sms_multi(self, eval_context=None):
        # Customer messages of orders follow the order flow's rules: the
        # customer's channel, the sending window, once per status visit.
        if (
            self.model_id.model == "sale.order"
            and self.sms_template_id
            and not self._is_recompute()
        ):
            records = eval_context.get("records") or eval_context.get("record")
            if records:
                records._order_flow_send_customer_message(
                    self.sms_template_id, automation=self.base_automation_id
                )
            return False
        return super()._run_action_sms_multi(eval_context=eval_context)

    def _run_action_mail_post_multi(self, eval_context=None):
        if (
            self.model_id.model == "sale.order"
            and self.template_id
            and self.mail_post_method == "comment"
            and not self._is_recompute()
        ):
            res_ids = self._context.get("active_ids", [self._context.get("active_id")])
            records = self.env["sale.order"].browse([res_id for res_id in res_ids if res_id])
            if records:
                records._order_flow_send_customer_message(
                    self.template_id, automation=self.base_automation_id
                )
            return False
        return super()._run_action_mail_post_multi(eval_context=eval_context)

    def _run_action_next_activity(self, eval_context=None):
        # An order-flow rule gives at most one open activity of its kind per
        # order, titled in the language of the person who gets it.
        if not (self._order_flow_applies() and self.activity_type_id) or self._is_recompute():
            return super()._run_action_next_activity(eval_context=eval_context)
        ids = self._context.get("active_ids", self._context.get("active_id"))
        for order in self.env["sale.order"].browse(ids or []):
            decision = self._order_flow_activity_decision(order)
            if decision["result"] == "skip":
                journal_note(order.id, "skipped", reason=decision["reason"])
                continue
            action = self.with_context(lang=decision["user"].lang or self.env.lang)
            # sudo: the order's activities are compared whoever moved it.
            before = order.sudo().activity_ids
            super(
                IrActionsServer, action.with_context(active_ids=order.ids, active_id=order.id)
            )._run_action_next_activity(eval_context=eval_context)
            created = order.sudo().activity_ids - before
            journal_note(
                order.id,
                "done",
                detail=decision["detail"],
                activity_id=created[:1].id,
            )
        return False

    def _order_flow_activity_decision(self, order):
        """Whether the activity of this action would be given on ``order``,
        decided without creating it: the one decision of the rules'
        activities, used when a rule runs and when an administrator tries it
        on past orders. Returns a dict: ``result`` 'create' (for ``user``,
        ``detail`` in words) or 'skip' with its ``reason``."""
        self.ensure_one()
        user = self.env["res.users"]
        if self.activity_user_type == "specific":
            user = self.activity_user_id
        elif self.activity_user_type == "generic" and self.activity_user_field_name in order:
            user = order[self.activity_user_field_name]
        summary = self.with_context(lang=user.lang or self.env.lang).activity_summary or ""
        if order._order_flow_has_open_activity(self.activity_type_id, summary):
            return {
                "result": "skip",
                "user": user,
                "reason": _(
                    "The order already has the open activity “%(activity)s”.",
                    activity=summary or self.activity_type_id.name,
                ),
            }
        return {
            "result": "create",
            "user": user,
            "detail": _(
                "Activity “%(activity)s” for %(user)s",
                activity=summary or self.activity_type_id.name,
                user=user.name or _("the current user"),
            ),
        }

    # ----------------------------------------------------------------- dry-run
    def _order_flow_dry_run_note(self, order, at, visit=None):
        """What this action of an order rule would do on ``order`` at ``at``,
        decided by the same code as the real run and without doing it: a
        journal note (``result``, ``reason``, ``detail``, see
        tools/flow_journal.py) with, for a message, its ``medium``, the
        ``template`` and ``send_at``. Python code is never run: a code action
        is reported as such (a call of one of the order flow's automatic
        moves is decided like the move)."""
        self.ensure_one()
        if self.state == "sms" and self.sms_template_id:
            return self._order_flow_dry_run_message(order, self.sms_template_id, at, visit)
        if self.state == "mail_post" and self.template_id and self.mail_post_method == "comment":
            return self._order_flow_dry_run_message(order, self.template_id, at, visit)
        if self.state == "next_activity" and self.activity_type_id:
            decision = self._order_flow_activity_decision(order)
            if decision["result"] == "skip":
                return {"result": "skipped", "reason": decision["reason"]}
            return {"result": "done", "detail": decision["detail"]}
        stage = self._order_flow_moved_stage().exists()
        code = False
        if not stage and self.state == "code":
            match = AUTO_MOVE_CODE.match((self.code or "").strip())
            if match:
                stage = self.env["sale.order.stage"]._get_by_code(match.group(1))
            else:
                method = METHOD_CODE.match((self.code or "").strip())
                code = method.group(1) if method else True
        if stage:
            decision = order._order_flow_move_decision(stage)
            if decision["result"] == "refuse":
                return {"result": "refused", "reason": decision["reason"], "stage_id": stage.id}
            if decision["result"] == "skip":
                return {"result": "skipped", "reason": decision["reason"]}
            return {
                "result": "done",
                "detail": _("Moved to “%(status)s”", status=stage.name),
                "stage_id": stage.id,
            }
        if code is True:
            return {
                "result": "code",
                "detail": _(
                    "Would run the Python code of “%(action)s” (not tried).", action=self.name
                ),
            }
        if code:
            return {
                "result": "code",
                "detail": _(
                    "Would call the order's method %(method)s (“%(action)s”, not tried).",
                    method=code,
                    action=self.name,
                ),
            }
        return {
            "result": "code",
            "detail": _("Would run the action “%(action)s” (not tried).", action=self.name),
        }

    def _order_flow_dry_run_message(self, order, template, at, visit):
        decision = order._order_flow_message_decision(template, at=at, visit=visit)
        if decision["result"] == "skip":
            return {
                "result": "skipped",
                "reason": decision["reason"],
                "quiet": decision.get("quiet", False),
            }
        return {
            "result": "done",
            "detail": order._order_flow_message_detail(
                template, decision["medium"], decision.get("send_at")
            ),
            "template": template,
            "send_at": decision.get("send_at"),
        }
