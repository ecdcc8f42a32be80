from odoo import _, fields, models
from odoo.exceptions import AccessError

from ..tools import acting_as


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
                with acting_as("rule", action.base_automation_id.id):
                    result = super(IrActionsServer, action).run()
            else:
                result = super(IrActionsServer, action).run()
        return result

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
            user = self.env["res.users"]
            if self.activity_user_type == "specific":
                user = self.activity_user_id
            elif self.activity_user_type == "generic" and self.activity_user_field_name in order:
                user = order[self.activity_user_field_name]
            action = self.with_context(lang=user.lang or self.env.lang)
            if order._order_flow_has_open_activity(
                self.activity_type_id, action.activity_summary or ""
            ):
                continue
            super(
                IrActionsServer, action.with_context(active_ids=order.ids, active_id=order.id)
            )._run_action_next_activity(eval_context=eval_context)
        return False
