from odoo.tests import tagged

from .common import OrderFlowCommon


@tagged("post_install", "-at_install")
class TestRuleLookup(OrderFlowCommon):
    """The order flow speeds up how Odoo finds and checks automation rules
    on orders; administrators' changes to rules must still apply at once."""

    def _note_rule(self, **vals):
        action = self.env["ir.actions.server"].create(
            {
                "name": "Note on the order",
                "model_id": self.env["ir.model"]._get_id("sale.order"),
                "state": "code",
                "code": "record.message_post(body='Rule ran')",
            }
        )
        return self.env["base.automation"].create(
            dict(
                {
                    "name": "Administrator's rule",
                    "model_id": action.model_id.id,
                    "action_server_ids": [(6, 0, action.ids)],
                },
                **vals,
            )
        )

    def _ran(self, order):
        return len(order.message_ids.filtered(lambda m: "Rule ran" in (m.body or "")))

    def test_new_deactivated_and_reactivated_rules_apply_at_once(self):
        order = self.make_order()
        order.write({"operator_comment": "first"})  # the rule lookup is cached now
        comment = self.env["ir.model.fields"]._get("sale.order", "operator_comment")
        rule = self._note_rule(
            trigger="on_create_or_write", trigger_field_ids=[(6, 0, comment.ids)]
        )
        order.write({"operator_comment": "second"})
        self.assertEqual(self._ran(order), 1, "a new rule runs at the next change")
        rule.active = False
        order.write({"operator_comment": "third"})
        self.assertEqual(self._ran(order), 1, "a deactivated rule no longer runs")
        rule.active = True
        order.write({"operator_comment": "fourth"})
        self.assertEqual(self._ran(order), 2, "a reactivated rule runs again")

    def test_trigger_fields_and_conditions(self):
        comment = self.env["ir.model.fields"]._get("sale.order", "operator_comment")
        self._note_rule(
            trigger="on_create_or_write",
            trigger_field_ids=[(6, 0, comment.ids)],
            # Not a plain literal: evaluated with the rule's context.
            filter_domain="[('user_id', '=', uid), ('operator_comment', 'ilike', 'urgent')]",
        )
        order = self.make_order(user=self.env.user)
        order.write({"client_order_ref": "PO-1"})
        order.write({"operator_comment": "call tomorrow"})
        self.assertEqual(self._ran(order), 0, "condition not met")
        order.write({"operator_comment": "urgent: call now"})
        self.assertEqual(self._ran(order), 1, "trigger field changed and condition met")
        order.write({"client_order_ref": "PO-2"})
        self.assertEqual(self._ran(order), 1, "other fields do not trigger the rule")
