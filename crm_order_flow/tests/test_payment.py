from odoo.tests import tagged

from .common import OrderFlowCommon


@tagged("post_install", "-at_install")
class TestPayment(OrderFlowCommon):
    def test_paid_amount_due_and_state(self):
        order = self.make_order(qty=2, carrier=self.courier)
        self.assertEqual(order.order_payment_state, "not_paid")
        self.assertEqual(order.amount_due, order.amount_total)
        invoice = self.pay(order, amount=300.0)
        self.assertEqual(order.paid_amount, 300.0)
        self.assertEqual(order.amount_due, order.amount_total - 300.0)
        self.assertEqual(order.order_payment_state, "partial")
        wizard = (
            self.env["account.payment.register"]
            .with_user(self.users["accountant"])
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({})
        )
        wizard._create_payments()
        self.env.flush_all()
        self.assertEqual(order.order_payment_state, "paid")
        self.assertEqual(order.amount_due, 0.0)

    def test_payment_in_approval_sends_to_assembly_with_warehouse_task(self):
        order = self.make_order(carrier=self.courier)
        self.walk(order, "agreed")
        self.pay(order, amount=100.0)
        self.assertEqual(order.stage_id.code, "to_assembly")
        visit = self.visits(order)[-1]
        self.assertEqual(visit.cause, "rule")
        self.assertEqual(
            visit.automation_id, self.env.ref("crm_order_flow.automation_08_paid_to_assembly")
        )
        task = order.activity_ids.filtered(lambda a: a.summary == "Assemble the order!")
        self.assertEqual(task.user_id, self.users["logistics"])

    def test_payment_outside_approval_moves_nothing(self):
        order = self.env["sale.order"].create(
            {"partner_id": self.customer.id, "carrier_id": self.courier.id}
        )
        order.order_line = [(0, 0, {"product_id": self.product.id})]
        self.assertEqual(order.stage_id.code, "new")
        order.action_confirm()
        self.pay(order)
        self.assertEqual(order.stage_id.code, "new")
