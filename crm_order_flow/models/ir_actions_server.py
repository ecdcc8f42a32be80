from odoo import models


class IrActionsServer(models.Model):
    _inherit = "ir.actions.server"

    def _order_flow_rule_context(self):
        """Context marking work done for an automation rule on orders: moves
        are automatic (no role check, cause “rule” in the history)."""
        return {"order_flow_cause": "rule", "order_flow_automation_id": self.base_automation_id.id}

    def _order_flow_applies(self):
        return self.model_id.model == "sale.order" and bool(self.base_automation_id)

    def _run_action_object_write(self, eval_context=None):
        # “Update the record” on orders from an automation rule is an
        # automatic move: done for the rule, not limited by the role of the
        # user whose change started it (the matrix and validations apply).
        if self._order_flow_applies():
            self = self.sudo().with_context(**self._order_flow_rule_context())
        return super()._run_action_object_write(eval_context=eval_context)

    def _run_action_code_multi(self, eval_context):
        if self._order_flow_applies():
            context = self._order_flow_rule_context()
            eval_context = dict(eval_context)
            env = eval_context["env"]
            eval_context["env"] = env(context=dict(env.context, **context))
            for key in ("model", "record", "records"):
                if eval_context.get(key) is not None:
                    eval_context[key] = eval_context[key].with_context(**context)
        return super()._run_action_code_multi(eval_context)

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
