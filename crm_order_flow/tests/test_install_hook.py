from odoo.tests import tagged

from odoo.addons.crm_order_flow.hooks import post_init_hook

from .common import OrderFlowCommon


@tagged("post_install", "-at_install")
class TestInstallHook(OrderFlowCommon):
    def test_existing_orders_get_status_from_odoo_state(self):
        """Orders that existed before the module: the install hook gives each
        a status matching its Odoo state, and a first status visit."""
        orders = {
            key: self.env["sale.order"].create({"partner_id": self.customer.id})
            for key in ("draft", "sale", "locked", "cancel")
        }
        self.env.flush_all()
        states = {"draft": ("draft", False), "sale": ("sale", False)}
        states.update({"locked": ("sale", True), "cancel": ("cancel", False)})
        for key, (state, locked) in states.items():
            self.env.cr.execute(
                "UPDATE sale_order SET stage_id = NULL, state = %s, locked = %s WHERE id = %s",
                [state, locked, orders[key].id],
            )
        # Orders from before the module have no status visit either.
        self.env.cr.execute(
            "DELETE FROM sale_order_stage_history WHERE order_id IN %s",
            [tuple(order.id for order in orders.values())],
        )
        self.env.invalidate_all()
        post_init_hook(self.env)
        self.env.invalidate_all()
        expected = {"draft": "new", "sale": "agreed", "locked": "done", "cancel": "cancelled"}
        for key, code in expected.items():
            with self.subTest(order=key):
                order = orders[key]
                self.assertEqual(order.stage_id.code, code)
                self.assertEqual(order.stage_group_id, order.stage_id.group_id)
                self.assertEqual(self.visits(order)[-1].stage_id.code, code)
