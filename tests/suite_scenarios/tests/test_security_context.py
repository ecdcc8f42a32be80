"""The context of a call is the client's: no key of it grants a right or
changes what is recorded.

Support and Logistics may not cancel orders; claiming to be an automation rule
or a carrier update (``order_flow_cause``), or claiming that Odoo's state is
being synchronised (``order_flow_syncing``), changes nothing of that, and the
status history never records a person's attempt as the work of a rule."""

from odoo.tests import tagged

from .security_common import SecurityCase

ORDER_FIELDS = ["stage_id", "state", "locked", "operator_comment", "stage_date"]


@tagged("post_install", "-at_install")
class TestSecurityClientContext(SecurityCase):
    def visits(self, order):
        return self.env["sale.order.stage.history"].sudo().search([("order_id", "=", order.id)])

    def order_state(self, order):
        return (
            self.snapshot(order, ORDER_FIELDS),
            self.snapshot(order.picking_ids, ["state"]),
            self.visits(order).ids,
        )

    def test_claimed_cause_moves_nothing(self):
        cancelled = self.stage("cancelled")
        automation = self.env.ref("crm_order_flow.automation_18_cancelled")
        for role in ("support", "logistics"):
            for cause in ("rule", "carrier"):
                with self.subTest(role=role, cause=cause), self.rolled_back():
                    order = self.order_assembly
                    before = self.order_state(order)
                    answer = self.call(
                        role,
                        "sale.order",
                        "write",
                        order.ids,
                        {"stage_id": cancelled.id, "operator_comment": "The client says so"},
                        context={
                            "order_flow_cause": cause,
                            "order_flow_automation_id": automation.id,
                        },
                    )
                    self.assertRefused(answer, f"{role} cancels claiming cause {cause!r}")
                    self.assertEqual(self.order_state(order), before, "the order changed")
                    self.assertNotIn(
                        cause,
                        self.visits(order).mapped("cause"),
                        "the history records a person's move as automatic",
                    )

    def test_claimed_cause_through_the_external_api(self):
        cancelled = self.stage("cancelled")
        order = self.order_assembly
        before = self.order_state(order)
        answer = self.execute_kw(
            "support",
            "sale.order",
            "write",
            [order.ids, {"stage_id": cancelled.id, "operator_comment": "The client says so"}],
            {"context": {"order_flow_cause": "rule"}},
        )
        self.assertRefused(answer)
        self.assertEqual(self.order_state(order), before)

    def test_claimed_syncing_cancels_nothing(self):
        context = {"order_flow_syncing": True, "disable_cancel_warning": True}
        for role in ("support", "logistics", "accountant"):
            for order in (self.order_assembly, self.order_new):
                with self.subTest(role=role, order=order.name), self.rolled_back():
                    before = self.order_state(order)
                    answer = self.call(
                        role, "sale.order", "action_cancel", order.ids, context=context
                    )
                    self.assertEqual(
                        self.order_state(order),
                        before,
                        f"{role} cancelled {order.name} ({answer.describe()})",
                    )
                    self.assertNotEqual(order.state, "cancel")

    def test_claimed_mark_as_sent_changes_no_state(self):
        """Support and the Accountant post on orders; a context key of the
        post (Odoo's "mark the quotation sent") does not let them change the
        order's state."""
        order = self.order_new
        for role in ("support", "accountant"):
            with self.subTest(role=role), self.rolled_back():
                before = self.order_state(order)
                answer = self.call(
                    role,
                    "sale.order",
                    "message_post",
                    order.ids,
                    body="Called the customer",
                    message_type="comment",
                    subtype_xmlid="mail.mt_note",
                    context={"mark_so_as_sent": True},
                )
                self.assertEqual(
                    self.order_state(order)[0],
                    before[0],
                    f"{role}'s note marked the quotation sent ({answer.describe()})",
                )

    def test_tracking_keys_do_not_hide_a_change(self):
        """Support may change the operator comment; the change is tracked in
        the chatter whatever the context says."""
        order = self.order_assembly
        for context in ({"tracking_disable": True}, {"mail_notrack": True}):
            with self.subTest(context=context), self.rolled_back():
                answer = self.call(
                    "support",
                    "sale.order",
                    "write",
                    order.ids,
                    {"operator_comment": "Called the customer: wants it on Friday"},
                    context=context,
                )
                if not answer.ok:
                    continue  # refused: nothing changed, nothing to track
                values = (
                    self.env["mail.tracking.value"]
                    .sudo()
                    .search(
                        [
                            ("mail_message_id.model", "=", "sale.order"),
                            ("mail_message_id.res_id", "=", order.id),
                            ("field_id.name", "=", "operator_comment"),
                        ]
                    )
                )
                self.assertTrue(values, f"the change is not in the chatter with {context}")
