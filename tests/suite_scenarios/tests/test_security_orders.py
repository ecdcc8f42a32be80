"""Orders created and edited over RPC obey the order flow: a new order starts
in the "new" group whatever status the client sends (no waybill for an order
"created handed to delivery"), quantities and prices cannot be negative, and
a Sales Manager duplicates an own order."""

from odoo import Command
from odoo.tests import tagged

from .security_common import SecurityCase

CLEAR_REFUSALS = {"UserError", "ValidationError"}


@tagged("post_install", "-at_install")
class TestSecurityOrders(SecurityCase):
    def np_vals(self):
        return {
            "carrier_id": self.np_carrier.id,
            "np_city_id": self.lviv.id,
            "np_warehouse_id": self.lviv_2.id,
        }

    def line(self, **vals):
        return Command.create(
            dict({"product_id": self.product.id, "product_uom_qty": 1, "price_unit": 1000}, **vals)
        )

    def saved_waybills(self):
        return self.np_fake.count_calls("InternetDocument.save")

    def assertStartedNew(self, order, forged):
        visits = (
            self.env["sale.order.stage.history"]
            .sudo()
            .search([("order_id", "=", order.id)], order="id")
        )
        self.assertTrue(visits, "the order has a status history")
        self.assertEqual(visits[0].stage_id.group_code, "new", "the first status is a new one")
        if forged:
            self.assertNotEqual(order.stage_id, forged)
        self.assertIn(order.stage_id.group_code, ("new", "approval"))
        self.assertNotIn("cancel", [order.state])
        self.assertFalse(order.sudo().np_waybill_id)
        self.assertFalse(
            self.env["novaposhta.waybill"].sudo().search([("order_id", "=", order.id)])
        )

    # ---------------------------------------------------------- creation
    def test_create_in_a_later_status(self):
        sales = self.users["sales"]
        for code in ("done", "to_delivery", "assembled", "cancelled"):
            forged = self.stage(code)
            for with_lines in (False, True):
                with self.subTest(status=code, lines=with_lines), self.rolled_back():
                    vals = dict(
                        self.np_vals(),
                        partner_id=self.customer.id,
                        user_id=sales.id,
                        stage_id=forged.id,
                        operator_comment="forged",
                    )
                    if with_lines:
                        vals["order_line"] = [self.line()]
                    answer = self.call("sales", "sale.order", "create", vals)
                    if not answer.ok:
                        self.assertRefused(answer)
                        continue
                    self.assertStartedNew(self.env["sale.order"].browse(answer.result), forged)
                    self.assertEqual(self.saved_waybills(), 0, "a waybill was registered at NP")

    def test_create_with_a_default_status_in_the_context(self):
        forged = self.stage("to_delivery")
        for context in (
            {"default_stage_id": forged.id},
            {"default_delivery_cod_state": "transferred"},
        ):
            with self.subTest(context=context), self.rolled_back():
                answer = self.call(
                    "sales",
                    "sale.order",
                    "create",
                    dict(self.np_vals(), partner_id=self.customer.id, order_line=[self.line()]),
                    context=context,
                )
                if not answer.ok:
                    self.assertRefused(answer)
                    continue
                order = self.env["sale.order"].browse(answer.result)
                self.assertStartedNew(order, forged)
                self.assertEqual(order.delivery_cod_state, "none")
                self.assertEqual(self.saved_waybills(), 0)

    # ---------------------------------------------------------- bad input
    def test_negative_quantities_and_prices(self):
        order = self.order_new
        line = order.order_line[:1]
        failures = []
        for vals in ({"product_uom_qty": -3}, {"price_unit": -1000.0}):
            with self.rolled_back():
                before = self.snapshot(order.order_line, ["product_uom_qty", "price_unit"])
                totals = self.snapshot(order, ["amount_total"])
                attempts = [
                    self.call("sales", "sale.order.line", "write", line.ids, vals),
                    self.call(
                        "sales",
                        "sale.order",
                        "write",
                        order.ids,
                        {"order_line": [(1, line.id, vals)]},
                    ),
                    self.call(
                        "sales",
                        "sale.order",
                        "write",
                        order.ids,
                        {"order_line": [self.line(**vals)]},
                    ),
                ]
                for answer in attempts:
                    if answer.error_class not in CLEAR_REFUSALS or not answer.message:
                        failures.append(f"{vals}: {answer.describe()}")
                if self.snapshot(order.order_line, ["product_uom_qty", "price_unit"]) != before:
                    failures.append(f"{vals}: the lines changed")
                if self.snapshot(order, ["amount_total"]) != totals:
                    failures.append(f"{vals}: the total changed")
                answer = self.call(
                    "sales",
                    "sale.order",
                    "create",
                    {"partner_id": self.customer.id, "order_line": [self.line(**vals)]},
                )
                if answer.error_class not in CLEAR_REFUSALS:
                    failures.append(f"create with {vals}: {answer.describe()}")
        self.assertFalse(failures, "\n".join(failures))

    def test_no_waybill_for_a_negative_order(self):
        """An order whose line went negative by another path is not shipped:
        neither the button nor the handover to delivery registers a waybill."""
        order = self.order_assembled
        self.env.cr.execute(
            "UPDATE sale_order_line SET product_uom_qty = -2 WHERE order_id = %s", [order.id]
        )
        self.env.invalidate_all()
        self.call("logistics", "sale.order", "action_np_create_waybill", order.ids)
        self.call(
            "logistics",
            "sale.order",
            "write",
            order.ids,
            {"stage_id": self.stage("to_delivery").id},
        )
        order.invalidate_recordset()
        self.assertFalse(order.sudo().np_waybill_id, "a waybill for a negative quantity")
        self.assertEqual(self.saved_waybills(), 0, "NP was asked to register it")

    # ------------------------------------------------------------ copy
    def test_sales_manager_duplicates_an_own_order(self):
        for order in (self.order_new, self.order_waybill, self.order_assembly):
            with self.subTest(order=order.name):
                answer = self.call("sales", "sale.order", "copy", order.ids)
                result = self.assertAccepted(answer, f"copy of {order.name}")
                copy = self.env["sale.order"].browse(
                    result if isinstance(result, int) else result[0]
                )
                self.assertEqual(copy.user_id, self.users["sales"])
                # a new order (the auto-reservation may have confirmed it since)
                self.assertStartedNew(copy, order.stage_id if order != self.order_new else None)
                self.assertEqual(
                    copy.order_line.filtered(lambda line: not line.is_delivery).mapped(
                        "product_uom_qty"
                    ),
                    order.order_line.filtered(lambda line: not line.is_delivery).mapped(
                        "product_uom_qty"
                    ),
                )
                self.assertFalse(copy.sudo().np_waybill_id)
                self.assertFalse(copy.delivery_tracking_ref)
                self.assertEqual(copy.delivery_cod_state, "none")
                self.assertEqual(copy.order_payment_state, "not_paid")
                if "fiscal_receipt_ids" in copy._fields:
                    self.assertFalse(copy.sudo().fiscal_receipt_ids)
