from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestOrderFlowTours(HttpCase):
    """The store's people in the browser (Ukrainian interface), on orders
    built here in the demo store's company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("uk_UA")
        cls.manager = cls.env.ref("access_roles.user_demo_manager")
        cls.company = cls.manager.company_id
        cls.sales = cls.env["res.users"].search([("login", "=", "sales")])
        cls.marketer = cls.env["res.users"].search([("login", "=", "marketer")])
        (cls.manager | cls.sales | cls.marketer).write({"lang": "uk_UA"})
        cls.service = cls.env["product.product"].create(
            {"name": "Тур: налаштування", "type": "service", "list_price": 700.0}
        )

    def _order(self, customer_name):
        customer = self.env["res.partner"].create(
            {"name": customer_name, "mobile": "+380671112233", "lang": "uk_UA"}
        )
        return (
            self.env["sale.order"]
            .with_company(self.company)
            .create(
                {
                    "company_id": self.company.id,
                    "partner_id": customer.id,
                    "user_id": self.sales.id,
                    "order_line": [Command.create({"product_id": self.service.id})],
                }
            )
        )

    def test_manager_pipeline_counts_sums_and_overdue(self):
        on_time = self._order("Тур Вчасний")
        late = self._order("Тур Прострочений")
        confirmed = self.env["sale.order.stage"]._get_by_code("availability_confirmed")
        self.assertEqual((on_time | late).stage_id, confirmed, "the reservation moved them")
        late.write({"stage_date": fields.Datetime.now() - timedelta(days=2)})
        self.assertTrue(late.is_overdue)
        self.assertFalse(on_time.is_overdue)
        self.start_tour(
            "/odoo/action-crm_order_flow.sale_order_action_pipeline",
            "crm_order_flow_manager_pipeline",
            login="manager",
        )

    def test_statusbar_refusal_shows_the_true_status(self):
        order = self._order("Тур Статус")
        confirmed = self.env["sale.order.stage"]._get_by_code("availability_confirmed")
        self.assertEqual(order.stage_id, confirmed)
        self.start_tour(
            f"/odoo/action-sale.action_orders/{order.id}",
            "crm_order_flow_statusbar_refusal",
            login="sales",
        )
        order.invalidate_recordset()
        self.assertEqual(order.stage_id, confirmed, "the refused move changed the order")

    def test_marketer_edits_a_template(self):
        template = self.env.ref("crm_order_flow.sms_template_order_created")
        self.start_tour(
            f"/odoo/action-sms.sms_template_action/{template.id}",
            "crm_order_flow_marketer_template",
            login="marketer",
        )
        template.invalidate_recordset()
        self.assertIn(
            "{{ object.customer_first_name }}, ", template.with_context(lang="uk_UA").body
        )
        self.assertNotIn("login", template.with_context(lang="uk_UA").body)
