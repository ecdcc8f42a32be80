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
        cls.support = cls.env["res.users"].search([("login", "=", "support")])
        (cls.manager | cls.sales | cls.marketer | cls.support).write({"lang": "uk_UA"})
        cls.service = cls.env["product.product"].create(
            {"name": "Тур: налаштування", "type": "service", "list_price": 700.0}
        )

    def _order(self, customer_name, mobile="+380671112233"):
        customer = self.env["res.partner"].create(
            {"name": customer_name, "mobile": mobile, "lang": "uk_UA"}
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
        self.assertFalse(
            self.env["sms.template.preview"]
            .search([("create_uid", "=", self.marketer.id)])
            .resource_ref,
            "the preview showed the sample order, no real one",
        )

    def test_support_answers_a_customer_and_messages_him(self):
        """Customer Support finds the order by the phone the customer gives,
        reads the delivery, notes the call and writes the customer an SMS."""
        self.company.write(
            {
                "order_flow_window_start": 0.0,
                "order_flow_window_end": 24.0,
                "order_flow_default_channel": "sms",
            }
        )
        order = self._order("Оксана Підтримкова", mobile="+380 63 555 19 28")
        order.sudo().write(
            {"delivery_tracking_ref": "20450000012345", "delivery_point_name": "Відділення № 7"}
        )
        self.assertEqual(order.state, "sale", "the order is in the Orders list")
        self.start_tour(
            "/odoo/action-sale.action_orders", "crm_order_flow_support_message", login="support"
        )
        notes = order.message_ids.filtered(lambda m: "Клієнтка питала, де посилка" in m.body)
        self.assertEqual(notes.author_id, self.support.partner_id)
        self.assertEqual(notes.subtype_id, self.env.ref("mail.mt_note"))
        log = order.customer_message_ids.filtered(lambda entry: entry.kind == "manual")
        self.assertEqual(len(log), 1)
        self.assertEqual((log.author_id, log.medium), (self.support, "sms"))
        sms = self.env["sms.sms"].search([("mail_message_id", "=", log.message_id.id)])
        self.assertEqual(sms.state, "outgoing", "queued for the SMS provider")
        self.assertEqual(sms.number, "+380635551928")
        self.assertEqual(sms.body, f"Оксана, посилка {order.name} чекає у Відділення № 7")
