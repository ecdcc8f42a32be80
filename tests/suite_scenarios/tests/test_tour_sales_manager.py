from odoo.tests import tagged

from .security_common import SecurityCase


@tagged("post_install", "-at_install")
class TestSalesManagerTour(SecurityCase):
    """The Sales Manager's daily job in the browser, in Ukrainian, as the demo
    Sales Manager: a phone order for a new customer handed to Nova Poshta on
    one screen (the store, Nova Poshta's directory and SMS Club come from the
    local fakes of the security suite)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The demo directory names the same cities: the tour picks the fake's.
        cls.env["novaposhta.city"].search([("ref", "=like", "demo-%")]).action_archive()

    def test_phone_order_for_a_new_customer(self):
        sales = self.users["sales"]
        sales.write({"lang": "uk_UA"})
        known = self.env["sale.order"].search([]).ids
        self.start_tour(
            "/odoo/action-crm_order_flow.sale_order_action_pipeline",
            "suite_sales_manager_phone_order",
            login="sales",
        )
        order = self.env["sale.order"].search([("id", "not in", known)])
        self.assertEqual(len(order), 1, "one order taken")
        # The phone made one new customer, stored the way Odoo formats numbers.
        self.assertEqual(order.partner_id.name, "Олег Петренко")
        self.assertEqual(order.partner_id.phone_sanitized, "+380673214567")
        self.assertEqual(order.user_id, sales)
        self.assertEqual(order.company_id, self.company)
        # Nova Poshta to the branch found by its street.
        self.assertEqual(order.carrier_id, self.np_carrier)
        self.assertEqual(order.np_city_id, self.lviv)
        self.assertEqual(order.np_warehouse_id, self.lviv_2)
        self.assertEqual(order.order_line.product_id, self.product)
        self.assertEqual(order.amount_total, 1000.0)
        # Agreed with online payment; the refused move changed nothing.
        self.assertEqual(order.stage_id.code, "agreed")
        self.assertTrue(order.require_payment)
        self.assertFalse(order.payment_on_delivery)
        # The payment link went out by the customer's channel, logged once.
        template = self.env.ref("crm_order_flow.sms_template_payment_link")
        link = order.customer_message_ids.filtered(
            lambda m: m.template_ref == f"sms.template,{template.id}"
        )
        self.assertEqual(len(link), 1, order.customer_message_ids.mapped("template_ref"))
        self.assertTrue(order.access_token)
        self.assertIn(order.access_token, link.body or "", "the link opens the order's payment")
        sms = self.env["sms.sms"].search([("number", "like", "673214567")])
        self.assertTrue(sms, "the payment link SMS is queued for the customer")
