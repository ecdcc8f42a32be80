from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import OrderFlowCommon

SPELLINGS = ("067 123 45 67", "0501234567", "380631234567", "+380 97 123 45 67")


@tagged("post_install", "-at_install")
class TestPhoneOrder(OrderFlowCommon):
    """The Sales Manager takes an order on the phone: the customer is found
    by the phone in any spelling, or created with it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A store whose company sits in the US: Ukrainian numbers stay Ukrainian.
        cls.company.country_id = cls.env.ref("base.us")
        cls.known = {
            spelling: cls.env["res.partner"].create({"name": f"Known {index}", "mobile": spelling})
            for index, spelling in enumerate(SPELLINGS)
        }

    def test_contact_found_by_any_spelling(self):
        Partner = self.env["res.partner"].with_user(self.sales)
        for stored, partner in self.known.items():
            digits = "".join(ch for ch in stored if ch.isdigit())[-9:]
            national = "0" + digits
            for typed in (
                national,
                f"{national[:3]} {national[3:6]} {national[6:8]} {national[8:]}",
                "38" + national,
                f"+380 {digits[:2]} {digits[2:5]} {digits[5:7]} {digits[7:]}",
            ):
                with self.subTest(stored=stored, typed=typed):
                    self.assertIn(
                        partner, Partner.search([("phone_mobile_search", "ilike", typed)])
                    )
                    found = [pid for pid, _name in Partner.name_search(typed)]
                    self.assertIn(partner.id, found)
        self.assertTrue(all(p.phone_sanitized.startswith("+380") for p in self.known.values()))

    def test_phone_order_finds_the_customer(self):
        partner = self.known["0501234567"]
        form = Form(self.env["sale.order"].with_user(self.sales))
        form.customer_phone = "+380 50 123 45 67"
        self.assertEqual(form.partner_id, partner)
        form.order_payment_kind = "cod"
        with form.order_line.new() as line:
            line.product_id = self.product
        order = form.save()
        self.assertEqual(order.partner_id, partner)
        self.assertTrue(order.payment_on_delivery)
        self.assertEqual(self.env["res.partner"].search_count([("name", "=", "Known 1")]), 1)

    def test_phone_order_creates_the_customer(self):
        form = Form(self.env["sale.order"].with_user(self.sales))
        form.customer_phone = "099 765 43 21"
        self.assertFalse(form.partner_id)
        form.customer_new_name = "Taras Shevchuk"
        form.order_payment_kind = "online"
        order = form.save()
        self.assertEqual(order.partner_id.name, "Taras Shevchuk")
        self.assertEqual(order.partner_id.phone_sanitized, "+380997654321")
        self.assertEqual(order.user_id, self.sales, "the order is the Sales Manager's who took it")
        self.assertTrue(order.require_payment)
        again = (
            self.env["sale.order"]
            .with_user(self.sales)
            .create({"customer_phone": "380997654321", "customer_new_name": "Someone else"})
        )
        self.assertEqual(again.partner_id, order.partner_id, "a duplicate customer was created")

    def test_new_customer_with_separate_invoice_and_delivery_addresses(self):
        """Stores that keep invoice and delivery addresses apart (the online
        shop turns them on) take a new customer on the phone all the same."""
        self.sales.groups_id = [(4, self.env.ref("account.group_delivery_invoice_address").id)]
        form = Form(self.env["sale.order"].with_user(self.sales))
        form.customer_phone = "099 765 43 22"
        form.customer_new_name = "Lesya Ukrainka"
        order = form.save()
        self.assertEqual(order.partner_id.name, "Lesya Ukrainka")
        self.assertEqual(order.partner_invoice_id, order.partner_id)
        self.assertEqual(order.partner_shipping_id, order.partner_id)

    def test_new_customer_needs_a_name(self):
        with self.assertRaisesRegex(UserError, "name"):
            self.env["sale.order"].with_user(self.sales).create({"customer_phone": "0997654300"})

    def test_agree_with_the_customer(self):
        order = self.make_order()
        self.assertEqual(order.stage_code, "availability_confirmed")
        with self.assertRaisesRegex(UserError, "delivery method"):
            order.with_user(self.sales).action_order_flow_agree()
        order.with_user(self.sales).write(
            {"carrier_id": self.courier.id, "order_payment_kind": "cod"}
        )
        order.with_user(self.sales).action_order_flow_agree()
        self.assertEqual(order.stage_code, "agreed")

    def test_ukrainian_numbers_get_messages_in_a_us_company(self):
        self.customer.mobile = "067 123 45 00"
        order = self.make_order()
        self.assertTrue(order.customer_message_ids, "the order-created message was not made")
        self.assertFalse(order.customer_contact_warning)

    def test_unusable_phone_is_reported(self):
        customer = self.env["res.partner"].create({"name": "No number", "mobile": "12345"})
        order = self.make_order(partner_id=customer.id)
        self.assertFalse(order.customer_message_ids)
        self.assertIn("12345", order.customer_contact_warning)
        notes = order.message_ids.filtered(lambda m: "12345" in (m.body or ""))
        self.assertTrue(notes, "the unsent message is not reported on the order")
        activities = order.activity_ids.filtered(lambda a: a.summary == "Customer message not sent")
        self.assertEqual(len(activities), 1)

    def test_one_open_activity_of_a_kind(self):
        order = self.make_order()
        for _attempt in range(4):
            order._order_flow_salesperson_activity(
                "mail.mail_activity_data_todo", "Find out why the shipment failed"
            )
        postponed = self.env.ref("crm_order_flow.action_15_postponed")
        for _attempt in range(3):
            postponed.sudo().with_context(
                active_model="sale.order", active_id=order.id, active_ids=order.ids
            )._run_action_next_activity()
        summaries = order.activity_ids.mapped("summary")
        self.assertEqual(summaries.count("Find out why the shipment failed"), 1)
        self.assertEqual(summaries.count("Find out why delivery was postponed"), 1)
