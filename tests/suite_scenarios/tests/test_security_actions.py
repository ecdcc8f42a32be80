"""The server actions of the order flow's automation rules do the rules'
work with the rules' privilege: called by hand over RPC (``run`` with an
order as the active record) by a role that only reads or annotates orders,
they are refused and change nothing: no order confirmed or moved, no transfer
cancelled, no waybill, no customer message, no activity."""

from odoo.tests import tagged

from .security_common import SecurityCase


@tagged("post_install", "-at_install")
class TestSecurityBoundActions(SecurityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        rule_ids = (
            cls.env["ir.model.data"]
            .search([("module", "=", "crm_order_flow"), ("model", "=", "base.automation")])
            .mapped("res_id")
        )
        cls.rules = cls.env["base.automation"].browse(rule_ids).exists()
        cls.actions = cls.rules.action_server_ids

    def facts(self, orders):
        """What a rule's work would change."""
        orders = orders.sudo()
        return {
            "system": self.system_state(),
            "waybills": self.env["novaposhta.waybill"].sudo().search_count([]),
            "customer messages": self.env["sale.order.customer.message"]
            .sudo()
            .search_count([("order_id", "in", orders.ids)]),
            "chatter": self.env["mail.message"]
            .sudo()
            .search_count([("model", "=", "sale.order"), ("res_id", "in", orders.ids)]),
            "activities": self.env["mail.activity"]
            .sudo()
            .search_count([("res_model", "=", "sale.order"), ("res_id", "in", orders.ids)]),
            "sms": self.env["sms.sms"].sudo().search_count([]),
        }

    def attack(self, role):
        self.assertGreaterEqual(len(self.rules), 20, "the order flow's rules are found")
        self.assertTrue(self.actions)
        failures = []
        targets = (self.order_new, self.order_assembled, self.order_assembly)
        # every run is rolled back: the store is the same before each one
        baselines = {order: self.facts(order) for order in targets}
        for action in self.actions:
            # messages and activities show on any order; code and updates
            # are tried where they have something to change
            orders = targets if action.state in ("code", "object_write") else targets[:1]
            for order in orders:
                before = baselines[order]
                with self.rolled_back():
                    answer = self.call(
                        role,
                        "ir.actions.server",
                        "run",
                        action.ids,
                        context={
                            "active_model": "sale.order",
                            "active_id": order.id,
                            "active_ids": order.ids,
                        },
                    )
                    after = self.facts(order)
                    changed = self.state_diff(before["system"], after["system"]) + [
                        f"{key}: {before[key]} → {after[key]}"
                        for key in before
                        if key != "system" and before[key] != after[key]
                    ]
                if changed or not answer.refused:
                    failures.append(
                        f"{action.name} on {order.name} ({order.stage_id.code}): "
                        f"{'refused' if answer.refused else 'not refused'}; "
                        f"changed: {'; '.join(changed[:4]) or 'nothing'}"
                    )
                    break
        self.assertFalse(
            failures, f"{len(failures)} actions run by {role}:\n" + "\n".join(failures)
        )

    def test_support_runs_no_rule_action(self):
        self.attack("support")

    def test_accountant_runs_no_rule_action(self):
        self.attack("accountant")

    def test_administrator_still_runs_them(self):
        """The administrator may run a rule's action by hand (repair work):
        moving an assembled order to delivery registers its waybill."""
        action = self.env.ref("crm_order_flow.action_09_assembled")
        order = self.order_assembled
        answer = self.call(
            "administrator",
            "ir.actions.server",
            "run",
            action.ids,
            context={"active_model": "sale.order", "active_id": order.id, "active_ids": order.ids},
        )
        self.assertAccepted(answer)
        self.assertEqual(order.stage_id.code, "to_delivery")
        self.assertTrue(order.np_waybill_id, "the handover registered the waybill")
